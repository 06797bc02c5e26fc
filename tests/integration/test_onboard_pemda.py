"""Onboarding a pemda that is not a seed city (issue #13, acceptance 1): its OPD list and unit crosswalk
dropped as files, then an LRA in the DJPK portal layout and a roster load, every row accounted for; the
lists are versioned (history kept), reach dbt (dim_opd, int_opd_alias) and the CLI. Real PostgreSQL, the
pipeline's own land/load batches, real dbt."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from satudata import pipeline
from satudata.cli import main
from satudata.config import TRANSFORMER
from satudata.report.run_summary import write_run_summary
from satudata.transform import dbt_command
from satudata.warehouse import connect
from tests.conftest import make_settings

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).parents[1] / "fixtures"
DJPK = FIXTURES / "djpk_lra" / "landing"

OPD_V1 = (
    "kode_opd;singkatan;nama_opd\n"
    "1.02.0.00.0.00.01.0000;DINKES;Dinas Kesehatan Kabupaten Trenggalek\n"
    "1.01.0.00.0.00.01.0000;DISDIKBUD;Dinas Pendidikan dan Kebudayaan Kabupaten Trenggalek\n"
    "5.02.0.00.0.00.01.0000;BPKAD;Badan Pengelolaan Keuangan dan Aset Daerah Kabupaten Trenggalek\n"
    "5.03.0.00.0.00.01.0000;BKPSDM;Badan Kepegawaian dan Pengembangan SDM Kabupaten Trenggalek\n"
)
OPD_V2 = OPD_V1 + "2.15.0.00.0.00.01.0000;DISHUB;Dinas Perhubungan Kabupaten Trenggalek\n"
UNIT = (
    "nama_unit;kode_unit;jenis_unit;induk\n"
    "UPTD Puskesmas Trenggalek;1.02.0.00.0.00.01.0001;PUSKESMAS;DINKES\n"
    "RSUD dr. Soedomo;1.02.0.00.0.00.01.0002;RSUD;DINKES\n"
)
ROSTER_HEADER = (
    "nip;nama;jenis_kelamin;tanggal_lahir;status_kepegawaian;golongan;jenis_jabatan;eselon;"
    "nama_jabatan;pendidikan;periode;kode_opd\n"
)
ROSTER = ROSTER_HEADER + (
    "19860926 201505 1 001;Budi;L;26/09/1986;PNS;III/c;FUNGSIONAL;;Dokter;S1;2024-06;DINKES\n"
    # a unit of the DINKES in the crosswalk (the RSUD) by its SIPD code: a row of the DINKES
    "19900101 201503 2 002;Sari;P;01/01/1990;PNS;III/b;PELAKSANA;;Perawat;D3;2024-06;1.02.0.00.0.00.01.0002\n"
    "1990010120150320;Bad;P;01/01/1990;PNS;III/b;PELAKSANA;;Pengadministrasi;D3;2024-06;DINKES\n"
)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def run(settings, run_id: str) -> dict:
    """The DAG's land and load stages: one batch per pemda, every file landed, then every file loaded.
    Returns the run's run_summary.json, by path."""
    run_id = pipeline.start(settings, run_id)
    for batch in pipeline.batches(pipeline.discover_files(settings)):
        pipeline.load_batch(settings, pipeline.land_batch(settings, run_id, batch))
    return {f["path"]: f for f in write_run_summary(settings, settings.warehouse_url, run_id)["files"]}


def files(url: str) -> dict[str, dict]:
    with connect(url) as conn:
        cur = conn.execute("select * from audit.source_file order by file_id")
        names = [d.name for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur]
    return {r["path"]: r for r in rows}  # the latest row of each path


