"""A file read through an export profile loads with every row accounted for: loaded, quarantined with a
reason, or set aside as not a line with its reason, in audit.source_file and run_summary.json."""

from __future__ import annotations

import pytest

from satudata.extract import profiles
from satudata.extract.profiles import load_profiles
from satudata.warehouse import connect
from tests.conftest import make_settings
from tests.integration.loading import drop, findings, land_and_load
from tests.unit.test_profiles import PROFILE

pytestmark = pytest.mark.integration

REGISTER = (
    "REGISTER SP2D TAHUN ANGGARAN 2024\n"
    "No. SP2D;Tgl SP2D;Kode Sub Kegiatan;Kode Rekening;Uraian;Jumlah;Nilai SP2D\n"
    "0001/LS/2024;05/02/2024;1.02.02.2.01.0001;5.1.02.01.01.0024;ATK;1.000.000;1.500.000\n"
    ";;;5.1.02.01.01.0026;Kertas;500.000;\n"
    ";;;;[#] Paket belanja ATK;1.500.000;\n"
    "0002/LS/2024;06/02/2024;1.02.02.2.01.0001;5.1.02.01.01.0024;ATK;-5;-5\n"
    "JUMLAH;;;;;1.499.995;\n"
)


def test_rows_of_a_profiled_file_are_loaded_quarantined_or_set_aside(tmp_path, warehouse_url, monkeypatch):
    # Given a register in a declared layout with a package row, a negative amount and a JUMLAH row
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "uji_register.yaml").write_text(PROFILE, encoding="utf-8")
    found = load_profiles(folder)
    monkeypatch.setattr(profiles, "load_profiles", lambda folder=None: found)
    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    source = tmp_path / "register.csv"
    source.write_text(REGISTER, encoding="utf-8")
    rel = drop(settings, source, "18.72", "DINKES", "realisasi_belanja", "Register SP2D Feb 2024.csv")
    # When it is landed and loaded
    files = land_and_load(settings)
    # Then the two lines of SP2D 0001 are loaded, 0002 is quarantined (nilai > 0), the package row and the
    # JUMLAH row are set aside with their reasons, and the file names the layout it was read as
    f = files[rel]
    assert (f["rows_read"], f["rows_loaded"], f["rows_quarantined"], f["rows_set_aside"]) == (5, 2, 1, 2)
    assert f["set_aside"] == {"baris paket [#] / package row": 1, "baris JUMLAH/TOTAL / total row": 1}
    assert f["profile"] == "uji_register"
    assert "dibaca sebagai: Register Uji / read as: Register Uji" in f["reasons"]
    assert "SP2D 0001/LS/2024: 2 baris, terakhir baris 4" in f["reasons"]  # a step's file-level finding
    assert any(rule.startswith("BEL") and severity == "fatal" for _, _, rule, severity in findings(warehouse_url, rel))
    with connect(warehouse_url) as conn:
        raw = conn.execute(
            "select nomor_sp2d, kode_rekening, nilai, tahun, jenis_sp2d from raw.realisasi_belanja order by _row_number"
        ).fetchall()
    assert [(r[0], r[1], int(r[2]), r[3], r[4]) for r in raw] == [
        ("0001/LS/2024", "5.1.02.01.01.0024", 1_000_000, 2024, "LS"),
        ("0001/LS/2024", "5.1.02.01.01.0026", 500_000, 2024, "LS"),
    ]
