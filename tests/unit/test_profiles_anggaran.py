"""The SIPD budget export profiles (satudata/extract/profiles/sipd_*.yaml, steps_anggaran.py), read from their
fixtures (tests/fixtures/profiles/make_sipd.py): each export comes out in the standard's columns, the rows
that are not lines come out set aside with their reason, and the parent / SP2D totals are checked."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from satudata.datasets import DATASETS
from satudata.extract.parse import parse_number
from satudata.extract.profiles import FileContext
from satudata.extract.profiles.steps_anggaran import (
    SET_ASIDE_KETERANGAN,
    SET_ASIDE_KOMPONEN,
    SET_ASIDE_PAKET,
    SET_ASIDE_SPM,
    SET_ASIDE_SUB_KEGIATAN,
    jenis_of_nomor,
    narrow_rekening,
    versi_of,
)
from satudata.extract.readers import FileRejected, read_file

FIXTURES = Path(__file__).parents[1] / "fixtures" / "profiles"
SUB_A, SUB_B = "1.02.01.2.01.0001", "1.02.01.2.06.0004"


def read(name: str, dataset: str, file_name: str | None = None):
    ctx = FileContext(file_name=file_name or name)
    table = read_file(FIXTURES / name, DATASETS[dataset], ctx)
    rows = list(table.rows)
    return table, rows, ctx


def test_rekap_penetapan_apbd_one_line_per_komponen_versi_from_the_title():
    table, rows, _ = read("sipd_rekap_apbd.xlsx", "anggaran")
    assert table.profile is not None and table.profile.id == "sipd_rekap_apbd"
    assert table.header_row == 3 and [t.label for t in table.total_rows] == ["TOTAL"]
    assert not any(r.set_aside for r in rows)
    first = rows[0].values
    assert first == {
        "tahun": 2025,
        "versi": "MURNI",
        "kode_opd": "1.02.0.00.0.00.01.0000",
        "kode_sub_kegiatan": SUB_A,
        "nama_sub_kegiatan": "Penyusunan Dokumen Perencanaan Perangkat Daerah",
        "kode_rekening": "5.1.02.01.01.0024",
        "uraian_rekening": "Belanja Alat/Bahan untuk Kegiatan Kantor- Alat Tulis Kantor",
        "pagu": 660_000,
        "sumber_dana": "Dana Alokasi Umum",
    }
    # komponen rows of one sub kegiatan x rekening stay separate lines; the standar harga code is not kept
    pagu = Counter()
    for r in rows:
        pagu[(r.values["kode_sub_kegiatan"], r.values["kode_rekening"])] += r.values["pagu"]
    assert pagu == {
        (SUB_A, "5.1.02.01.01.0024"): 760_000,
        (SUB_A, "5.1.02.01.01.0052"): 5_050_000,
        (SUB_A, "5.1.02.02.01.0003"): 2_550_000,
        (SUB_B, "5.1.02.01.01.0026"): 750_000,
        (SUB_B, "5.1.02.01.00026"): 200_000,
    }


def test_dppa_print_loads_the_six_level_rows_setelah_perubahan_and_sets_aside_the_rest():
    table, rows, ctx = read("sipd_rincian_belanja_dppa.xlsx", "anggaran", "DPPA Dinkes 2025.xlsx")
    assert table.profile is not None and table.profile.id == "sipd_rincian_belanja"
    assert table.header_row == 9 and [t.label for t in table.total_rows] == ["JUMLAH TOTAL"]
    lines = [
        (r.row_number, r.values["kode_sub_kegiatan"], r.values["kode_rekening"], r.values["pagu"])
        for r in rows
        if not r.set_aside
    ]
    assert lines == [
        (17, SUB_A, "5.1.02.01.01.0024", "Rp. 760.000"),
        (22, SUB_A, "5.1.02.01.01.0052", "Rp. 5.050.000"),
        (29, SUB_A, "5.1.02.02.01.0003", "Rp. 2.550.000"),
        (39, SUB_B, "5.1.02.01.01.0026", "Rp. 750.000"),
        (42, SUB_B, "5.1.02.01.01.0029", "Rp. (250.000)"),  # negative: quarantined by ANG-002 on load
    ]
    line = next(r.values for r in rows if r.row_number == 22)
    assert (line["tahun"], line["versi"], line["kode_opd"], line["sumber_dana"]) == (
        "2025",
        "PERUBAHAN",
        "1.02.0.00.0.00.01.0000",
        "DAU",
    )
    assert line["nama_sub_kegiatan"] == "Penyusunan Dokumen Perencanaan Perangkat Daerah"
    assert next(r.values["sumber_dana"] for r in rows if r.row_number == 39) == "PAD"
    reasons = Counter(r.set_aside for r in rows if r.set_aside)
    assert reasons == {
        SET_ASIDE_SUB_KEGIATAN: 2,
        "baris judul kelompok (Sumber Pendanaan) / group header row": 2,
        **{
            f"baris rekening induk (level {n}), bukan baris anggaran / parent account row (level {n})": 2
            for n in (1, 2, 3)
        },
        "baris rekening induk (level 4), bukan baris anggaran / parent account row (level 4)": 3,
        "baris rekening induk (level 5), bukan baris anggaran / parent account row (level 5)": 3,
        SET_ASIDE_PAKET: 4,
        SET_ASIDE_KETERANGAN: 2,
        SET_ASIDE_KOMPONEN: 7,
    }
    # the "5" row of sub kegiatan A is printed 10.000 short of 5.1 below it: one warning, naming it;
    # sub kegiatan B, still open at the end of the rows, adds up
    assert len(ctx.warnings) == 1
    assert "rekening 5 (BELANJA DAERAH) sub kegiatan 1.02.01.2.01.0001: nilai 8.350.000" in ctx.warnings[0]
    assert "8.360.000 (selisih -10.000)" in ctx.warnings[0]
    assert len(ctx.warnings) == 1


def test_a_komponen_that_does_not_add_up_to_its_line_is_a_warning_at_the_end(tmp_path):
    # Given the print with the last komponen (toner, sub kegiatan B) changed after the line was printed
    from openpyxl import load_workbook

    wb = load_workbook(FIXTURES / "sipd_rincian_belanja_dppa.xlsx")
    wb.active["L43"] = "Rp. (200.000)"
    path = tmp_path / "DPPA.xlsx"
    wb.save(path)
    ctx = FileContext(file_name=path.name)
    list(read_file(path, DATASETS["anggaran"], ctx).rows)
    # When the rows are exhausted and the blocks still open are checked
    # Then the line is named against its komponen
    assert len(ctx.warnings) == 2
    assert ctx.warnings[1].startswith(
        "baris 42: rekening 5.1.02.01.01.0029 (Belanja Alat/Bahan untuk Kegiatan "
        "Kantor- Bahan Komputer) sub kegiatan 1.02.01.2.06.0004: nilai -250.000 "
        "tidak sama dengan jumlah komponennya -200.000"
    )


def test_a_print_with_program_kegiatan_rows_and_labels_across_two_columns(tmp_path):
    # Given a DPPA print (CSV) whose blocks start with program and kegiatan rows by code, one sub kegiatan
    # as a code | name row and one as "Sub Kegiatan" | ": code - name", and a line with a malformed code
    path = tmp_path / "DPPA 2025.csv"
    path.write_text(
        "RINCIAN BELANJA DPPA TAHUN ANGGARAN 2025\n"
        "Kode Rekening;Uraian;Sebelum Perubahan;Setelah Perubahan\n"
        ";;Jumlah;Jumlah\n"
        "1.02.01;PROGRAM PENUNJANG URUSAN PEMERINTAHAN DAERAH;;\n"
        "1.02.01.2.01;Perencanaan, Penganggaran, dan Evaluasi Kinerja;;\n"
        "1.02.01.2.01.0001;Penyusunan Dokumen Perencanaan Perangkat Daerah;;\n"
        "Sumber Dana;: DAU;;\n"
        "5.1.02.01.01;Belanja Barang Pakai Habis;Rp. 100.000;Rp. 150.000\n"
        "5.1.02.01.01.0024;Alat Tulis Kantor;Rp. 100.000;Rp. 150.000\n"
        "Sub Kegiatan;: 1.02.01.2.06.0004 - Penyediaan Bahan Logistik Kantor;;\n"
        "5.1.02.01.01.26;Bahan Cetak;Rp. 0;Rp. 50.000\n",
        encoding="utf-8",
    )
    ctx = FileContext(file_name=path.name)
    rows = list(read_file(path, DATASETS["anggaran"], ctx).rows)
    # Then the six-level line and the malformed one (left for the row checks) carry their sub kegiatan
    got = [
        (r.row_number, r.set_aside or "line", r.values.get("kode_sub_kegiatan"), r.values.get("sumber_dana"))
        for r in rows
    ]
    assert got == [
        (4, "baris program / kegiatan (induk sub kegiatan) / program or kegiatan row", None, None),
        (5, "baris program / kegiatan (induk sub kegiatan) / program or kegiatan row", None, None),
        (6, SET_ASIDE_SUB_KEGIATAN, None, None),
        (7, "baris judul kelompok (Sumber Dana) / group header row", None, None),
        (8, "baris rekening induk (level 5), bukan baris anggaran / parent account row (level 5)", SUB_A, "DAU"),
        (9, "line", SUB_A, "DAU"),
        (10, SET_ASIDE_SUB_KEGIATAN, None, None),
        (11, "line", SUB_B, None),
    ]
    assert rows[5].values["nama_sub_kegiatan"] == "Penyusunan Dokumen Perencanaan Perangkat Daerah"
    assert rows[7].values["nama_sub_kegiatan"] == "Penyediaan Bahan Logistik Kantor"
    assert rows[7].values["versi"] == "PERUBAHAN" and rows[7].values["tahun"] == "2025"
    assert ctx.warnings == []


def test_register_sp2d_lines_take_their_sp2d_and_an_unpaid_spm_is_set_aside():
    table, rows, ctx = read("sipd_register_sp2d.xlsx", "realisasi_belanja")
    assert table.profile is not None and table.profile.id == "sipd_register_sp2d"
    assert [t.label for t in table.total_rows] == ["JUMLAH"]
    lines = [
        (
            r.row_number,
            r.values["nomor_sp2d"].split("/")[2],
            r.values["jenis_sp2d"],
            r.values["kode_rekening"],
            r.values["nilai"],
            r.values["tahun"],
        )
        for r in rows
        if not r.set_aside
    ]
    assert lines == [
        (8, "000002", "LS", "5.1.01.01.01.0001", 98_000_000, "2025"),  # "LS Gaji" in the column
        (9, "000002", "LS", "5.1.01.01.02.0001", 9_800_000, "2025"),
        (10, "000002", "LS", "5.1.01.01.06.0001", 7_600_000, "2025"),
        (11, "000003", "TU", "5.1.02.01.01.0052", 5_000_000, "2025"),
        (12, "000003", "TU", "5.1.02.02.01.0003", 2_500_000, "2025"),
        (13, "000004", "GU", "5.1.02.01.01.0026", 750_000, "2025"),  # jenis from the number: the column is blank
        (14, "000004", "GU", "5.1.02.01.01.0024", 660_000, "2025"),
        (15, "000005", "LS", "5.1.02.02.01.0003", 850_000, "2025"),  # dated 2024: BEL-004 on load
    ]
    assert next(r.values for r in rows if r.row_number == 9)["tanggal_sp2d"] == datetime(2025, 1, 28)
    set_aside = [(r.row_number, r.set_aside) for r in rows if r.set_aside]
    assert set_aside == [
        (
            7,
            "SP2D UP tanpa sub kegiatan dan rekening: uang muka ke bendahara, bukan baris belanja / UP SP2D "
            "without sub kegiatan and rekening: an advance, not a spending line",
        ),
        (16, SET_ASIDE_SPM),
        (17, SET_ASIDE_SPM),
    ]
    # Nilai SP2D of the LS gaji is 100.000 above its three lines
    assert len(ctx.warnings) == 1 and "Nilai SP2D 18.72/04.0/000002/LS/" in ctx.warnings[0]
    assert "115.500.000 tidak sama dengan jumlah rinciannya 115.400.000 (selisih 100.000)" in ctx.warnings[0]
    assert len(ctx.warnings) == 1


def test_register_as_csv_with_blank_continuation_rows(tmp_path):
    # Given the register saved as CSV: the SP2D's cells only on its first line, an unpaid SPM with two lines
    path = tmp_path / "register sp2d 2025.csv"
    path.write_text(
        "REGISTER SP2D TAHUN ANGGARAN 2025\n"
        "Nomor SPM;Nomor SP2D;Tanggal SP2D;Jenis SP2D;Nilai SP2D;Kode Sub Kegiatan;Kode Rekening;Jumlah\n"
        "SPM-1/LS/2025;SP2D-1/LS/2025;05/02/2025;LS Barang dan Jasa;1.500.000;1.02.01.2.01.0001;"
        "5.1.02.01.001.00024;1.000.000\n"
        ";;;;;1.02.01.2.01.0001;5.1.02.01.001.00026;500.000\n"
        "SPM-2/GU/2025;;;;;1.02.01.2.01.0001;5.1.02.01.001.00024;300.000\n"
        ";;;;;1.02.01.2.01.0001;5.1.02.01.001.00052;200.000\n"
        "SPM-3/GU/2025;SP2D-3/GU/2025;07/02/2025;;400.000;1.02.01.2.01.0001;5.1.02.01.001.00052;400.000\n",
        encoding="utf-8",
    )
    ctx = FileContext(file_name=path.name)
    rows = list(read_file(path, DATASETS["realisasi_belanja"], ctx).rows)
    got = [
        (
            r.row_number,
            r.set_aside or r.values["nomor_sp2d"],
            r.values.get("jenis_sp2d"),
            r.values["kode_rekening"],
            r.values.get("tanggal_sp2d"),
        )
        for r in rows
    ]
    # Then continuation lines take their SP2D, and the unpaid SPM's lines stay set aside
    assert got == [
        (3, "SP2D-1/LS/2025", "LS", "5.1.02.01.01.0024", "05/02/2025"),
        (4, "SP2D-1/LS/2025", "LS", "5.1.02.01.01.0026", "05/02/2025"),
        (5, SET_ASIDE_SPM, "", "5.1.02.01.01.0024", ""),
        (6, SET_ASIDE_SPM, "", "5.1.02.01.01.0052", ""),
        (7, "SP2D-3/GU/2025", "GU", "5.1.02.01.01.0052", "07/02/2025"),
    ]
    assert ctx.warnings == []


def test_realisasi_csv_tahun_from_the_date_jenis_from_the_number():
    table, rows, _ = read("sipd_realisasi.csv", "realisasi_belanja")
    assert table.profile is not None and table.profile.id == "sipd_realisasi"
    assert (table.encoding, table.delimiter) == ("utf-8-sig", ";")
    got = [(r.values.get("tahun"), r.values["jenis_sp2d"], r.values["tanggal_sp2d"], r.values["nilai"]) for r in rows]
    assert got == [
        ("2025", "LS", "28/01/2025", "98.000.000"),
        ("2025", "LS", "28/01/2025", "9.800.000"),
        ("2025", "TU", "11/02/2025", "5.000.000"),
        ("2025", "GU", "04/03/2025", "750.000,00"),
        (None, "LS", "31/02/2025", "660.000"),  # no such date: no tahun either (FMT-001 / FMT-002 on load)
    ]


@pytest.mark.parametrize(
    ("texts", "versi"),
    [
        (["REKAP PENETAPAN APBD KOTA METRO TAHUN ANGGARAN 2025"], "MURNI"),
        (["Rekap Penetapan Perubahan APBD 2025"], "PERUBAHAN"),
        (["DOKUMEN PELAKSANAAN ANGGARAN", "DPA-SKPD"], "MURNI"),
        (["SATUAN KERJA PERANGKAT DAERAH (DPPA-SKPD)"], "PERUBAHAN"),
        (["Rincian Belanja", "APBD-P 2025"], "PERUBAHAN"),
        (["Pergeseran ke-2 APBD 2025"], "PERGESERAN_2"),
        (["Rincian Belanja 2025"], None),
    ],
)
def test_versi_from_titles_and_names(texts, versi):
    assert versi_of(texts) == versi


def test_a_rekap_that_names_no_tahapan_is_refused_a_dppa_print_is_perubahan_by_its_columns(tmp_path):
    from openpyxl import load_workbook

    wb = load_workbook(FIXTURES / "sipd_rekap_apbd.xlsx")
    wb.active["A1"] = "REKAP KOTA METRO TAHUN 2025"
    path = tmp_path / "rekap 2025.xlsx"
    wb.save(path)
    table = read_file(path, DATASETS["anggaran"], FileContext(file_name=path.name))
    with pytest.raises(FileRejected, match="tahapan anggaran"):
        list(table.rows)

    wb = load_workbook(FIXTURES / "sipd_rincian_belanja_dppa.xlsx")
    for cell in ("A1", "A2"):
        wb.active[cell] = "RINCIAN BELANJA"
    path = tmp_path / "rincian 2025.xlsx"
    wb.save(path)
    rows = list(read_file(path, DATASETS["anggaran"], FileContext(file_name=path.name)).rows)
    assert {r.values["versi"] for r in rows} == {"PERUBAHAN"}


@pytest.mark.parametrize(
    ("nomor", "jenis"),
    [
        ("18.72/04.0/000002/LS/1.02.0.00.0.00.01.0000/01/2025", "LS"),
        ("0001/gu/2024", "GU"),
        ("18.72/04.0/000009/TU", "TU"),
        ("SP2D-UP-001", None),
        (None, None),
    ],
)
def test_jenis_of_an_sp2d_number(nomor, jenis):
    assert jenis_of_nomor(nomor) == jenis


@pytest.mark.parametrize(
    ("text", "hint", "number"),
    [
        ("Rp. (1.234)", None, -1234),
        ("Rp. (250.000)", ",", -250_000),
        ("Rp (1.234.567,50)", None, Decimal("-1234567.50")),
        ("(Rp. 1.234)", None, -1234),
    ],
)
def test_negative_rupiah_as_sipd_prints_it(text, hint, number):
    assert parse_number(text, hint) == number


@pytest.mark.parametrize(
    ("code", "chart"),
    [
        ("5.1.02.01.001.00024", "5.1.02.01.01.0024"),  # SIPD-RI widths
        ("5.1.02.01.001", "5.1.02.01.01"),
        ("5.1.02.01.01.0024", "5.1.02.01.01.0024"),  # already the chart's
        ("5.1.02.01.101.00024", "5.1.02.01.101.00024"),  # numbers that do not fit: left for REK-001
        ("5.1.02.01.001.10024", "5.1.02.01.001.10024"),
        ("5.1.02.01.00026", "5.1.02.01.00026"),
        ("5.1", "5.1"),
    ],
)
def test_kode_rekening_as_sipd_ri_writes_it(code, chart):
    assert narrow_rekening(code) == chart
