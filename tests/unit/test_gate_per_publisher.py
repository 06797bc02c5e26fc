"""The gate per publisher (issue 15: a PPID may not decide for another pemda): each publisher's decisions
carry only the incomplete-submission, quarantine and warning notes of its own pemda (a provinsi: of the
kab/kota it consolidates), against a real warehouse (audit.expected_submission, audit.source_file,
audit.row_finding); a fatal check whose failing rows are all another pemda's does not block it, one that
cannot be attributed blocks every publisher and says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from satudata.publish import publishers, run
from satudata.publish.gate import AMBER, GREEN, RED, UNATTRIBUTED, attributed, decide, source_notes
from satudata.validate.gx_runner import RuleOutcome
from satudata.warehouse import connect, migrate

METRO, KUPANG, LAMPUNG = "18.72", "53.71", "18"

PUBLISHERS = (Path(__file__).parents[1] / "fixtures" / "publishers_metro_kupang_lampung.yaml").read_text(
    encoding="utf-8"
)

PUBS = {
    "marts.pub_serapan_anggaran": {
        "meta": {"dataset_id": "serapan_anggaran", "source_datasets": ["anggaran", "realisasi_belanja"]},
        "unique_id": "model.satudata.pub_serapan_anggaran",
    },
    "marts.pub_asn_jumlah": {
        "meta": {"dataset_id": "asn_jumlah", "source_datasets": ["pegawai"]},
        "unique_id": "model.satudata.pub_asn_jumlah",
    },
}


@pytest.fixture
def listed() -> dict[str, publishers.Publisher]:
    return publishers.by_code(publishers.parse(PUBLISHERS))


@pytest.fixture
def notes_db(warehouse_url):
    """Kota Metro: DINKES's anggaran for January 2024 missing, 2 pegawai rows kept with a warning.
    Kota Kupang: BPKAD's realisasi for February 2024 late, 3 realisasi rows quarantined (BEL-004)."""
    migrate(warehouse_url)
    with connect(warehouse_url) as conn:
        conn.execute(
            "insert into audit.expected_submission (kode_pemda, opd, dataset, periode, status) values "
            "('18.72', 'DINKES', 'anggaran', '2024-01', 'missing'), "
            "('53.71', 'BPKAD', 'realisasi_belanja', '2024-02', 'late')"
        )
        for kode, opd, dataset, rule, severity, rows in [
            (KUPANG, "BPKAD", "realisasi_belanja", "BEL-004", "fatal", 3),
            (METRO, "BKPSDM", "pegawai", "PEG-005", "warning", 2),
        ]:
            file_id = conn.execute(
                "insert into audit.source_file (path, sha256, size_bytes, kode_pemda, opd, dataset, status) "
                "values (%s, %s, 1, %s, %s, %s, 'loaded_with_warnings') returning file_id",
                (f"{kode}/{opd}/{dataset}.csv", f"sha-{kode}-{dataset}", kode, opd, dataset),
            ).fetchone()[0]
            for row in range(rows):
                conn.execute(
                    "insert into audit.row_finding (file_id, row_number, rule_id, severity, message) "
                    "values (%s, %s, %s, %s, 'x')",
                    (file_id, row + 2, rule, severity),
                )
    return warehouse_url


def test_a_publisher_sees_only_its_own_pemdas_notes(notes_db, listed):
    kupang = source_notes(notes_db, listed[KUPANG].pemdas)
    metro = source_notes(notes_db, listed[METRO].pemdas)

    # Kupang: its late BPKAD submission and its quarantined rows; nothing of Metro's DINKES or BKPSDM
    assert set(kupang) == {"realisasi_belanja"}
    text = " ".join(kupang["realisasi_belanja"].incomplete)
    assert "diterima terlambat" in text and "Februari 2024" in text and "3 baris dikarantina" in text
    assert "Kota Metro" not in text and "Kupang" in text
    # Metro: its missing DINKES anggaran and its pegawai warnings; nothing of Kupang's
    assert set(metro) == {"anggaran", "pegawai"}
    assert "belum diterima" in metro["anggaran"].incomplete[0] and "Januari 2024" in metro["anggaran"].incomplete[0]
    assert "PEG-005 2 baris" in metro["pegawai"].warnings[0]
    assert "Kupang" not in " ".join(n for s in metro.values() for n in s.incomplete + s.warnings)
    # run-wide (the auditors' view) still sees both
    assert set(source_notes(notes_db)) == {"anggaran", "pegawai", "realisasi_belanja"}


def test_a_provinsi_sees_the_notes_of_the_kab_kota_it_consolidates(notes_db, listed):
    assert listed[LAMPUNG].pemdas == {METRO}
    assert source_notes(notes_db, listed[LAMPUNG].pemdas).keys() == {"anggaran", "pegawai"}


