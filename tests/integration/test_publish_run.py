"""One real `satudata run` (Airflow `dags test`, dbt, GX) with the PPID sign-off left to a person:
the run waits in Airflow's Human-in-the-loop step until a PPID answers, then publishes; who answered
is in the audit schema; every published package passes the real `frictionless validate`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap

import psycopg
import pytest

from satudata.config import REPO_ROOT
from tests.conftest import make_settings, run_cli
from tests.integration.test_publish import frictionless_validate

pytestmark = [pytest.mark.integration, pytest.mark.slow]
FIXTURE = REPO_ROOT / "tests" / "fixtures" / "landing_min"

# What the Airflow UI's "Required actions" page does when the PPID clicks Approve (the core API's
# update_hitl_detail): store the response on the task's HITL detail and resume the parked task. (The REST
# API itself, and a PPID who holds datasets back, are in test_ppid_decision.py.)
RESPONDER = textwrap.dedent("""
    import sys, time
    deadline = time.time() + 1200
    while time.time() < deadline:
        time.sleep(2)
        try:
            from airflow._shared.timezones import timezone
            from airflow.models.hitl import HITLDetail, HITLUser
            from airflow.models.taskinstance import TaskInstance as TI
            from airflow.models.trigger import handle_event_submit
            from airflow.triggers.base import TriggerEvent
            from airflow.utils.session import create_session
            from airflow.utils.state import TaskInstanceState
            with create_session() as session:
                ti = session.query(TI).filter(TI.task_id == "ppid_approval",
                                              TI.state == TaskInstanceState.AWAITING_INPUT).one_or_none()
                detail = ti and session.query(HITLDetail).filter(HITLDetail.ti_id == ti.id).one_or_none()
                if detail is None:
                    continue
                print("PPID asked:", detail.subject, "|", detail.body, flush=True)
                detail.responded_by = HITLUser(id="42", name="ppid.metro")
                detail.responded_at = timezone.utcnow()
                detail.chosen_options = list(detail.options)  # every ready dataset
                detail.params_input = {}
                session.add(detail)
                handle_event_submit(TriggerEvent(detail.as_resume_event_payload()), task_instance=ti,
                                    session=session)
            print("answered: publish", detail.chosen_options, flush=True)
            sys.exit(0)
        except Exception as exc:  # the metadata DB is not there yet, or busy
            print("waiting:", type(exc).__name__, exc, flush=True)
    sys.exit(1)
""")


def test_a_real_run_waits_for_the_ppid_then_publishes_valid_packages(tmp_path, warehouse_url, monkeypatch):
    # Given the fixture landing, and the sign-off NOT automatic: a PPID must answer in Airflow
    landing = tmp_path / "landing"
    shutil.copytree(FIXTURE, landing)
    settings = make_settings(tmp_path, warehouse_url, landing)
    airflow_home = settings.home / "airflow"
    responder = subprocess.Popen(
        [sys.executable, "-c", RESPONDER],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={
            **os.environ,
            "AIRFLOW_HOME": str(airflow_home),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
        },
    )
    monkeypatch.setenv("SATUDATA_AUTO_APPROVE", "false")
    monkeypatch.setenv("SATUDATA_VERBOSE", "1")  # Airflow's whole stream on stdout (read below), not only stages
    try:
        # When the whole pipeline runs through Airflow
        proc = run_cli(settings, "run")
    finally:
        if responder.poll() is None:
            responder.kill()
    answered = responder.communicate()[0]
    log = proc.stdout + proc.stderr

    # Then the run waited for the PPID, who approved, and that is in the audit schema
    assert "Waiting for Human-in-the-loop input for tasks: ['ppid_approval']" in log, log[-3000:]
    assert "answered: publish" in answered, answered[-2000:]
    with psycopg.connect(warehouse_url) as conn:
        decision = conn.execute(
            "select kode_pemda, approved_by, approved_by_id, method, responded_at is not null, decision "
            "from audit.publication_approval"
        ).fetchall()
        signed = conn.execute(
            "select dataset_id, status, approved_by from audit.publication_signed where status = 'published' order by 1"
        ).fetchall()
    assert [row[:5] for row in decision] == [("18.72", "ppid.metro", "42", "hitl", True)]
    assert decision[0][5].startswith("terbitkan: ")
    assert signed and all(row[2] == "ppid.metro" for row in signed)

    # ... and every published package passes `frictionless validate`, with the catalogues written
    catalog = json.loads((settings.published / "catalog.json").read_text())["datasets"]
    assert {row[0] for row in signed} == set(catalog)
    for dataset_id, entry in catalog.items():
        package = settings.published / entry["path"] / "datapackage.json"
        code, report = frictionless_validate(package)
        assert code == 0 and report["valid"], (dataset_id, json.dumps(report)[:2000])
        md_text = (settings.published / entry["path"] / "metadata.json").read_text()
        md = json.loads(md_text)
        assert md["persetujuan_ppid"]["oleh"] == "ppid.metro"
        # ... a Data Package v2, and metadata a PPID can publish: Satu Data fields, the publisher's zone,
        # no internal model name in any text
        assert json.loads(package.read_text())["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
        assert md["konsep"] and md["topik"] and md["tag"] and md["sistem_sumber"] and md["produsen_data"], dataset_id
        assert md["waktu_rilis"].endswith("+07:00") and md["zona_waktu"] == "WIB"
        assert not re.search(r"\b(pub|int|stg)_[a-z]", md_text), (
            dataset_id,
            re.findall(r"\b(?:pub|int|stg)_\w+", md_text),
        )
    jsonld = json.loads((settings.published / "catalog.jsonld").read_text())
    assert {d["dct:identifier"] for d in jsonld["dcat:dataset"]} == set(catalog)
    assert (settings.published / "index.html").exists()
