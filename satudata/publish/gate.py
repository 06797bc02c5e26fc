"""The publication gate: per published dataset, publish or block, and why; and its traffic light.

A dataset is blocked (red) when its dbt model was not built in this run, or when a fatal rule
failed on its own table or on any submitted dataset it is derived from. Warnings publish, and
are noted in the dataset's metadata and the reports. A dataset is amber when it is published
with warnings or when one of its sources is incomplete (an expected submission missing or late,
rows quarantined); green only when every check passed and every source is complete.

Row rules do not block: their fatal findings quarantined the rows on landing, which makes the
source partial (amber). Completeness rules (`gate: per_dataset`) only turn the datasets whose
sources they name amber.

Per publisher (`decide(..., pemdas)`, satudata/publish/run.py `_gate`): the notes are the publisher's own
pemda's (`source_notes(url, pemdas)`), and a failed check whose failing rows are all another pemda's
(`attributed`) does not touch it; one that cannot be attributed blocks every publisher and says so
(docs/publishing.md, "The gate per publisher").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from satudata.datasets import DATASETS
from satudata.publish.publishers import pemda_reference
from satudata.publish.tables import periode_label
from satudata.reference import pemda_names, seed_opd_names
from satudata.rules import catalogue
from satudata.validate.gx_runner import RuleOutcome
from satudata.warehouse import connect

GREEN, AMBER, RED = "green", "amber", "red"
GREY = "grey"  # nothing to decide: no data submitted yet for a dataset never published
LISTED = 3  # OPDs named in a note
PERIODS_LISTED = 6  # periods named per OPD


@dataclass
class Decision:
    dataset_id: str
    table: str
    publish: bool
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failing_checks: list[str] = field(default_factory=list)
    incomplete: list[str] = field(default_factory=list)
    unattributed: list[str] = field(default_factory=list)  # fatal rules that block every publisher

    @property
    def status_color(self) -> str:
        if not self.publish:
            return RED if self.reasons or self.failing_checks else GREY
        return AMBER if self.warnings or self.incomplete else GREEN


PEMDA_KEYS = ("kode_pemda", "_kode_pemda")  # a failing row's pemda (Kemendagri code), as the rules select it
PLACE_KEYS = ("kode_kabupaten_kota",)  # a published row's kab/kota (BPS code)
UNATTRIBUTED = (
    "kegagalan ini tidak dapat dikaitkan dengan pemda tertentu, maka diblokir untuk semua penerbit "
    "(cannot be attributed to a pemda: blocks every publisher)"
)


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
    return ", ".join(f"{rule_id} {n} baris" for rule_id, n in sorted(counts.items()))


# ---- the notes a PPID, an auditor and a catalogue reader read: Indonesian, the OPD by name, months in words


def dataset_title(name: str) -> str:
    """A submitted dataset as a reader knows it: its title (satudata/datasets.py) and its id."""
    ds = DATASETS.get(name)
    return f"{ds.title} ({name})" if ds and ds.title else name


def opd_names(conn: Any | None = None) -> dict[tuple[str, str], str]:
    """(kode_pemda, SINGKATAN) -> the OPD's name: the seed cities' list, and every onboarded pemda's from
    marts.dim_opd when the warehouse has it."""
    names = dict(seed_opd_names())
    if conn is not None and conn.execute("select to_regclass('marts.dim_opd')").fetchone()[0] is not None:
        for kode_pemda, singkatan, nama in conn.execute(
            "select kode_pemda, singkatan, nama_opd from marts.dim_opd where nama_opd is not null"
        ):
            names.setdefault((kode_pemda, str(singkatan).upper()), nama)
    return names


def opd_label(names: dict[tuple[str, str], str], kode_pemda: str, opd: str) -> str:
    """The OPD by name (Dinas Kesehatan Kota Metro); an OPD not in any list by its folder and its pemda."""
    pemda = pemda_names().get(kode_pemda)
    return names.get((kode_pemda, str(opd).upper())) or f"{opd} {pemda.title() if pemda else kode_pemda}"


def _by_opd(names: dict[tuple[str, str], str], items: list[tuple[str, str, str]]) -> str:
    """(kode_pemda, opd, periode) -> "Dinas Kesehatan Kota Metro: Januari 2024, Februari 2024; ..."."""
    periods: dict[tuple[str, str], list[str]] = {}
    for kode_pemda, opd, periode in items:
        periods.setdefault((kode_pemda, opd), []).append(periode)
    parts = []
    for (kode_pemda, opd), ps in list(periods.items())[:LISTED]:
        shown = [periode_label(p) for p in ps[:PERIODS_LISTED] if p]
        more = f" dan {len(ps) - PERIODS_LISTED} periode lainnya" if len(ps) > PERIODS_LISTED else ""
        when = f": {', '.join(shown)}{more}" if shown else ""
        parts.append(f"{opd_label(names, kode_pemda, opd)}{when}")
    if len(periods) > LISTED:
        parts.append(f"dan {len(periods) - LISTED} OPD lainnya")
    return "; ".join(parts)


def _opds(names: dict[tuple[str, str], str], opds: list[tuple[str, str]]) -> str:
    shown = [opd_label(names, k, o) for k, o in opds[:LISTED]]
    return ", ".join(shown) + (f" dan {len(opds) - LISTED} OPD lainnya" if len(opds) > LISTED else "")


def note_missing(dataset: str, items: list[tuple[str, str, str]], names: dict, n: int | None = None) -> str:
    return (
        f"{dataset_title(dataset)}: {n if n is not None else len(items)} kiriman yang diharapkan belum diterima "
        f"({_by_opd(names, items)})"
    )


def note_late(dataset: str, items: list[tuple[str, str, str]], names: dict, n: int | None = None) -> str:
    return (
        f"{dataset_title(dataset)}: {n if n is not None else len(items)} kiriman diterima terlambat "
        f"({_by_opd(names, items)})"
    )


def note_quarantined(dataset: str, counts: dict[str, int], opds: list[tuple[str, str]], names: dict) -> str:
    sender = f", dari {_opds(names, opds)}" if opds else ""
    return (
        f"{dataset_title(dataset)}: {sum(counts.values())} baris dikarantina saat diterima karena tidak memenuhi "
        f"aturan ({_counted(counts)}){sender}; baris itu tidak ikut diterbitkan"
    )


def note_kept(dataset: str, counts: dict[str, int], opds: list[tuple[str, str]], names: dict) -> str:
    sender = f", dari {_opds(names, opds)}" if opds else ""
    return f"{dataset_title(dataset)}: baris diterima dengan catatan ({_counted(counts)}){sender}"


def source_notes(url: str, pemdas: Collection[str] | None = None) -> dict[str, SourceNotes]:
    """Per submitted dataset: missing and late expected submissions (audit.expected_submission, refilled
    from the registry at this run), and the rows of the current files quarantined or kept with warnings
    on landing (a partial source). In Indonesian, each OPD by its name, periods in words.

    `pemdas`: only the notes on these pemda (a publisher's, Publisher.pemdas): a PPID reads, and a
    catalogue shows, its own pemda's gaps, not another's. A note without a pemda is everyone's."""
    notes: dict[str, SourceNotes] = defaultdict(SourceNotes)
    scope = list(pemdas) if pemdas is not None else None
    with connect(url) as conn:
        names = opd_names(conn)
        expected = conn.execute(
            "select dataset, status, kode_pemda, opd, periode from audit.expected_submission "
            "where status in ('missing', 'late') "
            "and (%(scope)s::text[] is null or coalesce(kode_pemda, '') = '' or kode_pemda = any(%(scope)s)) "
            "order by dataset, status desc, kode_pemda, opd, periode",
            {"scope": scope},
        ).fetchall()
        findings = conn.execute(
            "select f.dataset, r.severity, r.rule_id, f.kode_pemda, f.opd, count(distinct (r.file_id, r.row_number)) "
            "from audit.row_finding r join audit.source_file f using (file_id) "
            "where f.superseded_by is null and f.status in ('loaded', 'loaded_with_warnings') "
            "and (%(scope)s::text[] is null or coalesce(f.kode_pemda, '') = '' or f.kode_pemda = any(%(scope)s)) "
            "group by 1, 2, 3, 4, 5 order by 1, 4, 5",
            {"scope": scope},
        ).fetchall()
    gaps: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)
    for dataset, status, kode_pemda, opd, periode in expected:
        gaps[(dataset, status)].append((kode_pemda or "", opd or "", periode))
    for (dataset, status), items in gaps.items():
        note = note_missing if status == "missing" else note_late
        notes[dataset].incomplete.append(note(dataset, items, names))
    counts: dict[tuple[str, bool], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    senders: dict[tuple[str, bool], list[tuple[str, str]]] = defaultdict(list)
    for dataset, severity, rule_id, kode_pemda, opd, n in findings:
        key = (dataset, severity == "fatal")
        counts[key][rule_id] += n
        if (kode_pemda or "", opd or "") not in senders[key]:
            senders[key].append((kode_pemda or "", opd or ""))
    for (dataset, fatal), by_rule in counts.items():
        if fatal:
            notes[dataset].incomplete.append(note_quarantined(dataset, dict(by_rule), senders[(dataset, True)], names))
        else:
            notes[dataset].warnings.append(note_kept(dataset, dict(by_rule), senders[(dataset, False)], names))
    return dict(notes)


@cache
def _kabupaten_kota() -> dict[str, str]:
    """BPS code -> kode_pemda (dbt_project/seeds/pemda.csv)."""
    return {p.kode_bps: kode for kode, p in pemda_reference().items()}


def attributed(o: RuleOutcome) -> frozenset[str] | None:
    """The pemda (kode_pemda) whose rows failed a check, from the failing rows kept with its result
    (audit.rule_result.examples: `kode_pemda` / `_kode_pemda`, or a published row's `kode_kabupaten_kota`);
    None when that cannot be told: no count, a count above the rows kept (only the first 5 are kept, so
    the others may be anyone's), a row without a pemda (a column check keeps values, not rows), or an error."""
    if not o.failing_count or not o.examples or o.failing_count > len(o.examples):
        return None
    bps = _kabupaten_kota()
    found = set()
    for row in o.examples:
        if not isinstance(row, dict):
            return None
        kode = next((str(row[k]) for k in PEMDA_KEYS if row.get(k) not in (None, "")), None)
        if kode is None:
            place = next((str(row[k]) for k in PLACE_KEYS if row.get(k) not in (None, "")), None)
            kode = bps.get(place) if place else None
        if kode is None:
            return None
        found.add(kode)
    return frozenset(found)


def concerns(o: RuleOutcome, pemdas: Collection[str] | None) -> bool:
    """Whether a failed check is a publisher's (its `pemdas`; None = run-wide): when its failing rows are
    attributed to pemda, only theirs; when not, everyone's."""
    if pemdas is None:
        return True
    who = attributed(o)
    return who is None or bool(who & set(pemdas))


def decide(
    pubs: dict[str, dict],
    not_built: set[str],
    outcomes: list[RuleOutcome],
    sources: dict[str, SourceNotes] | None = None,
    pemdas: Collection[str] | None = None,
) -> list[Decision]:
    """Per published dataset, publish or block, and why. `pemdas`: one publisher's (Publisher.pemdas): a
    failed check whose failing rows are all another pemda's does not touch it (a bad SP2D in Kupang does
    not block Metro), one that cannot be attributed does (and says so); `sources` should then be that
    publisher's notes (source_notes(url, pemdas)). None: run-wide, every failure touches every dataset."""
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
            if not touches or not concerns(o, pemdas):
                continue
            if o.severity == "fatal":
                d.publish = False
                d.failing_checks.append(o.rule_id)
                if pemdas is not None and attributed(o) is None:
                    d.unattributed.append(o.rule_id)
                    d.reasons.append(f"{_describe(o)}; {UNATTRIBUTED}")
                else:
                    d.reasons.append(_describe(o))
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
