"""The incremental facts (dbt_project/macros/incremental.sql) equal a full refresh after files change:
a corrected file replacing a period, a second OPD reporting the same NIP, a new period, a new year's
payments replacing the old file, a changed service standard. Real PostgreSQL and dbt, no Airflow."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from satudata import pipeline
from satudata.config import REPO_ROOT, DbParams
from satudata.warehouse import connect
from tests.conftest import make_settings

pytestmark = pytest.mark.integration

FACTS = ["fct_realisasi_belanja", "fct_pegawai_bulanan", "fct_permohonan_layanan", "fct_survei_kepuasan"]
PEGAWAI = (
    "nip;nama;jenis_kelamin;tanggal_lahir;status_kepegawaian;golongan;jenis_jabatan;eselon;nama_jabatan;"
    "pendidikan;periode\n"
)


def write(landing: Path, relpath: str, text: str) -> None:
    path = landing / "18.72" / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def dbt(settings, *args: str) -> dict:
    """Run dbt on the facts and what they read (no tests); returns run_results.json."""
    target = settings.home / "dbt_target"
    env = {
        **os.environ,
        **DbParams.from_url(settings.warehouse_url).dbt_env(),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    select = [f"+{f}" for f in FACTS]
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "build",
            "--select",
            *select,
            "--exclude-resource-type",
            "test",
            "unit_test",
            "--project-dir",
            str(settings.dbt_dir),
            "--profiles-dir",
            str(settings.dbt_dir),
            "--target-path",
            str(target),
            "--log-path",
            str(settings.home / "dbt_logs"),
            *args,
        ],
        env=env,
        cwd=settings.dbt_dir,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    return {r["unique_id"].split(".")[-1]: r for r in json.loads((target / "run_results.json").read_text())["results"]}


def facts(url: str) -> dict[str, list[tuple]]:
    with connect(url) as conn:
        return {f: sorted(conn.execute(f"select * from marts.{f}").fetchall(), key=repr) for f in FACTS}


def load(settings, run_id: str) -> None:
    pipeline.start(settings, run_id)
    for relpath in pipeline.discover_files(settings):
        pipeline.load(settings, pipeline.land(settings, run_id, relpath))


@pytest.fixture
def settings(tmp_path, warehouse_url):
    landing = tmp_path / "landing"
    shutil.copytree(REPO_ROOT / "tests" / "fixtures" / "landing_min", landing)
    write(
        landing,
        "DINKES/pegawai/p_feb.csv",
        PEGAWAI + "19860926 201505 1 001;Budi;L;26/09/1986;PNS;III/c;"
        "FUNGSIONAL;;Dokter;S1;2024-02\n19900101 201503 2 002;Sari;P;01/01/1990;PNS;III/b;PELAKSANA;;"
        "Pengadministrasi;D3;2024-02\n",
    )
    return make_settings(tmp_path, warehouse_url, landing)


def test_incremental_facts_equal_a_full_refresh_after_corrected_files(settings):
    # Given the fixture landing loaded and the facts built
    load(settings, "r1")
    dbt(settings)
    before = facts(settings.warehouse_url)

    # When corrected and new files arrive: January's roster corrected (Sari moves, a new person),
    # BPKAD reports Budi in January too (the later file wins in the pemda), the year's SP2D file
    # replaced, a February survey added, and the service's SLA cut from 3 to 1 working day
    landing = settings.landing
    write(
        landing,
        "DINKES/pegawai/p_jan_koreksi.csv",
        PEGAWAI + "19860926 201505 1 001;Budi;L;26/09/1986;PNS;"
        "III/c;FUNGSIONAL;;Dokter Ahli;S1;2024-01\n19950505 202001 1 003;Andi;L;05/05/1995;PNS;III/a;PELAKSANA;;"
        "Pengadministrasi;S1;2024-01\n",
    )
    write(
        landing,
        "BPKAD/pegawai/p.csv",
        PEGAWAI + "19860926 201505 1 001;Budi;L;26/09/1986;PNS;III/c;STRUKTURAL;IV.a;Kepala Subbagian;S1;2024-01\n",
    )
    write(
        landing,
        "DINKES/realisasi_belanja/r2.csv",
        "tahun,nomor_sp2d,tanggal_sp2d,kode_sub_kegiatan,kode_rekening,"
        "nilai\n2024,SP2D-101,2024-04-30,1.02.02.2.01.0001,5.1.02.01.01.0024,7500000\n",
    )
    write(
        landing,
        "DINKES/survei_kepuasan/s2.csv",
        "tanggal,kode_layanan,u1,u2,u3,u4,u5,u6,u7,u8,u9,jenis_kelamin,"
        "pendidikan,usia\n2024-02-05,L01,2,3,3,4,3,3,4,4,3,L,SMA,25\n",
    )
    write(
        landing,
        "DINKES/jenis_layanan/j2.csv",
        "kode_layanan,nama_layanan,waktu_penyelesaian_hari,biaya,"
        "dasar_hukum\nL01,Surat Keterangan Sehat,1,0,Perwal 2/2024\n",
    )
    load(settings, "r2")
    results = dbt(settings)
    incremental = facts(settings.warehouse_url)
    dbt(settings, "--full-refresh")
    full = facts(settings.warehouse_url)

    # Then every fact equals its full refresh, and each changed
    for fact in FACTS:
        assert incremental[fact] == full[fact], fact
        assert incremental[fact] != before[fact], fact
    # and the roster was rebuilt for January only: February's rows were left in place
    with connect(settings.warehouse_url) as conn:
        by_month = dict(conn.execute("select periode, count(*) from marts.fct_pegawai_bulanan group by 1").fetchall())
    assert by_month == {"2024-01": 2, "2024-02": 2}  # Budi once (the later DINKES file wins) and Andi; Budi, Sari
    assert results["fct_pegawai_bulanan"]["adapter_response"]["rows_affected"] == by_month["2024-01"]
