"""Submitter feedback: an XLSX per submission, in Bahasa Indonesia, pointing at the sheet, row and column
letter the submitter sees in Excel."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from satudata import pipeline
from satudata.report import feedback
from satudata.report.feedback import indonesian, write_feedback, write_report
from tests.conftest import make_settings

pytestmark = pytest.mark.integration


def folder(landing: Path, opd: str, dataset: str) -> Path:
    path = landing / "18.72" / opd / dataset
    path.mkdir(parents=True, exist_ok=True)
    return path


def make_landing(landing: Path) -> None:
    # a CSV in its own column order, with an extra column and a short NIP on line 3 (column C)
    (folder(landing, "DINKES", "pegawai") / "pegawai_januari.csv").write_text(
        "No,Nama Pegawai,N I P,JK,Tgl Lahir,Status,Gol,Jenis Jabatan,Eselon,Jabatan,Pendidikan,Periode,Keterangan\n"
        "1,Budi,19860926 201505 1 001,L,26/09/1986,PNS,III/c,FUNGSIONAL,,Dokter,S1,2024-01,ok\n"
        "2,Sari,1990,P,01/01/1990,PNS,III/b,PELAKSANA,,Pengadministrasi,D3,2024-01,\n",
        encoding="utf-8",
    )
    # an xlsx with two title rows above the header; an unreadable date in row 6, column E
    wb = Workbook()
    ws = wb.active
    ws.title = "Data Pegawai"
    ws.append(["DAFTAR PEGAWAI DINAS KESEHATAN"])
    ws.append(["PERIODE FEBRUARI 2024"])
    ws.append(
        [
            "nip",
            "nama",
            "jenis_kelamin",
            "status_kepegawaian",
            "tanggal_lahir",
            "golongan",
            "jenis_jabatan",
            "eselon",
            "nama_jabatan",
            "pendidikan",
            "periode",
        ]
    )
    ws.append(
        ["198609262015051001", "Budi", "L", "PNS", "26/09/1986", "III/c", "FUNGSIONAL", None, "Dokter", "S1", "2024-02"]
    )
    ws.append(
        ["199001012015032002", "Sari", "P", "PNS", "01/01/1990", "III/b", "PELAKSANA", None, "Staf", "D3", "2024-02"]
    )
    ws.append(
        ["199201012019031003", "Andi", "L", "PNS", "31/02/1990", "III/a", "PELAKSANA", None, "Staf", "S1", "2024-02"]
    )
    wb.save(folder(landing, "DINKES", "pegawai") / "pegawai_februari.xlsx")
    # a file missing required columns: rejected as a whole
    (folder(landing, "DINKES", "anggaran") / "dpa.csv").write_text("tahun,pagu\n2024,1000\n", encoding="utf-8")
    # applicant identity columns: dropped on landing
    (folder(landing, "DPMPTSP", "permohonan_layanan") / "permohonan.csv").write_text(
        "nomor_permohonan,kode_layanan,tanggal_masuk,tanggal_selesai,status,kanal,nama,nik\n"
        "P1,L01,2024-01-02,2024-01-04,SELESAI,LOKET,Ani,1871010101010001\n",
        encoding="utf-8",
    )


def sheet_rows(path: Path, name: str) -> list[tuple]:
    """Rows padded to the sheet's width (a write-only sheet stores short rows short)."""
    rows = [tuple(r) for r in load_workbook(path, read_only=True)[name].iter_rows(values_only=True)]
    width = max(map(len, rows))
    return [r + (None,) * (width - len(r)) for r in rows]


