"""Secrets: no credential in the repository, and the warehouse password never in what a run writes
(its logs, run_summary.json, the reports, the published files, local state such as the GX project),
although the run connects with it: the test server asks this login role for its password."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from satudata.config import REPO_ROOT, DbParams, Settings, redact_url

pytestmark = pytest.mark.integration

SECRET_PATTERNS = {
    "password in a URL": re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"<>]+:([^@\s/'\"]+)@"),
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\b(AKIA[0-9A-Z]{16})\b"),
    "GitHub token": re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36,})\b"),
    "Slack token": re.compile(r"\b(xox[abposr]-[A-Za-z0-9-]{10,})"),
    "Google API key": re.compile(r"\b(AIza[0-9A-Za-z_-]{35})\b"),
    "JWT": re.compile(r"\b(eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})"),
    "Fernet key": re.compile(r"(?<![A-Za-z0-9_/+-])([A-Za-z0-9_-]{43}=)(?![A-Za-z0-9_=-])"),
    "password assignment": re.compile(
        r"(?i)\b(?:password|passwd|pwd|secret|token|api_?key)[\"']?\s*[:=]\s*[\"']([^\"'\s]{6,})[\"']"
    ),
}
# what a pattern may match without being a credential: placeholders in examples and docs
PLACEHOLDER = re.compile(
    r"^(?:<[^>]*>|\$\{[^}]*\}?|\$\$?\w+|\{[^}]*\}|\{\{.*|\*+|change-me[\w-]*|pass|password|"
    r"secret|user|x+|\.\.\.|[A-Z][A-Z0-9_]+)$"
)  # the last: the name of a variable
# fake credentials of the test doubles (fake HTTP/CKAN servers), allowed in tests/ only
TEST_FAKES = {"rahasia", "tok-rahasia-123", "s%40cret"}


def tracked_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True).stdout
    return [REPO_ROOT / p for p in out.decode().split("\0") if p]


PLACEHOLDERS_ALLOWED = ("password in a URL", "password assignment")


def findings(path: Path, text: str) -> list[str]:
    found = []
    for name, pattern in SECRET_PATTERNS.items():
        for m in pattern.finditer(text):
            value = m.group(1) if pattern.groups else m.group(0)
            if name in PLACEHOLDERS_ALLOWED and PLACEHOLDER.match(value):
                continue
            if name == "password assignment" and value.isalpha() and value.islower():
                continue  # a plain word (`owner, password = "satudata", ...`), not a secret
            if value in TEST_FAKES and path.relative_to(REPO_ROOT).parts[0] == "tests":
                continue
            line = text.count("\n", 0, m.start()) + 1
            found.append(f"{path.relative_to(REPO_ROOT)}:{line}: {name}")
    return found


def test_no_credential_in_the_tracked_files():
    files = tracked_files()
    assert files, "not a git checkout"
    assert not [p for p in files if p.name in (".env", "connections.env") or p.suffix in (".pem", ".key")]
    problems = []
    for path in files:
        if not path.is_file() or path.stat().st_size > 2 << 20:
            continue
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue
        problems += findings(path, data.decode("utf-8", errors="replace"))
    assert not problems, "\n".join(problems)


def test_the_scanner_finds_what_it_looks_for(tmp_path):
    planted = REPO_ROOT / "tests" / "planted.txt"  # never written: only its name is used
    # put together here, so that this file itself holds none of them
    text = (
        "url = 'postgresql://satudata:" + "Sup3r-S3cret@warehouse:5432/satudata'\n"
        "-----BEGIN OPENSSH " + "PRIVATE KEY-----\nAWS_KEY=" + "AKIA" + "ABCDEFGHIJKLMNOP\n"
        "AIRFLOW_FERNET_KEY=" + "c2F0dWRhdGEtZmVybmV0LWtleS1m" + "b3ItdGVzdHMtMzI=" + "\n"
        "password: " + '"hunter2hunter2"\n'
    )
    assert len(findings(planted, text)) == 5
    assert not findings(planted, "postgresql://user:pass@host:port/db ${AIRFLOW_DB_PASSWORD} <password>")


def test_the_run_connected_with_the_password(full_run, password_url):
    base, _ = password_url
    parts = urlsplit(base)
    wrong = parts._replace(
        netloc=f"{parts.username}:{'wrong'}@{parts.hostname}:{parts.port}", path="/t_full_run"
    ).geturl()
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(wrong, connect_timeout=5).close()
    assert "reliability_full_run" in full_run["log"]


def _files_under(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file() and not p.is_symlink()]


def test_the_password_is_nowhere_a_run_writes(full_run):
    settings: Settings = full_run["settings"]
    password = full_run["password"].encode()
    # the run's own log: every line the stages, dbt and GX wrote
    assert password not in full_run["log"].encode()
    assert settings.warehouse_url and full_run["password"] in DbParams.from_url(settings.warehouse_url).password
    # run_summary.json, reports, data docs, published files; local state (GX project, archive, Airflow home)
    written = _files_under(settings.out, settings.home)
    assert (settings.reports / "run_summary.json") in written
    assert any(p.name == "great_expectations.yml" for p in written), "GX keeps its project under SATUDATA_HOME"
    leaks = [str(p) for p in written if password in p.read_bytes()]
    # dbt's own logs and artefacts (shared by every dbt run of this checkout)
    dbt = _files_under(REPO_ROOT / "dbt_project" / "logs", REPO_ROOT / "dbt_project" / "target")
    leaks += [str(p) for p in dbt if p.stat().st_size < 200 << 20 and password in p.read_bytes()]
    assert not leaks


def test_urls_are_shown_with_the_password_masked(password_url):
    base, password = password_url
    url = f"{base}/satudata?options=-c%20role%3Dsatudata_loader"
    shown = redact_url(url)
    assert password not in shown and ":***@" in shown
    assert shown.endswith("/satudata?options=-c%20role%3Dsatudata_loader")
    settings = Settings.from_env({"SATUDATA_WAREHOUSE_URL": url})
    assert password not in repr(settings) and password not in str(settings)
    with pytest.raises(ValueError) as bad:  # a URL without a host is refused without showing the password
        DbParams.from_url(f"postgresql://{urlsplit(base).username}:{password}@/satudata")
    assert password not in str(bad.value) and "***" in str(bad.value)
