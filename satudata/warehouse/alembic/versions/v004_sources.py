"""004_sources.sql: the sources of the registry (HTTP / SQL) and their pulls."""

from __future__ import annotations

from satudata.warehouse.migrations import BASELINE, refuse_downgrade, run_sql_file

revision = "004"
down_revision = "003"
SQL_FILE = "004_sources.sql"


def upgrade() -> None:
    run_sql_file(SQL_FILE)


def downgrade() -> None:
    refuse_downgrade(SQL_FILE, BASELINE)
