"""Run-level locks in the warehouse: one pipeline run at a time lands and loads, one at a time publishes.

The DAG has `max_active_runs=1`, but two schedulers, or `satudata run` beside a running Airflow,
share one warehouse. `stage_lock(url, "load", run_id)` around a run's land and load stages and
`stage_lock(url, "publish", run_id)` around publication make them take turns:

- a PostgreSQL advisory lock, held by a connection of its own for as long as the stage runs, so a
  task that dies (killed, server restart) releases it with its connection;
- shared by the tasks of one run (its mapped land/load batches run in parallel), exclusive between
  runs: the lock is `(namespace of the stage, hash of the run id)`, taken in shared mode, after
  checking under a short transaction-level mutex that no other run holds that stage;
- a run that finds another one in the stage waits, up to `timeout` seconds (SATUDATA_LOCK_TIMEOUT),
  then fails with `LockTimeout` naming the holder: its run id and stage (the `application_name`
  of the holding connection), process id, client address and since when.
"""

from __future__ import annotations

import logging
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

log = logging.getLogger(__name__)

MUTEX = 72_710_100  # transaction-level: checking the holders and taking the lock is one step
NAMESPACES = {"load": 72_710_101, "publish": 72_710_102}
POLL_SECONDS = 0.5


class LockTimeout(RuntimeError):
    """Another run held the stage for longer than the timeout."""


def _run_key(run_id: str) -> int:
    return zlib.crc32(run_id.encode()) & 0x7FFFFFFF


def application_name(stage: str, run_id: str) -> str:
    return f"satudata {stage} lock: run {run_id}"[:63]  # PostgreSQL keeps 63 bytes


def holders(conn: psycopg.Connection, stage: str, run_id: str) -> list[dict]:
    """The other runs' connections holding `stage`, with who they are."""
    rows = conn.execute(
        "select l.pid, a.application_name, a.client_addr::text, a.backend_start from pg_locks l "
        "left join pg_stat_activity a on a.pid = l.pid where l.locktype = 'advisory' and l.granted "
        "and l.database = (select oid from pg_database where datname = current_database()) "
        "and l.objsubid = 2 and l.classid::bigint = %s and l.objid::bigint <> %s and l.pid <> pg_backend_pid()",
        (NAMESPACES[stage], _run_key(run_id)),
    ).fetchall()
    return [{"pid": r[0], "holder": r[1] or "?", "client": r[2] or "local", "since": r[3]} for r in rows]


def describe(found: list[dict]) -> str:
    return "; ".join(
        f"{h['holder']} (pid {h['pid']}, {h['client']}, since {h['since']:%Y-%m-%d %H:%M:%S %Z})"
        if h["since"]
        else f"{h['holder']} (pid {h['pid']})"
        for h in found
    )


@contextmanager
def stage_lock(url: str, stage: str, run_id: str, timeout: float) -> Iterator[None]:
    """Hold `stage` for `run_id` while the block runs; wait for another run to leave it first."""
    key = (NAMESPACES[stage], _run_key(run_id))
    started = time.monotonic()
    conn = psycopg.connect(url, autocommit=True, application_name=application_name(stage, run_id))
    try:
        waited = False
        while True:
            with conn.transaction():
                conn.execute("select pg_advisory_xact_lock(%s)", (MUTEX,))
                found = holders(conn, stage, run_id)
                if not found:
                    conn.execute("select pg_advisory_lock_shared(%s, %s)", key)
            if not found:
                break
            if time.monotonic() - started >= timeout:
                raise LockTimeout(
                    f"the {stage} stage of run {run_id} waited {timeout:.0f} s for another run to finish its "
                    f"{stage} and gave up; it is held by {describe(found)}. Let that run finish (or stop it), "
                    f"then run again. / tahap {stage} run {run_id} menunggu {timeout:.0f} detik dan berhenti: "
                    f"masih dipegang oleh {describe(found)}."
                )
            if not waited:
                log.warning("%s stage of run %s waits for %s (up to %.0f s)", stage, run_id, describe(found), timeout)
                waited = True
            time.sleep(POLL_SECONDS)
        if waited:
            log.info("%s stage of run %s goes ahead after %.1f s", stage, run_id, time.monotonic() - started)
        yield
    finally:
        conn.close()  # releases the lock (a killed process's connection releases it too)
