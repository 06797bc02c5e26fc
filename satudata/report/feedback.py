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
.index.json), so a run over thousands of unchanged files writes only the new reports. Each load batch
writes its files' reports as they are loaded, in a worker process beside the loading (BatchFeedback);
the report stage only writes what is still missing or changed, and keeps the run's copies.
"""

from __future__ import annotations

import contextlib
import datetime
import json
import logging
import multiprocessing
import os
import re
import threading
from collections import Counter
from concurrent.futures import Future, ProcessPoolExecutor
from io import BytesIO
from pathlib import Path
from typing import Any
from zipfile import ZIP_DEFLATED, ZipFile

import psycopg
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.packaging.core import DocumentProperties
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.writer.excel import ExcelWriter

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
STREAM_FROM = 5_000  # findings from which a workbook is streamed (write-only mode: memory bounded, slower)

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
    cell = Cell(ws, row=1, column=1, value=value)  # append places it (write-only mode reads a position)
    cell.data_type = "s"
    return cell


def _styles(ws: Any) -> dict[str, StyleArray]:
    """The workbook's three cell styles (all wrapped and top-aligned; headings bold, table headings
    shaded too), registered once: a style set cell by cell is looked up in the workbook's lists each time."""
    out = {}
    for name, bold, fill in (("text", False, False), ("bold", True, False), ("head", True, True)):
        cell = Cell(ws)
        cell.alignment = WRAP
        if bold:
            cell.font = BOLD
        if fill:
            cell.fill = HEAD_FILL
        out[name] = cell._style
    return out


def _cells(ws: Any, values: list[Any], style: StyleArray) -> list[Any]:
    out = []
    for v in values:
        value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", v) if isinstance(v, str) else v
        c = Cell(ws, row=1, column=1, value=value, style_array=style)
        if isinstance(v, str):
            c.data_type = "s"
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


SHEETS = (  # name, column widths, heading row printed on every page
    ("Ringkasan", [30, 90], None),
    ("Temuan", [16, 8, 8, 24, 24, 40, 10, 50, 28], 1),
    ("Kolom", [8, 32, 28, 60], 1),
)
_MADE = threading.local()  # per thread: the laid-out workbook its small reports are written into, in turn


def _workbook(streamed: bool) -> tuple[Workbook, list[Any], dict[str, StyleArray]]:
    """An empty report workbook, its sheets laid out and its styles registered. A small report is built
    in memory, in a workbook made once per thread and emptied for each report (making one is about a
    fifth of a clean file's report); a long one is streamed (write-only mode: memory bounded, a temporary file
    per sheet) in a workbook of its own."""
    made = None if streamed else getattr(_MADE, "workbook", None)
    if made is None:
        wb = Workbook(write_only=streamed)
        if not streamed:
            wb.remove(wb.active)
        sheets = [wb.create_sheet(name) for name, _, _ in SHEETS]
        for ws, (_, widths, header_row) in zip(sheets, SHEETS, strict=True):
            _widths(ws, widths)
            _print_setup(ws, header_row)
        made = (wb, sheets, _styles(sheets[0]))
        if streamed:
            return made
        _MADE.workbook = made
    wb, sheets, styles = made
    for ws in sheets:  # emptied: the cells of the previous report (the layout stays)
        ws._cells.clear()
        ws._current_row = 0
    wb.properties = DocumentProperties()  # created now, as a new workbook's
    return made


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
    wb, (ws, temuan, kolom), style = _workbook(streamed=len(findings) >= STREAM_FROM)
    ws.append(_cells(ws, ["Laporan pemeriksaan kiriman data (Satu Data)"], style["bold"]))
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
        ws.append(_cells(ws, [label, value], style["text"]))
    ws.append([])
    notes = _notes(f)
    if f.get("relpath") and f["relpath"] != f["path"]:
        notes.insert(
            0,
            f"Isi berkas ini sama persis dengan {f['path']} yang sudah dikirim sebelumnya: tidak "
            "diproses ulang, hasilnya sama.",
        )
    title = "Alasan penolakan" if f["status"] == "rejected" else "Catatan"
    ws.append(_cells(ws, [title, "" if notes else "Tidak ada catatan."], style["bold"]))
    for note in notes:
        ws.append(_cells(ws, ["", note], style["text"]))
    ws.append([])
    by_rule = Counter((r[3], r[4]) for r in findings)
    ws.append(_cells(ws, ["Temuan per aturan", "Jumlah temuan"], style["head"]))
    if not by_rule:
        ws.append(_cells(ws, ["", "Tidak ada temuan."], style["text"]))
    for (rule_id, severity), n in sorted(by_rule.items()):
        rule = catalogue().get(rule_id)
        text = rule.message_id.replace("{expected}", "…") if rule else ""
        ws.append(
            _cells(ws, [f"{rule_id} ({SEVERITY_ID.get(severity, severity)})", f"{n} temuan — {text}"], style["text"])
        )

    ws = temuan
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
            style["head"],
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

    ws = kolom
    ws.append(_cells(ws, ["Kolom", "Judul kolom di berkas", "Kolom baku", "Keterangan"], style["head"]))
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

    _save(wb, path)


