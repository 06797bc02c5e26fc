"""The SQL extractor against a real PostgreSQL (the session's embedded server): incremental by the
updated_at watermark, period by period, with no gap and no duplicate, and a database that goes away
mid-extract ends in a clear failure with the watermark unchanged."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
import yaml

from satudata import pipeline
from satudata.extract.connection import SourceError
from satudata.warehouse import connect
from tests.conftest import make_settings

pytestmark = pytest.mark.integration

# an OPD application table: its own column names (one of them a reserved word, so quoting is needed)
SOURCE_DDL = """
create schema if not exists app;
create table app.pegawai_simpeg (
    id serial primary key, nip_baru text, "select" text, jenis_kelamin text, tanggal_lahir date,
    status_kepegawaian text, golongan text, jenis_jabatan text, eselon text, nama_jabatan text,
    pendidikan text, periode text, updated_at timestamp not null default now()
);
"""
INSERT_PEOPLE = """
insert into app.pegawai_simpeg (nip_baru, "select", jenis_kelamin, tanggal_lahir, status_kepegawaian, golongan,
    jenis_jabatan, nama_jabatan, pendidikan, periode, updated_at)
select '198609262015051' || lpad(i::text, 3, '0'), 'Pegawai ' || i, 'L', date '1986-09-26', 'PNS', 'III/a',
       'PELAKSANA', 'Pengadministrasi', 'S1', p, timestamp '2024-04-01 08:00:00' + (i || ' seconds')::interval
from generate_series(1, %s) i, unnest(%s::text[]) p
"""


@pytest.fixture
def source_db(pg_server, request, monkeypatch):
    """A separate database playing the OPD's application, reachable as Airflow connection `opd_app`."""
    name = "src_" + "".join(ch if ch.isalnum() else "_" for ch in request.node.name.lower())[:40]
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"drop database if exists {name} with (force)")
        conn.execute(f"create database {name}")
    url = pg_server.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(SOURCE_DDL)
    u = urlsplit(url)
    CONNECTIONS["opd_app"] = {
        "conn_type": "postgres",
        "host": u.hostname,
        "port": u.port,
        "login": u.username,
        "password": u.password,
        "schema": u.path.lstrip("/"),
    }
    yield url


# conn_id -> the values the DAG's task passes once Airflow resolved the connection
CONNECTIONS: dict[str, dict] = {}


@pytest.fixture(autouse=True)
def _connections():
    CONNECTIONS.clear()
    yield
    CONNECTIONS.clear()


def extract(settings, run_id: str) -> dict:
    """The DAG's extract task: the source's connection, as Airflow resolved it, passed in."""
    return pipeline.extract(settings, run_id, "metro-bkpsdm-simpeg", CONNECTIONS.get("opd_app"))


def registry(landing: Path, **location) -> None:
    landing.mkdir(parents=True, exist_ok=True)
    (landing / "registry.yaml").write_text(
        yaml.safe_dump(
            {
                "sources": [
                    {
                        "id": "metro-bkpsdm-simpeg",
                        "kode_pemda": "18.72",
                        "opd": "BKPSDM",
                        "dataset": "pegawai",
                        "kind": "sql",
                        "location": {
                            "connection": "opd_app",
                            "table": "app.pegawai_simpeg",
                            "columns": {"nip": "nip_baru", "nama": "select"},
                            **location,
                        },
                        "expected_periods": ["2024-01..2024-03"],
                    }
                ]
            }
        )
    )


def run(settings, run_id: str) -> dict:
    """The pipeline's source stages, as the DAG calls them: extract -> land -> load."""
    pipeline.start(settings, run_id)
    result = extract(settings, run_id)
    for relpath in pipeline.extracted_files(settings, run_id):
        pipeline.load(settings, pipeline.land(settings, run_id, relpath))
    return result


