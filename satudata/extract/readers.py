"""Read an OPD file (CSV or xlsx) into a :class:`Table` of raw rows, streaming.

``read_file(path, dataset)`` finds the sheet, the header row and the columns, and returns a
:class:`Table` whose ``rows`` is a lazy iterator of :class:`SourceRow` (raw cell values of the
canonical columns, keyed by canonical name, with the row number the submitter sees). Typing the
values is the caller's job, with :mod:`satudata.extract.parse`.

What happens before the first row is yielded (bounded work, whatever the file size):

- CSV: encoding is UTF-8 with a BOM, UTF-16 with a BOM (Excel "Unicode Text"), else UTF-8 when
  the whole file decodes strictly as UTF-8 (checked in 1 MiB chunks, constant memory), else
  Windows-1252. A NUL byte or a zip signature means binary data: rejected. The delimiter
  (``,`` ``;`` tab ``|``) is the one under which some line in the first 64 KiB looks most like
  the dataset's header.
- xlsx: opened read-only (constant memory, any size); merged-cell ranges are read from the
  sheet XML directly, since openpyxl's read-only mode does not expose them. Every sheet's first
  30 rows are scored and the sheet whose header matches the dataset best is taken.
- The header row is the row among the first 30 that matches the most canonical columns (at
  least two); when several consecutive rows tie, the last of them is the header (the lower
  row of a two-row header). Rows above it are titles and are skipped.
- Two-row headers (e.g. ``Realisasi`` merged over ``Nilai`` / ``Persen``): for each column the
  lower cell's text is used when it matches a canonical column or alias by itself; else
  ``"<upper> <lower>"`` when that matches (``Realisasi`` / ``(Rp)``); else ``"<lower> <upper>"``
  when that matches (``SP2D`` over ``Nomor`` / ``Tanggal``); else the upper cell when the lower
  is empty and the upper matches (a header merged down over both rows); else the lower cell's
  text as it is. For the combinations an empty upper cell takes the nearest upper text to its
  left (a group title spanning columns, when the file carries no merge information, as in CSV).
  A row that matches no column through its own text is never the header.
  The upper row never makes a column unmatched, only helps one match.
- The first 1,000 data rows are read ahead to detect, per numeric column, the decimal separator
  (``Table.decimal_hints``, pass to ``parse_number``), then streaming continues. A numeric
  column whose sample shows no separator unambiguously (``81.001``) takes the separator the
  other numeric columns agree on (a file is written in one locale); with no agreement, none.

While rows stream: fully empty rows are skipped; a row repeating the header (page breaks) and
a row of column numbers ``1 2 3 ...`` right under the header are skipped with a warning. A row
with a cell reading exactly ``JUMLAH``, ``TOTAL``, ``GRAND TOTAL``, ``SUB TOTAL``, ``JUMLAH
TOTAL``, ``TOTAL KESELURUHAN`` ... (any case, optional ``:``) is a total row: excluded from
``rows`` and kept in ``Table.total_rows``. Sparse rows after a total row (signature block:
place, date, ``Kepala Dinas``, NIP) are footer and skipped with a warning; a full data row after
a total row turns that total into an inline sub-total (``trailing=False``) and is read as data.
In xlsx, a cell merged down over several data rows gives its value to each of them.

``total_rows`` and ``warnings`` are complete only once ``rows`` is exhausted.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from openpyxl.utils import get_column_letter

from satudata.datasets import Dataset
from satudata.extract import profiles as export_profiles
from satudata.extract.parse import (
    HeaderMatch,
    _lookup,
    detect_decimal_separator,
    header_key,
    match_headers,
    normalize_header,
)
from satudata.extract.profiles import FileContext, Profile

__all__ = ["read_file", "Table", "SourceRow", "SourceColumn", "TotalRow", "FileRejected"]

HEADER_SCAN_ROWS = 30
HINT_SAMPLE_ROWS = 1000
_SNIFF_CHARS = 64 * 1024
_CHUNK = 1 << 20
_CSV_DELIMITERS = (",", ";", "\t", "|")
_CSV_EXTENSIONS = {".csv", ".tsv", ".txt"}
_XLSX_EXTENSIONS = {".xlsx", ".xlsm"}
# hostile input (tests/fixtures/hostile/cases.yaml): a CSV cell longer than MAX_CELL_CHARS rejects the file
# (csv.field_size_limit), a physical line is never read whole beyond MAX_LINE_CHARS, and an xlsx whose parts
# would expand beyond XLSX_MAX_UNCOMPRESSED, or one large part by more than XLSX_MAX_RATIO, is refused before
# a byte of it is decompressed (zip bomb)
MAX_CELL_CHARS = 1 << 17
MAX_LINE_CHARS = 1 << 22
XLSX_MAX_UNCOMPRESSED = 1 << 30
XLSX_MAX_RATIO = 100
XLSX_RATIO_FROM = 16 << 20  # parts smaller than this may compress as well as they like
XLSX_MAX_PARTS = 10_000
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # C0 controls but tab, LF, CR; and DEL
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

TOTAL_LABELS = frozenset(
    {
        "jumlah",
        "total",
        "grand total",
        "grandtotal",
        "jumlah total",
        "total jumlah",
        "sub total",
        "subtotal",
        "sub jumlah",
        "jumlah keseluruhan",
        "jumlah seluruhnya",
        "total keseluruhan",
        "jumlah akhir",
        "total akhir",
        "jumlah/total",
    }
)


class FileRejected(Exception):
    """The file cannot be read at all; ``reason`` (ID / EN) names the file, ``code`` is stable:
    ``unsupported_format``, ``empty_file``, ``corrupt_xlsx``, ``encrypted``, ``too_large``,
    ``binary_csv``, ``unreadable``, ``cell_too_large``, ``no_header``, ``missing_columns``."""

    def __init__(self, reason: str, code: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


@dataclass(frozen=True)
class SourceColumn:
    """Where a canonical column sits in the file."""

    name: str  # canonical column name
    header: str  # header text as written ("Realisasi Nilai" for a two-row header)
    index: int  # 0-based position

    @property
    def number(self) -> int:
        """1-based column number (CSV field number)."""
        return self.index + 1

    @property
    def letter(self) -> str:
        """Spreadsheet column letter (also what a CSV shows when opened in Excel)."""
        return get_column_letter(self.index + 1)


@dataclass(frozen=True)
class SourceRow:
    row_number: int  # 1-based Excel row / line where the CSV record starts
    values: dict[str, object]  # canonical name -> raw value, matched columns only
    set_aside: str | None = None  # not a line (a subtotal, a parent account, ...): the reason; counted, not loaded


@dataclass(frozen=True)
class TotalRow:
    row_number: int
    label: str  # the cell text that marked it ("JUMLAH")
    values: dict[str, object]  # canonical name -> raw value
    trailing: bool = True  # False: a sub-total with data rows after it


@dataclass
class Table:
    path: Path
    dataset: str
    format: Literal["csv", "xlsx", "xls", "html"]
    sheet: str | None
    header_row: int  # 1-based; the lower row of a two-row header
    columns: dict[str, SourceColumn]
    extra_columns: list[str]
    dropped_columns: list[str]
    encoding: str | None
    delimiter: str | None
    rows: Iterator[SourceRow]
    total_rows: list[TotalRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    decimal_hints: dict[str, str] = field(default_factory=dict)
    profile: Profile | None = None  # the export layout recognised (None: the standard's own columns)
    title_lines: list[str] = field(default_factory=list)  # text of the rows above the header
    head_warnings: int = 0  # how many of ``warnings`` were known before the first row after the header
    _close: Callable[[], None] | None = field(default=None, repr=False)

    def close(self) -> None:
        """Release the file (also done when ``rows`` is exhausted)."""
        if self._close is not None:
            self._close()
            self._close = None
        self.rows = iter(())

    def __enter__(self) -> Table:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


# ---------------------------------------------------------------------------------------------
# public entry point


def read_file(path: Path, dataset: Dataset, context: FileContext | None = None) -> Table:
    """Open ``path`` as a submission of ``dataset``; raise :class:`FileRejected` if it cannot be
    read at all (unknown extension, empty, corrupt xlsx, binary CSV, no header, required column
    missing).

    A file laid out like a known export (SIASN, SIPD-RI, e-SKM...) is recognised from its first rows
    and read through its profile (:mod:`satudata.extract.profiles`): ``Table.profile`` names it, and
    rows that are not lines come out with ``SourceRow.set_aside`` set. ``context`` carries what the
    profile steps may need (the name the OPD gave the file, the pemda and OPD)."""
    path = Path(path)
    context = context if context is not None else FileContext(file_name=path.name)
    suffix = path.suffix.lower()
    if suffix in _CSV_EXTENSIONS:
        return _read_csv(path, dataset, context)
    if suffix in _XLSX_EXTENSIONS:
        return _read_xlsx(path, dataset, context)
    if suffix == ".xls":
        return _read_xls_family(path, dataset, context)
    if suffix in {".html", ".htm"}:
        return _read_html(path, dataset, context)
    if suffix in {".ods", ".xlsb"}:
        raise FileRejected(
            f"Berkas '{path.name}': format {suffix} tidak didukung, simpan ulang sebagai .xlsx atau "
            f".csv. / File '{path.name}': {suffix} is not supported, save it as .xlsx or .csv.",
            "unsupported_format",
        )
    raise FileRejected(
        f"Berkas '{path.name}': ekstensi '{suffix or '(tanpa ekstensi)'}' tidak dikenal, hanya .csv "
        f"atau .xlsx. / File '{path.name}': unknown extension '{suffix}', only .csv or .xlsx.",
        "unsupported_format",
    )


# ---------------------------------------------------------------------------------------------
# header detection (shared)


@dataclass
class _Header:
    index: int  # 0-based row index within the scanned rows
    texts: list[str]
    match: HeaderMatch
    parent_used: bool


def _header_texts(
    row: Sequence[object], parent: Sequence[object] | None, lookup: dict[str, tuple[str, int]]
) -> tuple[list[str], bool, int]:
    """Header texts of ``row``, helped by the row above it (see module doc).

    Returns the texts, whether the upper row was used, and how many columns matched through
    the row's own text (a row that matches nothing by itself is never a header).
    """
    texts: list[str] = []
    used = False
    own = 0
    width = max(len(row), len(parent) if parent else 0)
    ups = [_text(parent[i]) if parent and i < len(parent) else "" for i in range(width)]
    # a group title over several columns: without merge information (CSV, or xlsx written
    # without merging) it sits in its first column only, so it is carried to the right
    filled: list[str] = []
    for up in ups:
        filled.append(up or (filled[-1] if filled else ""))
    for i in range(width):
        child = _text(row[i]) if i < len(row) else ""
        up, group = ups[i], filled[i]
        if child and _known(child, lookup):
            texts.append(child)
            own += 1
        elif child and group and header_key(group) != header_key(child) and _known(f"{group} {child}", lookup):
            texts.append(f"{group} {child}")
            used = True
            own += 1
        elif child and group and header_key(group) != header_key(child) and _known(f"{child} {group}", lookup):
            texts.append(f"{child} {group}")
            used = True
            own += 1
        elif not child and up and _known(up, lookup):
            texts.append(up)
            used = True
        else:
            texts.append(child)
    return texts, used, own


def _known(text: str, lookup: dict[str, tuple[str, int]]) -> bool:
    key, bare = _keys(text)
    return key in lookup or bare in lookup


_NOTE_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]")


@lru_cache(maxsize=1 << 16)  # header detection asks about the same cell texts many times per file
def _keys(text: str) -> tuple[str, str]:
    """The header key of `text`, and the key without a bracketed note (`pagu(rp)` -> `pagu`)."""
    key = header_key(text)
    return key, _NOTE_RE.sub("", key)


def _text(value: object) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split()).strip("\ufeff\u200b ")


def _find_header(rows: Sequence[Sequence[object]], dataset: Dataset) -> _Header | None:
    lookup = _lookup(dataset)
    scored: list[_Header] = []
    for i, row in enumerate(rows):
        parent = rows[i - 1] if i > 0 else None
        texts, used, own = _header_texts(row, parent, lookup)
        match = match_headers(texts, dataset) if own else match_headers([], dataset)
        scored.append(_Header(i, texts, match, used))
    if not scored:
        return None
    best = max(h.match.score for h in scored)
    if best < min(2, len(dataset.columns)):
        return None
    first = next(i for i, h in enumerate(scored) if h.match.score == best)
    chosen = first
    while chosen + 1 < len(scored) and scored[chosen + 1].match.score == best:
        chosen += 1
    return scored[chosen]


def _missing_reason(path: Path, match: HeaderMatch, dataset: Dataset, where: str) -> FileRejected:
    missing = ", ".join(match.missing)
    found = ", ".join(t for t in match.headers if t) or "-"
    return FileRejected(
        f"Berkas '{path.name}'{where}: kolom wajib tidak ditemukan: {missing} (judul kolom yang ada: "
        f"{found}). / File '{path.name}'{where}: required columns not found: {missing}.",
        "missing_columns",
    )


def _no_header(path: Path, dataset: Dataset, where: str = "") -> FileRejected:
    expected = ", ".join(c.name for c in dataset.columns if c.required)
    return FileRejected(
        f"Berkas '{path.name}'{where}: baris judul kolom untuk dataset {dataset.name} tidak ditemukan "
        f"dalam {HEADER_SCAN_ROWS} baris pertama (kolom yang diharapkan: {expected}). / File "
        f"'{path.name}'{where}: no header row for dataset {dataset.name} in the first "
        f"{HEADER_SCAN_ROWS} rows.",
        "no_header",
    )


def _columns(header: _Header) -> dict[str, SourceColumn]:
    return {name: SourceColumn(name, header.texts[i], i) for name, i in header.match.columns.items()}


def _header_warnings(header: _Header, row_number: int, dataset: Dataset) -> list[str]:
    out: list[str] = []
    if header.parent_used:
        out.append(
            f"judul kolom dua baris ({row_number - 1}-{row_number}) digabung / "
            f"two-row header ({row_number - 1}-{row_number}) combined"
        )
    for name, idxs in header.match.duplicates.items():
        cols = ", ".join(f"{get_column_letter(i + 1)} '{header.texts[i]}'" for i in idxs)
        used = get_column_letter(header.match.columns[name] + 1)
        out.append(
            f"kolom {name} ditemukan lebih dari sekali ({cols}); dipakai kolom {used} / "
            f"column {name} found more than once; column {used} used"
        )
    if header.match.extra:
        out.append("kolom tambahan diabaikan / extra columns ignored: " + ", ".join(header.match.extra))
    if header.match.dropped:
        out.append(
            "kolom identitas pemohon dibuang saat landing / applicant identity columns dropped: "
            + ", ".join(header.match.dropped)
        )
    return out


# ---------------------------------------------------------------------------------------------
# row classification (shared)


def _is_empty(cells: Sequence[object]) -> bool:
    return all(c is None or (type(c) is str and not c.strip()) for c in cells)


_TOTAL_FIRST = frozenset("JjTtGgSs \t\u00a0")
_TOTAL_MAX_LEN = max(map(len, TOTAL_LABELS)) + 8


def _total_label(cells: Sequence[object]) -> str | None:
    for c in cells:
        # cheap filter first: this runs on every cell of every row
        if type(c) is str and c and c[0] in _TOTAL_FIRST and len(c) <= _TOTAL_MAX_LEN:
            norm = normalize_header(c).rstrip(" :")
            if norm in TOTAL_LABELS:
                return c.strip()
    return None


def _is_numbering(cells: Sequence[object]) -> bool:
    nums: list[int] = []
    for c in cells:
        if c is None or (isinstance(c, str) and not c.strip()):
            continue
        if isinstance(c, bool):
            return False
        if isinstance(c, int | float) and c == int(c):
            nums.append(int(c))
        elif isinstance(c, str) and re.fullmatch(r"\(?\d{1,2}\)?", c.strip()):
            nums.append(int(c.strip("() ")))
        else:
            return False
    return len(nums) >= 3 and nums == list(range(nums[0], nums[0] + len(nums)))


def _classify(
    records: Iterator[tuple[int, Sequence[object]]],
    header: _Header,
    blank: object,
    table: Table,
    close: Callable[[], None],
) -> Generator[SourceRow, None, None]:
    """Raw records after the header -> data rows; totals, footers and noise set aside."""
    cols = header.match.columns
    header_keys = [header_key(t) for t in header.texts]
    first_col = min(cols.values(), default=0)
    first_char = header.texts[first_col].strip()[:1].lower() if header.texts else ""
    first = True
    pending: list[TotalRow] = []  # total rows not yet known to be trailing
    footer: list[int] = []
    skipped_repeats: list[int] = []
    min_filled = max(2, len(cols) // 2)
    names = tuple(cols)
    pick = itemgetter(*cols.values()) if len(cols) > 1 else lambda cells: (cells[first_col],)
    width = max(cols.values(), default=0) + 1  # a row at least this long has every matched column
    try:
        for row_number, cells in records:
            lead = cells[0] if cells else None  # a filled first cell is the common case: skip the full scan
            if (lead is None or (type(lead) is str and not lead.strip())) and _is_empty(cells):
                continue
            if first:
                first = False
                if _is_numbering(cells):
                    table.warnings.append(
                        f"baris {row_number}: baris nomor kolom (1, 2, 3, ...) dilewati / column-number row skipped"
                    )
                    continue
            if (
                len(cols) >= 2
                and first_col < len(cells)
                and str(cells[first_col]).strip()[:1].lower() == first_char
                and all(i < len(cells) and header_key(cells[i]) == header_keys[i] for i in cols.values())
            ):
                skipped_repeats.append(row_number)
                continue
            if len(cells) >= width:
                values = dict(zip(names, pick(cells), strict=True))
            else:
                values = {name: (cells[i] if i < len(cells) else blank) for name, i in cols.items()}
            label = _total_label(cells)
            if label is not None:
                total = TotalRow(row_number, label, values)
                pending.append(total)
                table.total_rows.append(total)
                continue
            if pending:
                filled = sum(1 for v in values.values() if not _is_empty((v,)))
                if filled < min_filled:
                    footer.append(row_number)
                    continue
                for t in pending:
                    i = table.total_rows.index(t)
                    table.total_rows[i] = TotalRow(t.row_number, t.label, t.values, trailing=False)
                    table.warnings.append(
                        f"baris {t.row_number}: baris '{t.label}' di tengah data diabaikan / "
                        f"'{t.label}' row in the middle of the data ignored"
                    )
                pending = []
                footer = []
            yield SourceRow(row_number, values)
        if footer:
            table.warnings.append(
                f"baris {_ranges(footer)} di bawah baris jumlah dianggap catatan kaki dan dilewati / "
                f"rows below the total row treated as footer and skipped"
            )
        if skipped_repeats:
            table.warnings.append(
                f"baris {_ranges(skipped_repeats)}: judul kolom berulang dilewati / repeated header rows skipped"
            )
    finally:
        close()


def _ranges(numbers: list[int]) -> str:
    out: list[str] = []
    start = prev = numbers[0]
    for n in numbers[1:] + [None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(out)


def _finish(
    table: Table,
    records: Iterator[tuple[int, Sequence[object]]],
    header: _Header,
    blank: object,
    dataset: Dataset,
    close: Callable[[], None],
    context: FileContext | None = None,
) -> Table:
    """Attach the row stream, reading ahead a sample for the decimal separators; a profile's steps
    run on every row (after the header, title, numbering and total rows are handled)."""
    table.head_warnings = len(table.warnings)
    classified = _classify(records, header, blank, table, close)
    table._close = classified.close
    # the decimal separators are sampled on the rows as read, before any profile step runs
    try:
        raw_sample = list(islice(classified, HINT_SAMPLE_ROWS))
    except BaseException:
        classified.close()
        raise
    numeric = [n for n in header.match.columns if dataset.column(n).type in ("numeric", "integer")]
    for name in numeric:
        hint = detect_decimal_separator(r.values.get(name) for r in raw_sample)
        if hint:
            table.decimal_hints[name] = hint
    # a file is written in one locale: columns that show nothing take the others' separator
    if len(set(table.decimal_hints.values())) == 1:
        file_hint = next(iter(table.decimal_hints.values()))
        for name in numeric:
            table.decimal_hints.setdefault(name, file_hint)
    if not raw_sample:
        table.warnings.append("tidak ada baris data / no data rows")
    table.rows = chain(raw_sample, classified)
    if table.profile is not None:
        context = context if context is not None else FileContext(file_name=table.path.name)
        context.title_lines, context.sheet, context.decimal_hints = table.title_lines, table.sheet, table.decimal_hints
        table.rows = export_profiles.apply(table.profile, table.rows, context)
    return table


# ---------------------------------------------------------------------------------------------
# CSV


def _cp1252_fallback(err: UnicodeError) -> tuple[str, int]:
    # the five bytes cp1252 leaves undefined (0x81 0x8D 0x8F 0x90 0x9D) are read as Latin-1
    assert isinstance(err, UnicodeDecodeError)
    return err.object[err.start : err.end].decode("latin-1"), err.end


codecs.register_error("satudata_cp1252", _cp1252_fallback)


def _detect_encoding(path: Path) -> str:
    """``utf-8-sig`` / ``utf-16`` by BOM, ``utf-8`` if the whole file is strict UTF-8, else
    ``cp1252``. Rejects binary content (NUL bytes, zip/xlsx signature)."""
    with path.open("rb") as f:
        head = f.read(_CHUNK)
        if not head.strip():
            rest = f.read(_CHUNK)
            if not rest.strip():
                raise FileRejected(f"Berkas '{path.name}' kosong. / File '{path.name}' is empty.", "empty_file")
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
            raise FileRejected(
                f"Berkas '{path.name}' berisi data biner (tampaknya berkas Excel yang diberi nama "
                f".csv); simpan sebagai CSV atau kirim sebagai .xlsx. / File '{path.name}' holds "
                "binary data (an Excel file named .csv?).",
                "binary_csv",
            )
        encoding = "utf-8-sig" if head.startswith(codecs.BOM_UTF8) else "utf-8"
        decoder = codecs.getincrementaldecoder("utf-8")()
        chunk = head
        while chunk:
            if b"\x00" in chunk:
                raise FileRejected(
                    f"Berkas '{path.name}' berisi data biner (byte NUL), bukan teks CSV. / "
                    f"File '{path.name}' holds binary data (NUL bytes), not CSV text.",
                    "binary_csv",
                )
            if encoding != "cp1252":
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    if encoding == "utf-8-sig":
                        raise FileRejected(
                            f"Berkas '{path.name}' ditandai UTF-8 (BOM) tetapi berisi byte yang bukan "
                            f"UTF-8. / File '{path.name}' has a UTF-8 BOM but invalid UTF-8 bytes.",
                            "unreadable",
                        ) from None
                    encoding = "cp1252"
            chunk = f.read(_CHUNK)
        if encoding != "cp1252":
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                encoding = "cp1252"
    return encoding


def _open_text(path: Path, encoding: str) -> io.TextIOWrapper:
    errors = "satudata_cp1252" if encoding == "cp1252" else "strict"
    return path.open("r", encoding=encoding, errors=errors, newline="")


def _bounded_lines(f: io.TextIOWrapper, path: Path, removed: list[int]) -> Iterator[str]:
    """The lines of ``f``, none read whole beyond MAX_LINE_CHARS (a 100 MB line costs no 100 MB of
    memory: the file is rejected), control characters removed (counted in ``removed[0]``)."""
    readline = f.readline
    number = 0
    while line := readline(MAX_LINE_CHARS):
        number += 1
        if len(line) == MAX_LINE_CHARS and line[-1] not in "\r\n":
            raise FileRejected(
                f"Berkas '{path.name}': baris {number} lebih panjang dari {MAX_LINE_CHARS:,} karakter; berkas "
                f"ditolak. / File '{path.name}': line {number} is longer than {MAX_LINE_CHARS:,} characters; "
                "the file is rejected.",
                "cell_too_large",
            )
        if _CONTROL.search(line):
            line, n = _CONTROL.subn("", line)
            removed[0] += n
        yield line


def _csv_records(
    path: Path, encoding: str, delimiter: str, warnings: list[str] | None = None
) -> Generator[tuple[int, list[str]], None, None]:
    """(line where the record starts, fields) for every record, streaming. Control characters are
    removed, with a warning appended to ``warnings`` when the file has been read to its end."""
    csv.field_size_limit(MAX_CELL_CHARS)  # process-wide; set here so that nothing can have raised it
    removed = [0]
    with _open_text(path, encoding) as f:
        reader = csv.reader(_bounded_lines(f, path, removed), delimiter=delimiter)
        last = 0
        try:
            for record in reader:
                start = last + 1
                last = reader.line_num
                yield start, record
            if removed[0] and warnings is not None:
                warnings.append(f"{removed[0]} karakter kontrol dihapus / {removed[0]} control characters removed")
        except csv.Error as exc:
            if "field larger than field limit" not in str(exc):
                raise FileRejected(
                    f"Berkas '{path.name}' tidak dapat dibaca sebagai CSV setelah baris {last}: {exc}. / "
                    f"File '{path.name}' cannot be read as CSV after line {last}: {exc}.",
                    "unreadable",
                ) from exc
            raise FileRejected(
                f"Berkas '{path.name}': sel setelah baris {last} lebih panjang dari {MAX_CELL_CHARS:,} karakter "
                f"(tanda petik yang tidak ditutup?); berkas ditolak. / File '{path.name}': a cell after line "
                f"{last} is longer than {MAX_CELL_CHARS:,} characters (an unclosed quote?); the file is rejected.",
                "cell_too_large",
            ) from exc
        except UnicodeDecodeError as exc:
            raise FileRejected(
                f"Berkas '{path.name}' tidak dapat dibaca sebagai CSV setelah baris {last}: {exc}. / "
                f"File '{path.name}' cannot be read as CSV after line {last}: {exc}.",
                "unreadable",
            ) from exc


def _title_lines(rows: Sequence[Sequence[object]], header: _Header) -> list[str]:
    """The text of each non-empty row above the header (report titles: a snapshot date, a tahapan); a title
    merged across cells counts once, and the upper row of a two-row header is not a title."""
    out = []
    for row in rows[: header.index - 1 if header.parent_used else header.index]:
        texts: list[str] = []
        for t in (_text(c) for c in row):
            if t and (not texts or texts[-1] != t):
                texts.append(t)
        if texts:
            out.append(" ".join(texts))
    return out


def _recognise(rows: Sequence[Sequence[object]], dataset: Dataset) -> tuple[Profile | None, Dataset, _Header | None]:
    """The export profile these first rows show (if any), the dataset as that export writes it, its header."""
    profile = export_profiles.recognise(dataset.name, rows)
    reading = profile.reading_dataset if profile is not None else dataset
    return profile, reading, _find_header(rows, reading)


def _where(profile: Profile | None, where: str) -> str:
    return f"{where} (dibaca sebagai / read as: {profile.nama})" if profile is not None else where


def _read_csv(path: Path, dataset: Dataset, context: FileContext | None = None) -> Table:
    try:
        encoding = _detect_encoding(path)
        with _open_text(path, encoding) as f:
            text = f.read(_SNIFF_CHARS)
    except OSError as exc:
        raise FileRejected(
            f"Berkas '{path.name}' tidak dapat dibuka: {exc}. / File '{path.name}' cannot be opened.",
            "unreadable",
        ) from exc
    if not text.strip():
        raise FileRejected(f"Berkas '{path.name}' kosong. / File '{path.name}' is empty.", "empty_file")
    if len(text) == _SNIFF_CHARS and "\n" in text:
        text = text[: text.rindex("\n") + 1]

    best: tuple[tuple[int, int, int], str, _Header, Profile | None, Dataset, list[str]] | None = None
    candidates = _CSV_DELIMITERS if path.suffix.lower() != ".tsv" else ("\t",)
    for rank, delimiter in enumerate(candidates):
        if delimiter not in text:  # every row would be one cell, which can match one column at most: no header
            continue
        try:
            rows = list(islice(csv.reader(io.StringIO(text), delimiter=delimiter), HEADER_SCAN_ROWS))
        except csv.Error:
            continue
        profile, reading, header = _recognise(rows, dataset)
        if header is None:
            continue
        key = (int(profile is not None), header.match.score, -rank)
        if best is None or key > best[0]:
            best = (key, delimiter, header, profile, reading, _title_lines(rows, header))
    if best is None:
        raise _no_header(path, dataset)
    _, delimiter, header, profile, reading, titles = best
    if header.match.missing:
        raise _missing_reason(path, header.match, reading, _where(profile, ""))

    notes: list[str] = []  # filled when the file has been read (control characters removed)
    records = _csv_records(path, encoding, delimiter, notes)
    header_line = 0
    for _ in range(header.index + 1):  # up to and including the header record
        header_line, _cells = next(records)
    table = Table(
        path=path,
        dataset=dataset.name,
        format="csv",
        sheet=None,
        header_row=header_line,
        columns=_columns(header),
        extra_columns=list(header.match.extra),
        dropped_columns=list(header.match.dropped),
        encoding=encoding,
        delimiter=delimiter,
        rows=iter(()),
        warnings=notes,
        profile=profile,
        title_lines=titles,
    )
    notes.extend(_header_warnings(header, header_line, reading))
    if encoding == "cp1252":
        table.warnings.append("berkas bukan UTF-8, dibaca sebagai Windows-1252 / not UTF-8, read as Windows-1252")
    return _finish(table, records, header, "", reading, records.close, context)


# ---------------------------------------------------------------------------------------------
# xlsx

_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')
_Range = tuple[int, int, int, int]  # min_col, min_row, max_col, max_row (1-based)


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _merged_ranges(ws: Any) -> list[_Range]:
    """Merged ranges of a read-only sheet, scanned from its XML in chunks."""
    try:
        source = ws.parent._archive.open(ws._worksheet_path)
    except (AttributeError, KeyError):  # pragma: no cover - openpyxl internals moved
        return []
    found: set[_Range] = set()
    tail = b""
    with source:
        while chunk := source.read(_CHUNK):
            data = tail + chunk
            for m in _MERGE_RE.finditer(data):
                c1, r1 = _col_number(m.group(1)), int(m.group(2))
                c2 = _col_number(m.group(3)) if m.group(3) else c1
                r2 = int(m.group(4)) if m.group(4) else r1
                found.add((min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2)))
            tail = data[-200:]
    return sorted(found, key=lambda r: (r[1], r[0]))


def _fill_merges(rows: list[list[object]], merges: list[_Range]) -> None:
    """Give every cell of a merged range the top-left value (header area, in place)."""
    for c1, r1, c2, r2 in merges:
        if r1 > len(rows):
            continue
        top = rows[r1 - 1]
        value = top[c1 - 1] if c1 - 1 < len(top) else None
        if value is None:
            continue
        for r in range(r1, min(r2, len(rows)) + 1):
            row = rows[r - 1]
            if len(row) < c2:
                row.extend([None] * (c2 - len(row)))
            for c in range(c1, c2 + 1):
                if row[c - 1] is None:
                    row[c - 1] = value


def _xlsx_records(ws: Any, start: int, merges: list[_Range]) -> Iterator[tuple[int, Sequence[object]]]:
    """(Excel row, values) from row ``start`` on; a value merged down a column fills the rows
    it covers."""
    starts: dict[int, list[tuple[int, int]]] = {}
    for c1, r1, c2, r2 in merges:
        if c1 == c2 and r2 > r1 and r2 >= start:
            starts.setdefault(r1, []).append((c1, r2))
    active: dict[int, tuple[object, int]] = {}  # col -> (value, last row)
    for row_number, cells in enumerate(ws.iter_rows(values_only=True), start=1):
        if row_number in starts:
            for col, last in starts[row_number]:
                value = cells[col - 1] if col - 1 < len(cells) else None
                if value is not None:
                    active[col] = (value, last)
        if row_number < start:
            continue
        if active:
            filled = list(cells)
            for col, (value, last) in list(active.items()):
                if row_number > last:
                    del active[col]
                    continue
                if len(filled) < col:
                    filled.extend([None] * (col - len(filled)))
                if filled[col - 1] is None:
                    filled[col - 1] = value
            cells = tuple(filled)
        yield row_number, cells


def _read_xlsx(path: Path, dataset: Dataset, context: FileContext | None = None) -> Table:
    import openpyxl  # heavy-ish import, only when an xlsx arrives

    if path.stat().st_size == 0:
        raise FileRejected(f"Berkas '{path.name}' kosong. / File '{path.name}' is empty.", "empty_file")
    _check_container(path)
    try:
        # cached values only: formulas are never evaluated, links to other workbooks never followed
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException, XML errors ...
        raise FileRejected(
            f"Berkas '{path.name}' bukan berkas xlsx yang valid atau rusak ({type(exc).__name__}); "
            f"buka dan simpan ulang di Excel. / File '{path.name}' is not a valid xlsx or is "
            "corrupt.",
            "corrupt_xlsx",
        ) from exc
    try:
        return _read_workbook(path, dataset, wb, context)
    except BaseException:
        wb.close()
        raise


def _check_container(path: Path) -> None:
    """Refuse, before anything is decompressed, what openpyxl must not open: a password-protected
    workbook (an encrypted OLE container), an old .xls named .xlsx, and a zip bomb (parts whose sizes
    as the zip directory declares them, which is all Python's zipfile will ever inflate, are too large)."""
    with path.open("rb") as f:
        head = f.read(len(_OLE_MAGIC))
        if head == _OLE_MAGIC:
            marker = "EncryptedPackage".encode("utf-16-le")
            tail = b""
            while chunk := f.read(_CHUNK):
                if marker in tail + chunk:
                    raise FileRejected(
                        f"Berkas '{path.name}' dilindungi kata sandi (terenkripsi); buka kunci lalu kirim ulang. / "
                        f"File '{path.name}' is password-protected (encrypted): remove the password and send it "
                        "again.",
                        "encrypted",
                    )
                tail = chunk[-len(marker) :]
            raise FileRejected(
                f"Berkas '{path.name}' adalah buku kerja Excel 97-2003 (.xls) yang diberi nama .xlsx; simpan "
                f"ulang sebagai .xlsx. / File '{path.name}' is an Excel 97-2003 (.xls) workbook named .xlsx: "
                "save it as .xlsx.",
                "unsupported_format",
            )
    try:
        with zipfile.ZipFile(path) as z:
            parts = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip at all: openpyxl says so (corrupt_xlsx)
    total = sum(p.file_size for p in parts)
    worst = max(parts, key=lambda p: p.file_size / max(p.compress_size, 1), default=None)
    ratio = worst.file_size / max(worst.compress_size, 1) if worst else 0
    if (
        len(parts) > XLSX_MAX_PARTS
        or total > XLSX_MAX_UNCOMPRESSED
        or (worst is not None and worst.file_size > XLSX_RATIO_FROM and ratio > XLSX_MAX_RATIO)
    ):
        raise FileRejected(
            f"Berkas '{path.name}' akan mengembang menjadi {total / 2**20:,.0f} MiB ({len(parts)} bagian, rasio "
            f"kompresi hingga {ratio:,.0f}:1); ditolak tanpa dibuka (batas {XLSX_MAX_UNCOMPRESSED >> 20:,} MiB, "
            f"{XLSX_MAX_RATIO}:1). Kirim dalam beberapa berkas atau sebagai CSV. / File '{path.name}' would "
            f"expand to {total / 2**20:,.0f} MiB ({len(parts)} parts, compression ratio up to {ratio:,.0f}:1): "
            f"refused without opening it (zip bomb guard; limits {XLSX_MAX_UNCOMPRESSED >> 20:,} MiB, "
            f"{XLSX_MAX_RATIO}:1). Split it or send it as CSV.",
            "too_large",
        )


def _read_workbook(path: Path, dataset: Dataset, wb: Any, context: FileContext | None = None) -> Table:
    choices: list[
        tuple[tuple[int, int, int, int, int], Any, _Header, list[_Range], Profile | None, Dataset, list[str]]
    ] = []
    any_cells = False
    try:
        for position, ws in enumerate(wb.worksheets):
            ws.reset_dimensions()  # dimensions written by some tools are wrong
            merges = _merged_ranges(ws)
            head = [list(r) for r in islice(ws.iter_rows(values_only=True), HEADER_SCAN_ROWS)]
            if any(not _is_empty(r) for r in head):
                any_cells = True
            _fill_merges(head, merges)
            profile, reading, header = _recognise(head, dataset)
            if header is None:
                continue
            key = (
                int(profile is not None),
                header.match.score,
                -len(header.match.missing),
                int(ws.sheet_state == "visible"),
                -position,
            )
            choices.append((key, ws, header, merges, profile, reading, _title_lines(head, header)))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise FileRejected(
            f"Berkas '{path.name}' rusak, isi sheet tidak dapat dibaca ({type(exc).__name__}). / "
            f"File '{path.name}' is corrupt, sheet content unreadable.",
            "corrupt_xlsx",
        ) from exc
    if not any_cells:
        raise FileRejected(
            f"Berkas '{path.name}' kosong (tidak ada sel berisi). / File '{path.name}' is empty.",
            "empty_file",
        )
    if not choices:
        raise _no_header(path, dataset)
    _, ws, header, merges, profile, reading, titles = max(choices, key=lambda c: c[0])
    where = f" sheet '{ws.title}'"
    if header.match.missing:
        raise _missing_reason(path, header.match, reading, _where(profile, where))
    header_row = header.index + 1
    warnings = _header_warnings(header, header_row, reading)
    if len(wb.worksheets) > 1:
        names = ", ".join(f"'{s.title}'" for s in wb.worksheets)
        warnings.insert(0, f"sheet '{ws.title}' dipakai (dari {names}) / sheet '{ws.title}' used (of {names})")
    table = Table(
        path=path,
        dataset=dataset.name,
        format="xlsx",
        sheet=ws.title,
        header_row=header_row,
        columns=_columns(header),
        extra_columns=list(header.match.extra),
        dropped_columns=list(header.match.dropped),
        encoding=None,
        delimiter=None,
        rows=iter(()),
        warnings=warnings,
        profile=profile,
        title_lines=titles,
    )
    records = _xlsx_records(ws, header_row + 1, merges)
    return _finish(table, _guard_xlsx(records, path), header, None, reading, wb.close, context)


def _guard_xlsx(records: Iterable[tuple[int, Sequence[object]]], path: Path) -> Iterator[tuple[int, Sequence[object]]]:
    try:
        yield from records
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise FileRejected(
            f"Berkas '{path.name}' rusak di tengah sheet ({type(exc).__name__}). / "
            f"File '{path.name}' is corrupt inside the sheet.",
            "corrupt_xlsx",
        ) from exc


# ---------------------------------------------------------------------------------------------
# .xls: Excel 97-2003 (BIFF, read with xlrd) and HTML tables saved as .xls
#
# Both are handed to _read_workbook as a workbook that speaks the part of openpyxl's read-only
# API it uses (``worksheets``, ``title``, ``sheet_state``, ``reset_dimensions``, ``iter_rows``,
# ``close``), so header detection, sheet choice and row streaming are the xlsx ones. They carry
# no merge XML (_merged_ranges finds none): merged cells are spread here as the xlsx path does,
# every merge in the first HEADER_SCAN_ROWS rows (header area), single-column merges below.

# xlrd holds a whole BIFF file in memory (several times its size as Python objects); an .xls
# is at most 65,536 rows x 256 columns, which real exports reach well under this size
XLS_MAX_BYTES = 64 << 20
# an HTML table is streamed (constant memory); this bounds the time spent on one file
HTML_MAX_BYTES = 256 << 20
HTML_MAX_COLUMNS = 16_384  # Excel's column count: a wider row is refused
HTML_MAX_COLSPAN = 1_000  # the HTML spec's limits on colspan / rowspan (larger values are clamped)
HTML_MAX_ROWSPAN = 65_534
_SNIFF_BYTES = 4096
_HTML_START = re.compile(
    r"^(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|table|head|body|meta|style|title)\b",
    re.I | re.S,
)
_SPREADSHEET_ML = b"urn:schemas-microsoft-com:office:spreadsheet"
_HTML_SKIP = frozenset({"script", "style", "title", "template", "noscript", "xml", "textarea", "select"})
_HTML_BLOCK = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "center"})


