"""Shared fixtures: a real PostgreSQL (the embedded server, started and stopped here) and settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from satudata.config import REPO_ROOT, Settings
from satudata.warehouse.embedded import EmbeddedWarehouse

os.environ.setdefault("AIRFLOW__COSMOS__ENABLE_TELEMETRY", "False")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory):
    """One embedded PostgreSQL for the session, on 127.0.0.1. Yields an admin URL (database postgres)."""
    home = tmp_path_factory.mktemp("pg_home")
    server = EmbeddedWarehouse(home)
    url = server.start()
    yield url.rsplit("/", 1)[0] + "/postgres"
    server.stop()


@pytest.fixture
def warehouse_url(pg_server, request):
    """A fresh, empty database for one test."""
    name = "t_" + "".join(ch if ch.isalnum() else "_" for ch in request.node.name.lower())[:50]
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"drop database if exists {name} with (force)")
        conn.execute(f"create database {name}")
    yield pg_server.rsplit("/", 1)[0] + f"/{name}"


# the fixtures are one pemda's: one publisher, Kota Metro (a test of several sets its own file)
os.environ.setdefault("SATUDATA_PUBLISHERS", str(Path(__file__).parent / "fixtures" / "publishers_metro.yaml"))


def make_settings(tmp: Path, url: str, landing: Path, publisher: str | None = "18.72") -> Settings:
    """Settings of a test: `published` is the outputs of `publisher` (Kota Metro, the pemda of the fixtures),
    published/<kode_pemda>/; None for the root of every publisher."""
    settings = Settings.from_env(
        {
            "SATUDATA_WAREHOUSE_URL": url,
            "SATUDATA_LANDING": str(landing),
            "SATUDATA_OUT": str(tmp / "out"),
            "SATUDATA_HOME": str(tmp / "home"),
            "SATUDATA_PUBLISHERS": os.environ["SATUDATA_PUBLISHERS"],
        }
    )
    return settings.for_publisher(publisher) if publisher else settings


def run_cli(settings: Settings, *args: str, timeout: int = 1500) -> subprocess.CompletedProcess:
    """Run `satudata ...` in a subprocess with the settings' environment, as a user would."""
    env = {
        **os.environ,
        "SATUDATA_WAREHOUSE_URL": settings.warehouse_url or "",
        "SATUDATA_LANDING": str(settings.landing),
        "SATUDATA_OUT": str(settings.out),
        "SATUDATA_HOME": str(settings.home),
    }
    return subprocess.run(
        [sys.executable, "-m", "satudata.cli", *args],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def airflow_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess:
    """`airflow <args>` in the Airflow home `satudata run` uses for these settings (its metadata database
    migrated first), as a data engineer would run it: e.g. `connections add`."""
    from satudata.airflow_local import airflow_bin, airflow_env, prepare_metadata

    env = airflow_env(settings, settings.warehouse_url or "")
    assert prepare_metadata(env) == 0
    return subprocess.run([airflow_bin(), *args], env=env, capture_output=True, text=True, timeout=300)


SCALE_TESTS = Path(__file__).parent / "scale"


def pytest_ignore_collect(collection_path, config):
    """tests/scale takes minutes (Celery workers, Redis): collected only when named on the command line
    (`make scale-test`), never by a bare `pytest` or `make test`."""
    if collection_path != SCALE_TESTS:
        return None
    here = config.invocation_params.dir
    named = [(here / str(arg).split("::", 1)[0]).resolve() for arg in config.args]
    return True if not any(p == SCALE_TESTS or SCALE_TESTS in p.parents for p in named) else None
