"""The warehouse: connections, migrations and the embedded PostgreSQL."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from importlib import resources
from typing import Any

import psycopg

from satudata.datasets import DATASETS, raw_table_ddl

log = logging.getLogger(__name__)

MIGRATION_LOCK = 72_710_001  # pg advisory lock key for migrations
EVERY_START = ("005_roles.sql",)  # applied at every start, the others when they changed


_IDLE: ContextVar[dict[tuple[str, bool], psycopg.Connection] | None] = ContextVar("satudata_idle", default=None)


@contextmanager
def connect(url: str, autocommit: bool = False) -> Iterator[psycopg.Connection]:
    """A connection: committed at the end of the block, rolled back on an error, then closed. Inside
    `reuse_connections()` a block that ends well gives its open connection to the next block instead."""
    idle = _IDLE.get()
    if idle is None:
        with psycopg.connect(url, autocommit=autocommit, application_name="satudata") as own:
            yield own
        return
    key = (url, autocommit)
    conn: psycopg.Connection | None = idle.pop(key, None)  # taken: a block nested in this one opens its own
    if conn is None or conn.closed or conn.broken:
        conn = psycopg.connect(url, autocommit=autocommit, application_name="satudata")
    try:
        yield conn
        conn.commit()
    except BaseException:
        conn.close()  # the transaction is rolled back with it
        raise
    if key in idle:
        conn.close()
    else:
        idle[key] = conn


def one(cursor: psycopg.Cursor[Any]) -> tuple[Any, ...]:
    """The row of a statement that always returns one (count(*), `insert ... returning`, a select of
    expressions): its absence is a bug, said as such instead of a TypeError on None."""
    row = cursor.fetchone()
    if row is None:
        raise LookupError("statement returned no row / pernyataan tidak menghasilkan baris")
    return row


@contextmanager
def reuse_connections() -> Iterator[None]:
    """Within the block, `connect` reuses one open connection per URL. Opening a connection costs
    ~3-10 ms (a server process starts), more than most statements a file needs: landing or loading
    thousands of small files in a batch would spend most of its time connecting."""
    idle: dict[tuple[str, bool], psycopg.Connection] = {}
    token = _IDLE.set(idle)
    try:
        yield
    finally:
        _IDLE.reset(token)
        for conn in idle.values():
            conn.close()


def migrate(url: str) -> None:
    """Create or update the audit schema and the raw tables. Safe to run at every pipeline start: when the
    schema is already what these files make (audit.schema_state), only the roles' grants are applied again
    (they cover what dbt or a person built since), and no `alter table` locks a table another run uses."""
    files = sorted(
        (f for f in resources.files("satudata.warehouse.migrations").iterdir() if f.name.endswith(".sql")),
        key=lambda f: f.name,
    )
    texts = {f.name: f.read_text() for f in files}
    statements = list(texts.values())
    every_start = [texts[name] for name in EVERY_START]
    for dataset in DATASETS.values():
        statements.append(raw_table_ddl(dataset))
        statements.append(
            f"create index if not exists {dataset.name}_slot on raw.{dataset.name} (_kode_pemda, _opd_folder, _period)"
        )
    with connect(url) as conn:
        conn.execute("select pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        user = one(conn.execute("select current_user"))[0]  # the grants of 005 name the user migrating
        fingerprint = hashlib.sha256("\0".join([user, *statements]).encode()).hexdigest()
        current = (
            one(conn.execute("select to_regclass('audit.schema_state') is not null"))[0]
            and conn.execute("select 1 from audit.schema_state where fingerprint = %s", (fingerprint,)).fetchone()
        )
        for statement in every_start if current else statements:
            conn.execute(statement)
        if not current:
            conn.execute(
                "insert into audit.schema_state (fingerprint) values (%s) on conflict (id) do update "
                "set fingerprint = excluded.fingerprint, migrated_at = now()",
                (fingerprint,),
            )
    log.info(
        "warehouse schema is up to date (%d migrations, %d raw tables%s)",
        len(files),
        len(DATASETS),
        "" if current else "; migrated now",
    )