def _read_xls_family(path: Path, dataset: Dataset, context: FileContext | None = None) -> Table:
    """A file named .xls: BIFF, an HTML table, or tab-separated text (web applications write all
    three under ``.xls``), told apart by its first bytes; an xlsx or an XML Spreadsheet 2003 under
    that name is refused with the way out."""
    try:
        with path.open("rb") as f:
            head = f.read(_SNIFF_BYTES)
    except OSError as exc:
        raise FileRejected(
            f"Berkas '{path.name}' tidak dapat dibuka: {exc}. / File '{path.name}' cannot be opened.", "unreadable"
        ) from exc
    if not head.strip():
        raise FileRejected(f"Berkas '{path.name}' kosong. / File '{path.name}' is empty.", "empty_file")
    if head.startswith(_OLE_MAGIC):
        return _read_xls(path, dataset, context)
    if head.startswith(b"PK\x03\x04"):  # openpyxl opens nothing named .xls
        raise FileRejected(
            f"Berkas '{path.name}' adalah buku kerja .xlsx yang diberi nama .xls; ganti ekstensinya menjadi .xlsx "
            f"lalu kirim ulang. / File '{path.name}' is an .xlsx workbook named .xls: rename it to .xlsx and send it "
            "again.",
            "unsupported_format",
        )
    if _looks_html(head):
        return _read_html(path, dataset, context)
    if head.lstrip(codecs.BOM_UTF8).lstrip().startswith(b"<?xml") and _SPREADSHEET_ML in head:
        raise FileRejected(
            f"Berkas '{path.name}' adalah XML Spreadsheet 2003, bukan .xls; simpan ulang sebagai .xlsx. / "
            f"File '{path.name}' is an XML Spreadsheet 2003, not an .xls: save it as .xlsx.",
            "unsupported_format",
        )
    return _read_csv(path, dataset, context)  # text under an .xls name (tab-separated, as many web apps write)


