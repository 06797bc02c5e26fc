"""Reading .xls (BIFF, with xlrd) and HTML tables saved as .xls (satudata.extract.readers):
parsed values, merges, and the refusals that keep them as safe as xlsx.

The .xls files are written at test time by tests/fixtures/biff.py (the project keeps no .xls writer).
"""

from __future__ import annotations

import codecs
import struct
import sys
import tracemalloc
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from satudata.datasets import DATASETS
from satudata.extract import FileRejected, Table, parse_date, parse_integer, read_file
from satudata.extract.readers import HTML_MAX_COLSPAN, MAX_CELL_CHARS

sys.path.insert(0, str(Path(__file__).parents[1] / "fixtures"))
from biff import compound_file, workbook, write_xls  # noqa: E402

SKM = DATASETS["survei_kepuasan"]
UNSUR = [f"U{i}" for i in range(1, 10)]


def rows_of(table: Table) -> list[tuple[int, dict[str, object]]]:
    return [(r.row_number, r.values) for r in table.rows]


def rejected(path: Path) -> FileRejected:
    with pytest.raises(FileRejected) as info:
        read_file(path, SKM)
    assert path.name in info.value.reason and " / " in info.value.reason
    return info.value


# ---------------------------------------------------------------------------------------------
# BIFF


def test_xls_two_row_merged_header_dates_and_hidden_sheet(tmp_path: Path) -> None:
    rows = [
        ["LAPORAN SURVEI KEPUASAN MASYARAKAT"],
        ["No", "Tanggal", "Kode Layanan", "Unsur", *[None] * 8, "Usia"],
        [None, None, None, *UNSUR, None],
        [1, date(2024, 1, 5), "L01", 4, 3, 3, 4, 4, 3, 3, 4, 4, 25],
        [2, None, "L02", 2, 3, 3, 4, 1, 3, 3, 4, 4, 31.0],  # tanggal merged down from the row above
        [3, "07/02/2024", "L01", 4, 4, 4, 4, 4, 4, 4, 4, 4, "40"],
        ["JUMLAH", None, None, 10, 10],
        ["Kepala Dinas"],
    ]
    merges = [(0, 0, 0, 12), (1, 2, 0, 0), (1, 2, 1, 1), (1, 2, 2, 2), (1, 1, 3, 11), (1, 2, 12, 12), (3, 4, 1, 1)]
    path = tmp_path / "skm.xls"
    hidden = ("Petunjuk", [["isi kolom U1-U9"], ["Tanggal", "U1", "U2"]], [], True)
    write_xls(path, [hidden, ("Data", rows, merges, False)])
    with read_file(path, SKM) as table:
        assert (table.format, table.sheet, table.header_row) == ("xls", "Data", 3)
        assert table.columns["u9"].letter == "L" and table.columns["usia"].header == "Usia"
        got = rows_of(table)
        assert [n for n, _ in got] == [4, 5, 6]
        first, second, third = (v for _, v in got)
        assert first["tanggal"] == datetime(2024, 1, 5) and first["kode_layanan"] == "L01"
        assert [first[f"u{i}"] for i in range(1, 10)] == [4, 3, 3, 4, 4, 3, 3, 4, 4]
        assert type(first["u1"]) is int and first["usia"] == 25  # integral numbers come as int
        assert second["tanggal"] == datetime(2024, 1, 5)  # a merge down the column fills the row
        assert second["u5"] == 1 and second["usia"] == 31
        assert parse_date(third["tanggal"]) == date(2024, 2, 7) and parse_integer(third["usia"]) == 40
        assert [t.label for t in table.total_rows] == ["JUMLAH"]
        assert any("sheet 'Data' dipakai" in w for w in table.warnings)


def test_xls_corrupt_biff_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rusak.xls"
    path.write_bytes(compound_file(b"\x09\x08\x10\x00" + b"\xff" * 5000))  # a BOF cut short, then garbage
    err = rejected(path)
    assert err.code == "corrupt_xls" and "yang valid atau rusak" in err.reason


def test_ole_file_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "surat.xls"
    path.write_bytes(compound_file(b"\0" * 4096, name="WordDocument"))
    err = rejected(path)
    assert err.code == "corrupt_xls" and "bukan buku kerja Excel" in err.reason


