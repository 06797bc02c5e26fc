"""010_pemda_reference.sql: onboarding a pemda: its OPD list and reference files."""

from __future__ import annotations

from satudata.warehouse.migrations import BASELINE, refuse_downgrade, run_sql_file

revision = "010"
down_revision = "008"
SQL_FILE = "010_pemda_reference.sql"


def upgrade() -> None:
    run_sql_file(SQL_FILE)


def downgrade() -> None:
    refuse_downgrade(SQL_FILE, BASELINE)
