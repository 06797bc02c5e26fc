"""`satudata doctor`: what a run (and the tests) need on this machine, checked before `make run`.

One line per problem, Indonesian first and English second, each with its fix; exit 1 when a problem
blocks a run (or, with `--tests`, the test suite), else 0. Checked:

- Python 3.11, 3.12 or 3.13 (the versions requirements.lock is made for);
- free disk where SATUDATA_HOME and SATUDATA_OUT live (MIN_FREE_GIB);
- the warehouse: SATUDATA_WAREHOUSE_URL answers, or (embedded PostgreSQL) a free TCP port on 127.0.0.1;
- the Airflow UI port of `make airflow` (SATUDATA_AIRFLOW_PORT, default 8080) is free (warning only);
- SATUDATA_HOME and SATUDATA_OUT can be written, SATUDATA_LANDING (when set) can be read;
- Chromium (SATUDATA_CHROMIUM, else `chromium` / `chromium-browser` on PATH) for the page tests:
  a warning for a run, blocking with `--tests`. `find_chromium` and `CHROMIUM_FIX` are what those
  tests use too, so a missing Chromium gets the same answer everywhere.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from satudata.config import Settings, redact_url

SUPPORTED = ((3, 11), (3, 13))  # lowest and highest minor version, as pyproject's requires-python
MIN_FREE_GIB = 2.0  # the kota sample's run writes well under 1 GiB (warehouse, Airflow logs, outputs)
DEFAULT_AIRFLOW_PORT = 8080
CHROMIUM_FIX = (
    "pasang Chromium / install Chromium: `sudo apt-get install chromium` (Debian), "
    "`sudo snap install chromium` (Ubuntu), or set SATUDATA_CHROMIUM=/path/to/chromium"
)


@dataclass(frozen=True)
class Problem:
    check: str
    what: str  # "Indonesian / English"
    fix: str
    blocking: bool = True

    def line(self) -> str:
        level = "GAGAL/FAIL" if self.blocking else "PERINGATAN/WARNING"
        return f"{level} [{self.check}] {self.what}. Perbaikan/Fix: {self.fix}"


def find_chromium(env: dict[str, str] | None = None) -> str | None:
    """Path of the Chromium the page tests drive: SATUDATA_CHROMIUM when set (None if that is not an
    executable), else `chromium` or `chromium-browser` on PATH."""
    env = dict(os.environ if env is None else env)
    configured = env.get("SATUDATA_CHROMIUM")
    if configured:
        path = shutil.which(configured, path=env.get("PATH"))
        return path if path and os.access(path, os.X_OK) else None
    return shutil.which("chromium", path=env.get("PATH")) or shutil.which("chromium-browser", path=env.get("PATH"))


def check_python(version: tuple[int, ...] = tuple(sys.version_info[:3])) -> list[Problem]:
    if SUPPORTED[0] <= tuple(version[:2]) <= SUPPORTED[1]:
        return []
    shown = ".".join(map(str, version))
    return [
        Problem(
            "python",
            f"Python {shown} tidak didukung / is not supported (3.11, 3.12, 3.13)",
            "install Python 3.12 (Ubuntu 24.04: `sudo apt-get install python3.12-venv`), "
            "`rm -rf .venv`, then `make setup`",
        )
    ]


def _existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_disk(paths: dict[str, Path], min_gib: float = MIN_FREE_GIB) -> list[Problem]:
    problems = []
    for name, path in paths.items():
        free = shutil.disk_usage(_existing(path)).free / 2**30
        if free < min_gib:
            problems.append(
                Problem(
                    "disk",
                    f"{name}={path}: sisa disk {free:.1f} GiB, perlu {min_gib:.0f} GiB / "
                    f"{free:.1f} GiB free, {min_gib:.0f} GiB needed",
                    f"free disk space there, or point {name} at a disk with {min_gib:.0f} GiB free",
                )
            )
    return problems


def check_writable(name: str, path: Path) -> list[Problem]:
    """Can files be made in `path` (created when missing, as a run would)?"""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".doctor-"):
            pass
    except OSError as e:
        owner = _existing(path)
        return [
            Problem(
                "write",
                f"{name}={path} tidak dapat ditulis / is not writable ({e.strerror or e})",
                f"`chmod u+w {owner}` as its owner (or `sudo chown $USER {owner}`), "
                f"or set {name} to a folder you can write",
            )
        ]
    return []


def check_readable(name: str, path: Path) -> list[Problem]:
    if path.is_dir() and os.access(path, os.R_OK | os.X_OK):
        return []
    return [
        Problem(
            "read",
            f"{name}={path} tidak ada atau tidak dapat dibaca / is missing or not readable",
            f"create it or fix its permissions, or unset {name} to use the generated sample data",
        )
    ]


def check_warehouse(settings: Settings) -> list[Problem]:
    if settings.warehouse_url:
        import psycopg

        try:
            with psycopg.connect(settings.warehouse_url, connect_timeout=5) as conn:
                conn.execute("select 1")
        except Exception as e:  # noqa: BLE001 - any failure to connect is the finding
            reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            return [
                Problem(
                    "warehouse",
                    f"SATUDATA_WAREHOUSE_URL={redact_url(settings.warehouse_url)} tidak terjangkau / "
                    f"is not reachable ({reason})",
                    "start that PostgreSQL or correct the URL (host, port, user, password, database), "
                    "or unset SATUDATA_WAREHOUSE_URL to use the embedded PostgreSQL",
                )
            ]
        return []
    try:  # the embedded PostgreSQL listens on a free port of 127.0.0.1 (satudata/warehouse/embedded.py)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
    except OSError as e:
        return [
            Problem(
                "port",
                f"tidak ada port TCP bebas di 127.0.0.1 untuk PostgreSQL bawaan / no free TCP port "
                f"on 127.0.0.1 for the embedded PostgreSQL ({e.strerror or e})",
                "enable the loopback interface (`sudo ip link set lo up`) or free some ports, or set "
                "SATUDATA_WAREHOUSE_URL to a PostgreSQL server",
            )
        ]
    return []


def check_airflow_port(port: int) -> list[Problem]:
    """`make airflow` serves its UI on this port; a run does not need it, so only a warning."""
    try:
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))
    except OSError as e:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            free = s.getsockname()[1]
        return [
            Problem(
                "port",
                f"port {port} di 127.0.0.1 sudah dipakai / port {port} on 127.0.0.1 is taken "
                f"({e.strerror or e}): `make airflow` cannot serve its UI there",
                f"stop what listens there (`ss -ltnp 'sport = :{port}'`), or set "
                f"SATUDATA_AIRFLOW_PORT={free} (free now)",
                blocking=False,
            )
        ]
    return []


def check_chromium(env: dict[str, str], for_tests: bool) -> list[Problem]:
    if find_chromium(env):
        return []
    configured = env.get("SATUDATA_CHROMIUM")
    where = (
        f"SATUDATA_CHROMIUM={configured} bukan program / is not an executable"
        if configured
        else "Chromium tidak ditemukan di PATH / Chromium is not on PATH"
    )
    return [Problem("chromium", f"{where}; the page tests (make test) need it", CHROMIUM_FIX, blocking=for_tests)]


def diagnose(env: dict[str, str] | None = None, for_tests: bool = False) -> list[Problem]:
    env = dict(os.environ if env is None else env)
    settings = Settings.from_env(env)
    problems = check_python()
    problems += check_disk({"SATUDATA_HOME": settings.home, "SATUDATA_OUT": settings.out})
    problems += check_writable("SATUDATA_HOME", settings.home)
    problems += check_writable("SATUDATA_OUT", settings.out)
    if env.get("SATUDATA_LANDING"):
        problems += check_readable("SATUDATA_LANDING", settings.landing)
    problems += check_warehouse(settings)
    problems += check_airflow_port(int(env.get("SATUDATA_AIRFLOW_PORT") or DEFAULT_AIRFLOW_PORT))
    problems += check_chromium(env, for_tests)
    return problems


def main(for_tests: bool = False, env: dict[str, str] | None = None) -> int:
    problems = diagnose(env, for_tests)
    for problem in problems:
        print(problem.line())
    blocking = [p for p in problems if p.blocking]
    python = ".".join(map(str, sys.version_info[:3]))
    if blocking:
        print(f"doctor: {len(blocking)} masalah menghalangi / blocking problem(s): fix them, then run again")
        return 1
    print(
        f"doctor: siap / ready (Python {python}"
        + (f", {len(problems)} peringatan/warning(s)" if problems else "")
        + ")"
    )
    return 0