def _looks_html(head: bytes) -> bool:
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if head.startswith(bom):
            text = head[len(bom) :].decode(encoding, errors="ignore")
            break
    else:
        text = head.decode("latin-1")
    return bool(_HTML_START.match(text.lstrip()))


def _spread_merges(
    records: Iterable[tuple[list[object], Sequence[_Range]]],
) -> Iterator[tuple[object, ...]]:
    """Rows of a sheet, given each with the merges that start on it (1-based ranges): a merged
    cell's value is copied over the range, as _fill_merges (header area) and _xlsx_records
    (single-column merges in the data) do for xlsx."""
    active: list[tuple[int, int, int, int, object]] = []
    for number, (cells, starting) in enumerate(records, start=1):
        for c1, r1, c2, r2 in starting:
            value = cells[c1 - 1] if c1 - 1 < len(cells) else None
            if value is not None and (r2 > r1 or c2 > c1):
                active.append((c1, r1, c2, r2, value))
        if active:
            active = [m for m in active if m[3] >= number]
            for c1, _r1, c2, _r2, value in active:
                if number > HEADER_SCAN_ROWS and c1 != c2:
                    continue
                if len(cells) < c2:
                    cells.extend([None] * (c2 - len(cells)))
                for c in range(c1, c2 + 1):
                    if cells[c - 1] is None:
                        cells[c - 1] = value
        yield tuple(cells)


