"""Pull the registry's HTTP and SQL sources into files the landing path already knows how to take.

    extract(source)  -> $SATUDATA_HOME/extracted/<kode_pemda>/<OPD>/<dataset>/<source_id>__<UTC time>.csv
    land / load      -> the very same land_file / load_file as a file drop (the extracted folder is the
                        landing root), so each row is parsed once and accounted for once
    after_load       -> the source's status, and the SQL watermark advanced now that its rows are in;
                        the CSV itself is removed (landing archived it by content hash)

The CSV is written under a `.part` name and renamed only once the pull is complete: a failed pull
leaves nothing to land. Every step records the source's status in audit.source_run, which the
run summary reports (`sources`). Pipeline stages pass `extracted:<relpath>` for these files.
"""

from __future__ import annotations

import csv
import json
import logging
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

from satudata.config import Settings
from satudata.datasets import DATASETS
from satudata.extract.connection import Connection, SourceError, require
from satudata.extract.registry import (
    HttpLocation,
    Registry,
    RegistryError,
    Source,
    SqlLocation,
    load_registry,
    registry_path,
)
from satudata.warehouse import connect

log = logging.getLogger(__name__)

EXTRACTED_PREFIX = "extracted:"
CURRENT = ("loaded", "loaded_with_warnings")
HEADER_SAMPLE = 1000  # API records looked at to decide which columns the file has
REGISTRY_SOURCE = "(registry)"


def registry_for(settings: Settings) -> Registry:
    return load_registry(registry_path(settings.registry, settings.landing))


def extracted_root(settings: Settings) -> Path:
    return settings.home / "extracted"


def root_of(settings: Settings, relpath: str) -> tuple[Path, str]:
    """Where a relpath handed between stages lives: the landing folder, or (`extracted:...`) the
    folder the extract stage writes to."""
    if relpath.startswith(EXTRACTED_PREFIX):
        return extracted_root(settings), relpath[len(EXTRACTED_PREFIX) :]
    return settings.landing, relpath


# ---------------------------------------------------------------------------------------------
# writing the extracted file


def cell(value: Any) -> str:
    """CSV text the file readers take back unchanged: ISO dates, dot decimals that cannot be
    mistaken for thousands (81.001 is written 81.0010)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        text = format(Decimal(str(value)) if isinstance(value, float) else value, "f")
        if "." in text:
            whole, frac = text.split(".")
            frac = frac.rstrip("0")
            text = whole if not frac else f"{whole}.{frac}0" if len(frac) == 3 else f"{whole}.{frac}"
        return text
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


class ExtractFile:
    """A CSV being written under `.part`; `commit()` renames it into place, `discard()` removes it."""

    def __init__(self, root: Path, source: Source, now: datetime | None = None):
        now = now or datetime.now(UTC)
        stamp = f"{now:%Y%m%dT%H%M%S}{now.microsecond // 1000:03d}Z"
        self.relpath = f"{source.kode_pemda}/{source.opd}/{source.dataset}/{source.id}__{stamp}.csv"
        self.path = root / self.relpath
        self.part = self.path.with_name("." + self.path.name + ".part")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._f = self.part.open("w", encoding="utf-8", newline="")
        self._w = csv.writer(self._f, lineterminator="\n")
        self.rows = 0

    def header(self, columns: list[str]) -> None:
        self._w.writerow(columns)

    def row(self, values: list[Any]) -> None:
        self._w.writerow([cell(v) for v in values])
        self.rows += 1

    def commit(self) -> None:
        self._f.close()
        os.replace(self.part, self.path)

    def discard(self) -> None:
        self._f.close()
        self.part.unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------
# the two kinds


Connections = dict[str, Connection | dict[str, Any]]


def _extract_http(source: Source, out: ExtractFile, connections: Connections | None) -> dict:
    from satudata.extract.http_source import fetch_records, field_value

    assert isinstance(source.location, HttpLocation)
    loc = source.location
    token = require(loc.connection, connections).token if loc.connection else None
    fields = {c: dict(loc.fields).get(c, c) for c in DATASETS[source.dataset].column_names}
    records: Iterator[dict] = fetch_records(loc, token)
    sample = list(islice(records, HEADER_SAMPLE))
    present = [c for c, f in fields.items() if any(field_value(r, f) is not None for r in sample)]
    columns = present or list(fields)
    used_top = {f.split(".")[0] for c, f in fields.items() if c in columns}
    ignored = sorted({k for r in sample for k in r} - used_top)
    out.header(columns)
    for record in (*sample, *records):
        out.row([field_value(record, fields[c]) for c in columns])
    return {"rows": out.rows, "columns": columns, "ignored_fields": ignored}


def _extract_sql(url: str, source: Source, out: ExtractFile, connections: Connections | None) -> dict:
    from satudata.extract.sql_source import extract_sql

    assert isinstance(source.location, SqlLocation)
    with connect(url) as conn:
        row = conn.execute("select watermark from audit.source_watermark where source_id = %s", (source.id,)).fetchone()
    since = row[0] if row else None
    result = extract_sql(
        source.location,
        DATASETS[source.dataset],
        require(source.location.connection, connections),
        since,
        out.header,
        out.row,
        application_name=f"satudata-extract:{source.id}"[:63],
    )
    return {
        "rows": result.rows,
        "columns": result.columns,
        "changed": result.changed,
        "watermark_from": since,
        "watermark_to": result.watermark,
        "periods": sorted(result.periods),
    }


# ---------------------------------------------------------------------------------------------
# stages


def _record(url: str, run_id: str, source: Source, status: str, **values: Any) -> None:
    """Insert or update this run's row of the source in audit.source_run (column names are ours, not input)."""
    row = {
        "run_id": run_id,
        "source_id": source.id,
        "kind": source.kind,
        "kode_pemda": source.kode_pemda,
        "opd": source.opd,
        "dataset": source.dataset,
        "status": status,
        **values,
    }
    updates = ", ".join(f"{k} = excluded.{k}" for k in ("status", *values))
    with connect(url) as conn:
        conn.execute(
            f"insert into audit.source_run ({', '.join(row)}) values ({', '.join(f'%({k})s' for k in row)}) "
            f"on conflict (run_id, source_id) do update set {updates}",
            row,
        )


