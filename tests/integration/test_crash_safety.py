"""Crash safety: a run killed at the worst moment is put right by the next run, on its own.

- a load SIGKILLed mid-COPY, on either loader path (per row, blocks): its file stays `landed`,
  nothing of it is in raw; the next run loads it whole (no row missing, none twice);
- a `dbt build` SIGKILLed mid-model: the next `dbt build` succeeds and the marts equal a clean run's;
- the warehouse stopped between stages and in the middle of a COPY: the stage fails, its retry
  succeeds;
- the publisher SIGKILLed between writing a version and updating catalog.json, while writing the
  version, and between catalog.json and versions.json: the catalogue never points at a partial
  version, and the next publication cleans up and records what is current.
"""

from __future__ import annotations

import json
import logging
import signal
import subprocess
import threading
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from satudata import pipeline
from satudata.load import loader
from satudata.publish import release
from satudata.transform import build
from satudata.warehouse import embedded, migrate
from satudata.warehouse.embedded import EmbeddedWarehouse
from tests.conftest import make_settings
from tests.fixtures.hostile.make_hostile import million_rows
from tests.integration import reliability
from tests.integration.reliability import fresh_db, kill, mart_checksums, wait_for

pytestmark = pytest.mark.integration

BIG_ROWS = 200_000
BIG = "18.72/BPKAD/realisasi_belanja/sp2d_besar.csv"


def big_landing(root: Path) -> Path:
    (root / BIG).parent.mkdir(parents=True, exist_ok=True)
    million_rows(root / BIG, rows=BIG_ROWS)
    return root


def expected_nilai() -> int:
    return sum(1000 + i % 997 for i in range(1, BIG_ROWS + 1))  # what million_rows writes


def copy_progress(admin_url: str, db: str) -> int:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        row = conn.execute(
            "select max(p.tuples_processed) from pg_stat_progress_copy p join pg_database d "
            "on d.oid = p.datid where d.datname = %s",
            (db,),
        ).fetchone()
    return row[0] or 0


def others_gone(admin_url: str, db: str) -> bool:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        return conn.execute(
            "select count(*) = 0 from pg_stat_activity where datname = %s and pid <> pg_backend_pid()", (db,)
        ).fetchone()[0]


def raw_state(url: str) -> tuple[int, int, int]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "select count(*), count(distinct (_file_id, _row_number)), coalesce(sum(nilai), 0) "
            "from raw.realisasi_belanja"
        ).fetchone()


@pytest.mark.parametrize("path", ["rows", "blocks"])
def test_a_load_killed_mid_copy_is_loaded_whole_by_the_next_run(pg_server, tmp_path, monkeypatch, caplog, path):
    db = f"t_crash_load_{path}"
    url = fresh_db(pg_server, db)
    settings = make_settings(tmp_path, url, big_landing(tmp_path / "landing"))
    monkeypatch.setenv("SATUDATA_LOADER", path)  # the child and the next run take the same loader path
    first_log = tmp_path / "first.log"

    # Given a run's load stage in its own process, on loader path `path`, SIGKILLed while COPY is streaming
    # rows (held after 50,000 rows, its COPY open, whatever the machine's speed)
    proc = reliability.child(settings, "load", "crash_first", log=first_log, HOLD_AT_ROW="50000")
    try:
        wait_for(lambda: f"HOLDING {path} path" in first_log.read_text(), 180, f"the {path} path to hold")
        wait_for(lambda: copy_progress(pg_server, db) > 20_000, 180, "the COPY to get going")
    finally:
        kill(proc)
    assert proc.returncode == -signal.SIGKILL
    wait_for(lambda: others_gone(pg_server, db), 30, "the killed client's backends to end")

    # Then the file is still `landed` and none of its rows is in raw
    with psycopg.connect(url) as conn:
        files = conn.execute("select file_id, status from audit.source_file").fetchall()
        findings = conn.execute("select count(*) from audit.row_finding").fetchone()[0]
    assert [f[1] for f in files] == ["landed"] and findings == 0
    assert raw_state(url) == (0, 0, 0)

    # When the next run comes, it loads the same file, whole, once (on the same path: the block path
    # gives no file back to the per-row path)
    run_id = pipeline.start(settings, "crash_second")
    landed = pipeline.land_batch(settings, run_id, pipeline.discover_files(settings))
    assert [(x["file_id"], x["status"]) for x in landed] == [(files[0][0], "landed")]
    with caplog.at_level(logging.INFO, logger="satudata.load.loader"):
        result = pipeline.load_batch(settings, landed)
    assert not [r for r in caplog.records if "per-row path" in r.getMessage()]
    assert result["rows_loaded"] == BIG_ROWS
    assert raw_state(url) == (BIG_ROWS, BIG_ROWS, expected_nilai())