@dataclass
class _Sheet:
    """One sheet of an .xls or HTML file, shaped like an openpyxl read-only worksheet."""

    title: str
    rows: Callable[[], Iterator[tuple[object, ...]]]
    sheet_state: str = "visible"

    def reset_dimensions(self) -> None:
        pass

    def iter_rows(self, values_only: bool = True) -> Iterator[tuple[object, ...]]:
        return self.rows()


@dataclass
class _Book:
    worksheets: list[_Sheet]
    close: Callable[[], None]


def _too_large(path: Path, size: int, limit: int) -> FileRejected:
    return FileRejected(
        f"Berkas '{path.name}' berukuran {size / 2**20:,.0f} MiB, melebihi batas {limit >> 20:,} MiB untuk berkas "
        f".xls; kirim sebagai .xlsx atau .csv, atau dalam beberapa berkas. / File '{path.name}' is "
        f"{size / 2**20:,.0f} MiB, over the {limit >> 20:,} MiB limit for .xls files: send it as .xlsx or .csv, "
        "or split it.",
        "too_large",
    )


def _cell_too_large(path: Path, where: str) -> FileRejected:
    return FileRejected(
        f"Berkas '{path.name}': sel di {where} lebih panjang dari {MAX_CELL_CHARS:,} karakter; berkas ditolak. / "
        f"File '{path.name}': the cell at {where} is longer than {MAX_CELL_CHARS:,} characters; the file is "
        "rejected.",
        "cell_too_large",
    )


