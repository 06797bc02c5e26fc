"""What the publisher says about a dataset, in words a PPID and a reader understand: the gate's notes in
Indonesian without internal names, the publisher's time zone, the Satu Data fields, the unit of every
measure column, and the plausibility warnings before publication."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from satudata.config import REPO_ROOT
from satudata.datasets import DATASETS
from satudata.publish import plausibility, release

PUBLISH_YML = REPO_ROOT / "dbt_project" / "models" / "marts" / "publish" / "_publish__models.yml"
MODELS = yaml.safe_load(Path(PUBLISH_YML).read_text())["models"]
# columns that are dimensions or flags, not amounts: no unit
NOT_AMOUNTS = {"tahun", "bulan", "semester", "triwulan", "level", "sampai_bulan", "eselon"}


def test_gate_notes_are_indonesian_and_name_no_internal_model():
    # Given the notes the gate writes (satudata/publish/gate.py), in English with model names
    notes = [
        "BEL-005 on pub_serapan_anggaran: The cumulative realisasi of a budget line is greater than its pagu"
        " (4 failing)",
        "anggaran: 2 expected submission(s) not received (e.g. 18.72/DINKES 2024-01, 18.72/BPKAD 2024-01)",
        "realisasi_belanja: 1 submission(s) received late (e.g. 18.72/DINKES 2024-02)",
        "pegawai: 7 row(s) quarantined on landing (FMT-001 5, REF-001 2)",
        "survei_kepuasan: rows kept with warnings (RNG-004 3)",
        "something else about int_ikm_layanan_semester and stg_opd__pegawai",
    ]

    # When they are written for the public
    public = [release.public_note(n) for n in notes]

    # Then none names a model or a schema, and the known ones are in Indonesian with the dataset's title
    assert not any(release.INTERNAL_NAME.search(p) for p in public), public
    assert public[1].startswith("Anggaran (DPA) per sub kegiatan dan rekening (anggaran): 2 kiriman yang diharapkan")
    assert "diterima terlambat" in public[2] and "dikarantina" in public[3] and "dengan catatan" in public[4]
    assert (
        public[0] == "BEL-005: Realisasi kumulatif satu baris anggaran melebihi pagunya (4 baris/nilai tidak memenuhi)"
    )


def test_validation_metadata_is_amber_with_incomplete_submissions_or_plausibility_warnings():
    incomplete = {"status": "passed", "checks": 3, "failed_checks": 0, "status_color": "amber", "warnings": []}
    incomplete["incomplete"] = ["pegawai: 1 expected submission(s) not received (e.g. 18.72/DINKES 2024-01)"]
    md = release.validation_metadata(incomplete)
    assert (md["status_warna"], md["keterangan"]) == ("kuning", "Lolos validasi, dengan catatan; kiriman belum lengkap")
    assert md["kiriman_belum_lengkap"][0].startswith("Daftar pegawai bulanan (pegawai): 1 kiriman")
    plausible = {"status": "passed", "status_color": "green", "pemeriksaan_kewajaran": {"peringatan": ["x"]}}
    assert release.validation_metadata(plausible)["status_warna"] == "kuning"
    assert release.validation_metadata({"status": "passed", "status_color": "green"})["status_warna"] == "hijau"


@pytest.mark.parametrize(
    "zone, expected",
    [
        ("Asia/Jakarta", "2024-03-01T07:30:00+07:00"),
        ("Asia/Makassar", "2024-03-01T08:30:00+08:00"),
        ("Asia/Jayapura", "2024-03-01T09:30:00+09:00"),
    ],
)
def test_times_are_in_the_publishers_zone_with_the_offset(zone, expected):
    assert release.local_time("2024-03-01T00:30:00+00:00", zone) == expected


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m["name"])
def test_every_numeric_published_column_states_its_unit(model):
    # Given a published model's declared columns and meta
    meta = model["config"]["meta"]
    text_like = ("kode_", "nama_", "status_", "jenis_", "alasan_", "versi_", "program_", "tanggal_", "memenuhi_")
    for column in model["columns"]:
        name = column["name"]
        if name.startswith(text_like) or name in NOT_AMOUNTS or name in meta["primary_key"]:
            continue
        if name in ("satuan", "disupresi", "mutu", "kinerja", "sampel_memenuhi", "periode", "predikat", "bidang"):
            continue
        # Then the Table Schema will state its unit (one unit per column)
        assert release._unit(name, meta), f"{model['name']}.{name} has no unit"


def test_satu_data_fields_are_declared_once_and_read_from_their_declarations():
    pub = {
        "meta": {
            "measure": "persentase_serapan",
            "satuan": "PERSEN",
            "konsep": "Serapan anggaran adalah ...",
            "topik": "Keuangan Daerah",
            "tag": ["apbd"],
            "tingkat_penyajian": "Kabupaten/kota menurut perangkat daerah, bulanan",
            "primary_key": ["kode_kabupaten_kota", "kode_opd", "kode_jenis_belanja", "bulan", "tahun"],
            "source_datasets": ["anggaran", "realisasi_belanja"],
        },
        "columns": {"persentase_serapan": "MEASURE. Realisasi kumulatif / pagu x 100.", "kode_opd": "Kode OPD."},
    }
    columns = [(c, "text") for c in ("kode_kabupaten_kota", "kode_opd", "kode_jenis_belanja", "bulan", "tahun")]
    fields = release.satu_data_fields(pub, columns + [("persentase_serapan", "numeric")])
    assert fields["definisi"] == "Realisasi kumulatif / pagu x 100."
    assert [k["kolom"] for k in fields["klasifikasi"]] == ["kode_opd", "kode_jenis_belanja"]
    assert (fields["ukuran"], fields["kolom_ukuran"], fields["satuan"]) == (
        "Persentase serapan",
        "persentase_serapan",
        "PERSEN",
    )
    assert fields["sistem_sumber"] == sorted(
        {DATASETS["anggaran"].sistem_sumber, DATASETS["realisasi_belanja"].sistem_sumber}
    )
    assert fields["cara_pengumpulan"] == DATASETS["anggaran"].cara_pengumpulan


def test_plausibility_warnings_name_revenue_far_above_target_and_ikm_jumps():
    # Given revenue at 412 % of its target, and an IKM that jumps 20 points in one semester
    pendapatan = (
        ["nama_opd", "nama_jenis_pendapatan", "bulan", "tahun", "persentase_realisasi"],
        [["BAPENDA", "Pajak Hotel", 10, 2024, 412.5], ["BAPENDA", "Pajak Restoran", 10, 2024, 98.0]],
    )
    ikm = (
        ["kode_opd", "nama_opd", "kode_layanan", "nama_layanan", "semester", "tahun", "ikm"],
        [
            ["1", "DINKES", "L1", "Izin praktik", 1, 2024, 70.0],
            ["1", "DINKES", "L1", "Izin praktik", 2, 2024, 90.0],
            ["1", "DINKES", "L2", "Rujukan", 1, 2024, 80.0],
            ["1", "DINKES", "L2", "Rujukan", 2, 2024, 82.0],
        ],
    )

    # When checked before publication
    revenue = plausibility.check("pendapatan_target_realisasi", *pendapatan)
    jumps = plausibility.check("ikm_layanan", *ikm)

    # Then each names what, where and how much, and nothing is said of the plausible rows
    assert len(revenue) == 1 and "BAPENDA, Pajak Hotel, Okt 2024: 412,5%" in revenue[0] and "Restoran" not in revenue[0]
    assert len(jumps) == 1 and "Izin praktik: 70,0 -> 90,0 (naik 20,0 poin" in jumps[0] and "Rujukan" not in jumps[0]
    assert plausibility.check("ikm_layanan", ikm[0], ikm[1][2:]) == []
