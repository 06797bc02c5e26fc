"""Two whole `satudata run`s through Airflow with registry sources, their connections resolved by Airflow (the
SIMPEG database's and CKAN's added with `airflow connections add`, two others as AIRFLOW_CONN_* variables): a
failing API and a database that is not there fail alone (their mapped extract task fails) while the other
sources and the file drops are published, and pushed to CKAN; then, on the second run, an identical re-drop
changes nothing and a corrected file gives a new published version that shows it."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from urllib.parse import urlsplit

import psycopg
import pytest
import yaml

from satudata.config import REPO_ROOT
from satudata.reference import opd_codes
from satudata.warehouse import connect
from tests.conftest import airflow_cli, make_settings, run_cli
from tests.fake_sources import FakeApi, FakeCkan

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LANDING_MIN = REPO_ROOT / "tests" / "fixtures" / "landing_min"
PERMOHONAN = [
    {
        "nomor_permohonan": f"IZN-{i:03d}",
        "kode_layanan": "L01",
        "tanggal_masuk": f"2024-01-{i % 20 + 2:02d}",
        "tanggal_selesai": f"2024-01-{i % 20 + 5:02d}",
        "status": "SELESAI",
        "kanal": "ONLINE",
    }
    for i in range(1, 24)
]
SIMPEG_DDL = """
create table public.pegawai (nip text, nama text, jk text, tgl_lahir date, status text, golongan text,
    jenis_jabatan text, eselon text, jabatan text, pendidikan text, periode text,
    updated_at timestamptz not null default now());
insert into public.pegawai
select '198609262015051' || lpad(i::text, 3, '0'), 'Pegawai ' || i, case when i % 2 = 0 then 'P' else 'L' end,
       date '1986-09-26', 'PNS', 'III/a', 'PELAKSANA', null, 'Pengadministrasi', 'S1', p, '2024-03-01'
from generate_series(1, 12) i, unnest(array['2024-01', '2024-02']) p;
update public.pegawai set nip = overlay(nip placing '2' from 15 for 1) where nama in (select 'Pegawai ' || i
    from generate_series(2, 12, 2) i);
