"""Submitter feedback: per submission, an XLSX report in Bahasa Indonesia, in the submitter's own terms.

`$SATUDATA_OUT/reports/feedback/<kode_pemda>/<OPD>/<file name>.xlsx` (the submitted name with
.xlsx; when two submissions of the same OPD share a name, `<name> (<dataset>).xlsx`), for every
file the run saw. Three sheets:

- Ringkasan: the file, its status (accepted, accepted with notes, rejected as a whole, replaced by
  a later submission; an identical copy of an earlier file says so), rows read = loaded +
  quarantined, the reasons a file was rejected, extra columns that were ignored, identity columns
  that were dropped, and findings counted per rule;
- Temuan: one line per rule a row broke, where the submitter sees it: sheet, row number and
  column letter as in Excel (CSV: line number, and the letter the column gets when the CSV is
  opened in Excel), the column's header as written, the value provided, what was expected, the
  rule id and its message from the rule catalogue, and what happened to the row;
- Kolom: how each column of the file was read (standard column, ignored, dropped).

Everything comes from the warehouse (audit.source_file, audit.row_finding): nothing is re-read.
A report whose source did not change since it was written is left as it is (reports/feedback/
.index.json), so a run over thousands of unchanged files writes only the new reports.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.properties import PageSetupProperties

from satudata.config import Settings
from satudata.datasets import DATASETS
from satudata.extract import profiles as export_profiles
from satudata.extract.discover import KODE_PEMDA, OPD_FOLDER
from satudata.report.runs import keep_feedback
from satudata.rules import catalogue
from satudata.warehouse import connect

log = logging.getLogger(__name__)

FEEDBACK_VERSION = 2  # bump when the report's layout changes, so existing reports are rewritten
MAX_FINDINGS = 200_000  # lines in Temuan per file; beyond that the sheet says how many were left out

STATUS_ID = {
    "loaded": "Diterima",
    "loaded_with_warnings": "Diterima dengan catatan",
    "rejected": "Ditolak seluruhnya",
    "superseded": "Digantikan oleh kiriman yang lebih baru",
    "landed": "Belum selesai diproses (akan diproses ulang pada jalankan berikutnya)",
}
SEVERITY_ID = {"fatal": "Baris ditolak (karantina)", "warning": "Peringatan (baris tetap dimuat)"}
_ID_WORDS = re.compile(
    r"\b(tidak|berkas|kolom|baris|bukan|harus|seperti|dengan|atau|yang|tanggal|bilangan|"
    r"nilai|dibuang|diabaikan|tertulis|jumlah|sebelum|tanpa|sesuai|ditemukan|simpan|periode)\b",
    re.IGNORECASE,
)
_EN_WORDS = re.compile(
    r"\b(the|is|not|file|column|row|must|such|with|or|which|date|number|value|dropped|ignored|"
    r"stated|sum|before|without|found|save|expected|only)\b",
    re.IGNORECASE,
)
BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAP = Alignment(wrap_text=True, vertical="top")


def indonesian(text: str | None) -> str:
    """The Indonesian half of a bilingual "ID / EN" (or "EN / ID") text; the whole text when unsure."""
    if not text:
        return ""
    halves = text.split(" / ")
    if len(halves) < 2:
        return text
    # split where the language changes: try each cut, keep the one whose halves differ most
    best, best_score = text, 0
    for cut in range(1, len(halves)):
        left, right = " / ".join(halves[:cut]), " / ".join(halves[cut:])
        score_left = len(_ID_WORDS.findall(left)) - len(_EN_WORDS.findall(left))
        score_right = len(_ID_WORDS.findall(right)) - len(_EN_WORDS.findall(right))
        if score_left - score_right > best_score:
            best, best_score = left, score_left - score_right
        if score_right - score_left > best_score:
            best, best_score = right, score_right - score_left
    return best.strip()


def _safe(ws: Any, value: Any) -> Any:
    """A submitted value as plain text: never a formula, no characters xlsx cannot hold."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if not value.startswith("="):
        return value
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell


