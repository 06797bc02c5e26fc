"""The block path of the loader: a CSV read in blocks with pyarrow, each value parsed once per distinct value.

One output, two paths: this path writes exactly what the per-row path (satudata/load/loader.py,
``checked_rows``) writes for the same file (raw rows, findings, file status and counts), and a parity
test (tests/integration/test_loader_parity.py) runs both over the sample data and the hostile fixtures.
It takes only the files it can prove it reads exactly, and gives the rest back (:class:`Fallback`, raised
before or during the load; the loader rolls the file's transaction back and runs the per-row path):

- only CSV in the standard's own columns (no export profile), UTF-8 or Windows-1252, every record as
  wide as the header record (a ragged row, such as a signature line, gives the file back);
- the reader (satudata/extract/readers.py) finds the encoding, delimiter, header and decimal hints as for
  the per-row path; this path reads the records after the header. Text is decoded with the same codec
  and control characters removed as the reader does, then pyarrow parses it in blocks of ``BLOCK_BYTES``
  (memory bounded whatever the file size), every column as a string;
- physical line numbers are counted from the text: each record spans one line plus the line breaks
  inside its quoted values; when the lines of the file and the records disagree (an empty line between
  records) the file is given back;
- a cell or a line over the reader's limits gives the file back (the per-row path rejects it).

Per block: the rows the reader would not take as data (blank rows, repeated headers, JUMLAH/TOTAL rows
and what follows them, the first row when it numbers the columns) are found with vectorised filters
that never miss one, and classified by the reader's own functions. Each column is dictionary-encoded:
the pure parser of the column (satudata/extract/parse.py) runs once per distinct value. Each row rule
(satudata/rules/row_checks.py) declares the columns it reads and runs once per distinct combination of
them; the in-file uniqueness rules run row by row in file order, their key sets carried across blocks.
Accepted rows are written with COPY, built as whole columns of COPY text.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as _pc
import pyarrow.csv as pacsv

from satudata.datasets import Dataset
from satudata.extract import parse, readers
from satudata.extract.readers import TotalRow
from satudata.rules import Finding, finding
from satudata.rules.row_checks import IN_ORDER, ROW_CHECKS, RowChecker, reads

# the kernels used on string, boolean and index arrays (pyarrow-stubs types each by its input type)
pc: Any = _pc

BLOCK_BYTES = 2 << 20
TEXT_CHUNK = 1 << 20
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252")
CACHE_LIMIT = 200_000  # distinct values remembered per column across blocks
# Python's str.isspace() characters; RE2's \s is only [\t\n\f\r ]
_PY_SPACE = r"\s\x0b\x1c-\x1f\x85\xa0\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
_BLANK_RE = f"^[{_PY_SPACE}]*$"
# a value text_value (satudata/extract/parse.py) returns as it is, that COPY needs not escape: no space but
# single spaces between words, no tab or line break, no backslash
_NOT_SPACE = f"[^{_PY_SPACE}\\\\]"
_CANONICAL_TEXT_RE = f"^{_NOT_SPACE}+( {_NOT_SPACE}+)*$"
# readers._total_label's cheap filter: a first character of JUMLAH/TOTAL/GRAND/SUB (or a space), and short
# and then only what a JUMLAH/TOTAL label can be made of once normalised (readers.TOTAL_LABELS: letters,
# separators, ':' and '/'; any character outside ASCII is let through)
_LABEL_CHARS = "A-Za-z\\s\\x0b\\x1c-\\x1f._:/\\x{80}-\\x{10ffff}"
_TOTAL_RE = f"^[JjTtGgSs \t\u00a0][{_LABEL_CHARS}]{{0,{readers._TOTAL_MAX_LEN - 1}}}$"
# The first UTF-8 byte a value matching each regex can start with (-1: the empty value), a cheap filter run
# before the regex, which then reads the few values left: the same values match, in a fraction of the time.
_TOTAL_FIRST = np.array([ord(c) for c in "JjTtGgSs \t"] + [0xC2])  # 0xC2: U+00A0
# _PY_SPACE: ASCII spaces, U+0085 and U+00A0 (0xC2), U+1680 (0xE1), U+2000-U+205F (0xE2), U+3000 (0xE3)
_BLANK_FIRST = np.array([-1, 9, 10, 11, 12, 13, 28, 29, 30, 31, 32, 0xC2, 0xE1, 0xE2, 0xE3])


def warm_up() -> None:
    """What a process pays once, not per file: pyarrow imports pandas on its first array built from Python
    objects (2 CPU-s where Python writes no bytecode), the rule catalogue and the export profiles are read
    from their YAML (both cached for the process). A process that times its loads (satudata/bench.py) pays
    it before the clock starts."""
    from satudata.extract.profiles import load_profiles
    from satudata.rules import catalogue

    pa.array(["x"], pa.string())
    catalogue()
    load_profiles()


_UNSEEN = object()
_PREPARED = frozenset({"nip", "status_kepegawaian", "kode_rekening"})  # what RowChecker.prepare reads


# `SATUDATA_LOADER=auto` (the default) tries the block path for CSV files of at least this size, the per-row
# path for smaller ones. Measured 2026-12-06 (realisasi_belanja, ~145 bytes a row, median of 7, 2 cores):
# 50 rows 28.5 ms in blocks vs 21.4 ms by row, 200 rows 41.0 vs 19.3, 1,000 rows 82.6 vs 67.0, 2,000 rows
# 74.4 vs 77.1, 5,000 rows 95.5 vs 258.4: the two meet near 2,000 rows (about 290 KB). Most submissions are
# far smaller (nasional sample: median 6.5 KB, 90th percentile 47 KB).
FROM_BYTES = 256 << 10


class Fallback(Exception):
    """The block path cannot prove it reads this file exactly: the per-row path loads it."""


def eligible(table: readers.Table) -> str | None:
    """None when the block path may take the file; else why not."""
    if table.format != "csv":
        return f"format {table.format}"
    if table.profile is not None:
        return f"export profile {table.profile.id}"
    if table.encoding not in ENCODINGS:
        return f"encoding {table.encoding}"
    if not table.columns:
        return "no columns"
    return None


@dataclass
class BlockResult:
    """What the block path read, in the shape the loader's file outcome needs."""

    warnings: list[str]
    total_rows: list[TotalRow]
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    warning_rules: set[str] = field(default_factory=set)
    sums: dict[str, Decimal] = field(default_factory=dict)
    periods: set[str] = field(default_factory=set)