def _read_xls(path: Path, dataset: Dataset, context: FileContext | None = None) -> Table:
    """An Excel 97-2003 workbook (BIFF5/8), read with xlrd: cached values only (xlrd evaluates no
    formula), dates by the workbook's date system, integral numbers as int (as openpyxl gives them)."""
    import xlrd  # only when an .xls arrives

    size = path.stat().st_size
    if size > XLS_MAX_BYTES:
        raise _too_large(path, size, XLS_MAX_BYTES)
    _refuse_encrypted_ole(path)
    log = io.StringIO()  # xlrd writes its warnings to a log file, stdout by default
    try:
        try:
            book = xlrd.open_workbook(str(path), logfile=log, formatting_info=True, on_demand=True)
        except NotImplementedError:  # formatting of some BIFF versions: the merges are lost, the values are not
            book = xlrd.open_workbook(str(path), logfile=log, on_demand=True)
    except Exception as exc:  # XLRDError, CompDocError, struct.error, IndexError ... on a broken file
        text = str(exc)
        if "encrypted" in text.lower():
            raise FileRejected(
                f"Berkas '{path.name}' dilindungi kata sandi (terenkripsi); buka kunci lalu kirim ulang. / "
                f"File '{path.name}' is password-protected (encrypted): remove the password and send it again.",
                "encrypted",
            ) from exc
        if "find workbook" in text.lower():
            raise FileRejected(
                f"Berkas '{path.name}' adalah dokumen Office tetapi bukan buku kerja Excel (tidak ada stream "
                f"Workbook). / File '{path.name}' is an Office document but not an Excel workbook.",
                "corrupt_xls",
            ) from exc
        raise FileRejected(
            f"Berkas '{path.name}' bukan berkas .xls yang valid atau rusak ({type(exc).__name__}: {text[:200]}); "
            f"buka dan simpan ulang sebagai .xlsx. / File '{path.name}' is not a valid .xls or is corrupt: open it "
            "and save it as .xlsx.",
            "corrupt_xls",
        ) from exc
    try:
        sheets = [_xls_sheet(path, book, xlrd, i) for i in range(book.nsheets)]
        table = _read_workbook(path, dataset, _Book(sheets, book.release_resources), context)
    except FileRejected:
        book.release_resources()
        raise
    except Exception as exc:
        book.release_resources()
        raise FileRejected(
            f"Berkas '{path.name}' rusak, isi sheet tidak dapat dibaca ({type(exc).__name__}). / "
            f"File '{path.name}' is corrupt, sheet content unreadable.",
            "corrupt_xls",
        ) from exc
    table.format = "xls"
    return table


