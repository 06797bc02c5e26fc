"""The rule catalogue (catalogue.yaml): the single source of every check.

`catalogue()` reads and validates it; row checks (row_checks.py), GX suites
(satudata/validate/suites.py), the rules page (doc.py) and the auditors' report
(satudata/report/audit.py) are all derived from it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

from satudata.config import REPO_ROOT, dbt_vars, load_yaml  # noqa: F401  (dbt_vars: rules' parameters read it)

Severity = Literal["fatal", "warning"]
SEVERITIES = ("fatal", "warning")
CATEGORIES = ("format", "reference", "consistency", "reconciliation", "completeness", "policy")
KINDS = ("row", "gx", "publish")
ID_RE = re.compile(r"^[A-Z]{3}-\d{3}$")
# columns of a row rule's failing example (audit.row_finding)
ROW_REPORT_COLUMNS = ("file", "row", "column", "provided", "expected")


@dataclass(frozen=True)
class Rule:
    id: str
    datasets: tuple[str, ...]
    severity: Severity
    category: str
    message_id: str
    message_en: str
    implementation: dict[str, Any] = field(hash=False, compare=False)
    source: str = ""
    params: dict[str, dict[str, Any]] = field(default_factory=dict, hash=False, compare=False)
    report_columns: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return self.implementation["kind"]

    @property
    def table(self) -> str | None:
        return self.implementation.get("table")

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns of a failing example, as the reports show them."""
        return self.report_columns or (ROW_REPORT_COLUMNS if self.kind == "row" else ("value",))

    def applies_to(self, dataset: str) -> bool:
        return "*" in self.datasets or dataset in self.datasets

    def message(self, **fmt: Any) -> str:
        return f"{self.message_id.format(**fmt)} / {self.message_en.format(**fmt)}"

    def text(self, lang: str = "en") -> str:
        """The message without a value filled in, for lists of rules."""
        msg = self.message_en if lang == "en" else self.message_id
        return re.sub(r"\s*\(\{expected\}\)", "", msg).replace("{expected}", "…").strip()


def _catalogue_text() -> str:
    return resources.files("satudata.rules").joinpath("catalogue.yaml").read_text(encoding="utf-8")


def _check(entry: dict[str, Any]) -> None:
    rid = entry.get("id", "?")
    problems = []
    if not ID_RE.match(str(rid)):
        problems.append("id must look like PEG-001")
    for key in ("datasets", "severity", "category", "message_id", "message_en", "implementation"):
        if key not in entry:
            problems.append(f"missing {key}")
    if entry.get("severity") not in SEVERITIES:
        problems.append(f"severity must be one of {SEVERITIES}")
    if entry.get("category") not in CATEGORIES:
        problems.append(f"category must be one of {CATEGORIES}")
    impl = entry.get("implementation") or {}
    if impl.get("kind") not in KINDS:
        problems.append(f"implementation.kind must be one of {KINDS}")
    if impl.get("kind") == "gx" and not impl.get("table"):
        problems.append("a gx rule names its table")
    if impl.get("kind") == "publish" and not impl.get("function"):
        problems.append("a publish rule names its function")
    if problems:
        raise ValueError(f"catalogue.yaml, rule {rid}: " + "; ".join(problems))


@cache
def catalogue() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for entry in load_yaml(_catalogue_text()):
        _check(entry)
        rule = Rule(
            id=entry["id"],
            datasets=tuple(entry["datasets"]),
            severity=entry["severity"],
            category=entry["category"],
            message_id=entry["message_id"],
            message_en=entry["message_en"],
            implementation=entry["implementation"],
            source=" ".join(str(entry.get("source", "")).split()),
            params=entry.get("params") or {},
            report_columns=tuple(entry.get("report_columns") or ()),
        )
        if rule.id in rules:
            raise ValueError(f"rule {rule.id} is defined twice in catalogue.yaml")
        rules[rule.id] = rule
    return rules


def catalogue_hash() -> str:
    return hashlib.sha256(_catalogue_text().encode()).hexdigest()


@cache
def rule_params(rule: Rule) -> dict[str, Any]:
    """A rule's parameters: the dbt var it names when dbt_project.yml sets it, else the default."""
    values = {}
    for name, spec in rule.params.items():
        var = spec.get("dbt_var")
        value = dbt_vars().get(var) if var else None
        values[name] = spec["default"] if value is None else value
    return values


@dataclass(frozen=True)
class Finding:
    """One rule broken by one value of one submitted row."""

    rule_id: str
    column: str | None
    provided: str | None
    expected: str | None
    message: str
    severity: Severity = "fatal"


def finding(rule_id: str, column: str | None, provided: Any, expected: str | None = None) -> Finding:
    rule = catalogue()[rule_id]
    text = None if provided is None else str(provided)
    return Finding(rule_id, column, text, expected, rule.message(expected=expected or ""), rule.severity)
