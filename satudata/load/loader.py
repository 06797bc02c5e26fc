"""Load one landed file into its raw table with COPY; rejected rows go to quarantine with a reason.

Per file, in one transaction: read (streaming) -> parse each value to its type -> row rules ->
COPY accepted rows to raw.<dataset>, findings to audit.row_finding -> the new file's periods replace
the same periods of earlier files of the same pemda x OPD x dataset (whose history stays in audit).
A crash rolls the whole file back; the next run loads it again.
"""

from __future__ import annotations

import json
import logging
import zlib
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from satudata.datasets import DATASETS, RAW_META_COLUMNS, Dataset
from satudata.extract import parse
from satudata.extract.readers import FileRejected, read_file
from satudata.reference import opd_codes
from satudata.rules import Finding, finding
from satudata.rules.row_checks import RowChecker
from satudata.warehouse import connect

log = logging.getLogger(__name__)

FINDING_COLUMNS = ("file_id", "sheet", "row_number", "column_name", "rule_id", "severity",
                   "provided_value", "expected", "message", "row_values")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _convert(dataset: Dataset, raw: dict[str, Any], hints: dict[str, str]) -> tuple[dict[str, Any], list[Finding]]:
    """Canonical raw values -> typed values, with a FMT finding for every value that cannot be read."""
    row: dict[str, Any] = {}
    found: list[Finding] = []
    for col in dataset.columns:
        value = raw.get(col.name)
        try:
            if col.name == "periode":
                typed: Any = parse.parse_periode(value)
            elif col.name == "nip":
                typed = parse.normalize_nip(value)
            elif col.type == "integer":
                typed = parse.parse_integer(value, hints.get(col.name))
            elif col.type == "numeric":
                typed = parse.parse_number(value, hints.get(col.name))
            elif col.type == "date":
                typed = parse.parse_date(value)
            elif col.name.startswith("kode_") or col.name in ("status", "kanal", "versi", "bidang"):
                typed = parse.normalize_code(value)
            else:
                typed = _text(value)
        except parse.ParseError as e:
            found.append(finding("FMT-001", col.name, value, e.expected))
            typed = None
        else:
            if typed is None and col.required:
                found.append(finding("FMT-002", col.name, value, col.name))
        row[col.name] = typed
    return row, found


def _period_key(dataset: Dataset, row: dict[str, Any]) -> str:
    parts = []
    for name in dataset.period_columns:
        value = row.get(name)
        parts.append(value.strftime("%Y-%m") if isinstance(value, date) else "" if value is None else str(value))
    return "|".join(parts)


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


