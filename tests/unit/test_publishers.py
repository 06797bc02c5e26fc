"""The publishers config (satudata/publish/publishers.yaml): typed, validated, errors name the field; and the
PPID's decision summary (largest changes of the main measure, the per-dataset tables)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from satudata.publish import publishers
from satudata.publish.run import largest_changes, summary_markdown

GOOD = """
version: 1
publishers:
  - kode_pemda: "18.72"
    nama: Pemerintah Kota Metro
    walidata: Diskominfo Kota Metro
    ppid: {nama: PPID Kota Metro, email: ppid@example.go.id}
    approvers: [ppid.metro]
    ckan_organisation: pemkot-metro
    zona_waktu: WIB
    lisensi: CC-BY-4.0
  - kode_pemda: "18"
    nama: Pemerintah Provinsi Lampung
    walidata: Diskominfotik Provinsi Lampung
    ppid: {nama: PPID Provinsi Lampung, email: ppid@lampung.example.go.id}
    approvers: [ppid.lampung, ppid.lampung2]
    ckan_organisation: pemprov-lampung
    zona_waktu: WIB
    lisensi: CC-BY-4.0
    konsolidasi: ["18.72"]
"""


def test_the_shipped_config_has_one_publisher_per_seed_city_with_its_zone():
    loaded = publishers.by_code(publishers.load())
    assert sorted(loaded) == ["18.72", "53.71", "62.71", "72.71"]
    assert loaded["53.71"].zona_waktu == "WITA" and str(loaded["53.71"].timezone) == "Asia/Makassar"
    assert loaded["18.72"].kabupaten_kota == ("1872",)
    assert loaded["18.72"].hitl_users == [{"id": "ppid.metro", "name": "ppid.metro"}]


def test_a_provinsi_publishes_the_consolidation_of_its_kab_kota():
    lampung = publishers.by_code(publishers.parse(GOOD))["18"]
    assert lampung.jenis == "provinsi" and lampung.kabupaten_kota == ("1872",)
    assert lampung.approvers == ("ppid.lampung", "ppid.lampung2")


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (
            "zona_waktu: WIB\n    lisensi: CC-BY-4.0\n  - kode_pemda",
            "zona_waktu: CET\n    lisensi: CC-BY-4.0\n  - kode_pemda",
            "zona_waktu",
        ),
        ("ppid@example.go.id", "bukan-email", "ppid.email"),
        ("approvers: [ppid.metro]", "approvers: []", "approvers"),
        ('kode_pemda: "18.72"\n    nama', 'kode_pemda: "99.99"\n    nama', "kode_pemda"),
        ('konsolidasi: ["18.72"]', 'konsolidasi: ["53.71"]', "konsolidasi"),
        ("ckan_organisation: pemkot-metro", "ckan_organisation: Pemkot Metro", "ckan_organisation"),
        ("version: 1", "version: 2", "version"),
    ],
)
def test_an_invalid_config_names_the_file_the_publisher_and_the_field(old, new, field):
    assert old in GOOD
    with pytest.raises(publishers.PublisherConfigError) as err:
        publishers.parse(GOOD.replace(old, new, 1), "penerbit.yaml")
    assert "penerbit.yaml" in str(err.value) and f"field '{field}'" in str(err.value)


def test_largest_changes_of_the_main_measure_read_as_a_ppid_would():
    meta = {"measure": "persentase_serapan", "satuan": "PERSEN", "primary_key": ["kode_opd", "bulan", "tahun"]}
    head = "kode_opd,nama_opd,bulan,tahun,persentase_serapan\r\n"
    old = (head + "1.02,DINKES,10,2024,41.2\r\n1.01,DISDIK,10,2024,30.0\r\n1.03,DPUPR,9,2024,12.5\r\n").encode()
    new = (head + "1.02,DINKES,10,2024,47.9\r\n1.01,DISDIK,10,2024,30.5\r\n1.03,DPUPR,9,2024,12.5\r\n").encode()
    assert largest_changes(old, new, meta) == [
        "Persentase serapan Oktober 2024 DINKES: 41,2% -> 47,9%",
        "Persentase serapan Oktober 2024 DISDIK: 30% -> 30,5%",
    ]
    assert largest_changes(None, new, meta) == []


def test_the_summary_has_a_table_per_dataset_with_status_reason_and_periods():
    metro = publishers.by_code(publishers.parse(GOOD))["18.72"]
    base = {
        "judul": "Judul",
        "versi_terbit": "v1",
        "baris": 1200,
        "periode": {"periode_baru": ["2024-10"], "periode_berubah": ["2024-09"], "periode_dihapus": []},
        "perubahan_terbesar": ["persentase_serapan Oktober 2024 DINKES: 41,2% -> 47,9%"],
        "peringatan": [],
        "tidak_lengkap": [],
        "data_pribadi": "lolos",
        "supresi": "-",
        "diblokir_karena": [],
    }
    items = [
        {**base, "dataset_id": "serapan_anggaran", "status": "ready"},
        {
            **base,
            "dataset_id": "asn_jumlah",
            "status": "blocked",
            "diblokir_karena": [{"rule_id": "KPG-001", "pesan": "NIP ganda"}],
        },
        {**base, "dataset_id": "capaian_spm", "status": "no_data"},
    ]
    prepared = datetime(2026, 12, 6, 12, 5, tzinfo=UTC)
    body = summary_markdown(metro, "run-1", items, "reports/runs/run-1", prepared)
    assert "Disiapkan 6 Desember 2026 pukul 19.05 WIB" in body  # the publisher's zone, Indonesian style
    assert "1 siap terbit, 1 diblokir, 0 tidak berubah, 1 tidak ada data" in body
    assert "#### serapan_anggaran: siap terbit" in body and "| Baris | 1.200 |" in body
    assert "| Periode baru | Oktober 2024 |" in body and "| Periode berubah | September 2024 |" in body
    assert "41,2% -> 47,9%" in body
    assert "#### asn_jumlah: diblokir" in body and "| Alasan diblokir | KPG-001: NIP ganda |" in body
    assert body.count("#### ") == 2 and "**Tidak ada data** (belum ada kiriman untuk pemda ini): capaian_spm." in body


def test_a_warning_reads_in_indonesian_without_internal_table_names():
    from satudata.publish.run import peringatan

    text = peringatan("BEL-007 on stg_opd__realisasi_belanja: SP2D kind unknown; counted as realisasi (6 failing)")
    assert text.startswith("BEL-007: Jenis SP2D tidak diketahui") and text.endswith("(6 baris)")
    assert "stg_" not in text


def test_the_gates_other_notes_and_periods_read_in_indonesian():
    from satudata.publish.run import peringatan
    from satudata.publish.tables import periode_label

    kept = peringatan("formasi_jabatan: rows kept with warnings (FOR-002 2)")
    assert "rows kept" not in kept and "baris diterima dengan catatan (FOR-002 2 baris)" in kept
    assert [periode_label(p) for p in ("2024-S1", "2024-T3", "2024-02", "2024")] == [
        "Semester 1 2024",
        "Triwulan 3 2024",
        "Februari 2024",
        "tahun 2024",
    ]
