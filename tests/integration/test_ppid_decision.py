"""Acceptance 1 and 2 of issue 15: two publishers, each PPID deciding for its own pemda in real Airflow.

A first publication (the pipeline's stages called directly, every ready dataset chosen) gives each
publisher a published version of its budget datasets. Then Kota Metro's SP2D change, Metro sends its
service requests of 2022 (a year with no national holidays in the seed: the gate blocks Metro's service
datasets on LAY-006, a failure of Metro's rows only) and Kupang sends its other datasets; a real
`satudata run` (Airflow `dags test`, dbt, GX) waits for the two PPID requests (Airflow 3.3
Human-in-the-loop, one per publisher). They are read and answered through Airflow's public REST API v2,
on an API server over the same metadata database, as the Required Actions page does: Metro's PPID
publishes two of its three ready datasets and holds the third with a reason (its blocked datasets are
shown with the rule and its message, not offered); Kupang's publishes all; a user who is not that
publisher's approver (even an admin) is refused (403). Before answering, the Required Actions page is
shot at 390 px with Metro's request open and measured (tests/integration/airflow_ui.py).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from satudata import pipeline
from satudata.airflow_local import airflow_bin, airflow_env, metadata_url, prepare_metadata
from satudata.config import REPO_ROOT
from satudata.rules import catalogue
from tests.chromium import require_chromium
from tests.conftest import make_settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]
FIXTURE = REPO_ROOT / "tests" / "fixtures" / "landing_min" / "18.72" / "DINKES"
METRO, KUPANG = "18.72", "53.71"
FIRST = ("anggaran", "realisasi_belanja")  # the first publication: the budget only
PUBLISHERS = """
version: 1
publishers:
  - kode_pemda: "18.72"
    nama: Pemerintah Kota Metro
    walidata: Diskominfo Kota Metro
    ppid: {nama: PPID Kota Metro, email: ppid@metro.example.go.id}
    approvers: [ppid.metro]
    ckan_organisation: pemkot-metro
    zona_waktu: WIB
    lisensi: CC-BY-4.0
  - kode_pemda: "53.71"
    nama: Pemerintah Kota Kupang
    walidata: Diskominfo Kota Kupang
    ppid: {nama: PPID Kota Kupang, email: ppid@kupang.example.go.id}
    approvers: [ppid.kupang]
    ckan_organisation: pemkot-kupang
    zona_waktu: WITA
    lisensi: CC-BY-4.0
