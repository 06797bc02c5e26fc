"""Disclosure control (satudata/publish/disclosure.py) against a reader who solves the margin equations
(tests/attacker.py): suppressed cells are not recovered, and the same reader does recover them from a
deliberately weakened suppression (primary only, or month by month), so the attack is real."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from satudata.publish import disclosure
from satudata.publish.release import render_csv
from tests.attacker import attack, neighbours_published, recovered

T = 5  # threshold of these tables
COLUMNS = [("kode_opd", "text"), ("periode", "text"), ("jenis", "text"), ("jumlah_pegawai", "bigint")]
COLUMNS += [("disupresi", "boolean")]
DIMS = ["kode_opd", "periode", "jenis"]
META = {
    "person_based": True,
    "measure": "jumlah_pegawai",
    "primary_key": DIMS,
    "kontrol_pengungkapan": {
        "waktu": ["periode"],
        "margin": [["periode", "kode_opd"], ["periode", "jenis"], ["periode"]],
    },
}
MARGINS = META["kontrol_pengungkapan"]["margin"]
POLICY = disclosure.Policy.from_meta(META, T)


def model_rows(table: dict[tuple[str, str, str], int]) -> list[list]:
    """The rows as the dbt model gives them: counts 1..T-1 already null and flagged (primary)."""
    return [[*k, None if 0 < n < T else n, 0 < n < T] for k, n in sorted(table.items())]


def as_csv(rows: list[list]) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(render_csv(COLUMNS, rows).decode())))


def primary(table: dict) -> set:
    return {k for k, n in table.items() if 0 < n < T}


def reader(rows, table, previous=(), previous_truth=None):
    old = as_csv(previous) if previous else ()
    return attack(as_csv(rows), table, DIMS, ["periode"], MARGINS, previous=old, previous_truth=previous_truth)


# a 3 x 3 table of one month: OPD A has one small cell (3), the rest is large
ONE_MONTH = {
    ("A", "2024-01", "PNS"): 3,
    ("A", "2024-01", "PPPK"): 12,
    ("A", "2024-01", "CPNS"): 20,
    ("B", "2024-01", "PNS"): 9,
    ("B", "2024-01", "PPPK"): 7,
    ("B", "2024-01", "CPNS"): 30,
    ("C", "2024-01", "PNS"): 15,
    ("C", "2024-01", "PPPK"): 8,
    ("C", "2024-01", "CPNS"): 11,
}


def test_primary_only_is_recovered_from_the_opd_total_and_complementary_suppression_is_not():
    # Given a primary-suppressed cell of 3 and the OPD's total known to a reader
    weak = model_rows(ONE_MONTH)
    # Then primary suppression alone gives it away: 35 - 12 - 20 = 3
    found = recovered(reader(weak, ONE_MONTH), T - 1)
    assert found == {("A", "2024-01", "PNS"): (3.0, 3.0)}

    # When the publisher adds complementary suppression
    rows, report = disclosure.protect(COLUMNS, model_rows(ONE_MONTH), META, POLICY)
    # Then every hidden cell keeps an interval of at least T-1 for the same reader
    intervals = reader(rows, ONE_MONTH)
    assert not recovered(intervals, T - 1)
    assert intervals[("A", "2024-01", "PNS")][0] <= 1 and intervals[("A", "2024-01", "PNS")][1] >= 3 + T - 1
    assert report.primary == 1 and report.complementary >= 3 and not report.unprotectable
    # the complement of row A is its smallest published count (12), and column PNS's (9)
    hidden = {tuple(r[:3]) for r in rows if r[4]}
    assert {("A", "2024-01", "PPPK"), ("B", "2024-01", "PNS")} <= hidden
    assert all(r[3] is None for r in rows if r[4])
    md = report.as_metadata()
    assert md["ambang_sel_kecil"] == T and md["jumlah_sel_disupresi_primer"] == 1
    assert md["jumlah_sel_disupresi_komplementer"] == report.complementary
    assert "komplementer" in md["keterangan"]


def test_differencing_two_versions_does_not_give_a_hidden_cell_away():
    # Given v1: January, where A/PNS has 3 people; v2: January revised (A/CPNS 20 -> 8)
    jan = dict(ONE_MONTH)
    revised = {**jan, ("A", "2024-01", "CPNS"): 8}
    v1, _ = disclosure.protect(COLUMNS, model_rows(jan), META, POLICY)
    assert not recovered(reader(v1, jan), T - 1)

    # When v2 is protected on its own (no carry-over), Then v1's equations and v2's values give A/PNS away:
    # v2 takes A/CPNS (8) as complement and publishes A/PPPK (12), which v1 hid: v1's row A, 35 - 12 - 20 = 3
    alone, _ = disclosure.protect(COLUMNS, model_rows(revised), META, POLICY)
    assert recovered(reader(alone, revised, v1, jan), T - 1, primary(revised)) == {("A", "2024-01", "PNS"): (3.0, 3.0)}

    # When v2 carries v1's pattern over, Then the two versions together do not recover it
    v2, report = disclosure.protect(COLUMNS, model_rows(revised), META, POLICY, render_csv(COLUMNS, v1))
    assert not recovered(reader(v2, revised, v1, jan), T - 1, primary(revised))
    assert report.consistency >= 1 and not report.unprotectable
    # and a later version keeps every cell v2 hid
    v3, _ = disclosure.protect(COLUMNS, model_rows(revised), META, POLICY, render_csv(COLUMNS, v2))
    assert {tuple(r[:3]) for r in v2 if r[4]} <= {tuple(r[:3]) for r in v3 if r[4]}


def test_two_months_keep_one_pattern():
    # Given January, and February where A/PNS drops from 13 to 3
    both = {**ONE_MONTH, ("A", "2024-01", "PNS"): 13}
    both |= {(o, "2024-02", j): n for (o, _, j), n in ONE_MONTH.items()}
    # When each month is protected on its own, Then February's hidden cells are published in January
    by_month = [
        r
        for m in ("2024-01", "2024-02")
        for r in disclosure.protect(COLUMNS, [r for r in model_rows(both) if r[1] == m], META, POLICY)[0]
    ]
    assert ("A", "PPPK", "2024-02") in neighbours_published(as_csv(by_month), DIMS, ["periode"])
    # When the table is protected whole, Then no hidden cell has a published neighbour month
    rows, report = disclosure.protect(COLUMNS, model_rows(both), META, POLICY)
    assert not neighbours_published(as_csv(rows), DIMS, ["periode"])
    assert not recovered(reader(rows, both), T - 1, primary(both))
    assert report.consistency >= 1 and ("A", "2024-01", "PNS", None, True) in [tuple(r) for r in rows]


def test_no_policy_leaves_the_rows_alone():
    rows = model_rows(ONE_MONTH)
    assert disclosure.protect(COLUMNS, rows, META, None) == (rows, disclosure.Report(False))
    assert disclosure.Policy.from_meta({**META, "person_based": False}, T) is None
    assert disclosure.Policy.from_meta(META, 0) is None
    assert disclosure.Report(False).as_metadata() == {"diterapkan": False}


def test_bounds_are_the_exact_interval_of_a_cell():
    # x0 + x1 = 6, x1 + x2 = 9, x0 known 2: x1 = 4, x2 = 5
    assert disclosure.bounds([[0, 1], [1, 2]], [6, 9], {0: 2}) == {1: (4.0, 4.0), 2: (5.0, 5.0)}
    # x0 + x1 = 6, both unknown, at least 1: each in [1, 5]
    assert disclosure.bounds([[0, 1]], [6], {}) == {0: (1.0, 5.0), 1: (1.0, 5.0)}


tables = st.builds(
    lambda opds, jenis, cells: {
        (o, "2024-01", j): cells[i * len(jenis) + k] for i, o in enumerate(opds) for k, j in enumerate(jenis)
    },
    st.just(["A", "B", "C", "D"][:3]) | st.just(["A", "B", "C", "D"]),
    st.just(["PNS", "PPPK"]) | st.just(["PNS", "PPPK", "CPNS"]),
    st.lists(st.integers(1, 4) | st.integers(5, 40), min_size=12, max_size=12),
)


R = 10  # ambang_rincian: the least people of a group broken down (macro rincian_terbit)
GRID_META = {**META, "kontrol_pengungkapan": {**META["kontrol_pengungkapan"], "grid_lengkap": True}}
GRID = disclosure.Policy.from_meta(GRID_META, T)


def published_shape(table: dict[tuple[str, str, str], int]) -> dict[tuple[str, str, str], int]:
    """The table as the models publish it (macro rincian_terbit, written again here): an OPD of fewer than R
    people is folded into LAINNYA, a LAINNYA of fewer than R is not broken down (SEMUA); a complete grid."""
    total = {(o, p): sum(n for k, n in table.items() if k[:2] == (o, p)) for o, p, _ in table}
    out: dict[tuple[str, str, str], int] = {}
    for (o, p, j), n in table.items():
        key = (o if total[(o, p)] >= R else "LAINNYA", p, j)
        out[key] = out.get(key, 0) + n
    for p in {k[1] for k in table}:
        folded = sum(n for k, n in out.items() if k[:2] == ("LAINNYA", p))
        if any(k[:2] == ("LAINNYA", p) for k in out) and folded < R:
            out = {k: n for k, n in out.items() if k[:2] != ("LAINNYA", p)} | {("LAINNYA", p, "SEMUA"): folded}
    return out


def known(table: dict) -> set:
    """Cells that are a declared margin group by themselves (a group not broken down): nothing to recover."""
    out = set()
    for margin in MARGINS:
        at = [DIMS.index(c) for c in margin]
        by: dict[tuple, list] = {}
        for k in table:
            by.setdefault(tuple(k[i] for i in at), []).append(k)
        out |= {m[0] for m in by.values() if len(m) == 1}
    return out


grids = st.builds(
    lambda n_opd, jenis, cells: {
        (o, "2024-01", j): cells[i * len(jenis) + k]
        for i, o in enumerate("ABCDEF"[:n_opd])
        for k, j in enumerate(jenis)
    },
    st.integers(2, 6),
    st.just(["PNS", "PPPK"]) | st.just(["PNS", "PPPK", "CPNS"]),
    st.lists(st.integers(0, 4) | st.integers(0, 12) | st.integers(5, 40), min_size=18, max_size=18),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(grids)
def test_random_tables_keep_every_small_cell_hidden_from_the_margins(raw):
    # Given a random staff table of a pemda, in the shape the models publish (small OPDs folded, complete
    # grid); its categories are the pemda's, each with at least R people (the models group rare ones: CPNS
    # with PNS, PPPK paruh waktu with PPPK, the lower SKP predikat together)
    table = published_shape(raw)
    assume(all(sum(n for k, n in table.items() if k[2] == j) >= R for j in {k[2] for k in table} - {"SEMUA"}))
    secret = primary(table) - known(table)
    assume(secret)
    # When the publisher protects it
    rows, _ = disclosure.protect(COLUMNS, model_rows(table), GRID_META, GRID)
    # Then the reader with every margin recovers no small cell
    found = recovered(attack(as_csv(rows), table, DIMS, ["periode"], MARGINS, lower=0.0), T - 1, secret)
    assert not found, found
    # published values are the true ones; every small count is hidden
    assert all(r[3] == table[tuple(r[:3])] for r in rows if not r[4])
    assert primary(table) <= {tuple(r[:3]) for r in rows if r[4]}


@settings(max_examples=40, deadline=None)
@given(tables)
def test_the_reader_recovers_a_lone_hidden_cell_of_any_row(table):
    # primary suppression only: an OPD with exactly one small cell gives it away through its total
    lone = [o for o in {k[0] for k in table} if len([k for k in primary(table) if k[0] == o]) == 1]
    assume(lone)
    found = recovered(reader(model_rows(table), table), T - 1)
    for o in lone:
        (cell,) = [k for k in primary(table) if k[0] == o]
        assert found[cell] == (table[cell], table[cell])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(grids, st.lists(st.integers(-3, 3), min_size=18, max_size=18))
def test_random_two_versions_keep_every_small_cell_hidden(raw, moves):
    # Given January, and February where each count moved by a few people, in the published shape
    feb = {(o, "2024-02", j): max(0, n + moves[i]) for i, ((o, _, j), n) in enumerate(sorted(raw.items()))}
    table = published_shape(raw | feb)
    jan = {k: n for k, n in table.items() if k[1] == "2024-01"}
    for p in ("2024-01", "2024-02"):
        cats = {k[2] for k in table if k[1] == p} - {"SEMUA"}
        assume(all(sum(n for k, n in table.items() if k[1:] == (p, j)) >= R for j in cats))
    secret = primary(table) - known(table)
    assume(secret)
    # When v1 publishes January, then v2 January and February, carrying v1's pattern over
    v1, _ = disclosure.protect(COLUMNS, model_rows(jan), GRID_META, GRID)
    v2, _ = disclosure.protect(COLUMNS, model_rows(table), GRID_META, GRID, render_csv(COLUMNS, v1))
    # Then the two versions and the two months together recover no small cell
    found = recovered(
        attack(as_csv(v2), table, DIMS, ["periode"], MARGINS, previous=as_csv(v1), previous_truth=jan, lower=0.0),
        T - 1,
        secret,
    )
    assert not found, found
    assert not neighbours_published(as_csv(v2), DIMS, ["periode"])
    assert {tuple(r[:3]) for r in v1 if r[4]} <= {tuple(r[:3]) for r in v2 if r[4]}
