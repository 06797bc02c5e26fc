"""Load one landed file into its raw table with COPY; rejected rows go to quarantine with a reason.

Per file, in one transaction: read (streaming) -> parse each value to its type -> row rules ->
COPY accepted rows to raw.<dataset>, findings to audit.row_finding -> the new file's periods replace
the same periods of earlier files of the same pemda x OPD x dataset (whose history stays in audit).
A crash rolls the whole file back; the next run loads it again.
"""

from __future__ import annotations

import json
import logging
import re
import tempfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from psycopg import sql

from satudata import reference
from satudata.config import loader_from_env
from satudata.datasets import DATASETS, RAW_META_COLUMNS, Dataset
from satudata.extract import parse
from satudata.extract.profiles import FileContext
from satudata.extract.readers import FileRejected, SourceRow, Table, read_file
from satudata.load import blocks
from satudata.load.copy_format import COPY_FORMAT, copy_text
from satudata.rules import Finding
from satudata.rules.row_checks import RowChecker
from satudata.warehouse import connect, one

log = logging.getLogger(__name__)

FINDING_COLUMNS = (
    "file_id",
    "sheet",
    "row_number",
    "column_name",
    "rule_id",
    "severity",
    "provided_value",
    "expected",
    "message",
    "row_values",
)


SET_ASIDE_TOTAL = "baris JUMLAH/TOTAL / total row"


COPY_BATCH_ROWS = 2000


def _json_safe(values: dict[str, Any]) -> str:
    def conv(v: Any) -> Any:
        if isinstance(v, (date, datetime)):
            return v.isoformat()
        if isinstance(v, Decimal):
            return str(v)
        return v

    return json.dumps({k: conv(v) for k, v in values.items()}, ensure_ascii=False, default=str)


def _slot_lock_key(kode_pemda: str, opd: str, dataset: str) -> int:
    return zlib.crc32(f"{kode_pemda}/{opd}/{dataset}".encode())


IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _raw_table(dataset: str) -> sql.Identifier:
    """`raw.<dataset>`, quoted; only for one of the 14 datasets (a name from a folder or the audit
    table never reaches SQL as text)."""
    if dataset not in DATASETS or not IDENTIFIER.match(dataset):
        raise ValueError(f"not a dataset: {dataset!r}")
    return sql.Identifier("raw", dataset)


def load_file(url: str, archive: Path, file_id: int) -> dict:
    """Load a landed file. Idempotent: a file already loaded or rejected is left as it is. A file
    that cannot be read, before its first row or part way through (a cell too large, a sheet corrupt
    in the middle), is `rejected` as a whole with the reason: nothing of it stays in raw."""
    try:
        return _load(url, archive, file_id)
    except FileRejected as e:  # the file's transaction was rolled back
        return _reject(url, archive, file_id, e)


def _reject(url: str, archive: Path, file_id: int, e: FileRejected) -> dict:
    with connect(url) as conn:
        relpath, sha = one(conn.execute("select path, sha256 from audit.source_file where file_id = %s", (file_id,)))
        source = archive / f"{sha}{Path(relpath).suffix.lower()}"
        reason = str(e.reason).replace(str(source), relpath).replace(source.name, relpath)
        conn.execute(
            "update audit.source_file set status = 'rejected', rows_read = 0, rows_loaded = 0, "
            "rows_quarantined = 0, rows_set_aside = 0, reasons = %s where file_id = %s",
            (json.dumps([reason]), file_id),
        )
    log.warning("%s: rejected as a whole: %s", relpath, reason)
    return summary(url, file_id)


def _load(url: str, archive: Path, file_id: int) -> dict:
    with connect(url) as conn:  # one connection per file: thousands of files make connecting a cost
        return _load_with(conn, archive, file_id)


@dataclass
class FileTally:
    """What became of the rows of one file, counted while they are read (rows_read = loaded +
    quarantined + set aside)."""

    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    set_aside: Counter[str] = field(default_factory=Counter)  # rows that are not lines, by reason
    warning_rules: set[str] = field(default_factory=set)
    sums: dict[str, Decimal] = field(default_factory=dict)  # numeric columns over the loaded rows