class _MemoryWriter(ExcelWriter):
    """openpyxl's own writer, but each sheet's XML goes into the zip from memory: openpyxl writes it to
    a temporary file, then copies and removes that file (about 3 ms of a small report on this disk)."""

    def write_worksheet(self, ws: Any) -> None:
        if self.workbook.write_only:  # its sheets are written already, to their temporary files
            super().write_worksheet(ws)
            return
        ws._drawing = SpreadsheetDrawing()  # as ExcelWriter.write_worksheet (openpyxl 3.1)
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = WorksheetWriter(ws, out=BytesIO())
        writer.write()
        ws._rels = writer._rels
        self._archive.writestr(ws.path[1:], writer.read())
        self.manifest.append(ws)


def _save(wb: Workbook, path: Path) -> None:
    """As Workbook.save, without temporary files; into place in one rename (a reader never sees half a report)."""
    buffer = BytesIO()
    with ZipFile(buffer, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        wb.properties.modified = datetime.datetime.now(tz=datetime.UTC).replace(tzinfo=None)
        _MemoryWriter(wb, archive).write_data()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name("." + path.name + ".tmp")
    tmp.write_bytes(buffer.getvalue())
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


FILES_SQL = (
    "select sf.file_id, sf.path, sf.kode_pemda, sf.opd, sf.dataset, sf.received_at, sf.status, sf.sheet, "
    "sf.header_row, sf.rows_read, sf.rows_loaded, sf.rows_quarantined, coalesce(sf.rows_set_aside, 0), "
    "sf.set_aside, sf.profile, sf.reasons, sf.layout, sf.sha256, "
    "rf.land_status, rf.relpath from audit.run_file rf join audit.source_file sf using (file_id) "
    "where rf.run_id = %s {where} order by rf.relpath"
)
FINDINGS_SQL = (
    "select sheet, row_number, column_name, rule_id, severity, provided_value, expected, message "
    "from audit.row_finding where file_id = %s order by row_number nulls first, finding_id"
)
INDEX = ".index.json"  # report -> what it was written from: unchanged reports are not rewritten
SHARDS = ".index"  # one index part per load batch (batches write in parallel), merged by the report stage
BATCH_WORKER_FROM = 8  # files in a batch from which its workbooks are written by a worker process


def _fingerprint(f: dict) -> str:
    return f"{FEEDBACK_VERSION}|{f['file_id']}|{f['status']}|{f['rows_read']}|{f['rows_loaded']}"


def _names(conn: Any, run_id: str) -> Counter:
    """Report names in use per pemda and OPD folder among the run's files (two of one stem get the dataset)."""
    rows = conn.execute(
        "select sf.kode_pemda, sf.opd, rf.relpath from audit.run_file rf join audit.source_file sf using (file_id) "
        "where rf.run_id = %s",
        (run_id,),
    )
    return Counter((_folder(k, KODE_PEMDA), _folder(o, OPD_FOLDER), Path(r).stem) for k, o, r in rows)


def _read_index(root: Path) -> tuple[dict[str, str], list[tuple[Path, int]]]:
    """The merged index: the report stage's, then the batches' parts in the order they were written."""
    index_path = root / INDEX
    index = json.loads(index_path.read_text()) if index_path.exists() else {}
    shards = []
    parts = sorted(((p.stat().st_mtime_ns, p) for p in (root / SHARDS).glob("*.json")), key=lambda t: t[0])
    for mtime, part in parts:
        try:
            index.update(json.loads(part.read_text()))
        except (OSError, ValueError):  # a part being written, or torn: its reports are checked again
            continue
        shards.append((part, mtime))
    return index, shards


def _write_json(path: Path, payload: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name("." + path.name + f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(payload, indent=0, sort_keys=True))
    os.replace(tmp, path)


def write_feedback(settings: Settings, url: str, run_id: str) -> list[Path]:
    """One report per file the run saw (the report stage). The load batches have written most of them
    already (write_batch_feedback); this writes what is missing or changed since, merges the batches'
    index parts and keeps the run's copies. Returns the paths of the reports (written now or still current)."""
    root = settings.reports / "feedback"
    index, shards = _read_index(root)
    written, rewritten = [], 0
    seen = 0
    with connect(url) as conn:
        names = _names(conn, run_id)
        # the run's files read a few thousand at a time (a server-side cursor), not all at once: 82,288
        # files' rows, with their reasons and layouts, took 640 MB at nasional size
        files = conn.cursor(name="feedback_files")
        files.itersize = 2000
        files.execute(FILES_SQL.format(where=""), (run_id,))
        for row in files:
            f = dict(zip(FILE_COLUMNS, row, strict=True))
            seen += 1
            path = _report_path(root, f, names)
            key = path.relative_to(root).as_posix()
            if index.get(key) == _fingerprint(f) and path.exists():
                written.append(path)
                continue
            findings = conn.execute(FINDINGS_SQL, (f["file_id"],)).fetchall()
            try:  # the status shown is what became of the content (a copy of earlier content says so in a note)
                write_report(path, f, findings, f["status"])
            except OSError as e:  # one unwritable report must not stop the others
                log.error("feedback for %s not written: %s", f["path"], e)
                continue
            index[key] = _fingerprint(f)
            written.append(path)
            rewritten += 1
    if seen or shards:
        _write_json(root / INDEX, index)
        for part, mtime in shards:  # merged; a part rewritten meanwhile (another run's batch) stays
            with contextlib.suppress(OSError):
                if part.stat().st_mtime_ns == mtime:
                    part.unlink()
    keep_feedback(settings, run_id, root, written)  # the run's own copies (reports/runs/<run_id>/feedback)
    log.info("submitter feedback: %d reports under %s (%d written by the report stage)", len(written), root, rewritten)
    return written


# ---------------------------------------------------------------------------------------------
# written by the load batches, beside the loading


class _Writer:
    """What the process that writes a batch's reports (its worker, or the loading process for a small
    batch) keeps between files: one connection, the run's report names, the index as it was."""

    conn: Any = None
    run: tuple[str, str] | None = None
    names: Counter = Counter()
    current: dict[str, str] = {}

    @classmethod
    def close(cls) -> None:
        if cls.conn is not None:
            cls.conn.close()
        cls.conn, cls.run, cls.names, cls.current = None, None, Counter(), {}


def _write_one(url: str, root: str, run_id: str, relpath: str) -> tuple[str, str] | None:
    """(in the batch's worker process, or inline) the report of one file of the run, as it is now in the
    warehouse, unless the one written earlier is still current; (index key, fingerprint), or None when
    it could not be written. The loading process only hands over the file's name: its row and findings
    are read here, once, off the loading's path (the batch's names and index on its first file)."""
    w = _Writer
    if w.conn is None or w.conn.closed or w.conn.broken:
        w.conn = psycopg.connect(url, autocommit=True, application_name="satudata feedback")
    if w.run != (run_id, root):  # the batch's first file
        w.names, (w.current, _) = _names(w.conn, run_id), _read_index(Path(root))
        w.run = (run_id, root)
    row = w.conn.execute(FILES_SQL.format(where="and rf.relpath = %s"), (run_id, relpath)).fetchone()
    if row is None:
        return None
    f = dict(zip(FILE_COLUMNS, row, strict=True))
    path = _report_path(Path(root), f, w.names)
    key = path.relative_to(root).as_posix()
    if w.current.get(key) == _fingerprint(f) and path.exists():
        return key, _fingerprint(f)  # an unchanged file seen again: its report is current
    findings = w.conn.execute(FINDINGS_SQL, (f["file_id"],)).fetchall()
    try:
        write_report(path, f, findings, f["status"])
    except OSError as e:
        log.error("feedback for %s not written: %s", f["path"], e)
        return None
    return key, _fingerprint(f)


class BatchFeedback:
    """The feedback workbooks of one load batch, each written as soon as its file is loaded, in a worker
    process while the batch goes on loading (inline for a small batch). Off the report stage's path: the
    report stage then only checks that each is current. Index part `reports/feedback/.index/<name>.json`.

        with BatchFeedback(settings, url, run_id, name) as feedback:
            for file in batch:
                load(file)
                feedback.add(file.relpath)

    A report that fails here is written by the report stage; a file whose status changed after its
    report was written (replaced by a later file of the batch) too."""

    def __init__(self, settings: Settings, url: str, run_id: str, name: str, files: int):
        self.url, self.run_id = url, run_id
        self.root = settings.reports / "feedback"
        self.part = self.root / SHARDS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.json"
        self.files = files
        self.pool: ProcessPoolExecutor | None = None
        self.pending: list[Future] = []
        self.index: dict[str, str] = {}

    def __enter__(self) -> BatchFeedback:
        if self.files >= BATCH_WORKER_FROM:  # the worker starts while the first file loads
            self.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        return self

    def add(self, relpath: str) -> None:
        """The loaded file's report, written (or found current) by the worker: nothing is queried here."""
        args = (self.url, str(self.root), self.run_id, relpath)
        try:
            if self.pool is None:
                self._done(_write_one(*args))
            else:
                self.pending.append(self.pool.submit(_write_one, *args))
        except Exception:  # noqa: BLE001 - feedback must never fail a load; the report stage writes it
            log.exception("feedback for %s left to the report stage", relpath)

    def _done(self, written: tuple[str, str] | None) -> None:
        if written:
            self.index[written[0]] = written[1]

    def __exit__(self, *exc: object) -> None:
        for future in self.pending:
            try:
                self._done(future.result())
            except Exception:  # noqa: BLE001 - a worker that died: the report stage writes what is missing
                log.exception("a feedback report of the batch is left to the report stage")
        if self.pool is not None:
            self.pool.shutdown()
        _Writer.close()
        if self.index:
            try:
                _write_json(self.part, self.index)
            except OSError as e:
                log.error("feedback index part %s not written: %s", self.part, e)
        log.info("submitter feedback of the batch: %d reports current", len(self.index))
