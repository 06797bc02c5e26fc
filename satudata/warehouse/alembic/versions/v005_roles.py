"""005_roles.sql: the stage roles and their grants (also applied again at every start)."""

from __future__ import annotations

from satudata.warehouse.migrations import BASELINE, refuse_downgrade, run_sql_file

revision = "005"
down_revision = "004"
SQL_FILE = "005_roles.sql"


def upgrade() -> None:
    run_sql_file(SQL_FILE)


def downgrade() -> None:
    refuse_downgrade(SQL_FILE, BASELINE)