def test_each_publishers_light_and_notes_follow_its_own_pemda(notes_db, listed):
    """The PPID summary (tidak_lengkap, peringatan), the metadata's validation notes and the catalogue badge
    are all read from these decisions (satudata/publish/run.py: assess, _publish)."""
    decided = {
        kode: {d.dataset_id: d for d in decide(PUBS, set(), [], source_notes(notes_db, p.pemdas))}
        for kode, p in listed.items()
    }
    # Kupang's serapan is amber for its own late / quarantined realisasi, and names no Metro OPD
    serapan = decided[KUPANG]["serapan_anggaran"]
    assert serapan.status_color == AMBER and len(serapan.incomplete) == 2
    assert not any("DINKES" in n or "Dinas Kesehatan" in n or "Metro" in n for n in serapan.incomplete)
    # Kupang's asn_jumlah: Metro's pegawai warnings are not Kupang's: green, no warnings
    assert decided[KUPANG]["asn_jumlah"].status_color == GREEN and decided[KUPANG]["asn_jumlah"].warnings == []
    # Metro: its missing DINKES anggaran, not Kupang's late realisasi
    metro = decided[METRO]["serapan_anggaran"]
    assert metro.status_color == AMBER and len(metro.incomplete) == 1 and "anggaran" in metro.incomplete[0]
    assert decided[METRO]["asn_jumlah"].status_color == AMBER
    assert decided[LAMPUNG]["serapan_anggaran"].incomplete == metro.incomplete


# ---- blocking per publisher where the failing rows say whose they are


def sp2d_duplicates(*kode_pemda: str) -> RuleOutcome:
    """BEL-003 as GX records it: the duplicated rows (compound columns, `_kode_pemda` first)."""
    rows = [
        {"_kode_pemda": k, "nomor_sp2d": "001/SP2D/LS/2024", "kode_sub_kegiatan": "1.02.01.2.01.0001"}
        for k in kode_pemda
    ]
    return RuleOutcome("BEL-003", "stg_opd__realisasi_belanja", "fatal", False, len(rows), rows)


def decided_for(listed, outcomes) -> dict[str, dict]:
    return {kode: {d.dataset_id: d for d in decide(PUBS, set(), outcomes, {}, p.pemdas)} for kode, p in listed.items()}


def test_a_bad_sp2d_in_kupang_blocks_kupang_only(listed):
    decided = decided_for(listed, [sp2d_duplicates(KUPANG, KUPANG)])

    assert decided[KUPANG]["serapan_anggaran"].status_color == RED
    assert decided[KUPANG]["serapan_anggaran"].failing_checks == ["BEL-003"]
    assert decided[KUPANG]["serapan_anggaran"].unattributed == []
    for kode in (METRO, LAMPUNG):  # Metro, and Lampung that consolidates Metro only
        assert decided[kode]["serapan_anggaran"].publish and decided[kode]["serapan_anggaran"].reasons == []
    # run-wide (no publisher) it still blocks: the auditors' view of the run
    assert not {d.dataset_id: d for d in decide(PUBS, set(), [sp2d_duplicates(KUPANG, KUPANG)])}[
        "serapan_anggaran"
    ].publish


def test_a_failing_published_row_is_attributed_by_its_kab_kota_code(listed):
    # REC-001 on Metro's published row (kode_kabupaten_kota 1872, the BPS code of Kemendagri 18.72)
    rec = RuleOutcome("REC-001", "pub_serapan_anggaran", "fatal", False, 1, [{"kode_kabupaten_kota": "1872"}])
    assert attributed(rec) == {METRO}
    decided = decided_for(listed, [rec])
    assert not decided[METRO]["serapan_anggaran"].publish and not decided[LAMPUNG]["serapan_anggaran"].publish
    assert decided[KUPANG]["serapan_anggaran"].publish


def test_a_failure_that_cannot_be_attributed_blocks_every_publisher_and_says_so(listed):
    # 7 duplicated rows, only the first 5 kept: the other 2 may be anyone's
    many = sp2d_duplicates(*[KUPANG] * 5)
    many.failing_count = 7
    error = RuleOutcome("BEL-003", "stg_opd__realisasi_belanja", "fatal", False, 1, [{"error": "relation missing"}])
    values = RuleOutcome("PUB-002", "pub_serapan_anggaran", "fatal", False, 2, ["1872", "5371"])  # values, not rows
    for outcome in (many, error, values):
        assert attributed(outcome) is None, outcome
        decided = decided_for(listed, [outcome])
        for kode in (METRO, KUPANG, LAMPUNG):
            d = decided[kode]["serapan_anggaran"]
            assert not d.publish and d.unattributed == [outcome.rule_id], (kode, outcome)
            assert UNATTRIBUTED in d.reasons[0]
            # the PPID summary's "Alasan diblokir" says it blocks every publisher, in Indonesian
            assert "diblokir untuk semua penerbit" in run._blocked_reasons(d)[0]["pesan"]


def test_another_pemdas_warning_is_not_this_publishers(listed):
    # REC-004 (a warning) on Metro's rows: Metro and Lampung publish amber with it; Kupang green without
    warning = RuleOutcome("REC-004", "int_gaji_realisasi_bulanan", "warning", False, 2, [{"kode_pemda": METRO}] * 2)
    decided = decided_for(listed, [warning])
    assert decided[METRO]["serapan_anggaran"].status_color == AMBER
    assert decided[LAMPUNG]["serapan_anggaran"].warnings == decided[METRO]["serapan_anggaran"].warnings != []
    assert decided[KUPANG]["serapan_anggaran"].status_color == GREEN
    assert decided[KUPANG]["serapan_anggaran"].warnings == []
