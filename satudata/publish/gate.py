"""The publication gate: per published dataset, publish or block, and why; and its traffic light.

A dataset is blocked (red) when its dbt model was not built in this run, or when a fatal rule
failed on its own table or on any submitted dataset it is derived from. Warnings publish, and
are noted in the dataset's metadata and the reports. A dataset is amber when it is published
with warnings or when one of its sources is incomplete (an expected submission missing or late,
rows quarantined); green only when every check passed and every source is complete.

Row rules do not block: their fatal findings quarantined the rows on landing, which makes the
source partial (amber). Completeness rules (`gate: per_dataset`) only turn the datasets whose
sources they name amber.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from satudata.rules import catalogue
from satudata.validate.gx_runner import RuleOutcome
from satudata.warehouse import connect

GREEN, AMBER, RED = "green", "amber", "red"
GREY = "grey"  # nothing to decide: no data submitted yet for a dataset never published
LISTED = 3  # examples named in a note


@dataclass
class Decision:
    dataset_id: str
    table: str
    publish: bool
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failing_checks: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)

    @property
    def status_color(self) -> str:
        if not self.publish:
            return RED if self.reasons or self.failing_checks else GREY
        return AMBER if self.warnings or self.incomplete else GREEN


@dataclass
class SourceNotes:
    """What the gate knows about one submitted dataset beyond the GX results."""

    incomplete: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _describe(o: RuleOutcome) -> str:
    rule = catalogue().get(o.rule_id)
    text = rule.text("en") if rule else getattr(o, "expectation", "")
    count = f"{o.failing_count} failing" if o.failing_count is not None else "failed"
    return f"{o.rule_id} on {o.table}: {text} ({count})"


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{rule_id} {n}" for rule_id, n in sorted(counts.items()))


def source_notes(url: str) -> dict[str, SourceNotes]:
    """Per submitted dataset: missing and late expected submissions (audit.expected_submission, refilled
    from the registry at this run), and the rows of the current files quarantined or kept with warnings
    on landing (a partial source)."""
    notes: dict[str, SourceNotes] = defaultdict(SourceNotes)
    with connect(url) as conn:
        rows = conn.execute(
            "select dataset, status, count(*), "
            "(array_agg(kode_pemda || '/' || opd || ' ' || periode order by kode_pemda, opd, periode))[1:%s] "
            "from audit.expected_submission where status in ('missing', 'late') group by 1, 2 order by 1, 2",
            (LISTED,),
        ).fetchall()
        findings = conn.execute(
            "select f.dataset, r.severity, r.rule_id, count(distinct (r.file_id, r.row_number)) "
            "from audit.row_finding r join audit.source_file f using (file_id) "
            "where f.superseded_by is null and f.status in ('loaded', 'loaded_with_warnings') group by 1, 2, 3"
        ).fetchall()
    for dataset, status, n, examples in rows:
        what = "expected submission(s) not received" if status == "missing" else "submission(s) received late"
        notes[dataset].incomplete.append(f"{dataset}: {n} {what} (e.g. {', '.join(examples)})")
    quarantined: dict[str, dict[str, int]] = defaultdict(dict)
    kept: dict[str, dict[str, int]] = defaultdict(dict)
    for dataset, severity, rule_id, n in findings:
        (quarantined if severity == "fatal" else kept)[dataset][rule_id] = n
    for dataset, counts in quarantined.items():
        notes[dataset].incomplete.append(
            f"{dataset}: {sum(counts.values())} row(s) quarantined on landing ({_counted(counts)})"
        )
    for dataset, counts in kept.items():
        notes[dataset].warnings.append(f"{dataset}: rows kept with warnings ({_counted(counts)})")
    return dict(notes)


def decide(
    pubs: dict[str, dict],
    not_built: set[str],
    outcomes: list[RuleOutcome],
    sources: dict[str, SourceNotes] | None = None,
) -> list[Decision]:
    rules = catalogue()
    decisions = []
    for table, pub in sorted(pubs.items()):
        meta = pub["meta"]
        name = table.split(".")[-1]
        derived_from = set(meta.get("source_datasets", []))
        d = Decision(meta["dataset_id"], table, True)
        if pub["unique_id"] in not_built:
            d.publish = False
            d.reasons.append(f"dbt model {name} was not built in this run (see the dbt results)")
        for o in outcomes:
            if o.success:
                continue
            rule = rules.get(o.rule_id)
            if rule is not None and (rule.kind == "row" or rule.implementation.get("gate") == "per_dataset"):
                continue  # on landing: quarantine / warnings; completeness: from `sources` below
            # its own table, or (a rule on submitted data) a dataset it is derived from; "*" = every dataset
            reads = set(rule.datasets) if rule is not None else set()
            touches = o.table == name or (
                ("*" in reads or bool(derived_from & reads)) and not o.table.startswith("pub_")
            )
            if not touches:
                continue
            if o.severity == "fatal":
                d.publish = False
                d.reasons.append(_describe(o))
                d.failing_checks.append(o.rule_id)
            else:
                d.warnings.append(_describe(o))
        for dataset in sorted(derived_from):
            note = (sources or {}).get(dataset)
            if note:
                d.incomplete += note.incomplete
                d.warnings += note.warnings
        decisions.append(d)
    return decisions


def validation_note(d: Decision) -> dict[str, Any]:
    """What the dataset's metadata says about this decision, beside the pipeline's counts."""
    return {"status_color": d.status_color, "warnings": d.warnings, "incomplete": d.incomplete}
