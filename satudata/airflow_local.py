"""Airflow's own UI on this machine: `satudata airflow` (`make airflow`).

`airflow standalone` (API server and UI, scheduler, DAG processor, triggerer) over the warehouse, for
a data engineer to trigger, watch and backfill runs of `satudata_pipeline`:

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
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

from satudata.config import Settings

log = logging.getLogger(__name__)

POOL = "warehouse_load"
POOL_DESCRIPTION = "Concurrent loads into the warehouse (docs/deploy.md, Pools)"
ADMIN = "admin"
METADATA_DB = "airflow"
SIMPLE_AUTH_MANAGER = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"


def airflow_bin() -> str:
    return str(Path(sys.executable).parent / "airflow")


def pool_slots(env: dict[str, str] | None = None) -> int:
    return int((env or os.environ).get("SATUDATA_WAREHOUSE_LOAD_SLOTS") or 4)


def set_pool(env: dict[str, str]) -> None:
    """Create or resize the pool `warehouse_load` the DAG's `load` task runs in."""
    proc = subprocess.run([airflow_bin(), "pools", "set", POOL, str(pool_slots(env)), POOL_DESCRIPTION],
                          env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"airflow pools set {POOL} failed: {proc.stderr.strip()[-2000:]}")


def metadata_url(warehouse_url: str, env: dict[str, str] | None = None) -> str:
    """AIRFLOW__DATABASE__SQL_ALCHEMY_CONN when set; else the database `airflow` on the warehouse's
    server, created when missing (the warehouse user needs CREATEDB for that: the embedded server's has)."""
    env = os.environ if env is None else env
    if configured := env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"):
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
    from satudata.cli import airflow_env

    env = airflow_env(settings, warehouse_url)
    api = f"http://127.0.0.1:{port}"
    env.update({
        # `airflow standalone` starts its components as `airflow ...` from the PATH: this venv's
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
        "AIRFLOW__CORE__AUTH_MANAGER": SIMPLE_AUTH_MANAGER,  # what `airflow standalone` runs
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN}:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(password_file(settings)),
    })
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


def wait_healthy(port: int, proc: subprocess.Popen, timeout: float) -> bool:
    """True once the API server answers and the scheduler and DAG processor report healthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=5) as r:
                health = json.load(r)
            if all((health.get(c) or {"status": "healthy"}).get("status") == "healthy"
                   for c in ("metadatabase", "scheduler", "dag_processor")):
                return True
        except (OSError, ValueError):
            pass
        time.sleep(2)
    return False


def banner(settings: Settings, port: int, slots: int) -> None:
    from_env = bool(os.environ.get("SATUDATA_AIRFLOW_ADMIN_PASSWORD"))
    password = "SATUDATA_AIRFLOW_ADMIN_PASSWORD" if from_env else (admin_password(settings) or "(see above)")
    print(f"""
Airflow is ready: http://127.0.0.1:{port}  (user {ADMIN}, password {password})
  DAG satudata_pipeline: unpause it, then Trigger; Backfill for a range of dates (one run per day)
  REST API: POST http://127.0.0.1:{port}/auth/token {{"username": "{ADMIN}", "password": ...}} -> Bearer token
  pool {POOL}: {slots} slots; landing {settings.landing}; outputs {settings.out}
  Ctrl-C stops Airflow{'' if settings.warehouse_url else ' and the embedded warehouse'}.
""", flush=True)


def serve(settings: Settings, port: int, startup_timeout: float = 300) -> int:
    """Run Airflow standalone until Ctrl-C or SIGTERM. Returns its exit code (0 after a clean stop)."""
    from satudata.cli import ensure_sample
    from satudata.warehouse.embedded import EmbeddedWarehouse

    if not port_free(port):
        log.error("port %s on 127.0.0.1 is in use: choose another with --port or SATUDATA_AIRFLOW_PORT", port)
        return 2
    ensure_sample(settings)
    embedded = None if settings.warehouse_url else EmbeddedWarehouse(settings.home)
    started_here = embedded is not None and embedded.running_url() is None
    url = settings.warehouse_url or embedded.start()  # type: ignore[union-attr]
    proc: subprocess.Popen | None = None
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        env = local_env(settings, url, port, metadata_url(url))
        if password := os.environ.get("SATUDATA_AIRFLOW_ADMIN_PASSWORD"):
            write_admin_password(settings, password)
        log.info("Airflow's metadata: %s", _without_password(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]))
        migrated = subprocess.run([airflow_bin(), "db", "migrate"], env=env, capture_output=True, text=True)
        if migrated.returncode != 0:
            log.error("airflow db migrate failed: %s", migrated.stderr.strip()[-3000:])
            return 2
        set_pool(env)
        # its own process group: Ctrl-C reaches it through us, and a hung component can be killed with it
        proc = subprocess.Popen([airflow_bin(), "standalone"], env=env, start_new_session=True)
        if wait_healthy(port, proc, startup_timeout):
            banner(settings, port, pool_slots(env))
        elif proc.poll() is None:
            log.warning("Airflow is not healthy after %.0f s; still waiting (the output above says why)",
                        startup_timeout)
        return proc.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        if proc is not None:
            _stop(proc)
        if started_here:
            embedded.stop()  # type: ignore[union-attr]


def _raise_interrupt(signum, frame):  # SIGTERM stops Airflow the way Ctrl-C does
    raise KeyboardInterrupt


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    return parts._replace(netloc=f"{parts.username or ''}@{parts.hostname}:{parts.port}" if parts.hostname
                          else parts.netloc).geturl()


def _stop(proc: subprocess.Popen, timeout: float = 60) -> None:
    """Stop `airflow standalone` and its components as Ctrl-C in its terminal would (SIGINT to its
    process group), then SIGTERM and SIGKILL whatever is left of the group."""
    with contextlib.suppress(KeyboardInterrupt):  # a second Ctrl-C does not leave components behind
        _signal_group(proc.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            proc.poll()  # reaped: a zombie would count as alive
            if not _signal_group(proc.pid, 0):
                break
            log.warning("Airflow components still running: %s", sig.name)
            _signal_group(proc.pid, sig)
            time.sleep(5)
        proc.wait()


def _signal_group(pgid: int, sig: int) -> bool:
    """Signal a process group; False when no process is left in it."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    return True
