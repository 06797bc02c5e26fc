"""Backfill: re-running a past period replaces that period's data only, and its publication is a new
version noting which periods changed. Stage functions (start, land, load; publish_dataset of a mart
over the raw table) against the real PostgreSQL fixture."""

from __future__ import annotations

import json

import psycopg
import pytest

from satudata import pipeline
from satudata.publish import release
from tests.conftest import make_settings

pytestmark = pytest.mark.integration

HEADER = (
    "nip;nama;jenis_kelamin;tanggal_lahir;status_kepegawaian;golongan;jenis_jabatan;eselon;nama_jabatan;"
    "pendidikan;periode\n"
)
PUB = {
    "meta": {
        "dataset_id": "uji_backfill",
        "judul": "Uji backfill",
        "primary_key": ["periode", "nama_jabatan"],
        "measure": "jumlah",
        "satuan": "ORANG",
    },
    "columns": {},
    "description": "uji",
}
TABLE = "marts.pub_uji_backfill"


def roster(periods: dict[str, str], people: int = 4) -> str:
    """One row per person per period; `periods`: periode -> the jabatan everybody holds in it."""
    return HEADER + "".join(
        f"19860926 201505 1 {i:03d};Pegawai {i};L;26/09/1986;PNS;III/a;PELAKSANA;;{jabatan};S1;{periode}\n"
        for periode, jabatan in periods.items()
        for i in range(1, people + 1)
    )


def run(settings, run_id: str, name: str, text: str) -> None:
    path = settings.landing / "18.72" / "DINKES" / "pegawai" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    run_id = pipeline.start(settings, run_id)
    for batch in pipeline.batches(pipeline.discover_files(settings)):
        pipeline.load_batch(settings, pipeline.land_batch(settings, run_id, batch))


def raw(url: str) -> dict[str, list[tuple]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select _period, _file_id, _row_number, nama_jabatan from raw.pegawai order by 1, 2, 3"
        ).fetchall()
    out: dict[str, list[tuple]] = {}
    for r in rows:
        out.setdefault(r[0], []).append(r[1:])
    return out


def publish(settings, run_id: str) -> dict:
    return release.publish_dataset(
        settings, settings.warehouse_url, TABLE, PUB, {"status": "passed"}, {"run_id": run_id}
    )


def test_a_backfilled_month_replaces_that_month_only_and_is_published_as_a_noted_new_version(warehouse_url, tmp_path):
    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    # Given January to March were loaded and published
    run(
        settings,
        "r1",
        "pegawai_2024_q1.csv",
        roster({"2024-01": "Pengadministrasi", "2024-02": "Pengadministrasi", "2024-03": "Pengadministrasi"}),
    )
    with psycopg.connect(warehouse_url) as conn:
        conn.execute("create schema if not exists marts")
        conn.execute(
            f"create view {TABLE} as select _period as periode, nama_jabatan, count(*)::int as jumlah "
            "from raw.pegawai group by 1, 2"
        )
    first = publish(settings, "r1")
    assert (first["status"], first["version"]) == ("published", "v1")
    before = raw(warehouse_url)

    # When a corrected February arrives later (a backfill of a past period) and the stages run again
    run(settings, "r2", "pegawai_2024-02_koreksi.csv", roster({"2024-02": "Analis Kepegawaian"}, people=5))
    after = raw(warehouse_url)

    # Then February is replaced, and January and March are the very same rows as before
    assert after["2024-01"] == before["2024-01"] and after["2024-03"] == before["2024-03"]
    assert len(after["2024-02"]) == 5 and {r[2] for r in after["2024-02"]} == {"Analis Kepegawaian"}
    assert {r[0] for r in after["2024-02"]}.isdisjoint({r[0] for r in before["2024-02"]})

    # and its publication is a new version that says February changed, and nothing else
    second = publish(settings, "r2")
    assert (second["status"], second["version"]) == ("published", "v2")
    folder = settings.published / "uji_backfill"
    md = json.loads((folder / "v2" / "metadata.json").read_text())
    assert md["perubahan"] == {
        "dari_versi": "v1",
        "periode_berubah": ["2024-02"],
        "periode_baru": [],
        "periode_dihapus": [],
    }
    history = json.loads((folder / "versions.json").read_text())
    assert history["versions"][-1]["changes"]["periode_berubah"] == ["2024-02"]
    assert history["events"][-1]["changed_periods"] == ["2024-02"]
    first_md = json.loads((folder / "v1" / "metadata.json").read_text())
    assert first_md["perubahan"]["periode_baru"] == ["2024-01", "2024-02", "2024-03"]  # the first version
    assert b"Pengadministrasi" in (folder / "v1" / "data.csv").read_bytes()  # v1 stays as it was

    # When the same backfill is run again, Then nothing changes and no version is made
    run(settings, "r3", "pegawai_2024-02_koreksi.csv", roster({"2024-02": "Analis Kepegawaian"}, people=5))
    assert raw(warehouse_url) == after
    assert publish(settings, "r3")["status"] == "unchanged"
    assert sorted(p.name for p in folder.iterdir() if p.is_dir()) == ["v1", "v2"]


def test_period_changes_name_months_semesters_and_years():
    def csv(header: str, *rows: str) -> bytes:
        return ("\r\n".join([header, *rows]) + "\r\n").encode()

    old = csv("tahun,bulan,x", "2024,1,a", "2024,2,b", "2024,3,c")
    new = csv("tahun,bulan,x", "2024,1,a", "2024,2,B", "2024,4,d")
    assert release.period_changes(old, new) == {
        "periode_berubah": ["2024-02"],
        "periode_baru": ["2024-04"],
        "periode_dihapus": ["2024-03"],
    }
    assert release.period_changes(csv("tahun,semester,x", "2024,1,a"), csv("tahun,semester,x", "2024,1,b"))[
        "periode_berubah"
    ] == ["2024-S1"]
    assert release.period_changes(None, csv("tahun,x", "2023,a", "2024,b"))["periode_baru"] == ["2023", "2024"]