# ---------------------------------------------------------------------------------------------
# the text after the header


class _Text(io.RawIOBase):
    """The file's text after the header record, as UTF-8 bytes for pyarrow: decoded as the reader
    decodes it, control characters removed (counted), physical line breaks counted."""

    def __init__(self, f: io.TextIOWrapper) -> None:
        self.f = f
        self.pending = b""
        self.removed = 0
        self.breaks = 0
        self.last_cr = False  # the text read so far ends with \r (a \r\n may straddle two chunks)
        self.trailing = 0  # line breaks in the run of \r / \n that ends the text read so far
        self.ends_with_break = False
        self.empty = True
        self.quoted = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while len(self.pending) < len(buffer):
            chunk = self.f.read(TEXT_CHUNK)
            if not chunk:
                break
            self.pending += self._count(chunk).encode("utf-8")
        n = min(len(buffer), len(self.pending))
        buffer[:n] = self.pending[:n]
        self.pending = self.pending[n:]
        return n

    def _count(self, chunk: str) -> str:
        """The chunk without its control characters (counted), its line breaks counted."""
        if readers._CONTROL.search(chunk):
            chunk, n = readers._CONTROL.subn("", chunk)
            self.removed += n
            if not chunk:
                return chunk
        self.empty = False
        self.quoted = self.quoted or '"' in chunk  # without a quote, no value holds a line break
        crlf = chunk.count("\r\n") + (1 if self.last_cr and chunk[0] == "\n" else 0)
        self.breaks += chunk.count("\n") + chunk.count("\r") - crlf
        tail = chunk.rstrip("\r\n")
        run = chunk[len(tail) :]
        run_breaks = run.count("\n") + run.count("\r") - run.count("\r\n")
        if tail:
            self.trailing = run_breaks
        else:  # the whole chunk is line breaks: the run goes on
            self.trailing += run_breaks - (1 if self.last_cr and chunk[0] == "\n" else 0)
        self.ends_with_break = bool(run)
        self.last_cr = chunk[-1] == "\r"
        return chunk

    def physical_lines(self) -> tuple[int, int]:
        """(lines of the text, empty lines at its end), as Python's readline counts them."""
        if self.empty:
            return 0, 0
        lines = self.breaks + (0 if self.ends_with_break else 1)
        return lines, max(self.trailing - 1, 0) if self.ends_with_break else 0