def test_a_killed_dbt_build_is_not_taken_for_a_finished_one(warehouse_url, tmp_path, monkeypatch):
    # Given dbt killed by a signal, an earlier build's run_results.json still lying in target/
    migrate(warehouse_url)
    settings = replace(make_settings(tmp_path, warehouse_url, tmp_path), repo_root=tmp_path)
    (settings.dbt_dir / "target").mkdir(parents=True)
    (settings.dbt_dir / "target" / "run_results.json").write_text('{"results": []}')
    monkeypatch.setattr(
        "satudata.transform.dbt_command", lambda *a, **k: subprocess.CompletedProcess(a, -signal.SIGKILL, "", "")
    )
    # When the transform stage reads the outcome, Then it fails (Airflow retries it) and records nothing
    with pytest.raises(RuntimeError, match="did not finish"):
        build(settings, settings.warehouse_url, "r1")


def test_a_dbt_build_killed_mid_model_is_rebuilt_by_the_next_one(dbt_recovery, full_run):
    # Given `dbt build` SIGKILLed as soon as it built a mart (staging and some marts done, the rest not)
    # (in a child process started with the session: tests/integration/conftest.py, reliability.py dbt-crash)
    assert dbt_recovery["killed_at"], "dbt finished before it reached a mart"
    assert dbt_recovery["killed_returncode"] == -signal.SIGKILL
    # When the next `dbt build` ran, Then it succeeded and left no half-built relation
    assert dbt_recovery["returncode"] == 0, dbt_recovery["output"]
    assert dbt_recovery["leftovers"] == []
    # and the marts equal those of a clean run of the same files
    clean = mart_checksums(full_run["admin_url"])
    assert clean and mart_checksums(dbt_recovery["url"]) == clean, f"killed at: {dbt_recovery['killed_at']}"


def test_a_warehouse_restart_fails_the_stage_and_its_retry_succeeds(tmp_path, monkeypatch):
    server = EmbeddedWarehouse(tmp_path / "pg_home")
    url = server.start()
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    monkeypatch.setattr(embedded, "_free_port", lambda: port)  # a restarted server keeps its address
    try:
        settings = make_settings(tmp_path, url, big_landing(tmp_path / "landing"))
        run_id = pipeline.start(settings, "restart")
        landed = pipeline.land_batch(settings, run_id, pipeline.discover_files(settings))

        # Given the warehouse stops between land and load: the load stage fails
        server.stop()
        with pytest.raises(psycopg.OperationalError):
            pipeline.load_batch(settings, landed)
        server.start()

        # Given it stops again in the middle of the COPY (the load held after 50,000 rows, whatever the
        # machine's speed, until the server is down): the stage fails, and nothing half-loaded stays
        halfway, resume = threading.Event(), threading.Event()

        def pause() -> None:
            halfway.set()
            resume.wait(120)

        # the hold wraps the per-row reader: this load takes that path (the block path's COPY is the same
        # statement in the same transaction, and test_loader_parity shows both paths give the same outcome)
        monkeypatch.setenv("SATUDATA_LOADER", "rows")
        monkeypatch.setattr(loader, "read_file", reliability.hold_at_row(50_000, pause))
        failure: list[BaseException] = []

        def load() -> None:
            try:
                pipeline.load_batch(settings, landed)
            except BaseException as e:  # noqa: BLE001 - asserted below
                failure.append(e)

        worker = threading.Thread(target=load)
        worker.start()
        assert halfway.wait(120), "the load did not reach row 50,000"
        wait_for(lambda: copy_progress(url.rsplit("/", 1)[0] + "/postgres", "satudata") > 20_000, 120, "the COPY")
        server.stop()
        resume.set()
        worker.join(120)
        assert failure and "could not be loaded" in str(failure[0])
        server.start()
        with psycopg.connect(url) as conn:
            assert conn.execute("select status from audit.source_file").fetchall() == [("landed",)]
        assert raw_state(url) == (0, 0, 0)

        # When the stage is retried (Airflow: retries=2), Then it loads the file whole
        assert pipeline.load_batch(settings, landed)["rows_loaded"] == BIG_ROWS
        assert raw_state(url) == (BIG_ROWS, BIG_ROWS, expected_nilai())
    finally:
        server.stop()


