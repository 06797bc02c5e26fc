"""002_rules_completeness_auditor.sql: the rule catalogue's results, completeness and the auditor role."""

from __future__ import annotations

from satudata.warehouse.migrations import BASELINE, refuse_downgrade, run_sql_file

revision = "002"
down_revision = "001"
SQL_FILE = "002_rules_completeness_auditor.sql"


def upgrade() -> None:
    run_sql_file(SQL_FILE)


def downgrade() -> None:
    refuse_downgrade(SQL_FILE, BASELINE)