"""


def opd_code(opd: str) -> str:
    return next(c for c in opd_codes()[("18.72", opd)] if c != opd)


def published(settings, dataset_id: str) -> tuple[str, list[dict]]:
    catalog = json.loads((settings.published / "catalog.json").read_text())
    entry = catalog["datasets"][dataset_id]
    text = (settings.published / entry["path"] / "data.csv").read_text(encoding="utf-8")
    return entry["version"], list(csv.DictReader(io.StringIO(text)))


def summary_of(settings) -> dict:
    return json.loads((settings.reports / "run_summary.json").read_text())


def check_blocked_only_for_empty(summary: dict) -> None:
    """The minimal landing has no data for some published datasets: the gate blocks those as empty
    (PUB-002). Nothing may be blocked for any other reason."""
    for dataset_id in summary["blocked"]:
        assert all("PUB-002" in c for c in summary["datasets"][dataset_id]["failing_checks"]), dataset_id


def check_rows_accounted(settings, summary: dict) -> None:
    for f in summary["files"]:
        assert f["rows_read"] == f["rows_loaded"] + f["rows_quarantined"] + f["rows_set_aside"], f
    with connect(settings.warehouse_url) as conn:
        for path, read, loaded, quarantined in conn.execute(
            "select path, rows_read, rows_loaded, rows_quarantined from audit.source_file where status <> 'rejected'"
        ):
            assert read == loaded + quarantined, path


def test_sources_fail_alone_and_corrections_publish(tmp_path, warehouse_url, pg_server, monkeypatch):
    # Given the minimal landing (DINKES), service standards for DPMPTSP and DISDUKCAPIL, and a registry of
    # two API sources (one serving a short page), a SIMPEG database, and a database that is not there
    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    shutil.copytree(LANDING_MIN, settings.landing)
    for opd in ("DPMPTSP", "DISDUKCAPIL"):
        folder = settings.landing / "18.72" / opd / "jenis_layanan"
        folder.mkdir(parents=True)
        (folder / "standar.csv").write_text(
            "kode_layanan,nama_layanan,waktu_penyelesaian_hari,biaya,dasar_hukum\nL01,Izin Usaha,5,0,Perwal 2/2021\n",
            encoding="utf-8",
        )
    simpeg = pg_server.rsplit("/", 1)[0] + "/opd_simpeg_run"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute("drop database if exists opd_simpeg_run with (force)")
        conn.execute("create database opd_simpeg_run")
    with psycopg.connect(simpeg, autocommit=True) as conn:
        conn.execute(SIMPEG_DDL)
    # the SIMPEG database and CKAN as connections created in Airflow itself (`airflow connections add`, stored
    # in Airflow's metadata database), the two others as AIRFLOW_CONN_* variables: the tasks resolve both
    u = urlsplit(simpeg)
    added = airflow_cli(
        settings,
        "connections",
        "add",
        "simpeg_metro",
        "--conn-type",
        "postgres",
        "--conn-host",
        u.hostname,
        "--conn-port",
        str(u.port),
        "--conn-login",
        u.username,
        "--conn-password",
        u.password or "",
        "--conn-schema",
        u.path.lstrip("/"),
    )
    assert added.returncode == 0, added.stdout + added.stderr
    monkeypatch.setenv("AIRFLOW_CONN_OLD_APP", "postgres://x@127.0.0.1:9/none?connect_timeout=2")
    monkeypatch.setenv("AIRFLOW_CONN_SICANTIK", '{"conn_type": "http", "password": "rahasia"}')
    assert "AIRFLOW_CONN_SIMPEG_METRO" not in os.environ and "AIRFLOW_CONN_CKAN_DEFAULT" not in os.environ

    with FakeApi() as api, FakeCkan("ckan-token") as ckan:
        added = airflow_cli(
            settings,
            "connections",
            "add",
            "ckan_default",
            "--conn-type",
            "http",
            "--conn-host",
            "127.0.0.1",
            "--conn-port",
            str(ckan.port),
            "--conn-password",
            "ckan-token",
            "--conn-extra",
            json.dumps({"owner_org": "diskominfo-kota-metro"}),
        )
        assert added.returncode == 0, added.stdout + added.stderr
        api.route("/izin", PERMOHONAN, token="rahasia")
        api.route("/kependudukan", PERMOHONAN, token="rahasia", fault="short_page")
        http = {"connection": "sicantik", "per_page": 10, "timeout": 5, "retries": 1, "backoff": 0.1}
        (settings.landing / "registry.yaml").write_text(
            yaml.safe_dump(
                {
                    "sources": [
                        {
                            "id": "api-dpmptsp",
                            "kode_pemda": "18.72",
                            "opd": "DPMPTSP",
                            "dataset": "permohonan_layanan",
                            "kind": "http",
                            "location": {"url": api.url("/izin"), **http},
                            "expected_periods": ["2024-01"],
                        },
                        {
                            "id": "api-disdukcapil",
                            "kode_pemda": "18.72",
                            "opd": "DISDUKCAPIL",
                            "dataset": "permohonan_layanan",
                            "kind": "http",
                            "location": {"url": api.url("/kependudukan"), **http},
                        },
                        {
                            "id": "db-bkpsdm",
                            "kode_pemda": "18.72",
                            "opd": "BKPSDM",
                            "dataset": "pegawai",
                            "kind": "sql",
                            "location": {
                                "connection": "simpeg_metro",
                                "table": "public.pegawai",
                                "columns": {
                                    "jenis_kelamin": "jk",
                                    "tanggal_lahir": "tgl_lahir",
                                    "status_kepegawaian": "status",
                                    "nama_jabatan": "jabatan",
                                },
                            },
                        },
                        {
                            "id": "db-satpolpp",
                            "kode_pemda": "18.72",
                            "opd": "SATPOLPP",
                            "dataset": "pegawai",
                            "kind": "sql",
                            "location": {"connection": "old_app", "table": "public.pegawai"},
                        },
                    ]
                }
            )
        )

        # When the pipeline runs through Airflow
        first = run_cli(settings, "run")
        (tmp_path / "run1.log").write_text(first.stdout + first.stderr)

        # Then the run fails (two sources failed), after publishing everything else
        s1 = summary_of(settings)
        sources = {s["source_id"]: s for s in s1["sources"]}
        assert first.returncode == 1, first.stdout[-3000:] + first.stderr[-3000:]
        assert s1["sources_failed"] == ["api-disdukcapil", "db-satpolpp"]
        assert sources["api-disdukcapil"]["status"] == "failed"
        assert "penarikan tidak lengkap" in sources["api-disdukcapil"]["reason"]
        assert sources["db-satpolpp"]["status"] == "failed"
        assert "tidak dapat dihubungi" in sources["db-satpolpp"]["reason"]
        assert (sources["api-dpmptsp"]["status"], sources["api-dpmptsp"]["rows_loaded"]) == ("loaded", 23)
        assert (sources["db-bkpsdm"]["status"], sources["db-bkpsdm"]["rows_loaded"]) == ("loaded", 24)
        check_blocked_only_for_empty(s1)
        for dataset_id in ("kinerja_layanan", "asn_jumlah", "serapan_anggaran"):
            assert s1["datasets"][dataset_id]["status"] == "published", dataset_id
        check_rows_accounted(settings, s1)

        # The API source is published, the failed one is not (not even partly)
        version, rows = published(settings, "kinerja_layanan")
        opds = {r["kode_opd"] for r in rows}
        assert opd_code("DPMPTSP") in opds and opd_code("DISDUKCAPIL") not in opds
        assert sum(int(r["jumlah_permohonan"]) for r in rows if r["kode_opd"] == opd_code("DPMPTSP")) == 23
        _, asn = published(settings, "asn_jumlah")
        assert opd_code("BKPSDM") in {r["kode_opd"] for r in asn}
        serapan_v1, serapan_rows = published(settings, "serapan_anggaran")
        realisasi_v1 = sum(float(r["realisasi_bulan"] or 0) for r in serapan_rows)
        asn_v1 = published(settings, "asn_jumlah")[0]
        assert (settings.reports / "feedback" / "18.72" / "DINKES" / "p.xlsx").exists()
        # And the publish task pushed every published dataset to the CKAN of the connection added in Airflow
        pushed = {c["payload"].get("name") for c in ckan.calls if c["action"] == "package_create"}
        assert {f"{d.replace('_', '-')}" for d, v in s1["datasets"].items() if v["status"] == "published"} <= pushed
        assert ckan.calls and all(c["authorization"] == "ckan-token" for c in ckan.calls)

        # When, for the second run, the API is mended, an identical copy of a file is dropped, the
        # SP2D file is corrected, and nothing changes in SIMPEG
        api.routes["/kependudukan"].fault = None
        registry = yaml.safe_load((settings.landing / "registry.yaml").read_text())
        registry["sources"] = [e for e in registry["sources"] if e["id"] != "db-satpolpp"]  # retired
        (settings.landing / "registry.yaml").write_text(yaml.safe_dump(registry))
        pegawai = settings.landing / "18.72" / "DINKES" / "pegawai"
        shutil.copy(pegawai / "p.csv", pegawai / "p_salinan.csv")
        belanja = settings.landing / "18.72" / "DINKES" / "realisasi_belanja"
        corrected = (belanja / "r.csv").read_text(encoding="utf-8").replace(",2500000\n", ",3500000\n", 1)
        assert corrected != (belanja / "r.csv").read_text(encoding="utf-8")
        (belanja / "r_revisi.csv").write_text(corrected, encoding="utf-8")
        with connect(warehouse_url) as conn:
            raw_pegawai = conn.execute("select count(*) from raw.pegawai").fetchone()[0]
            files_before = conn.execute("select count(*) from audit.source_file").fetchone()[0]
        second = run_cli(settings, "run")
        (tmp_path / "run2.log").write_text(second.stdout + second.stderr)

    # Then no source fails (the failed database source was retired from the registry)
    s2 = summary_of(settings)
    assert s2["sources_failed"] == [] and not s2["files_not_loaded"], second.stdout[-3000:] + second.stderr[-3000:]
    check_blocked_only_for_empty(s2)
    sources = {s["source_id"]: s["status"] for s in s2["sources"]}
    assert sources == {"api-dpmptsp": "unchanged", "api-disdukcapil": "loaded", "db-bkpsdm": "no_changes"}
    check_rows_accounted(settings, s2)

    # The identical copy changed nothing: no new file, no new rows, no new version of asn_jumlah
    files = {f["path"]: f for f in s2["files"]}
    assert files["18.72/DINKES/pegawai/p_salinan.csv"]["status"] == "unchanged"
    assert files["18.72/DINKES/pegawai/p.csv"]["status"] == "unchanged"
    with connect(warehouse_url) as conn:
        assert conn.execute("select count(*) from raw.pegawai").fetchone()[0] == raw_pegawai
        added = [
            r[0] for r in conn.execute("select path from audit.source_file order by file_id offset %s", (files_before,))
        ]
    # r_revisi.csv and the mended API's extract, nothing else
    assert len(added) == 2 and sum(a.endswith("r_revisi.csv") for a in added) == 1, added
    assert published(settings, "asn_jumlah")[0] == asn_v1

    # The corrected file replaced the year's SP2D: a new version of serapan_anggaran shows it
    assert files["18.72/DINKES/realisasi_belanja/r_revisi.csv"]["status"] == "loaded"
    serapan_v2, serapan_rows = published(settings, "serapan_anggaran")
    assert serapan_v2 != serapan_v1
    assert sum(float(r["realisasi_bulan"] or 0) for r in serapan_rows) == realisasi_v1 + 1_000_000
    with connect(warehouse_url) as conn:
        status = dict(conn.execute("select path, status from audit.source_file where path like '%realisasi%'"))
    assert status == {
        "18.72/DINKES/realisasi_belanja/r.csv": "superseded",
        "18.72/DINKES/realisasi_belanja/r_revisi.csv": "loaded",
    }

    # And the mended API source is published now
    _, rows = published(settings, "kinerja_layanan")
    assert opd_code("DISDUKCAPIL") in {r["kode_opd"] for r in rows}