def test_a_pemda_onboarded_by_dropped_files_loads_its_lra_and_roster(tmp_path, warehouse_url):
    # Given Kabupaten Trenggalek (35.03, not a seed city) with its OPD list and unit crosswalk dropped in
    # _referensi/, its DJPK LRA from BPKAD, a roster from DINKES and one from DISHUB (not in the list yet),
    # and Kabupaten Malang (35.07, no list at all) sending its DJPK LRA from BAKEUDA
    landing = tmp_path / "landing"
    for kode in ("35.03", "35.07"):
        shutil.copytree(DJPK / kode, landing / kode)
    write(landing / "35.03" / "_referensi" / "opd.csv", OPD_V1)
    write(landing / "35.03" / "_referensi" / "unit.csv", UNIT)
    write(landing / "35.03" / "DINKES" / "pegawai" / "pegawai 2024-06.csv", ROSTER)
    write(
        landing / "35.03" / "DISHUB" / "pegawai" / "pegawai 2024-06.csv",
        ROSTER_HEADER
        + "19860926 201505 1 009;Joko;L;26/09/1986;PNS;III/a;PELAKSANA;;Pengatur Lalu Lintas;SMA;2024-06;DISHUB\n",
    )
    settings = make_settings(tmp_path, warehouse_url, landing)

    # When the pipeline lands and loads them
    summary = run(settings, "onboard-1")

    # Then the lists are onboarded as version 1, and both reference files show as loaded
    got = files(warehouse_url)
    for name, rows in (("opd.csv", 4), ("unit.csv", 2)):
        f = got[f"35.03/_referensi/{name}"]
        assert (f["status"], f["rows_read"], f["rows_loaded"]) == ("loaded", rows, rows), f
    # the LRA of both pemda and the DINKES roster load, every row accounted for
    lra = got["35.03/BPKAD/lra/LRA 2023.csv"]
    assert lra["status"] in ("loaded", "loaded_with_warnings"), lra["reasons"]
    assert (lra["rows_read"], lra["rows_loaded"], lra["rows_quarantined"], lra["rows_set_aside"]) == (26, 25, 0, 1)
    assert lra["profile"] == "djpk_lra"
    malang = got["35.07/BAKEUDA/lra/LRA 2023.csv"]
    # (its header given again after a page break is skipped by the reader, with a warning)
    assert (malang["rows_read"], malang["rows_loaded"], malang["rows_set_aside"]) == (25, 25, 0), malang["reasons"]
    assert any("judul kolom berulang dilewati" in r for r in malang["reasons"]), malang["reasons"]
    roster = got["35.03/DINKES/pegawai/pegawai 2024-06.csv"]
    assert (roster["rows_read"], roster["rows_loaded"], roster["rows_quarantined"]) == (3, 2, 1), roster["reasons"]
    for f in got.values():
        if f["status"] != "rejected":
            assert f["rows_read"] == f["rows_loaded"] + f["rows_quarantined"] + (f["rows_set_aside"] or 0), f
    # ... and the same in run_summary.json, with the profile and the reasons rows were set aside
    assert len(summary) == 6
    for f in summary.values():
        assert f["rows_read"] == f["rows_loaded"] + f["rows_quarantined"] + f["rows_set_aside"], f
    assert summary["35.03/BPKAD/lra/LRA 2023.csv"]["profile"] == "djpk_lra"
    assert list(summary["35.03/BPKAD/lra/LRA 2023.csv"]["set_aside"].values()) == [1]
    assert next(iter(summary["35.03/BPKAD/lra/LRA 2023.csv"]["set_aside"])).startswith("baris berulang")
    # the DISHUB roster is refused as a whole, saying how to onboard the OPD
    dishub = got["35.03/DISHUB/pegawai/pegawai 2024-06.csv"]
    assert dishub["status"] == "rejected"
    assert "OPD folder 'DISHUB' is not in the reference list of pemda 35.03" in dishub["reasons"][0]
    assert "35.03/_referensi/opd.csv" in dishub["reasons"][0]
    with connect(warehouse_url) as conn:
        # the DJPK lines: tahun from the file name, depth from the leading spaces, amounts in rupiah
        lines = conn.execute(
            "select akun, level, tahun, anggaran, realisasi, persentase from raw.lra "
            "where _kode_pemda = '35.03' order by _row_number"
        ).fetchall()
        pegawai = conn.execute("select _kode_pemda, _opd_folder, nip from raw.pegawai").fetchall()
    assert lines[0] == (
        "Pendapatan Daerah",
        0,
        2023,
        Decimal("1811340000000.00"),
        Decimal("1450030000000.00"),
        Decimal("80.05"),
    )
    assert [(a, lv) for a, lv, *_ in lines[1:3]] == [("PAD", 1), ("Pajak Daerah", 2)]
    assert [a for a, *_ in lines].count("Belanja Pegawai") == 1  # the repeated line set aside
    subsidi = next(r for r in lines if r[0] == "Belanja Subsidi")
    assert (subsidi[1], subsidi[3]) == (2, Decimal("240000000.00"))  # `240,00 J`
    assert sorted(pegawai) == [("35.03", "DINKES", "198609262015051001"), ("35.03", "DINKES", "199001012015032002")]

    # When the walidata drops a corrected OPD list (DISHUB added) and the pipeline runs again
    write(landing / "35.03" / "_referensi" / "opd.csv", OPD_V2)
    run(settings, "onboard-2")

    # Then version 2 is current, version 1 is kept with its end, and the DISHUB roster refused before loads
    with connect(warehouse_url) as conn:
        versions = conn.execute(
            "select kind, version_id, row_count, valid_to is null, superseded_by "
            "from reference.list_version where kode_pemda = '35.03' order by version_id"
        ).fetchall()
        kept = conn.execute("select version_id, count(*) from reference.opd group by 1 order by 1").fetchall()
    assert versions == [("opd", 1, 4, False, 3), ("unit", 2, 2, True, None), ("opd", 3, 5, True, None)]
    assert kept == [(1, 4), (3, 5)]
    dishub = files(warehouse_url)["35.03/DISHUB/pegawai/pegawai 2024-06.csv"]
    assert (dishub["status"], dishub["rows_read"], dishub["rows_loaded"]) == ("loaded", 1, 1), dishub["reasons"]

    # And dbt builds the whole project on it, with one OPD list per pemda: the seed cities' and the onboarded
    # one, units as aliases; the roster reaches the published ASN counts of Kabupaten Trenggalek
    stage = settings.as_role(TRANSFORMER)
    proc = dbt_command(
        stage,
        stage.require_url(),
        "build",
        "--target-path",
        str(tmp_path / "target"),
        "--log-path",
        str(tmp_path / "dbt_logs"),
    )  # the whole project: every model and test
    assert proc.returncode == 0, proc.stdout[-4000:]
    with connect(warehouse_url) as conn:
        dim = conn.execute(
            "select singkatan, sumber_daftar, nama_pemda from marts.dim_opd "
            "where kode_pemda = '35.03' order by singkatan"
        ).fetchall()
        seed = conn.execute("select count(*) from marts.dim_opd where sumber_daftar = 'seed'").fetchone()[0]
        alias = conn.execute(
            "select kode_opd, jenis_alias from intermediate.int_opd_alias "
            "where kode_pemda = '35.03' and alias = '1.02.0.00.0.00.01.0002'"
        ).fetchone()
        pemda = conn.execute(
            "select kode_pemda, sumber_daftar_opd, jumlah_opd from marts.dim_pemda "
            "where kode_pemda in ('18.72', '35.03', '35.07') order by 1"
        ).fetchall()
        asn = conn.execute(
            "select p.nama_kabupaten_kota, o.kode_opd, f.periode from marts.fct_pegawai_bulanan as f "
            "join marts.dim_opd as o on o.opd_key = f.opd_key join marts.dim_pemda as p on p.kode_pemda = f.kode_pemda "
            "group by 1, 2, 3"
        ).fetchall()
        published = conn.execute(
            "select nama_kabupaten_kota, kode_opd, periode from marts.pub_asn_jumlah group by 1, 2, 3"
        ).fetchall()
        fct = conn.execute(
            "select kode_pemda, tahun, count(*), count(*) filter (where level = 0) from marts.fct_lra "
            "group by 1, 2 order by 1"
        ).fetchall()
    assert dim == [
        (s, "onboarded", "KABUPATEN TRENGGALEK") for s in ("BKPSDM", "BPKAD", "DINKES", "DISDIKBUD", "DISHUB")
    ]
    assert seed == 150
    assert pemda == [("18.72", "seed", 36), ("35.03", "onboarded", 5), ("35.07", "belum", 0)]
    assert alias == ("1.02.0.00.0.00.01.0000", "KODE_UNIT")
    assert ("KABUPATEN TRENGGALEK", "1.02.0.00.0.00.01.0000", "2024-06") in asn, asn
    # published: the DINKES of 2 ASN is folded into the pemda's LAINNYA rows (docs/disclosure.md)
    assert ("KABUPATEN TRENGGALEK", "LAINNYA", "2024-06") in published, published
    assert fct == [("35.03", 2023, 25, 3), ("35.07", 2023, 25, 3)]