def state(url: str, run_id: str) -> dict:
    with connect(url) as conn:
        raw = conn.execute("select count(*), count(distinct (nip, periode)) from raw.pegawai").fetchone()
        wm = conn.execute(
            "select watermark from audit.source_watermark where source_id = 'metro-bkpsdm-simpeg'"
        ).fetchone()
        sr = conn.execute(
            "select status, rows_extracted, reason from audit.source_run where run_id = %s", (run_id,)
        ).fetchone()
        files = conn.execute("select count(*) from audit.source_file").fetchone()[0]
    return {"raw": raw[0], "distinct": raw[1], "watermark": wm[0] if wm else None, "run": sr, "files": files}


def test_incremental_extract_has_no_gap_and_no_duplicate(tmp_path, warehouse_url, source_db):
    # Given an OPD database with 40 people in each of three months, and the registry pointing at it
    with psycopg.connect(source_db, autocommit=True) as conn:
        conn.execute(INSERT_PEOPLE, (40, ["2024-01", "2024-02", "2024-03"]))
    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    registry(settings.landing)

    # When the first run pulls it
    run(settings, "r1")

    # Then every row is loaded once and the watermark is the newest updated_at
    s1 = state(warehouse_url, "r1")
    assert s1["run"][:2] == ("loaded", 120)
    assert s1["raw"] == s1["distinct"] == 120
    assert s1["watermark"].isoformat() == "2024-04-01T08:00:40+00:00"

    # When nothing changed, the next run extracts nothing
    run(settings, "r2")
    assert state(warehouse_url, "r2")["run"][:2] == ("no_changes", 0)
    assert state(warehouse_url, "r2")["files"] == 1

    # When one February row is corrected and a March row added
    with psycopg.connect(source_db, autocommit=True) as conn:
        conn.execute("""update app.pegawai_simpeg set nama_jabatan = 'Analis', updated_at = '2024-05-01'
                        where periode = '2024-02' and nip_baru like '%001'""")
        conn.execute(INSERT_PEOPLE.replace("generate_series(1, %s)", "generate_series(41, %s)"), (41, ["2024-03"]))
        conn.execute("update app.pegawai_simpeg set updated_at = '2024-05-02' where nip_baru like '%041'")
    result = run(settings, "r3")

    # Then only the two changed months are extracted (each completely), and they replace what was loaded:
    # the warehouse holds exactly the source's rows, the correction included
    s3 = state(warehouse_url, "r3")
    assert result["rows"] == 40 + 41
    assert s3["run"][:2] == ("loaded", 81)
    assert s3["raw"] == s3["distinct"] == 121
    with connect(warehouse_url) as conn:
        assert (
            conn.execute(
                "select nama_jabatan from raw.pegawai where nip = '198609262015051001' and periode = '2024-02'"
            ).fetchone()[0]
            == "Analis"
        )
        assert (
            conn.execute("select count(*) from raw.pegawai where periode = '2024-01' and _file_id = 1").fetchone()[0]
            == 40
        )  # January was not read again
        # and every file's rows are accounted for
        for read, loaded, quarantined in conn.execute(
            "select rows_read, rows_loaded, rows_quarantined from audit.source_file"
        ):
            assert read == loaded + quarantined
    assert s3["watermark"].isoformat() == "2024-05-02T00:00:00+00:00"


def test_the_watermark_waits_for_the_load(tmp_path, warehouse_url, source_db):
    # Given rows extracted but not yet loaded (the run stopped after extract)
    with psycopg.connect(source_db, autocommit=True) as conn:
        conn.execute(INSERT_PEOPLE, (5, ["2024-01"]))
    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    registry(settings.landing)
    pipeline.start(settings, "r1")
    extract(settings, "r1")

    # Then the watermark has not moved, so the next run extracts the same rows again
    assert state(warehouse_url, "r1")["watermark"] is None
    run(settings, "r2")
    s2 = state(warehouse_url, "r2")
    assert s2["run"][:2] == ("loaded", 5) and s2["raw"] == 5 and s2["watermark"] is not None


