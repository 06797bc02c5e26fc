"""008_set_aside_profiles.sql: rows set aside and the export profile per file."""

from __future__ import annotations

from satudata.warehouse.migrations import BASELINE, refuse_downgrade, run_sql_file

revision = "008"
down_revision = "007"
SQL_FILE = "008_set_aside_profiles.sql"


def upgrade() -> None:
    run_sql_file(SQL_FILE)


def downgrade() -> None:
    refuse_downgrade(SQL_FILE, BASELINE)
