"""Extract an OPD application database (PostgreSQL) incrementally by its `updated_at` watermark.

What "incremental" means here, so that loading stays exact (no gap, no duplicate):

1. rows changed since the watermark (`updated_at > watermark`) name the *periods* that changed
   (the dataset's period columns: periode / tahun / bulan / the month of a date; see datasets.py);
2. every row of those periods is extracted (a complete snapshot of each changed period), and
3. the loader replaces those periods of this source's earlier loads, exactly as for a corrected
   file drop. Unchanged periods are not read again.

The three queries run in one REPEATABLE READ, read-only transaction, so they see one consistent
snapshot; the new watermark is the largest `updated_at` of that snapshot. It is *not* stored
here: the caller keeps it pending and advances it only once the extracted file is landed and
loaded (satudata/extract/sources.py). Period values are read as text and normalised by the
loader's own functions, so "the same period" means the same thing on both sides. Rows whose
period cannot be read are still extracted when they change (the loader quarantines them).

Limits: a row deleted in the source is not seen (use a soft-delete column that bumps
`updated_at`); rows committed later with an `updated_at` older than the watermark (a
transaction open across the extract) are missed: the application should set `updated_at` at
commit, or the registry can point at a view that lags by a safe margin.

Identifiers (schema, table, columns) come from the validated registry and are always quoted
with psycopg.sql.Identifier; values are always parameters.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg import sql

from satudata.datasets import Dataset
from satudata.extract import parse
from satudata.extract.connection import Connection, SourceError
from satudata.extract.registry import SqlLocation

log = logging.getLogger(__name__)

ITERSIZE = 2000
DATE_TYPES = ("date", "timestamp without time zone", "timestamp with time zone")
WATERMARK_TYPES = ("timestamp without time zone", "timestamp with time zone", "date")


@dataclass
class SqlExtract:
    columns: list[str]  # canonical columns written, in the dataset's order
    periods: set[str] = field(default_factory=set)  # period keys that changed (loader format)
    watermark: datetime | None = None  # the new watermark, pending until loaded
    rows: int = 0
    changed: bool = False  # False: nothing changed since the watermark, nothing written


def conninfo(conn: Connection, application_name: str) -> dict[str, Any]:
    if conn.conn_type and conn.conn_type not in ("postgres", "postgresql"):
        raise SourceError(
            f"koneksi {conn.conn_id} bertipe {conn.conn_type}, bukan postgres / connection "
            f"{conn.conn_id} is of type {conn.conn_type}, not postgres"
        )
    params: dict[str, Any] = {
        "host": conn.host or "localhost",
        "port": conn.port or 5432,
        "dbname": conn.schema or "postgres",
        "user": conn.login,
        "password": conn.password,
        "connect_timeout": int(conn.extra.get("connect_timeout", 10)),
        "application_name": application_name,
    }
    if conn.extra.get("sslmode"):
        params["sslmode"] = conn.extra["sslmode"]
    return {k: v for k, v in params.items() if v is not None}


def _lost(e: psycopg.Error, reading: bool) -> SourceError:
    detail = " ".join(str(e).split())
    if reading:
        return SourceError(
            f"koneksi ke basis data OPD terputus saat membaca data: {detail}; tidak ada yang dimuat, "
            "watermark tidak berubah / the OPD database connection failed while reading; nothing was "
            "landed, the watermark is unchanged"
        )
    return SourceError(f"basis data OPD tidak dapat dihubungi: {detail} / the OPD database cannot be reached")


def _period_keys(dataset: Dataset, combos: list[tuple[str, ...]], names: list[str]) -> dict[tuple[str, ...], str]:
    """Raw period values (as text) -> the loader's period key."""
    keys = {}
    for combo in combos:
        raw = {n: (v if v != "" else None) for n, v in zip(names, combo, strict=True)}
        row, found = parse.convert_row(dataset, raw, {})
        bad = {f.column for f in found if f.rule_id == "FMT-001"}
        # an unreadable period value is its own group: it is extracted whenever it changes
        keys[combo] = "\x00" + "|".join(combo) if bad & set(names) else parse.period_key(dataset, row)
    return keys


