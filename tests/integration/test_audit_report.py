"""The auditors' report of a real run: one whole `satudata run` through Airflow on the fixture landing
with a source registry, then the page opened in headless Chromium: screenshot, and the key numbers
of its DOM equal to the audit tables."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import psycopg
import pytest
import yaml

from satudata.config import REPO_ROOT
from satudata.rules import catalogue
from tests.chromium import require_chromium
from tests.conftest import make_settings, run_cli

FIXTURE = REPO_ROOT / "tests" / "fixtures" / "landing_min"
pytestmark = [pytest.mark.integration, pytest.mark.slow]


def chromium(page: Path, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            require_chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--window-size=1280,2000",
            *args,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )


class Keys(HTMLParser):
    """data-key -> data-value, data-rule -> data-outcome, data-dataset -> (status, colour), and every URL."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: dict[str, str] = {}
        self.rules: dict[str, str] = {}
        self.datasets: dict[str, tuple[str, str]] = {}
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "data-key" in a:
            self.keys[a["data-key"]] = a.get("data-value") or ""
        if tag == "tr" and "data-rule" in a:
            self.rules[a["data-rule"]] = a["data-outcome"]
        if tag == "tr" and "data-dataset" in a:
            self.datasets[a["data-dataset"]] = (a["data-status"], a["data-color"])
        self.urls += [v for k, v in a.items() if k in ("href", "src") and v]


@pytest.fixture(scope="module")
def run(pg_server, tmp_path_factory):
    # Given the fixture landing of DINKES Kota Metro and a registry expecting its roster and a complaint
    # register it never sent
    tmp = tmp_path_factory.mktemp("audit_report")
    landing = tmp / "landing"
    shutil.copytree(FIXTURE, landing)
    (landing / "registry.yaml").write_text(
        yaml.safe_dump(
            {
                "sources": [
                    {
                        "id": "metro-dinkes-pegawai",
                        "kode_pemda": "18.72",
                        "opd": "DINKES",
                        "dataset": "pegawai",
                        "kind": "file",
                        "expected_periods": ["2024-01"],
                    },
                    {
                        "id": "metro-dinkes-pengaduan",
                        "kode_pemda": "18.72",
                        "opd": "DINKES",
                        "dataset": "pengaduan",
                        "kind": "file",
                        "expected_periods": ["2024-01..2024-02"],
                    },
                ]
            }
        ),
        encoding="utf-8",
    )
    db = "t_audit_report"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"drop database if exists {db} with (force)")
        conn.execute(f"create database {db}")
    settings = make_settings(tmp, pg_server.rsplit("/", 1)[0] + f"/{db}", landing)

    # When the whole pipeline runs through Airflow
    proc = run_cli(settings, "run")
    assert (settings.reports / "audit" / "index.html").exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    return settings, proc


def audit_numbers(url: str) -> dict[str, str]:
    """The report's key figures, computed from the audit schema for the (only) pipeline run."""
    with psycopg.connect(url) as conn:
        run_id = conn.execute("select run_id from audit.pipeline_run order by started_at desc limit 1").fetchone()[0]
        files, read, loaded, quarantined, aside, rejected = conn.execute(
            "select count(*), sum(coalesce(rows_read, 0)), sum(coalesce(rows_loaded, 0)), "
            "sum(coalesce(rows_quarantined, 0)), sum(coalesce(rows_set_aside, 0)), "
            "count(*) filter (where sf.status = 'rejected') "
            "from audit.run_file rf join audit.source_file sf using (file_id) where rf.run_id = %s",
            (run_id,),
        ).fetchone()
        failed = dict(
            conn.execute(
                "select severity, count(distinct rule_id) from audit.rule_result where run_id = %s and not success "
                "group by 1",
                (run_id,),
            ).fetchall()
        )
        colors = dict(
            conn.execute(
                "select status_color, count(*) from audit.publication where run_id = %s group by 1", (run_id,)
            ).fetchall()
        )
        expected = dict(
            conn.execute(
                "select status, count(*) from audit.expected_submission_history where run_id = %s group by 1", (run_id,)
            ).fetchall()
        )
    return {
        "run_id": run_id,
        "files": str(files),
        "rows_read": str(read),
        "rows_loaded": str(loaded),
        "rows_quarantined": str(quarantined),
        "rows_set_aside": str(aside),
        "files_rejected": str(rejected),
        "rules_failed_fatal": str(failed.get("fatal", 0)),
        "rules_failed_warning": str(failed.get("warning", 0)),
        "datasets_green": str(colors.get("green", 0)),
        "datasets_amber": str(colors.get("amber", 0)),
        "datasets_red": str(colors.get("red", 0)),
        "expected_on_time": str(expected.get("on_time", 0)),
        "expected_late": str(expected.get("late", 0)),
        "expected_missing": str(expected.get("missing", 0)),
    }


