"""The feedback workbook prints: A4 landscape, one page wide, the column headings on every page."""

from __future__ import annotations

from openpyxl import load_workbook

from satudata.report.feedback import write_report


def test_each_sheet_prints_one_page_wide_with_its_headings_repeated(tmp_path):
    f = {
        "path": "18.72/DINKES/pegawai/x.csv",
        "kode_pemda": "18.72",
        "opd": "DINKES",
        "dataset": "pegawai",
        "received_at": None,
        "status": "loaded",
        "sheet": None,
        "header_row": 1,
        "rows_read": 1,
        "rows_loaded": 0,
        "rows_quarantined": 1,
        "reasons": [],
        "sha256": "0" * 64,
        "layout": {"columns": {"nip": {"letter": "A", "header": "NIP"}}, "extra": [], "dropped": []},
    }
    findings = [(None, 2, "nip", "PEG-001", "fatal", "123", "18 digit", "NIP harus 18 digit / ...")]

    write_report(tmp_path / "x.xlsx", f, findings, "loaded")

    wb = load_workbook(tmp_path / "x.xlsx")
    for name in ("Ringkasan", "Temuan", "Kolom"):
        ws = wb[name]
        assert ws.page_setup.orientation == "landscape", name
        assert ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert (int(ws.page_setup.fitToWidth), int(ws.page_setup.fitToHeight)) == (1, 0), name
    assert wb["Temuan"].print_title_rows == "$1:$1" and wb["Kolom"].print_title_rows == "$1:$1"
    assert wb["Ringkasan"].print_title_rows is None
