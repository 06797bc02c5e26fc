"""The whole DAG through real Airflow against a real PostgreSQL, on a small fixture landing:
rerun idempotence, and a fatal GX check blocking only the datasets it touches.

The three runs are module fixtures, each chained to the one before it and each keeping what it
found (summary, catalog, warehouse counts) right after it ran, so every test passes run alone
(`pytest tests/integration/test_pipeline_gate.py::<name>`) and in any order."""

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
        tables = [
            r[0]
            for r in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'raw' order by 1"
            )
        ]
        return {
            t: conn.execute(f"select count(*), count(distinct (_file_id, _row_number, _sheet)) from raw.{t}").fetchone()
            for t in tables
        }


def loaded_and_quarantined(url: str, files: list[dict]) -> dict[str, tuple[int, int]]:
    """Per file of a summary: (rows in its raw table, rows with a fatal finding), from the warehouse."""
    with psycopg.connect(url) as conn:
        return {
            f["path"]: (
                conn.execute(
                    f"select count(*) from raw.{f['dataset']} where _file_id = %s", (f["file_id"],)
                ).fetchone()[0],
                conn.execute(
                    "select count(distinct row_number) from audit.row_finding where file_id = %s "
                    "and severity = 'fatal'",
                    (f["file_id"],),
                ).fetchone()[0],
            )
            for f in files
        }


def built(settings) -> dict:
    """What a run builds or publishes, as left on disk and in the warehouse: dbt's run_results.json and
    the build's state, the GX Data Docs, the published catalogue (bytes and times)."""
    files = {
        "dbt run_results": settings.dbt_dir / "target" / "run_results.json",
        "dbt docs": settings.reports / "dbt_docs" / "index.html",
        "gx data docs": settings.reports / "data_docs" / "index.html",
        "catalog": settings.published / "catalog.json",
    }
    with psycopg.connect(settings.warehouse_url) as conn:
        state = conn.execute("select project, run_id, built_at from audit.dbt_state order by project").fetchall()
    return {
        **{name: (p.stat().st_mtime_ns, p.read_bytes()) for name, p in files.items()},
        "audit.dbt_state": state,
    }


def run_results(url: str, run_id: str) -> dict:
    """Per audit table, the run's rows without the run id (dbt nodes, checks, publication decisions)."""
    with psycopg.connect(url) as conn:
        return {
            "dbt_result": conn.execute(
                "select unique_id, status, rows_affected from audit.dbt_result where run_id = %s order by 1", (run_id,)
            ).fetchall(),
            "rule_result": conn.execute(
                "select rule_id, dataset, success, failing_count from audit.rule_result where run_id = %s "
                "order by 1, 2",
                (run_id,),
            ).fetchall(),
            "publication": conn.execute(
                "select dataset_id, version, content_hash from audit.publication where run_id = %s order by 1",
                (run_id,),
            ).fetchall(),
        }


@pytest.fixture(scope="module")
def first_run(env) -> dict:
    proc = run_cli(env, "run")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    s = summary(env)
    return {
        "summary": s,
        "catalog": catalog(env),
        "raw": raw_counts(env.warehouse_url),
        "warehouse": loaded_and_quarantined(env.warehouse_url, s["files"]),
        "built": built(env),
        "results": run_results(env.warehouse_url, s["run_id"]),
    }


@pytest.fixture(scope="module")
def second_run(env, first_run) -> dict:
    proc = run_cli(env, "run")
    s = summary(env)
    return {
        "proc": proc,
        "summary": s,
        "catalog": catalog(env),
        "raw": raw_counts(env.warehouse_url),
        "built": built(env),
        "results": run_results(env.warehouse_url, s["run_id"]),
    }


@pytest.fixture(scope="module")
def fatal_run(env, second_run) -> dict:
    """After the rerun (chained so the rerun never sees this file): a second OPD reusing an SP2D number
    DINKES already used (BEL-003: unique per pemda)."""
    target = env.landing / "18.72" / "BPKAD" / "realisasi_belanja"
    target.mkdir(parents=True)
    (target / "sp2d_bpkad.csv").write_text(
        "tahun,nomor_sp2d,tanggal_sp2d,kode_sub_kegiatan,kode_rekening,nilai\n"
        "2024,SP2D-001,2024-03-15,1.02.02.2.01.0001,5.1.02.01.01.0024,7500000\n"
    )
    before = catalog(env)
    proc = run_cli(env, "run")
    return {
        "proc": proc,
        "before": before,
        "summary": summary(env),
        "catalog": catalog(env),
        "versions": sorted(p.name for p in (env.published / "serapan_anggaran").iterdir() if p.is_dir()),
    }


