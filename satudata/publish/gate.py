"""The publication gate: per published dataset, publish or block, and why.

A dataset is blocked when its dbt model was not built in this run, or when a fatal rule failed on
its own table or on any submitted dataset it is derived from. Warnings publish, and are noted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from satudata.rules import catalogue
from satudata.validate.gx_runner import RuleOutcome


@dataclass
class Decision:
    dataset_id: str
    table: str
    publish: bool
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failing_checks: list[str] = field(default_factory=list)


def _describe(o: RuleOutcome) -> str:
    rule = catalogue().get(o.rule_id)
    text = rule.message_en.format(expected="") if rule else o.expectation
    count = f"{o.failing_count} failing" if o.failing_count is not None else "failed"
    return f"{o.rule_id} on {o.table}: {text} ({count})"


def decide(pubs: dict[str, dict], not_built: set[str], outcomes: list[RuleOutcome]) -> list[Decision]:
    decisions = []
    for table, pub in sorted(pubs.items()):
        meta = pub["meta"]
        name = table.split(".")[-1]
        sources = set(meta.get("source_datasets", []))
        d = Decision(meta["dataset_id"], table, True)
        if pub["unique_id"] in not_built:
            d.publish = False
            d.reasons.append(f"dbt model {name} was not built in this run (see the dbt results)")
        for o in outcomes:
            if o.success:
                continue
            rule = catalogue().get(o.rule_id)
            touches = o.table == name or (rule is not None and bool(sources & set(rule.datasets))
                                          and not o.table.startswith("pub_"))
            if not touches:
                continue
            if o.severity == "fatal":
                d.publish = False
                d.reasons.append(_describe(o))
                d.failing_checks.append(o.rule_id)
            else:
                d.warnings.append(_describe(o))
        decisions.append(d)
    return decisions
