"""The export-profile engine (satudata/extract/profiles): declared layouts, recognition, steps, rows set aside.

Given a profile declared as data, when a file in that layout is read, then its rows come out in the
standard's columns, and rows that are not lines come out set aside with their reason.
"""

from __future__ import annotations

import textwrap

import pytest

from satudata.datasets import DATASETS
from satudata.extract import profiles
from satudata.extract.profiles import FileContext, find_in_texts, load_profiles, parse_profile
from satudata.extract.readers import read_file

PROFILE = textwrap.dedent("""
    id: uji_register
    nama: Register Uji
    dataset: realisasi_belanja
    sumber: a layout made up for this test
    signature: ["No. SP2D", "Kode Rekening", "Nilai SP2D"]
    columns:
      nomor_sp2d: ["No. SP2D"]
      tanggal_sp2d: ["Tgl SP2D"]
      kode_sub_kegiatan: ["Kode Sub Kegiatan"]
      kode_rekening: ["Kode Rekening"]
      nilai: ["Jumlah"]
    extra:
      _uraian: ["Uraian"]
      _nilai_sp2d: ["Nilai SP2D"]
    required: [nomor_sp2d, kode_rekening, nilai]
    steps:
      - fill_down: [nomor_sp2d, tanggal_sp2d, kode_sub_kegiatan]
      - set_aside_if_match: {column: _uraian, pattern: '^\\[#\\]', reason: "baris paket [#] / package row"}
      - year_of_date: {column: tahun, source: tanggal_sp2d}
      - constant: {jenis_sp2d: LS}
      - uji_jumlah_per_sp2d
""")


@profiles.step("uji_jumlah_per_sp2d")
def uji_jumlah_per_sp2d(row, ctx):
    """Test step: counts the lines of each SP2D and warns, at the end, naming the row of the last line."""
    ctx.state.setdefault("lines", {}).setdefault(row.get("nomor_sp2d"), []).append(ctx.row_number)
    ctx.once_at_end(_report_lines)
    return None


def _report_lines(ctx):
    for nomor, rows in ctx.state["lines"].items():
        ctx.warnings.append(f"SP2D {nomor}: {len(rows)} baris, terakhir baris {rows[-1]}")


@pytest.fixture
def uji_profile(tmp_path, monkeypatch):
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "uji_register.yaml").write_text(PROFILE, encoding="utf-8")
    found = load_profiles(folder)
    monkeypatch.setattr(profiles, "load_profiles", lambda folder=None: found)
    return found[0]


def test_a_profile_is_checked_when_declared():
    with pytest.raises(ValueError, match="not a column of realisasi_belanja"):
        parse_profile(
            {"id": "x", "nama": "x", "dataset": "realisasi_belanja", "signature": ["a"], "columns": {"pagu": ["Pagu"]}}
        )
    with pytest.raises(ValueError, match="must start with '_'"):
        parse_profile(
            {
                "id": "x",
                "nama": "x",
                "dataset": "realisasi_belanja",
                "signature": ["a"],
                "columns": {},
                "extra": {"uraian": ["Uraian"]},
            }
        )
    with pytest.raises(ValueError, match="unknown dataset"):
        parse_profile({"id": "x", "nama": "x", "dataset": "nope", "signature": ["a"], "columns": {}})


def test_every_shipped_profile_loads_and_names_real_columns():
    for p in load_profiles():
        assert p.dataset in DATASETS
        assert p.signature, p.id
        assert set(p.columns) <= set(DATASETS[p.dataset].column_names)


