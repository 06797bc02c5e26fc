"""The rule catalogue (catalogue.yaml): the single source of every check."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

Severity = Literal["fatal", "warning"]


@dataclass(frozen=True)
class Rule:
    id: str
    datasets: tuple[str, ...]
    severity: Severity
    category: str
    message_id: str
    message_en: str
    implementation: dict[str, Any] = field(hash=False, compare=False)

    def applies_to(self, dataset: str) -> bool:
        return "*" in self.datasets or dataset in self.datasets

    def message(self, **fmt: Any) -> str:
        return f"{self.message_id.format(**fmt)} / {self.message_en.format(**fmt)}"


def _catalogue_text() -> str:
    return resources.files("satudata.rules").joinpath("catalogue.yaml").read_text(encoding="utf-8")


@cache
def catalogue() -> dict[str, Rule]:
    rules = {}
    for entry in yaml.safe_load(_catalogue_text()):
        rule = Rule(
            id=entry["id"], datasets=tuple(entry["datasets"]), severity=entry["severity"],
            category=entry["category"], message_id=entry["message_id"], message_en=entry["message_en"],
            implementation=entry["implementation"],
        )
        if rule.id in rules:
            raise ValueError(f"rule {rule.id} is defined twice in catalogue.yaml")
        rules[rule.id] = rule
    return rules


def catalogue_hash() -> str:
    return hashlib.sha256(_catalogue_text().encode()).hexdigest()


@dataclass(frozen=True)
class Finding:
    """One rule broken by one value of one submitted row."""

    rule_id: str
    column: str | None
    provided: str | None
    expected: str | None
    message: str

    @property
    def severity(self) -> Severity:
        return catalogue()[self.rule_id].severity


def finding(rule_id: str, column: str | None, provided: Any, expected: str | None = None) -> Finding:
    rule = catalogue()[rule_id]
    text = None if provided is None else str(provided)
    return Finding(rule_id, column, text, expected, rule.message(expected=expected or ""))
