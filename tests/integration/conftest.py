"""Fixtures of the integration tests beyond tests/conftest.py."""

from __future__ import annotations

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


@pytest.fixture(scope="session")
def password_url(pg_server) -> tuple[str, str]:
    """(URL, password) of a login role that must give its password: a `scram-sha-256` line for this
    role alone goes first in the test server's pg_hba.conf (every other role keeps `trust`)."""
    password = "Pw-" + secrets.token_urlsafe(18)
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"drop role if exists {PASSWORD_ROLE}")
        conn.execute(sql.SQL("create role {} login superuser password {}").format(
            sql.Identifier(PASSWORD_ROLE), sql.Literal(password)))
        hba = Path(conn.execute("show hba_file").fetchone()[0])
        line = f"host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n"
        if line not in hba.read_text():
            hba.write_text(line + hba.read_text())
        conn.execute("select pg_reload_conf()")
    time.sleep(0.5)  # the postmaster reloads pg_hba.conf on SIGHUP
    host = pg_server.split("@", 1)[1].rsplit("/", 1)[0]
    return f"postgresql://{PASSWORD_ROLE}:{quote(password, safe='')}@{host}", password


@pytest.fixture(scope="session")
def full_run(tmp_path_factory, pg_server, password_url):
    """One whole run of the stages on tests/fixtures/landing_min, in a child process whose every line
    of output is kept, connecting with a password: what test_secrets scans, and the clean run whose
    mart checksums test_crash_safety compares a killed and re-run dbt build with."""
    base, password = password_url
    tmp = tmp_path_factory.mktemp("full_run")
    reliability.fresh_db(pg_server, "t_full_run")
    landing = tmp / "landing"
    shutil.copytree(reliability.SAMPLE, landing)
    settings = make_settings(tmp, f"{base}/t_full_run", landing)
    log = tmp / "run.log"
    proc = reliability.child(settings, "full", "reliability_full_run", log=log)
    code = proc.wait(timeout=900)
    output = log.read_text(errors="replace")
    assert code == 0, output[-5000:]
    return {"settings": settings, "password": password, "log": output,
            "admin_url": pg_server.rsplit("/", 1)[0] + "/t_full_run"}
