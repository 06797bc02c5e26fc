"""The warehouse: connections, migrations and the embedded PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources

import psycopg

from satudata.datasets import DATASETS, raw_table_ddl

log = logging.getLogger(__name__)

MIGRATION_LOCK = 72_710_001  # pg advisory lock key for migrations


@contextmanager
def connect(url: str, autocommit: bool = False) -> Iterator[psycopg.Connection]:
    with psycopg.connect(url, autocommit=autocommit, application_name="satudata") as conn:
        yield conn


def migrate(url: str) -> None:
    """Create or update the audit schema and the raw tables. Safe to run at every pipeline start."""
    with connect(url) as conn:
        conn.execute("select pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        files = sorted(
            (f for f in resources.files("satudata.warehouse.migrations").iterdir() if f.name.endswith(".sql")),
            key=lambda f: f.name,
        )
        for f in files:
            conn.execute(f.read_text())
        for dataset in DATASETS.values():
            conn.execute(raw_table_ddl(dataset))
            conn.execute(
                f"create index if not exists {dataset.name}_slot on raw.{dataset.name} "
                "(_kode_pemda, _opd_folder, _period)"
            )
    log.info("warehouse schema is up to date (%d migrations, %d raw tables)", len(files), len(DATASETS))