def list_sources(settings: Settings, run_id: str) -> list[str]:
    """The ids of the sources to pull. A registry that does not validate fails the stage (and is
    recorded, so the run summary says why); file drops still go ahead."""
    try:
        registry = registry_for(settings)
    except (RegistryError, FileNotFoundError) as e:
        stub = Source(REGISTRY_SOURCE, "-", "-", "-", "file", "")
        _record(settings.require_url(), run_id, stub, "failed", reason=str(e), finished_at=datetime.now(UTC))
        raise
    ids = [s.id for s in registry.extractable()]
    log.info("source registry %s: %d sources, %d to pull (http, sql)", registry.path, len(registry.sources), len(ids))
    return ids


def connection_id(settings: Settings, source_id: str) -> str | None:
    """The Airflow connection a source names (the task resolves it through Airflow and passes it in)."""
    location = registry_for(settings).source(source_id).location
    return None if isinstance(location, str) else location.connection  # a file path names no connection


def extract(settings: Settings, run_id: str, source_id: str, connections: Connections | None = None) -> dict:
    """Pull one source into a complete CSV, or fail with its reason recorded (nothing to land). ``connections``:
    conn_id -> the connection's values, as the task resolved them through Airflow."""
    url = settings.require_url()
    source = registry_for(settings).source(source_id)
    with connect(url) as conn:
        conn.execute(
            "insert into audit.source_run (run_id, source_id, kind, kode_pemda, opd, dataset, status) "
            "values (%s, %s, %s, %s, %s, %s, 'extracting') on conflict (run_id, source_id) do update set "
            "status = 'extracting', attempts = audit.source_run.attempts + 1, reason = null, relpath = null, "
            "started_at = now(), finished_at = null",
            (run_id, source.id, source.kind, source.kode_pemda, source.opd, source.dataset),
        )
    out = ExtractFile(extracted_root(settings), source)
    try:
        info = (
            _extract_http(source, out, connections)
            if source.kind == "http"
            else _extract_sql(url, source, out, connections)
        )
    except SourceError as e:
        out.discard()
        _record(url, run_id, source, "failed", reason=e.reason, finished_at=datetime.now(UTC))
        log.error("%s: extraction failed: %s", source.id, e.reason)
        raise
    except BaseException as e:
        out.discard()
        _record(url, run_id, source, "failed", reason=f"{type(e).__name__}: {e}", finished_at=datetime.now(UTC))
        raise
    if source.kind == "sql" and not info["changed"]:
        out.discard()
        _record(
            url,
            run_id,
            source,
            "no_changes",
            rows_extracted=0,
            watermark_from=info["watermark_from"],
            finished_at=datetime.now(UTC),
        )
        log.info("%s: nothing changed since %s", source.id, info["watermark_from"])
        return {"source_id": source.id, "status": "no_changes", "relpath": None, "rows": 0}
    out.commit()
    _record(
        url,
        run_id,
        source,
        "extracted",
        rows_extracted=info["rows"],
        relpath=out.relpath,
        watermark_from=info.get("watermark_from"),
        watermark_to=info.get("watermark_to"),
    )
    log.info(
        "%s: %d rows extracted to %s%s",
        source.id,
        info["rows"],
        out.relpath,
        f" (periods {', '.join(info['periods'])})" if info.get("periods") else "",
    )
    return {
        "source_id": source.id,
        "status": "extracted",
        "relpath": EXTRACTED_PREFIX + out.relpath,
        "rows": info["rows"],
    }