def _refuse_encrypted_ole(path: Path) -> None:
    """A password-protected workbook of any Excel version is an OLE file with an
    ``EncryptedPackage`` stream (xlsx) or a FILEPASS record (BIFF, refused by xlrd)."""
    marker = "EncryptedPackage".encode("utf-16-le")
    with path.open("rb") as f:
        tail = b""
        while chunk := f.read(_CHUNK):
            if marker in tail + chunk:
                raise FileRejected(
                    f"Berkas '{path.name}' dilindungi kata sandi (terenkripsi); buka kunci lalu kirim ulang. / "
                    f"File '{path.name}' is password-protected (encrypted): remove the password and send it again.",
                    "encrypted",
                )
            tail = chunk[-len(marker) :]


def _xls_sheet(path: Path, book: Any, xlrd: Any, index: int) -> _Sheet:
    sheet = book.sheet_by_index(index)
    merges = sorted(((c1 + 1, r1 + 1, c2, r2) for r1, r2, c1, c2 in sheet.merged_cells), key=lambda m: m[1])
    date, number, boolean, error = xlrd.XL_CELL_DATE, xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_BOOLEAN, xlrd.XL_CELL_ERROR

    def value(ctype: int, v: Any, r: int, c: int) -> object:
        if ctype == number:
            return int(v) if v == int(v) and abs(v) < 2**53 else v
        if ctype == date:
            try:
                return xlrd.xldate.xldate_as_datetime(v, book.datemode)
            except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                return v
        if ctype == boolean:
            return bool(v)
        if ctype == error:
            return xlrd.error_text_from_code.get(v, "#ERR")
        if isinstance(v, str):
            if not v:
                return None
            if len(v) > MAX_CELL_CHARS:
                raise _cell_too_large(path, f"sheet '{sheet.name}' {get_column_letter(c + 1)}{r + 1}")
        return v

    def rows() -> Iterator[tuple[object, ...]]:
        by_row: dict[int, list[_Range]] = {}
        for m in merges:
            by_row.setdefault(m[1], []).append(m)

        def records() -> Iterator[tuple[list[object], Sequence[_Range]]]:
            for r in range(sheet.nrows):
                types, values = sheet.row_types(r), sheet.row_values(r)
                cells = [value(t, v, r, c) for c, (t, v) in enumerate(zip(types, values, strict=True))]
                yield cells, by_row.get(r + 1, ())

        return _spread_merges(records())

    visible = "visible" if sheet.visibility == 0 else "hidden"
    return _Sheet(sheet.name, rows, visible)


