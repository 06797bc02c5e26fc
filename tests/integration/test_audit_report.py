"""The auditors' report of a real run: one whole `satudata run` through Airflow on the fixture landing
with a source registry and two publishers (Kota Metro, whose files it holds, and Kota Kupang), then the
page opened in headless Chromium: screenshot, the key numbers of its DOM equal to the audit tables, run-wide
and per publisher, and a dataset Metro's PPID held back shown with its reason and approver under Metro."""

from __future__ import annotations

import dataclasses
import json
import os
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
PUBLISHERS = REPO_ROOT / "tests" / "fixtures" / "publishers_metro_kupang.yaml"
METRO, KUPANG = "18.72", "53.71"
HOLD_REASON = "Angka pegawai menunggu pemeriksaan BKPSDM"
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
    """data-key -> data-value, data-rule -> data-outcome, (publisher section, data-dataset) -> (status, colour)
    and the row's text, the PPID answer's text per section, and every URL."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: dict[str, str] = {}
        self.rules: dict[str, str] = {}
        self.datasets: dict[tuple[str, str], tuple[str, str]] = {}
        self.row_text: dict[tuple[str, str], str] = {}
        self.approval_text: dict[str, str] = {}
        self.sections: list[str] = []
        self.urls: list[str] = []
        self._section: str | None = None
        self._row: tuple[str, str] | None = None
        self._approval: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and "data-publisher" in a:
            self._section = a["data-publisher"]
            self.sections.append(self._section)
        if "data-key" in a:
            self.keys[a["data-key"]] = a.get("data-value") or ""
        if tag == "tr" and "data-rule" in a:
            self.rules[a["data-rule"]] = a["data-outcome"]
        if tag == "tr" and "data-dataset" in a:
            assert self._section is not None and a["data-publisher"] == self._section, a  # in its publisher's part
            self._row = (self._section, a["data-dataset"])
            self.datasets[self._row] = (a["data-status"], a["data-color"])
            self.row_text[self._row] = ""
        if tag == "p" and "data-approval" in a:
            self._approval = a["data-approval"]
            self.approval_text[self._approval] = ""
        self.urls += [v for k, v in a.items() if k in ("href", "src") and v]

    def handle_endtag(self, tag):
        if tag == "section":
            self._section = None
        if tag == "tr":
            self._row = None
        if tag == "p":
            self._approval = None

    def handle_data(self, data):
        if self._row is not None:
            self.row_text[self._row] += data
        if self._approval is not None:
            self.approval_text[self._approval] += data


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
    settings = dataclasses.replace(
        make_settings(tmp, pg_server.rsplit("/", 1)[0] + f"/{db}", landing), publishers_file=PUBLISHERS
    )

    # When the whole pipeline runs through Airflow, for two publishers: Kota Metro and Kota Kupang
    before = os.environ["SATUDATA_PUBLISHERS"]
    os.environ["SATUDATA_PUBLISHERS"] = str(PUBLISHERS)
    try:
        proc = run_cli(settings, "run")
    finally:
        os.environ["SATUDATA_PUBLISHERS"] = before
    assert (settings.reports / "audit" / "index.html").exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
    return settings, proc


@pytest.fixture(scope="module")
def held(run):
    """Metro's PPID holds one dataset of the run back: the answer is recorded as the Airflow HITL task records
    it (approval.record, user ppid.metro, the reason in `alasan_ditunda`), the publish stage runs again for that
    answer (satudata/publish/run.py), and the report is written again. (The Required Actions page itself is
    the PPID decision test's.)"""
    from datetime import UTC, datetime

    from satudata.publish import approval
    from satudata.publish import run as publish_run
    from satudata.report.audit import write_audit_report

    settings, _ = run
    url = settings.require_url()
    with psycopg.connect(url) as conn:
        run_id = conn.execute("select run_id from audit.pipeline_run order by started_at desc limit 1").fetchone()[0]
        published = [
            r[0]
            for r in conn.execute(
                "select dataset_id from audit.publication where run_id = %s and kode_pemda = %s "
                "and status = 'published' order by dataset_id",
                (run_id, METRO),
            )
        ]
    assert len(published) >= 2, published
    hold, chosen = published[0], published[1:]
    approval.record(
        url,
        run_id,
        {
            "chosen_options": chosen,
            "params_input": {approval.HOLD_PARAM: HOLD_REASON},
            "responded_at": datetime.now(UTC),
            "responded_by_user": {"id": "ppid.metro", "name": "ppid.metro"},
            "timedout": False,
        },
        kode_pemda=METRO,
    )
    root = dataclasses.replace(settings, publisher=None)
    publish_run.publish(root, run_id)
    write_audit_report(root, url, run_id)
    return settings, run_id, hold


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


def publisher_numbers(url: str, kode: str) -> dict[str, str]:
    """One publisher's figures in the report, computed from the audit schema for the (only) pipeline run."""
    with psycopg.connect(url) as conn:
        run_id = conn.execute("select run_id from audit.pipeline_run order by started_at desc limit 1").fetchone()[0]
        files, read, loaded, quarantined = conn.execute(
            "select count(*), coalesce(sum(rows_read), 0), coalesce(sum(rows_loaded), 0), "
            "coalesce(sum(rows_quarantined), 0) "
            "from audit.run_file rf join audit.source_file sf using (file_id) "
            "where rf.run_id = %s and sf.kode_pemda = %s",
            (run_id, kode),
        ).fetchone()
        expected = dict(
            conn.execute(
                "select status, count(*) from audit.expected_submission_history where run_id = %s and kode_pemda = %s "
                "group by 1",
                (run_id, kode),
            ).fetchall()
        )
        statuses = dict(
            conn.execute(
                "select status, count(*) from audit.publication where run_id = %s and kode_pemda = %s group by 1",
                (run_id, kode),
            ).fetchall()
        )
    out = {"files": files, "rows_read": read, "rows_loaded": loaded, "rows_quarantined": quarantined}
    out |= {f"expected_{s}": expected.get(s, 0) for s in ("on_time", "late", "missing")}
    out |= {s: statuses.get(s, 0) for s in ("published", "held", "blocked")}
    return {f"{kode}:{k}": str(v) for k, v in out.items()}


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

    # ... every publisher's dataset with its light, in that publisher's part, as in audit.publication ...
    with psycopg.connect(settings.require_url()) as conn:
        pubs = {
            (r[0], r[1]): (r[2], r[3])
            for r in conn.execute(
                "select kode_pemda, dataset_id, status, status_color from audit.publication where run_id = %s",
                (expected["run_id"],),
            )
        }
    assert keys.datasets == pubs
    assert keys.sections == [METRO, KUPANG]  # a part per publisher, in the config's order
    # ... each publisher's figures are those of its own files, submissions and decisions ...
    for kode in (METRO, KUPANG):
        assert {k: keys.keys.get(k) for k in publisher_numbers(settings.require_url(), kode)} == publisher_numbers(
            settings.require_url(), kode
        ), kode
    assert int(keys.keys[f"{METRO}:files"]) == int(expected["files"]) > 0  # every fixture file is Metro's
    assert keys.keys[f"{KUPANG}:files"] == "0" and keys.keys[f"{KUPANG}:published"] == "0"
    assert {s for (k, _), (s, _) in keys.datasets.items() if k == KUPANG} == {"no_data"}  # Kupang sent nothing

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
        colors = dict(
            conn.execute(
                "select dataset_id, status_color from audit.publication where kode_pemda = %s", (METRO,)
            ).fetchall()
        )
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


def test_a_dataset_held_by_metros_ppid_is_shown_under_metro_with_its_reason_and_approver(held, tmp_path):
    settings, run_id, hold = held
    page = settings.reports / "audit" / "index.html"

    # When Chromium opens the report written after Metro's PPID held one dataset back
    dom = chromium(page, tmp_path / "profile", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    keys = Keys()
    keys.feed(dom.stdout)

    # Then the hold is in audit.publication with the reason and the approver ...
    with psycopg.connect(settings.require_url()) as conn:
        row = conn.execute(
            "select status, held_reason, held_by from audit.publication where run_id = %s and kode_pemda = %s "
            "and dataset_id = %s",
            (run_id, METRO, hold),
        ).fetchone()
    assert row == ("held", HOLD_REASON, "ppid.metro")

    # ... and the page shows it in Metro's part, as "ditunda PPID" with that reason and approver, and nowhere
    # in Kupang's, whose datasets are its own (no data) and whose PPID answer is its own
    assert keys.datasets[(METRO, hold)][0] == "held"
    text = " ".join(keys.row_text[(METRO, hold)].split())
    assert "ditunda PPID" in text and HOLD_REASON in text and "ppid.metro" in text, text
    assert keys.datasets[(KUPANG, hold)][0] == "no_data" and HOLD_REASON not in keys.row_text[(KUPANG, hold)]
    assert not any(HOLD_REASON in t for (k, _), t in keys.row_text.items() if k == KUPANG)
    assert "ppid.metro" in keys.approval_text[METRO] and "WIB" in keys.approval_text[METRO]
    assert "ppid.metro" not in keys.approval_text.get(KUPANG, "")
    # ... with every figure of both parts still equal to the tables
    for kode in (METRO, KUPANG):
        numbers = publisher_numbers(settings.require_url(), kode)
        assert {k: keys.keys.get(k) for k in numbers} == numbers, kode
    assert keys.keys[f"{METRO}:held"] == "1"
    decisions = json.loads((settings.reports / "runs" / run_id / "decisions.json").read_text(encoding="utf-8"))
    assert any(d["status"] == "held" and d["held_by"] == "ppid.metro" for d in decisions["datasets"])
