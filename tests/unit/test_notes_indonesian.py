"""The notes on incomplete submissions ("belum lengkap") that a PPID, an auditor and a catalogue reader see
are Indonesian: the submitted dataset by its title, each OPD by its name, the periods in Indonesian month
names, and no English word (satudata/publish/gate.py writes them; release.public_note words the notes
recorded in English before with the same functions)."""

from __future__ import annotations

import re

import pytest

from satudata.publish import gate, publishers, release
from satudata.publish.run import summary_markdown
from tests.unit.test_publishers import GOOD

# the English words of the gate's former notes (and the words such a note would need)
ENGLISH = {
    "expected",
    "submission",
    "submissions",
    "received",
    "not",
    "late",
    "row",
    "rows",
    "quarantined",
    "landing",
    "kept",
    "with",
    "warnings",
    "failing",
    "on",
    "e.g",
    "missing",
    "of",
    "and",
    "from",
    "year",
    "january",
    "february",
    "december",
}
LEGACY = [
    "pegawai: 2 expected submission(s) not received (e.g. 18.72/DINKES 2023-12, 18.72/BKPSDM 2024-01)",
    "kinerja_pegawai: 1 submission(s) received late (e.g. 18.72/BKPSDM 2024)",
    "pegawai: 7 row(s) quarantined on landing (FMT-001 5, REF-001 2)",
    "survei_kepuasan: rows kept with warnings (RNG-004 3)",
]


def english(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+(?:\.[a-z]+)?", text.lower()) if w in ENGLISH}


NAMES = gate.opd_names()  # the seed cities' OPD lists (no warehouse needed)


def notes() -> list[str]:
    months = [("18.72", "DINKES", f"2024-{m:02d}") for m in range(1, 9)]
    return [
        gate.note_missing("pegawai", [*months, ("18.72", "BKPSDM", "2023-12"), ("18.72", "XYZ", "2024-02")], NAMES),
        gate.note_late("kinerja_pegawai", [("18.72", "BKPSDM", "2024")], NAMES),
        gate.note_quarantined("pegawai", {"FMT-001": 5, "REF-001": 2}, [("18.72", "DINKES")], NAMES),
        gate.note_kept("survei_kepuasan", {"RNG-004": 3}, [("18.72", "DINKES"), ("18.72", "BKPSDM")], NAMES),
    ]


def test_the_detector_finds_the_english_of_the_former_notes():
    # the check below could fail: every former note has English words in it
    assert all(english(n) for n in LEGACY), [english(n) for n in LEGACY]


def test_the_gates_notes_are_indonesian_naming_the_opd_and_the_months():
    missing, late, quarantined, kept = notes()
    for note in (missing, late, quarantined, kept):
        assert not english(note), (note, english(note))
        assert not release.INTERNAL_NAME.search(note), note
    assert missing.startswith("Daftar pegawai bulanan (pegawai): 10 kiriman yang diharapkan belum diterima (")
    # each OPD by its name, with its periods in words; a long list is cut and says how much more
    assert "Dinas Kesehatan Kota Metro: Januari 2024, Februari 2024, Maret 2024" in missing
    assert "Juni 2024 dan 2 periode lainnya" in missing and "Juli 2024" not in missing
    assert "Desember 2023" in missing and "XYZ Kota Metro: Februari 2024" in missing  # an OPD in no list
    assert "2024-0" not in missing and "DINKES" not in missing
    assert "kiriman diterima terlambat" in late and ": tahun 2024" in late
    assert "7 baris dikarantina" in quarantined and "FMT-001 5 baris" in quarantined
    assert "dari Dinas Kesehatan Kota Metro" in quarantined
    assert "baris diterima dengan catatan (RNG-004 3 baris), dari Dinas Kesehatan Kota Metro, " in kept


@pytest.mark.parametrize("note", LEGACY)
def test_notes_recorded_in_english_before_read_in_indonesian_too(note):
    public = release.public_note(note)
    assert not english(public), (public, english(public))
    assert not re.search(r"\b\d{4}-\d{2}\b", public), public  # months in words


def test_the_ppids_summary_and_the_metadata_say_belum_lengkap_in_indonesian():
    metro = publishers.by_code(publishers.parse(GOOD))["18.72"]
    item = {
        "dataset_id": "asn_jumlah",
        "status": "ready",
        "judul": "Jumlah ASN",
        "versi_terbit": None,
        "baris": 10,
        "diblokir_karena": [],
        "periode": {"periode_baru": ["2024-01"], "periode_berubah": [], "periode_dihapus": []},
        "perubahan_terbesar": [],
        "peringatan": [],
        "tidak_lengkap": notes()[:3],
        "data_pribadi": "lolos",
        "supresi": "-",
    }
    body = summary_markdown(metro, "run-1", [item], "reports/runs/run-1")
    # the summary's time written as Indonesians do (publish/run.waktu), in Metro's zone
    assert re.search(r"Disiapkan \d{1,2} [A-Z][a-z]+ \d{4} pukul \d{2}\.\d{2} WIB ", body.splitlines()[0]), (
        body.splitlines()[0]
    )
    [row] = [line for line in body.splitlines() if line.startswith("| Belum lengkap |")]
    assert "Dinas Kesehatan Kota Metro" in row and not english(row), english(row)
    md = release.validation_metadata({"status": "passed", "status_color": "amber", "incomplete": notes()[:3]})
    assert md["kiriman_belum_lengkap"] == notes()[:3]
    assert not any(english(n) for n in md["kiriman_belum_lengkap"])
