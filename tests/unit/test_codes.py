"""The code lists declared once (issue #18): the seed kode_sinonim is the one place, the Python
normalisers read it, and every Python code list equals its seed list and the `accepted_values` of
the dbt models. The real spellings of issue #13 (SIASN, SIMPEG) map to the standard's codes.

(The SQL side, macros/normalise.sql against the same seed in PostgreSQL, is compared with these
normalisers in tests/integration/test_kode_sinonim_sql.py.)
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from satudata.rules import codes as c
from satudata.rules.row_checks import ATTRIBUTE_CODES, KEY_CODES

DBT = Path(__file__).resolve().parents[2] / "dbt_project"
SEED = DBT / "seeds" / "kode_sinonim.csv"


def seed_rows() -> list[dict[str, str]]:
    with SEED.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def accepted_values(model: str, column: str) -> list[str]:
    for path in (DBT / "models").rglob("*.yml"):
        for entry in (yaml.safe_load(path.read_text()) or {}).get("models", []) or []:
            if entry["name"] != model:
                continue
            for col in entry.get("columns", []):
                if col["name"] == column:
                    for test in col.get("data_tests", []):
                        if isinstance(test, dict) and "accepted_values" in test:
                            return test["accepted_values"]["arguments"]["values"]
    raise AssertionError(f"{model}.{column} has no accepted_values test")


# the Python list, its seed list, and where dbt checks it
LISTS = [
    (c.JENIS_KELAMIN, "jenis_kelamin", ("L", "P"), "stg_opd__pegawai"),
    (
        c.STATUS_KEPEGAWAIAN,
        "status_kepegawaian",
        ("PNS", "CPNS", "PPPK", "PPPK_PARUH_WAKTU", "NON_ASN"),
        "stg_opd__pegawai",
    ),
    (c.JENIS_NON_ASN, "jenis_non_asn", ("THL", "PTT", "HONORER", "KONTRAK"), "stg_opd__pegawai"),
    (c.JENIS_JABATAN, "jenis_jabatan", ("STRUKTURAL", "FUNGSIONAL", "PELAKSANA"), "stg_opd__pegawai"),
    (c.PENDIDIKAN, "pendidikan", ("SD", "SMP", "SMA", "D1", "D2", "D3", "D4", "S1", "S2", "S3"), "stg_opd__pegawai"),
    (c.KEDUDUKAN_HUKUM, "kedudukan_hukum", ("AKTIF", "BERHENTI"), None),
]


@pytest.mark.parametrize(("python", "daftar", "standard", "model"), LISTS, ids=[x[1] for x in LISTS])
def test_python_code_list_equals_seed_standard_and_dbt(python, daftar, standard, model):
    # Given the seed's codes of the list
    seeded = tuple(dict.fromkeys(r["kode"] for r in seed_rows() if r["daftar"] == daftar))
    # Then the Python list is the seed's, the standard's (section 3), and what dbt accepts
    assert python == seeded == standard
    if model:
        assert tuple(accepted_values(model, daftar)) == standard


def test_golongan_lists_are_pp_99_2000_and_perpres_98_2020():
    assert c.GOLONGAN_PNS == (
        "I/a",
        "I/b",
        "I/c",
        "I/d",
        "II/a",
        "II/b",
        "II/c",
        "II/d",
        "III/a",
        "III/b",
        "III/c",
        "III/d",
        "IV/a",
        "IV/b",
        "IV/c",
        "IV/d",
        "IV/e",
    )
    assert c.GOLONGAN_PPPK == (
        "I",
        "II",
        "III",
        "IV",
        "V",
        "VI",
        "VII",
        "VIII",
        "IX",
        "X",
        "XI",
        "XII",
        "XIII",
        "XIV",
        "XV",
        "XVI",
        "XVII",
    )


def test_seed_every_code_is_its_own_spelling_and_no_key_means_two_codes():
    by_key: dict[tuple[str, str], set[str]] = defaultdict(set)
    codes: dict[str, set[str]] = defaultdict(set)
    for row in seed_rows():
        assert row["daftar"] and row["nilai_sumber"].strip() and row["kode"], row
        by_key[(row["daftar"], c.kunci(row["nilai_sumber"]))].add(row["kode"])
        codes[row["daftar"]].add(row["kode"])
    assert {k: v for k, v in by_key.items() if len(v) > 1} == {}
    for daftar, kodes in codes.items():
        for kode in kodes:
            assert c.kode(daftar, kode) == kode, (daftar, kode)


def test_row_checks_normalise_through_the_seed():
    # the row rules of pegawai use the seed normalisers, not clean_code
    assert KEY_CODES["pegawai"]["status_kepegawaian"] == (c.clean_status_kepegawaian, c.STATUS_KEPEGAWAIAN)
    assert KEY_CODES["pegawai"]["jenis_jabatan"] == (c.clean_jenis_jabatan, c.JENIS_JABATAN)
    assert KEY_CODES["formasi_jabatan"]["jenis_jabatan"] == (c.clean_jenis_jabatan, c.JENIS_JABATAN)
    assert ATTRIBUTE_CODES["pegawai"]["jenis_non_asn"] == (c.clean_jenis_non_asn, c.JENIS_NON_ASN)
    assert ATTRIBUTE_CODES["pegawai"]["pendidikan"] == (c.clean_pendidikan, c.PENDIDIKAN)


def test_no_sql_case_mirror_left_for_the_seeded_lists():
    macros = (DBT / "macros" / "normalise.sql").read_text()
    for literal in ("'LAKI-LAKI'", "'WANITA'", "'SLTA'", "'DIII'", "XVII)$"):
        assert literal not in macros


REAL_SPELLINGS = [
    ("jenis_kelamin", "M", "L"),
    ("jenis_kelamin", "F", "P"),
    ("jenis_kelamin", "Laki-laki", "L"),
    ("jenis_kelamin", "laki laki", "L"),
    ("jenis_kelamin", "Wanita", "P"),
    ("jenis_kelamin", "Pria", "L"),
    ("jenis_kelamin", "X", None),
    ("status_kepegawaian", "P", "PNS"),
    ("status_kepegawaian", "C", "CPNS"),
    ("status_kepegawaian", "P3K", "PPPK"),
    ("status_kepegawaian", "PPPK Aktif", "PPPK"),
    ("status_kepegawaian", "PPPK Paruh Waktu", "PPPK_PARUH_WAKTU"),
    ("status_kepegawaian", "pppk_paruh_waktu", "PPPK_PARUH_WAKTU"),
    ("status_kepegawaian", "THL", "NON_ASN"),
    ("status_kepegawaian", "Tenaga Kontrak", "NON_ASN"),
    ("status_kepegawaian", "honorer", "NON_ASN"),
    ("status_kepegawaian", "PTT", "NON_ASN"),
    ("status_kepegawaian", "Pensiunan", None),
    ("jenis_non_asn", "Tenaga Harian Lepas", "THL"),
    ("jenis_non_asn", "tenaga kontrak", "KONTRAK"),
    ("jenis_non_asn", "Honorer", "HONORER"),
    ("jenis_non_asn", "PNS", None),
    ("jenis_jabatan", "Jabatan Struktural", "STRUKTURAL"),
    ("jenis_jabatan", "Jabatan Fungsional Tertentu", "FUNGSIONAL"),
    ("jenis_jabatan", "Jabatan Fungsional Umum", "PELAKSANA"),
    ("jenis_jabatan", "Jabatan Pelaksana", "PELAKSANA"),
    ("jenis_jabatan", "fungsional", "FUNGSIONAL"),
    ("jenis_jabatan", "Tugas Tambahan", None),
    ("pendidikan", "S-1/Sarjana", "S1"),
    ("pendidikan", "Diploma III/Sarjana Muda", "D3"),
    ("pendidikan", "SLTA Kejuruan", "SMA"),
    ("pendidikan", "Sekolah Dasar", "SD"),
    ("pendidikan", "S-2", "S2"),
    ("pendidikan", "S-3/Doktor", "S3"),
    ("pendidikan", "Doktor", "S3"),
    ("pendidikan", "D-III", "D3"),
    ("pendidikan", "D IV", "D4"),
    ("pendidikan", "SLTP", "SMP"),
    ("pendidikan", "Kuliah", None),
    ("golongan", "III/a", "III/a"),
    ("golongan", "III-a", "III/a"),
    ("golongan", "3A", "III/a"),
    ("golongan", "IIIa", "III/a"),
    ("golongan", "iii.A", "III/a"),
    ("golongan", "Penata Muda (III/a)", "III/a"),
    ("golongan", "Pembina Utama Muda (IV/c)", "IV/c"),
    ("golongan", "IV/e", "IV/e"),
    ("golongan", "IX", "IX"),
    ("golongan", "xvii", "XVII"),
    ("golongan", "XVIII", None),
    ("golongan", "IV/f", None),
    ("golongan", "-", None),
    ("kedudukan_hukum", "Aktif", "AKTIF"),
    ("kedudukan_hukum", "PPPK Aktif", "AKTIF"),
    ("kedudukan_hukum", "Tugas Belajar", "AKTIF"),
    ("kedudukan_hukum", "Pensiun", "BERHENTI"),
    ("kedudukan_hukum", "99", "BERHENTI"),
    ("kedudukan_hukum", "Meninggal", "BERHENTI"),
]


@pytest.mark.parametrize(("daftar", "value", "expected"), REAL_SPELLINGS)
def test_real_spellings_map_to_the_standard(daftar, value, expected):
    assert c.kode(daftar, value) == expected


def test_normalisers_are_the_seed_lists():
    assert c.clean_jenis_kelamin("F") == "P"
    assert c.clean_status_kepegawaian("P3K") == "PPPK"
    assert c.clean_jenis_non_asn("THL") == "THL"
    assert c.clean_jenis_jabatan("Jabatan Fungsional Tertentu") == "FUNGSIONAL"
    assert c.clean_pendidikan("S-1/Sarjana") == "S1"
    assert c.clean_golongan("3/b") == "III/b"
    assert c.clean_kedudukan_hukum("Pemberhentian dengan Hak Pensiun") == "BERHENTI"
    assert c.clean_golongan(None) is None
