"""The real DAG, through Airflow, on the generated sample (small scale) against a real PostgreSQL: the
published CSVs hold the sample's figures, recomputed here from the generated files without the pipeline."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import psycopg
import pytest

from satudata.sample import generate
from tests.conftest import make_settings, run_cli
from tests.integration import sample_files

pytestmark = [pytest.mark.integration, pytest.mark.slow]
BPS = {"18.72": "1872", "62.71": "6271", "53.71": "5371", "72.71": "7271"}


@pytest.fixture(scope="module")
def run(tmp_path_factory, pg_server):
    tmp = tmp_path_factory.mktemp("sample")
    generate(tmp / "landing", scale="small", seed=2024)
    db = "t_sample_run"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"drop database if exists {db} with (force)")
        conn.execute(f"create database {db}")
    settings = make_settings(tmp, pg_server.rsplit("/", 1)[0] + f"/{db}", tmp / "landing")
    proc = run_cli(settings, "run")
    summary = json.loads((settings.reports / "run_summary.json").read_text())
    return settings, proc, summary


def published(settings, dataset_id: str) -> list[dict]:
    entry = json.loads((settings.published / "catalog.json").read_text())["datasets"][dataset_id]
    with (settings.published / entry["path"] / "data.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def quarantined(settings) -> set[tuple[str, int]]:
    """(landing path, row number) of every row the run rejected."""
    with psycopg.connect(settings.warehouse_url) as conn:
        rows = conn.execute(
            "select distinct sf.path, q.row_number from audit.row_finding q join audit.source_file sf "
            "using (file_id) where q.severity = 'fatal'").fetchall()
    return {(p, n) for p, n in rows}


def accepted_rows(settings, dataset: str, kode_pemda: str):
    rejected = quarantined(settings)
    for path in sample_files.files(settings.landing, dataset, kode_pemda):
        rel = path.relative_to(settings.landing).as_posix()
        for number, values in sample_files.rows(path, dataset):
            if (rel, number) not in rejected:
                yield path, values


def test_run_succeeds_and_accounts_for_every_row(run):
    settings, proc, summary = run
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    assert summary["status"] == "success"
    assert summary["totals"]["files"] == len(list(p for p in settings.landing.rglob("*") if p.is_file()))
    for f in summary["files"]:
        assert f["rows_read"] == f["rows_loaded"] + f["rows_quarantined"], f["path"]
    assert summary["totals"]["rows_quarantined"] > 0  # the sample carries a few bad rows on purpose
    assert all(v["status"] == "published" for v in summary["datasets"].values()), summary["datasets"]
    for rel in ("published/catalog.json", "reports/run_summary.json", "reports/data_docs/index.html"):
        assert (settings.out / rel).exists(), rel


@pytest.mark.parametrize("kode_pemda", ["18.72", "72.71"])
def test_anggaran_realisasi_total_per_pemda(run, kode_pemda):
    settings, _, _ = run
    expected = sum(sample_files.number(v["nilai"]) for _, v in accepted_rows(settings, "realisasi_belanja", kode_pemda))
    rows = [r for r in published(settings, "serapan_anggaran") if r["kode_kabupaten_kota"] == BPS[kode_pemda]]
    assert sum(Decimal(r["realisasi_bulan"]) for r in rows) == expected


def test_kepegawaian_vacancies_per_pemda(run):
    settings, _, _ = run
    for kode_pemda, bps in BPS.items():
        expected = defaultdict(int)
        for _, v in accepted_rows(settings, "formasi_jabatan", kode_pemda):
            periode = sample_files.parse.parse_periode(v["periode"])
            expected[periode] += int(sample_files.number(v["kebutuhan"])) - int(sample_files.number(v["terisi"]))
        got = defaultdict(int)
        for r in published(settings, "formasi_lowongan"):
            if r["kode_kabupaten_kota"] == bps:
                got[r["periode"]] += int(r["kebutuhan"]) - int(r["terisi"])
        assert dict(got) == dict(expected), kode_pemda


def test_pelayanan_ikm_per_service_and_semester(run):
    settings, _, _ = run
    scores: dict[tuple, list[list[int]]] = defaultdict(list)
    for path, v in accepted_rows(settings, "survei_kepuasan", "18.72"):
        tanggal = sample_files.parse.parse_date(v["tanggal"])
        semester = 1 if tanggal.month <= 6 else 2
        scores[(path.parts[-3], str(v["kode_layanan"]).strip(), semester)].append(
            [int(sample_files.number(v[f"u{i}"])) for i in range(1, 10)])
    published_ikm = {(r["kode_layanan"], int(r["semester"])): Decimal(r["ikm"])
                     for r in published(settings, "ikm_layanan") if r["kode_kabupaten_kota"] == "1872"}
    assert scores, "no survey responses found in the sample"
    for (_, layanan, semester), responses in scores.items():
        nrr = [Decimal(sum(r[u] for r in responses)) / len(responses) for u in range(9)]
        ikm = (sum(nrr) / 9 * 25).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        assert published_ikm[(layanan, semester)] == ikm, (layanan, semester)
