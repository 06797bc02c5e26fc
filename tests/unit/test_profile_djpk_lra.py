"""Profile djpk_lra: the LRA as the DJPK portal gives it (tests/fixtures/djpk_lra, synthetic values) read
into the standard's rows: level from leading spaces, tahun from the file name, `M` / `J` amounts, a
repeated line set aside with its reason."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from satudata.datasets import DATASETS
from satudata.extract import parse
from satudata.extract.profiles import FileContext
from satudata.extract.readers import FileRejected, read_file

LANDING = Path(__file__).parents[1] / "fixtures" / "djpk_lra" / "landing"


def read(path: Path) -> tuple[object, list]:
    table = read_file(
        path, DATASETS["lra"], FileContext(file_name=path.name, kode_pemda=path.parts[-4], opd=path.parts[-3])
    )
    return table, list(table.rows)


def test_a_djpk_file_is_read_with_level_tahun_and_amounts():
    # Given Trenggalek's LRA 2023 as the portal gives it (a line given twice by the scrape)
    table, rows = read(LANDING / "35.03" / "BPKAD" / "lra" / "LRA 2023.csv")
    # Then it is read as the DJPK layout
    assert table.profile.id == "djpk_lra"
    lines = [r for r in rows if not r.set_aside]
    aside = [r for r in rows if r.set_aside]
    assert (len(rows), len(lines), len(aside)) == (26, 25, 1)
    # the repeated Belanja Pegawai line is set aside with its reason, the first one kept
    assert aside[0].row_number == 15 and aside[0].set_aside.startswith("baris berulang")
    assert [r.values["akun"].strip() for r in lines].count("Belanja Pegawai") == 1
    # level from the leading spaces, tahun from the file name
    by_akun = {r.values["akun"].strip(): r.values for r in lines}
    assert [
        by_akun[a]["level"] for a in ("Pendapatan Daerah", "PAD", "Pajak Daerah", "Belanja Modal", "Pembiayaan Daerah")
    ] == [0, 1, 2, 1, 0]
    assert {r.values["tahun"] for r in lines} == {"2023"}
    # amounts in miliar and juta, read as rupiah
    assert parse.parse_number(by_akun["Pendapatan Daerah"]["anggaran"]) == Decimal("1811340000000")
    assert parse.parse_number(by_akun["Belanja Subsidi"]["realisasi"]) == Decimal("160000000")
    assert parse.parse_number(by_akun["Belanja Subsidi"]["persentase"]) == Decimal("66.67")


def test_every_parent_equals_the_sum_of_its_children_by_level():
    # Given each fixture file, Then a line's amounts are the sum of the next level's lines below it
    for path in sorted(LANDING.glob("*/*/lra/*.csv")):
        _, rows = read(path)
        lines = [(r.values["level"], parse.parse_number(r.values["anggaran"])) for r in rows if not r.set_aside]
        for i, (level, amount) in enumerate(lines):
            children = []
            for child_level, child in lines[i + 1 :]:
                if child_level <= level:
                    break
                if child_level == level + 1:
                    children.append(child)
            if children:
                assert sum(children) == amount, (path.name, i)


def test_the_standards_own_lra_with_a_tahun_column_keeps_its_tahun(tmp_path):
    # Given an LRA in the standard's columns, hierarchy by 4 spaces, tahun given
    path = tmp_path / "lra_2024.csv"
    path.write_text(
        "tahun;akun;anggaran;realisasi;persentase\n2024;PENDAPATAN DAERAH;100;90;90\n"
        "2024;    PENDAPATAN ASLI DAERAH (PAD);100;90;90\n2024;        Pajak Daerah;100;90;90\n",
        encoding="utf-8",
    )
    _, rows = read(path)
    assert [(r.values["tahun"], r.values["level"]) for r in rows] == [("2024", 0), ("2024", 1), ("2024", 2)]


def test_a_file_with_no_year_anywhere_is_refused(tmp_path):
    path = tmp_path / "35.03" / "BPKAD" / "lra" / "LRA terbaru.csv"
    path.parent.mkdir(parents=True)
    path.write_text("akun;anggaran;realisasi;persentase\nPendapatan Daerah;1,00 M;0,50 M;50,00\n", encoding="utf-8")
    with pytest.raises(FileRejected, match="no tahun column, and no year in the file name"):
        read(path)


def test_the_same_line_under_another_parent_is_a_line(tmp_path):
    # Given two accounts of the same name and values under different parents, and one given twice
    path = tmp_path / "LRA 2022.csv"
    path.write_text(
        "akun;anggaran;realisasi;persentase\n"
        "Belanja Daerah;2,00 M;2,00 M;100\n"
        "  Belanja Operasi;1,00 M;1,00 M;100\n"
        "    Lain-lain;1,00 M;1,00 M;100\n"
        "  Belanja Transfer;1,00 M;1,00 M;100\n"
        "    Lain-lain;1,00 M;1,00 M;100\n"
        "    Lain-lain;1,00 M;1,00 M;100\n",
        encoding="utf-8",
    )
    _, rows = read(path)
    # Then only the third Lain-lain (a repeat under the same parent) is set aside
    assert [r.set_aside is not None for r in rows] == [False, False, False, False, False, True]
    assert [r.values["level"] for r in rows] == [0, 1, 2, 1, 2, 2]