def test_database_going_away_mid_extract_fails_the_source_and_keeps_the_watermark(
    tmp_path, warehouse_url, source_db, pg_server
):
    # Given a first run loaded January, and the OPD database then grew to 150,000 changed rows
    with psycopg.connect(source_db, autocommit=True) as conn:
        conn.execute(INSERT_PEOPLE, (3, ["2024-01"]))
    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    registry(settings.landing)
    run(settings, "r1")
    before = state(warehouse_url, "r1")["watermark"]
    with psycopg.connect(source_db, autocommit=True) as conn:
        conn.execute("""insert into app.pegawai_simpeg ("select", jenis_kelamin, tanggal_lahir, status_kepegawaian,
                            jenis_jabatan, nama_jabatan, pendidikan, periode, updated_at)
                        select 'Honorer ' || i, 'P', date '1990-01-01', 'NON_ASN', 'PELAKSANA', 'Tenaga Administrasi',
                               'SMA', '2024-02', timestamp '2024-06-01' from generate_series(1, 150000) i""")
    pipeline.start(settings, "r2")
    extracted = settings.home / "extracted"

    # When the database backend is terminated while the rows stream out
    outcome: dict = {}

    def pull() -> None:
        try:
            extract(settings, "r2")
        except SourceError as e:
            outcome["error"] = e

    worker = threading.Thread(target=pull)
    worker.start()
    killed = False
    deadline = time.monotonic() + 60
    with psycopg.connect(pg_server, autocommit=True) as admin:
        while worker.is_alive() and time.monotonic() < deadline and not killed:
            parts = list(extracted.rglob(".*.part")) if extracted.exists() else []
            if parts and parts[0].stat().st_size > 64 * 1024:  # mid-stream: rows are being written
                killed = bool(
                    admin.execute(
                        "select count(*) from (select pg_terminate_backend(pid) from pg_stat_activity "
                        "where application_name = 'satudata-extract:metro-bkpsdm-simpeg') t"
                    ).fetchone()[0]
                )
            time.sleep(0.005)
    worker.join(60)

    # Then the source fails with a clear reason, nothing is left to land, the watermark is unchanged
    assert killed, "the extract finished before it could be interrupted"
    assert "terputus" in outcome["error"].reason
    s2 = state(warehouse_url, "r2")
    assert s2["run"][0] == "failed" and "terputus" in s2["run"][2]
    assert s2["watermark"] == before
    assert not [p for p in extracted.rglob("*") if p.is_file()]  # no partial file (run 1's was landed, then removed)
    assert pipeline.extracted_files(settings, "r2") == []
    assert s2["raw"] == 3  # nothing of February reached the warehouse

    # And once the database is back, the next run extracts the rows again
    assert extract(settings, "r3")["rows"] == 150_000


def test_unreachable_database_fails_clearly(tmp_path, warehouse_url, monkeypatch):
    # Given a connection to a port where no database listens
    CONNECTIONS["opd_app"] = {
        "conn_type": "postgres",
        "host": "127.0.0.1",
        "port": 9,
        "login": "x",
        "schema": "app",
        "extra": {"connect_timeout": 2},
    }
    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    registry(settings.landing)
    pipeline.start(settings, "r1")

    # Then the extract fails, saying so, with no file
    with pytest.raises(SourceError, match="tidak dapat dihubungi"):
        extract(settings, "r1")
    assert state(warehouse_url, "r1")["run"][0] == "failed"
    assert not [p for p in (settings.home / "extracted").rglob("*") if p.is_file()]


def test_a_missing_mapped_column_is_a_clear_failure(tmp_path, warehouse_url, source_db):
    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    registry(settings.landing, columns={"nip": "nip_lama"})
    pipeline.start(settings, "r1")
    with pytest.raises(SourceError, match="nip_lama tidak ada"):
        extract(settings, "r1")
