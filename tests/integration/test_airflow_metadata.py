"""Airflow's metadata database is migrated only when it is behind (satudata/airflow_metadata.py).

A real Airflow (its own migrations, its `airflow db downgrade`) over a metadata database in SQLite, in
the Airflow environment `satudata run` uses: a new database is migrated to the head revision and gets
the pool `warehouse_load`; a second start finds it at the head and migrates nothing, the pool unchanged;
other slots update the pool; a database one revision behind (downgraded by Airflow) is migrated again.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from satudata.airflow_local import airflow_bin, airflow_env, prepare_metadata
from satudata.airflow_metadata import POOL
from satudata.config import Settings

pytestmark = pytest.mark.integration

MIGRATED = "Database migration done!"  # what `airflow db migrate` says when it ran
SKIPPED = "at the head revision: no migration"
HEADS = (
    "from airflow.utils.db import _get_script_object as s\n"
    "head = s().get_current_head()\nprint(head, s().get_revision(head).down_revision)\n"
)


def _prepare(env: dict[str, str], tmp_path: Path, name: str) -> str:
    out = tmp_path / f"{name}.log"
    with out.open("w") as f:
        code = prepare_metadata(env, output=f)
    text = out.read_text()
    assert code == 0, text[-3000:]
    return text


def _state(db: Path) -> tuple[str, int | None]:
    with sqlite3.connect(db) as conn:
        (revision,) = conn.execute("select version_num from alembic_version").fetchone()
        pool = conn.execute("select slots from slot_pool where pool = ?", (POOL,)).fetchone()
    return revision, pool[0] if pool else None


def test_migrated_once_then_only_when_behind(tmp_path):
    settings = Settings.from_env({"SATUDATA_HOME": str(tmp_path / "home"), "SATUDATA_OUT": str(tmp_path / "out")})
    env = {**airflow_env(settings, ""), "SATUDATA_WAREHOUSE_LOAD_SLOTS": "4"}
    db = settings.home / "airflow" / "airflow.db"
    heads = subprocess.run([sys.executable, "-c", HEADS], env=env, capture_output=True, text=True, check=True)
    head, previous = heads.stdout.split()

    first = _prepare(env, tmp_path, "first")
    assert MIGRATED in first and SKIPPED not in first
    assert _state(db) == (head, 4)
    assert f"Pool {POOL} created (4 slots)" in first

    second = _prepare(env, tmp_path, "second")
    assert SKIPPED in second and MIGRATED not in second
    assert f"Pool {POOL} unchanged (4 slots)" in second
    assert _state(db) == (head, 4)

    third = _prepare({**env, "SATUDATA_WAREHOUSE_LOAD_SLOTS": "2"}, tmp_path, "third")
    assert SKIPPED in third and f"Pool {POOL} updated (2 slots)" in third
    assert _state(db) == (head, 2)

    # one revision behind the installed Airflow, as after an upgrade of Airflow: migrated again
    down = subprocess.run(
        [airflow_bin(), "db", "downgrade", "--to-revision", previous, "--yes"], env=env, capture_output=True, text=True
    )
    assert down.returncode == 0, down.stdout[-2000:] + down.stderr[-2000:]
    assert _state(db) == (previous, 2)
    behind = _prepare(env, tmp_path, "behind")
    assert MIGRATED in behind and SKIPPED not in behind
    assert _state(db) == (head, 4)
