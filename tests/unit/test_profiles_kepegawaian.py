"""The staff-export profiles (siasn_data_asn, simpeg_rekap) on their fixtures, read as the loader reads them.

Given a SIASN "Data ASN" download and a SIMPEG-daerah nominatif (tests/fixtures/profiles, synthetic
people), when they are read for the pegawai dataset of DINKES in Kota Metro, then each is recognised,
every person row comes out in the standard's codes (through the seed kode_sinonim), people no longer in
service and the signature block come out set aside with their reason, and the periode comes from the
file name or the title's snapshot date.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from satudata.datasets import DATASETS
from satudata.extract.profiles import FileContext, get
from satudata.extract.profiles.steps_kepegawaian import (
    SET_ASIDE_SIGNATURE,
    set_aside_tanda_tangan,
    status_siasn,
)
from satudata.extract.readers import FileRejected, read_file

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "profiles"
DINKES = "1.02.0.00.0.00.01.0000"
DISDIK = "1.01.0.00.0.00.01.0000"


def read(name: str, file_name: str) -> tuple[object, list, FileContext]:
    ctx = FileContext(file_name=file_name, kode_pemda="18.72", opd="DINKES")
    with read_file(FIXTURES / name, DATASETS["pegawai"], ctx) as table:
        rows = list(table.rows)
    return table, rows, ctx


def test_siasn_download_read_in_the_standard_codes():
    table, rows, ctx = read("siasn_data_asn.csv", "Data ASN per 29 Februari 2024.csv")
    assert table.profile is get("siasn_data_asn") and table.delimiter == "|"
    lines = {r.row_number: r.values for r in rows if not r.set_aside}
    # M / P / Jabatan Fungsional Tertentu / S-1/Sarjana, the OPD from UNOR, the month from the file name
    assert lines[2] == {
        "nip": "198503122010011003",
        "nama": "ANDI SAPUTRA",
        "jenis_kelamin": "L",
        "tanggal_lahir": "12-03-1985",
        "status_kepegawaian": "PNS",
        "golongan": "III/b",
        "jenis_jabatan": "FUNGSIONAL",
        "nama_jabatan": "Dokter Ahli Pertama",
        "pendidikan": "S1",
        "kode_opd": DINKES,
        "periode": "2024-02",
    }
    # F, Jabatan Struktural, S-2; a bidang not in the reference: the folder's OPD (kode_opd left blank)
    assert (lines[3]["jenis_kelamin"], lines[3]["jenis_jabatan"], lines[3]["pendidikan"], lines[3].get("kode_opd")) == (
        "P",
        "STRUKTURAL",
        "S2",
        None,
    )
    # C -> CPNS, Jabatan Fungsional Umum -> PELAKSANA, Diploma III/Sarjana Muda -> D3
    assert (lines[4]["status_kepegawaian"], lines[4]["jenis_jabatan"], lines[4]["pendidikan"]) == (
        "CPNS",
        "PELAKSANA",
        "D3",
    )
    # a PPPK: STATUS CPNS PNS blank, KEDUDUKAN HUKUM "PPPK Aktif"
    assert (lines[5]["status_kepegawaian"], lines[5]["golongan"]) == ("PPPK", "IX")
    # Tugas Belajar is still in service; a person of Dinas Pendidikan gets DISDIK's code (REF-001 later)
    assert lines[7]["status_kepegawaian"] == "PNS" and lines[10]["kode_opd"] == DISDIK
    # genuine errors are left as written for the row rules: a 17-digit NIP, F against a male NIP
    assert lines[8]["nip"] == "19870611201101100" and lines[9]["jenis_kelamin"] == "P"
    aside = [(r.row_number, r.set_aside) for r in rows if r.set_aside]
    assert aside == [
        (6, "bukan pegawai aktif (kedudukan hukum: Pensiun) / no longer in service (kedudukan hukum: Pensiun)")
    ]
    assert len(rows) == 9
    # identity columns of the download are never read into the row
    assert all(set(r.values) <= set(DATASETS["pegawai"].column_names) for r in rows)
    assert any("NIK" in w and "NOMOR HP" in w for w in table.warnings)
    # units the reference does not know are one file-level warning, listing them
    assert len(ctx.warnings) == 1 and "Bidang Pelayanan Kesehatan, Puskesmas Yosomulyo" in ctx.warnings[0]


def test_siasn_download_without_a_month_in_its_name_is_refused_with_what_to_do():
    with pytest.raises(FileRejected, match="periode tidak ditemukan") as e:
        read("siasn_data_asn.csv", "data_asn.csv")
    assert "Data ASN Maret 2024" in e.value.reason


def test_simpeg_rekap_read_past_titles_two_row_header_numbering_and_signature():
    table, rows, ctx = read("simpeg_rekap.xlsx", "nominatif dinkes.xlsx")
    assert table.profile is get("simpeg_rekap")
    assert table.sheet == "Nominatif"  # the aggregates sheet is not data
    assert table.title_lines[3] == "KEADAAN 31 MARET 2024"
    assert any("dua baris" in w for w in table.warnings) and any("nomor kolom" in w for w in table.warnings)
    lines = {r.row_number: r.values for r in rows if not r.set_aside}
    assert lines[9] == {
        "nama": "Rina Marlina, S.KM., M.Kes",
        "nip": "19790115 200312 2 002",
        "jenis_kelamin": "P",
        "tanggal_lahir": datetime(1979, 1, 15),
        "status_kepegawaian": "PNS",
        "golongan": "IV/a",
        "nama_jabatan": "Kepala Bidang Kesehatan Masyarakat",
        "jenis_jabatan": "STRUKTURAL",
        "eselon": "III.b",
        "pendidikan": "S2",
        "kode_opd": DINKES,
        "periode": "2024-03",
    }
    # M -> L, "Penata Muda (III/a)" -> III/a, S-1/Sarjana -> S1
    assert (lines[10]["jenis_kelamin"], lines[10]["golongan"], lines[10]["pendidikan"]) == ("L", "III/a", "S1")
    # P3K -> PPPK, F -> P, Diploma IV -> D4; II-c -> II/c
    assert (lines[11]["status_kepegawaian"], lines[11]["jenis_kelamin"], lines[11]["pendidikan"]) == ("PPPK", "P", "D4")
    assert lines[12]["golongan"] == "II/c" and lines[12]["status_kepegawaian"] == "CPNS"
    # non-ASN kept with their kind: THL, Tenaga Kontrak
    assert (lines[13]["status_kepegawaian"], lines[13]["jenis_non_asn"], lines[13]["pendidikan"]) == (
        "NON_ASN",
        "THL",
        "SMA",
    )
    assert (lines[14]["status_kepegawaian"], lines[14]["jenis_non_asn"], lines[14]["jenis_jabatan"]) == (
        "NON_ASN",
        "KONTRAK",
        "PELAKSANA",
    )
    # genuine errors left for the rules: a letter in a NIP, V/a
    assert lines[15]["nip"] == "1988O707 201201 1 001" and lines[17]["golongan"] == "V/a"
    assert sorted(lines) == list(range(9, 18))
    aside = [(r.row_number, r.set_aside) for r in rows if r.set_aside]
    assert aside == [(n, SET_ASIDE_SIGNATURE) for n in (19, 20, 21, 24, 25, 26)]
    assert "Puskesmas Metro" in ctx.warnings[0]


def test_a_signature_block_in_the_name_column_is_set_aside_but_a_person_never_is():
    ctx = FileContext(file_name="x.xlsx")
    for text in (
        "Mengetahui,",
        "Kepala Dinas Kesehatan",
        "Metro, 1 April 2024",
        "NIP. 19700101 199503 1 001",
        "Pembina Utama Muda",
    ):
        assert set_aside_tanda_tangan({"_no": None, "nama": text, "nip": None}, ctx) == SET_ASIDE_SIGNATURE
    # a non-ASN without NIP but with a number, or with several cells, is a line
    assert set_aside_tanda_tangan({"_no": 5, "nama": "Joko", "nip": None}, ctx) is None
    assert (
        set_aside_tanda_tangan(
            {
                "_no": None,
                "nama": "Joko Susilo",
                "nip": None,
                "jenis_kelamin": "L",
                "status_kepegawaian": "THL",
                "nama_jabatan": "Pengemudi",
            },
            ctx,
        )
        is None
    )
    assert set_aside_tanda_tangan({"_no": None, "nama": "Kepala Dinas", "nip": "197001011995031001"}, ctx) is None


def test_siasn_status_from_kedudukan_hukum_only_when_the_column_says_nothing_known():
    ctx = FileContext(file_name="x.csv")
    row = {"status_kepegawaian": "", "_kedudukan_hukum": "PPPK Aktif"}
    status_siasn(row, ctx)
    assert row["status_kepegawaian"] == "PPPK"
    row = {"status_kepegawaian": "C", "_kedudukan_hukum": "PPPK Aktif"}
    status_siasn(row, ctx)
    assert row["status_kepegawaian"] == "C"
    row = {"status_kepegawaian": None, "_kedudukan_hukum": "Aktif"}
    status_siasn(row, ctx)
    assert row["status_kepegawaian"] is None  # quarantined later: no status


def test_sapk_xlsx_with_underscore_headers_is_the_same_layout(tmp_path):
    # Given the older SAPK xlsx of the same download: NO first, underscores, TGL_LHR, GOL_NAMA
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(
        [
            "NO",
            "PNS_ID",
            "NIP_BARU",
            "NAMA",
            "TGL_LHR",
            "JENIS_KELAMIN",
            "KEDUDUKAN_HUKUM_ID",
            "KEDUDUKAN_HUKUM_NAMA",
            "STATUS_CPNS_PNS",
            "GOL_NAMA",
            "JENIS_JABATAN_NAMA",
            "JABATAN_NAMA",
            "TINGKAT_PENDIDIKAN_NAMA",
            "UNOR_NAMA",
        ]
    )
    ws.append(
        [
            1,
            "A1",
            "198503122010011003",
            "ANDI",
            "12-03-1985",
            "M",
            "01",
            "Aktif",
            "P",
            "Penata (III/c)",
            "Jabatan Fungsional Umum",
            "Pengadministrasi",
            "SLTA Kejuruan",
            "DINKES",
        ]
    )
    ws.append(
        [
            2,
            "A2",
            "196403101990031002",
            "BAMBANG",
            "10-03-1964",
            "M",
            "88",
            "Pemberhentian dengan Hak Pensiun",
            "P",
            "IV/b",
            "Jabatan Struktural",
            "Kepala Seksi",
            "S-2",
            "DINKES",
        ]
    )
    path = tmp_path / "sapk.xlsx"
    wb.save(path)
    ctx = FileContext(file_name="Data SAPK Januari 2024.xlsx", kode_pemda="18.72", opd="DINKES")
    # When it is read
    with read_file(path, DATASETS["pegawai"], ctx) as table:
        rows = list(table.rows)
    # Then it is the SIASN layout: codes, the OPD by singkatan, the month from the file name
    assert table.profile is get("siasn_data_asn")
    assert rows[0].values == {
        "nip": "198503122010011003",
        "nama": "ANDI",
        "jenis_kelamin": "L",
        "tanggal_lahir": "12-03-1985",
        "status_kepegawaian": "PNS",
        "golongan": "III/c",
        "jenis_jabatan": "PELAKSANA",
        "nama_jabatan": "Pengadministrasi",
        "pendidikan": "SMA",
        "kode_opd": DINKES,
        "periode": "2024-01",
    }
    assert rows[1].set_aside.startswith("bukan pegawai aktif (kedudukan hukum: Pemberhentian dengan Hak Pensiun)")
