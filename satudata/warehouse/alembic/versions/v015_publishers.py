"""015_publishers.sql: publication decisions and PPID answers per publisher (kode_pemda), holds ("ditunda PPID")."""

from __future__ import annotations

from typing import Any

from alembic import op

from satudata.warehouse.migrations import refuse_downgrade, run_sql_file

revision = "015"
down_revision = "014"
SQL_FILE = "015_publishers.sql"


def upgrade() -> None:
    run_sql_file(SQL_FILE)


def downgrade() -> None:
    """Safe while nothing was decided per publisher: the columns go and the keys are per run again (as
    003 made them). Once a decision or an answer names a publisher, or a PPID held a dataset, it refuses:
    the older schema has no place for them and two publishers' rows of one run would collide."""
    driver: Any = op.get_bind().connection.driver_connection
    per_publisher = driver.execute(
        "select exists (select from audit.publication where kode_pemda <> '' or status = 'held') "
        "or exists (select from audit.publication_approval where kode_pemda <> '')"
    ).fetchone()[0]
    if per_publisher:
        refuse_downgrade(
            SQL_FILE,
            (
                "audit.publication berisi keputusan per penerbit atau dataset yang ditunda PPID",
                "audit.publication holds per-publisher decisions or datasets held by a PPID",
            ),
        )
    driver.execute("drop view audit.publication_signed")
    driver.execute("alter table audit.publication drop constraint publication_pkey")
    driver.execute("alter table audit.publication add primary key (run_id, dataset_id)")
    driver.execute("alter table audit.publication_approval drop constraint publication_approval_pkey")
    driver.execute("alter table audit.publication_approval add primary key (run_id)")
    for column in ("kode_pemda", "held_reason", "held_by"):
        driver.execute(f"alter table audit.publication drop column {column}")
    driver.execute("alter table audit.publication_approval drop column kode_pemda")
    driver.execute(
        "create view audit.publication_signed as "
        "select p.run_id, p.dataset_id, p.status, p.version, p.row_count, p.content_hash, p.reasons, "
        "p.decided_at, p.actor, a.decision as ppid_decision, a.approved_by, a.approved_by_id, "
        "a.responded_at as approved_at, a.method as approval_method "
        "from audit.publication p left join audit.publication_approval a using (run_id)"
    )
