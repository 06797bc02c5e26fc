"""006_dbt_state.sql: audit.dbt_state: what the marts were last built from."""

from __future__ import annotations

from satudata.warehouse.migrations import BASELINE, refuse_downgrade, run_sql_file

revision = "006"
down_revision = "005"
SQL_FILE = "006_dbt_state.sql"


def upgrade() -> None:
    run_sql_file(SQL_FILE)


def downgrade() -> None:
    refuse_downgrade(SQL_FILE, BASELINE)
