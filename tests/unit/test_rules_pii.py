"""The publisher's personal-data rules of the catalogue (PII-001..005, satudata/publish/pii.py scan):
each is found in an outgoing table that carries what it names, and the published columns of the
standard pass."""

from __future__ import annotations

from datetime import date

import pytest

from satudata.publish.pii import scan
from satudata.rules import catalogue

TODAY = date(2026, 11, 22)
AGGREGATE = {"person_based": False, "primary_key": ["kode_opd"], "measure": "jumlah"}
PERSONS = {"person_based": True, "primary_key": ["kode_opd", "predikat"], "measure": "jumlah_pegawai"}

CASES = [
    ("PII-001", [("keterangan", "text")], [["NIP 19860926 201505 1 001"]], AGGREGATE),
    ("PII-002", [("keterangan", "text")], [["NIK 1872014509860002"]], AGGREGATE),
    ("PII-003", [("nama_pegawai", "text")], [["x"]], AGGREGATE),
    ("PII-004", [("tanggal_lahir", "date")], [[date(1986, 9, 26)]], AGGREGATE),
    (
        "PII-005",
        [("kode_opd", "text"), ("predikat", "text"), ("jumlah_pegawai", "bigint")],
        [["A", "BAIK", 7], ["A", "KURANG", 1]],
        PERSONS,
    ),
]


@pytest.mark.rules("PII-001", "PII-002", "PII-003", "PII-004", "PII-005")
@pytest.mark.parametrize("rule_id, columns, rows, meta", CASES, ids=[c[0] for c in CASES])
def test_each_personal_data_rule_blocks_what_it_names(rule_id, columns, rows, meta):
    # Given an outgoing table with the personal data the rule names
    # When the publisher scans it
    found = {f.rule_id for f in scan(columns, rows, meta, today=TODAY)}

    # Then the rule is found (and it is a fatal rule of the catalogue: the dataset is blocked)
    assert rule_id in found
    assert catalogue()[rule_id].severity == "fatal" and catalogue()[rule_id].kind == "publish"


def test_an_aggregate_of_the_standard_passes():
    columns = [("kode_kabupaten_kota", "text"), ("nama_opd", "text"), ("periode", "text"), ("jumlah", "bigint")]
    assert scan(columns, [["1872", "Dinas Kesehatan", "2024-01", 12]], AGGREGATE, today=TODAY) == []
