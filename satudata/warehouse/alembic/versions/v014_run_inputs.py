"""014_run_inputs.sql: what a run was made from (audit.pipeline_run.inputs_fingerprint, unchanged_since)."""

from __future__ import annotations

from typing import Any

from alembic import op

from satudata.warehouse.migrations import run_sql_file

revision = "014"
down_revision = "011"
SQL_FILE = "014_run_inputs.sql"


def upgrade() -> None:
    run_sql_file(SQL_FILE)


def downgrade() -> None:
    """Safe: the two columns say which earlier run a rerun with nothing new reused; without them the
    next run does its work again (satudata/rerun.py), nothing recorded elsewhere is lost."""
    driver: Any = op.get_bind().connection.driver_connection
    driver.execute("drop function if exists audit.note_run_inputs(text, text, text)")
    driver.execute("alter table audit.pipeline_run drop column if exists unchanged_since")
    driver.execute("alter table audit.pipeline_run drop column if exists inputs_fingerprint")
