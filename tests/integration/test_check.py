"""`satudata check FILE`: the same reader, profiles and row rules as the load, offline, and the same
feedback workbook as the pipeline writes for the same file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from satudata import pipeline
from satudata.config import REPO_ROOT
from satudata.report.feedback import write_feedback
from tests.conftest import make_settings
from tests.integration.test_feedback import make_landing, sheet_rows

pytestmark = pytest.mark.integration


def check(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """`satudata check ...` as an OPD operator runs it: no warehouse in its environment."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "satudata.cli", "check", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def summary(path: Path) -> dict:
    return {
        r[0]: r[1]
        for r in sheet_rows(path, "Ringkasan")
        if r and r[0] and not str(r[0]).startswith("Diterima") and not str(r[0]).startswith("Diperiksa")
    }


def test_check_gives_the_pipelines_findings_offline(tmp_path, warehouse_url):
    # Given the files the feedback test submits (a CSV with a short NIP, an xlsx with a bad date under
    # title rows, a file missing required columns), loaded by the pipeline and reported on
    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    make_landing(settings.landing)
    pipeline.start(settings, "r1")
    for rel in pipeline.discover_files(settings):
        pipeline.load(settings, pipeline.land(settings, "r1", rel))
    write_feedback(settings, warehouse_url, "r1")
    feedback = settings.reports / "feedback" / "18.72" / "DINKES"
    pegawai = settings.landing / "18.72" / "DINKES" / "pegawai"

    # When the operator checks the same files offline (pemda, OPD and dataset from the path)
    out = tmp_path / "checked"
    results = {
        name: check(str(pegawai / name), "--out", str(out), cwd=tmp_path)
        for name in ("pegawai_januari.csv", "pegawai_februari.xlsx")
    }

    # Then each has findings (exit 1), and its workbook holds exactly the findings the pipeline wrote,
    # with the same columns read and the same counts
    for name, done in results.items():
        assert done.returncode == 1, done.stdout + done.stderr
        assert done.stdout.startswith("Pemeriksaan berkas / file check: 18.72/DINKES/pegawai/" + name)
        stem = Path(name).stem
        mine, theirs = out / f"{stem}.xlsx", feedback / f"{stem}.xlsx"
        assert sheet_rows(mine, "Temuan") == sheet_rows(theirs, "Temuan")
        assert len(sheet_rows(mine, "Temuan")) > 1
        assert sheet_rows(mine, "Kolom") == sheet_rows(theirs, "Kolom")
        assert summary(mine) == summary(theirs)
    jan = results["pegawai_januari.csv"].stdout
    assert "Baris dibaca 2: dimuat 1, dikarantina 1" in jan and "PEG-001" in jan

    # A file missing required columns is refused (exit 2), with the pipeline's reason in its workbook
    dpa = settings.landing / "18.72" / "DINKES" / "anggaran" / "dpa.csv"
    refused = check(str(dpa), cwd=tmp_path)  # --out defaults to the current folder
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "DITOLAK SELURUHNYA" in refused.stdout
    assert summary(tmp_path / "dpa.xlsx") == summary(feedback / "dpa.xlsx")

    # A clean file, anywhere, with pemda / OPD / dataset given: exit 0, a workbook without findings
    clean = tmp_path / "kiriman.csv"
    clean.write_text(
        "nip,nama,jenis_kelamin,status_kepegawaian,tanggal_lahir,golongan,jenis_jabatan,eselon,nama_jabatan,"
        "pendidikan,periode\n"
        "198609262015051001,Budi,L,PNS,26/09/1986,III/c,FUNGSIONAL,,Dokter,S1,2024-03\n",
        encoding="utf-8",
    )
    ok = check(
        str(clean), "--pemda", "18.72", "--opd", "DINKES", "--dataset", "pegawai", "--out", str(out), cwd=tmp_path
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "tidak ada temuan" in ok.stdout
    assert len(sheet_rows(out / "kiriman.xlsx", "Temuan")) == 1  # the header only

    # Without a pemda / OPD / dataset to go by, the check is refused
    unknown = check(str(clean), cwd=tmp_path)
    assert unknown.returncode == 2 and "pemda" in unknown.stdout


def test_check_gives_an_eskm_export_the_service_codes_the_load_gives_it(tmp_path, warehouse_url):
    # Given the e-SKM export and DISDUKCAPIL's service standard beside it, loaded by the pipeline
    from satudata.load.check import check_file
    from tests.integration.loading import drop, land_and_load

    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    standar = tmp_path / "standar.csv"
    standar.write_text(
        "kode_layanan,nama_layanan,waktu_penyelesaian_hari\nKTP01,Pembuatan KTP-el,1\nKK01,Kartu Keluarga,3\n",
        encoding="utf-8",
    )
    drop(settings, standar, "18.72", "DISDUKCAPIL", "jenis_layanan")
    huruf = drop(
        settings,
        REPO_ROOT / "tests" / "fixtures" / "profiles" / "eskm_huruf_p.xls",
        "18.72",
        "DISDUKCAPIL",
        "survei_kepuasan",
        "Data Responden SKM Semester I 2024.xls",
    )
    loaded = land_and_load(settings)[huruf]

    # When the same export is checked offline where it lies (the standard read from its folder beside it)
    checked = check_file(settings.landing / huruf, "18.72", "DISDUKCAPIL", "survei_kepuasan").file

    # Then it is read, counted and noted as the load did: one service the standard lacks, named
    for key in (
        "status",
        "rows_read",
        "rows_loaded",
        "rows_quarantined",
        "rows_set_aside",
        "set_aside",
        "profile",
        "reasons",
    ):
        assert checked[key] == loaded[key], key
    assert len([r for r in checked["reasons"] if "tidak ditemukan di jenis_layanan" in r]) == 1