PUB = {
    "meta": {
        "dataset_id": "uji_crash",
        "judul": "Uji crash",
        "primary_key": ["tahun", "bulan"],
        "measure": "jumlah",
        "satuan": "ORANG",
        "person_based": False,
    },
    "columns": {"jumlah": "jumlah"},
    "description": "uji",
}
TABLE = "marts.pub_uji_crash"


def _mart(url: str, jumlah: dict[int, int]) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("create schema if not exists marts")
        conn.execute(f"create table if not exists {TABLE} (tahun int, bulan int, jumlah int)")
        conn.execute(f"truncate {TABLE}")
        for bulan, n in jumlah.items():
            conn.execute(f"insert into {TABLE} values (2024, %s, %s)", (bulan, n))


def _publish_killed(settings, at: str, log: Path) -> int:
    proc = reliability.child(
        settings,
        "publish",
        TABLE,
        json.dumps(PUB),
        f"killed_at_{at}",
        log=log,
        KILL_AT=at,
        PUBLISHER=settings.publisher,
    )
    return proc.wait(timeout=120)


def _catalog(settings) -> dict:
    return json.loads((settings.published / "catalog.json").read_text())["datasets"]["uji_crash"]


def _versions(settings) -> dict:
    return json.loads((settings.published / "uji_crash" / "versions.json").read_text())


def _folders(settings) -> list[str]:
    return sorted(p.name for p in (settings.published / "uji_crash").iterdir() if p.is_dir())


def test_a_publisher_killed_part_way_never_leaves_a_partial_publication(warehouse_url, tmp_path):
    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    pipeline.start(settings, "publish_crash")
    _mart(warehouse_url, {1: 10, 2: 20, 3: 30})
    assert release.publish_dataset(settings, warehouse_url, TABLE, PUB, {}, {"run_id": "p1"})["version"] == "v1"
    good = (settings.published / "uji_crash" / "v1" / "data.csv").read_bytes()

    # Given new data, and the publisher killed after writing v2 and before pointing the catalogue at it
    _mart(warehouse_url, {1: 10, 2: 25, 3: 30})
    assert _publish_killed(settings, "set_current", tmp_path / "k1.log") == -signal.SIGKILL
    # Then the catalogue still points at the last good version, whose files are untouched
    assert _catalog(settings)["version"] == "v1" and _versions(settings)["current"] == "v1"
    assert (settings.published / "uji_crash" / "v1" / "data.csv").read_bytes() == good
    assert _folders(settings) == ["v1", "v2"]  # the orphan, never in the catalogue

    # Given a publisher killed while writing the version aside
    assert _publish_killed(settings, "metadata.json", tmp_path / "k2.log") == -signal.SIGKILL
    assert _catalog(settings)["version"] == "v1"
    assert [p.name for p in (settings.published / "uji_crash").iterdir() if p.name.endswith(".partial")]

    # When the next publication runs, Then it clears both and publishes v2 whole, noting February changed
    result = release.publish_dataset(settings, warehouse_url, TABLE, PUB, {}, {"run_id": "p2"})
    assert (result["status"], result["version"]) == ("published", "v2")
    assert _folders(settings) == ["v1", "v2"] and not list((settings.published / "uji_crash").glob(".*"))
    assert _catalog(settings)["version"] == "v2"
    assert [(v["version"], v["status"]) for v in _versions(settings)["versions"]] == [
        ("v1", "superseded"),
        ("v2", "current"),
    ]
    md = json.loads((settings.published / "uji_crash" / "v2" / "metadata.json").read_text())
    assert md["perubahan"]["periode_berubah"] == ["2024-02"]

    # Given a publisher killed after the catalogue points at v3 and before versions.json records it
    _mart(warehouse_url, {1: 10, 2: 25, 3: 35})
    assert _publish_killed(settings, "_save_versions", tmp_path / "k3.log") == -signal.SIGKILL
    assert _catalog(settings)["version"] == "v3" and _versions(settings)["current"] == "v2"
    # When the next publication runs (same data), Then versions.json records v3 as current
    result = release.publish_dataset(settings, warehouse_url, TABLE, PUB, {}, {"run_id": "p3"})
    assert (result["status"], result["version"]) == ("unchanged", "v3")
    history = _versions(settings)
    assert history["current"] == "v3" and [v["status"] for v in history["versions"]] == [
        "superseded",
        "superseded",
        "current",
    ]
    assert history["events"][-1]["action"] == "recovered"
    assert _folders(settings) == ["v1", "v2", "v3"]
