"""Airflow's own UI on this machine: `satudata airflow` (`make airflow`).

Airflow's API server and UI, scheduler (LocalExecutor), DAG processor and triggerer (what `airflow
standalone` runs) over the warehouse, for a data engineer to trigger, watch and backfill runs of
`satudata_pipeline`:

- the warehouse: SATUDATA_WAREHOUSE_URL, or the embedded PostgreSQL, started here (and stopped on exit
  when it was started here);
- Airflow's metadata: AIRFLOW__DATABASE__SQL_ALCHEMY_CONN, or a database `airflow` on the warehouse's
  server (created when missing), so the LocalExecutor runs tasks in parallel (SQLite cannot);
- the Airflow home, the DAGs and the pipeline's environment of `satudata run`; the connection
  `satudata_warehouse`; the pool `warehouse_load` (SATUDATA_WAREHOUSE_LOAD_SLOTS slots);
- the UI and the REST API on http://127.0.0.1:<port> (SATUDATA_AIRFLOW_PORT, default 8080); the user
  `admin` with SATUDATA_AIRFLOW_ADMIN_PASSWORD, or the password Airflow generates (printed).

Ctrl-C (or SIGTERM) stops every component. The server deployment is docker-compose.yml (docs/deploy.md).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

from satudata.airflow_metadata import POOL, pool_slots
from satudata.config import Settings

log = logging.getLogger(__name__)

ADMIN = "admin"
METADATA_DB = "airflow"
SIMPLE_AUTH_MANAGER = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
DAG_ID = "satudata_pipeline"


def airflow_bin() -> str:
    return str(Path(sys.executable).parent / "airflow")


def airflow_env(settings: Settings, url: str) -> dict[str, str]:
    """The environment Airflow runs the DAG with: its own home under SATUDATA_HOME, our DAGs only."""
    airflow_home = settings.home / "airflow"
    airflow_home.mkdir(parents=True, exist_ok=True)
    return {
        **os.environ,
        "AIRFLOW_HOME": str(airflow_home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(settings.repo_root / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": os.environ.get("AIRFLOW__LOGGING__LOGGING_LEVEL", "INFO"),
        "SATUDATA_WAREHOUSE_URL": url,
        "AIRFLOW_CONN_SATUDATA_WAREHOUSE": url,  # the connection `satudata_warehouse`, as on a server
        "SATUDATA_LANDING": str(settings.landing),
        "SATUDATA_OUT": str(settings.out),
        "SATUDATA_HOME": str(settings.home),
        "SATUDATA_SAMPLE_SCALE": settings.sample_scale,
        "SATUDATA_AUTO_APPROVE": os.environ.get("SATUDATA_AUTO_APPROVE", "true"),  # PPID sign-off: demo default
        "GX_ANALYTICS_ENABLED": "False",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(settings.repo_root), os.environ.get("PYTHONPATH")])),
    }


def ensure_sample(settings: Settings) -> None:
    default = settings.repo_root / "sample_data" / "landing"
    if settings.landing == default and not default.exists():
        from satudata.sample import generate

        log.info("generating the sample data (%s scale) into %s", settings.sample_scale, default)
        generate(default, scale=settings.sample_scale)
    if settings.landing == default and settings.registry is None and not (default / "registry.yaml").exists():
        from satudata.extract.sample_registry import write_sample_registry

        write_sample_registry(default)  # the sample's source registry: expected periods per OPD x dataset


def prepare_metadata(env: dict[str, str], output: IO[str] | None = None) -> int:
    """`airflow db migrate` when the metadata database is not at the installed Airflow's head revision,
    and the pool warehouse_load (the DAG's `load` task's, SATUDATA_WAREHOUSE_LOAD_SLOTS slots) when
    missing or different, in one Airflow process (satudata/airflow_metadata.py). Its output goes to
    `output` (a file) when given, else to ours. Returns the exit code."""
    return subprocess.run(metadata_command(), env=env, stdout=output, stderr=output).returncode


def metadata_command(*airflow_args: str) -> list[str]:
    """The process that prepares the metadata database (prepare_metadata), then runs `airflow
    <airflow_args>` in the same process when given (one start of Airflow instead of two)."""
    return [sys.executable, "-m", "satudata.airflow_metadata", *airflow_args]


def metadata_url(warehouse_url: str, env: dict[str, str] | None = None) -> str:
    """AIRFLOW__DATABASE__SQL_ALCHEMY_CONN when set; else the database `airflow` on the warehouse's
    server, created when missing (the warehouse user needs CREATEDB for that: the embedded server's has)."""
    if configured := (os.environ if env is None else env).get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"):
        return configured
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", (METADATA_DB,)).fetchone():
            try:
                conn.execute(sql.SQL("create database {}").format(sql.Identifier(METADATA_DB)))
            except psycopg.errors.InsufficientPrivilege as e:
                raise RuntimeError(
                    f"cannot create the database {METADATA_DB!r} for Airflow's metadata ({e}): create it, or set "
                    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=postgresql+psycopg2://user:pass@host:port/db"
                ) from e
    parts = urlsplit(warehouse_url)
    return parts._replace(scheme="postgresql+psycopg2", path=f"/{METADATA_DB}", query="").geturl()


def local_env(settings: Settings, warehouse_url: str, port: int, metadata: str) -> dict[str, str]:
    """The environment of every Airflow component: `satudata run`'s (DAGs, pipeline settings, Airflow
    home), plus the LocalExecutor on PostgreSQL and the API server on 127.0.0.1:<port>. Settings a user
    exported (parallelism, pausing, scheduling) win over the defaults here."""
    env = airflow_env(settings, warehouse_url)
    api = f"http://127.0.0.1:{port}"
    env.update(
        {
            # this venv's `airflow` first on the PATH, for whatever Airflow starts by name
            "PATH": os.pathsep.join(filter(None, [str(Path(airflow_bin()).parent), env.get("PATH")])),
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata,
            "AIRFLOW__DATABASE__LOAD_DEFAULT_CONNECTIONS": "False",
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API__BASE_URL": api,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{api}/execution/",
            # one value for every component of this start (tokens of the UI and of running tasks)
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
            "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
            "AIRFLOW__CORE__AUTH_MANAGER": SIMPLE_AUTH_MANAGER,  # Airflow's own, as `airflow standalone`
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(password_file(settings)),
        }
    )
    for key, value in {
        "AIRFLOW__CORE__PARALLELISM": "4",  # tasks at once (LocalExecutor worker processes)
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "SATUDATA_WAREHOUSE_LOAD_SLOTS": str(pool_slots()),
    }.items():
        env[key] = os.environ.get(key) or value
    return env


def password_file(settings: Settings) -> Path:
    return settings.home / "airflow" / "simple_auth_manager_passwords.json.generated"


def write_admin_password(settings: Settings, password: str) -> None:
    """Airflow's SimpleAuthManager reads its users' passwords from this file (it generates missing ones)."""
    path = password_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(json.dumps({ADMIN: password}) + "\n")


def admin_password(settings: Settings) -> str | None:
    try:
        return json.loads(password_file(settings).read_text()).get(ADMIN)
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def wait_healthy(port: int, procs: dict[str, subprocess.Popen], timeout: float) -> bool:
    """True once the API server answers and the scheduler and DAG processor report healthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and all(p.poll() is None for p in procs.values()):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=5) as r:
                health = json.load(r)
            if all(
                (health.get(c) or {"status": "healthy"}).get("status") == "healthy"
                for c in ("metadatabase", "scheduler", "dag_processor")
            ):
                return True
        except (OSError, ValueError):
            pass
        time.sleep(2)
    return False


def banner(settings: Settings, port: int, slots: int) -> None:
    if os.environ.get("SATUDATA_AIRFLOW_ADMIN_PASSWORD"):
        password = "the value of SATUDATA_AIRFLOW_ADMIN_PASSWORD"
    else:
        password = f"{admin_password(settings) or '(printed above)'}, kept in {password_file(settings)}"
    print(
        f"""
Airflow is ready: http://127.0.0.1:{port}  user {ADMIN}, password {password}
  DAG satudata_pipeline: unpause it, then Trigger; Backfill for a range of dates (one run per day)
  REST API: POST http://127.0.0.1:{port}/auth/token {{"username": "{ADMIN}", "password": ...}} -> Bearer token
  pool {POOL}: {slots} slots; landing {settings.landing}; outputs {settings.out}
  Ctrl-C stops Airflow{"" if settings.warehouse_url else " and the embedded warehouse"}.
""",
        flush=True,
    )


def serve(settings: Settings, port: int, startup_timeout: float = 300) -> int:
    """Run Airflow's components until Ctrl-C or SIGTERM (0), or until one of them stops (1)."""
    from satudata.warehouse.embedded import EmbeddedWarehouse

    if not port_free(port):
        log.error("port %s on 127.0.0.1 is in use: choose another with --port or SATUDATA_AIRFLOW_PORT", port)
        return 2
    ensure_sample(settings)
    embedded = None if settings.warehouse_url else EmbeddedWarehouse(settings.home)
    started_here = embedded is not None and embedded.running_url() is None
    url = settings.warehouse_url or embedded.start()  # type: ignore[union-attr]
    procs: dict[str, subprocess.Popen] = {}
    # Ctrl-C and SIGTERM stop it (also when started in the background, where SIGINT is ignored)
    previous = {sig: signal.signal(sig, _raise_interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        env = local_env(settings, url, port, metadata_url(url))
        if password := os.environ.get("SATUDATA_AIRFLOW_ADMIN_PASSWORD"):
            write_admin_password(settings, password)
        log.info("Airflow's metadata: %s", _without_password(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]))
        if prepare_metadata(env) != 0:
            log.error("airflow db migrate or pools set failed (see above)")
            return 2
        procs = start_components(env)
        if wait_healthy(port, procs, startup_timeout):
            banner(settings, port, pool_slots(env))
        while all(p.poll() is None for p in procs.values()):
            time.sleep(1)
        stopped = [name for name, p in procs.items() if p.poll() is not None]
        log.error("Airflow's %s stopped (its output is above): stopping the others", ", ".join(stopped))
        return 1
    except KeyboardInterrupt:
        return 0
    except RuntimeError as e:
        log.error("%s", e)
        return 2
    finally:
        for sig in previous:  # stopping (SIGKILL after 30 s): a second Ctrl-C must not leave components behind
            signal.signal(sig, signal.SIG_IGN)
        stop_components(procs)
        if started_here:
            embedded.stop()  # type: ignore[union-attr]
        for sig, handler in previous.items():
            signal.signal(sig, handler)


# What `airflow standalone` runs, started here so that each can be stopped (standalone's own shutdown
# can hang) and no log server listens on a fixed port on every interface: the API server reads the
# task logs from the files.
COMPONENTS = {
    "api-server": ["api-server"],
    "scheduler": ["scheduler", "--skip-serve-logs"],
    "dag-processor": ["dag-processor"],
    "triggerer": ["triggerer", "--skip-serve-logs"],
}


def start_components(env: dict[str, str]) -> dict[str, subprocess.Popen]:
    """Start the components in a process group of their own (Ctrl-C in the terminal reaches only us;
    we stop them), their output prefixed with their names on ours."""
    procs: dict[str, subprocess.Popen] = {}
    try:
        for name, args in COMPONENTS.items():
            group = next(iter(procs.values())).pid if procs else 0
            procs[name] = proc = subprocess.Popen(
                [airflow_bin(), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, process_group=group
            )
            threading.Thread(target=_prefix, args=(name, proc.stdout), daemon=True).start()
    except BaseException:
        stop_components(procs)
        raise
    return procs


_print_lock = threading.Lock()


def _prefix(name: str, stream) -> None:
    for line in iter(stream.readline, b""):
        with _print_lock:
            sys.stdout.write(f"{name:13} | {line.decode(errors='replace').rstrip()}\n")
            sys.stdout.flush()


def stop_components(procs: dict[str, subprocess.Popen], timeout: float = 30) -> None:
    """SIGTERM to the components' process group (LocalExecutor workers and task processes included),
    SIGKILL to whatever is left after `timeout` seconds."""
    if not procs:
        return
    group = next(iter(procs.values())).pid
    _signal_group(group, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for proc in procs.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(max(0.1, deadline - time.monotonic()))
    if _signal_group(group, signal.SIGKILL):
        log.warning("Airflow components still running %.0f s after SIGTERM: killed", timeout)
    for proc in procs.values():
        proc.wait()


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if not parts.hostname:
        return url
    return parts._replace(
        netloc=f"{parts.username or ''}@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    ).geturl()


def _signal_group(pgid: int, sig: int) -> bool:
    """Signal a process group; False when no process is left in it."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    return True
