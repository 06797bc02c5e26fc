"""Two pipeline runs at once (two schedulers, or `satudata run` beside Airflow) take turns at loading and
publishing: a PostgreSQL advisory lock per stage (satudata/warehouse/lock.py), shared by the tasks of
one run, exclusive between runs; the second waits up to a timeout, then fails naming the holder.
Tested with real processes against the real PostgreSQL fixture."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import psycopg
import pytest

from satudata.warehouse import migrate
from satudata.warehouse.lock import NAMESPACES, LockTimeout, stage_lock
from tests.conftest import make_settings
from tests.fixtures.hostile.make_hostile import million_rows
from tests.integration import reliability

pytestmark = pytest.mark.integration


def _holder(settings, stage: str, run_id: str, tmp: Path):
    release = tmp / f"release_{stage}_{run_id}"
    proc = reliability.child(settings, "hold", stage, run_id, HOLD_UNTIL=str(release))
    assert proc.stdout is not None
    for line in proc.stdout:  # warnings may come first
        if line.strip() == b"HOLDING":
            return proc, release
    raise AssertionError(f"the holder of {stage} for {run_id} exited ({proc.wait()})")


def test_a_second_run_waits_then_fails_naming_the_holder(warehouse_url, tmp_path):
    settings = make_settings(tmp_path, warehouse_url, tmp_path)
    # Given another process publishing for run A
    proc, release = _holder(settings, "publish", "scheduled__2024-06-01", tmp_path)
    try:
        # When run B wants to publish, Then it waits up to its timeout and fails, naming the holder
        started = time.monotonic()
        with pytest.raises(LockTimeout) as refused, stage_lock(warehouse_url, "publish", "manual__B", timeout=1.5):
            pass
        assert 1.5 <= time.monotonic() - started < 10
        message = str(refused.value)
        assert "scheduled__2024-06-01" in message
        assert "publish" in message and "pid" in message and "since" in message
        # and the tasks of run A itself share the lock
        with stage_lock(warehouse_url, "publish", "scheduled__2024-06-01", timeout=1):
            pass
    finally:
        release.touch()
        proc.wait(30)
    # When run A has finished, Then run B goes ahead at once
    started = time.monotonic()
    with stage_lock(warehouse_url, "publish", "manual__B", timeout=30):
        assert time.monotonic() - started < 5


def test_a_killed_holder_releases_the_lock(warehouse_url, tmp_path):
    settings = make_settings(tmp_path, warehouse_url, tmp_path)
    proc, _ = _holder(settings, "load", "killed_run", tmp_path)
    reliability.kill(proc)
    with stage_lock(warehouse_url, "load", "next_run", timeout=30):
        pass


def _load_holders(url: str) -> set[int]:
    with psycopg.connect(url, autocommit=True) as conn:
        return {
            r[0]
            for r in conn.execute(
                "select objid::bigint from pg_locks where locktype = 'advisory' and granted and objsubid = 2 "
                "and classid::bigint = %s",
                (NAMESPACES["load"],),
            )
        }


def test_two_runs_loading_at_once_take_turns(warehouse_url, tmp_path):
    # Given a landing folder with a large file and a small one, and two runs started at the same moment
    landing = tmp_path / "landing"
    big = landing / "18.72/BPKAD/realisasi_belanja/sp2d.csv"
    big.parent.mkdir(parents=True)
    million_rows(big, rows=60_000)
    small = landing / "18.72/DINKES/realisasi_belanja/good.csv"
    small.parent.mkdir(parents=True)
    small.write_bytes((reliability.REPO_ROOT / "tests/fixtures/hostile/files/good.csv").read_bytes())
    settings = make_settings(tmp_path, warehouse_url, landing)

    seen: list[set[int]] = []
    stop = threading.Event()

    def watch() -> None:  # how many runs hold the load stage at each moment
        while not stop.is_set():
            seen.append(_load_holders(warehouse_url))
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    runs = [reliability.child(settings, "load", run, log=tmp_path / f"{run}.log") for run in ("run_one", "run_two")]
    try:
        codes = [p.wait(300) for p in runs]
    finally:
        stop.set()
        watcher.join()
    logs = {run: (tmp_path / f"{run}.log").read_text() for run in ("run_one", "run_two")}
    assert codes == [0, 0], logs

    # Then never two runs in the load stage at once, and one of them waited for the other by name
    assert seen and max(len(s) for s in seen) == 1
    assert any(
        f"waits for satudata load lock: run {other}" in logs[run]
        for run, other in (("run_one", "run_two"), ("run_two", "run_one"))
    )
    # and the warehouse holds each row once: the second run found the files already loaded
    with psycopg.connect(warehouse_url) as conn:
        rows, distinct = conn.execute(
            "select count(*), count(distinct nomor_sp2d) from raw.realisasi_belanja"
        ).fetchone()
        statuses = conn.execute("select status, count(*) from audit.source_file group by 1").fetchall()
    assert rows == distinct == 60_003
    assert statuses == [("loaded", 2)]


def test_a_run_starting_beside_another_locks_none_of_its_tables(warehouse_url):
    # Given a migrated warehouse, and another run in the middle of a transaction that read the audit tables
    migrate(warehouse_url)
    with psycopg.connect(warehouse_url) as other:
        tables = [
            r[0]
            for r in other.execute(
                "select format('%I.%I', schemaname, tablename) from pg_tables where schemaname in ('audit', 'raw')"
            )
        ]
        for table in tables:
            other.execute(f"select count(*) from {table}")

        # When a second run starts (it migrates), giving up on any lock after 2 s
        migrate(warehouse_url + "?options=-c%20lock_timeout%3D2000")

        # Then it did not wait for the other run: it took no lock that the other's reads conflict with
        assert len(tables) > 20
