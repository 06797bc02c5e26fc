"""e-SKM exports through the loader and dbt (issue #13, acceptance 2, 4, 5 for e-SKM, .xls and HTML):
every row loaded, quarantined with its reason or set aside with its reason; the IKM dbt computes from an
export with letter answers equals the IKM of the same answers written as numbers. Real PostgreSQL and
dbt, no Airflow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from satudata.config import DbParams
from satudata.warehouse import connect
from tests.conftest import make_settings
from tests.integration.loading import drop, findings, land_and_load

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).parents[1] / "fixtures" / "profiles"
U = ", ".join(f"u{i}" for i in range(1, 10))
SET_ASIDE_TOTAL = "baris JUMLAH/TOTAL / total row"
NOTE = (
    "baris tanpa tanggal dan jawaban (catatan, bukan responden) / row with no date and no answers "
    "(a note, not a respondent)"
)


def dbt_ikm(settings) -> dict[str, list[tuple]]:
    """dbt builds the IKM models (and what they read: seeds, staging) on this database; the IKM rows by OPD."""
    target = settings.home / "dbt_target"
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
            "+int_ikm_layanan_semester",
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
        ],
        env=env,
        cwd=settings.dbt_dir,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-4000:]
    assert json.loads((target / "run_results.json").read_text())["results"]
    out: dict[str, list[tuple]] = {}
    with connect(settings.warehouse_url) as conn:
        rows = conn.execute(
            "select o.singkatan, i.kode_layanan, i.tahun, i.semester, i.jumlah_responden, "
            + ", ".join(f"i.nrr_u{k}" for k in range(1, 10))
            + ", i.ikm, i.ikm_dibulatkan, i.mutu "
            "from intermediate.int_ikm_layanan_semester i join ref.opd o on o.kode_opd = i.kode_opd "
            "and o.kode_pemda = i.kode_pemda order by 1, 2"
        ).fetchall()
    for r in rows:
        out.setdefault(r[0], []).append(tuple(r[1:]))
    return out


def test_eskm_exports_account_for_every_row_and_letters_give_the_ikm_of_numbers(tmp_path, warehouse_url):
    # Given the letters export (.xls) of DISDUKCAPIL, the same answers as numbers in the standard's
    # columns under DPMPTSP, and the labels export (HTML saved as .xls) of the RSUD
    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    huruf = drop(
        settings,
        FIXTURES / "eskm_huruf_p.xls",
        "18.72",
        "DISDUKCAPIL",
        "survei_kepuasan",
        "Data Responden SKM Semester I 2024.xls",
    )
    angka = drop(
        settings, FIXTURES / "eskm_huruf_p_angka.csv", "18.72", "DPMPTSP", "survei_kepuasan", "skm_semester1_2024.csv"
    )
    label = drop(
        settings, FIXTURES / "eskm_label_pertanyaan.xls", "18.72", "RSUD", "survei_kepuasan", "Data Survei RSUD.xls"
    )
    # When they are landed and loaded (land_and_load checks read = loaded + quarantined + set aside for
    # every file, in audit.source_file and in run_summary.json)
    files = land_and_load(settings)

    # Then the letters export: 6 respondents and the JUMLAH row read; 4 loaded; respondent 4 ("e") and
    # respondent 6 (age "dua puluh") quarantined; the JUMLAH row set aside
    f = files[huruf]
    assert f["profile"] == "eskm_huruf_p"
    assert (f["rows_read"], f["rows_loaded"], f["rows_quarantined"], f["rows_set_aside"]) == (7, 4, 2, 1)
    assert f["set_aside"] == {SET_ASIDE_TOTAL: 1}
    assert any(r.startswith("dibaca sebagai: e-SKM: data responden, jawaban huruf") for r in f["reasons"])
    fatal = {(row, col) for row, col, rule, severity in findings(warehouse_url, huruf) if severity == "fatal"}
    assert fatal == {(9, "u4"), (11, "usia")}
    # the same answers as numbers: the same respondents loaded, the same two quarantined (9 > 4, "dua puluh")
    g = files[angka]
    assert g["profile"] is None
    assert (g["rows_read"], g["rows_loaded"], g["rows_quarantined"], g["rows_set_aside"]) == (6, 4, 2, 0)
    assert ("u4", "SKM-001") in {(col, rule) for _, col, rule, _ in findings(warehouse_url, angka)}
    # the labels export: 5 respondents and the note under the table; 3 loaded; prosedur answered with
    # persyaratan's label and a 1-5 scale's label quarantined; the note set aside
    h = files[label]
    assert h["profile"] == "eskm_label_pertanyaan"
    assert (h["rows_read"], h["rows_loaded"], h["rows_quarantined"], h["rows_set_aside"]) == (6, 3, 2, 1)
    assert h["set_aside"] == {NOTE: 1}
    fatal = {(row, col) for row, col, _, severity in findings(warehouse_url, label) if severity == "fatal"}
    assert fatal == {(8, "u2"), (9, "u8")}

    with connect(warehouse_url) as conn:

        def raw(opd: str) -> list[tuple]:  # in the file's order
            return conn.execute(
                f"select tanggal, kode_layanan, {U}, jenis_kelamin, usia from raw.survei_kepuasan "
                "where _opd_folder = %s order by _row_number",
                (opd,),
            ).fetchall()

        letters, numbers, labels = raw("DISDUKCAPIL"), raw("DPMPTSP"), raw("RSUD")
        pendidikan = conn.execute(
            "select pendidikan from raw.survei_kepuasan where _opd_folder = 'DISDUKCAPIL' order by _row_number"
        ).fetchall()
    assert letters == numbers and len(letters) == 4
    # u8 is pengaduan (the app's P9), u9 sarana (its P8): first respondent P1..P9 = c c b d c c d b c
    assert letters[0][2:11] == (3, 3, 2, 4, 3, 3, 4, 3, 2) and letters[0][12] == 25
    assert [p for (p,) in pendidikan] == ["SMA", "D4/S1", "SMP", "SD"]
    assert [r[2:11] for r in labels] == [
        (3, 3, 3, 4, 3, 3, 3, 4, 3),
        (4, 4, 2, 3, 4, 4, 4, 3, 4),
        (2, 1, 1, 2, 1, 2, 2, 2, 2),
    ]

    # And the IKM dbt computes is the same for the letters and for the numbers, and is the PermenPAN-RB
    # 14/2017 formula on the loaded scores (mean of the nine NRR x 25)
    ikm = dbt_ikm(settings)
    assert ikm["DISDUKCAPIL"] == ikm["DPMPTSP"]
    by_service: dict[tuple, list[tuple]] = {}
    for r in letters:
        by_service.setdefault((r[1], r[0].year, 1 if r[0].month <= 6 else 2), []).append(r[2:11])
    assert len(ikm["DISDUKCAPIL"]) == len(by_service) == 3
    for kode, tahun, semester, n, *rest in ikm["DISDUKCAPIL"]:
        answers = by_service[(kode, tahun, semester)]
        nrr = [Decimal(sum(a[k] for a in answers)) / len(answers) for k in range(9)]
        assert n == len(answers)
        assert [round(x, 6) for x in rest[:9]] == [round(x, 6) for x in nrr]
        assert round(rest[9], 6) == round(sum(nrr) / 9 * 25, 6)
    ktp = next(r for r in ikm["DISDUKCAPIL"] if r[0] == "PEMBUATAN KTP-EL")
    # NRR (3+1)/2, (3+2)/2, (2+3)/2, (4+4)/2, (3+1)/2, (3+2)/2, (4+3)/2, (3+1)/2, (2+4)/2 = 24 in all -> 24/9 x 25
    assert ktp[3] == 2 and ktp[-2] == Decimal("66.67") and ktp[-1] == "C"


def test_an_export_naming_services_gets_the_codes_of_the_opds_service_standard(tmp_path, warehouse_url):
    # Given DISDUKCAPIL's service standard (jenis_layanan) naming two of the three services of its e-SKM export
    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    standar = tmp_path / "standar.csv"
    standar.write_text(
        "kode_layanan,nama_layanan,waktu_penyelesaian_hari\nKTP01,Pembuatan KTP-el,1\nKK01,Kartu Keluarga,3\n",
        encoding="utf-8",
    )
    drop(settings, standar, "18.72", "DISDUKCAPIL", "jenis_layanan")
    huruf = drop(
        settings,
        FIXTURES / "eskm_huruf_p.xls",
        "18.72",
        "DISDUKCAPIL",
        "survei_kepuasan",
        "Data Responden SKM Semester I 2024.xls",
    )
    # When both are loaded (the standard first: its folder sorts first)
    files = land_and_load(settings)
    # Then the named services take the standard's codes, and the one the standard lacks keeps its name, with
    # one warning naming it on the file
    with connect(warehouse_url) as conn:
        codes = {r[0] for r in conn.execute("select kode_layanan from raw.survei_kepuasan")}
    assert codes == {"KTP01", "KK01", "AKTA KELAHIRAN"}  # a code is upper case (normalize_code)
    unknown = [r for r in files[huruf]["reasons"] if "tidak ditemukan di jenis_layanan" in r]
    assert len(unknown) == 1 and "Akta Kelahiran" in unknown[0]
