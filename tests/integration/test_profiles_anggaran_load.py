"""The SIPD budget exports land and load through their profiles (real PostgreSQL, the pipeline's own stage
functions): every row of every file is loaded, quarantined with its rule, or set aside with its reason
(rows_read = loaded + quarantined + set aside, in audit.source_file and run_summary.json, checked by
tests/integration/loading.py); a DPPA print gives the same pagu per sub kegiatan x rekening as the same
budget written as leaf lines; an SP2D register with UP, GU, TU and LS loads every SP2D line."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from satudata.extract.profiles.steps_anggaran import SET_ASIDE_KOMPONEN, SET_ASIDE_SPM
from satudata.warehouse import connect
from tests.conftest import make_settings
from tests.integration.loading import drop, findings, land_and_load

pytestmark = pytest.mark.integration

FIXTURES = Path(__file__).parents[1] / "fixtures" / "profiles"
TOTAL = "baris JUMLAH/TOTAL / total row"
SUB_A, SUB_B = "1.02.01.2.01.0001", "1.02.01.2.06.0004"


@pytest.fixture(scope="module")
def loaded(pg_server, tmp_path_factory):
    """The four SIPD exports (and the DPPA budget again as leaf lines, for another pemda) landed and loaded
    once; the warehouse URL and the audit rows of the files by name."""
    name = "t_profiles_anggaran_load"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f"drop database if exists {name} with (force)")
        conn.execute(f"create database {name}")
    url = pg_server.rsplit("/", 1)[0] + f"/{name}"
    tmp = tmp_path_factory.mktemp("sipd")
    settings = make_settings(tmp, url, tmp / "landing")
    paths = {
        "rekap": drop(
            settings, FIXTURES / "sipd_rekap_apbd.xlsx", "18.72", "DINKES", "anggaran", "Rekap Penetapan APBD 2025.xlsx"
        ),
        "dppa": drop(
            settings,
            FIXTURES / "sipd_rincian_belanja_dppa.xlsx",
            "53.71",
            "DINKES",
            "anggaran",
            "DPPA Rincian Belanja Dinkes 2025.xlsx",
        ),
        "leaf": drop(
            settings,
            FIXTURES / "sipd_rincian_belanja_leaf.csv",
            "62.71",
            "DINKES",
            "anggaran",
            "anggaran_perubahan_2025.csv",
        ),
        "register": drop(
            settings,
            FIXTURES / "sipd_register_sp2d.xlsx",
            "18.72",
            "DINKES",
            "realisasi_belanja",
            "Register SP2D Dinkes TW1 2025.xlsx",
        ),
        "realisasi": drop(
            settings,
            FIXTURES / "sipd_realisasi.csv",
            "62.71",
            "DINKES",
            "realisasi_belanja",
            "realisasi_sipd_ri_2025.csv",
        ),
    }
    files = land_and_load(settings)  # asserts rows_read = loaded + quarantined + set aside per file
    return url, {k: files[p] | {"path": p} for k, p in paths.items()}


def counts(f: dict) -> tuple[int, int, int, int]:
    return f["rows_read"], f["rows_loaded"], f["rows_quarantined"], f["rows_set_aside"]


def raw(url: str, query: str, *args: object) -> list[tuple]:
    with connect(url) as conn:
        return [tuple(r) for r in conn.execute(query, args)]


def test_rekap_penetapan_apbd(loaded):
    url, files = loaded
    f = files["rekap"]
    # Given a Rekap Penetapan APBD with seven komponen rows (one with a short kode rekening) and a TOTAL row
    # Then six komponen are loaded as MURNI lines of 2025, the short code is quarantined, TOTAL set aside
    assert f["profile"] == "sipd_rekap_apbd"
    assert "dibaca sebagai: Rekap Penetapan APBD SIPD-RI / read as: Rekap Penetapan APBD SIPD-RI" in f["reasons"]
    assert counts(f) == (8, 6, 1, 1)
    assert f["set_aside"] == {TOTAL: 1}
    assert findings(url, f["path"]) == [(10, "kode_rekening", "REK-001", "fatal")]
    rows = raw(
        url,
        "select tahun, versi, kode_opd, kode_sub_kegiatan, kode_rekening, pagu, sumber_dana "
        "from raw.anggaran where _kode_pemda = '18.72' order by _row_number",
    )
    assert rows[0] == (
        2025,
        "MURNI",
        "1.02.0.00.0.00.01.0000",
        SUB_A,
        "5.1.02.01.01.0024",
        Decimal(660_000),
        "Dana Alokasi Umum",
    )
    assert sum(r[5] for r in rows) == 9_110_000
    assert {(r[0], r[1]) for r in rows} == {(2025, "MURNI")}


def test_dppa_print_gives_the_same_pagu_as_the_leaf_lines(loaded):
    url, files = loaded
    f = files["dppa"]
    # Given a DPPA Rincian Belanja print: 2 sub kegiatan, 5 six-level lines (one printed negative), their
    # parents, paket, keterangan and komponen rows, group headers and JUMLAH TOTAL
    assert f["profile"] == "sipd_rincian_belanja"
    assert counts(f) == (35, 4, 1, 30)
    assert f["set_aside"][SET_ASIDE_KOMPONEN] == 7 and f["set_aside"][TOTAL] == 1
    assert sum(n for r, n in f["set_aside"].items() if r.startswith("baris rekening induk")) == 12
    assert findings(url, f["path"]) == [(42, "pagu", "ANG-002", "fatal")]
    # Then per sub kegiatan x rekening the print loads exactly the pagu of the same budget as leaf lines
    by_line = (
        "select kode_sub_kegiatan, kode_rekening, tahun, versi, sum(pagu) from raw.anggaran "
        "where _kode_pemda = %s group by 1, 2, 3, 4 order by 1, 2"
    )
    printed, leaf = raw(url, by_line, "53.71"), raw(url, by_line, "62.71")
    assert (
        printed
        == leaf
        == [
            (SUB_A, "5.1.02.01.01.0024", 2025, "PERUBAHAN", Decimal(760_000)),
            (SUB_A, "5.1.02.01.01.0052", 2025, "PERUBAHAN", Decimal(5_050_000)),
            (SUB_A, "5.1.02.02.01.0003", 2025, "PERUBAHAN", Decimal(2_550_000)),
            (SUB_B, "5.1.02.01.01.0026", 2025, "PERUBAHAN", Decimal(750_000)),
        ]
    )
    assert files["leaf"]["profile"] is None and counts(files["leaf"]) == (4, 4, 0, 0)
    assert raw(
        url, "select distinct sumber_dana, kode_opd from raw.anggaran where _kode_pemda = '53.71' order by 1"
    ) == [("DAU", "1.02.0.00.0.00.01.0000"), ("PAD", "1.02.0.00.0.00.01.0000")]


def test_register_sp2d_loads_every_up_gu_tu_ls_line(loaded):
    url, files = loaded
    f = files["register"]
    # Given a register: UP (no rekening), LS gaji (3 lines), TU (2), GU (2, jenis only in the number),
    # an LS dated in 2024, an SPM not yet paid (2 lines) and JUMLAH
    assert f["profile"] == "sipd_register_sp2d"
    assert counts(f) == (12, 7, 1, 4)
    assert f["set_aside"] == {
        TOTAL: 1,
        SET_ASIDE_SPM: 2,
        "SP2D UP tanpa sub kegiatan dan rekening: uang muka ke bendahara, bukan baris belanja / UP SP2D "
        "without sub kegiatan and rekening: an advance, not a spending line": 1,
    }
    assert findings(url, f["path"]) == [(15, "tanggal_sp2d", "BEL-004", "fatal")]
    rows = raw(
        url,
        "select nomor_sp2d, jenis_sp2d, kode_sub_kegiatan, kode_rekening, nilai, tahun, tanggal_sp2d "
        "from raw.realisasi_belanja where _kode_pemda = '18.72' order by _row_number",
    )
    lines = Counter((r[0].split("/")[2], r[1]) for r in rows)
    assert lines == {("000002", "LS"): 3, ("000003", "TU"): 2, ("000004", "GU"): 2}
    assert sum(r[4] for r in rows) == 124_310_000 and {r[5] for r in rows} == {2025}
    # every line is one nomor_sp2d x sub kegiatan x rekening: the key of a multi-line SP2D holds
    assert len({(r[0], r[2], r[3]) for r in rows}) == len(rows)
    # (nomor_sp2d alone repeats: a BEL-003 keyed on nomor_sp2d only would flag the multi-line SP2Ds)
    assert max(Counter(r[0] for r in rows).values()) == 3


def test_realisasi_csv_takes_tahun_from_the_dates(loaded):
    url, files = loaded
    f = files["realisasi"]
    assert f["profile"] == "sipd_realisasi"
    assert counts(f) == (5, 4, 1, 0)
    assert ("tanggal_sp2d", "FMT-001") in {(c, rule) for _, c, rule, _ in findings(url, f["path"])}
    assert {row for row, *_ in findings(url, f["path"])} == {6}
    rows = raw(
        url,
        "select tahun, jenis_sp2d, tanggal_sp2d::text, nilai from raw.realisasi_belanja "
        "where _kode_pemda = '62.71' order by _row_number",
    )
    assert rows == [
        (2025, "LS", "2025-01-28", Decimal(98_000_000)),
        (2025, "LS", "2025-01-28", Decimal(9_800_000)),
        (2025, "TU", "2025-02-11", Decimal(5_000_000)),
        (2025, "GU", "2025-03-04", Decimal(750_000)),
    ]
