"""The personal-data gate and small-cell suppression of the publisher (satudata/publish/pii.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from satudata.publish.pii import scan, suppress_small_cells

TODAY = date(2026, 1, 15)
PUBLIC = {"person_based": False, "primary_key": ["kode_opd"], "measure": "nilai"}
PERSON = {"person_based": True, "primary_key": ["kode_opd", "predikat"], "measure": "jumlah_pegawai"}


def rules(columns, rows, meta=PUBLIC) -> set[tuple[str, str]]:
    return {(f.rule_id, f.column) for f in scan(columns, rows, meta, today=TODAY)}


@pytest.mark.parametrize("value", ["198609262015051001", "19860926 201505 1 001", "NIP: 199001012020121002 (PPPK)"])
def test_nip_shaped_text_is_found(value):
    assert ("PII-001", "keterangan") in rules([("keterangan", "text")], [[value]])


@pytest.mark.parametrize("value", ["1872014509860002", "NIK 3271046504930004."])
def test_nik_shaped_text_is_found(value):
    assert ("PII-002", "keterangan") in rules([("keterangan", "text")], [[value]])


@pytest.mark.parametrize(
    "value",
    [
        "1.02.0.00.0.00.01.0000",
        "5.1.01.01.01.0001",
        "1.02.02.2.01.0001",
        "2024-01",
        "SP2D/00012/2024",
        "187201450986000",
        "18720145098600021",
        "0.1234567890123456",
        "DINKES-01",
    ],
)
def test_codes_and_other_numbers_are_not_nip_or_nik(value):
    assert rules([("kode", "text")], [[value]]) == set()


def test_numbers_of_nip_or_nik_length():
    # an integer column of that length is an identifier; a numeric amount only if shaped like one
    assert ("PII-001", "x") in rules([("x", "bigint")], [[198609262015051001]])
    assert ("PII-002", "x") in rules([("x", "numeric")], [[Decimal("1872014509860002")]])
    assert rules([("pagu", "numeric")], [[Decimal("1234567898765432.00")]]) == set()  # day 78: not a NIK


@pytest.mark.parametrize(
    "column",
    [
        "nama",
        "nama_pegawai",
        "nama_lengkap",
        "full_name",
        "nama_kepala_opd",
        "employee_name",
        "nama_ibu_kandung",
        "name",
    ],
)
def test_name_columns_are_found(column):
    assert ("PII-003", column) in rules([(column, "text")], [["x"]])


@pytest.mark.parametrize(
    "column",
    [
        "nama_opd",
        "nama_layanan",
        "nama_provinsi",
        "nama_kabupaten_kota",
        "nama_jenis_belanja",
        "nama_jenis_pendapatan",
        "nama_indikator",
        "nama_jabatan",
        "nama_sub_kegiatan",
    ],
)
def test_names_of_things_are_not_names_of_people(column):
    assert rules([(column, "text")], [["RSUD dr. Soeselo"]]) == set()


@pytest.mark.parametrize(
    "value",
    ["Budi Santoso, S.Kom", "Hj. Siti Aminah", "dr. Rina Wulandari, M.Kes", "Andi, A.Md.Kep", "Ir. Joko Widodo"],
)
def test_people_with_titles_are_found_in_any_text_column(value):
    assert ("PII-003", "keterangan") in rules([("keterangan", "text")], [[value]])


def test_birth_dates_by_name_and_by_value():
    assert ("PII-004", "tanggal_lahir") in rules([("tanggal_lahir", "date")], [[date(2024, 1, 1)]])
    old = [[date(1970 + i, 3, 1 + i)] for i in range(6)]
    assert ("PII-004", "tanggal") in rules([("tanggal", "date")], old)
    assert ("PII-004", "tanggal") in rules([("tanggal", "text")], [[d.isoformat()] for (d,) in old])
    recent = [[date(2024, 1 + i, 1)] for i in range(6)]
    assert rules([("tanggal_acuan", "date")], recent) == set()


def test_one_person_rows_and_identifier_columns():
    cols = [("kode_opd", "text"), ("predikat", "text"), ("jumlah_pegawai", "bigint")]
    rows = [["A", "BAIK", 7], ["A", "KURANG", 1]]
    # a count of one person blocks a person-based table, not an aggregate of things
    assert ("PII-005", "jumlah_pegawai") in rules(cols, rows, PERSON)
    assert rules(cols, rows, {**PERSON, "person_based": False}) == set()
    for column in ("email", "alamat", "no_hp", "nik", "npwp"):
        assert ("PII-005", column) in rules([(column, "text")], [[None]])
    # a key that is unique per row and holds identifier-like numbers, in a person-based table
    ids = [["A", f"P{198609260 + i}", 9] for i in range(4)]
    found = rules([("kode_opd", "text"), ("kode_unik", "text"), ("jumlah_pegawai", "bigint")], ids, PERSON)
    assert ("PII-005", "kode_unik") in found


def test_the_published_columns_of_the_standard_pass():
    # Given the columns of every published dataset with ordinary values
    columns = [
        ("kode_provinsi", "text"),
        ("nama_provinsi", "text"),
        ("kode_kabupaten_kota", "text"),
        ("nama_kabupaten_kota", "text"),
        ("kode_opd", "text"),
        ("nama_opd", "text"),
        ("periode", "text"),
        ("bulan", "integer"),
        ("kode_layanan", "text"),
        ("nama_layanan", "text"),
        ("semester", "integer"),
        ("ikm", "numeric"),
        ("mutu", "text"),
        ("kinerja", "text"),
        ("jumlah_responden", "bigint"),
        ("sampel_memenuhi", "boolean"),
        ("nrr_u1", "numeric"),
        ("kode_jenis_belanja", "text"),
        ("pagu", "numeric"),
        ("realisasi_kumulatif", "numeric"),
        ("jenis_penghasilan", "text"),
        ("tanggal_acuan", "date"),
        ("maks_hari_terlambat", "integer"),
        ("predikat", "text"),
        ("program_prioritas", "text"),
        ("satuan", "text"),
        ("tahun", "integer"),
    ]
    rows = [
        [
            "18",
            "LAMPUNG",
            "1872",
            "KOTA METRO",
            f"1.02.0.00.0.00.0{i}.0000",
            "RSUD Jend. Ahmad Yani",
            f"2024-0{i}",
            i,
            "RSUD-01",
            "Rawat Jalan",
            1,
            Decimal("82.31"),
            "B",
            "Baik",
            1,
            True,
            Decimal("3.25"),
            "5.1.02",
            Decimal("2426070000000.00"),
            Decimal("-12500.50"),
            "GAJI",
            date(2024, 12, 31),
            3,
            "BAIK",
            "STUNTING",
            "ORANG",
            2024,
        ]
        for i in range(1, 8)
    ]

    # When they are scanned as an aggregate table, Then nothing is found
    assert scan(columns, rows, {"person_based": False, "measure": "ikm"}, today=TODAY) == []


def test_small_cells_are_suppressed_row_by_row_and_flagged():
    # Given a person-based count table without a suppression flag
    cols = [
        ("kode_opd", "text"),
        ("jumlah_pegawai", "bigint"),
        ("jumlah_perempuan", "bigint"),
        ("persentase", "numeric"),
    ]
    rows = [["A", 12, 7, Decimal("58.3")], ["B", 9, 2, Decimal("22.2")], ["C", 3, 3, Decimal("100")]]

    # When suppressed at 5
    out_cols, out_rows, info = suppress_small_cells(cols, rows, PERSON, 5)

    # Then every count of a row with a small cell is emptied (one cannot be derived from the other)
    assert out_cols[-1] == ("disupresi", "boolean")
    assert out_rows == [
        ["A", 12, 7, Decimal("58.3"), False],
        ["B", None, None, Decimal("22.2"), True],
        ["C", None, None, Decimal("100"), True],
    ]
    assert (info.columns, info.rows_suppressed, info.rows_by_publisher) == (
        ["jumlah_pegawai", "jumlah_perempuan"],
        2,
        2,
    )
    assert info.as_metadata()["ambang"] == 5
    # ... an existing flag set by the model is kept and counted as the model's
    cols2 = [("jumlah_pegawai", "bigint"), ("disupresi", "boolean")]
    _, rows2, info2 = suppress_small_cells(cols2, [[None, True], [8, False]], PERSON, 5)
    assert rows2 == [[None, True], [8, False]] and (info2.rows_suppressed, info2.rows_by_publisher) == (1, 0)
    # ... and aggregates of things, or a threshold of 0, are left alone
    assert suppress_small_cells(cols, rows, PUBLIC, 5)[1] == rows
    assert suppress_small_cells(cols, rows, PERSON, 0)[2].applied is False