def open_submission(
    source: Path,
    relpath: str,
    kode_pemda: str,
    opd: str,
    dataset: Dataset,
    state: dict[str, Any] | None = None,
    conn: Any = None,
) -> tuple[Table, set[str], FileContext]:
    """The file opened for its rows, the codes a row of this OPD may use, and the profile steps' context
    (`state`: what the steps may use besides the file, e.g. the OPD's jenis_layanan by name). Raises
    FileRejected when the OPD is not in the reference list or the file cannot be read at all. Used by the
    loader and by `satudata check` (satudata/load/check.py), so both refuse the same files. ``conn``: the
    warehouse, for an onboarded pemda's lists; without it (`check`, offline) the seed cities' lists only."""
    codes = reference.folder_codes(conn, kode_pemda, opd, dataset.name)  # seed or onboarded list, finance OPD
    if conn is not None:
        conn.commit()
    if codes is None:
        raise FileRejected(reference.unknown_folder_reason(relpath, kode_pemda, opd), "unknown_opd")
    context = FileContext(file_name=Path(relpath).name, kode_pemda=kode_pemda, opd=opd)
    context.state.update(state or {})
    return read_file(source, dataset, context), codes, context


def checked_rows(
    table: Table, dataset: Dataset, opd: str, codes: set[str], tally: FileTally
) -> Iterator[tuple[SourceRow, dict[str, Any] | None, list[Finding]]]:
    """The per-row work, the same for the warehouse load and `satudata check`: read -> type -> row
    rules. Yields every line of the file as (source row, typed row or None when it is quarantined,
    its findings); rows set aside (not lines) are only counted in `tally`, which also counts the
    rows loaded and quarantined and sums the numeric columns of the rows loaded."""
    checker = RowChecker(dataset.name, opd, codes)
    convert = parse.converters(dataset, table.decimal_hints)
    sums = tally.sums
    for c in dataset.columns:
        if c.type == "numeric":
            sums.setdefault(c.name, Decimal(0))
    set_aside = tally.set_aside
    for src in table.rows:
        tally.rows_read += 1
        if src.set_aside:
            set_aside[src.set_aside] += 1
            continue
        row, found = parse.typed_row(convert, src.values)
        if not found:
            found = checker.check(row)
        elif not any(f.rule_id.startswith("FMT") for f in found):
            found += checker.check(row)
        if found:
            tally.warning_rules.update(f.rule_id for f in found if f.severity == "warning")
            if any(f.severity == "fatal" for f in found):
                tally.rows_quarantined += 1
                yield src, None, found
                continue
        for name in sums:
            sums[name] += row[name] or 0
        tally.rows_loaded += 1
        yield src, row, found


def file_outcome(
    table: Table, tally: FileTally, context: FileContext, source_name: str, relpath: str
) -> dict[str, Any]:
    """After the last row: the file's status, notes (reasons) and layout, as audit.source_file keeps
    them (the trailing JUMLAH/TOTAL rows are counted as read and set aside here)."""
    if table.total_rows:  # rows of the file too: read, and set aside
        tally.rows_read += len(table.total_rows)
        tally.set_aside[SET_ASIDE_TOTAL] += len(table.total_rows)
    # a profile checks its own subtotals (parents against children): the loaded rows are not the whole file
    reasons = (
        table.warnings + (_total_row_warnings(table, tally.sums) if table.profile is None else []) + context.warnings
    )
    if table.profile is not None:
        reasons.insert(0, f"dibaca sebagai: {table.profile.nama} / read as: {table.profile.nama}")
    reasons += [
        f"{n} baris disisihkan (bukan baris data): {r} / {n} rows set aside (not lines)"
        for r, n in sorted(tally.set_aside.items())
    ]
    reasons += [f"extra column ignored / kolom tambahan diabaikan: {c}" for c in table.extra_columns]
    reasons = [r.replace(source_name, relpath) for r in reasons]
    flagged = tally.warning_rules or table.dropped_columns or context.warnings or any("JUMLAH" in r for r in reasons)
    return {
        "status": "loaded_with_warnings" if flagged else "loaded",
        "sheet": table.sheet,
        "header_row": table.header_row,
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "rows_read": tally.rows_read,
        "rows_loaded": tally.rows_loaded,
        "rows_quarantined": tally.rows_quarantined,
        "rows_set_aside": sum(tally.set_aside.values()),
        "set_aside": dict(sorted(tally.set_aside.items())),
        "profile": table.profile.id if table.profile is not None else None,
        "reasons": reasons,
        "layout": _layout(table),
    }


