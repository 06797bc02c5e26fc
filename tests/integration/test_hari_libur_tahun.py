"""A year with service requests and no hari_libur rows is fatal (LAY-006): working days there would
count national holidays and cuti bersama as working days without anyone seeing it. Real PostgreSQL,
dbt, GX and the gate, without Airflow."""

from __future__ import annotations

import shutil

import pytest

from satudata import pipeline
from satudata.config import REPO_ROOT
from satudata.warehouse import connect
from tests.conftest import make_settings

pytestmark = pytest.mark.integration


@pytest.mark.rules("LAY-006")
def test_requests_in_a_year_without_holidays_block_the_service_datasets_naming_the_year(tmp_path, warehouse_url):
    # Given the minimal landing (requests of 2024, a year the seed covers) plus two requests of 2031
    landing = tmp_path / "landing"
    shutil.copytree(REPO_ROOT / "tests" / "fixtures" / "landing_min", landing)
    requests = landing / "18.72" / "DINKES" / "permohonan_layanan" / "pl.csv"
    requests.write_text(
        requests.read_text(encoding="utf-8")
        + "P2031A,L01,2031-01-02,2031-01-06,SELESAI,LOKET,Ani\n"
        + "P2031B,L01,2031-01-03,,DIPROSES,LOKET,Ana\n",
        encoding="utf-8",
    )
    settings = make_settings(tmp_path, warehouse_url, landing)

    # When the pipeline loads, builds, validates and decides
    run_id = pipeline.start(settings, "r1")
    for batch in pipeline.batches(pipeline.discover_files(settings)):
        pipeline.load_batch(settings, pipeline.land_batch(settings, run_id, batch))
    pipeline.transform(settings, run_id)
    pipeline.validate(settings, run_id)
    published = pipeline.gate_and_publish(settings, run_id)

    # Then LAY-006 fails once, fatal, and its example names the year 2031 and its two requests
    with connect(settings.require_url()) as conn:
        [(success, severity, failing, examples)] = conn.execute(
            "select success, severity, failing_count, examples from audit.rule_result "
            "where run_id = %s and rule_id = 'LAY-006'",
            (run_id,),
        ).fetchall()
    assert (success, severity, failing) == (False, "fatal", 1)
    [example] = examples
    assert (example["kode_pemda"], int(example["tahun"]), int(example["jumlah_permohonan"])) == ("18.72", 2031, 2)
    # and the datasets built from the requests are blocked, the others are not
    assert published["kinerja_layanan"]["status"] == "blocked"
    assert published["asn_jumlah"]["status"] == "published"
