"""The pipeline under Airflow's CeleryExecutor for real, as docker-compose.yml runs it: Redis as the
broker, the result backend in the metadata database, two Celery workers with their own host names (two
slots each), and the scheduler, API server and DAG processor, all on 127.0.0.1 of this machine, with the
embedded PostgreSQL as Airflow's metadata database and as the warehouse.

One run of `satudata_pipeline` on the small sample (4 pemda: 4 mapped land and load tasks). While a
`load` task is inside the warehouse load on one worker, that worker is killed with SIGKILL (its whole
process group, task processes included), like a lost machine. The scheduler finds the task's heartbeat
gone, and Airflow retries it on the other worker. Then:
- the run succeeds and tasks ran on both workers (task_instance.hostname in the metadata database);
- the killed try is in task_instance_history with the killed worker's name, the retry succeeded on the
  other worker;
- nothing is lost or doubled: for every file of audit.source_file rows_read = rows_loaded +
  rows_quarantined + rows_set_aside, raw holds exactly rows_loaded rows of it, and every count equals a
  reference load of the same files without Airflow.

Minutes on 2 cores, so not in `make test`: `make scale-test` runs it (README, "Scale test"). Every
process it starts is stopped at the end, also when it fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest

from satudata import pipeline
from satudata.airflow_local import ADMIN, airflow_bin, local_env, prepare_metadata, write_admin_password
from satudata.sample import generate
from tests.conftest import make_settings
from tests.scale import cluster

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(2400)]

DAG_ID = "satudata_pipeline"
WORKERS = ("satudata-worker-a", "satudata-worker-b")
HEARTBEAT_TIMEOUT = 30  # Airflow's default is 300 s: a lost worker's task is found sooner here
# Airflow's default is 5 s: on 2 busy cores the API server's first execution calls took up to 38 s
EXECUTION_API_TIMEOUT = 60
STARTUP_TIMEOUT = 300
RUN_TIMEOUT = 1500
FILE_COUNTS = (
    "select path, status, rows_read, rows_loaded, rows_quarantined, rows_set_aside from audit.source_file order by path"
)


def fresh_db(pg_server: str, name: str) -> str:
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"drop database if exists {name} with (force)")
        conn.execute(f"create database {name}")
    return pg_server.rsplit("/", 1)[0] + f"/{name}"


def file_counts(url: str) -> dict[str, tuple]:
    with psycopg.connect(url) as conn:
        return {path: tuple(rest) for path, *rest in conn.execute(FILE_COUNTS)}


def raw_rows_per_file(url: str) -> dict[str, int]:
    """Rows per landing path counted in the raw tables themselves (column _file_id), plus those a later file
    of the same slot moved to audit.source_row_history (a file's loaded rows are in one or the other)."""
    with psycopg.connect(url) as conn:
        tables = [
            t
            for (t,) in conn.execute(
                "select table_name from information_schema.columns "
                "where table_schema = 'raw' and column_name = '_file_id' order by 1"
            )
        ]
        assert tables, "no raw table with a _file_id column"
        counts: dict[str, int] = {}
        queries = [f'select _file_id from raw."{table}"' for table in tables]
        queries.append("select file_id from audit.source_row_history")
        for query in queries:
            for path, n in conn.execute(
                f"select sf.path, count(*) from ({query}) r (file_id) join audit.source_file sf using (file_id) "
                "group by 1"
            ):
                counts[path] = counts.get(path, 0) + n
    return counts


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("celery_landing")
    generate(landing, scale="small", seed=2024)
    return landing


@pytest.fixture(scope="module")
def reference(tmp_path_factory, pg_server, landing) -> dict[str, tuple]:
    """The same files landed and loaded without Airflow, batch by batch as the DAG's tasks do."""
    url = fresh_db(pg_server, "t_celery_reference")
    settings = make_settings(tmp_path_factory.mktemp("celery_reference"), url, landing)
    run_id = pipeline.start(settings, "reference")
    for relpaths in pipeline.batches(pipeline.discover_files(settings)):
        pipeline.load_batch(settings, pipeline.land_batch(settings, run_id, relpaths))
    return file_counts(url)


class Api:
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


@pytest.fixture(scope="module")
def celery_run(tmp_path_factory, pg_server, landing):
    tmp = tmp_path_factory.mktemp("celery")
    warehouse = fresh_db(pg_server, "t_celery")
    metadata = cluster.metadata_url(fresh_db(pg_server, "t_celery_airflow"), "t_celery_airflow")
    settings = make_settings(tmp, warehouse, landing)
    api_port, redis_port, redis_password = cluster.free_port(), cluster.free_port(), cluster.new_password()
    env = local_env(settings, warehouse, api_port, metadata)
    env.update(
        cluster.celery_settings(
            redis_host="127.0.0.1",
            redis_port=redis_port,
            redis_password=redis_password,
            metadata_url=metadata,
            concurrency=cluster.WORKER_CONCURRENCY,
        )
    )
    env.update(
        {
            "AIRFLOW__CORE__PARALLELISM": str(cluster.WORKER_CONCURRENCY * len(WORKERS)),
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",  # only the run triggered here
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(HEARTBEAT_TIMEOUT),
            "AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT": str(EXECUTION_API_TIMEOUT),
            "SATUDATA_AUTO_APPROVE": "true",
        }
    )
    password = cluster.new_password()
    write_admin_password(settings, password)
    procs = cluster.Processes(tmp / "logs")
    started = time.monotonic()

    def fail(what: str) -> None:
        logs = "\n".join(f"--- {name} ---\n{procs.log(name, 3000)}" for name in procs.procs)
        pytest.fail(f"{what}; exited: {procs.exited()}\n{logs}")

    def wait_for(what: str, check, timeout: float, every: float = 1.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if procs.exited():
                fail(f"a process stopped while waiting for {what}")
            try:
                if result := check():
                    return result
            except (OSError, ValueError, KeyError, psycopg.OperationalError):
                pass
            time.sleep(every)
        fail(f"timed out after {timeout:.0f} s waiting for {what}")

    def metadata_query(query: str, *params):
        with psycopg.connect(metadata.replace("+psycopg2", ""), autocommit=True) as conn:
            return conn.execute(query, params).fetchall()

    try:
        assert prepare_metadata(env) == 0, "airflow db migrate / pools set failed"
        cluster.start_redis(procs, tmp, redis_port, redis_password)
        cluster.wait_redis(redis_port, redis_password)
        for name, args in {
            "api-server": ["api-server"],
            "scheduler": ["scheduler", "--skip-serve-logs"],
            "dag-processor": ["dag-processor"],
        }.items():
            procs.start(name, [airflow_bin(), *args], env)
        for worker in WORKERS:
            worker_env = {
                **env,
                cluster.WORKER_HOSTNAME: worker,
                "AIRFLOW__CORE__HOSTNAME_CALLABLE": "tests.scale.cluster.worker_hostname",
            }
            procs.start(
                worker,
                [
                    airflow_bin(),
                    "celery",
                    "worker",
                    "--celery-hostname",
                    f"{worker}@%h",
                    "--concurrency",
                    str(cluster.WORKER_CONCURRENCY),
                    "--skip-serve-logs",
                    "--pid",
                    str(tmp / f"{worker}.pid"),
                ],
                worker_env,
            )
        api = Api(api_port)
        wait_for(
            "the API server, scheduler and DAG processor",
            lambda: all(
                api.call("GET", "/api/v2/monitor/health")[c]["status"] == "healthy"
                for c in ("metadatabase", "scheduler", "dag_processor")
            ),
            STARTUP_TIMEOUT,
            every=2,
        )
        wait_for("both Celery workers", lambda: all(" ready." in procs.log(w, 10**6) for w in WORKERS), STARTUP_TIMEOUT)
        api.token = api.call("POST", "/auth/token", {"username": ADMIN, "password": password})["access_token"]
        wait_for(
            f"the DAG {DAG_ID} to be parsed", lambda: api.call("GET", f"/api/v2/dags/{DAG_ID}"), STARTUP_TIMEOUT, 2
        )
        wait_for("the execution API", lambda: api.call("GET", "/execution/health"), STARTUP_TIMEOUT, 2)
        ready = time.monotonic()
        api.call("PATCH", f"/api/v2/dags/{DAG_ID}", {"is_paused": False})
        run_id = api.call("POST", f"/api/v2/dags/{DAG_ID}/dagRuns", {"logical_date": None})["dag_run_id"]

        # A `load` task running on a worker and inside the warehouse load (it holds the load stage's lock)
        def loading():
            running = metadata_query(
                "select map_index, hostname, try_number from task_instance where dag_id = %s and run_id = %s "
                "and task_id = 'load' and state = 'running' and hostname = any(%s) order by start_date",
                DAG_ID,
                run_id,
                list(WORKERS),
            )
            with psycopg.connect(warehouse, autocommit=True) as conn:
                inside = conn.execute(
                    "select count(*) from pg_stat_activity where application_name like 'satudata load lock:%%'"
                ).fetchone()[0]
            return running[0] if running and inside else None

        map_index, victim, killed_try = wait_for("a load task on a worker", loading, RUN_TIMEOUT, every=0.2)
        with psycopg.connect(warehouse, autocommit=True) as conn:  # files of the run not loaded yet
            unloaded = conn.execute("select count(*) from audit.source_file where status = 'landed'").fetchone()[0]
        procs.kill(victim)  # SIGKILL to the worker's process group
        killed_at = time.monotonic()
        # then anything of that worker that left the group, again until none is left: a process the task
        # started between two kills (the feedback pool's multiprocessing resource tracker, started while the
        # task was being killed, survived a single pass) dies as it would with the machine. What is still
        # there after 10 s survived the kill, named with its command and state.
        for _ in range(20):
            for pid in cluster.pids_with(f"{cluster.WORKER_HOSTNAME}={victim}"):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, 9)
            time.sleep(0.5)
            left = cluster.described(cluster.pids_with(f"{cluster.WORKER_HOSTNAME}={victim}"))
            if not left:
                break
        del procs.procs[victim]  # expected to be gone: not a failure of the cluster

        run = wait_for(
            "the run to finish",
            lambda: (
                r
                if (r := api.call("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}"))["state"] in ("success", "failed")
                else None
            ),
            RUN_TIMEOUT,
            every=3,
        )
        finished = time.monotonic()
        tis = metadata_query(
            "select task_id, map_index, hostname, try_number, state from task_instance "
            "where dag_id = %s and run_id = %s",
            DAG_ID,
            run_id,
        )
        history = metadata_query(
            "select task_id, map_index, hostname, try_number, state from task_instance_history "
            "where dag_id = %s and run_id = %s",
            DAG_ID,
            run_id,
        )
        print(
            f"\ncelery scale test: startup {ready - started:.0f} s, run {finished - ready:.0f} s "
            f"(worker {victim} killed {killed_at - ready:.0f} s into the run, load map_index {map_index}, "
            f"{unloaded} files not loaded yet)"
        )
        yield {
            "run": run,
            "task_instances": tis,
            "history": history,
            "victim": victim,
            "killed": (map_index, killed_try),
            "left_after_kill": left,
            "unloaded_at_kill": unloaded,
            "warehouse": warehouse,
            "logs": {name: procs.log(name, 3000) for name in procs.procs},
        }
    finally:
        procs.stop_all()
        marker = f"AIRFLOW_HOME={settings.home / 'airflow'}"
        for pid in cluster.pids_with(marker):
            os.kill(pid, 9)


def test_the_locked_celery_can_run_the_celery_provider():
    """The scheduler and every worker import the provider's executor utilities first: a Celery the provider
    cannot import (celery 5.7 dropped celery.backends.database.retry, which provider 3.26 imports) stops
    them all at start."""
    from importlib.metadata import version

    try:
        import airflow.providers.celery.executors.celery_executor_utils  # noqa: F401
    except ImportError as e:
        pytest.fail(
            f"apache-airflow-providers-celery {version('apache-airflow-providers-celery')} cannot run with "
            f"celery {version('celery')}: {e}. Pin a Celery it supports in pyproject.toml, then make lock."
        )


def test_the_run_succeeds_with_tasks_on_both_workers(celery_run):
    assert celery_run["run"]["state"] == "success", celery_run["logs"]
    # every try that ran names its worker (a task with nothing to do, e.g. `extract` mapped over no
    # source, is skipped without running: no host)
    hosts = {host for _, _, host, _, _ in celery_run["task_instances"] + celery_run["history"] if host}
    assert hosts == set(WORKERS), hosts
    per_host = {w: sum(1 for ti in celery_run["task_instances"] if ti[2] == w) for w in WORKERS}
    print(f"task instances per worker (last try): {per_host}")
    assert all(ti[4] == "success" or (ti[4] == "skipped" and not ti[2]) for ti in celery_run["task_instances"]), (
        celery_run["task_instances"]
    )
    assert per_host[WORKERS[0]] and per_host[WORKERS[1]], per_host


def test_the_killed_load_is_retried_on_the_other_worker(celery_run):
    map_index, killed_try = celery_run["killed"]
    victim = celery_run["victim"]
    (other,) = set(WORKERS) - {victim}
    assert celery_run["left_after_kill"] == [], "processes of the killed worker survived SIGKILL"
    assert celery_run["unloaded_at_kill"] > 0, "the worker was killed after the loads had finished"
    final = [ti for ti in celery_run["task_instances"] if ti[0] == "load" and ti[1] == map_index]
    assert [(host, state) for _, _, host, _, state in final] == [(other, "success")], final
    assert final[0][3] > killed_try
    killed = [h for h in celery_run["history"] if h[0] == "load" and h[1] == map_index and h[3] == killed_try]
    assert [(host, state) for _, _, host, _, state in killed] == [(victim, "failed")], celery_run["history"]


def test_every_row_is_accounted_for_as_in_a_reference_load(celery_run, reference):
    counts = file_counts(celery_run["warehouse"])
    assert counts, "no file in audit.source_file"
    for path, (status, read, loaded, quarantined, set_aside) in counts.items():
        assert None not in (read, loaded, quarantined, set_aside), (path, status)
        assert read == loaded + quarantined + set_aside, (path, read, loaded, quarantined, set_aside)
    raw = raw_rows_per_file(celery_run["warehouse"])
    assert {p: n for p, n in raw.items()} == {p: c[2] for p, c in counts.items() if c[2]}
    assert counts == reference
    total = [sum(c[i] for c in counts.values()) for i in (1, 2, 3, 4)]
    print(
        f"{len(counts)} files: rows read {total[0]} = loaded {total[1]} + quarantined {total[2]} + set aside {total[3]}"
    )