def test_first_run_publishes_and_accounts_for_every_row(env, first_run):
    # When the pipeline ran on the fixture landing, Then it succeeded and published the first version
    # of each dataset
    s = first_run["summary"]
    assert s["status"] == "success"
    assert {d for d, v in s["datasets"].items() if v["status"] == "published"} >= {
        "asn_jumlah",
        "serapan_anggaran",
        "ikm_layanan",
    }
    for dataset_id, entry in first_run["catalog"].items():
        assert (env.published / entry["path"] / "data.csv").exists(), dataset_id
    # and every row read is either loaded or quarantined, in the summary and in the warehouse
    for f in s["files"]:
        assert f["rows_read"] == f["rows_loaded"] + f["rows_quarantined"] + f["rows_set_aside"], f["path"]
        assert first_run["warehouse"][f["path"]] == (f["rows_loaded"], f["rows_quarantined"]), f["path"]
    assert s["totals"]["rows_quarantined"] == 4  # the four rows the fixture breaks on purpose


def test_second_run_changes_nothing(first_run, second_run):
    proc, s = second_run["proc"], second_run["summary"]
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert all(f["status"] == "unchanged" for f in s["files"])
    assert {d for d, v in s["datasets"].items() if v["status"] == "unchanged"} >= {
        "asn_jumlah",
        "serapan_anggaran",
        "ikm_layanan",
    }
    # datasets nobody has submitted data for stay unpublished without failing the run
    assert all(v["status"] in ("unchanged", "no_data") for v in s["datasets"].values())
    assert second_run["catalog"] == first_run["catalog"]
    assert second_run["raw"] == first_run["raw"]
    assert all(rows == distinct for rows, distinct in second_run["raw"].values())
    # and, nothing being new, nothing was rebuilt: no dbt build (run_results.json and the build's state
    # untouched), no GX checkpoint (Data Docs untouched), nothing republished (catalog.json untouched);
    # the run keeps the first run's node results, checks and decisions under its own id, and says so
    assert s["unchanged_since"] == first_run["summary"]["run_id"] != s["run_id"]
    assert s["inputs_fingerprint"] and s["inputs_fingerprint"] == first_run["summary"]["inputs_fingerprint"]
    assert first_run["summary"]["unchanged_since"] is None
    for name, before in first_run["built"].items():
        assert second_run["built"][name] == before, f"{name} changed in a rerun with nothing new"
    assert second_run["results"] == first_run["results"]
    assert all(second_run["results"].values())


def test_fatal_check_blocks_only_the_datasets_it_touches(fatal_run):
    # Given a second OPD reusing an SP2D number DINKES already used (fixture `fatal_run`), When the
    # pipeline ran, Then the run failed, absorption is blocked with the reason, and its last good version stays
    assert fatal_run["proc"].returncode != 0
    s = fatal_run["summary"]
    blocked = s["datasets"]["serapan_anggaran"]
    assert blocked["status"] == "blocked"
    assert any("BEL-003" in r for r in blocked["failing_checks"])
    assert "serapan_anggaran" in s["blocked"]
    assert fatal_run["catalog"]["serapan_anggaran"] == fatal_run["before"]["serapan_anggaran"]
    assert fatal_run["versions"] == ["v1"]
    # while datasets the check does not touch still go through the gate
    assert s["datasets"]["asn_jumlah"]["status"] in ("published", "unchanged")
    assert s["datasets"]["ikm_layanan"]["status"] in ("published", "unchanged")


def test_every_run_keeps_its_report_and_v1_links_to_the_run_that_published_it(env):
    # Given the three runs above: the first published v1 of serapan_anggaran, the last failed (blocked)
    runs = sorted(
        (env.reports / "runs").iterdir(), key=lambda p: json.loads((p / "run_summary.json").read_text())["generated_at"]
    )
    assert len(runs) == 3
    summaries = [json.loads((r / "run_summary.json").read_text()) for r in runs]
    assert [s["status"] for s in summaries] == ["success", "success", "failed"]
    first, last = runs[0], runs[-1]

    # Then every run kept its own report, summary, decisions and feedback
    for r, s in zip(runs, summaries, strict=True):
        page = (r / "audit" / "index.html").read_text(encoding="utf-8")
        assert f'data-key="run_id" data-value="{r.name}"' in page
        decisions = json.loads((r / "decisions.json").read_text())
        assert {d["dataset_id"]: d["status"] for d in decisions["datasets"]} == {
            k: v["status"] for k, v in s["datasets"].items()
        }
        assert list((r / "feedback").rglob("*.xlsx")), r
    assert {d["dataset_id"]: d["status"] for d in json.loads((last / "decisions.json").read_text())["datasets"]}[
        "serapan_anggaran"
    ] == "blocked"
    # the latest page is the failed run's; the list of runs names all three, newest first
    assert f'data-value="{last.name}"' in (env.reports / "audit" / "index.html").read_text(encoding="utf-8")
    index = (env.reports / "index.html").read_text(encoding="utf-8")
    assert [index.index(f'data-run="{r.name}"') for r in reversed(runs)] == sorted(
        index.index(f'data-run="{r.name}"') for r in runs
    )
    assert f'data-run="{last.name}" data-status="failed"' in index

    # and v1's metadata names the first run and links to the report that describes it, still there
    v1 = env.published / "serapan_anggaran" / "v1"
    md = json.loads((v1 / "metadata.json").read_text())
    assert md["jalankan"]["run_id"] == md["provenance"]["run_id"] == first.name
    report = (v1 / md["jalankan"]["laporan_audit"]).resolve()
    assert report == (first / "audit" / "index.html").resolve()
    page = report.read_text(encoding="utf-8")
    assert f'data-key="run_id" data-value="{first.name}"' in page
    assert 'data-dataset="serapan_anggaran" data-status="published"' in page
    assert (v1 / md["jalankan"]["keputusan"]).resolve().exists()
    assert (
        json.loads((v1 / md["jalankan"]["ringkasan_jalankan"]).read_text())["datasets"]["serapan_anggaran"]["version"]
        == "v1"
    )


