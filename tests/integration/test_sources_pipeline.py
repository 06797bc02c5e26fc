"""Registry sources through the pipeline's stages (the functions the DAG calls, without Airflow): each
failing source ends in a clear status of its own, lands nothing, and the other sources and file drops
are loaded. Real PostgreSQL, a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import shutil
from urllib.parse import urlsplit

import psycopg
import pytest
import yaml

from satudata import pipeline
from satudata.config import REPO_ROOT
from satudata.report.run_summary import write_run_summary
from satudata.warehouse import connect
from tests.conftest import make_settings
from tests.fake_sources import FakeApi

pytestmark = pytest.mark.integration

LANDING_MIN = REPO_ROOT / "tests" / "fixtures" / "landing_min"

PERMOHONAN = [
    {
        "no_registrasi": f"REG-{i:04d}",
        "layanan": {"kode": "L01"},
        "tgl_daftar": f"2024-03-{i % 28 + 1:02d}",
        "tgl_selesai": None,
        "status": "DIPROSES",
        "kanal": "ONLINE",
        "pemohon": "dibuang",
    }
    for i in range(1, 38)
]
FIELDS = {
    "nomor_permohonan": "no_registrasi",
    "kode_layanan": "layanan.kode",
    "tanggal_masuk": "tgl_daftar",
    "tanggal_selesai": "tgl_selesai",
}
PENGADUAN_DDL = """
create table public.tiket (no_tiket text, tgl date, kategori text, status text, tgl_tl date,
                           updated_at timestamptz not null default now());
