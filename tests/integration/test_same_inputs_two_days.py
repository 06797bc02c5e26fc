"""The same inputs run on two different days give no new published version: nothing the marts compute
depends on the day of the run. "Unpaid past due" is judged at the data's cut-off (the pemda's latest
payment date), not at the build date. The pipeline's clock is fixed with SATUDATA_TODAY; the stages run
for real (PostgreSQL, dbt, GX, the publisher), without Airflow."""

from __future__ import annotations

import dataclasses
import json
import shutil
from datetime import date

import pytest

from satudata import pipeline
from satudata.config import REPO_ROOT
from tests.conftest import make_settings

pytestmark = pytest.mark.integration

PAY = """periode,kode_opd,jenis_penghasilan,jumlah_penerima,nilai_bruto,tanggal_jatuh_tempo,tanggal_bayar
2024-03,DINKES,GAJI,10,50000000,2024-03-01,2024-03-01
2024-03,DINKES,Tunjangan Hari Raya,10,40000000,2024-03-28,2024-03-27
2024-04,DINKES,TPP,10,20000000,2024-05-10,
2024-05,DINKES,TPP,10,20000000,2024-06-10,
2024-06,DINKES,Gaji ke-13,10,40000000,2024-06-03,2024-06-07
"""


def run_on(settings, day: date, run_id: str) -> dict:
    settings = dataclasses.replace(settings, today_override=day)
    run_id = pipeline.start(settings, run_id)
    for batch in pipeline.batches(pipeline.discover_files(settings)):
        pipeline.load_batch(settings, pipeline.land_batch(settings, run_id, batch))
    built = pipeline.transform(settings, run_id)
    pipeline.validate(settings, run_id)
    return {"built": built, "published": pipeline.gate_and_publish(settings, run_id)}


def versions(settings) -> dict[str, str]:
    catalog = json.loads((settings.published / "catalog.json").read_text())
    return {k: v["version"] for k, v in catalog["datasets"].items()}


def test_unchanged_inputs_on_another_day_make_no_new_version(tmp_path, warehouse_url):
    # Given the minimal landing plus a year of pay runs with two TPP runs never paid
    landing = tmp_path / "landing"
    shutil.copytree(REPO_ROOT / "tests" / "fixtures" / "landing_min", landing)
    pay = landing / "18.72" / "DINKES" / "pembayaran_penghasilan" / "pay.csv"
    pay.parent.mkdir(parents=True)
    pay.write_text(PAY, encoding="utf-8")
    settings = make_settings(tmp_path, warehouse_url, landing)

    # When the pipeline runs on 2026-01-10 and again, on the same files, on 2026-03-15
    first = run_on(settings, date(2026, 1, 10), "day1")
    before = versions(settings)
    second = run_on(settings, date(2026, 3, 15), "day2")

    # Then the second day did build the marts again (a new day), and published no new version of anything
    assert "kept_build_of" not in second["built"], second["built"]
    assert first["published"]["ketepatan_pembayaran_penghasilan"]["status"] == "published"
    assert versions(settings) == before
    assert {v["status"] for v in second["published"].values()} <= {"unchanged", "no_data"}, second["published"]
    # and "past due" is judged at the data's cut-off, the latest payment (2024-06-07), on both days:
    # the TPP due 2024-05-10 is past due, the one due 2024-06-10 is not
    entry = json.loads((settings.published / "catalog.json").read_text())["datasets"]
    data = (settings.published / entry["ketepatan_pembayaran_penghasilan"]["path"] / "data.csv").read_text()
    header, *rows = [line.split(",") for line in data.strip().splitlines()]
    at = {r[header.index("periode")] + "|" + r[header.index("jenis_penghasilan")]: r for r in rows}
    col = header.index("jumlah_belum_dibayar_lewat_jatuh_tempo")
    assert at["2024-04|TPP"][col] == "1" and at["2024-05|TPP"][col] == "0"
    assert {r[header.index("tanggal_acuan")] for r in rows} == {"2024-06-07"}
    assert {r[header.index("jenis_penghasilan")] for r in rows} == {"GAJI", "THR", "TPP", "GAJI_13"}