def extract_sql(
    loc: SqlLocation,
    dataset: Dataset,
    conn: Connection,
    watermark: datetime | None,
    write_header: Callable[[list[str]], None],
    write_row: Callable[[list[Any]], None],
    application_name: str = "satudata-extract",
) -> SqlExtract:
    """Write the rows of the periods changed since `watermark` (all rows when None) through
    write_header / write_row. Returns what was written and the pending watermark. Raises SourceError
    on any database failure, which the caller turns into a failed source (its partial file deleted)."""
    schema, table = loc.table
    target = sql.Identifier(schema, table)
    mapping = dict(loc.columns)
    try:
        db = psycopg.connect(**conninfo(conn, application_name))
    except psycopg.Error as e:
        raise _lost(e, reading=False) from None
    db.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    db.read_only = True
    try:
        with db:  # one transaction: every query below sees the same snapshot
            db.execute("set local timezone = 'UTC'")
            db.execute("set local datestyle = 'ISO, YMD'")
            types = dict(
                db.execute(
                    "select column_name, data_type from information_schema.columns "
                    "where table_schema = %s and table_name = %s",
                    (schema, table),
                ).fetchall()
            )
            if not types:
                raise SourceError(
                    f"tabel {schema}.{table} tidak ada atau tidak dapat dibaca / table "
                    f"{schema}.{table} does not exist or cannot be read"
                )
            if types.get(loc.watermark_column) not in WATERMARK_TYPES:
                raise SourceError(
                    f"kolom watermark {loc.watermark_column} tidak ada atau bukan timestamp di "
                    f"{schema}.{table} / watermark column {loc.watermark_column} is missing or not "
                    "a timestamp"
                )
            unknown = sorted(c for c in mapping.values() if c not in types)
            if unknown:
                raise SourceError(
                    f"kolom {', '.join(unknown)} tidak ada di {schema}.{table} / columns "
                    f"{', '.join(unknown)} do not exist in {schema}.{table}"
                )
            columns = [c.name for c in dataset.columns if mapping.get(c.name, c.name) in types]

            def expr(name: str) -> sql.Composable:
                ident = sql.Identifier(mapping.get(name, name))
                if dataset.column(name).type == "date" and types[mapping.get(name, name)] in DATE_TYPES[1:]:
                    return sql.SQL("({})::date").format(ident)
                return ident

            period_names = [p for p in dataset.period_columns if p in columns]
            if len(period_names) != len(dataset.period_columns):  # cannot tell periods apart: whole table
                period_names = []
            period_text = [sql.SQL("coalesce(({})::text, '')").format(expr(p)) for p in period_names]
            wm = sql.Identifier(loc.watermark_column)
            changed_where = sql.SQL("{} > %s").format(wm) if watermark else sql.SQL("true")
            params = (watermark,) if watermark else ()

            result = SqlExtract(columns)
            newest = db.execute(
                sql.SQL("select max({}) from {} where {}").format(wm, target, changed_where), params
            ).fetchone()
            result.watermark = newest[0] if newest else None
            if result.watermark is None and watermark is not None:
                return result  # nothing changed since the watermark
            result.changed = True  # (with no watermark yet, every row is taken)
            if isinstance(result.watermark, datetime) and result.watermark.tzinfo is None:
                result.watermark = result.watermark.replace(tzinfo=UTC)
            elif result.watermark is not None and not isinstance(result.watermark, datetime):  # a date column
                result.watermark = datetime(
                    result.watermark.year, result.watermark.month, result.watermark.day, tzinfo=UTC
                )

            select = sql.SQL(", ").join(sql.SQL("{} as {}").format(expr(c), sql.Identifier(c)) for c in columns)
            order = sql.SQL(", ").join(sql.SQL(str(i + 1)) for i in range(len(columns)))
            if period_names:
                combo_list = sql.SQL(", ").join(period_text)
                changed = [
                    tuple(r)
                    for r in db.execute(
                        sql.SQL("select distinct {} from {} where {}").format(combo_list, target, changed_where), params
                    )
                ]
                every = [tuple(r) for r in db.execute(sql.SQL("select distinct {} from {}").format(combo_list, target))]
                keys = _period_keys(dataset, sorted(set(every) | set(changed)), period_names)
                result.periods = {keys[c] for c in changed}
                wanted = [c for c in every if keys[c] in result.periods]
                arrays = [list(col) for col in zip(*wanted, strict=True)] if wanted else [[] for _ in period_names]
                query = sql.SQL("select {} from {} where ({}) in (select * from unnest({})) order by {}").format(
                    select, target, combo_list, sql.SQL(", ").join(sql.SQL("%s::text[]") for _ in period_names), order
                )
                query_params: tuple = tuple(arrays)
            else:
                result.periods = {""}
                query, query_params = sql.SQL("select {} from {} order by {}").format(select, target, order), ()
            write_header(columns)
            with db.cursor(name="satudata_extract") as cur:
                cur.itersize = ITERSIZE
                cur.execute(query, query_params)
                for row in cur:
                    write_row(list(row))
                    result.rows += 1
        return result
    except psycopg.Error as e:
        raise _lost(e, reading=True) from None
    finally:
        db.close()
