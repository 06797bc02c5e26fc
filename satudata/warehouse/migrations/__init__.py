"""The warehouse's numbered SQL migrations, each run by one alembic revision (satudata/warehouse/alembic/versions).

Adding a schema change: a new file `NNN_what.sql` here (the next number; idempotent SQL where it can be)
and a revision `vNNN_what.py` beside the others whose `down_revision` is the newest one and whose
`SQL_FILE` names the file (tests/unit/test_migrations_chain.py checks one revision per file, in file
order). A change that idempotent SQL cannot say (a rename, a type change) is a revision with `op.*`
calls and no SQL file.
"""

from __future__ import annotations

from importlib import resources
from typing import Any


def sql_files() -> list[str]:
    """The SQL files, in the order they apply."""
    return sorted(f.name for f in resources.files(__name__).iterdir() if f.name.endswith(".sql"))


def sql_text(name: str) -> str:
    return (resources.files(__name__) / name).read_text()


def run_sql_file(name: str) -> None:
    """Run one SQL file in the migration's transaction (a revision's upgrade). The file goes to psycopg
    as it is, as `migrate` always sent it: several statements and `do $$ ... $$` blocks, no parameters."""
    from alembic import op

    driver: Any = op.get_bind().connection.driver_connection  # the psycopg connection under SQLAlchemy's
    driver.execute(sql_text(name))


# why the revisions of the files written before alembic (001-011) are not undone
BASELINE = (
    "revisi dasar (berkas SQL sebelum alembic), menurunkannya menghapus catatan audit",
    "a baseline revision (the SQL files from before alembic): undoing it would drop audit records",
)


class DowngradeRefused(RuntimeError):
    """A revision whose downgrade would lose what the warehouse holds."""


def refuse_downgrade(name: str, why: tuple[str, str]) -> None:
    raise DowngradeRefused(f"{name}: tidak diturunkan, {why[0]} / not downgraded: {why[1]}")
