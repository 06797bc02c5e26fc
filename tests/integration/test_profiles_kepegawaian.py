"""The staff exports load with every row accounted for (issue #13, acceptance 2 and 5): a SIASN "Data ASN"
download and a SIMPEG-daerah nominatif, dropped for DINKES of Kota Metro, land and load through the
pipeline's stages into the real PostgreSQL; rows_read = loaded + quarantined + set aside in
audit.source_file and run_summary.json; the canonical codes are in raw.pegawai and in dbt staging
(non-ASN kept as NON_ASN with their kind); genuine errors are quarantined with their rule."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from satudata.config import DbParams
from satudata.warehouse import connect
from tests.conftest import make_settings
from tests.integration.loading import drop, findings, land_and_load

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "profiles"
DINKES = "1.02.0.00.0.00.01.0000"


def dbt_staging(settings) -> None:
    """The seed kode_sinonim, its lookup table and stg_opd__pegawai, built by dbt (no tests)."""
    env = {
        **os.environ,
        **DbParams.from_url(settings.warehouse_url).dbt_env(),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "build",
            "--select",
            "+stg_opd__pegawai",
            "--exclude-resource-type",
            "test",
            "unit_test",
            "--project-dir",
            str(settings.dbt_dir),
            "--profiles-dir",
            str(settings.dbt_dir),
            "--target-path",
            str(settings.home / "dbt_target"),
            "--log-path",
            str(settings.home / "dbt_logs"),
        ],
        env=env,
        cwd=settings.dbt_dir,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]


def test_staff_exports_load_with_every_row_accounted_for(tmp_path, warehouse_url):
    # Given a SIASN download for February (month in the file name) and a SIMPEG nominatif "KEADAAN 31
    # MARET 2024", both in DINKES's pegawai folder
    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    siasn = drop(
        settings, FIXTURES / "siasn_data_asn.csv", "18.72", "DINKES", "pegawai", "Data ASN per 29 Februari 2024.csv"
    )
    rekap = drop(settings, FIXTURES / "simpeg_rekap.xlsx", "18.72", "DINKES", "pegawai", "Nominatif DINKES.xlsx")

    # When they are landed and loaded (land_and_load checks rows_read = loaded + quarantined + set aside
    # for every file, in audit.source_file and in run_summary.json)
    files = land_and_load(settings)

    # Then SIASN: 9 rows = 6 loaded + 2 quarantined (a 17-digit NIP; a person of Dinas Pendidikan) + 1 set
    # aside (retired), read as the SIASN layout
    f = files[siasn]
    assert (f["profile"], f["rows_read"], f["rows_loaded"], f["rows_quarantined"], f["rows_set_aside"]) == (
        "siasn_data_asn",
        9,
        6,
        2,
        1,
    )
    assert f["set_aside"] == {
        "bukan pegawai aktif (kedudukan hukum: Pensiun) / no longer in service (kedudukan hukum: Pensiun)": 1
    }
    assert "dibaca sebagai: Unduhan Data ASN SIASN (BKN) / read as: Unduhan Data ASN SIASN (BKN)" in f["reasons"]
    # units the reference does not know: one file-level finding listing them, the rows kept
    assert [x for x in f["reasons"] if "Bidang Pelayanan Kesehatan, Puskesmas Yosomulyo" in x] != []
    assert f["status"] == "loaded_with_warnings"
    fatal = {(row, rule) for row, _, rule, severity in findings(warehouse_url, siasn) if severity == "fatal"}
    assert fatal == {(8, "PEG-001"), (10, "REF-001")}
    assert (9, "jenis_kelamin", "PEG-008", "warning") in findings(warehouse_url, siasn)

    # and the nominatif: 15 rows = 7 loaded + 2 quarantined (a letter in a NIP: not a NIP, FMT-001; the
    # same NIP twice in the month) + 6 set aside (the signature block); the aggregates sheet and the
    # numbering row are not rows
    r = files[rekap]
    assert (r["profile"], r["rows_read"], r["rows_loaded"], r["rows_quarantined"], r["rows_set_aside"]) == (
        "simpeg_rekap",
        15,
        7,
        2,
        6,
    )
    assert r["set_aside"] == {
        "blok tanda tangan atau catatan, bukan baris pegawai / signature block or note, not a staff line": 6
    }
    rekap_findings = findings(warehouse_url, rekap)
    assert {(row, rule) for row, _, rule, severity in rekap_findings if severity == "fatal"} == {
        (15, "FMT-001"),
        (16, "PEG-005"),
    }
    assert (17, "golongan", "PEG-009", "warning") in rekap_findings

    with connect(warehouse_url) as conn:
        raw = conn.execute(
            "select _row_number, nip, jenis_kelamin, status_kepegawaian, jenis_non_asn, golongan, jenis_jabatan, "
            "pendidikan, kode_opd, periode from raw.pegawai p join audit.source_file s on s.file_id = p._file_id "
            "where s.path = %s order by _row_number",
            (rekap,),
        ).fetchall()
    assert raw == [
        (9, "197901152003122002", "P", "PNS", None, "IV/a", "STRUKTURAL", "S2", DINKES, "2024-03"),
        (10, "198609262015051001", "L", "PNS", None, "III/a", "FUNGSIONAL", "S1", None, "2024-03"),
        (11, "199206302022212003", "P", "PPPK", None, "IX", "FUNGSIONAL", "D4", None, "2024-03"),
        (12, "199911112024031002", "L", "CPNS", None, "II/c", "PELAKSANA", "D3", DINKES, "2024-03"),
        (13, None, "L", "NON_ASN", "THL", "-", "PELAKSANA", "SMA", DINKES, "2024-03"),
        (14, None, "P", "NON_ASN", "KONTRAK", "-", "PELAKSANA", "SMA", None, "2024-03"),
        (17, "199403032019032004", "P", "PNS", None, "V/a", "FUNGSIONAL", "S1", DINKES, "2024-03"),
    ]

    # and dbt staging reads the same codes through the seed (a raw label would be normalised the same way)
    dbt_staging(settings)
    with connect(warehouse_url) as conn:
        staged = conn.execute(
            "select status_kepegawaian, jenis_non_asn, count(*) from staging.stg_opd__pegawai "
            "group by 1, 2 order by 1, 2"
        ).fetchall()
        golongan = conn.execute(
            "select golongan from staging.stg_opd__pegawai where nip = '199403032019032004'"
        ).fetchone()
    assert staged == [
        ("CPNS", None, 2),
        ("NON_ASN", "KONTRAK", 1),
        ("NON_ASN", "THL", 1),
        ("PNS", None, 7),
        ("PPPK", None, 2),
    ]
    assert golongan == (None,)  # V/a is in no code list: null downstream, the warning says why
