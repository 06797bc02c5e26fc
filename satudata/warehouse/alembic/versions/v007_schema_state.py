"""007_schema_state.sql: audit.schema_state: the fingerprint of the migrated schema."""

from __future__ import annotations

from satudata.warehouse.migrations import BASELINE, refuse_downgrade, run_sql_file

revision = "007"
down_revision = "006"
SQL_FILE = "007_schema_state.sql"


def upgrade() -> None:
    run_sql_file(SQL_FILE)


def downgrade() -> None:
    refuse_downgrade(SQL_FILE, BASELINE)