"""
USERS = {"ppid.metro": "user", "ppid.kupang": "user", "admin.lain": "admin"}
HOLD_REASON = "Menunggu klarifikasi angka dari OPD"
# Metro's second run: its SP2D correction changes the budget absorption and the priority programmes'
# spending, and the corrected file is one more file received this month in the data-quality scorecard:
# three datasets ready. Its PPID publishes the two budget datasets and holds the scorecard back.
METRO_READY = ("realisasi_program_prioritas", "serapan_anggaran", "skor_kualitas_data")
METRO_CHOSEN, METRO_HELD = METRO_READY[:2], METRO_READY[2:]
# ... and its service requests of 2022 (ref.hari_libur has no 2022: working days cannot be counted), a fatal
# failure of LAY-006 whose failing row is Metro's (`kode_pemda`): Metro's service performance is blocked,
# Kupang's (its requests are of 2024) is not
METRO_BLOCKED, BLOCKING_RULE = "kinerja_layanan", "LAY-006"
METRO_REQUESTS_2022 = (
    "nomor_permohonan,kode_layanan,tanggal_masuk,tanggal_selesai,status,kanal\r\n"
    "P2022-1,L01,2022-03-01,2022-03-03,SELESAI,LOKET\r\n"
    "P2022-2,L01,2022-03-02,2022-03-07,SELESAI,ONLINE\r\n"
)


def _landing(root: Path, datasets: tuple[str, ...] | None, kodes: tuple[str, ...] = (METRO, KUPANG)) -> None:
    for kode in kodes:
        for d in FIXTURE.iterdir():
            if datasets is None or d.name in datasets:
                shutil.copytree(d, root / kode / "DINKES" / d.name, dirs_exist_ok=True)


def _first_publication(settings) -> None:
    run_id = pipeline.start(settings, "manual__first")
    relpaths = pipeline.discover_files(settings)
    for batch in pipeline.batches(relpaths):
        pipeline.load_batch(settings, pipeline.land_batch(settings, run_id, batch))
    pipeline.transform(settings, run_id)
    pipeline.validate(settings, run_id)
    pipeline.gate_and_publish(settings, run_id)
    pipeline.report(settings, run_id)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Api:
    def __init__(self, base: str, passwords: dict[str, str]):
        self.base, self.passwords, self.tokens = base, passwords, {}

    def token(self, user: str) -> str:
        if user not in self.tokens:
            req = urllib.request.Request(
                f"{self.base}/auth/token",
                data=json.dumps({"username": user, "password": self.passwords[user]}).encode(),
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            with urllib.request.urlopen(req, timeout=30) as r:
                self.tokens[user] = json.loads(r.read())["access_token"]
        return self.tokens[user]

    def call(self, user: str, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        req = urllib.request.Request(
            f"{self.base}/api/v2{path}",
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {self.token(user)}", "Content-Type": "application/json"},
            method=method,
        )
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")


def _wait_for_requests(api: Api, run: subprocess.Popen, server: subprocess.Popen, n: int) -> list[dict]:
    deadline = time.time() + 1500
    while time.time() < deadline:
        assert run.poll() is None, "the run ended before asking the PPIDs"
        assert server.poll() is None, "the API server stopped"
        try:
            code, found = api.call("ppid.metro", "GET", "/dags/satudata_pipeline/dagRuns/~/hitlDetails")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            code, found = 0, {}
        details = [d for d in found.get("hitl_details", []) if d["task_instance"]["task_id"] == "ppid_approval"]
        if code == 200 and len(details) == n:
            return details
        time.sleep(5)
    raise AssertionError("the PPID requests never appeared")


def _required_actions_shot(base: str, token: str, row_text: str, png: Path) -> dict:
    """The Required Actions page at 390 px as the PPID sees it (the API server's token in its cookie), with
    the review drawer of the request whose row holds `row_text` open (it shows that request alone, over
    Airflow's own panels), and what the page measured of the drawer (airflow_ui.REVIEW_DRAWER)."""
    from tests.integration.airflow_ui import review_drawer_script, screenshot_at, serve_with_token

    with serve_with_token(base, token, review_drawer_script(row_text)) as served:
        shot = screenshot_at(require_chromium(), served, "/required_actions", png, width=390, height=1400)
        assert shot.returncode == 0, shot.stderr[-2000:]
        layout = served.wait_for_report()
    assert layout is not None and "error" not in layout, layout
    return layout


def test_each_publishers_ppid_decides_for_its_own_data_through_airflow(tmp_path, warehouse_url, monkeypatch):
    # Given two publishers, Kota Metro and Kota Kupang, each with its own approver
    publishers_file = tmp_path / "publishers.yaml"
    publishers_file.write_text(PUBLISHERS)
    monkeypatch.setenv("SATUDATA_PUBLISHERS", str(publishers_file))
    landing = tmp_path / "landing"
    _landing(landing, FIRST)
    settings = replace(make_settings(tmp_path, warehouse_url, landing, publisher=None), publishers_file=publishers_file)

    # ... and a first publication of their budget data (every ready dataset chosen)
    _first_publication(settings)
    for kode in (METRO, KUPANG):
        first = json.loads((settings.published_root / kode / "catalog.json").read_text())["datasets"]
        assert first["serapan_anggaran"]["version"] == "v1"
        csv_text = (settings.published_root / kode / first["serapan_anggaran"]["path"] / "data.csv").read_text()
        codes = {line.split(",")[2] for line in csv_text.splitlines()[1:]}
        assert codes == {kode.replace(".", "")}, codes  # each publisher's data.csv holds its own rows only

    # When Metro corrects an SP2D of February (and sends nothing else) and Kupang sends its other datasets
    _landing(landing, None, (KUPANG,))
    sp2d = landing / METRO / "DINKES" / "realisasi_belanja" / "r.csv"
    sp2d.write_text(
        sp2d.read_text().replace(
            "SP2D-002,2024-02-28,1.02.02.2.01.0001,5.1.02.01.01.0024,2500000",
            "SP2D-002,2024-02-28,1.02.02.2.01.0001,5.1.02.01.01.0024,4500000",
        )
    )
    assert "4500000" in sp2d.read_text()
    _landing(landing, ("jenis_layanan",), (METRO,))
    requests = landing / METRO / "DINKES" / "permohonan_layanan" / "pl_2022.csv"
    requests.parent.mkdir(parents=True, exist_ok=True)
    requests.write_bytes(METRO_REQUESTS_2022.encode())

    # ... and a real Airflow run waits for the PPIDs, with an API server on the same metadata database
    monkeypatch.setenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", metadata_url(warehouse_url))
    monkeypatch.setenv("SATUDATA_AUTO_APPROVE", "false")
    env = airflow_env(settings, warehouse_url)
    assert prepare_metadata(env) == 0
    passwords = {user: f"rahasia-{user}" for user in USERS}
    (tmp_path / "passwords.json").write_text(json.dumps(passwords))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server_env = {
        **env,
        "AIRFLOW__CORE__AUTH_MANAGER": "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": ",".join(f"{u}:{r}" for u, r in USERS.items()),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(tmp_path / "passwords.json"),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
        "AIRFLOW__API__BASE_URL": base,
        "AIRFLOW__API_AUTH__JWT_SECRET": "rahasia-jwt-uji",
    }
    server_log = (tmp_path / "api-server.log").open("w")
    server = subprocess.Popen(
        [airflow_bin(), "api-server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env=server_env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    run_log = (tmp_path / "run.log").open("w")
    run = subprocess.Popen(
        [sys.executable, "-m", "satudata.cli", "run"],
        # SATUDATA_VERBOSE: Airflow's whole stream in run.log (read below), not only the stage lines
        env={**os.environ, **{k: env[k] for k in env if k.startswith("SATUDATA_")}, "SATUDATA_VERBOSE": "1"},
        stdout=run_log,
        stderr=subprocess.STDOUT,
    )
    api = Api(base, passwords)
    try:
        details = _wait_for_requests(api, run, server, 2)
        by_users = {tuple(u["id"] for u in d["assigned_users"]): d for d in details}
        metro, kupang = by_users[("ppid.metro",)], by_users[("ppid.kupang",)]
        run_id = metro["task_instance"]["dag_run_id"]
        pipeline_run = pipeline.safe_run_id(run_id)

        # Then each request's body is the publisher's decision summary, table per dataset
        summary = json.loads((settings.reports / "runs" / pipeline_run / f"keputusan_{METRO}.json").read_text())
        statuses = {i["dataset_id"]: i["status"] for i in summary["datasets"]}
        body = metro["body"]
        assert metro["multiple"] is True and "Kota Metro" in metro["subject"]
        labels = {
            "ready": "siap terbit",
            "blocked": "diblokir",
            "unchanged": "tidak berubah",
            "no_data": "tidak ada data",
        }
        decided = [d for d, s in statuses.items() if s != "no_data"]  # one table each, the ready ones first
        for dataset_id in decided:
            assert f"#### {dataset_id}: {labels[statuses[dataset_id]]}" in body, dataset_id
        no_data = ", ".join(d for d, s in statuses.items() if s == "no_data")
        assert f"**Tidak ada data** (belum ada kiriman untuk pemda ini): {no_data}." in body
        assert body.index("#### realisasi_program_prioritas") < body.index("#### skor_kualitas_data")
        assert "Disiapkan " in body and " WIB dari proses pengolahan " in body  # Metro's zone
        for item in summary["datasets"]:
            for blocked in item["diblokir_karena"]:
                assert f"{blocked['rule_id']}: {blocked['pesan']}" in body
        assert statuses["serapan_anggaran"] == "ready"
        serapan = next(i for i in summary["datasets"] if i["dataset_id"] == "serapan_anggaran")
        assert "2024-02" in serapan["periode"]["periode_berubah"]
        assert "| Periode berubah | Februari 2024" in body
        assert any("Februari 2024" in c and "->" in c for c in serapan["perubahan_terbesar"]), serapan
        assert serapan["perubahan_terbesar"][0] in body
        assert "| Data pribadi | lolos" in body and f"reports/runs/{pipeline_run}" in body
        assert sorted(metro["options"]) == sorted(d for d, s in statuses.items() if s == "ready")
        assert tuple(sorted(metro["options"])) == METRO_READY, metro["options"]
        # ... a dataset blocked by a fatal failure of Metro's own rows: its status, the rule and its plain
        # message (not "cannot be attributed": the failing row is Metro's), and it cannot be chosen
        blocked = {i["dataset_id"]: i["diblokir_karena"] for i in summary["datasets"] if i["status"] == "blocked"}
        assert METRO_BLOCKED in blocked and METRO_BLOCKED not in metro["options"], statuses
        message = catalogue()[BLOCKING_RULE].text("id")
        for dataset_id, reasons in blocked.items():  # every blocked one is blocked by that failure alone
            assert reasons == [{"rule_id": BLOCKING_RULE, "pesan": message}], (dataset_id, reasons)
        table = body[body.index(f"#### {METRO_BLOCKED}: diblokir") :].split("####")[1]
        assert "| Status | diblokir |" in table and f"| Alasan diblokir | {BLOCKING_RULE}: {message} |" in table
        assert "tidak dapat dikaitkan" not in body and "hari_libur" in message, message
        kupang_summary = json.loads((settings.reports / "runs" / pipeline_run / f"keputusan_{KUPANG}.json").read_text())
        kupang_statuses = {i["dataset_id"]: i["status"] for i in kupang_summary["datasets"]}
        assert sorted(kupang["options"]) == sorted(d for d, s in kupang_statuses.items() if s == "ready")
        assert kupang_statuses["serapan_anggaran"] == "unchanged" and len(kupang["options"]) >= 3, kupang_statuses
        # ... Kupang unaffected by Metro's failure: nothing blocked, its service performance ready
        assert "blocked" not in kupang_statuses.values() and METRO_BLOCKED in kupang["options"], kupang_statuses
        assert BLOCKING_RULE not in kupang["body"] and "diblokir |" not in kupang["body"]
        assert " WITA dari proses pengolahan " in kupang["body"]  # Kupang's zone
        md = (settings.reports / "runs" / pipeline_run / f"keputusan_{METRO}.md").read_text()
        assert md.count("#### ") == len(decided) and md.rstrip().endswith(body.rstrip())

        # ... and no one but the publisher's approver may answer it, not another PPID, not an admin
        path = f"/dags/satudata_pipeline/dagRuns/{run_id}/taskInstances/ppid_approval"
        metro_path = f"{path}/{metro['task_instance']['map_index']}/hitlDetails"
        kupang_path = f"{path}/{kupang['task_instance']['map_index']}/hitlDetails"
        for outsider in ("ppid.kupang", "admin.lain"):
            code, refused = api.call(outsider, "PATCH", metro_path, {"chosen_options": metro["options"]})
            assert code == 403, (outsider, code, refused)
        code, _ = api.call("ppid.metro", "PATCH", kupang_path, {"chosen_options": kupang["options"]})
        assert code == 403

        # (the Required Actions page as Metro's PPID sees it on a phone, before answering: the request's
        # drawer holds the whole body, nothing cut or beyond the 390 px screen, no text under 12 px)
        shots = REPO_ROOT / "out" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        png = shots / "required_actions_390.png"
        layout = _required_actions_shot(base, api.token("ppid.metro"), "Kota Metro", png)
        assert layout["innerWidth"] == 390 and 0 <= layout["drawer"]["left"] and layout["drawer"]["right"] <= 390
        assert layout["outside"] == [] and layout["clipped"] == [], layout
        assert layout["minFontPx"] >= 12, layout
        headings = re.findall(r"^#### (.+)$", body, re.M)  # the ready ones first, then the blocked
        assert headings[:3] == [f"{d}: {labels[statuses[d]]}" for d in METRO_READY], headings
        assert f"{METRO_BLOCKED}: diblokir" in headings[3:], headings
        assert layout["headings"] == headings, layout["headings"]
        assert f"{BLOCKING_RULE}: {message}" in layout["text"]
        assert "Kota Metro" in layout["text"] and "Kota Kupang" not in layout["text"]
        assert "Februari 2024" in layout["text"] and serapan["perubahan_terbesar"][0] in layout["text"]
        assert png.stat().st_size > 20_000, png

        # When Metro's PPID publishes two datasets and holds the third with a reason; Kupang's publishes all
        chosen, held = list(METRO_CHOSEN), list(METRO_HELD)
        code, answer = api.call(
            "ppid.metro",
            "PATCH",
            metro_path,
            {"chosen_options": chosen, "params_input": {"alasan_ditunda": HOLD_REASON}},
        )
        assert code == 200, answer
        code, answer = api.call("ppid.kupang", "PATCH", kupang_path, {"chosen_options": kupang["options"]})
        assert code == 200, answer

        run.wait(timeout=1500)
    finally:
        for proc in (run, server):
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=60)
    log = (tmp_path / "run.log").read_text()
    assert "Waiting for Human-in-the-loop input" in log, log[-3000:]

    # Then each catalogue shows exactly what its PPID chose: Metro's two budget datasets in a new version,
    # its scorecard held at the version it had; every ready dataset of Kupang published
    catalogs = {
        kode: json.loads((settings.published_root / kode / "catalog.json").read_text()) for kode in (METRO, KUPANG)
    }
    metro_last = {d: s for d, s in catalogs[METRO]["last_run"]["datasets"].items() if s != "no_data"}
    expected_last = {**dict.fromkeys(chosen, "published"), **dict.fromkeys(held, "held")}
    assert metro_last == {**expected_last, **dict.fromkeys(blocked, "blocked")}, metro_last
    metro_versions = {d: e["version"] for d, e in catalogs[METRO]["datasets"].items()}
    assert metro_versions == {**dict.fromkeys(chosen, "v2"), **dict.fromkeys(held, "v1")}, metro_versions
    kupang_last = {d: s for d, s in catalogs[KUPANG]["last_run"]["datasets"].items() if s != "no_data"}
    unchanged = [d for d, s in kupang_statuses.items() if s == "unchanged"]
    assert kupang_last[METRO_BLOCKED] == "published"
    assert kupang_last == {**dict.fromkeys(kupang["options"], "published"), **dict.fromkeys(unchanged, "unchanged")}
    assert set(catalogs[KUPANG]["datasets"]) == set(kupang["options"]) | set(unchanged)
    assert catalogs[KUPANG]["datasets"]["skor_kualitas_data"]["version"] == "v2"
    for kode, catalog in catalogs.items():  # ... and so does each public page, card by card
        page = (settings.published_root / kode / "index.html").read_text()
        cards = dict(re.findall(r'<article id="([a-z_]+)">.*?href="\1/(v\d+)/data\.csv"', page, re.S))
        assert cards == {d: e["version"] for d, e in catalog["datasets"].items()}, (kode, cards)
    metro_page = (settings.published_root / METRO / "index.html").read_text()
    for dataset_id in held:
        card = metro_page[metro_page.index(f'<article id="{dataset_id}">') :].split("</article>")[0]
        assert "ditunda PPID" in card
    assert "ditunda PPID" not in (settings.published_root / KUPANG / "index.html").read_text()
    assert (settings.published_root / "index.html").read_text().count("<li>") == 2

    # ... and the hold is recorded with its reason and approver, in the audit schema and the run report
    with psycopg.connect(warehouse_url) as conn:
        holds = conn.execute(
            "select kode_pemda, dataset_id, held_reason, held_by from audit.publication "
            "where run_id = %s and status = 'held' order by 2",
            (pipeline_run,),
        ).fetchall()
        answers = conn.execute(
            "select kode_pemda, approved_by, method from audit.publication_approval where run_id = %s order by 1",
            (pipeline_run,),
        ).fetchall()
    assert holds == [(METRO, d, HOLD_REASON, "ppid.metro") for d in held]
    assert answers == [(METRO, "ppid.metro", "hitl"), (KUPANG, "ppid.kupang", "hitl")]
    report = json.loads((settings.reports / "runs" / pipeline_run / "run_summary.json").read_text())
    for dataset_id in held:
        assert report["publishers"][METRO][dataset_id]["ditunda_ppid"] == {"alasan": HOLD_REASON, "oleh": "ppid.metro"}
    print("screenshot:", png, layout)