def test_cli_pemda_add_validates_and_keeps_each_version(tmp_path, warehouse_url, monkeypatch, capsys):
    # Given a walidata's OPD list on disk and the warehouse URL in the environment
    monkeypatch.setenv("SATUDATA_WAREHOUSE_URL", warehouse_url)
    monkeypatch.setenv("SATUDATA_HOME", str(tmp_path / "home"))
    good, bad = tmp_path / "opd.csv", tmp_path / "opd_salah.csv"
    good.write_text(OPD_V1, encoding="utf-8")
    bad.write_text(OPD_V1 + "1.02.0.00.0.00.01.0000;DINKES;Dinas Kesehatan lagi\n", encoding="utf-8")
    unit = tmp_path / "unit.csv"
    unit.write_text(UNIT, encoding="utf-8")

    # When it is added, then added again unchanged, then a list with a repeated row is given
    assert main(["pemda", "add", "35.03", "--opd", str(good), "--unit", str(unit)]) == 0
    first = capsys.readouterr().out
    assert main(["pemda", "add", "35.03", "--opd", str(good)]) == 0
    again = capsys.readouterr().out
    assert main(["pemda", "add", "35.03", "--opd", str(bad)]) == 1
    refused = capsys.readouterr().out

    # Then the first adds version 1 and 2, the same file changes nothing, the bad one is refused with
    # its rows and columns named and leaves the current list as it was
    assert "35.03 opd: version 1 added, 4 rows" in first and "35.03 unit: version 2 added, 2 rows" in first
    assert "OPD list from warehouse (4 OPD), crosswalk 2 units" in first
    assert "35.03 opd: version 1 unchanged" in again
    assert "opd_salah.csv row 6 column kode_opd: 1.02.0.00.0.00.01.0000 repeats row 2" in refused
    assert "opd_salah.csv row 6 column singkatan: DINKES repeats row 2" in refused
    with connect(warehouse_url) as conn:
        assert conn.execute("select count(*) from reference.list_version").fetchone()[0] == 2
    assert main(["pemda", "show", "35.03"]) == 0
    assert "KABUPATEN TRENGGALEK: OPD list from warehouse (4 OPD)" in capsys.readouterr().out