def _load_with(conn: Any, archive: Path, file_id: int) -> dict:
    meta = conn.execute(
        "select path, sha256, kode_pemda, opd, dataset, status from audit.source_file where file_id = %s",
        (file_id,),
    ).fetchone()
    conn.commit()
    if meta is None:
        raise ValueError(f"no landed file with file_id {file_id}")
    relpath, sha, kode_pemda, opd, dataset_name, status = meta
    if status != "landed":
        return _summary(conn, file_id)
    dataset = DATASETS[dataset_name]
    source = archive / f"{sha}{Path(relpath).suffix.lower()}"
    state: dict[str, Any] = {}
    if dataset.name == "survei_kepuasan":  # an e-SKM export names the service: its OPD's codes, by name
        state["jenis_layanan"] = dict(
            conn.execute(
                "select nama_layanan, kode_layanan from raw.jenis_layanan where _kode_pemda = %s and _opd_folder = %s "
                "and nama_layanan is not null and kode_layanan is not null order by _file_id",
                (kode_pemda, opd),
            )
        )
        conn.commit()
    table, codes, context = open_submission(source, relpath, kode_pemda, opd, dataset, state, conn)
    out: dict[str, Any] | None = None
    if _block_path(loader_path(), source) and blocks.eligible(table) is None:
        table.close()
        try:
            out, periods = _load_blocks(conn, table, dataset, opd, codes, file_id, kode_pemda, context, source, relpath)
        except blocks.Fallback as e:  # nothing of the file is kept: the per-row path loads it from the start
            conn.rollback()
            log.info("%s: per-row path (%s)", relpath, e)
            table, codes, context = open_submission(source, relpath, kode_pemda, opd, dataset, state, conn)
    if out is None:
        out, periods = _load_rows(conn, table, dataset, opd, codes, file_id, kode_pemda, context, source, relpath)
    _replace_earlier(conn, dataset.name, kode_pemda, opd, file_id, periods)
    conn.execute(
        "update audit.source_file set status = case when superseded_by is null then %s else 'superseded' end, "
        "sheet = %s, header_row = %s, encoding = %s, delimiter = %s, rows_read = %s, rows_loaded = %s, "
        "rows_quarantined = %s, rows_set_aside = %s, set_aside = %s, profile = %s, reasons = %s, layout = %s "
        "where file_id = %s",
        (
            out["status"],
            out["sheet"],
            out["header_row"],
            out["encoding"],
            out["delimiter"],
            out["rows_read"],
            out["rows_loaded"],
            out["rows_quarantined"],
            out["rows_set_aside"],
            json.dumps(out["set_aside"], ensure_ascii=False),
            out["profile"],
            json.dumps(out["reasons"]),
            out["layout"],
            file_id,
        ),
    )
    conn.commit()
    log.info(
        "%s: read %d rows, loaded %d, quarantined %d, set aside %d",
        relpath,
        out["rows_read"],
        out["rows_loaded"],
        out["rows_quarantined"],
        out["rows_set_aside"],
    )
    return _summary(conn, file_id)


def loader_path() -> str:
    """`SATUDATA_LOADER` (satudata/config.py): `auto` (default: the block path for a large file),
    `blocks` (every CSV file satudata/load/blocks.py can prove it reads exactly, whatever its size) or
    `rows` (every file row by row). Read per file (a test switches it), on its own."""
    return loader_from_env()


def _block_path(path: str, source: Path) -> bool:
    """Whether the block path is tried for this file: its fixed cost per file (pyarrow's reader, a
    compute call per column) outweighs what it saves per row below blocks.FROM_BYTES."""
    return path == "blocks" or (path == "auto" and source.stat().st_size >= blocks.FROM_BYTES)