def _read_html(path: Path, dataset: Dataset, context: FileContext | None = None) -> Table:
    """An HTML table saved as .xls (what many web applications export): parsed with the standard
    library's html.parser, streaming. Nothing is fetched and no script runs; entity references are
    the fixed HTML5 set (no user-defined entities, so no expansion bomb). Text outside tables
    (a heading above the table) becomes a one-cell row, as Excel shows it; all tables of the
    page are stacked on one sheet, as Excel opens them. ``colspan`` / ``rowspan`` are merges."""
    size = path.stat().st_size
    if size > HTML_MAX_BYTES:
        raise _too_large(path, size, HTML_MAX_BYTES)
    try:
        encoding = _detect_encoding(path)
    except FileRejected as exc:
        if exc.code != "binary_csv":
            raise
        raise FileRejected(
            f"Berkas '{path.name}' berisi data biner (byte NUL), bukan tabel HTML. / "
            f"File '{path.name}' holds binary data (NUL bytes), not an HTML table.",
            "unreadable",
        ) from exc

    def rows() -> Iterator[tuple[object, ...]]:
        return _spread_merges(_html_records(path, encoding))

    sheet = _Sheet(path.stem[:31] or "Sheet1", rows)
    table = _read_workbook(path, dataset, _Book([sheet], lambda: None), context)
    table.format = "html"
    table.sheet = None
    table.encoding = encoding
    return table


