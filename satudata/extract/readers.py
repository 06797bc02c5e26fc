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
    format: Literal["csv", "xlsx"]
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
    if suffix in {".xls", ".ods", ".xlsb"}:
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
    for n in numbers[1:] + [None]:  # type: ignore[list-item]
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
                warnings.append(
                    f"{removed[0]} karakter kontrol dihapus / {removed[0]} control characters removed"
                )
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
    """The text of each non-empty row above the header (report titles: a snapshot date, a tahapan)."""
    out = []
    for row in rows[: header.index]:
        text = " ".join(t for t in (_text(c) for c in row) if t)
        if text:
            out.append(text)
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
                tail = chunk[-len(marker):]
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
    choices: list[tuple[tuple[int, int, int, int, int], Any, _Header, list[_Range], Profile | None, Dataset,
                        list[str]]] = []
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