insert into public.tiket (no_tiket, tgl, kategori, status)
select 'T-' || i, date '2024-02-01' + (i % 20), 'JALAN', 'SELESAI' from generate_series(1, 25) i;
"""

# conn_id -> the values the DAG's task passes once Airflow resolved the connection (filled by `world`)
CONNECTIONS: dict[str, dict] = {}

# (source id, OPD, fault of the fake API, the status and the reason fragment expected)
HTTP_CASES = [
    ("api-ok", "DPMPTSP", None, "loaded", None),
    ("api-retried", "DISDUKCAPIL", "error_then_ok", "loaded", None),
    ("api-timeout", "DINKES", "timeout", "failed", "tidak menjawab dalam"),
    ("api-malformed", "DISDIK", "malformed", "failed", "JSON yang tidak sah"),
    ("api-short", "SATPOLPP", "short_page", "failed", "penarikan tidak lengkap"),
]


@pytest.fixture
def world(tmp_path, warehouse_url, pg_server, monkeypatch):
    """A landing folder with file drops, a registry of five API sources and two database sources."""
    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    shutil.copytree(LANDING_MIN, settings.landing)
    src = pg_server.rsplit("/", 1)[0] + "/opd_pengaduan"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute("drop database if exists opd_pengaduan with (force)")
        conn.execute("create database opd_pengaduan")
    with psycopg.connect(src, autocommit=True) as conn:
        conn.execute(PENGADUAN_DDL)
    # the connections as the DAG's task hands them over once Airflow resolved them (Connection.to_dict())
    u = urlsplit(src)
    CONNECTIONS.clear()
    CONNECTIONS.update(
        {
            "lapor_metro": {
                "conn_type": "postgres",
                "host": u.hostname,
                "port": u.port,
                "login": u.username,
                "password": u.password,
                "schema": u.path.lstrip("/"),
            },
            "gone": {
                "conn_type": "postgres",
                "host": "127.0.0.1",
                "port": 9,
                "login": "x",
                "schema": "none",
                "extra": {"connect_timeout": "2"},
            },
            "sicantik": {"conn_type": "http", "password": "rahasia"},
        }
    )
    with FakeApi() as api:
        entries = []
        for source_id, opd, fault, _status, _reason in HTTP_CASES:
            api.route(f"/{source_id}", PERMOHONAN, token="rahasia", fault=fault, delay=1.0, times=2)
            entries.append(
                {
                    "id": source_id,
                    "kode_pemda": "18.72",
                    "opd": opd,
                    "dataset": "permohonan_layanan",
                    "kind": "http",
                    "location": {
                        "url": api.url(f"/{source_id}"),
                        "connection": "sicantik",
                        "per_page": 10,
                        "fields": FIELDS,
                        "timeout": 0.3,
                        "retries": 2,
                        "backoff": 0.01,
                    },
                }
            )
        entries.append(
            {
                "id": "db-ok",
                "kode_pemda": "18.72",
                "opd": "DISKOMINFO",
                "dataset": "pengaduan",
                "kind": "sql",
                "location": {
                    "connection": "lapor_metro",
                    "table": "public.tiket",
                    "columns": {"nomor_tiket": "no_tiket", "tanggal": "tgl", "tanggal_tindak_lanjut": "tgl_tl"},
                },
            }
        )
        entries.append(
            {
                "id": "db-gone",
                "kode_pemda": "18.72",
                "opd": "INSPEKTORAT",
                "dataset": "pengaduan",
                "kind": "sql",
                "location": {"connection": "gone", "table": "public.tiket"},
            }
        )
        (settings.landing / "registry.yaml").write_text(yaml.safe_dump({"sources": entries}))
        yield settings, api


def run_sources(settings, run_id: str) -> dict[str, str]:
    """What the DAG does before transform: extract each source (a failure fails that source only), then land
    and load the file drops and the extracted files."""
    pipeline.start(settings, run_id)
    outcome = {}
    for source_id in pipeline.list_sources(settings, run_id):
        try:
            connection = CONNECTIONS.get(pipeline.source_connection(settings, source_id))
            outcome[source_id] = pipeline.extract(settings, run_id, source_id, connection)["status"]
        except Exception as e:  # the mapped Airflow task fails, alone
            outcome[source_id] = f"raised {type(e).__name__}"
    for relpath in pipeline.discover_files(settings) + pipeline.extracted_files(settings, run_id):
        pipeline.load(settings, pipeline.land(settings, run_id, relpath))
    return outcome


def test_each_source_ends_in_its_own_status_and_the_others_load(world):
    settings, api = world

    # When the sources are pulled, landed and loaded
    outcome = run_sources(settings, "r1")

    # Then failing sources raised (their Airflow task fails) and the others extracted
    assert outcome == {
        "api-malformed": "raised SourceError",
        "api-ok": "extracted",
        "api-retried": "extracted",
        "api-short": "raised SourceError",
        "api-timeout": "raised SourceError",
        "db-gone": "raised SourceError",
        "db-ok": "extracted",
    }
    assert api.routes["/api-retried"].hits == 2 + 4  # two 500s retried, then four pages

    # And the run summary shows every source with its status and reason
    summary = write_run_summary(settings, settings.warehouse_url, "r1")
    sources = {s["source_id"]: s for s in summary["sources"]}
    for source_id, _opd, _fault, status, reason in HTTP_CASES:
        assert sources[source_id]["status"] == status, sources[source_id]
        if reason:
            assert reason in sources[source_id]["reason"]
        else:
            assert sources[source_id]["rows_extracted"] == sources[source_id]["rows_read"] == 37
    assert sources["db-ok"]["status"] == "loaded" and sources["db-ok"]["rows_loaded"] == 25
    assert sources["db-gone"]["status"] == "failed" and "tidak dapat dihubungi" in sources["db-gone"]["reason"]
    assert summary["sources_failed"] == ["api-malformed", "api-short", "api-timeout", "db-gone"]
    assert summary["status"] == "failed"

    # Nothing of a failed source reached the warehouse; everything else did, every row accounted for
    with connect(settings.warehouse_url) as conn:
        by_opd = dict(conn.execute("select _opd_folder, count(*) from raw.permohonan_layanan group by 1"))
        assert by_opd == {"DINKES": 2, "DPMPTSP": 37, "DISDUKCAPIL": 37}  # DINKES: its file drop only
        assert conn.execute("select count(*) from raw.pengaduan").fetchone()[0] == 25
        for path, read, loaded, quarantined in conn.execute(
            "select path, rows_read, rows_loaded, rows_quarantined from audit.source_file"
        ):
            assert read == loaded + quarantined, path
    for f in summary["files"]:
        assert f["rows_read"] == f["rows_loaded"] + f["rows_quarantined"] + f["rows_set_aside"], f
    assert {f["path"].split("/")[1] for f in summary["files"]} >= {"DPMPTSP", "DISDUKCAPIL", "DISKOMINFO"}
    assert not list((settings.home / "extracted").rglob(".*.part"))

    # When the same sources are pulled again with nothing changed
    api.routes["/api-retried"].fault = None
    again = run_sources(settings, "r2")
    summary = write_run_summary(settings, settings.warehouse_url, "r2")
    sources = {s["source_id"]: s for s in summary["sources"]}

    # Then the API's identical content is recognised, the database reports no changes, nothing is added
    assert again["db-ok"] == "no_changes"
    assert sources["api-ok"]["status"] == sources["api-retried"]["status"] == "unchanged"
    with connect(settings.warehouse_url) as conn:
        assert conn.execute("select count(*) from raw.permohonan_layanan").fetchone()[0] == 76


def test_an_invalid_registry_fails_loudly_but_file_drops_still_load(world):
    settings, _api = world
    (settings.landing / "registry.yaml").write_text(yaml.safe_dump({"sources": [{"id": "x", "kind": "sql"}]}))
    pipeline.start(settings, "r1")
    with pytest.raises(ValueError, match="source registry has"):
        pipeline.list_sources(settings, "r1")
    for relpath in pipeline.discover_files(settings):
        pipeline.load(settings, pipeline.land(settings, "r1", relpath))
    summary = write_run_summary(settings, settings.warehouse_url, "r1")
    assert summary["sources"][0]["source_id"] == "(registry)" and summary["sources"][0]["status"] == "failed"
    assert "kode_pemda: is missing" in summary["sources"][0]["reason"]
    assert summary["totals"]["files"] == 6
