"""Every row rule declares the columns it reads (satudata/rules/row_checks.py READS): the block loader runs
a rule once per distinct combination of them, so a column read but not declared would be seen as blank.
Each rule runs here on rows of its datasets that record every column looked at."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from satudata.datasets import DATASETS
from satudata.rules import catalogue
from satudata.rules.row_checks import IN_ORDER, ROW_CHECKS, RowChecker, reads

# what RowChecker.prepare works out of a row, by the column it reads
PREPARED = {
    "nip": "nip",
    "born": "nip",
    "status": "status_kepegawaian",
    "rekening_ok": "kode_rekening",
    "rekening_missing_parent": "kode_rekening",
}


class RecordingChecker(RowChecker):
    def __getattribute__(self, name: str) -> Any:
        looked = object.__getattribute__(self, "__dict__").get("looked")
        if name in PREPARED and looked is not None:
            looked.add(PREPARED[name])
        return object.__getattribute__(self, name)


class Recording(dict):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return super().__getitem__(key)


SAMPLES = {
    "integer": [1, 5, 0, -3, 2024],
    "numeric": [Decimal("10"), Decimal("0"), Decimal("-1"), Decimal("150.5")],
    "date": [date(2024, 1, 15), date(2030, 5, 1), date(1990, 1, 1)],
}
SPECIAL = {
    "nip": ["198001012005011001", "199912312022212002", "12345"],
    "status_kepegawaian": ["PNS", "PPPK", "NON_ASN", "CPNS"],
    "kode_rekening": ["5.1.02.01.01.0001", "4.1.01.01.01.0001", "5.1", "9.9.99.99.99.9999", "1.2.3"],
    "golongan": ["III/a", "IX", "-"],
    "eselon": ["III.a", "-"],
    "jenis_jabatan": ["STRUKTURAL", "FUNGSIONAL"],
    "jenis_kelamin": ["L", "P"],
    "status": ["SELESAI", "PROSES"],
    "bidang": ["KESEHATAN", "PENDIDIKAN"],
    "tagging": ["STUNTING, X"],
}


def _rows(dataset: str) -> list[dict[str, Any]]:
    columns = DATASETS[dataset].columns
    out = [dict.fromkeys(c.name for c in columns)]
    for i in range(5):
        row = {}
        for c in columns:
            values = SPECIAL.get(c.name) or SAMPLES.get(c.type) or ["X", "A.B", "01"]
            row[c.name] = values[i % len(values)]
        out.append(row)
    return out


@pytest.mark.parametrize("rule_id", sorted(ROW_CHECKS))
def test_each_row_rule_reads_only_the_columns_it_declares(rule_id):
    datasets = [d for d in DATASETS if catalogue()[rule_id].applies_to(d)]
    assert datasets, rule_id
    for dataset in datasets:
        declared = set(reads(rule_id, dataset))
        checker = RecordingChecker(dataset, "DINKES", {"1.02.01"})
        for values in _rows(dataset):
            row = Recording(values)
            checker.looked = None
            checker.prepare(dict(values))
            checker.looked = set()
            ROW_CHECKS[rule_id](row, checker)
            read = row.read | checker.looked
            assert read <= declared, f"{rule_id} on {dataset} reads {read - declared} undeclared"


def test_in_order_rules_are_the_in_file_uniqueness_rules():
    assert IN_ORDER == {"PEG-005", "PAY-003", "SKP-001", "LAY-003"}
