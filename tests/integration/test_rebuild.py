"""History, not deletion: after a corrected file gives v2, `satudata rebuild` makes v1's data.csv again,
byte-identical, from the warehouse (raw rows current then + rows superseded since, through dbt)."""

from __future__ import annotations

import shutil

import pytest

from satudata import pipeline
from satudata.config import REPO_ROOT
from satudata.publish.rebuild import run_rebuild
from satudata.publish.release import publish_dataset
from satudata.transform import publications
from tests.conftest import make_settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]
FIXTURE = REPO_ROOT / "tests" / "fixtures" / "landing_min"
TABLE = "marts.pub_serapan_anggaran"


def run_and_publish(settings, run_id: str) -> dict:
    run_id = pipeline.start(settings, run_id)
    for rel in pipeline.discover_files(settings):
        pipeline.load(settings, pipeline.land(settings, run_id, rel))
    assert pipeline.transform(settings, run_id)["returncode"] == 0
    return publish_dataset(
        settings, settings.warehouse_url, TABLE, publications(settings)[TABLE], {}, {"run_id": run_id}
    )


def test_rebuild_reproduces_v1_after_a_correction_gave_v2(tmp_path, warehouse_url, capsys):
    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    shutil.copytree(FIXTURE, settings.landing)
    # Given v1 of serapan_anggaran from DINKES's SP2D file
    assert run_and_publish(settings, "r1")["version"] == "v1"
    # and a corrected January (SP2D-001 was 2,500,000, is 3,100,000) that gives v2
    folder = settings.landing / "18.72" / "DINKES" / "realisasi_belanja"
    (folder / "r_revisi_januari.csv").write_text(
        "tahun,nomor_sp2d,tanggal_sp2d,kode_sub_kegiatan,kode_rekening,nilai\n"
        "2024,SP2D-001,2024-01-31,1.02.02.2.01.0001,5.1.02.01.01.0024,3100000\n",
        encoding="utf-8",
    )
    assert run_and_publish(settings, "r2")["version"] == "v2"
    v1 = (settings.published / "serapan_anggaran" / "v1" / "data.csv").read_bytes()
    v2 = (settings.published / "serapan_anggaran" / "v2" / "data.csv").read_bytes()
    assert v1 != v2 and b"3100000" in v2 and b"3100000" not in v1

    # When v1 is rebuilt from the warehouse
    out = tmp_path / "v1_rebuilt.csv"
    code = run_rebuild(settings, "serapan_anggaran", "v1", out)

    # Then it is v1, byte for byte (and v2 rebuilt is v2)
    assert code == 0, capsys.readouterr().out
    assert out.read_bytes() == v1
    assert run_rebuild(settings, "serapan_anggaran", "v2", tmp_path / "v2.csv") == 0
    assert (tmp_path / "v2.csv").read_bytes() == v2