def test_encrypted_biff_is_refused(tmp_path: Path) -> None:
    stream = workbook([("Data", [["Tanggal", "U1"]], [], False)])
    # FILEPASS (RC4) right after the globals BOF, as Excel writes a password-protected .xls
    filepass = struct.pack("<HH", 0x002F, 54) + struct.pack("<HHH", 1, 1, 1) + b"\x11" * 48
    bof_len = 4 + 16
    path = tmp_path / "sandi.xls"
    path.write_bytes(compound_file(stream[:bof_len] + filepass + stream[bof_len:]))
    err = rejected(path)
    assert err.code == "encrypted" and "kata sandi" in err.reason


def test_encrypted_xlsx_container_named_xls_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sandi2.xls"
    path.write_bytes(compound_file(b"\0" * 4096, name="EncryptedPackage"))
    assert rejected(path).code == "encrypted"


def test_xlsx_named_xls_is_refused_and_tab_text_named_xls_is_read(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active.append(["Tanggal", "Kode Layanan", *UNSUR])
    xlsx = tmp_path / "sebenarnya_xlsx.xls"
    wb.save(xlsx)
    err = rejected(xlsx)
    assert err.code == "unsupported_format" and "ganti ekstensinya menjadi .xlsx" in err.reason
    text = tmp_path / "teks.xls"
    text.write_text("Tanggal\tKode Layanan\t" + "\t".join(UNSUR) + "\n01/03/2024\tL01\t" + "\t".join("3" * 9) + "\n")
    with read_file(text, SKM) as table:
        assert (table.format, table.delimiter) == ("csv", "\t") and rows_of(table)[0][1]["u1"] == "3"


def test_xml_spreadsheet_2003_is_refused_with_the_way_out(tmp_path: Path) -> None:
    path = tmp_path / "xml2003.xls"
    path.write_text(
        '<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>\n'
    )
    err = rejected(path)
    assert err.code == "unsupported_format" and "simpan ulang sebagai .xlsx" in err.reason


# ---------------------------------------------------------------------------------------------
# HTML saved as .xls

HTML = """\ufeff<!DOCTYPE html>
<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta charset="utf-8">
<title>Export</title><style>td {{ mso-number-format:"\\@"; }}</style>
<script>document.write("<table><tr><td>Tanggal</td><td>U1</td></tr></table>")</script></head>
<body><h3>DATA RESPONDEN SKM &ndash; DINAS KESEHATAN</h3><p>Periode: Januari 2024</p>
<table border="1">
<tr><th rowspan="2">No</th><th rowspan="2">Tanggal</th><th rowspan=2>Kode Layanan</th><th colspan="9">Unsur</th>
<th rowspan="2">Usia</th></tr>
<tr>{unsur}</tr>
<tr><td>1</td><td rowspan="2">05/01/2024</td><td>L01</td>{a}<td>25</td></tr>
<tr><td>2</td><td>L01 <b>Rawat</b>&nbsp;Jalan<br>Poli &amp; UGD</td>{b}<td>31</td></tr>
<tr><td>3</td><td>06/01/2024</td><td></td>{a}<td>  </td></tr>
<tr><td colspan="3">JUMLAH</td><td>12</td></tr>
</table>
<p>Dicetak oleh aplikasi e-SKM</p></body></html>
"""


def _html(**kw: str) -> str:
    unsur = "".join(f"<td>{u}</td>" for u in UNSUR)
    a = "".join(f"<td>{v}</td>" for v in "433443344")
    b = "".join(f"<td>{v}</td>" for v in "122331144")
    return HTML.format(unsur=unsur, a=a, b=b, **kw)


def test_html_saved_as_xls_titles_spans_entities_and_totals(tmp_path: Path) -> None:
    path = tmp_path / "responden.xls"
    path.write_text(_html(), encoding="utf-8")
    with read_file(path, SKM) as table:
        assert (table.format, table.sheet, table.header_row, table.encoding) == ("html", None, 4, "utf-8-sig")
        got = rows_of(table)
        assert [n for n, _ in got] == [5, 6, 7]
        (_, r1), (_, r2), (_, r3) = got
        assert r1["tanggal"] == "05/01/2024" and r1["kode_layanan"] == "L01"
        assert [r1[f"u{i}"] for i in range(1, 10)] == list("433443344") and r1["usia"] == "25"
        assert r2["tanggal"] == "05/01/2024"  # rowspan fills the covered cell
        assert r2["kode_layanan"] == "L01 Rawat Jalan\nPoli & UGD"  # entities decoded, <br> a line break
        assert [r2[f"u{i}"] for i in range(1, 10)] == list("122331144")
        assert r3["kode_layanan"] is None and r3["usia"] is None  # empty and blank cells
        assert [t.row_number for t in table.total_rows] == [8]
        # the script's table is never read, and the footer text after the table is a footer
        assert not any("Tanggal" == v for _, row in got for v in row.values())
        assert any("catatan kaki" in w for w in table.warnings)


def test_html_cp1252_without_bom_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "lama.xls"
    body = "<table><tr><td>Tanggal</td><td>Kode Layanan</td>" + "".join(f"<td>{u}</td>" for u in UNSUR)
    body += "<td>Pendidikan</td></tr><tr><td>01/02/2024</td><td>Layanan \u00e9</td>" + "<td>4</td>" * 9
    body += "<td>SLTA</td></tr></table>"
    path.write_bytes(body.encode("cp1252"))
    with read_file(path, SKM) as table:
        assert table.encoding == "cp1252"
        assert rows_of(table)[0][1]["kode_layanan"] == "Layanan \u00e9"


def test_html_cell_over_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sel_besar.xls"
    big = "x" * 200_000
    path.write_text(
        f"<html><table><tr><td>Tanggal</td><td>Kode Layanan</td><td>U1</td></tr>"
        f"<tr><td>01/01/2024</td><td>{big}</td><td>4</td></tr></table></html>"
    )
    err = rejected(path)
    assert err.code == "cell_too_large" and f"{MAX_CELL_CHARS:,}" in err.reason and "kolom/column B" in err.reason


def test_html_text_or_tag_that_never_ends_is_refused_before_it_is_held(tmp_path: Path) -> None:
    for name, tail in (("teks.xls", "9" * 10_000_000), ("tag.xls", "<td title='" + "x" * 10_000_000)):
        path = tmp_path / name
        path.write_text("<table><tr><td>Tanggal</td><td>Kode Layanan</td><td>U1</td></tr><tr><td>" + tail)
        tracemalloc.start()
        try:
            assert rejected(path).code == "cell_too_large"
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 4 << 20, peak  # a few times the cell limit, not the 10 MB of text


def test_html_colspan_bomb_is_clamped_and_a_too_wide_row_refused(tmp_path: Path) -> None:
    path = tmp_path / "colspan.xls"
    head = "<tr><td>Tanggal</td><td>Kode Layanan</td>" + "".join(f"<td>{u}</td>" for u in UNSUR) + "</tr>"
    path.write_text(
        f"<table>{head}<tr><td colspan='999999999' rowspan='999999999'>01/01/2024</td></tr><tr><td>x</td></tr></table>"
    )
    with read_file(path, SKM) as table:
        got = rows_of(table)
        # in the header area (first 30 rows) a merge spreads over its columns, as in xlsx
        assert got[0][1]["tanggal"] == "01/01/2024" and got[0][1]["u9"] == "01/01/2024"
        # the rowspan covers the next row's first HTML_MAX_COLSPAN columns: its cell lands past them
        assert got[1][1]["tanggal"] == "01/01/2024" and "x" not in got[1][1].values()
    assert HTML_MAX_COLSPAN == 1000
    wide = tmp_path / "lebar.xls"
    wide.write_text(f"<table>{head}<tr>" + "<td colspan=1000>a</td>" * 17 + "</tr></table>")
    err = rejected(wide)
    assert err.code == "too_large" and "16,384" in err.reason


def test_html_utf16_with_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "utf16.xls"
    path.write_bytes(codecs.BOM_UTF16_LE + _html().lstrip("\ufeff").encode("utf-16-le"))
    with read_file(path, SKM) as table:
        assert table.format == "html" and len(rows_of(table)) == 3


@pytest.mark.parametrize(
    "prefix",
    [
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "x">\n'
        "<html><body><table>",
        "\ufeff\n  <!-- export e-SKM -->\n<table>",
        "<meta charset='utf-8'><table>",
    ],
)
def test_html_is_sniffed_from_its_first_bytes(tmp_path: Path, prefix: str) -> None:
    path = tmp_path / "sniff.xls"
    path.write_text(
        prefix
        + "<tr><td>Tanggal</td><td>Kode Layanan</td>"
        + "".join(f"<td>{u}</td>" for u in UNSUR)
        + "</tr><tr><td>01/03/2024</td><td>L01</td>"
        + "<td>4</td>" * 9
        + "</tr></table>",
        encoding="utf-8",
    )
    with read_file(path, SKM) as table:
        assert table.format == "html"
        [(number, values)] = rows_of(table)
        assert number == 2 and values["tanggal"] == "01/03/2024" and values["u9"] == "4"
