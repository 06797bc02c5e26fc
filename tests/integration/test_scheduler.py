"""The pipeline under a real Airflow scheduler, as `make airflow` runs it: `satudata airflow` starts
Airflow's API server, scheduler (LocalExecutor), DAG processor and triggerer with their metadata in
PostgreSQL; a run is triggered through the REST API with the admin's JWT; the mapped land and load
tasks of different pemda run at the same time; the run finishes `success` and publishes.

Landing: the small fixture landing (tests/fixtures/landing_min) of one OPD, dropped by three pemda, so
there are three land/load batches. Every process the test starts is stopped at the end, also when it
fails."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime
from pathlib import Path

import psycopg
import pytest

from satudata.config import REPO_ROOT, TRANSFORMER
from tests.conftest import make_settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DAG_ID = "satudata_pipeline"
FIXTURE = REPO_ROOT / "tests" / "fixtures" / "landing_min" / "18.72"
PEMDA = ("18.72", "62.71", "53.71")  # Kota Metro, Palangka Raya, Kupang: each has a DINKES
STARTUP_TIMEOUT = 300
RUN_TIMEOUT = 600


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Api:
    """Airflow's REST API (v2), authenticated with a JWT from /auth/token."""

    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.token: str | None = None

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        request = urllib.request.Request(
            self.base + path,
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={
                "Content-Type": "application/json",
                **({"Authorization": f"Bearer {self.token}"} if self.token else {}),
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def login(self, username: str, password: str) -> None:
        self.token = self.call("POST", "/auth/token", {"username": username, "password": password})["access_token"]


def wait_for(what: str, check, timeout: float, proc: subprocess.Popen, log: Path, every: float = 2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"`satudata airflow` exited ({proc.returncode}) while waiting for {what}:\n{tail(log)}")
        with contextlib.suppress(OSError, ValueError, KeyError):
            if result := check():
                return result
        time.sleep(every)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}:\n{tail(log)}")


def tail(path: Path, chars: int = 6000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else ""


def stop(proc: subprocess.Popen, airflow_home: Path) -> None:
    """SIGTERM to `satudata airflow` (it stops Airflow and its components), then anything still running
    from this test's Airflow home: every process the test started carries it in its environment."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(120)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    marker = f"AIRFLOW_HOME={airflow_home}".encode()
    left = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        with contextlib.suppress(OSError):
            if marker in environ.read_bytes().split(b"\0"):
                left.append(int(environ.parent.name))
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert not left, f"processes left running after `satudata airflow` stopped: {left}"


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("scheduler_landing")
    for kode in PEMDA:
        shutil.copytree(FIXTURE, landing / kode)
    return landing


@pytest.fixture(scope="module")
def scheduled_run(tmp_path_factory, pg_server, landing):
    """`satudata airflow` on free ports, one run triggered through the REST API; yields what the test needs."""
    tmp = tmp_path_factory.mktemp("scheduler")
    db = "t_scheduler"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"drop database if exists {db} with (force)")
        conn.execute(f"create database {db}")
        conn.execute("drop database if exists airflow with (force)")  # `satudata airflow` creates it
    settings = make_settings(tmp, pg_server.rsplit("/", 1)[0] + f"/{db}", landing)
    port, password = free_port(), uuid.uuid4().hex
    env = {
        **os.environ,
        "SATUDATA_WAREHOUSE_URL": settings.warehouse_url,
        "SATUDATA_LANDING": str(settings.landing),
        "SATUDATA_OUT": str(settings.out),
        "SATUDATA_HOME": str(settings.home),
        "SATUDATA_AIRFLOW_ADMIN_PASSWORD": password,
        "SATUDATA_AUTO_APPROVE": "true",
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",  # only the run triggered here, no scheduled one
    }
    env.pop("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", None)
    log = tmp / "satudata_airflow.log"
    started = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "satudata.cli", "airflow", "--port", str(port)],
            env=env,
            cwd=REPO_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        api = Api(port)
        wait_for(
            "the API server and the scheduler",
            lambda: all(
                api.call("GET", "/api/v2/monitor/health")[c]["status"] == "healthy"
                for c in ("metadatabase", "scheduler")
            ),
            STARTUP_TIMEOUT,
            proc,
            log,
        )
        api.login("admin", password)
        wait_for(
            f"the DAG {DAG_ID} to be parsed",
            lambda: api.call("GET", f"/api/v2/dags/{DAG_ID}"),
            STARTUP_TIMEOUT,
            proc,
            log,
        )
        ready = time.monotonic()

        # When a data engineer unpauses the DAG and triggers a run through the REST API
        api.call("PATCH", f"/api/v2/dags/{DAG_ID}", {"is_paused": False})
        run_id = api.call("POST", f"/api/v2/dags/{DAG_ID}/dagRuns", {"logical_date": None})["dag_run_id"]
        run = wait_for(
            "the run to finish",
            lambda: (
                r
                if (r := api.call("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}"))["state"] in ("success", "failed")
                else None
            ),
            RUN_TIMEOUT,
            proc,
            log,
            every=5,
        )
        tis = api.call("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances?limit=200")["task_instances"]
        print(f"startup {ready - started:.0f} s, run {time.monotonic() - ready:.0f} s")
        yield {
            "settings": settings,
            "run": run,
            "task_instances": tis,
            "pg_server": pg_server,
            "airflow_home": settings.home / "airflow",
            "log": log,
        }
    finally:
        stop(proc, settings.home / "airflow")


def failed_tasks(scheduled_run) -> str:
    bad = [ti for ti in scheduled_run["task_instances"] if ti["state"] != "success"]
    logs = scheduled_run["airflow_home"] / "logs"
    return "\n".join(f"{ti['task_id']}[{ti['map_index']}]: {ti['state']}" for ti in bad) + f"\nlogs in {logs}"


def test_a_run_triggered_through_the_rest_api_finishes_success(scheduled_run):
    assert scheduled_run["run"]["state"] == "success", failed_tasks(scheduled_run)
    assert {ti["state"] for ti in scheduled_run["task_instances"]} <= {"success", "skipped"}, failed_tasks(
        scheduled_run
    )
    # run by the scheduler with the LocalExecutor, kept in Airflow's metadata database in PostgreSQL
    with psycopg.connect(scheduled_run["pg_server"].rsplit("/", 1)[0] + "/airflow") as conn:
        state = conn.execute(
            "select state from dag_run where run_id = %s", (scheduled_run["run"]["dag_run_id"],)
        ).fetchone()
    assert state == ("success",)
    assert "Loaded executor: :LocalExecutor:" in scheduled_run["log"].read_text(errors="replace")


def test_the_mapped_land_and_load_tasks_each_ran(scheduled_run):
    # Behaviour, not timing (a busy machine may run them one after another): land and load were
    # mapped, one task instance per pemda's batch, and every one of them ran to success
    tis = scheduled_run["task_instances"]
    mapped = {task: [ti for ti in tis if ti["task_id"] == task] for task in ("land", "load")}
    assert sorted(ti["rendered_map_index"] for ti in mapped["land"]) == sorted(PEMDA)  # one batch per pemda
    assert sorted(ti["map_index"] for ti in mapped["load"]) == list(range(len(PEMDA)))  # one load per batch
    assert {ti["pool"] for ti in mapped["load"]} == {"warehouse_load"}
    for ti in mapped["land"] + mapped["load"]:
        assert ti["state"] == "success" and ti["try_number"] >= 1, ti
        assert datetime.fromisoformat(ti["start_date"]) <= datetime.fromisoformat(ti["end_date"]), ti


def test_the_run_published(scheduled_run):
    settings = scheduled_run["settings"]
    summary = json.loads((settings.reports / "run_summary.json").read_text())
    assert summary["status"] == "success"
    assert {f["path"].split("/")[0] for f in summary["files"]} == set(PEMDA)
    catalog = json.loads((settings.published / "catalog.json").read_text())["datasets"]
    assert catalog and all((settings.published / e["path"] / "data.csv").exists() for e in catalog.values())
    assert {d for d, v in summary["datasets"].items() if v["status"] == "published"} == set(catalog)
    # and dbt built the marts as the transformer's role (migration 005)
    with psycopg.connect(settings.warehouse_url) as conn:
        owners = {r[0] for r in conn.execute("select distinct tableowner from pg_tables where schemaname = 'marts'")}
    assert owners == {TRANSFORMER}