def test_recognised_from_the_header_and_rows_turned_into_the_standard(uji_profile, tmp_path):
    f = tmp_path / "register.csv"
    f.write_text(
        "REGISTER SP2D TAHUN ANGGARAN 2024\n"
        "No. SP2D;Tgl SP2D;Kode Sub Kegiatan;Kode Rekening;Uraian;Jumlah;Nilai SP2D\n"
        "1;2;3;4;5;6;7\n"
        "0001/LS/2024;05/02/2024;1.02.02.2.01.0001;5.1.02.01.01.0024;ATK;1.000.000;1.500.000\n"
        ";;;5.1.02.01.01.0026;Kertas;500.000;\n"
        ";;;;[#] Paket belanja ATK;1.500.000;\n"
        "JUMLAH;;;;;1.500.000;\n",
        encoding="utf-8",
    )
    ctx = FileContext(file_name="Register SP2D Februari 2024.csv")
    with read_file(f, DATASETS["realisasi_belanja"], ctx) as table:
        rows = list(table.rows)
    assert table.profile is uji_profile
    assert table.title_lines == ["REGISTER SP2D TAHUN ANGGARAN 2024"]
    lines = [r for r in rows if not r.set_aside]
    assert [r.values["nomor_sp2d"] for r in lines] == ["0001/LS/2024", "0001/LS/2024"]
    assert lines[1].values["kode_sub_kegiatan"] == "1.02.02.2.01.0001"
    assert lines[1].values["tahun"] == "2024" and lines[1].values["jenis_sp2d"] == "LS"
    assert "_uraian" not in lines[0].values and "_nilai_sp2d" not in lines[0].values
    aside = [r for r in rows if r.set_aside]
    assert [(r.row_number, r.set_aside) for r in aside] == [(6, "baris paket [#] / package row")]
    assert [t.label for t in table.total_rows] == ["JUMLAH"]
    # a step sees the row number, and what it registered runs once after the last row
    assert ctx.warnings == ["SP2D 0001/LS/2024: 2 baris, terakhir baris 5"]


def test_a_file_in_the_standard_columns_is_read_without_a_profile(uji_profile, tmp_path):
    f = tmp_path / "sp2d.csv"
    f.write_text(
        "tahun,nomor_sp2d,tanggal_sp2d,kode_sub_kegiatan,kode_rekening,nilai\n"
        "2024,1/LS/2024,2024-02-05,1.02.02.2.01.0001,5.1.02.01.01.0024,100\n",
        encoding="utf-8",
    )
    with read_file(f, DATASETS["realisasi_belanja"]) as table:
        rows = list(table.rows)
    assert table.profile is None and len(rows) == 1 and rows[0].set_aside is None


def test_a_missing_required_column_names_the_profile(uji_profile, tmp_path):
    f = tmp_path / "register.csv"
    f.write_text("No. SP2D;Kode Rekening;Nilai SP2D;Uraian\n1/LS;5.1.02.01.01.0024;10;x\n", encoding="utf-8")
    from satudata.extract.readers import FileRejected

    with pytest.raises(FileRejected, match="Register Uji") as e:
        read_file(f, DATASETS["realisasi_belanja"])
    assert "nilai" in e.value.reason


@pytest.mark.parametrize(
    ("texts", "fmt", "expected"),
    [
        (["DAFTAR NOMINATIF PEGAWAI KEADAAN 31 DESEMBER 2024"], "periode", "2024-12"),
        (["Rekap Pegawai Bulan Juni 2025"], "periode", "2025-06"),
        (["Data ASN 2024-03"], "periode", "2024-03"),
        (["LRA 2023"], "tahun", "2023"),
        (["Keadaan per 30/09/2024"], "date", "2024-09-30"),
        (["tanpa tanggal"], "periode", None),
    ],
)
def test_dates_in_titles_and_file_names(texts, fmt, expected):
    assert find_in_texts(texts, fmt) == expected


def test_steps_are_registered_once():
    with pytest.raises(ValueError, match="registered twice"):
        profiles.step("fill_down")(lambda row, ctx: None)


def test_title_lines_count_a_merged_title_once_and_leave_out_a_two_row_header(uji_profile, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["REGISTER SP2D 2024"] * 4)  # what a title merged over A1:D1 reads as once merges are filled
    ws.append(["Dinas Kesehatan", None, None, None])
    ws.append(["SP2D", None, "Rekening", None])
    ws.append(["No. SP2D", "Tgl SP2D", "Kode Rekening", "Jumlah", "Nilai SP2D", "Kode Sub Kegiatan"])
    ws.append(["1/LS/2024", "2024-02-05", "5.1.02.01.01.0024", 10, 10, "1.02.02.2.01.0001"])
    path = tmp_path / "r.xlsx"
    wb.save(path)
    with read_file(path, DATASETS["realisasi_belanja"]) as table:
        assert table.title_lines[:2] == ["REGISTER SP2D 2024", "Dinas Kesehatan"]
