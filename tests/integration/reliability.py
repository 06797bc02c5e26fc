"""Helpers of the reliability tests (crash safety, concurrency, secrets, backfill), and the stages they
run in a child process: `python -m tests.integration.reliability <what> ...` with the settings in the
environment (SATUDATA_*), so that a test can kill it, run two at once, or read everything it logged.

    full      every stage of one run, as the DAG calls them (start -> ... -> report)
    dbt-crash load, then `dbt build` SIGKILLed mid-model, then `dbt build` again
    load      start, discover, land_batch, load_batch (a run's load stage); with $HOLD_AT_ROW, each file
              stops after that many rows, its COPY open, until the process is killed (on either loader
              path: it prints `HOLDING <rows|blocks> path` when it stops)
    hold      take a stage lock for a run and hold it until the file named by $HOLD_UNTIL exists
    publish   publish_dataset of a mart, killing itself (SIGKILL) at the step named by $KILL_AT
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

from satudata.config import REPO_ROOT, Settings

SAMPLE = REPO_ROOT / "tests" / "fixtures" / "landing_min"


def fresh_db(admin_url: str, name: str) -> str:
    """An empty database `name` on the server of `admin_url`; returns its URL."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"drop database if exists {name} with (force)")
        conn.execute(f"create database {name}")
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def env_of(settings: Settings, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "SATUDATA_WAREHOUSE_URL": settings.warehouse_url or "",
        "SATUDATA_LANDING": str(settings.landing),
        "SATUDATA_OUT": str(settings.out),
        "SATUDATA_HOME": str(settings.home),
        "SATUDATA_AUTO_APPROVE": "true",
        "SATUDATA_LOCK_TIMEOUT": str(settings.lock_timeout),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
        **extra,
    }


def child(settings: Settings, *args: str, log: Path | None = None, **extra: str) -> subprocess.Popen:
    """Start `python -m tests.integration.reliability *args` (its output to `log`, else piped)."""
    out = log.open("wb") if log else subprocess.PIPE
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integration.reliability", *args],
        cwd=REPO_ROOT,
        env=env_of(settings, **extra),
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def mart_checksums(url: str) -> dict[str, tuple[int, str]]:
    """Per marts table: (rows, md5 of its rows in a stable order)."""
    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            )
        ]
        return {
            t: conn.execute(
                f"select count(*), md5(coalesce(string_agg(r::text, '|' order by r::text collate \"C\"), '')) "
                f'from marts."{t}" r'
            ).fetchone()
            for t in tables
        }