def test_feedback_speaks_in_the_submitters_coordinates(tmp_path, warehouse_url):
    # Given four submissions: with a bad row (CSV), a bad cell under title rows (xlsx), missing columns,
    # and applicant identity columns
    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    make_landing(settings.landing)
    pipeline.start(settings, "r1")
    for rel in pipeline.discover_files(settings):
        pipeline.load(settings, pipeline.land(settings, "r1", rel))

    # When the feedback is written
    written = write_feedback(settings, warehouse_url, "r1")

    # Then there is one report per submission, under the submitter's pemda and OPD
    root = settings.reports / "feedback"
    assert sorted(p.relative_to(root).as_posix() for p in written) == [
        "18.72/DINKES/dpa.xlsx",
        "18.72/DINKES/pegawai_februari.xlsx",
        "18.72/DINKES/pegawai_januari.xlsx",
        "18.72/DPMPTSP/permohonan.xlsx",
    ]

    # The CSV's short NIP is on line 3, column C, under the header as written
    csv_report = root / "18.72/DINKES/pegawai_januari.xlsx"
    assert load_workbook(csv_report, read_only=True).sheetnames == ["Ringkasan", "Temuan", "Kolom"]
    temuan = sheet_rows(csv_report, "Temuan")
    assert temuan[0] == (
        "Lembar",
        "Baris",
        "Kolom",
        "Judul kolom",
        "Nilai yang dikirim",
        "Yang diharapkan",
        "Aturan",
        "Keterangan",
        "Akibat",
    )
    sheet, row, letter, header, provided, _expected, rule, message, effect = temuan[1]
    assert (row, letter, header, provided, rule) == (3, "C", "N I P", "1990", "PEG-001")
    assert message.startswith("NIP harus 18 digit") and effect == "Baris ditolak (karantina)"
    summary = dict(r[:2] for r in sheet_rows(csv_report, "Ringkasan") if r and r[0])
    assert summary["Status"] == "Diterima"
    assert (summary["Baris dibaca"], summary["Baris dimuat"], summary["Baris dikarantina (ditolak)"]) == (2, 1, 1)
    notes = [r[1] for r in sheet_rows(csv_report, "Ringkasan") if r and r[0] is None and r[1]]
    assert any("Kolom tambahan 'Keterangan' diabaikan" in n for n in notes)
    kolom = sheet_rows(csv_report, "Kolom")
    assert ("C", "N I P", "nip", "Dibaca") in kolom and ("-", "Keterangan", "-", "Kolom tambahan: diabaikan") in kolom

    # The xlsx's bad date is on sheet "Data Pegawai", row 6, column E
    xlsx_report = root / "18.72/DINKES/pegawai_februari.xlsx"
    bad = [r for r in sheet_rows(xlsx_report, "Temuan")[1:] if r[6] == "FMT-001"]
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in bad] == [("Data Pegawai", 6, "E", "tanggal_lahir", "31/02/1990")]
    assert bad[0][5].startswith("tanggal seperti") and " / " not in bad[0][5]  # Indonesian only
    assert bad[0][7].startswith("Nilai tidak dapat dibaca sebagai tanggal")

    # The rejected file says why, in Indonesian
    rejected = dict(r[:2] for r in sheet_rows(root / "18.72/DINKES/dpa.xlsx", "Ringkasan") if r and r[0])
    assert rejected["Status"] == "Ditolak seluruhnya"
    reason = next(r[1] for r in sheet_rows(root / "18.72/DINKES/dpa.xlsx", "Ringkasan") if r[0] is None and r[1])
    assert "kolom" in reason.lower() and "versi" in reason

    # Dropped identity columns are named
    kolom = sheet_rows(root / "18.72/DPMPTSP/permohonan.xlsx", "Kolom")
    assert {r[1] for r in kolom if r[3] == "Kolom identitas: dibuang, tidak disimpan"} == {"nama", "nik"}

    # When the next run sees the same files and an identical copy of one
    pegawai = settings.landing / "18.72/DINKES/pegawai"
    (pegawai / "salinan.csv").write_bytes((pegawai / "pegawai_januari.csv").read_bytes())
    before = {p: p.stat().st_mtime_ns for p in written}
    pipeline.start(settings, "r2")
    for rel in pipeline.discover_files(settings):
        pipeline.load(settings, pipeline.land(settings, "r2", rel))
    again = write_feedback(settings, warehouse_url, "r2")

    # Then the unchanged reports are not rewritten, and the copy gets its own report saying what it is
    assert {p: p.stat().st_mtime_ns for p in written} == before
    copy = root / "18.72/DINKES/salinan.xlsx"
    assert copy in again
    rows = sheet_rows(copy, "Ringkasan")
    assert dict(r[:2] for r in rows if r[0])["Status"] == "Diterima"
    assert any("sama persis dengan 18.72/DINKES/pegawai/pegawai_januari.csv" in str(r[1]) for r in rows)