def extracted_files(settings: Settings, run_id: str) -> list[str]:
    """The files this run's extracts wrote, for the land stage (read from the audit table, not from the
    mapped tasks' results, so a failed source does not hold the others up)."""
    with connect(settings.require_url()) as conn:
        rows = conn.execute(
            "select relpath from audit.source_run where run_id = %s and status = 'extracted' order by source_id",
            (run_id,),
        ).fetchall()
    return [EXTRACTED_PREFIX + r[0] for r in rows]


def after_load(settings: Settings, landed: dict, result: dict) -> dict:
    """For an extracted file: the source's final status, and its watermark advanced when the rows are
    in the warehouse (loaded now, or identical to what is loaded). The extracted CSV is removed: landing
    keeps its immutable copy (archive/<sha256>.csv). Returns `result` unchanged."""
    if not str(landed.get("relpath", "")).startswith(EXTRACTED_PREFIX):
        return result
    root, relpath = root_of(settings, landed["relpath"])
    (root / relpath).unlink(missing_ok=True)
    with connect(settings.require_url()) as conn:
        status = conn.execute(
            "select status from audit.source_file where file_id = %s", (result["file_id"],)
        ).fetchone()[0]  # type: ignore[index]
        run = conn.execute(
            "select run_id, source_id, watermark_to from audit.source_run where relpath = %s "
            "order by started_at desc limit 1",
            (relpath,),
        ).fetchone()
        if run is None:
            return result
        run_id, source_id, watermark_to = run
        if status in CURRENT and watermark_to is not None:
            conn.execute(
                "insert into audit.source_watermark (source_id, watermark) values (%s, %s) "
                "on conflict (source_id) do update set watermark = greatest(audit.source_watermark.watermark, "
                "excluded.watermark), updated_at = now()",
                (source_id, watermark_to),
            )
        final = "unchanged" if landed["status"] == "duplicate" and status in CURRENT else status
        conn.execute(
            "update audit.source_run set status = %s, file_id = %s, finished_at = now() "
            "where run_id = %s and source_id = %s",
            (final, result["file_id"], run_id, source_id),
        )
    log.info(
        "%s: %s%s", source_id, final, f"; watermark now {watermark_to}" if status in CURRENT and watermark_to else ""
    )
    return result


SOURCE_COLUMNS = (
    "source_id",
    "kind",
    "kode_pemda",
    "opd",
    "dataset",
    "status",
    "attempts",
    "rows_extracted",
    "path",
    "file_id",
    "rows_read",
    "rows_loaded",
    "rows_quarantined",
    "watermark_from",
    "watermark_to",
    "reason",
)


def source_runs(conn: Any, run_id: str) -> list[dict]:
    """The run summary's `sources` section: per registry source, what this run made of it."""
    cur = conn.execute(
        "select sr.source_id, sr.kind, sr.kode_pemda, sr.opd, sr.dataset, "
        "case when sr.status in ('extracting', 'extracted') then 'failed' else sr.status end, sr.attempts, "
        "sr.rows_extracted, sr.relpath, sr.file_id, sf.rows_read, sf.rows_loaded, sf.rows_quarantined, "
        "sr.watermark_from, sr.watermark_to, "
        "coalesce(sr.reason, case sr.status when 'extracting' then 'ekstraksi tidak selesai / the extract did not "
        "finish' when 'extracted' then 'diekstrak tetapi tidak dimuat / extracted but not loaded' end, "
        "case when sf.status = 'rejected' then sf.reasons ->> 0 end) "
        "from audit.source_run sr left join audit.source_file sf using (file_id) where sr.run_id = %s "
        "order by sr.source_id",
        (run_id,),
    )
    return [dict(zip(SOURCE_COLUMNS, r, strict=True)) for r in cur]
