"""Row rules (run on landing, one row at a time): each fires on the row the standard says is wrong,
and stays silent on its valid neighbour. Given / When / Then: given a valid row of the dataset with
one change, when the file's RowChecker checks it, then exactly the expected rule fires (or none)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from satudata.rules import catalogue
from satudata.rules.row_checks import ROW_CHECKS, RowChecker

TODAY = date(2026, 11, 22)
OPD_CODES = {"1.02.0.00.0.00.01.0000", "DINKES"}

# a valid row of every dataset
VALID = {
    "pegawai": {
        "nip": "198609262015051001",
        "nama": "Budi",
        "jenis_kelamin": "L",
        "tanggal_lahir": date(1986, 9, 26),
        "status_kepegawaian": "PNS",
        "golongan": "III/a",
        "jenis_jabatan": "FUNGSIONAL",
        "eselon": None,
        "nama_jabatan": "Dokter Ahli Pertama",
        "pendidikan": "S1",
        "kode_opd": "DINKES",
        "periode": "2024-01",
    },
    "formasi_jabatan": {
        "periode": "2024-01",
        "kode_opd": "DINKES",
        "nama_jabatan": "Kepala Dinas",
        "jenis_jabatan": "STRUKTURAL",
        "eselon": "II.b",
        "kebutuhan": 3,
        "terisi": 1,
        "usulan_pengisian": 2,
    },
    "pembayaran_penghasilan": {
        "periode": "2024-01",
        "kode_opd": "DINKES",
        "jenis_penghasilan": "GAJI",
        "jumlah_penerima": 120,
        "nilai_bruto": Decimal("540000000"),
        "tanggal_jatuh_tempo": date(2024, 1, 1),
        "tanggal_bayar": date(2024, 1, 2),
    },
    "kinerja_pegawai": {"tahun": 2024, "nip": "198609262015051001", "kode_opd": "DINKES", "predikat": "Baik"},
    "anggaran": {
        "tahun": 2024,
        "versi": "MURNI",
        "kode_opd": "DINKES",
        "kode_sub_kegiatan": "1.02.02.2.01.0001",
        "nama_sub_kegiatan": "x",
        "kode_rekening": "5.1.02.01.01.0024",
        "uraian_rekening": "x",
        "pagu": Decimal("1000000"),
        "sumber_dana": "DAU",
        "tagging": "STUNTING, INFLASI",
    },
    "realisasi_belanja": {
        "tahun": 2024,
        "nomor_sp2d": "0001/SP2D/2024",
        "tanggal_sp2d": date(2024, 3, 1),
        "kode_opd": "DINKES",
        "kode_sub_kegiatan": "1.02.02.2.01.0001",
        "kode_rekening": "5.1.02.01.01.0024",
        "nilai": Decimal("1000000"),
    },
    "anggaran_kas": {
        "tahun": 2024,
        "versi": "MURNI",
        "kode_opd": "DINKES",
        "kode_sub_kegiatan": "1.02.02.2.01.0001",
        "kode_rekening": "5.1.02.01.01.0024",
        "bulan": 3,
        "rencana": Decimal("250000"),
    },
    "pendapatan": {
        "tahun": 2024,
        "bulan": 3,
        "kode_opd": "DINKES",
        "kode_rekening": "4.1.02",
        "target": Decimal("10"),
        "realisasi": Decimal("5"),
    },
    "lra": {
        "tahun": 2023,
        "akun": "Belanja Daerah",
        "anggaran": Decimal("1150750000000"),
        "realisasi": Decimal("970400000000"),
        "persentase": Decimal("84.33"),
    },
    "jenis_layanan": {
        "kode_opd": "DINKES",
        "kode_layanan": "L01",
        "nama_layanan": "x",
        "waktu_penyelesaian_hari": 3,
        "biaya": Decimal("0"),
        "dasar_hukum": None,
    },
    "permohonan_layanan": {
        "nomor_permohonan": "P-1",
        "kode_opd": "DINKES",
        "kode_layanan": "L01",
        "tanggal_masuk": date(2024, 3, 1),
        "tanggal_selesai": date(2024, 3, 4),
        "status": "SELESAI",
        "kanal": "ONLINE",
    },
    "survei_kepuasan": {
        "tanggal": date(2024, 3, 1),
        "kode_opd": "DINKES",
        "kode_layanan": "L01",
        **{f"u{i}": 3 for i in range(1, 10)},
        "jenis_kelamin": "P",
        "pendidikan": "SMA",
        "usia": 30,
    },
    "capaian_spm": {"tahun": 2024, "bidang": "KESEHATAN", "kode_indikator": "KES-01", "sasaran": 100, "terlayani": 90},
    "pengaduan": {
        "nomor_tiket": "T-1",
        "tanggal": date(2024, 3, 1),
        "kode_opd": "DINKES",
        "kategori": "x",
        "status": "SELESAI",
        "tanggal_tindak_lanjut": date(2024, 3, 2),
    },
}


def rules_fired(dataset: str, *rows: dict, folder: str = "DINKES") -> list[list[str]]:
    checker = RowChecker(dataset, folder, OPD_CODES, today=TODAY)
    return [sorted(f.rule_id for f in checker.check(dict(row))) for row in rows]


def with_(dataset: str, **changes) -> dict:
    return {**VALID[dataset], **changes}


def test_every_valid_row_passes_every_rule():
    for dataset in VALID:
        assert rules_fired(dataset, VALID[dataset]) == [[]], dataset


# (rule, dataset, the change that breaks it, a change that keeps it valid)
CASES = [
    ("REF-001", "pegawai", {"kode_opd": "BPKAD"}, {"kode_opd": "1.02.0.00.0.00.01.0000"}),
    (
        "FMT-003",
        "pegawai",
        {"status_kepegawaian": "PENSIUNAN"},
        {"status_kepegawaian": "pppk paruh waktu", "golongan": "IX"},
    ),
    ("FMT-003", "pembayaran_penghasilan", {"jenis_penghasilan": "BONUS"}, {"jenis_penghasilan": "Gaji ke-13"}),
    ("FMT-003", "kinerja_pegawai", {"predikat": "Cukup"}, {"predikat": "Sangat Baik"}),
    ("FMT-003", "anggaran", {"versi": "PERGESERAN"}, {"versi": "perubahan"}),
    ("FMT-003", "anggaran", {"versi": "APBD-X"}, {"versi": "Pergeseran ke-2"}),
    ("FMT-003", "anggaran", {"versi": "Pergeseran 10"}, {"versi": "DPPA"}),
    ("FMT-003", "realisasi_belanja", {"jenis_sp2d": "SPM"}, {"jenis_sp2d": "Pengembalian Belanja"}),
    ("FMT-003", "realisasi_belanja", {"jenis_sp2d": "GAJI"}, {"jenis_sp2d": "gu nihil"}),
    ("FMT-003", "permohonan_layanan", {"status": "BATAL"}, {"status": "DITOLAK", "tanggal_selesai": None}),
    ("FMT-003", "capaian_spm", {"bidang": "EKONOMI"}, {"bidang": "Pekerjaan Umum", "kode_indikator": "PU-01"}),
    ("FMT-004", "pegawai", {"pendidikan": "Kuliah"}, {"pendidikan": "D-III"}),
    ("FMT-004", "pegawai", {"jenis_kelamin": "X"}, {"jenis_kelamin": "Laki-laki"}),
    ("FMT-004", "pegawai", {"jenis_non_asn": "Outsourcing"}, {"jenis_non_asn": "Tenaga Harian Lepas"}),
    ("FMT-004", "formasi_jabatan", {"eselon": "VI.c"}, {"eselon": "II B"}),
    ("FMT-004", "anggaran", {"tagging": "STUNTING; BANJIR"}, {"tagging": "kemiskinan ekstrem|inflasi"}),
    ("FMT-004", "permohonan_layanan", {"kanal": "WHATSAPP"}, {"kanal": "mpp"}),
    ("FMT-004", "survei_kepuasan", {"pendidikan": "Kuliah"}, {"pendidikan": "S2"}),
    (
        "PEG-001",
        "pegawai",
        {"nip": "19860926201505100"},
        {"nip": None, "status_kepegawaian": "NON_ASN", "golongan": None},
    ),
    ("PEG-001", "kinerja_pegawai", {"nip": "1986092620150510011"}, {"nip": "199001012019032001"}),
    (
        "PEG-002",
        "pegawai",
        {"nip": "198613262015051001"},
        {"nip": "199002282015051001", "tanggal_lahir": date(1990, 2, 28)},
    ),
    ("PEG-002", "kinerja_pegawai", {"nip": "198602302015051001"}, {"nip": "198602282015051001"}),
    ("PEG-003", "pegawai", {"nip": "198609262015131001"}, {"nip": "198609262015121001"}),
    ("PEG-003", "pegawai", {"nip": "198609262099011001"}, {"nip": "198609262019011001"}),
    ("PEG-003", "pegawai", {"nip": "198609261995011001"}, {"nip": "198609262005011001"}),
    ("PEG-004", "pegawai", {"nip": "198609262015053001"}, {"nip": "198609262015052001", "jenis_kelamin": "P"}),
    (
        "PEG-006",
        "pegawai",
        {"status_kepegawaian": "PPPK", "golongan": "IX", "nip": "198609262099151001"},
        {"status_kepegawaian": "PPPK", "golongan": "IX", "nip": "198609262021151001"},
    ),
    (
        "PEG-006",
        "pegawai",
        {"status_kepegawaian": "PPPK", "golongan": "IX", "nip": "198609262021001001"},
        {"status_kepegawaian": "PPPK_PARUH_WAKTU", "golongan": "IX", "nip": "198609262024211001"},
    ),
    ("PEG-007", "pegawai", {"tanggal_lahir": date(1986, 9, 27)}, {"tanggal_lahir": date(1986, 9, 26)}),
    ("PEG-008", "pegawai", {"jenis_kelamin": "P"}, {"jenis_kelamin": "Pria"}),
    (
        "PEG-008",
        "pegawai",
        {"status_kepegawaian": "PPPK", "golongan": "IX", "nip": "198609262021012001"},
        {"status_kepegawaian": "PPPK", "golongan": "IX", "nip": "198609262021011001"},
    ),
    ("PEG-009", "pegawai", {"golongan": "IV/f"}, {"golongan": "iv e"}),
    (
        "PEG-009",
        "pegawai",
        {"status_kepegawaian": "PPPK", "nip": "198609262021011001", "golongan": "III/a"},
        {"status_kepegawaian": "PPPK", "nip": "198609262021011001", "golongan": "XVII"},
    ),
    ("PEG-009", "pegawai", {"golongan": None}, {"golongan": "I/d"}),
    (
        "PEG-009",
        "pegawai",
        {"status_kepegawaian": "NON_ASN", "nip": None, "golongan": "II/a"},
        {"status_kepegawaian": "NON_ASN", "nip": None, "golongan": "-"},
    ),
    (
        "PEG-010",
        "pegawai",
        {"eselon": "IV.a", "jenis_jabatan": "PELAKSANA"},
        {"eselon": "IV.a", "jenis_jabatan": "Struktural"},
    ),
    ("FOR-001", "formasi_jabatan", {"terisi": 4, "usulan_pengisian": 0}, {"terisi": 3, "usulan_pengisian": 0}),
    ("FOR-002", "formasi_jabatan", {"usulan_pengisian": 3}, {"usulan_pengisian": 2}),
    ("PAY-001", "pembayaran_penghasilan", {"nilai_bruto": Decimal("-1")}, {"nilai_bruto": Decimal("1")}),
    (
        "PAY-002",
        "pembayaran_penghasilan",
        {"nilai_bruto": Decimal("0")},
        {"nilai_bruto": Decimal("0"), "jumlah_penerima": 0},
    ),
    ("PAY-004", "pembayaran_penghasilan", {"tanggal_bayar": date(2026, 12, 1)}, {"tanggal_bayar": None}),
    ("REK-001", "anggaran", {"kode_rekening": "5.1.02.1"}, {"kode_rekening": "5.1.02"}),
    ("REK-001", "realisasi_belanja", {"kode_rekening": "5.1.02.01.01.24"}, {"kode_rekening": "5.1.02.01.01.0026"}),
    ("REK-002", "anggaran", {"kode_rekening": "5.2.2.01.01"}, {"kode_rekening": "5.2.02.01.01.0001"}),
    ("REK-002", "realisasi_belanja", {"kode_rekening": "5.1.1.01.01"}, {"kode_rekening": "5.1.01.01.01.0001"}),
    ("REK-002", "pendapatan", {"kode_rekening": "4.1.1.01"}, {"kode_rekening": "4.1.01"}),
    ("REK-003", "anggaran", {"kode_rekening": "5.1.09.01.01.0001"}, {"kode_rekening": "5.1.06"}),
    ("REK-003", "pendapatan", {"kode_rekening": "4.7"}, {"kode_rekening": "4.3"}),
    ("REK-004", "anggaran", {"kode_rekening": "5.1.02.01.01.9998"}, {"kode_rekening": "5.1.02.99.99.9999"}),
    ("ANG-001", "anggaran", {"kode_sub_kegiatan": "1.02.02.1.01.0001"}, {"kode_sub_kegiatan": "X.XX.01.2.01.0001"}),
    ("ANG-001", "realisasi_belanja", {"kode_sub_kegiatan": "1.2.2.2.1.1"}, {"kode_sub_kegiatan": "2.09.04.2.02.0005"}),
    ("ANG-002", "anggaran", {"pagu": Decimal("-5")}, {"pagu": Decimal("0")}),
    ("BEL-001", "realisasi_belanja", {"nilai": Decimal("0")}, {"nilai": Decimal("0.01")}),
    ("BEL-002", "realisasi_belanja", {"kode_rekening": "5.1.02.01.01"}, {"kode_rekening": "5.2.02.01.01.0001"}),
    ("BEL-002", "realisasi_belanja", {"kode_rekening": "4.1.01.01.01.0001"}, {"kode_rekening": "5.1.01.01.01.0001"}),
    ("BEL-004", "realisasi_belanja", {"tanggal_sp2d": date(2025, 1, 13)}, {"tanggal_sp2d": date(2024, 12, 31)}),
    ("PEN-001", "pendapatan", {"kode_rekening": "5.1.02"}, {"kode_rekening": "4.2.01"}),
    ("PEN-002", "pendapatan", {"bulan": 13}, {"bulan": 12}),
    ("PEN-002", "anggaran_kas", {"bulan": 0}, {"bulan": 1}),
    ("KAS-001", "anggaran_kas", {"rencana": Decimal("-1")}, {"rencana": Decimal("0")}),
    ("KAS-002", "anggaran_kas", {"kode_rekening": "5.1.02.01.01"}, {"kode_rekening": "5.2.02.05.01.0001"}),
    ("KAS-002", "anggaran_kas", {"kode_rekening": "4.1.01"}, {"kode_rekening": "5.1.02.01.01.0026"}),
    ("FMT-003", "anggaran_kas", {"versi": "RKA"}, {"versi": "Pergeseran 1"}),
    ("ANG-001", "anggaran_kas", {"kode_sub_kegiatan": "1.02.02.01.0001"}, {"kode_sub_kegiatan": "X.XX.01.2.01.0001"}),
    ("LRA-002", "lra", {"persentase": Decimal("85.33")}, {"persentase": None}),
    ("LAY-001", "permohonan_layanan", {"tanggal_selesai": date(2024, 2, 28)}, {"tanggal_selesai": date(2024, 3, 1)}),
    ("LAY-002", "permohonan_layanan", {"tanggal_selesai": None}, {"tanggal_selesai": None, "status": "DIPROSES"}),
    ("LAY-004", "jenis_layanan", {"waktu_penyelesaian_hari": 0}, {"waktu_penyelesaian_hari": 1}),
    ("LAY-004", "jenis_layanan", {"biaya": Decimal("-1")}, {"biaya": None}),
    ("SKM-001", "survei_kepuasan", {"u5": 5}, {"u5": 4}),
    ("SKM-001", "survei_kepuasan", {"u1": 0}, {"u1": 1}),
    ("SKM-002", "survei_kepuasan", {"usia": 7}, {"usia": 15}),
    ("SPM-001", "capaian_spm", {"sasaran": -1, "terlayani": 0}, {"sasaran": 0, "terlayani": 0}),
    ("SPM-002", "capaian_spm", {"terlayani": 101}, {"terlayani": 100}),
    ("SPM-003", "capaian_spm", {"kode_indikator": "KES-99"}, {"kode_indikator": "kes-12"}),
    ("ADU-001", "pengaduan", {"tanggal_tindak_lanjut": date(2024, 2, 29)}, {"tanggal_tindak_lanjut": date(2024, 3, 1)}),
]


@pytest.mark.rules(
    "REF-001",
    "FMT-003",
    "FMT-004",
    "PEG-001",
    "PEG-002",
    "PEG-003",
    "PEG-004",
    "PEG-006",
    "PEG-007",
    "PEG-008",
    "PEG-009",
    "PEG-010",
    "FOR-001",
    "FOR-002",
    "PAY-001",
    "PAY-002",
    "PAY-004",
    "REK-001",
    "REK-002",
    "REK-003",
    "REK-004",
    "ANG-001",
    "ANG-002",
    "BEL-001",
    "BEL-002",
    "BEL-004",
    "KAS-001",
    "KAS-002",
    "PEN-001",
    "PEN-002",
    "LRA-002",
    "LAY-001",
    "LAY-002",
    "LAY-004",
    "SKM-001",
    "SKM-002",
    "SPM-001",
    "SPM-002",
    "SPM-003",
    "ADU-001",
)
@pytest.mark.parametrize("rule_id, dataset, bad, good", CASES, ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_row_rule_fires_on_the_broken_row_only(rule_id, dataset, bad, good):
    # Given a valid row broken one way, and the same row kept valid another way
    # When a file's checker checks each
    [fired_bad] = rules_fired(dataset, with_(dataset, **bad))
    [fired_good] = rules_fired(dataset, with_(dataset, **good))

    # Then the rule fires on the broken row (alone: rules do not pile up on one cause), not on the good one
    assert fired_bad == [rule_id]
    assert fired_good == []


@pytest.mark.rules("PEG-003", "PEG-006")
def test_the_tmt_month_rule_is_not_applied_to_pppk():
    # Given NIPs whose digits 13-14 are 15 and 21: a month for a PNS, a contract count for a PPPK
    pns = with_("pegawai", nip="198609262021151001")
    pppk = with_("pegawai", nip="198609262021151001", status_kepegawaian="PPPK", golongan="IX")
    pppk21 = with_("pegawai", nip="198609262021211001", status_kepegawaian="PPPK", golongan="IX")

    # When they are checked
    fired = [rules_fired("pegawai", row)[0] for row in (pns, pppk, pppk21)]

    # Then month 15 quarantines the PNS (PEG-003) but the PPPK rows pass (PEG-006 checks year and count only)
    assert fired == [["PEG-003"], [], []]
    assert all("PEG-006" not in f for f in fired)


@pytest.mark.rules("PEG-005", "PAY-003", "SKP-001", "LAY-003")
def test_one_row_per_key_within_a_file():
    # Given files where a key appears twice
    # When each file's rows are checked in order
    # Then the second occurrence is quarantined, a new key is not
    pegawai = rules_fired("pegawai", VALID["pegawai"], VALID["pegawai"], with_("pegawai", periode="2024-02"))
    assert pegawai == [[], ["PEG-005"], []]
    pay = VALID["pembayaran_penghasilan"]
    assert rules_fired("pembayaran_penghasilan", pay, pay, {**pay, "jenis_penghasilan": "TPP"}) == [[], ["PAY-003"], []]
    skp = VALID["kinerja_pegawai"]
    assert rules_fired("kinerja_pegawai", skp, skp, {**skp, "tahun": 2023}) == [[], ["SKP-001"], []]
    req = VALID["permohonan_layanan"]
    assert rules_fired("permohonan_layanan", req, req, {**req, "nomor_permohonan": "P-2"}) == [[], ["LAY-003"], []]


@pytest.mark.rules("REK-002", "REK-003", "REK-004")
def test_account_codes_say_why_they_are_rejected():
    # Given an old Permendagri 13/2006 code, an unknown jenis and a detailed code the chart lacks
    checker = RowChecker("anggaran", "DINKES", OPD_CODES, today=TODAY)
    (old,) = checker.check(with_("anggaran", kode_rekening="5.2.2.01.01"))
    (unknown,) = checker.check(with_("anggaran", kode_rekening="5.1.09.01.01.0001"))
    (new,) = checker.check(with_("anggaran", kode_rekening="5.1.02.01.01.9998"))

    # Then the old code is rejected naming the 13/2006 structure, the unknown jenis names the missing parent,
    # and the detailed code is only a warning (the chart is incomplete)
    assert (old.rule_id, old.severity) == ("REK-002", "fatal")
    assert "13/2006" in old.message and "Belanja Tidak Langsung" in old.message and "90/2019" in old.message
    assert (unknown.rule_id, unknown.expected) == ("REK-003", "5.1.09")
    assert (new.rule_id, new.severity) == ("REK-004", "warning")


@pytest.mark.rules("FMT-001", "FMT-002")
def test_unreadable_and_missing_values_are_found_while_parsing():
    # Given a pegawai row whose date cannot be read and whose required name is empty (the loader parses first)
    from satudata.datasets import DATASETS
    from satudata.extract.parse import convert_row

    raw = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in VALID["pegawai"].items()}
    raw.update(tanggal_lahir="31/02/1986", nama="")

    # When it is converted to typed values
    _, found = convert_row(DATASETS["pegawai"], raw, {})

    # Then FMT-001 names the unreadable date and FMT-002 the empty required column
    assert {(f.rule_id, f.column) for f in found} == {("FMT-001", "tanggal_lahir"), ("FMT-002", "nama")}


def test_every_row_rule_of_the_catalogue_is_registered_once():
    row_rules = {r.id for r in catalogue().values() if r.kind == "row" and "function" not in r.implementation}
    assert row_rules == set(ROW_CHECKS)


def _rows(n: int) -> list[dict]:
    base = VALID["pegawai"]
    return [{**base, "nip": f"198609262015051{i % 1000:03d}", "periode": f"{2000 + i // 1000}-01"} for i in range(n)]


def test_row_checks_accept_a_large_file_of_valid_rows():
    # Given 20,000 valid pegawai rows (the dataset with the most row rules); speed is measured in `make bench`
    rows = _rows(20_000)

    # When a file's checker checks them
    checker = RowChecker("pegawai", "DINKES", OPD_CODES, today=TODAY)
    findings = [f for row in rows for f in checker.check(row) if f.severity == "fatal"]

    # Then none is rejected: distinct (nip, periode) pairs are not duplicates
    assert findings == []


@pytest.mark.rules("FMT-003", "FMT-004", "PEG-001", "PEG-008", "PEG-009")
def test_real_spellings_and_non_asn_kinds_pass_the_row_rules():
    # Given rows as SIASN and SIMPEG write them: P/C, P3K, M/F, BKN education, Jabatan Fungsional Tertentu,
    # "Penata Muda (III/a)", and non-ASN by their kind without NIP or golongan
    rows = [
        with_(
            "pegawai",
            status_kepegawaian="P",
            jenis_kelamin="M",
            pendidikan="S-1/Sarjana",
            jenis_jabatan="Jabatan Fungsional Tertentu",
            golongan="Penata Muda (III/a)",
        ),
        with_(
            "pegawai",
            nip="199206302022212003",
            jenis_kelamin="F",
            tanggal_lahir=date(1992, 6, 30),
            status_kepegawaian="P3K",
            golongan="IX",
            pendidikan="Diploma III/Sarjana Muda",
        ),
        with_(
            "pegawai",
            nip=None,
            status_kepegawaian="THL",
            golongan=None,
            jenis_jabatan="Jabatan Pelaksana",
            pendidikan="SLTA Kejuruan",
        ),
        with_("pegawai", nip=None, status_kepegawaian="Tenaga Kontrak", jenis_non_asn="Tenaga Kontrak", golongan="-"),
        with_("pegawai", nip=None, status_kepegawaian="NON_ASN", jenis_non_asn="honorer", golongan=None),
    ]
    # When they are checked, Then none is quarantined or warned: existing is not an error
    fired = rules_fired("pegawai", *rows)
    assert fired == [[], [], [], [], []]
    # (the codes, the NIP of a non-ASN without one, the PPPK golongan IX all pass)
    assert not {"FMT-003", "PEG-001", "PEG-009"} & {rule for found in fired for rule in found}
    # while a kind that is no kind, and M on a woman's NIP, are still found
    assert rules_fired(
        "pegawai",
        with_("pegawai", nip=None, status_kepegawaian="NON_ASN", golongan=None, jenis_non_asn="Relawan"),
        with_("pegawai", jenis_kelamin="F"),
    ) == [["FMT-004"], ["PEG-008"]]
