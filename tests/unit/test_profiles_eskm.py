"""e-SKM respondent exports (profiles eskm_*, steps in satudata/extract/profiles/steps_pelayanan.py).

Given an e-SKM export as an OPD downloads it (.xls with letter answers; an HTML table saved as .xls
with the PermenPAN-RB 14/2017 labels), when it is read, then each respondent comes out in the
standard's columns: scores 1-4 in the standard's unsur order, the service, an integer age, an
education level; notes under the table are set aside; wrong answers are left for the row checks.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from satudata.datasets import DATASETS
from satudata.extract.profiles import FileContext, get, load_profiles
from satudata.extract.profiles.steps_pelayanan import (
    JAWABAN,
    pendidikan_dari_kelompok,
    skm_layanan,
    skor_jawaban,
    usia_dari_rentang,
)
from satudata.extract.readers import read_file

FIXTURES = Path(__file__).parents[1] / "fixtures" / "profiles"
SKM = DATASETS["survei_kepuasan"]
U = [f"u{i}" for i in range(1, 10)]


def read(name: str) -> tuple[list, object, FileContext]:
    ctx = FileContext(file_name=name, kode_pemda="18.72", opd="DISDUKCAPIL")
    table = read_file(FIXTURES / name, SKM, ctx)
    rows = list(table.rows)
    table.close()
    return rows, table, ctx


def scores(values: dict) -> list[object]:
    return [values[u] for u in U]


# ---------------------------------------------------------------------------------------------
# the two layouts


def test_letters_p1_p9_with_sarana_before_pengaduan() -> None:
    rows, table, ctx = read("eskm_huruf_p.xls")
    assert table.profile is get("eskm_huruf_p") and table.format == "xls"
    assert (table.sheet, table.header_row) == ("Data Responden", 5)  # not the "Rekap NRR" sheet
    # the app's P8 (sarana) is the standard's u9, its P9 (pengaduan) the standard's u8
    assert (table.columns["u9"].header, table.columns["u8"].header) == ("P8", "P9")
    assert [r.row_number for r in rows] == [6, 7, 8, 9, 10, 11] and not any(r.set_aside for r in rows)
    first = rows[0].values
    # c c b d c c d | b (P8 sarana) c (P9 pengaduan)
    assert scores(first) == ["3", "3", "2", "4", "3", "3", "4", "3", "2"]
    assert first["tanggal"] == datetime(2024, 1, 2) and first["kode_layanan"] == "Pembuatan KTP-el"
    assert (first["jenis_kelamin"], first["usia"], first["pendidikan"]) == ("L", "25", "SMA")
    # capital letters; "< 20 tahun" has no lower bound: its upper bound
    assert scores(rows[2].values) == ["1", "2", "3", "4", "1", "2", "3", "1", "4"] and rows[2].values["usia"] == "19"
    # D4/S1 names two levels: kept as written (counted TIDAK_DIKETAHUI, FMT-004 warning)
    assert rows[1].values["pendidikan"] == "D4/S1"
    # "e" (a five-option app) is left as written: the row checks quarantine it, it is never rescaled
    assert rows[3].values["u4"] == "e" and rows[3].values["pendidikan"] == "S2"
    assert (rows[4].values["usia"], rows[4].values["pendidikan"]) == ("55", "SD")
    assert rows[5].values["usia"] == "dua puluh"  # not an age: quarantined by the loader
    assert [t.row_number for t in table.total_rows] == [12]
    assert any("14-16" in w and "catatan kaki" in w for w in table.warnings)  # signature block
    assert "_nama_layanan" not in first  # helper columns dropped
    assert len(ctx.warnings) == 3 and all("tidak ditemukan di jenis_layanan" in w for w in ctx.warnings)


def test_labels_pertanyaan_1_9_html_saved_as_xls() -> None:
    rows, table, _ = read("eskm_label_pertanyaan.xls")
    assert table.profile is get("eskm_label_pertanyaan") and table.format == "html" and table.header_row == 4
    assert [r.row_number for r in rows] == [5, 6, 7, 8, 9, 10]
    r1, r2, r3, r4, r5, note = (r.values for r in rows)
    # Sesuai, Mudah, Cepat, Gratis, Sesuai, Kompeten, Sopan dan ramah, Dikelola dengan baik, Baik
    assert scores(r1) == ["3", "3", "3", "4", "3", "3", "3", "4", "3"]
    assert (r1["tanggal"], r1["kode_layanan"], r1["usia"], r1["jenis_kelamin"]) == (
        "2024-02-05 09:12:33",
        "Rawat Jalan",
        "27",
        "Laki-laki",
    )
    assert scores(r2) == ["4", "4", "2", "3", "4", "4", "4", "3", "4"]
    assert (r2["usia"], r2["pendidikan"]) == ("41", "SMA")
    assert scores(r3) == ["2", "1", "1", "2", "1", "2", "2", "2", "2"] and r3["pendidikan"] == "D3"
    assert r4["u2"] == "Sangat sesuai"  # persyaratan's label given to prosedur: not an answer to it
    assert r5["u8"] == "Sangat tidak puas"  # a 1-5 scale's label: left for the row checks
    assert rows[5].set_aside.startswith("baris tanpa tanggal dan jawaban") and note["u1"] is None


def test_profiles_are_declared_for_survei_kepuasan_and_recognised_before_the_standard_columns() -> None:
    ids = {p.id for p in load_profiles() if p.dataset == "survei_kepuasan"}
    assert {"eskm_huruf_p", "eskm_label_pertanyaan"} <= ids
    standard = FIXTURES / "eskm_huruf_p_angka.csv"
    with read_file(standard, SKM) as table:  # the same answers in the standard's columns: no profile
        assert table.profile is None and [r.values["u8"] for r in table.rows][:2] == ["3", "4"]


# ---------------------------------------------------------------------------------------------
# the steps


@pytest.mark.parametrize(
    ("unsur", "value", "score"),
    [
        ("u1", "a", "1"),
        ("u1", "D", "4"),
        ("u3", "b.", "2"),
        ("u5", "c)", "3"),
        ("u1", "Tidak sesuai", "1"),
        ("u1", "SANGAT SESUAI", "4"),
        ("u2", "Kurang mudah", "2"),
        ("u3", "Cepat", "3"),
        ("u4", "Sangat mahal", "1"),
        ("u4", "Cukup mahal", "2"),
        ("u4", "Gratis", "4"),
        ("u6", "Sangat Kompeten", "4"),
        ("u7", "Kurang sopan dan ramah", "2"),
        ("u8", "Tidak ada", "1"),
        ("u8", "Ada tetapi tidak berfungsi", "2"),
        ("u8", "Dikelola dengan baik", "4"),
        ("u9", "Buruk", "1"),
        ("u9", "Cukup", "2"),
        ("u9", "Sangat baik", "4"),
        ("u7", "c. Sopan dan ramah", "3"),
        ("u2", "Puas", "3"),
        ("u6", "Tidak Baik", "1"),
    ],
)
def test_letters_and_labels_score_1_to_4(unsur: str, value: str, score: str) -> None:
    assert skor_jawaban(unsur, value) == score


@pytest.mark.parametrize(
    ("unsur", "value"),
    [
        ("u1", "e"),  # a five-option questionnaire
        ("u1", "5"),  # a 1-5 scale: SKM-001 quarantines it
        ("u2", "Sesuai"),  # persyaratan's label for prosedur
        ("u1", "a. Sangat sesuai"),  # letter and label disagree
        ("u9", "Sangat tidak puas"),
        ("u4", "Mahal sekali"),
    ],
)
def test_what_is_not_an_answer_is_left_as_written(unsur: str, value: str) -> None:
    assert skor_jawaban(unsur, value) == value


def test_numbers_and_blanks_pass_through() -> None:
    assert skor_jawaban("u1", 4) == 4 and skor_jawaban("u1", "3") == "3" and skor_jawaban("u1", None) is None


def test_every_unsur_has_four_distinct_answers() -> None:
    assert list(JAWABAN) == U and all(len(set(v)) == 4 for v in JAWABAN.values())


@pytest.mark.parametrize(
    ("value", "age"),
    [
        ("25-34 tahun", "25"),
        ("25 - 34", "25"),
        ("17 s.d 25 th", "17"),
        ("31 tahun", "31"),
        ("40", "40"),
        ("55 tahun ke atas", "55"),
        ("56+", "56"),
        ("> 50", "51"),
        (">= 50", "50"),
        ("≥ 56 tahun", "56"),
        ("< 20 tahun", "19"),
        ("di bawah 20 tahun", "19"),
        ("20 tahun ke bawah", "20"),
        ("dua puluh", "dua puluh"),
        (None, None),
        (27, 27),
    ],
)
def test_age_ranges_become_their_lower_bound(value: object, age: object) -> None:
    assert usia_dari_rentang(value) == age


@pytest.mark.parametrize(
    ("value", "level"),
    [
        ("SD ke bawah", "SD"),
        ("SD/Sederajat", "SD"),
        ("SLTP", "SMP"),
        ("SMP/MTs", "SMP"),
        ("SMA/SMK/Sederajat", "SMA"),
        ("SLTA", "SMA"),
        ("Diploma III", "D3"),
        ("DIII", "D3"),
        ("D-IV", "D4"),
        ("Diploma III/Sarjana Muda", "D3"),
        ("S-1/Sarjana", "S1"),
        ("Sarjana (S1)", "S1"),
        ("S2 ke atas", "S2"),
        ("Doktor (S3)", "S3"),
        # several levels in one bucket, or none: as written
        ("D1-D3", "D1-D3"),
        ("D1/D2/D3", "D1/D2/D3"),
        ("D4/S1", "D4/S1"),
        ("Tidak sekolah", "Tidak sekolah"),
    ],
)
def test_education_buckets_naming_one_level(value: str, level: str) -> None:
    assert pendidikan_dari_kelompok(value) == level


def test_service_name_mapped_through_the_opds_jenis_layanan_when_given() -> None:
    ctx = FileContext(file_name="x.xls", state={"jenis_layanan": {"Pembuatan KTP-el": "DUK-01"}})
    row = {"_nama_layanan": "  pembuatan  KTP el "}
    skm_layanan(row, ctx)
    assert row["kode_layanan"] == "DUK-01" and ctx.warnings == []
    other = {"_nama_layanan": "Legalisir"}
    skm_layanan(other, ctx)
    skm_layanan({"_nama_layanan": "Legalisir"}, ctx)
    assert other["kode_layanan"] == "Legalisir" and len(ctx.warnings) == 1 and "Legalisir" in ctx.warnings[0]
    coded = {"kode_layanan": "DUK-02", "_nama_layanan": "Legalisir"}
    skm_layanan(coded, ctx)
    assert coded["kode_layanan"] == "DUK-02"