def test_the_loader_writes_the_reference_lists_dbt_and_auditors_only_read_them(warehouse_url):
    # Given a migrated warehouse
    import psycopg

    from satudata.config import LOADER, with_role
    from satudata.warehouse import migrate

    migrate(warehouse_url)
    insert = (
        "insert into reference.list_version (kode_pemda, kind, sha256, file_name, row_count) "
        "values ('35.03', 'opd', 'x', 'opd.csv', 0)"
    )
    # Then the loader (landing onboards dropped files) may write them
    with psycopg.connect(with_role(warehouse_url, LOADER)) as conn:
        conn.execute(insert)
        conn.execute("update reference.list_version set valid_to = now()")
        conn.rollback()
    # and the transformer (dbt) and the auditors may read them, never write
    for role in (TRANSFORMER, "auditor"):
        with psycopg.connect(with_role(warehouse_url, role)) as conn:
            assert conn.execute("select count(*) from reference.opd").fetchone() == (0,)
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(insert)


def test_a_crosswalk_refused_for_want_of_the_opd_list_is_read_again_once_the_list_is_there(tmp_path, warehouse_url):
    # Given a unit crosswalk dropped before the OPD list of its pemda
    landing = tmp_path / "landing"
    write(landing / "35.03" / "_referensi" / "unit.csv", UNIT)
    settings = make_settings(tmp_path, warehouse_url, landing)
    first = run(settings, "unit-first")
    # Then it is refused, saying why
    assert first["35.03/_referensi/unit.csv"]["status"] == "rejected"
    assert "has no OPD list yet" in first["35.03/_referensi/unit.csv"]["reasons"][0]
    # When the OPD list is dropped and the pipeline runs again, the same crosswalk file is taken
    write(landing / "35.03" / "_referensi" / "opd.csv", OPD_V1)
    second = run(settings, "unit-again")
    assert [(f["status"], f["rows_loaded"]) for f in second.values()] == [("loaded", 4), ("loaded", 2)]
