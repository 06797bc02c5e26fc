"""The feedback workbook as its reader sees it is the one the earlier writer wrote.

tests/fixtures/feedback_golden.json holds, for each case below, what openpyxl reads back from the
workbook written by `write_report` as it was before it was made cheaper (openpyxl write-only mode,
commit 9251101): sheet names, every cell's value and type, its bold / fill / wrap, the column
widths and the print setup. `describe` is what was used to write it: regenerate it only when the
report's layout changes on purpose (and bump FEEDBACK_VERSION), with

    .venv/bin/python -m tests.unit.test_feedback_workbook > tests/fixtures/feedback_golden.json
"""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from satudata.report import feedback
from satudata.report.feedback import write_report

GOLDEN = Path(__file__).parents[1] / "fixtures" / "feedback_golden.json"
RECEIVED = datetime.datetime(2026, 3, 2, 7, 30, tzinfo=datetime.UTC)


def clean_file() -> dict:
    """A file loaded whole: no findings, nothing set aside (most of the 82,000 files of a national run)."""
    return {
        "file_id": 1,
        "path": "11.07/DINKES/realisasi_belanja/sp2d_2024.csv",
        "kode_pemda": "11.07",
        "opd": "DINKES",
        "dataset": "realisasi_belanja",
        "received_at": RECEIVED,
        "status": "loaded",
        "sheet": None,
        "header_row": 1,
        "rows_read": 250,
        "rows_loaded": 250,
        "rows_quarantined": 0,
        "rows_set_aside": 0,
        "set_aside": {},
        "profile": None,
        "reasons": [],
        "layout": {
            "columns": {
                "tahun": {"letter": "A", "header": "tahun"},
                "kode_opd": {"letter": "B", "header": "kode_opd"},
                "nomor_sp2d": {"letter": "C", "header": "nomor_sp2d"},
                "tanggal_sp2d": {"letter": "D", "header": "tanggal_sp2d"},
                "kode_rekening": {"letter": "E", "header": "kode_rekening"},
                "nilai": {"letter": "F", "header": "nilai"},
            },
            "extra": [],
            "dropped": [],
        },
        "sha256": "ab" * 32,
        "land_status": "landed",
        "relpath": "11.07/DINKES/realisasi_belanja/sp2d_2024.csv",
    }


def file_with_findings() -> tuple[dict, list[tuple]]:
    """An xlsx read through an export profile, with rows set aside, notes, an extra and a dropped
    column, a copy of an earlier file, and 50 findings of several rules (one a formula, one with a
    character xlsx cannot hold, one on no column, one "#N/A")."""
    f = {
        "file_id": 7,
        "path": "18.72/BKPSDM/pegawai/nominatif_maret.xlsx",
        "kode_pemda": "18.72",
        "opd": "BKPSDM",
        "dataset": "pegawai",
        "received_at": RECEIVED,
        "status": "loaded_with_warnings",
        "sheet": "Data Pegawai",
        "header_row": 4,
        "rows_read": 120,
        "rows_loaded": 100,
        "rows_quarantined": 20,
        "rows_set_aside": 5,
        "set_aside": {"baris JUMLAH/TOTAL / total row": 1, "blok tanda tangan / signature block": 4},
        "profile": "simpeg_rekap",
        "reasons": [
            "extra column ignored / kolom tambahan diabaikan: Unit Kerja",
            "kolom identitas dibuang / identity columns dropped: nik",
            "periode dari judul / periode from the title: 2024-03",
        ],
        "layout": {
            "columns": {
                "nip": {"letter": "C", "header": "NIP Baru"},
                "nama": {"letter": "B", "header": "=Nama\x07Pegawai"},
                "jenis_kelamin": {"letter": "D", "header": "L/P"},
                "golongan": {"letter": "F", "header": "Gol/Ruang"},
                "nama_jabatan": {"letter": "AA", "header": "Nama Jabatan"},
            },
            "extra": ["Unit Kerja", "=1+1"],
            "dropped": ["nik"],
        },
        "sha256": "cd" * 32,
        "land_status": "landed",
        "relpath": "18.72/BKPSDM/pegawai/nominatif_maret (salinan).xlsx",
    }
    findings: list[tuple] = []
    for i in range(50):
        row = 5 + i
        if i % 5 == 0:
            findings.append(("Data Pegawai", row, "nip", "PEG-001", "fatal", "1986092", "18 digit", "NIP / NIP"))
        elif i % 5 == 1:
            findings.append(
                (
                    "Data Pegawai",
                    row,
                    "golongan",
                    "PEG-009",
                    "warning",
                    "III/e",
                    "golongan PNS seperti III/a / a PNS grade such as III/a",
                    "Golongan tidak sah / invalid grade",
                )
            )
        elif i % 5 == 2:
            findings.append(("Data Pegawai", row, "nama", "FMT-002", "fatal", None, "nama", "Kolom wajib kosong / ..."))
        elif i % 5 == 3:
            findings.append(
                ("Data Pegawai", row, "nama_jabatan", "XYZ-999", "warning", "=cmd|' /C calc'!A0", None, "x / y")
            )
        else:
            findings.append(("Data Pegawai", row, None, "PEG-005", "fatal", "#N/A", "unik / unique", "dup\x01 / dup"))
    return f, findings