def test_load_batches_write_the_feedback_so_the_report_stage_only_assembles(tmp_path, warehouse_url, monkeypatch):
    # Given the four submissions, loaded by the pipeline's batches, each batch writing its workbooks in a
    # worker process (from one file up, so this small batch takes that path too)
    monkeypatch.setattr(feedback, "BATCH_WORKER_FROM", 1)
    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    make_landing(settings.landing)
    pipeline.start(settings, "r1")
    for batch in pipeline.batches(pipeline.discover_files(settings)):
        pipeline.load_batch(settings, pipeline.land_batch(settings, "r1", batch))

    # Then every workbook is there before the report stage, with what the warehouse says of its file
    root = settings.reports / "feedback"
    reports = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.xlsx"))
    assert reports == [
        "18.72/DINKES/dpa.xlsx",
        "18.72/DINKES/pegawai_februari.xlsx",
        "18.72/DINKES/pegawai_januari.xlsx",
        "18.72/DPMPTSP/permohonan.xlsx",
    ]
    summary = dict(r[:2] for r in sheet_rows(root / "18.72/DINKES/pegawai_januari.xlsx", "Ringkasan") if r[0])
    assert (summary["Baris dibaca"], summary["Baris dimuat"], summary["Baris dikarantina (ditolak)"]) == (2, 1, 1)
    assert list((root / ".index").glob("*.json")), "the batch wrote its index part"
    before = {p: p.stat().st_mtime_ns for p in root.rglob("*.xlsx")}

    # When the report stage runs
    written = write_feedback(settings, warehouse_url, "r1")

    # Then it rewrote none of them, merged the batch's index part, and kept the run's copies
    assert sorted(written) == sorted(before)
    assert {p: p.stat().st_mtime_ns for p in before} == before
    assert not list((root / ".index").glob("*.json"))
    assert len(json.loads((root / ".index.json").read_text())) == 4
    kept = settings.reports / "runs" / "r1" / "feedback"
    assert sorted(p.relative_to(kept).as_posix() for p in kept.rglob("*.xlsx")) == reports


def test_submitted_text_is_never_a_formula(tmp_path):
    # Given a finding whose submitted value and header look like spreadsheet formulas
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
        "layout": {
            "columns": {"nama": {"letter": "B", "header": '=HYPERLINK("http://x")'}},
            "extra": ["=1+1"],
            "dropped": [],
        },
    }
    findings = [(None, 2, "nama", "FMT-002", "fatal", "=cmd|' /C calc'!A0", "nama", "Kolom wajib kosong / ...")]

    # When the report is written
    write_report(tmp_path / "x.xlsx", f, findings, "loaded")

    # Then the values are stored as text
    ws = load_workbook(tmp_path / "x.xlsx")["Temuan"]
    assert ws["D2"].value == '=HYPERLINK("http://x")' and ws["D2"].data_type == "s"
    assert ws["E2"].value == "=cmd|' /C calc'!A0" and ws["E2"].data_type == "s"


def test_indonesian_half_of_bilingual_texts():
    assert indonesian("extra column ignored / kolom tambahan diabaikan: x") == "kolom tambahan diabaikan: x"
    assert (
        indonesian("tanggal seperti 2024-09-30, 30/09/2024 / a date such as 2024-09-30")
        == "tanggal seperti 2024-09-30, 30/09/2024"
    )
    assert indonesian("I/a-IV/e") == "I/a-IV/e"
    assert indonesian("") == ""