def _after_header(path: Path, encoding: str, delimiter: str, header_row: int) -> tuple[io.TextIOWrapper, int, int]:
    """The file opened past its header record (read as the reader reads it), the line the data starts
    on and the number of fields of the header record."""
    f = readers._open_text(path, encoding)
    number = 0

    def lines() -> Iterator[str]:
        nonlocal number
        while line := f.readline(readers.MAX_LINE_CHARS):
            number += 1
            if len(line) == readers.MAX_LINE_CHARS and line[-1] not in "\r\n":
                raise Fallback("line too long")
            yield readers._CONTROL.sub("", line)

    csv.field_size_limit(readers.MAX_CELL_CHARS)
    reader = csv.reader(lines(), delimiter=delimiter)
    last = 0
    try:
        for record in reader:
            start, last = last + 1, reader.line_num
            if start == header_row:
                return f, last + 1, len(record)
            if start > header_row:
                break
    except csv.Error as exc:
        f.close()
        raise Fallback(f"header: {exc}") from exc
    f.close()
    raise Fallback("header record not found")


# ---------------------------------------------------------------------------------------------
# row classification: the reader's, on the few rows a filter finds


class _Rows:
    """The reader's classification state (readers._classify) carried across blocks."""

    def __init__(self, table: readers.Table, width: int) -> None:
        cols = {name: c.index for name, c in table.columns.items()}
        self.cols = cols
        self.names = tuple(cols)
        self.width = width
        self.first_col = min(cols.values())
        self.first_char = table.columns[next(n for n, i in cols.items() if i == self.first_col)].header
        self.first_char = self.first_char.strip()[:1].lower()
        self.header_keys = {i: parse.header_key(table.columns[n].header) for n, i in cols.items()}
        self.min_filled = max(2, len(cols) // 2)
        self.first = True
        self.pending: list[TotalRow] = []
        self.footer: list[int] = []
        self.repeats: list[int] = []
        self.total_rows: list[TotalRow] = []
        self.warnings: list[str] = []

    def values(self, cells: list[str]) -> dict[str, object]:
        return {name: cells[i] for name, i in self.cols.items()}

    def classify(self, row_number: int, cells: list[str]) -> bool:
        """readers._classify for one record: True when it is a data row."""
        lead = cells[0] if cells else None
        if (lead is None or not lead.strip()) and readers._is_empty(cells):
            return False
        if self.first:
            self.first = False
            if readers._is_numbering(cells):
                self.warnings.append(
                    f"baris {row_number}: baris nomor kolom (1, 2, 3, ...) dilewati / column-number row skipped"
                )
                return False
        if (
            len(self.cols) >= 2
            and cells[self.first_col].strip()[:1].lower() == self.first_char
            and all(parse.header_key(cells[i]) == k for i, k in self.header_keys.items())
        ):
            self.repeats.append(row_number)
            return False
        values = self.values(cells)
        label = readers._total_label(cells)
        if label is not None:
            total = TotalRow(row_number, label, values)
            self.pending.append(total)
            self.total_rows.append(total)
            return False
        if self.pending:
            filled = sum(1 for v in values.values() if not readers._is_empty((v,)))
            if filled < self.min_filled:
                self.footer.append(row_number)
                return False
            for t in self.pending:
                i = self.total_rows.index(t)
                self.total_rows[i] = TotalRow(t.row_number, t.label, t.values, trailing=False)
                self.warnings.append(
                    f"baris {t.row_number}: baris '{t.label}' di tengah data diabaikan / "
                    f"'{t.label}' row in the middle of the data ignored"
                )
            self.pending = []
            self.footer = []
        return True

    def end_warnings(self) -> list[str]:
        out = []
        if self.footer:
            out.append(
                f"baris {readers._ranges(self.footer)} di bawah baris jumlah dianggap catatan kaki dan dilewati / "
                f"rows below the total row treated as footer and skipped"
            )
        if self.repeats:
            out.append(
                f"baris {readers._ranges(self.repeats)}: judul kolom berulang dilewati / repeated header rows skipped"
            )
        return out

    def special(self, columns: list[pa.Array], totals: list[set[str]]) -> np.ndarray:
        """Rows that may not be plain data rows (a superset: the rest are data rows for certain)."""
        # a blank row has a blank first cell
        mark = _matching(columns[0], _BLANK_RE, _BLANK_FIRST)
        for col, labels in zip(columns, totals, strict=True):
            if labels:
                mark |= pc.is_in(col, pa.array(sorted(labels), pa.string())).to_numpy(zero_copy_only=False)
        if len(self.cols) >= 2:
            first = columns[self.first_col]
            if self.first_char.isascii() and self.first_char.isalnum():
                # the header's first letter in either case, or a character outside ASCII (whose lower case may be it)
                mark |= pc.match_substring(first, self.first_char.lower()).to_numpy(zero_copy_only=False)
                mark |= pc.match_substring(first, self.first_char.upper()).to_numpy(zero_copy_only=False)
                mark |= pc.not_equal(pc.binary_length(first), pc.utf8_length(first)).to_numpy(zero_copy_only=False)
            else:
                mark[:] = True
        return mark


def _string_buffers(col: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A string array's value offsets (len + 1) and its UTF-8 bytes, without a copy."""
    buffers: list[Any] = col.buffers()
    _, offsets, data = buffers
    bounds = np.frombuffer(offsets, dtype=np.int32)[col.offset : col.offset + len(col) + 1]
    return bounds, (np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8))


def _first_bytes(col: pa.Array) -> np.ndarray:
    """The first UTF-8 byte of each value, -1 for an empty value."""
    bounds, data = _string_buffers(col)
    first = np.full(len(col), -1, dtype=np.int16)
    filled = bounds[1:] > bounds[:-1]
    first[filled] = data[bounds[:-1][filled]]
    return first


def _matching(col: pa.Array, regex: str, first: np.ndarray) -> np.ndarray:
    """`pc.match_substring_regex(col, regex)` as a boolean array, the regex run only on the values whose first
    byte (`_first_bytes`) is one of `first`: every value it can match starts with one."""
    mark = np.zeros(len(col), dtype=bool)
    table = np.zeros(257, dtype=bool)  # first byte + 1 -> may match
    table[first + 1] = True
    candidates = np.flatnonzero(table[_first_bytes(col) + 1])
    if len(candidates):
        mark[candidates] = pc.match_substring_regex(col.take(candidates), regex).to_numpy(zero_copy_only=False)
    return mark


def _canonical(col: pa.Array) -> np.ndarray:
    """`_CANONICAL_TEXT_RE` matched on every value: first read from the bytes (printable ASCII but the
    backslash, single spaces between words: canonical for certain), the regex then reads the values left."""
    bounds, data = _string_buffers(col)
    text = data[bounds[0] : bounds[-1]]
    starts = bounds[:-1] - bounds[0]
    lengths = np.diff(bounds)
    space = text == 0x20
    bad = ~(((text >= 0x21) & (text <= 0x7E) & (text != 0x5C)) | space)
    bad[:-1] |= space[:-1] & space[1:]  # two spaces in a row
    filled = lengths > 0
    bad[starts[filled]] |= space[starts[filled]]  # a space first
    bad[starts[filled] + lengths[filled] - 1] |= space[starts[filled] + lengths[filled] - 1]  # a space last
    canonical = filled.copy()
    at = np.flatnonzero(bad)  # few: the rows holding them
    if len(at):
        canonical[np.searchsorted(starts, at, side="right") - 1] = False
    rest = np.flatnonzero(~canonical)
    if len(rest):
        canonical[rest] = pc.match_substring_regex(col.take(rest), _CANONICAL_TEXT_RE).to_numpy(zero_copy_only=False)
    return canonical


def _total_labels(col: pa.Array, known: dict[str, bool]) -> set[str]:
    """The distinct values of a column that make a row a total row (readers._total_label, per value)."""
    maybe = _matching(col, _TOTAL_RE, _TOTAL_FIRST)
    if not maybe.any():
        return set()
    out = set()
    if len(known) > CACHE_LIMIT:
        known.clear()
    for v in pc.unique(col.filter(pa.array(maybe))).to_pylist():
        hit = known.get(v)
        if hit is None:
            hit = known[v] = readers._total_label([v]) is not None
        if hit:
            out.add(v)
    return out


# ---------------------------------------------------------------------------------------------
# typing and rules, per distinct value


@dataclass
class _Column:
    """One canonical column: its pure parser and what each distinct text gave (typed value, COPY text,
    the FMT finding or None)."""

    name: str
    parse_value: Callable[[Any], Any] | None  # None: not in the file
    required: bool
    fmt: Callable[[Any], str]
    seen: dict[str, tuple[Any, str, Finding | None]] = field(default_factory=dict)

    def distinct(self, values: list[Any]) -> tuple[list[Any], list[str], list[Finding | None]]:
        seen = self.seen
        if len(seen) > CACHE_LIMIT:
            seen.clear()
        hits: list[Any] = [seen.get(v) for v in values]
        for i in [i for i, hit in enumerate(hits) if hit is None]:
            v = values[i]
            hit = seen.get(v)  # a value may come twice (not from a dictionary)
            if hit is None:
                hit = seen[v] = self._parse(v)
            hits[i] = hit
        return [h[0] for h in hits], [h[1] for h in hits], [h[2] for h in hits]

    def _parse(self, value: str) -> tuple[Any, str, Finding | None]:
        assert self.parse_value is not None
        try:
            typed = self.parse_value(value)
        except parse.ParseError as e:
            return None, "\\N", finding("FMT-001", self.name, value, e.expected)
        if typed is None and self.required:
            return None, "\\N", finding("FMT-002", self.name, value, self.name)
        return typed, self.fmt(typed), None


def load_blocks(
    table: readers.Table,
    dataset: Dataset,
    opd: str,
    codes: set[str],
    write_rows: Callable[[Any], None],
    write_findings: Callable[[int, dict[str, object], list[Finding]], None],
    meta: tuple[str, str, str, str],
) -> BlockResult:
    """Read `table`'s file after its header in blocks; COPY text of the accepted rows goes to `write_rows`
    (bytes-like), the findings of each row to `write_findings(row_number, raw values, findings)`. `meta`:
    the COPY text of _file_id, _sheet, _kode_pemda, _opd_folder. Raises Fallback (nothing is kept: the
    caller rolls back) when the file is not one this path reads exactly."""
    from satudata.load.copy_format import COPY_FORMAT

    why = eligible(table)
    if why is not None:
        raise Fallback(why)
    assert table.encoding is not None and table.delimiter is not None
    f, first_line, width = _after_header(table.path, table.encoding, table.delimiter, table.header_row)
    with f:
        rows = _Rows(table, width)
        if max(rows.cols.values()) >= width:
            raise Fallback("a matched column beyond the header record")
        text = _Text(f)
        invalid: list[Any] = []

        def on_invalid(row: pacsv.InvalidRow) -> Literal["skip", "error"]:
            invalid.append(row)
            return "skip"

        names = [f"f{i}" for i in range(width)]
        try:
            reader = pacsv.open_csv(
                io.BufferedReader(text, BLOCK_BYTES),
                read_options=pacsv.ReadOptions(column_names=names, block_size=BLOCK_BYTES, use_threads=False),
                parse_options=pacsv.ParseOptions(
                    delimiter=table.delimiter,
                    quote_char='"',
                    double_quote=True,
                    escape_char=False,
                    newlines_in_values=True,
                    ignore_empty_lines=True,
                    invalid_row_handler=on_invalid,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except pa.ArrowInvalid as exc:  # no record after the header
            raise Fallback(f"pyarrow: {exc}") from exc
        checker = RowChecker(dataset.name, opd, codes)
        hints = table.decimal_hints
        columns = [
            _Column(
                c.name,
                parse.column_parser(c, hints) if c.name in rows.cols else None,
                c.required,
                COPY_FORMAT[c.type],
            )
            for c in dataset.columns
        ]
        checks = [(rule_id, ROW_CHECKS[rule_id], reads(rule_id, dataset.name)) for rule_id in _check_ids(checker)]
        result = BlockResult(warnings=[], total_rows=rows.total_rows)
        for c in dataset.columns:
            if c.type == "numeric":
                result.sums[c.name] = Decimal(0)
        period_seen: dict[tuple[Any, ...], str] = {}
        total_known: list[dict[str, bool]] = [{} for _ in range(width)]
        outcomes: dict[str, dict[Any, Any]] = {}
        line = first_line
        records = 0
        inner_breaks = 0
        try:
            for batch in reader:
                if invalid:
                    raise Fallback(f"ragged record ({invalid[0].actual_columns} of {width} fields)")
                if batch.num_rows == 0:
                    continue
                cols = [batch.column(i) for i in range(width)]
                for col in cols:  # the reader's limits: the per-row path rejects such a file
                    longest = pc.max(pc.binary_length(col)).as_py() or 0  # bytes: at least the characters
                    # a line holds at most every field, each quoted with its quotes doubled
                    if longest >= readers.MAX_CELL_CHARS or (2 * longest + 3) * width >= readers.MAX_LINE_CHARS:
                        raise Fallback("a cell over the reader's limit")
                # physical line of each record: one line, plus the line breaks inside its values
                breaks = np.zeros(batch.num_rows, dtype=np.int64)
                for col in cols:
                    if text.quoted and (
                        pc.any(pc.match_substring(col, "\n")).as_py() or pc.any(pc.match_substring(col, "\r")).as_py()
                    ):
                        breaks += (
                            pc.count_substring(col, "\n").to_numpy()
                            + pc.count_substring(col, "\r").to_numpy()
                            - pc.count_substring(col, "\r\n").to_numpy()
                        )
                extra = np.cumsum(breaks) - breaks
                numbers = line + np.arange(batch.num_rows, dtype=np.int64) + extra
                line = int(numbers[-1] + breaks[-1] + 1)
                records += batch.num_rows
                inner_breaks += int(breaks.sum())
                state = _block(
                    rows, cols, numbers, columns, checks, checker, result, period_seen, total_known, dataset, outcomes
                )
                _write_block(state, rows, cols, numbers, columns, write_rows, write_findings, meta)
        except pa.ArrowInvalid as exc:
            raise Fallback(f"pyarrow: {exc}") from exc
        if invalid:
            raise Fallback(f"ragged record ({invalid[0].actual_columns} of {width} fields)")
        lines, trailing_empty = text.physical_lines()
        if records + inner_breaks != lines - trailing_empty:
            raise Fallback(f"{records} records over {lines - trailing_empty} lines (an empty line between records)")
    warnings = table.warnings[: table.head_warnings] + rows.warnings
    if text.removed:
        warnings.append(f"{text.removed} karakter kontrol dihapus / {text.removed} control characters removed")
    warnings += rows.end_warnings()
    if result.rows_read == 0:
        warnings.append("tidak ada baris data / no data rows")
    result.warnings = warnings
    return result


def _check_ids(checker: RowChecker) -> list[str]:
    by_fn = {fn: rule_id for rule_id, fn in ROW_CHECKS.items()}
    return [by_fn[fn] for fn in checker.checks]


def _block(
    rows: _Rows,
    cols: list[pa.Array],
    numbers: np.ndarray,
    columns: list[_Column],
    checks: list[tuple[str, Callable[..., Any], tuple[str, ...]]],
    checker: RowChecker,
    result: BlockResult,
    period_seen: dict[tuple[Any, ...], str],
    total_known: list[dict[str, bool]],
    dataset: Dataset,
    outcomes_seen: dict[str, dict[Any, Any]],
) -> dict[str, Any]:
    """Classify, type and check one block; what the COPY writer needs of it."""
    n = len(numbers)
    needed = {c for _, _, reads_cols in checks for c in reads_cols} | set(dataset.period_columns)
    # 1. which rows are data rows (the reader's classification on the rows a filter cannot clear)
    totals = [_total_labels(col, known) for col, known in zip(cols, total_known, strict=True)]
    special = rows.special(cols, totals)
    data = np.ones(n, dtype=bool)
    candidates = np.flatnonzero(special)

    def cells(i: int) -> list[str]:
        return [col[i].as_py() for col in cols]

    pos = 0
    i = 0
    while i < n:
        if rows.pending or rows.first:  # row by row until the reader's state is plain again
            data[i] = rows.classify(int(numbers[i]), cells(i))
            i += 1
            continue
        while pos < len(candidates) and candidates[pos] < i:
            pos += 1
        if pos == len(candidates):
            break
        i = int(candidates[pos])
        data[i] = rows.classify(int(numbers[i]), cells(i))
        i += 1
    # 2. typed values per distinct text, FMT findings
    index: dict[str, np.ndarray] = {}
    raw: dict[str, list[str]] = {}
    typed: dict[str, list[Any]] = {}
    texts: dict[str, pa.Array] = {}  # COPY text of every row
    found: dict[int, list[Finding]] = {}
    for column in columns:
        if column.parse_value is None:
            continue
        col = cols[rows.cols[column.name]]
        if column.parse_value is parse.text_value and column.name not in needed:
            # a text column no rule reads: a value already in its canonical form is its own COPY text
            canonical = _canonical(col)
            if canonical.all():
                texts[column.name] = col
                continue
            others = pa.array(~canonical)
            values, copy_texts, errors = column.distinct(col.filter(others).to_pylist())
            texts[column.name] = pc.replace_with_mask(col, others, pa.array(copy_texts, pa.string()))
            where = np.flatnonzero(others.to_numpy(zero_copy_only=False))
            for r, e in zip(where, errors, strict=True):
                if e is not None and data[r]:
                    found.setdefault(int(r), []).append(e)
            continue
        encoded = pc.dictionary_encode(col)
        idx = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        raw[column.name] = encoded.dictionary.to_pylist()
        values, copy_texts, errors = column.distinct(raw[column.name])
        index[column.name], typed[column.name] = idx, values
        texts[column.name] = pa.array(copy_texts, pa.string()).take(encoded.indices)
        bad = np.array([e is not None for e in errors], dtype=bool)
        if bad.any():
            for r in np.flatnonzero(bad[idx] & data):
                found.setdefault(int(r), []).append(errors[idx[r]])
    # 3. row rules on the data rows without an FMT finding, once per distinct combination of their columns
    fmt_rows = np.zeros(n, dtype=bool)
    if found:
        fmt_rows[list(found)] = True
    checked = np.flatnonzero(data & ~fmt_rows)
    distinct_checked: dict[str, tuple[np.ndarray, list[int], list[str]]] = {}
    for rule_id, check, reads_cols in checks:
        if not len(checked):
            break
        present = [c for c in reads_cols if c in index]
        absent = {c: None for c in reads_cols if c not in index}
        if rule_id in IN_ORDER:
            lists = [(c, index[c][checked], typed[c]) for c in present]
            for k, r in enumerate(checked):
                row = dict(absent)
                for c, idx, values in lists:
                    row[c] = values[idx[k]]
                out = check(row, checker)
                if out:
                    found.setdefault(int(r), []).extend(out)
            continue
        memo = outcomes_seen.setdefault(rule_id, {})  # raw texts -> findings, for the whole file
        if len(memo) > CACHE_LIMIT:
            memo.clear()
        prepare = not _PREPARED.isdisjoint(reads_cols)
        if len(present) == 1:  # the common case: one column, its distinct values shared by the rules reading it
            name = present[0]
            if name not in distinct_checked:
                distinct_checked[name] = _distinct_of(index[name][checked], raw[name], len(typed[name]))
            rows_idx, used, keys = distinct_checked[name]
            get = memo.get
            outs = [get(t, _UNSEEN) for t in keys]
            values = typed[name]
            for u in [u for u, o in enumerate(outs) if o is _UNSEEN]:
                row = dict(absent)
                row[name] = values[used[u]]
                if prepare:
                    checker.prepare(row)
                outs[u] = memo[keys[u]] = check(row, checker)
            hits = {used[u]: o for u, o in enumerate(outs) if o}
            if hits:
                mask = np.zeros(len(values), dtype=bool)
                mask[list(hits)] = True
                for j in np.flatnonzero(mask[rows_idx]).tolist():
                    found.setdefault(int(checked[j]), []).extend(hits[int(rows_idx[j])])
            continue
        combos, inverse = _groups([index[c][checked] for c in present], [len(typed[c]) for c in present], len(checked))
        outcomes: list[Any] = []
        hit = np.zeros(len(combos), dtype=bool)
        for u, combo in enumerate(combos):
            key = tuple(raw[c][k] for c, k in zip(present, combo, strict=True))
            out = memo.get(key, _UNSEEN)
            if out is _UNSEEN:
                row = dict(absent)
                for c, k in zip(present, combo, strict=True):
                    row[c] = typed[c][k]
                if prepare:
                    checker.prepare(row)
                out = memo[key] = check(row, checker)
            outcomes.append(out)
            hit[u] = bool(out)
        if hit.any():
            for j in np.flatnonzero(hit[inverse]).tolist():
                found.setdefault(int(checked[j]), []).extend(outcomes[inverse[j]])
    # 4. quarantined (a fatal finding), loaded, sums and periods
    quarantined = np.zeros(n, dtype=bool)
    for at, fs in found.items():
        result.warning_rules.update(f.rule_id for f in fs if f.severity == "warning")
        if any(f.severity == "fatal" for f in fs):
            quarantined[at] = True
    loaded = data & ~quarantined
    result.rows_read += int(data.sum())
    result.rows_quarantined += int(quarantined.sum())
    result.rows_loaded += int(loaded.sum())
    for name in result.sums:
        if name not in index:
            continue
        counts = np.bincount(index[name][loaded], minlength=len(typed[name]))
        nonzero = np.flatnonzero(counts)
        total = result.sums[name]
        for value, count in zip(map(typed[name].__getitem__, nonzero.tolist()), counts[nonzero].tolist(), strict=True):
            if value is not None:
                total += value * count  # in the same order as one value at a time
        result.sums[name] = total
    period_text = _periods(dataset, index, typed, loaded, period_seen, result, n)
    return {"loaded": loaded, "found": found, "texts": texts, "index": index, "period": period_text}


def _distinct_of(rows_idx: np.ndarray, raw: list[str], size: int) -> tuple[np.ndarray, list[int], list[str]]:
    """A column over the checked rows of a block: each row's dictionary index, the indices used, their texts."""
    present = np.zeros(size, dtype=bool)
    present[rows_idx] = True
    used = np.flatnonzero(present).tolist()
    return rows_idx, used, [raw[k] for k in used]


def _groups(keys: list[np.ndarray], sizes: list[int], n: int) -> tuple[list[tuple[int, ...]], np.ndarray]:
    """The distinct combinations of dictionary indices over `n` rows (hashed, not sorted), and the
    combination of each row."""
    if not keys:
        return [()], np.zeros(n, dtype=np.int64)
    if len(keys) == 1:
        present = np.zeros(sizes[0], dtype=bool)
        present[keys[0]] = True
        used = np.flatnonzero(present)
        where = np.zeros(sizes[0], dtype=np.int64)
        where[used] = np.arange(len(used))
        return [(int(k),) for k in used], where[keys[0]]
    if math.prod(max(s, 1) for s in sizes) < 1 << 62:
        combined = np.zeros(n, dtype=np.int64)
        radix = 1
        for k, size in zip(keys, sizes, strict=True):
            combined += k * radix
            radix *= max(size, 1)
        encoded = pc.dictionary_encode(pa.array(combined))
        inverse = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        combos = []
        for value in encoded.dictionary.to_numpy(zero_copy_only=False).tolist():
            combo = []
            for size in sizes:
                value, k = divmod(value, max(size, 1))
                combo.append(k)
            combos.append(tuple(combo))
        return combos, inverse
    unique, inverse = np.unique(np.stack(keys, axis=1), axis=0, return_inverse=True)
    return [tuple(int(k) for k in u) for u in unique], inverse.reshape(-1)


def _periods(
    dataset: Dataset,
    index: dict[str, np.ndarray],
    typed: dict[str, list[Any]],
    loaded: np.ndarray,
    seen: dict[tuple[Any, ...], str],
    result: BlockResult,
    n: int,
) -> pa.Array:
    """The _period COPY text of every row (used for the loaded ones), and the file's periods."""
    names = list(dataset.period_columns)
    present = [c for c in names if c in index]
    if not names:
        if loaded.any():
            result.periods.add("")
        return pa.array([""] * n, pa.string())
    combos, inverse = _groups([index[c] for c in present], [len(typed[c]) for c in present], n)
    out = []
    for combo in combos:
        row = {c: None for c in names}
        for c, k in zip(present, combo, strict=True):
            row[c] = typed[c][k]
        key = tuple(row[c] for c in names)
        text = seen.get(key)
        if text is None:
            text = seen[key] = parse.period_key(dataset, row)
        out.append(text)
    used = np.unique(inverse[loaded])
    result.periods.update(out[k] for k in used)
    from satudata.load.copy_format import copy_text as _copy_text

    return pa.array([_copy_text(t) for t in out], pa.string()).take(pa.array(inverse))


def _write_block(
    state: dict[str, Any],
    rows: _Rows,
    cols: list[pa.Array],
    numbers: np.ndarray,
    columns: list[_Column],
    write_rows: Callable[[Any], None],
    write_findings: Callable[[int, dict[str, object], list[Finding]], None],
    meta: tuple[str, str, str, str],
) -> None:
    with_findings = sorted(state["found"])
    if with_findings:
        taken = pa.array(with_findings)
        cells: list[list[Any]] = [col.take(taken).to_pylist() for col in cols]
        for k, r in enumerate(with_findings):
            write_findings(int(numbers[r]), rows.values([c[k] for c in cells]), state["found"][r])
    loaded = state["loaded"]
    if not loaded.any():
        return
    keep = pa.array(np.flatnonzero(loaded))
    file_id, sheet, kode_pemda, opd = meta
    parts: list[Any] = [
        file_id,
        sheet,
        pa.array(numbers).take(keep).cast(pa.string()),
        kode_pemda,
        opd,
        state["period"].take(keep),
    ]
    for column in columns:
        if column.name in state["texts"]:
            parts.append(state["texts"][column.name].take(keep))
        else:
            parts.append("\\N")
    # the line break joined to the last column only, then the columns joined once (not the whole lines twice)
    last = parts[-1]
    parts[-1] = last + "\n" if isinstance(last, str) else pc.binary_join_element_wise(last, "\n", "")
    lines = pc.binary_join_element_wise(*parts, "\t")
    _, offsets, data = lines.buffers()
    bounds = np.frombuffer(offsets, dtype=np.int32)[lines.offset : lines.offset + len(lines) + 1]
    write_rows(memoryview(data)[int(bounds[0]) : int(bounds[-1])])
