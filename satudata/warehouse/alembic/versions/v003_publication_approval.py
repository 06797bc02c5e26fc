"""003_publication_approval.sql: publication sign-off and version history."""

from __future__ import annotations

from satudata.warehouse.migrations import BASELINE, refuse_downgrade, run_sql_file

revision = "003"
down_revision = "002"
SQL_FILE = "003_publication_approval.sql"


def upgrade() -> None:
    run_sql_file(SQL_FILE)


def downgrade() -> None:
    refuse_downgrade(SQL_FILE, BASELINE)