def _load_rows(
    conn: Any,
    table: Table,
    dataset: Dataset,
    opd: str,
    codes: set[str],
    file_id: int,
    kode_pemda: str,
    context: FileContext,
    source: Path,
    relpath: str,
) -> tuple[dict[str, Any], set[str]]:
    """The per-row path: every row read, typed, checked and written one at a time."""
    tally = FileTally()
    period_of = parse.period_keyer(dataset)
    formats = [(c.name, COPY_FORMAT[c.type]) for c in dataset.columns]
    # the meta columns before and after _row_number are the same on every row of the file
    head = f"{file_id}\t{copy_text(table.sheet)}\t"
    middle = f"\t{copy_text(kode_pemda)}\t{copy_text(opd)}\t"
    columns = list(RAW_META_COLUMNS) + dataset.column_names
    periods: set[str] = set()
    conn.execute("select pg_advisory_xact_lock(%s)", (_slot_lock_key(kode_pemda, opd, dataset.name),))
    with conn.cursor() as cur, tempfile.SpooledTemporaryFile(8 << 20, "w+", encoding="utf-8") as findings:
        with cur.copy(
            sql.SQL("copy {} ({}) from stdin").format(
                _raw_table(dataset.name), sql.SQL(", ").join(map(sql.Identifier, columns))
            )
        ) as copy:
            lines: list[str] = []  # COPY text, written in batches
            for src, row, found in checked_rows(table, dataset, opd, codes, tally):
                if found:
                    # kept as COPY text in a file that spills to disk: memory stays flat however many
                    payload = copy_text(_json_safe(src.values))
                    findings.writelines(
                        f"{head}{src.row_number}\t{copy_text(f.column)}\t{f.rule_id}\t{f.severity}\t"
                        f"{copy_text(f.provided)}\t{copy_text(f.expected)}\t{copy_text(f.message)}\t{payload}\n"
                        for f in found
                    )
                if row is None:  # quarantined
                    continue
                period = period_of(row)
                periods.add(period)
                lines.append(
                    f"{head}{src.row_number}{middle}{copy_text(period)}\t"
                    + "\t".join([fmt(row[name]) for name, fmt in formats])
                    + "\n"
                )
                if len(lines) >= COPY_BATCH_ROWS:
                    copy.write("".join(lines))
                    lines.clear()
            copy.write("".join(lines))
        if findings.tell():
            findings.seek(0)
            with cur.copy(f"copy audit.row_finding ({', '.join(FINDING_COLUMNS)}) from stdin") as copy:
                while chunk := findings.read(1 << 20):
                    copy.write(chunk)
    table.close()
    return file_outcome(table, tally, context, source.name, relpath), periods


def _load_blocks(
    conn: Any,
    table: Table,
    dataset: Dataset,
    opd: str,
    codes: set[str],
    file_id: int,
    kode_pemda: str,
    context: FileContext,
    source: Path,
    relpath: str,
) -> tuple[dict[str, Any], set[str]]:
    """The block path (satudata/load/blocks.py): the same rows, findings and outcome as `_load_rows`."""
    head = f"{file_id}\t{copy_text(table.sheet)}\t"
    columns = list(RAW_META_COLUMNS) + dataset.column_names
    conn.execute("select pg_advisory_xact_lock(%s)", (_slot_lock_key(kode_pemda, opd, dataset.name),))
    with conn.cursor() as cur, tempfile.SpooledTemporaryFile(8 << 20, "w+", encoding="utf-8") as findings:

        def write_findings(row_number: int, values: dict[str, object], found: list[Finding]) -> None:
            payload = copy_text(_json_safe(values))
            findings.writelines(
                f"{head}{row_number}\t{copy_text(f.column)}\t{f.rule_id}\t{f.severity}\t"
                f"{copy_text(f.provided)}\t{copy_text(f.expected)}\t{copy_text(f.message)}\t{payload}\n"
                for f in found
            )

        with cur.copy(
            sql.SQL("copy {} ({}) from stdin").format(
                _raw_table(dataset.name), sql.SQL(", ").join(map(sql.Identifier, columns))
            )
        ) as copy:
            result = blocks.load_blocks(
                table,
                dataset,
                opd,
                codes,
                copy.write,
                write_findings,
                (str(file_id), copy_text(table.sheet), copy_text(kode_pemda), copy_text(opd)),
            )
        if findings.tell():
            findings.seek(0)
            with cur.copy(f"copy audit.row_finding ({', '.join(FINDING_COLUMNS)}) from stdin") as copy:
                while chunk := findings.read(1 << 20):
                    copy.write(chunk)
    table.warnings = result.warnings
    table.total_rows = result.total_rows
    tally = FileTally(
        rows_read=result.rows_read,
        rows_loaded=result.rows_loaded,
        rows_quarantined=result.rows_quarantined,
        warning_rules=result.warning_rules,
        sums=result.sums,
    )
    return file_outcome(table, tally, context, source.name, relpath), result.periods


def _total_row_warnings(table: Any, sums: dict[str, Decimal]) -> list[str]:
    """A trailing JUMLAH/TOTAL row is excluded; its figures are compared with the sum of the rows above."""
    reasons = []
    for total in table.total_rows:
        if not total.trailing:  # a sub-total in the middle of the data: not comparable to the whole sum
            continue
        for name, expected in sums.items():
            try:
                stated = parse.parse_number(total.values.get(name), table.decimal_hints.get(name))
            except parse.ParseError:
                continue
            if stated is not None and abs(stated - expected) > Decimal("0.01"):
                reasons.append(
                    f"JUMLAH row {total.row_number}, column {name}: stated {stated} but the rows above sum to "
                    f"{expected} / baris JUMLAH {total.row_number} kolom {name}: tertulis {stated}, "
                    f"jumlah baris di atasnya {expected}"
                )
    return reasons