def load_file(url: str, archive: Path, file_id: int) -> dict:
    """Load a landed file. Idempotent: a file already loaded or rejected is left as it is."""
    with connect(url) as conn:
        meta = conn.execute(
            "select path, sha256, kode_pemda, opd, dataset, status from audit.source_file where file_id = %s",
            (file_id,),
        ).fetchone()
    if meta is None:
        raise ValueError(f"no landed file with file_id {file_id}")
    relpath, sha, kode_pemda, opd, dataset_name, status = meta
    if status != "landed":
        return summary(url, file_id)
    dataset = DATASETS[dataset_name]
    source = archive / f"{sha}{Path(relpath).suffix.lower()}"
    codes = opd_codes().get((kode_pemda, opd.upper()))
    try:
        if codes is None:
            raise FileRejected(
                f"{relpath}: OPD folder {opd!r} is not in the reference list of pemda {kode_pemda} / "
                f"folder OPD {opd!r} tidak ada dalam daftar OPD pemda {kode_pemda}", "unknown_opd")
        table = read_file(source, dataset)
    except FileRejected as e:
        reason = str(e.reason).replace(str(source), relpath).replace(source.name, relpath)
        with connect(url) as conn:
            conn.execute(
                "update audit.source_file set status = 'rejected', rows_read = 0, rows_loaded = 0, "
                "rows_quarantined = 0, reasons = %s where file_id = %s",
                (json.dumps([reason]), file_id),
            )
        log.warning("%s: rejected as a whole: %s", relpath, reason)
        return summary(url, file_id)

    checker = RowChecker(dataset.name, opd, codes)
    columns = list(RAW_META_COLUMNS) + dataset.column_names
    rows_read = rows_loaded = rows_quarantined = 0
    warning_rules: set[str] = set()
    periods: set[str] = set()
    sums: dict[str, Decimal] = {c.name: Decimal(0) for c in dataset.columns if c.type == "numeric"}
    with connect(url) as conn:
        conn.execute("select pg_advisory_xact_lock(%s)", (_slot_lock_key(kode_pemda, opd, dataset.name),))
        with conn.cursor() as cur:
            findings: list[tuple] = []
            with cur.copy(f"copy raw.{dataset.name} ({', '.join(columns)}) from stdin") as copy:
                for src in table.rows:
                    rows_read += 1
                    row, found = _convert(dataset, src.values, table.decimal_hints)
                    if not any(f.rule_id.startswith("FMT") for f in found):
                        found += checker.check(row)
                    fatal = any(f.severity == "fatal" for f in found)
                    if found:
                        payload = _json_safe(src.values)
                        findings += [
                            (file_id, table.sheet, src.row_number, f.column, f.rule_id, f.severity,
                             f.provided, f.expected, f.message, payload)
                            for f in found
                        ]
                        warning_rules.update(f.rule_id for f in found if f.severity == "warning")
                    if fatal:
                        rows_quarantined += 1
                        continue
                    period = _period_key(dataset, row)
                    periods.add(period)
                    for name in sums:
                        sums[name] += row[name] or 0
                    copy.write_row((file_id, table.sheet, src.row_number, kode_pemda, opd, period,
                                    *(row[c] for c in dataset.column_names)))
                    rows_loaded += 1
            if findings:
                with cur.copy(f"copy audit.row_finding ({', '.join(FINDING_COLUMNS)}) from stdin") as copy:
                    for f in findings:
                        copy.write_row(f)
        table.close()
        reasons = table.warnings + _total_row_warnings(table, sums)
        reasons += [f"extra column ignored / kolom tambahan diabaikan: {c}" for c in table.extra_columns]
        reasons = [r.replace(source.name, relpath) for r in reasons]
        _replace_earlier(conn, dataset.name, kode_pemda, opd, file_id, periods)
        flagged = warning_rules or table.dropped_columns or any("JUMLAH" in r for r in reasons)
        conn.execute(
            "update audit.source_file set status = case when superseded_by is null then %s else 'superseded' end, "
            "sheet = %s, header_row = %s, encoding = %s, delimiter = %s, "
            "rows_read = %s, rows_loaded = %s, rows_quarantined = %s, reasons = %s, layout = %s where file_id = %s",
            ("loaded_with_warnings" if flagged else "loaded", table.sheet, table.header_row, table.encoding,
             table.delimiter, rows_read, rows_loaded, rows_quarantined, json.dumps(reasons), _layout(table), file_id),
        )
    log.info("%s: read %d rows, loaded %d, quarantined %d", relpath, rows_read, rows_loaded, rows_quarantined)
    return summary(url, file_id)


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
    return json.dumps({
        "columns": {c.name: {"letter": c.letter, "header": c.header} for c in table.columns.values()},
        "extra": list(table.extra_columns), "dropped": list(table.dropped_columns),
    }, ensure_ascii=False)


def _replace_earlier(conn: Any, dataset: str, kode_pemda: str, opd: str, file_id: int, periods: set[str]) -> None:
    """The new file's periods replace the same periods of earlier files in the same slot. Earlier means
    landed earlier: a file loaded late (a retry) gives way to the periods of files landed after it."""
    others = [r[0] for r in conn.execute(
        "select file_id from audit.source_file where kode_pemda = %s and opd = %s and dataset = %s "
        "and file_id <> %s and superseded_by is null and status in ('loaded', 'loaded_with_warnings')",
        (kode_pemda, opd, dataset, file_id),
    )]
    later = [f for f in others if f > file_id]
    if later and periods:
        taken = {r[0] for r in conn.execute(
            f"select distinct _period from raw.{dataset} where _file_id = any(%s) and _period = any(%s)",
            (later, list(periods)))}
        conn.execute(f"delete from raw.{dataset} where _file_id = %s and _period = any(%s)", (file_id, list(taken)))
        periods = periods - taken
        if taken and not periods:
            conn.execute("update audit.source_file set superseded_by = %s where file_id = %s", (min(later), file_id))
    earlier = [f for f in others if f < file_id]
    if not earlier or not periods:
        return
    conn.execute(
        f"delete from raw.{dataset} where _file_id = any(%s) and _period = any(%s)", (earlier, list(periods))
    )
    for old in earlier:
        left = conn.execute(f"select 1 from raw.{dataset} where _file_id = %s limit 1", (old,)).fetchone()
        if left is None:
            conn.execute(
                "update audit.source_file set superseded_by = %s, status = 'superseded' where file_id = %s",
                (file_id, old),
            )
            log.info("file %s is replaced by file %s", old, file_id)


def summary(url: str, file_id: int) -> dict:
    with connect(url) as conn:
        cur = conn.execute(
            "select file_id, path, dataset, kode_pemda, opd, sha256, rows_read, rows_loaded, rows_quarantined, "
            "status, reasons from audit.source_file where file_id = %s",
            (file_id,),
        )
        names = [d.name for d in cur.description]
        return dict(zip(names, cur.fetchone(), strict=True))