def _html_records(path: Path, encoding: str) -> Iterator[tuple[list[object], Sequence[_Range]]]:
    parser = _HtmlTable(path)
    with _open_text(path, encoding) as f:
        while chunk := f.read(_SNIFF_CHARS):
            parser.feed(chunk)
            # html.parser holds text (and an open tag) until it sees its end: a cell or a tag that never
            # ends is refused here, before it is held whole
            if len(parser.rawdata) > 4 * MAX_CELL_CHARS:
                parser._refuse_cell()
            yield from parser.drain()
        parser.close()
        parser.end()
        yield from parser.drain()


class _HtmlTable(HTMLParser):
    """Rows of the tables of an HTML page: (cells, merges starting on the row); cell text with its
    whitespace collapsed, ``<br>`` a line break, empty cells None. A table inside a cell gives its
    text to that cell."""

    def __init__(self, path: Path) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.out: list[tuple[list[object], list[_Range]]] = []
        self.number = 0  # rows emitted
        self.skip: list[str] = []  # open elements whose content is not shown (script, style, title ...)
        self.tables = 0  # depth of open <table> elements
        self.row: list[object] | None = None
        self.starting: list[_Range] = []
        self.cell: list[str] | None = None
        self.cell_len = 0
        self.cell_at: tuple[int, int, int] = (0, 1, 1)  # 0-based column, colspan, rowspan
        self.spans: dict[int, int] = {}  # 0-based column -> last row a rowspan from above covers
        self.loose: list[str] = []  # text outside any table
        self.loose_len = 0

    # -- output
    def drain(self) -> list[tuple[list[object], list[_Range]]]:
        out, self.out = self.out, []
        return out

    def end(self) -> None:
        self._end_cell()
        self._end_row()
        self._flush_loose()

    def _emit(self, cells: list[object], starting: list[_Range]) -> None:
        self.number += 1
        self.out.append((cells, starting))

    def _flush_loose(self) -> None:
        text = " ".join("".join(self.loose).split())
        self.loose, self.loose_len = [], 0
        if text:
            self._emit([text], [])

    # -- tags
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip:
            if tag in _HTML_SKIP:
                self.skip.append(tag)
            return
        if tag in _HTML_SKIP:
            self.skip.append(tag)
        elif tag == "table":
            self.tables += 1
            if self.tables == 1:
                self._flush_loose()
        elif tag == "br":
            if self.tables or self.cell is not None:
                self._text(_BR)
            else:
                self._flush_loose()
        elif self.tables == 1 and tag == "tr":
            self._end_cell()
            self._end_row()
            self.row, self.starting = [], []
        elif self.tables == 1 and tag in ("td", "th"):
            self._start_cell(dict(attrs))
        elif not self.tables and tag in _HTML_BLOCK:
            self._flush_loose()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_SKIP:  # <td/> <br/> ...; a self-closed <script/> opens nothing
            self.handle_starttag(tag, attrs)
            if tag in ("td", "th", "tr", "table"):
                self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            if tag in self.skip:
                while self.skip.pop() != tag:
                    pass
            return
        if tag == "table" and self.tables:
            if self.tables == 1:
                self._end_cell()
                self._end_row()
            self.tables -= 1
        elif self.tables == 1 and tag in ("td", "th"):
            self._end_cell()
        elif self.tables == 1 and tag == "tr":
            self._end_cell()
            self._end_row()
        elif not self.tables and tag in _HTML_BLOCK:
            self._flush_loose()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self._text(data)

    def _text(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
            self.cell_len += len(data)
            if self.cell_len > 4 * MAX_CELL_CHARS:  # whitespace collapses; this bounds the memory
                self._refuse_cell()
        elif not self.tables:
            self.loose.append(data)
            self.loose_len += len(data)
            if self.loose_len > 4 * MAX_CELL_CHARS:
                raise _cell_too_large(self.path, f"baris/row {self.number + 1}")

    def _refuse_cell(self) -> None:
        where = f"baris/row {self.number + 1}, kolom/column {get_column_letter(self.cell_at[0] + 1)}"
        raise _cell_too_large(self.path, where)

    # -- cells and rows
    def _start_cell(self, attrs: dict[str, str | None]) -> None:
        self._end_cell()
        if self.row is None:  # <td> without <tr>
            self.row, self.starting = [], []
        while len(self.row) in self.spans:  # covered by a rowspan from above: left empty, filled by _spread_merges
            self.row.append(None)
        colspan = min(max(_int_attr(attrs.get("colspan")), 1), HTML_MAX_COLSPAN)
        rowspan = min(max(_int_attr(attrs.get("rowspan")), 1), HTML_MAX_ROWSPAN)
        start = len(self.row)
        if start + colspan > HTML_MAX_COLUMNS:
            raise FileRejected(
                f"Berkas '{self.path.name}': baris {self.number + 1} lebih lebar dari {HTML_MAX_COLUMNS:,} "
                f"kolom; berkas ditolak. / File '{self.path.name}': row {self.number + 1} is wider than "
                f"{HTML_MAX_COLUMNS:,} columns; the file is rejected.",
                "too_large",
            )
        self.row.extend([None] * colspan)
        self.cell, self.cell_len, self.cell_at = [], 0, (start, colspan, rowspan)

    def _end_cell(self) -> None:
        if self.cell is None or self.row is None:
            self.cell = None
            return
        text = "\n".join(" ".join(line.split()) for line in "".join(self.cell).split(_BR)).strip()
        if len(text) > MAX_CELL_CHARS:
            self._refuse_cell()
        start, colspan, rowspan = self.cell_at
        self.row[start] = text or None
        row_number = self.number + 1
        if colspan > 1 or rowspan > 1:
            self.starting.append((start + 1, row_number, start + colspan, row_number + rowspan - 1))
        for c in range(start, start + colspan) if rowspan > 1 else ():
            self.spans[c] = row_number + rowspan - 1
        self.cell = None

    def _end_row(self) -> None:
        if self.row is None:
            return
        row_number = self.number + 1
        for c in sorted(self.spans):  # rowspans from above reaching past this row's last cell
            if c >= len(self.row) and self.spans[c] >= row_number:
                self.row.extend([None] * (c + 1 - len(self.row)))
        self._emit(self.row, self.starting)
        self.spans = {c: last for c, last in self.spans.items() if last > row_number}
        self.row, self.starting = None, []


_BR = "\u2028"  # a <br> inside a cell, until the cell's whitespace is collapsed


def _int_attr(value: str | None) -> int:
    m = re.match(r"\s*(\d{1,7})", value or "")
    return int(m.group(1)) if m else 1
