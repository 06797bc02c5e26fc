"""011_row_history.sql: audit.source_row_history and audit.row_origin."""

from __future__ import annotations

from typing import Any

from alembic import op

from satudata.warehouse.migrations import refuse_downgrade, run_sql_file

revision = "011"
down_revision = "010"
SQL_FILE = "011_row_history.sql"


def upgrade() -> None:
    run_sql_file(SQL_FILE)


def downgrade() -> None:
    """Safe while no row was superseded: the table and the function go, and nothing else in the schema
    depends on them (the code to run on the schema then is a release before 011: today's loader writes
    the table). With history rows it refuses: they are the only copy of those rows."""
    driver: Any = op.get_bind().connection.driver_connection
    if driver.execute("select exists (select from audit.source_row_history)").fetchone()[0]:
        refuse_downgrade(
            SQL_FILE,
            (
                "audit.source_row_history berisi baris yang diganti, satu-satunya salinannya",
                "audit.source_row_history holds superseded rows, their only copy",
            ),
        )
    driver.execute("drop function audit.row_origin(text, text, text)")
    driver.execute("drop table audit.source_row_history")
