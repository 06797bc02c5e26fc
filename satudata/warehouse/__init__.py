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


@contextmanager
def _migration(url: str) -> Iterator[tuple[Any, psycopg.Connection]]:
    """One transaction under the migration lock: SQLAlchemy's connection (for alembic) and the psycopg
    connection under it (for our statements). The libpq URL is passed to psycopg as it is (options and all)."""
    import sqlalchemy
    from sqlalchemy.pool import NullPool

    engine = sqlalchemy.create_engine(
        "postgresql+psycopg://",
        creator=lambda: psycopg.connect(url, application_name="satudata"),
        poolclass=NullPool,
    )
    try:
        with engine.begin() as connection:
            conn = connection.connection.driver_connection
            assert isinstance(conn, psycopg.Connection)  # the creator's
            conn.execute("select pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            yield connection, conn
    finally:
        engine.dispose()


def _alembic(connection: Any) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("satudata.warehouse") / "alembic"))
    config.attributes["connection"] = connection
    return config


def revision_of(conn: psycopg.Connection) -> str | None:
    """The alembic revision the warehouse is at; None before its first alembic migration."""
    if not one(conn.execute("select to_regclass('audit.alembic_version') is not null"))[0]:
        return None
    row = conn.execute("select version_num from audit.alembic_version").fetchone()
    return None if row is None else row[0]


def migrate(url: str) -> None:
    """Create or update the audit schema and the raw tables: `alembic upgrade head` (one revision per SQL
    file of satudata/warehouse/migrations, then revisions of their own), the raw tables of the datasets,
    and the roles' grants. Safe to run at every pipeline start: when the schema is already what these make
    (audit.schema_state), only the roles' grants are applied again (they cover what dbt or a person built
    since), and no `alter table` locks a table another run uses. A warehouse migrated before alembic (its
    tables, no audit.alembic_version) goes up from the first revision: the files 001-011 are idempotent,
    applied again as every change did before, then the newer revisions once."""
    from alembic import command

    from satudata.warehouse.migrations import sql_files, sql_text

    files = sql_files()
    revisions = sorted(
        (f.name, f.read_text())
        for f in (resources.files("satudata.warehouse.alembic") / "versions").iterdir()
        if f.name.endswith(".py")
    )
    statements = [sql_text(name) for name in files] + [text for _, text in revisions]
    every_start = [sql_text(name) for name in EVERY_START]
    raw_tables = []
    for dataset in DATASETS.values():
        raw_tables.append(raw_table_ddl(dataset))
        raw_tables.append(
            f"create index if not exists {dataset.name}_slot on raw.{dataset.name} (_kode_pemda, _opd_folder, _period)"
        )
    with _migration(url) as (connection, conn):
        user = one(conn.execute("select current_user"))[0]  # the grants of 005 name the user migrating
        fingerprint = hashlib.sha256("\0".join([user, *statements, *raw_tables]).encode()).hexdigest()
        current = (
            one(conn.execute("select to_regclass('audit.schema_state') is not null"))[0]
            and conn.execute("select 1 from audit.schema_state where fingerprint = %s", (fingerprint,)).fetchone()
        )
        if current:
            for statement in every_start:
                conn.execute(statement)
        else:
            before = revision_of(conn)
            command.upgrade(_alembic(connection), "head")
            for statement in [*raw_tables, *every_start]:  # the grants again: they cover the new tables
                conn.execute(statement)
            conn.execute(
                "insert into audit.schema_state (fingerprint) values (%s) on conflict (id) do update "
                "set fingerprint = excluded.fingerprint, migrated_at = now()",
                (fingerprint,),
            )
            log.info("warehouse migrated from revision %s to %s", before or "(none)", revision_of(conn))
    log.info(
        "warehouse schema is up to date (%d migrations, %d raw tables%s)",
        len(files),
        len(DATASETS),
        "" if current else "; migrated now",
    )


def downgrade(url: str, revision: str) -> None:
    """`alembic downgrade` to `revision`, under the migration lock. A revision whose downgrade would lose
    data refuses (migrations.DowngradeRefused) and nothing changes. The next `migrate` upgrades again."""
    from alembic import command

    with _migration(url) as (connection, conn):
        command.downgrade(_alembic(connection), revision)
        conn.execute("delete from audit.schema_state")  # what it fingerprinted is no longer the schema
    log.info("warehouse downgraded to revision %s", revision)