@pytest.mark.rules("CMP-001", "REC-001", "REC-002", "REC-003")
def test_the_report_renders_offline_and_its_numbers_are_the_audit_tables(run, tmp_path):
    require_chromium()  # fails with the install command, as `make test` does first
    settings, proc = run
    page = settings.reports / "audit" / "index.html"

    # When Chromium opens the page: a screenshot, and the DOM after rendering
    png = tmp_path / "audit.png"
    shot = chromium(page, tmp_path / "profile1", f"--screenshot={png}", "--hide-scrollbars")
    dom = chromium(page, tmp_path / "profile2", "--dump-dom")

    # Then the page renders (a real picture, kept with the outputs to look at) ...
    assert shot.returncode == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", shot.stderr[-2000:]
    assert png.stat().st_size > 50_000
    shutil.copy(png, settings.reports / "audit" / "screenshot.png")
    assert dom.returncode == 0 and "Laporan auditor" in dom.stdout

    # ... its key figures are those of the audit schema ...
    keys = Keys()
    keys.feed(dom.stdout)
    expected = audit_numbers(settings.require_url())
    assert {k: keys.keys.get(k) for k in expected} == expected
    assert expected["expected_missing"] == "2"  # the complaint register, January and February (CMP-001)

    # ... every rule of the catalogue is listed with its result, reconciliations ran and passed ...
    assert set(keys.rules) == set(catalogue())
    with psycopg.connect(settings.require_url()) as conn:
        outcomes = dict(
            conn.execute(
                "select rule_id, bool_and(success) from audit.rule_result where run_id = %s group by 1",
                (expected["run_id"],),
            ).fetchall()
        )
        reasons = " ".join(
            r
            for (rs,) in conn.execute("select reasons from audit.publication where run_id = %s", (expected["run_id"],))
            for r in rs
        )
    for rule_id, outcome in keys.rules.items():
        if catalogue()[rule_id].kind == "publish":  # the publisher's checks: their findings are its reasons
            assert (outcome == "passed") == (f"{rule_id} " not in reasons), rule_id
        elif rule_id in outcomes:
            assert (outcome == "passed") == outcomes[rule_id], rule_id
        else:
            assert outcome == "not_run", rule_id
    for rule_id in ("REC-001", "REC-002", "REC-003"):
        assert keys.rules[rule_id] == "passed", rule_id
    assert keys.rules["CMP-001"] == "failed"

    # ... every dataset with its light, as in audit.publication ...
    with psycopg.connect(settings.require_url()) as conn:
        pubs = {
            r[0]: (r[1], r[2])
            for r in conn.execute(
                "select dataset_id, status, status_color from audit.publication where run_id = %s",
                (expected["run_id"],),
            )
        }
    assert keys.datasets == pubs

    # ... and nothing comes from the network: every link is a local file
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", text)
    for url in keys.urls:
        if not url.startswith("#"):
            assert (page.parent / url.split("#")[0]).resolve().exists(), url
    assert "<svg" in text  # the charts are inline SVG


def test_the_run_itself_succeeded_with_amber_for_the_missing_source(run):
    settings, proc = run
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    with psycopg.connect(settings.require_url()) as conn:
        colors = dict(conn.execute("select dataset_id, status_color from audit.publication").fetchall())
    # the 2024 roster arrived after its deadline (10 February 2024): published, but amber, never green
    assert colors["asn_jumlah"] == "amber"


def page_width_at(page: Path, profile: Path, width: int = 390) -> tuple[int, int]:
    """(scrollWidth, clientWidth) of `page` laid out in a frame `width` px wide (a phone), in Chromium."""
    frame = profile.with_suffix(".html")
    frame.write_text(
        f'<html><body style="margin:0"><iframe id="f" src="{page.as_uri()}" style="width:{width}px;height:900px;'
        'border:0"></iframe><script>document.getElementById("f").onload = function () {'
        "var d = this.contentDocument.documentElement;"
        'document.body.setAttribute("data-width", d.scrollWidth + " " + d.clientWidth); };</script></body></html>',
        encoding="utf-8",
    )
    dom = subprocess.run(
        [
            require_chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--allow-file-access-from-files",
            "--virtual-time-budget=10000",
            f"--user-data-dir={profile}",
            "--dump-dom",
            frame.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    found = re.search(r'data-width="(\d+) (\d+)"', dom.stdout)
    assert found, dom.stdout[-2000:] + dom.stderr[-2000:]
    return int(found[1]), int(found[2])


def test_the_reports_have_no_horizontal_overflow_at_390_px(run, tmp_path):
    settings, _ = run
    # the latest report, the run's kept copy, the rules page and the list of runs, on a phone 390 px wide
    pages = [
        settings.reports / "audit" / "index.html",
        settings.reports / "rules.html",
        settings.reports / "index.html",
        *(settings.reports / "runs").glob("*/audit/index.html"),
    ]
    assert len(pages) == 4
    for i, page in enumerate(pages):
        scroll, client = page_width_at(page, tmp_path / f"profile{i}")
        assert 0 < client <= 390 and scroll <= client, (page, scroll, client)
