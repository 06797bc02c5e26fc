"""Airflow with the CeleryExecutor on this machine, as docker-compose.yml runs it on a server: Redis as
the broker (password required, 127.0.0.1 only), the Celery result backend in Airflow's metadata database
(PostgreSQL), the API server, scheduler and DAG processor, and Celery workers, each in a process group of
its own so that one can be killed like a lost machine.

The Celery settings come from `celery_settings`, which tests/unit/test_celery_settings.py compares with
the compose file's `x-airflow-common` environment. Each worker reports its own host name
(`worker_hostname`): on a server every worker container has one; here they share one machine.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

WORKER_HOSTNAME = "SATUDATA_TEST_WORKER_HOSTNAME"
WORKER_CONCURRENCY = 2  # slots per worker (AIRFLOW_WORKER_CONCURRENCY; compose's default is 4): 2 cores here
REDIS_MISSING = (
    "redis-server tidak ada / is missing: `make scale-test` installs it (Debian/Ubuntu: apt-get install "
    "redis-server), or put a Redis 7 server on the PATH"
)


def worker_hostname() -> str:
    """[core] hostname_callable of a test worker: the name it reports in task_instance.hostname."""
    return os.environ[WORKER_HOSTNAME]


def celery_settings(
    *, redis_host: str, redis_port: int, redis_password: str, metadata_url: str, concurrency: int
) -> dict[str, str]:
    """The executor, broker, result backend and worker concurrency, built as docker-compose.yml builds them:
    Redis database 0 with a password; the result backend is the metadata database through SQLAlchemy's
    `db+` scheme (psycopg2, SQLAlchemy's default PostgreSQL driver)."""
    parts = urlsplit(metadata_url)
    backend = parts._replace(scheme="db+postgresql").geturl()
    return {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CELERY__BROKER_URL": f"redis://:{quote(redis_password, safe='')}@{redis_host}:{redis_port}/0",
        "AIRFLOW__CELERY__RESULT_BACKEND": backend,
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(concurrency),
    }


def metadata_url(server_url: str, database: str) -> str:
    """Airflow's metadata database on `server_url`'s server, with the driver docker-compose.yml names."""
    return urlsplit(server_url)._replace(scheme="postgresql+psycopg2", path=f"/{database}").geturl()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def redis_server() -> str:
    found = shutil.which("redis-server")
    if not found:
        raise RuntimeError(REDIS_MISSING)
    return found


class Processes:
    """Started processes, each the leader of its own process group; `stop_all` ends every group."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.logs.mkdir(parents=True, exist_ok=True)
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, args: list[str], env: dict[str, str], cwd: Path | None = None) -> subprocess.Popen:
        with (self.logs / f"{name}.log").open("ab") as out:
            proc = subprocess.Popen(
                args,
                env=env,
                cwd=cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.procs[name] = proc
        return proc

    def log(self, name: str, chars: int = 4000) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def exited(self) -> dict[str, int]:
        return {name: p.returncode for name, p in self.procs.items() if p.poll() is not None}

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Signal the process group of `name` (the process and every child it started)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.procs[name].pid, sig)

    def stop_all(self, timeout: float = 30) -> None:
        for name in self.procs:
            self.kill(name, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(max(0.1, deadline - time.monotonic()))
        for name, proc in self.procs.items():
            self.kill(name, signal.SIGKILL)
            proc.wait()


def start_redis(procs: Processes, home: Path, port: int, password: str) -> None:
    """redis-server on 127.0.0.1:<port> with a password (as the compose service), nothing kept on disk;
    the password is in a config file only its owner reads, not on the command line."""
    conf = home / "redis.conf"
    conf.touch(mode=0o600)
    conf.write_text(
        f"bind 127.0.0.1\nport {port}\nprotected-mode yes\nrequirepass {password}\n"
        f'save ""\nappendonly no\ndir {home}\ndaemonize no\n'
    )
    procs.start("redis", [redis_server(), str(conf)], env={"PATH": os.environ.get("PATH", "")})


def wait_redis(port: int, password: str, timeout: float = 30) -> None:
    import redis

    client = redis.Redis(host="127.0.0.1", port=port, password=password, socket_timeout=2)
    deadline = time.monotonic() + timeout
    while True:
        try:
            if client.ping():
                return
        except redis.exceptions.ConnectionError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def new_password() -> str:
    return "Rd-" + secrets.token_urlsafe(18)


def pids_with(marker: str) -> list[int]:
    """Processes whose environment holds `marker` (NAME=value)."""
    found = []
    needle = marker.encode()
    for environ in Path("/proc").glob("[0-9]*/environ"):
        with contextlib.suppress(OSError):
            if needle in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
    return found


def described(pids: list[int]) -> list[str]:
    """`pid state command` of each of `pids` still alive (a zombie, killed and not yet reaped, is gone)."""
    out = []
    for pid in pids:
        with contextlib.suppress(OSError):
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            if state == "Z":
                continue
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            out.append(f"{pid} {state} {command.strip()[:200]}")
    return out