def test_an_auditor_traces_a_published_cell_to_its_file_and_row(env, pg_server):
    # Given v1 of serapan_anggaran as published (its data.csv, metadata.json and sumber.csv) and an
    # auditor's own login, a member of `auditor` (docs/provenance.md)
    import csv
    import hashlib
    import io
    import uuid

    v1 = env.published / "serapan_anggaran" / "v1"
    rows = list(csv.DictReader(io.StringIO((v1 / "data.csv").read_text(encoding="utf-8"))))
    cell = next(r for r in rows if r["kode_jenis_belanja"] == "5.1.02" and r["bulan"] == "1")
    login = f"auditor_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(env.warehouse_url, autocommit=True) as conn:
        conn.execute(f"create role {login} login in role auditor")
    auditor = env.warehouse_url.replace("postgres@", f"{login}@", 1)
    try:
        with psycopg.connect(auditor) as conn:
            # When the auditor follows the documented queries: the cell's pemda and OPD from the reference
            # tables, then the rows of the source dataset that make that cell
            kode_pemda, singkatan = conn.execute(
                "select o.kode_pemda, o.singkatan from ref.opd o join ref.pemda p on p.kode_pemda = o.kode_pemda "
                "where p.kode_bps = %s and o.kode_opd = %s",
                (cell["kode_kabupaten_kota"], cell["kode_opd"]),
            ).fetchone()
            origin = conn.execute(
                "select path, sha256, sheet, row_number, row_values->>'nomor_sp2d', (row_values->>'nilai')::numeric "
                "from audit.row_origin('realisasi_belanja', %s, %s) where is_current "
                "and row_values->>'tahun' = %s and row_values->>'kode_rekening' like %s || '.%%' "
                "and extract(month from (row_values->>'tanggal_sp2d')::date) = %s order by path, row_number",
                (kode_pemda, singkatan, cell["tahun"], cell["kode_jenis_belanja"], int(cell["bulan"])),
            ).fetchall()
            # and the auditor still reads no raw table about persons
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("select 1 from raw.pegawai limit 1")
            conn.rollback()
            with pytest.raises(psycopg.errors.RaiseException):
                conn.execute("select * from audit.row_origin('pegawai', '18.72')")
    finally:
        with psycopg.connect(env.warehouse_url, autocommit=True) as conn:
            conn.execute(f"drop owned by {login}")
            conn.execute(f"drop role {login}")

    # Then the cell is SP2D-001, row 2 of DINKES's r.csv, whose value it is
    path = "18.72/DINKES/realisasi_belanja/r.csv"
    sha = hashlib.sha256((env.landing / path).read_bytes()).hexdigest()
    assert origin == [(path, sha, None, 2, "SP2D-001", 2500000)]
    assert float(cell["realisasi_bulan"]) == sum(float(o[5]) for o in origin)
    # and the version's sumber.csv lists that very file (pemda, OPD, path, sha256, rows used)
    sources = list(csv.DictReader(io.StringIO((v1 / "sumber.csv").read_text(encoding="utf-8"))))
    listed = next(s for s in sources if s["path"] == path)
    assert (listed["kode_pemda"], listed["opd"], listed["sha256"], listed["baris_dipakai"]) == (
        "18.72",
        "DINKES",
        sha,
        "3",
    )  # 4 rows, SP2D-004 (-5) quarantined
    assert {s["dataset"] for s in sources} == {"anggaran", "realisasi_belanja"}
    md = json.loads((v1 / "metadata.json").read_text())
    assert md["sumber_berkas"]["jumlah_berkas"] == len(sources)