def _cells(ws: Any, values: list[Any], bold: bool = False, fill: bool = False) -> list[Any]:
    out = []
    for v in values:
        c = WriteOnlyCell(ws, value=v)
        if isinstance(v, str):
            c.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", v)
            c.data_type = "s"
        if bold:
            c.font = BOLD
        if fill:
            c.fill = HEAD_FILL
        c.alignment = WRAP
        out.append(c)
    return out


def _print_setup(ws: Any, header_row: int | None = None) -> None:
    """Printed on A4 landscape, fitted to one page wide (as many pages long as it takes), the column
    headings repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    if header_row:
        ws.print_title_rows = f"{header_row}:{header_row}"


def _widths(ws: Any, widths: list[int]) -> None:
    for i, w in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = w


def _message(rule_id: str, expected_id: str, stored: str) -> str:
    rule = catalogue().get(rule_id)
    if rule is None:
        return indonesian(stored)
    try:
        return rule.message_id.format(expected=expected_id)
    except (KeyError, IndexError, ValueError):
        return indonesian(stored)


def _notes(f: dict) -> list[str]:
    layout = f["layout"] or {}
    notes = []
    for reason in f["reasons"] or []:
        if layout and str(reason).startswith("extra column ignored"):
            continue  # said below, one line per column
        if layout.get("dropped") and "identitas" in str(reason):
            continue  # idem
        notes.append(indonesian(str(reason)))
    dataset = f["dataset"] or "-"
    for header in layout.get("extra", []):
        notes.append(f"Kolom tambahan '{header}' diabaikan: bukan kolom baku dataset {dataset}.")
    for name in layout.get("dropped", []):
        notes.append(f"Kolom identitas '{name}' dibuang saat diterima (data pribadi pemohon tidak disimpan).")
    return notes


def write_report(path: Path, f: dict, findings: list[tuple], shown_status: str) -> None:
    """Write one submission's workbook from plain data: `f` a file record with the keys of FILE_COLUMNS
    (as audit.source_file holds them; `layout` and `set_aside` as dicts, `checked_at` instead of
    `received_at` for a check before sending), `findings` (sheet, row_number, column_name, rule_id,
    severity, provided_value, expected, message) in row order, as audit.row_finding holds them. The
    pipeline (write_feedback) and `satudata check` (satudata/load/check.py) both call it."""
    layout = f["layout"] or {}
    columns = layout.get("columns", {})
    dataset = DATASETS.get(f["dataset"] or "")
    wb = Workbook(write_only=True)

    ws = wb.create_sheet("Ringkasan")
    _widths(ws, [30, 90])
    _print_setup(ws)
    ws.append(_cells(ws, ["Laporan pemeriksaan kiriman data (Satu Data)"], bold=True))
    ws.append([])
    rows = [
        ("Berkas", f.get("relpath") or f["path"]),
        ("Kode pemda", f["kode_pemda"] or "-"),
        ("OPD", f["opd"] or "-"),
        ("Dataset", f"{f['dataset']} ({dataset.title})" if dataset else (f["dataset"] or "-")),
        ("Diperiksa sebelum dikirim (satudata check)", f["checked_at"].strftime("%Y-%m-%d %H:%M %Z"))
        if f.get("checked_at")
        else ("Diterima pada", f["received_at"].strftime("%Y-%m-%d %H:%M UTC") if f["received_at"] else "-"),
        ("Status", STATUS_ID.get(shown_status, shown_status)),
        ("Baris dibaca", f["rows_read"]),
        ("Baris dimuat", f["rows_loaded"]),
        ("Baris dikarantina (ditolak)", f["rows_quarantined"]),
        ("Baris disisihkan (bukan baris data)", f.get("rows_set_aside") or 0),
        *((f"  - {reason}", n) for reason, n in (f.get("set_aside") or {}).items()),
        ("Dibaca sebagai", _profile_name(f.get("profile"))),
        ("Lembar kerja", f["sheet"] or "-"),
        ("Baris judul kolom", f["header_row"] or "-"),
        ("Sidik berkas (SHA-256)", f["sha256"]),
    ]
    for label, value in rows:
        ws.append(_cells(ws, [label, value]))
    ws.append([])
    notes = _notes(f)
    if f.get("relpath") and f["relpath"] != f["path"]:
        notes.insert(
            0,
            f"Isi berkas ini sama persis dengan {f['path']} yang sudah dikirim sebelumnya: tidak "
            "diproses ulang, hasilnya sama.",
        )
    title = "Alasan penolakan" if f["status"] == "rejected" else "Catatan"
    ws.append(_cells(ws, [title, "" if notes else "Tidak ada catatan."], bold=True))
    for note in notes:
        ws.append(_cells(ws, ["", note]))
    ws.append([])
    by_rule = Counter((r[3], r[4]) for r in findings)
    ws.append(_cells(ws, ["Temuan per aturan", "Jumlah temuan"], bold=True, fill=True))
    if not by_rule:
        ws.append(_cells(ws, ["", "Tidak ada temuan."]))
    for (rule_id, severity), n in sorted(by_rule.items()):
        rule = catalogue().get(rule_id)
        text = rule.message_id.replace("{expected}", "…") if rule else ""
        ws.append(_cells(ws, [f"{rule_id} ({SEVERITY_ID.get(severity, severity)})", f"{n} temuan — {text}"]))

    ws = wb.create_sheet("Temuan")
    _widths(ws, [16, 8, 8, 24, 24, 40, 10, 50, 28])
    _print_setup(ws, header_row=1)
    ws.append(
        _cells(
            ws,
            [
                "Lembar",
                "Baris",
                "Kolom",
                "Judul kolom",
                "Nilai yang dikirim",
                "Yang diharapkan",
                "Aturan",
                "Keterangan",
                "Akibat",
            ],
            bold=True,
            fill=True,
        )
    )
    for sheet, row_number, column_name, *_rest in findings[:MAX_FINDINGS]:
        rule_id, severity, provided, expected, message = _rest
        where = columns.get(column_name or "", {})
        expected_id = indonesian(expected)
        ws.append(
            [
                _safe(ws, v)
                for v in (
                    sheet or "-",
                    row_number,
                    where.get("letter", "-"),
                    where.get("header") or column_name or "-",
                    provided if provided is not None else "(kosong)",
                    expected_id or "-",
                    rule_id,
                    _message(rule_id, expected_id, message),
                    SEVERITY_ID.get(severity, severity),
                )
            ]
        )
    if len(findings) > MAX_FINDINGS:
        ws.append([f"... dan {len(findings) - MAX_FINDINGS} temuan lain (tidak ditampilkan)"])

    ws = wb.create_sheet("Kolom")
    _widths(ws, [8, 32, 28, 60])
    _print_setup(ws, header_row=1)
    ws.append(_cells(ws, ["Kolom", "Judul kolom di berkas", "Kolom baku", "Keterangan"], bold=True, fill=True))
    for name, where in sorted(columns.items(), key=lambda kv: (len(kv[1]["letter"]), kv[1]["letter"])):
        ws.append([where["letter"], _safe(ws, where["header"]), name, "Dibaca"])
    for header in layout.get("extra", []):
        ws.append(["-", _safe(ws, header), "-", "Kolom tambahan: diabaikan"])
    for name in layout.get("dropped", []):
        ws.append(["-", name, "-", "Kolom identitas: dibuang, tidak disimpan"])
    if dataset and columns:  # (a rejected file's reason names its missing columns)
        for col in dataset.columns:
            if col.name not in columns:
                state = "WAJIB, tidak ditemukan" if col.required else "Tidak ada (boleh kosong)"
                ws.append(["-", "-", col.name, state])

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name("." + path.name + ".tmp")
    wb.save(tmp)
    os.replace(tmp, path)


FILE_COLUMNS = (
    "file_id",
    "path",
    "kode_pemda",
    "opd",
    "dataset",
    "received_at",
    "status",
    "sheet",
    "header_row",
    "rows_read",
    "rows_loaded",
    "rows_quarantined",
    "rows_set_aside",
    "set_aside",
    "profile",
    "reasons",
    "layout",
    "sha256",
    "land_status",
    "relpath",
)


def _profile_name(profile_id: str | None) -> str:
    """The export layout a file was read as, by its name ("Register SP2D SIPD-RI")."""
    if not profile_id:
        return "kolom Standar Data OPD / the standard's own columns"
    try:
        return export_profiles.get(profile_id).nama
    except KeyError:
        return profile_id


def _folder(value: str | None, pattern: re.Pattern) -> str:
    return value if value and pattern.match(value) else "_tidak_dikenal"


def _report_path(root: Path, f: dict, names: Counter) -> Path:
    folder = root / _folder(f["kode_pemda"], KODE_PEMDA) / _folder(f["opd"], OPD_FOLDER)
    stem = Path(f["relpath"]).stem
    if names[(folder.parent.name, folder.name, stem)] > 1:
        stem = f"{stem} ({f['dataset'] or Path(f['relpath']).suffix.lstrip('.')})"
    return folder / f"{stem}.xlsx"


def write_feedback(settings: Settings, url: str, run_id: str) -> list[Path]:
    """One report per file the run saw. Returns the paths of the reports (written now or still current)."""
    root = settings.reports / "feedback"
    index_path = root / ".index.json"  # report -> what it was written from: unchanged reports are not rewritten
    index = json.loads(index_path.read_text()) if index_path.exists() else {}
    written = []
    with connect(url) as conn:
        cur = conn.execute(
            "select sf.file_id, sf.path, sf.kode_pemda, sf.opd, sf.dataset, sf.received_at, sf.status, sf.sheet, "
            "sf.header_row, sf.rows_read, sf.rows_loaded, sf.rows_quarantined, coalesce(sf.rows_set_aside, 0), "
            "sf.set_aside, sf.profile, sf.reasons, sf.layout, sf.sha256, "
            "rf.land_status, rf.relpath from audit.run_file rf join audit.source_file sf using (file_id) "
            "where rf.run_id = %s order by rf.relpath",
            (run_id,),
        )
        files = [dict(zip(FILE_COLUMNS, r, strict=True)) for r in cur]
        names = Counter(
            (_folder(f["kode_pemda"], KODE_PEMDA), _folder(f["opd"], OPD_FOLDER), Path(f["relpath"]).stem)
            for f in files
        )
        for f in files:
            path = _report_path(root, f, names)
            key = path.relative_to(root).as_posix()
            fingerprint = f"{FEEDBACK_VERSION}|{f['file_id']}|{f['status']}|{f['rows_read']}|{f['rows_loaded']}"
            if index.get(key) == fingerprint and path.exists():
                written.append(path)
                continue
            findings = conn.execute(
                "select sheet, row_number, column_name, rule_id, severity, provided_value, expected, message "
                "from audit.row_finding where file_id = %s order by row_number nulls first, finding_id",
                (f["file_id"],),
            ).fetchall()
            try:  # the status shown is what became of the content (a copy of earlier content says so in a note)
                write_report(path, f, findings, f["status"])
            except OSError as e:  # one unwritable report must not stop the others
                log.error("feedback for %s not written: %s", f["path"], e)
                continue
            index[key] = fingerprint
            written.append(path)
    if files:
        root.mkdir(parents=True, exist_ok=True)
        tmp = index_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(index, indent=0, sort_keys=True))
        os.replace(tmp, index_path)
    keep_feedback(settings, run_id, root, written)  # the run's own copies (reports/runs/<run_id>/feedback)
    log.info("submitter feedback: %d reports under %s", len(written), root)
    return written
