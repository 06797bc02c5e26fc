"""The whole DAG through real Airflow against a real PostgreSQL, on a small fixture landing:
rerun idempotence, and a fatal GX check blocking only the datasets it touches."""

from __future__ import annotations

import json
import shutil

import psycopg
import pytest

from satudata.config import REPO_ROOT
from tests.conftest import make_settings, run_cli

FIXTURE = REPO_ROOT / "tests" / "fixtures" / "landing_min"
pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def env(tmp_path_factory, pg_server):
    tmp = tmp_path_factory.mktemp("gate")
    landing = tmp / "landing"
    shutil.copytree(FIXTURE, landing)
    db = "t_pipeline_gate"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"drop database if exists {db} with (force)")
        conn.execute(f"create database {db}")
    return make_settings(tmp, pg_server.rsplit("/", 1)[0] + f"/{db}", landing)


def summary(settings) -> dict:
    return json.loads((settings.reports / "run_summary.json").read_text())


def catalog(settings) -> dict:
    return json.loads((settings.published / "catalog.json").read_text())["datasets"]


def raw_counts(url: str) -> dict[str, tuple[int, int]]:
    """Per raw table: (rows, distinct (file, row) pairs) — equal when nothing is duplicated."""
    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute(
            "select table_name from information_schema.tables where table_schema = 'raw' order by 1")]
        return {t: conn.execute(f"select count(*), count(distinct (_file_id, _row_number, _sheet)) from raw.{t}")
                .fetchone() for t in tables}


def test_first_run_publishes_and_accounts_for_every_row(env):
    # When the pipeline runs on the fixture landing
    proc = run_cli(env, "run")

    # Then it succeeds and publishes the first version of each dataset
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    s = summary(env)
    assert s["status"] == "success"
    assert {d for d, v in s["datasets"].items() if v["status"] == "published"} >= {
        "asn_jumlah", "serapan_anggaran", "ikm_layanan"}
    for dataset_id, entry in catalog(env).items():
        assert (env.published / entry["path"] / "data.csv").exists(), dataset_id
    # and every row read is either loaded or quarantined, in the summary and in the warehouse
    with psycopg.connect(env.warehouse_url) as conn:
        for f in s["files"]:
            assert f["rows_read"] == f["rows_loaded"] + f["rows_quarantined"], f["path"]
            loaded = conn.execute(f"select count(*) from raw.{f['dataset']} where _file_id = %s",
                                  (f["file_id"],)).fetchone()[0]
            quarantined = conn.execute(
                "select count(distinct row_number) from audit.row_finding where file_id = %s and severity = 'fatal'",
                (f["file_id"],)).fetchone()[0]
            assert (loaded, quarantined) == (f["rows_loaded"], f["rows_quarantined"]), f["path"]
    assert s["totals"]["rows_quarantined"] == 4  # the four rows the fixture breaks on purpose


def test_second_run_changes_nothing(env):
    before_catalog, before_raw = catalog(env), raw_counts(env.warehouse_url)

    proc = run_cli(env, "run")

    assert proc.returncode == 0, proc.stdout[-3000:]
    s = summary(env)
    assert all(f["status"] == "unchanged" for f in s["files"])
    assert {d for d, v in s["datasets"].items() if v["status"] == "unchanged"} >= {
        "asn_jumlah", "serapan_anggaran", "ikm_layanan"}
    # datasets nobody has submitted data for stay unpublished without failing the run
    assert all(v["status"] in ("unchanged", "no_data") for v in s["datasets"].values())
    assert catalog(env) == before_catalog
    after_raw = raw_counts(env.warehouse_url)
    assert after_raw == before_raw
    assert all(rows == distinct for rows, distinct in after_raw.values())


def test_fatal_check_blocks_only_the_datasets_it_touches(env):
    # Given a second OPD reusing an SP2D number DINKES already used (BEL-003: unique per pemda)
    target = env.landing / "18.72" / "BPKAD" / "realisasi_belanja"
    target.mkdir(parents=True)
    (target / "sp2d_bpkad.csv").write_text(
        "tahun,nomor_sp2d,tanggal_sp2d,kode_sub_kegiatan,kode_rekening,nilai\n"
        "2024,SP2D-001,2024-03-15,1.02.02.2.01.0001,5.1.02.01.01.0024,7500000\n"
    )
    before = catalog(env)

    # When the pipeline runs
    proc = run_cli(env, "run")

    # Then the run fails, absorption is blocked with the reason, and its last good version stays
    assert proc.returncode != 0
    s = summary(env)
    blocked = s["datasets"]["serapan_anggaran"]
    assert blocked["status"] == "blocked"
    assert any("BEL-003" in r for r in blocked["failing_checks"])
    assert "serapan_anggaran" in s["blocked"]
    assert catalog(env)["serapan_anggaran"] == before["serapan_anggaran"]
    assert sorted(p.name for p in (env.published / "serapan_anggaran").iterdir() if p.is_dir()) == ["v1"]
    # while datasets the check does not touch still go through the gate
    assert s["datasets"]["asn_jumlah"]["status"] in ("published", "unchanged")
    assert s["datasets"]["ikm_layanan"]["status"] in ("published", "unchanged")
