"""Landing is idempotent: the same content twice changes nothing; a corrected file replaces the periods it
holds, and the replaced data stays in the audit history. Real PostgreSQL, no Airflow (the stage functions)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from satudata import pipeline
from satudata.warehouse import connect
from tests.conftest import make_settings

pytestmark = pytest.mark.integration

HEADER = (
    "nip;nama;jenis_kelamin;tanggal_lahir;status_kepegawaian;golongan;jenis_jabatan;eselon;nama_jabatan;"
    "pendidikan;periode\n"
)


def roster(periods: list[str], jabatan: str = "Pengadministrasi", people: int = 3, bad: int = 0) -> str:
    lines = [HEADER]
    for p in periods:
        for i in range(1, people + 1):
            nip = f"19860926 201505 1 {i:03d}" if i > bad else "123"  # a short NIP is quarantined
            lines.append(f"{nip};Pegawai {i};L;26/09/1986;PNS;III/a;PELAKSANA;;{jabatan};S1;{p}\n")
    return "".join(lines)


def drop(landing: Path, name: str, text: str) -> Path:
    path = landing / "18.72" / "DINKES" / "pegawai" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(settings, run_id: str) -> list[dict]:
    pipeline.start(settings, run_id)
    return [pipeline.load(settings, pipeline.land(settings, run_id, rel)) for rel in pipeline.discover_files(settings)]


def warehouse(url: str) -> dict:
    with connect(url) as conn:
        files = conn.execute(
            "select file_id, path, status, superseded_by, rows_read, rows_loaded, rows_quarantined "
            "from audit.source_file order by file_id"
        ).fetchall()
        raw = conn.execute(
            "select _period, _file_id, nama_jabatan, count(*) from raw.pegawai group by 1, 2, 3 order by 1, 2"
        ).fetchall()
        findings = conn.execute("select count(*) from audit.row_finding").fetchone()[0]
    for f in files:
        assert f[4] == f[5] + f[6], f"rows_read != loaded + quarantined for {f[1]}"
    return {"files": files, "raw": raw, "findings": findings}


@pytest.fixture
def settings(tmp_path, warehouse_url):
    return make_settings(tmp_path, warehouse_url, tmp_path / "landing")


def test_the_same_content_again_changes_nothing(settings):
    # Given a file with a quarantined row was loaded
    drop(settings.landing, "pegawai_2024-01.csv", roster(["2024-01"], bad=1))
    first = run(settings, "r1")
    before = warehouse(settings.warehouse_url)
    assert first[0]["status"] == "loaded" and before["files"][0][4:] == (3, 2, 1)

    # When the same file is seen again, and an identical copy is dropped under another name
    shutil.copy(
        settings.landing / "18.72/DINKES/pegawai/pegawai_2024-01.csv",
        settings.landing / "18.72/DINKES/pegawai/pegawai_2024-01 (1).csv",
    )
    again = run(settings, "r2")

    # Then both are recognised as already loaded: no new file, no new rows, no new findings
    assert [r["status"] for r in again] == ["duplicate", "duplicate"]
    assert warehouse(settings.warehouse_url) == before


def test_a_corrected_file_replaces_its_periods_and_history_stays(settings):
    # Given January and February were loaded from one file
    drop(settings.landing, "pegawai_q1.csv", roster(["2024-01", "2024-02"]))
    run(settings, "r1")

    # When a corrected February arrives
    drop(settings.landing, "pegawai_2024-02_revisi.csv", roster(["2024-02"], jabatan="Analis"))
    run(settings, "r2")

    # Then February is the corrected one, January still comes from the first file, which stays current
    w = warehouse(settings.warehouse_url)
    assert w["raw"] == [("2024-01", 1, "Pengadministrasi", 3), ("2024-02", 2, "Analis", 3)]
    assert [f[2:4] for f in w["files"]] == [("loaded", None), ("loaded", None)]

    # When January is corrected too
    drop(settings.landing, "pegawai_2024-01_revisi.csv", roster(["2024-01"], jabatan="Pranata"))
    run(settings, "r3")

    # Then the first file holds nothing any more: superseded, its record kept for the audit
    w = warehouse(settings.warehouse_url)
    assert w["raw"] == [("2024-01", 3, "Pranata", 3), ("2024-02", 2, "Analis", 3)]
    assert [f[1:4] for f in w["files"]] == [
        ("18.72/DINKES/pegawai/pegawai_q1.csv", "superseded", 3),
        ("18.72/DINKES/pegawai/pegawai_2024-02_revisi.csv", "loaded", None),
        ("18.72/DINKES/pegawai/pegawai_2024-01_revisi.csv", "loaded", None),
    ]


def test_a_replaced_file_left_in_the_folder_does_not_come_back(settings):
    # Given a file and its correction both stay in the landing folder (as OPDs leave them)
    drop(settings.landing, "pegawai_2024-03.csv", roster(["2024-03"]))
    run(settings, "r1")
    drop(settings.landing, "pegawai_2024-03_v2.csv", roster(["2024-03"], jabatan="Analis"))
    run(settings, "r2")
    settled = warehouse(settings.warehouse_url)

    # When later runs see both again
    statuses = [[r["status"] for r in run(settings, f"r{n}")] for n in (3, 4)]

    # Then neither is loaded again: the correction stays, nothing flips back and forth
    assert statuses == [["duplicate", "duplicate"], ["duplicate", "duplicate"]]
    assert warehouse(settings.warehouse_url) == settled
    assert settled["raw"] == [("2024-03", 2, "Analis", 3)]

    # But the OPD may deliberately send the old content again (overwriting the file): it is new again
    drop(settings.landing, "pegawai_2024-03_v2.csv", roster(["2024-03"]))
    run(settings, "r5")
    assert warehouse(settings.warehouse_url)["raw"] == [("2024-03", 3, "Pengadministrasi", 3)]


def test_a_file_loaded_late_gives_way_to_a_later_one(settings):
    # Given two files of the same period were landed in order, and the later one loaded first (a retry)
    drop(settings.landing, "a.csv", roster(["2024-04"]))
    drop(settings.landing, "b.csv", roster(["2024-04"], jabatan="Analis"))
    pipeline.start(settings, "r1")
    first, second = (pipeline.land(settings, "r1", rel) for rel in pipeline.discover_files(settings))
    pipeline.load(settings, second)

    # When the earlier file is loaded after it
    pipeline.load(settings, first)

    # Then the later file's data stays, and the earlier one is recorded as replaced by it
    w = warehouse(settings.warehouse_url)
    assert w["raw"] == [("2024-04", 2, "Analis", 3)]
    assert [f[2:4] for f in w["files"]] == [("superseded", 2), ("loaded", None)]


def test_a_file_without_rows_is_replaced_by_none(settings):
    # Given an OPD sent a file with its header only (nothing to report that quarter)
    drop(settings.landing, "pegawai_kosong.csv", HEADER)
    run(settings, "r1")

    # When it sends a file with rows afterwards
    drop(settings.landing, "pegawai_2024-05.csv", roster(["2024-05"]))
    run(settings, "r2")

    # Then the empty file stays loaded: no rows of it were replaced
    w = warehouse(settings.warehouse_url)
    assert [f[1:4] for f in w["files"]] == [
        ("18.72/DINKES/pegawai/pegawai_kosong.csv", "loaded", None),
        ("18.72/DINKES/pegawai/pegawai_2024-05.csv", "loaded", None),
    ]
    assert w["raw"] == [("2024-05", 2, "Pengadministrasi", 3)]