def rejected_file() -> dict:
    """A file rejected as a whole (required columns missing), checked before sending (`satudata check`)."""
    return {
        "path": "anggaran/dpa.csv",
        "kode_pemda": None,
        "opd": None,
        "dataset": "anggaran",
        "checked_at": RECEIVED,
        "status": "rejected",
        "sheet": None,
        "header_row": None,
        "rows_read": 0,
        "rows_loaded": 0,
        "rows_quarantined": 0,
        "rows_set_aside": 0,
        "set_aside": {},
        "profile": "no_such_profile",
        "reasons": ["missing required columns / kolom wajib tidak ada: kode_sub_kegiatan, kode_rekening"],
        "layout": {"columns": {"tahun": {"letter": "A", "header": "Tahun"}}, "extra": [], "dropped": []},
        "sha256": "",
    }


def cases() -> dict[str, tuple[dict, list[tuple], str]]:
    with_findings, findings = file_with_findings()
    return {
        "clean": (clean_file(), [], "loaded"),
        "findings": (with_findings, findings, "loaded_with_warnings"),
        "rejected": (rejected_file(), [], "rejected"),
        "superseded": (clean_file() | {"received_at": None}, [], "superseded"),
    }


def describe(path: Path) -> dict:
    """What the reader sees: sheets, cells (value, type, bold, fill, wrap), widths, print setup."""
    wb = load_workbook(path)
    out: dict = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        cells = []
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and not c.has_style:
                    continue
                fill = c.fill.fgColor.rgb if c.fill.fill_type else None
                cells.append([c.coordinate, c.value, c.data_type, c.font.b, fill, c.alignment.wrap_text])
        out[ws.title] = {
            "cells": cells,
            "widths": {k: d.width for k, d in sorted(ws.column_dimensions.items()) if d.customWidth},
            "print": [
                ws.page_setup.orientation,
                ws.page_setup.paperSize,
                ws.page_setup.fitToWidth,
                ws.page_setup.fitToHeight,
                ws.sheet_properties.pageSetUpPr.fitToPage,
                ws.print_title_rows,
                ws.freeze_panes,
            ],
        }
    return json.loads(json.dumps(out))  # as the fixture holds it (tuples as lists, numbers as JSON has them)


@pytest.mark.parametrize("streamed", [False, True], ids=["in_memory", "streamed"])
@pytest.mark.parametrize("case", ["clean", "findings", "rejected", "superseded"])
def test_the_workbook_reads_as_the_earlier_writer_wrote_it(tmp_path, monkeypatch, case, streamed):
    # Given a file record and its findings, and what the earlier writer's workbook of them held; the
    # report built in memory (as most are) or streamed (as those of thousands of findings are)
    f, findings, status = cases()[case]
    monkeypatch.setattr(feedback, "STREAM_FROM", 0 if streamed else 10**9)
    golden = json.loads(GOLDEN.read_text())[case]

    # When the report is written
    write_report(tmp_path / "x.xlsx", f, findings, status)

    # Then the reader sees the same sheets, cells, styles, widths and print setup
    got = describe(tmp_path / "x.xlsx")
    assert got["sheets"] == golden["sheets"] == ["Ringkasan", "Temuan", "Kolom"]
    for name in golden["sheets"]:
        assert got[name]["cells"] == golden[name]["cells"], name
        assert got[name]["widths"] == golden[name]["widths"], name
        assert got[name]["print"] == golden[name]["print"], name
    assert got == golden


def test_a_report_written_after_a_longer_one_holds_nothing_of_it(tmp_path):
    # Given a report of 50 findings, written in this process's reused workbook
    f, findings, status = cases()["findings"]
    write_report(tmp_path / "long.xlsx", f, findings, status)

    # When a clean file's report is written next, and the long one again
    f, findings, status = cases()["clean"]
    write_report(tmp_path / "clean.xlsx", f, findings, status)
    f, findings, status = cases()["findings"]
    write_report(tmp_path / "long_again.xlsx", f, findings, status)

    # Then each is exactly its own (no row of the other left behind), and the first still reads as it did
    golden = json.loads(GOLDEN.read_text())
    assert describe(tmp_path / "clean.xlsx") == golden["clean"]
    assert describe(tmp_path / "long_again.xlsx") == describe(tmp_path / "long.xlsx") == golden["findings"]


def test_the_golden_cases_hold_what_they_claim():
    golden = json.loads(GOLDEN.read_text())
    temuan = [c for c in golden["findings"]["Temuan"]["cells"] if c[0].startswith("B") and c[0] != "B1"]
    assert len(temuan) == 50  # one line per finding
    values = {c[0]: c[1:3] for c in golden["findings"]["Temuan"]["cells"]}
    assert values["E5"] == ["=cmd|' /C calc'!A0", "s"]  # submitted text is never a formula
    ringkasan = {c[1] for c in golden["findings"]["Ringkasan"]["cells"]}
    assert "  - blok tanda tangan / signature block" in ringkasan and "Alasan penolakan" not in ringkasan
    assert "Alasan penolakan" in {c[1] for c in golden["rejected"]["Ringkasan"]["cells"]}
    assert "Tidak ada temuan." in {c[1] for c in golden["clean"]["Ringkasan"]["cells"]}


if __name__ == "__main__":  # writes the fixture (see the module's docstring)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        result = {}
        for name, (f, findings, status) in cases().items():
            write_report(Path(tmp) / f"{name}.xlsx", f, findings, status)
            result[name] = describe(Path(tmp) / f"{name}.xlsx")
    json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