def _layout(table: Any) -> str:
    """Where each column sat in the submitted file, for the submitter feedback (satudata/report/feedback.py)."""
    return json.dumps(
        {
            "columns": {c.name: {"letter": c.letter, "header": c.header} for c in table.columns.values()},
            "extra": list(table.extra_columns),
            "dropped": list(table.dropped_columns),
        },
        ensure_ascii=False,
    )


def _replace_earlier(conn: Any, dataset: str, kode_pemda: str, opd: str, file_id: int, periods: set[str]) -> None:
    """The new file's periods replace the same periods of earlier files in the same slot. Earlier means
    landed earlier: a file loaded late (a retry) gives way to the periods of files landed after it.
    Every statement names the slot (_kode_pemda, _opd_folder), so it runs on the slot index, not a scan."""
    table = _raw_table(dataset)
    others = [
        r[0]
        for r in conn.execute(
            "select file_id from audit.source_file where kode_pemda = %s and opd = %s and dataset = %s "
            "and file_id <> %s and superseded_by is null and status in ('loaded', 'loaded_with_warnings')",
            (kode_pemda, opd, dataset, file_id),
        )
    ]
    later = [f for f in others if f > file_id]
    if later and periods:
        taken = {
            r[0]
            for r in conn.execute(
                sql.SQL(
                    "select distinct _period from {} where _kode_pemda = %s and _opd_folder = %s "
                    "and _file_id = any(%s) and _period = any(%s)"
                ).format(table),
                (kode_pemda, opd, later, list(periods)),
            )
        }
        _to_history(conn, dataset, sql.SQL("_file_id = %s"), (kode_pemda, opd, file_id, list(taken)), min(later))
        periods = periods - taken
        if taken and not periods:
            conn.execute("update audit.source_file set superseded_by = %s where file_id = %s", (min(later), file_id))
    earlier = [f for f in others if f < file_id]
    if not earlier or not periods:
        return
    replaced = _to_history(
        conn, dataset, sql.SQL("_file_id = any(%s)"), (kode_pemda, opd, earlier, list(periods)), file_id
    )
    for old in replaced:  # a file left without rows by this one (a file of no rows is replaced by none)
        left = conn.execute(
            sql.SQL("select 1 from {} where _kode_pemda = %s and _opd_folder = %s and _file_id = %s limit 1").format(
                table
            ),
            (kode_pemda, opd, old),
        ).fetchone()
        if left is None:
            conn.execute(
                "update audit.source_file set superseded_by = %s, status = 'superseded' where file_id = %s",
                (file_id, old),
            )
            log.info("file %s is replaced by file %s", old, file_id)


def _to_history(conn: Any, dataset: str, files: sql.Composable, args: tuple, superseded_by: int) -> list[int]:
    """Move the rows of a slot's files and periods out of raw.<dataset> into audit.source_row_history
    (history, not deletion: an old version can be rebuilt); in one statement, on the slot index. Returns
    the files that lost rows."""
    return [
        r[0]
        for r in conn.execute(
            sql.SQL(
                "with gone as (delete from {} where _kode_pemda = %s and _opd_folder = %s and {} "
                "and _period = any(%s) returning *), kept as (insert into audit.source_row_history "
                "(dataset, file_id, sheet, row_number, kode_pemda, opd, period, superseded_by, row_values) "
                "select %s, _file_id, _sheet, _row_number, _kode_pemda, _opd_folder, _period, %s, to_jsonb(gone) "
                "from gone returning file_id) select distinct file_id from kept"
            ).format(_raw_table(dataset), files),
            (*args, dataset, superseded_by),
        )
    ]


def summary(url: str, file_id: int) -> dict:
    with connect(url) as conn:
        return _summary(conn, file_id)


def _summary(conn: Any, file_id: int) -> dict:
    cur = conn.execute(
        "select file_id, path, dataset, kode_pemda, opd, sha256, rows_read, rows_loaded, rows_quarantined, "
        "rows_set_aside, set_aside, profile, status, reasons from audit.source_file where file_id = %s",
        (file_id,),
    )
    names = [d.name for d in cur.description]
    return dict(zip(names, cur.fetchone(), strict=True))