def wait_for(predicate, timeout: float, what: str, every: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise TimeoutError(f"gave up after {timeout:.0f} s waiting for {what}")


def kill(proc: subprocess.Popen) -> None:
    """SIGKILL the child and everything it started (its own session)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def backends_gone(url: str, application_name: str = "satudata") -> bool:
    """True once no other connection of `application_name` is left in the database (a killed client's
    backend ends when the server notices the closed socket)."""
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(
            "select count(*) = 0 from pg_stat_activity where datname = current_database() "
            "and pid <> pg_backend_pid() and application_name = %s",
            (application_name,),
        ).fetchone()[0]


# ------------------------------------------------------------------------------- child process


def _full(settings: Settings, run_id: str) -> None:
    from satudata import pipeline

    run_id = pipeline.start(settings, run_id)
    for source_id in pipeline.list_sources(settings, run_id):
        pipeline.extract(settings, run_id, source_id)
    relpaths = pipeline.discover_files(settings) + pipeline.extracted_files(settings, run_id)
    for batch in pipeline.batches(relpaths):
        pipeline.load_batch(settings, pipeline.land_batch(settings, run_id, batch))
    pipeline.transform(settings, run_id)
    pipeline.validate(settings, run_id)
    pipeline.gate_and_publish(settings, run_id)
    print(json.dumps(pipeline.report(settings, run_id)))


def _dbt_crash(settings: Settings, run_id: str) -> None:
    """Load the sample, start `dbt build`, SIGKILL it as soon as it builds a mart, then run `dbt build`
    again; print what happened (JSON). The marts are then compared with a clean run's."""
    import re

    from satudata import pipeline
    from satudata.config import TRANSFORMER, DbParams
    from satudata.rules import completeness
    from satudata.transform import dbt_command

    run_id = pipeline.start(settings, run_id)
    for batch in pipeline.batches(pipeline.discover_files(settings)):
        pipeline.load_batch(settings, pipeline.land_batch(settings, run_id, batch))
    stage = settings.as_role(TRANSFORMER)
    completeness.refresh_expected(stage, stage.require_url(), run_id)
    dbt = Path(sys.executable).parent / "dbt"
    paths = ["--log-path", str(settings.home / "dbt_logs")]
    proc = subprocess.Popen(
        [
            str(dbt),
            "build",
            "--project-dir",
            str(settings.dbt_dir),
            "--profiles-dir",
            str(settings.dbt_dir),
            "--target-path",
            str(settings.home / "target_killed"),
            *paths,
        ],
        env={**os.environ, **DbParams.from_url(stage.require_url()).dbt_env()},
        cwd=settings.dbt_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    killed_at = None
    assert proc.stdout is not None
    for line in proc.stdout:
        if re.search(r"START sql \w+ model marts\.", line):
            killed_at = line.strip()
            break
    kill(proc)

    def alone() -> bool:
        with psycopg.connect(settings.require_url(), autocommit=True) as conn:
            return conn.execute(
                "select count(*) = 0 from pg_stat_activity where datname = current_database() "
                "and pid <> pg_backend_pid()"
            ).fetchone()[0]

    wait_for(alone, 60, "the killed dbt's connections to end")
    done = dbt_command(stage, stage.require_url(), "build", "--target-path", str(settings.home / "target_next"), *paths)
    with psycopg.connect(settings.require_url()) as conn:
        leftovers = [
            r[0]
            for r in conn.execute(
                "select relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where nspname in "
                "('staging', 'intermediate', 'marts') and (relname like '%%dbt_tmp%%' or relname like '%%dbt_backup%%')"
            )
        ]
    print(
        json.dumps(
            {
                "killed_at": killed_at,
                "killed_returncode": proc.returncode,
                "returncode": done.returncode,
                "output": done.stdout[-3000:],
                "leftovers": leftovers,
            }
        )
    )


def _load(settings: Settings, run_id: str) -> None:
    from satudata import pipeline

    if os.environ.get("HOLD_AT_ROW"):  # the COPY stops there, streaming, until the process is killed
        from satudata.load import blocks, loader

        at = int(os.environ["HOLD_AT_ROW"])

        def held(path: str) -> Callable[[], None]:
            def pause() -> None:  # the test reads which path held in the child's output
                print(f"HOLDING {path} path at row {at}", flush=True)
                _forever()

            return pause

        loader.read_file = hold_at_row(at, held("rows"))
        blocks.load_blocks = hold_blocks_at_row(at, held("blocks"))
    run_id = pipeline.start(settings, run_id)
    log = logging.getLogger("reliability")
    log.info("LOAD-START %s %.6f", run_id, time.time())
    for batch in pipeline.batches(pipeline.discover_files(settings)):
        result = pipeline.load_batch(settings, pipeline.land_batch(settings, run_id, batch))
        log.info("LOAD-BATCH %s %s", run_id, json.dumps(result))
    log.info("LOAD-END %s %.6f", run_id, time.time())


def hold_at_row(at: int, pause: Callable[[], None]) -> Callable:
    """`loader.read_file` whose rows call `pause()` once, when a file reaches row `at` (its COPY open)."""
    from satudata.load import loader

    read_file = loader.read_file
    paused: list[bool] = []

    def held_read(path, dataset, *args, **kwargs):
        table = read_file(path, dataset, *args, **kwargs)
        rows = table.rows

        def held():
            for i, row in enumerate(rows):
                if i == at and not paused:
                    paused.append(True)
                    pause()
                yield row

        table.rows = held()
        return table

    return held_read


def hold_blocks_at_row(at: int, pause: Callable[[], None]) -> Callable:
    """`blocks.load_blocks` (the block path) whose COPY writer calls `pause()` once, when the rows a file
    has written reach `at` (its COPY open, the rows written so far sent): the block path's hold, as
    `hold_at_row` is the per-row path's. The block path writes whole blocks, so it holds at the end of
    the block holding row `at`."""
    from satudata.load import blocks

    load_blocks = blocks.load_blocks
    paused: list[bool] = []

    def held_load(table, dataset, opd, codes, write_rows, *args, **kwargs):
        written = 0

        def write(data) -> None:
            nonlocal written
            write_rows(data)
            written += memoryview(data).tobytes().count(b"\n")  # a line per row: COPY text escapes line breaks
            if written >= at and not paused:
                paused.append(True)
                pause()

        return load_blocks(table, dataset, opd, codes, write, *args, **kwargs)

    return held_load


def _forever() -> None:
    while True:
        time.sleep(1)


def _hold(settings: Settings, stage: str, run_id: str) -> None:
    from satudata.warehouse.lock import stage_lock

    with stage_lock(settings.require_url(), stage, run_id, settings.lock_timeout):
        print("HOLDING", flush=True)
        until = Path(os.environ["HOLD_UNTIL"])
        while not until.exists():
            time.sleep(0.05)


def _publish(settings: Settings, table: str, pub: str, run_id: str) -> None:
    """publish_dataset, SIGKILLed at $KILL_AT: `set_current` (the version folder is written, the
    catalogue not yet), `metadata.json` (while writing the version aside), `_save_versions` (the
    catalogue points at the new version, versions.json not yet)."""
    from satudata.publish import release

    kill_at = os.environ.get("KILL_AT", "")

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    if kill_at in ("set_current", "_save_versions"):
        setattr(release, kill_at, die)
    elif kill_at == "metadata.json":
        write = release._write_json

        def write_json(path, payload):
            if path.name == "metadata.json":
                die()
            write(path, payload)

        release._write_json = write_json
    if os.environ.get("PUBLISHER"):  # the publisher whose folder the test reads (published/<kode_pemda>/)
        settings = settings.for_publisher(os.environ["PUBLISHER"])
    result = release.publish_dataset(
        settings, settings.require_url(), table, json.loads(pub), {"status": "passed"}, {"run_id": run_id}
    )
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    what, *rest = sys.argv[1:]
    settings = Settings.from_env()
    {"full": _full, "load": _load, "hold": _hold, "publish": _publish, "dbt-crash": _dbt_crash}[what](settings, *rest)
