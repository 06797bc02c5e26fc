"""Fixtures of the integration tests beyond tests/conftest.py: the long child processes of the
reliability tests, started at the beginning of the session when a selected test needs them, so that
they run while the other tests do."""

from __future__ import annotations

import json
import secrets
import shutil
import time
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql

from tests.conftest import make_settings
from tests.integration import reliability

PASSWORD_ROLE = "satudata_pw_test"
BACKGROUND = ("full_run", "dbt_recovery")


def pytest_collection_modifyitems(session, config, items):
    """The tests that wait for a background run go last: the others run while it works."""
    items.sort(key=lambda item: any(name in getattr(item, "fixturenames", ()) for name in BACKGROUND))


@pytest.fixture(scope="session", autouse=True)
def _background_runs(request):
    """Start `full_run` and `dbt_recovery` first thing when a selected test uses them (else nothing)."""
    wanted = {name for item in request.session.items for name in getattr(item, "fixturenames", ())}
    for name in BACKGROUND:
        if name in wanted:
            request.getfixturevalue(f"{name}_started")


@pytest.fixture(scope="session")
def password_url(pg_server) -> tuple[str, str]:
    """(URL, password) of a login role that must give its password: a `scram-sha-256` line for this
    role alone goes first in the test server's pg_hba.conf (every other role keeps `trust`)."""
    password = "Pw-" + secrets.token_urlsafe(18)
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(sql.SQL("drop role if exists {}").format(sql.Identifier(PASSWORD_ROLE)))
        conn.execute(
            sql.SQL("create role {} login superuser password {}").format(
                sql.Identifier(PASSWORD_ROLE), sql.Literal(password)
            )
        )
        hba = Path(conn.execute("show hba_file").fetchone()[0])
        line = f"host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n"
        if line not in hba.read_text():
            hba.write_text(line + hba.read_text())
        conn.execute("select pg_reload_conf()")
    time.sleep(0.5)  # the postmaster reloads pg_hba.conf on SIGHUP
    host = pg_server.split("@", 1)[1].rsplit("/", 1)[0]
    return f"postgresql://{PASSWORD_ROLE}:{quote(password, safe='')}@{host}", password


@pytest.fixture(scope="session")
def full_run_started(tmp_path_factory, pg_server, password_url):
    base, password = password_url
    tmp = tmp_path_factory.mktemp("full_run")
    reliability.fresh_db(pg_server, "t_full_run")
    landing = tmp / "landing"
    shutil.copytree(reliability.SAMPLE, landing)
    settings = make_settings(tmp, f"{base}/t_full_run", landing)
    log = tmp / "run.log"
    proc = reliability.child(settings, "full", "reliability_full_run", log=log)
    yield {
        "proc": proc,
        "settings": settings,
        "password": password,
        "log_path": log,
        "admin_url": pg_server.rsplit("/", 1)[0] + "/t_full_run",
    }
    reliability.kill(proc)


@pytest.fixture(scope="session")
def full_run(full_run_started):
    """One whole run of the stages on tests/fixtures/landing_min, in a child process whose every line
    of output is kept, connecting with a password: what test_secrets scans, and the clean run whose
    mart checksums test_crash_safety compares a killed and re-run dbt build with."""
    code = full_run_started["proc"].wait(timeout=1200)
    output = full_run_started["log_path"].read_text(errors="replace")
    assert code == 0, output[-5000:]
    return {**full_run_started, "log": output}


@pytest.fixture(scope="session")
def dbt_recovery_started(tmp_path_factory, pg_server):
    tmp = tmp_path_factory.mktemp("dbt_recovery")
    url = reliability.fresh_db(pg_server, "t_crash_dbt")
    landing = tmp / "landing"
    shutil.copytree(reliability.SAMPLE, landing)
    settings = make_settings(tmp, url, landing)
    log = tmp / "dbt_crash.log"
    proc = reliability.child(settings, "dbt-crash", "crash_dbt", log=log)
    yield {"proc": proc, "settings": settings, "log_path": log, "url": url}
    reliability.kill(proc)


@pytest.fixture(scope="session")
def dbt_recovery(dbt_recovery_started):
    """A `dbt build` SIGKILLed mid-model and the `dbt build` after it (reliability.py `dbt-crash`)."""
    code = dbt_recovery_started["proc"].wait(timeout=1200)
    output = dbt_recovery_started["log_path"].read_text(errors="replace")
    assert code == 0, output[-5000:]
    return {**dbt_recovery_started, **json.loads(output.strip().splitlines()[-1])}
