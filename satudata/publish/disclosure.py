"""Disclosure control of person-based published tables (spec section 6), the way statistical offices do it.

The dbt models do the table operations (macros/publish.sql): primary suppression of counts 1..ambang-1
and the dominance rule of distributions (pub_distribusi_skp: an OPD where one predikat holds at least
`ambang_dominasi_persen` % of the people has its whole distribution hidden). Both parameters are dbt vars
of dbt_project.yml, declared there only. This module adds what needs an algorithm, on the rows the
publisher is about to write:

1. Complementary suppression. A model declares, in `meta.kontrol_pengungkapan.margin`, every grouping
   whose total a reader may know (published in this or another dataset, or by BKN / the pemda: the OPD
   total of a month, the pemda total, the pemda total per sex...). In every such group the hidden cells
   must leave each of them at least `ambang - 1` of freedom: at least two hidden cells the reader cannot
   pin, whose values above the lower bound add up to `ambang - 1` or more. Else the smallest published
   count of the group is hidden too; repeated over all groups to a fixed point.
2. Consistency over time. A cell (its key without the time columns, `meta.kontrol_pengungkapan.waktu`)
   hidden in one period is hidden in every period of the table, and a cell hidden in the previous
   published version stays hidden: two months, or two versions, never show a hidden cell's neighbour
   value, and no published relation links two months (no flows are published), so differencing months
   gives no equation. A cell the reader can still read in the previous version (same period, same
   value: an unrevised month) gives no protection and is never chosen as a complement.
3. Audit. The reader's best attack is solved exactly: for each hidden cell, the smallest and largest value
   allowed by every margin equation (with unknown model-hidden counts at their lower bound, the worst
   case: real ones only widen the interval) by linear programming (scipy HiGHS). A cell whose interval is
   narrower than `ambang - 1` gets one more complement in one of its groups, and the whole is repeated.
   Only on tables with at most AUDIT_LIMIT hidden cells; larger ones rely on the group rule (the tests
   run the reader's attack on them: tests/attacker.py).

Lower bound of a hidden cell: 1 (a row exists only for a count of at least one person), or 0 in tables
published as a complete grid (`grid_lengkap: true`, zeros included: a dominated OPD's zeros are hidden).
The publisher does not see the counts the model hid: it takes them at their least value, 1 for a small
count, 0 under a dominance rule (a dominated group's zeros are hidden too). A cell that is by itself a declared
margin group (a group the model does not break down, SEMUA) is a total the reader knows: it is not counted
as unprotected. The models publish shapes in which no cell is pinned by the margins alone (small groups
folded: macro rincian_terbit, docs/disclosure.md).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

# the publisher's own linear-programming audit runs on tables with at most this many hidden cells (it solves
# two programmes per hidden cell per round); larger tables rely on the group rule, which the tests audit
AUDIT_LIMIT = 1000
METHOD = (
    "Supresi primer (jumlah 1 sampai ambang-1 orang), aturan dominasi untuk distribusi, supresi "
    "komplementer terhadap setiap total/margin yang dapat diketahui pembaca, pola supresi tetap antarperiode "
    "dan antarversi, lalu audit pemrograman linear atas setiap sel yang disembunyikan."
)


@dataclass(frozen=True)
class Policy:
    threshold: int
    dominance_percent: float | None
    margins: tuple[tuple[str, ...], ...]
    time: tuple[str, ...]
    dominance_group: tuple[str, ...] = ()
    full_grid: bool = False

    @property
    def width(self) -> int:
        """The least width of a reader's interval for any hidden cell."""
        return self.threshold - 1

    @classmethod
    def from_meta(cls, meta: dict, threshold: int, dominance_percent: float | None = None) -> Policy | None:
        spec = meta.get("kontrol_pengungkapan")
        if not meta.get("person_based") or not spec or threshold <= 0:
            return None
        dominance = spec.get("dominasi") or {}
        return cls(
            threshold=threshold,
            dominance_percent=dominance_percent if dominance else None,
            margins=tuple(tuple(m) for m in spec.get("margin", [])),
            time=tuple(spec.get("waktu", [])),
            dominance_group=tuple(dominance.get("kelompok", [])),
            full_grid=bool(spec.get("grid_lengkap")),
        )


@dataclass
class Report:
    applied: bool
    policy: Policy | None = None
    primary: int = 0  # hidden by the model (small counts, dominance) or the publisher's small-cell rule
    complementary: int = 0  # hidden so no hidden cell can be derived from a margin
    consistency: int = 0  # hidden because the same cell is hidden in another period or the previous version
    unprotectable: list[str] = field(default_factory=list)  # cells the declared margins alone give away
    audited: bool = True  # the linear-programming audit ran (tables up to AUDIT_LIMIT hidden cells)

    def as_metadata(self) -> dict:
        if not self.applied or self.policy is None:
            return {"diterapkan": False}
        p = self.policy
        return {
            "diterapkan": True,
            "metode": METHOD,
            "ambang_sel_kecil": p.threshold,
            "lebar_perlindungan_minimum": p.width,
            "aturan_dominasi": (
                {"persen": p.dominance_percent, "kelompok": list(p.dominance_group)}
                if p.dominance_percent is not None
                else None
            ),
            "margin_dilindungi": [list(m) for m in p.margins],
            "kolom_waktu": list(p.time),
            "jumlah_sel_disupresi_primer": self.primary,
            "jumlah_sel_disupresi_komplementer": self.complementary,
            "jumlah_sel_disupresi_konsistensi": self.consistency,
            # cells whose protection is not assured: the declared totals may pin them by themselves (an OPD
            # of 2 people in 2 rows), counting hidden counts at their least value; the PPID sees the number
            "jumlah_sel_perlindungan_tidak_terjamin": len(self.unprotectable),
            "audit_pemrograman_linear": self.audited,
            "keterangan": (
                f"Sel berisi 1 sampai {p.threshold - 1} orang disembunyikan (primer)"
                + (
                    f"; distribusi satu kelompok ({', '.join(p.dominance_group)}) disembunyikan seluruhnya "
                    f"bila satu kategori mencakup paling sedikit {p.dominance_percent:g}% orangnya (dominasi)"
                    if p.dominance_percent is not None
                    else ""
                )
                + "; sel lain ikut disembunyikan (komplementer) agar tidak ada sel tersembunyi yang dapat dihitung "
                "dari total baris, kolom, OPD atau pemda; sel yang disembunyikan pada satu periode atau pada versi "
                "sebelumnya disembunyikan pada semua periode, sehingga selisih dua bulan atau dua versi tidak "
                f"membukanya. Setiap sel tersembunyi hanya dapat diperkirakan dalam rentang paling sedikit "
                f"{p.width} orang (diaudit dengan pemrograman linear). Hidden cells: primary, dominance, "
                "complementary and consistent over periods and versions; audited by linear programming."
            ),
        }


# ------------------------------------------------------------------------------------------- bounds


def bounds(
    groups: Sequence[Sequence[int]],
    totals: Sequence[float],
    known: dict[int, float],
    lower: float = 1.0,
    cells: Iterable[int] | None = None,
) -> dict[int, tuple[float, float]]:
    """A reader's interval [min, max] of every unknown cell (in some group, not in `known`), from the
    equations sum(group) = total, known cells at their value, unknown ones at least `lower`."""
    from scipy.optimize import linprog

    unknown = sorted({c for g in groups for c in g if c not in known})
    parent = {c: c for c in unknown}

    def find(c: int) -> int:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for g in groups:
        free = [c for c in g if c not in known]
        for c in free[1:]:
            parent[find(c)] = find(free[0])
    components: dict[int, list[int]] = defaultdict(list)
    for c in unknown:
        components[find(c)].append(c)
    rows_of: dict[int, list[int]] = defaultdict(list)
    for k, g in enumerate(groups):
        free = [c for c in g if c not in known]
        if free:
            rows_of[find(free[0])].append(k)
    wanted = set(unknown if cells is None else cells) & set(unknown)
    out: dict[int, tuple[float, float]] = {}
    for root, members in components.items():
        if not wanted & set(members):
            continue
        index = {c: i for i, c in enumerate(members)}
        a_eq, b_eq = [], []
        for k in rows_of[root]:
            row = [0.0] * len(members)
            for c in groups[k]:
                if c in index:
                    row[index[c]] += 1.0
            a_eq.append(row)
            b_eq.append(totals[k] - sum(known[c] for c in groups[k] if c in known))
        var_bounds = [(lower, None) for c in members]
        for c in members:
            if c not in wanted:
                continue
            objective = [0.0] * len(members)
            objective[index[c]] = 1.0
            lo = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=var_bounds, method="highs")
            objective[index[c]] = -1.0
            hi = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=var_bounds, method="highs")
            if lo.status == 2 or hi.status == 2:
                raise ValueError("the margin equations have no solution: totals do not match the cells")
            out[c] = (lo.fun, float("inf") if hi.status == 3 else -hi.fun)
    return out


# ------------------------------------------------------------------------------------------- protect


def _parse_previous(previous_csv: bytes | None) -> list[dict[str, str]]:
    if not previous_csv:
        return []
    return list(csv.DictReader(io.StringIO(previous_csv.decode("utf-8"))))


def _int(text: str | None) -> int | None:
    return int(text) if text else None


def protect(
    columns: list[tuple[str, str]],
    rows: list[list[Any]],
    meta: dict,
    policy: Policy | None,
    previous_csv: bytes | None = None,
) -> tuple[list[list[Any]], Report]:
    """Complementary and time-consistent suppression of a person-based table, audited (module doc)."""
    if policy is None:
        return rows, Report(False)
    names = [c for c, _ in columns]
    measure, flag = names.index(meta["measure"]), names.index("disupresi")
    dims = [c for c in meta.get("primary_key", []) if c in names]
    key_cols = [c for c in dims if c not in policy.time]
    time_cols = [c for c in dims if c in policy.time]
    n = len(rows)
    keyed = [tuple(str(r[names.index(c)]) for c in key_cols) for r in rows]
    period = [tuple(str(r[names.index(c)]) for c in time_cols) for r in rows]
    value: list[int | None] = [None if r[flag] or r[measure] is None else int(r[measure]) for r in rows]
    hidden = {i for i in range(n) if value[i] is None}
    report = Report(True, policy, primary=len(hidden))
    lower = 0.0 if policy.full_grid else 1.0
    # the least a cell the model hid can be: 1 for a small count (zeros are never hidden by the model), but
    # 0 under a dominance rule (a dominated group's zeros are hidden too)
    floor = 1.0 if policy.dominance_percent is None else lower

    # what a reader can still read about a cell from the previous version (value by key and period)
    prev = _parse_previous(previous_csv)
    prev_hidden_keys = set()
    prev_value: dict[tuple, dict[tuple, int]] = defaultdict(dict)
    for old in prev:
        old_key = tuple(old.get(c, "") for c in key_cols)
        if old.get("disupresi") == "true" or _int(old.get(meta["measure"])) is None:
            prev_hidden_keys.add(old_key)
        else:
            prev_value[old_key][tuple(old.get(c, "") for c in time_cols)] = _int(old.get(meta["measure"])) or 0

    def at_least(i: int) -> float:
        """The cell's value, or the least a hidden one can be."""
        v = value[i]
        return floor if v is None else v

    def exposed(i: int) -> bool:
        """The reader can read this cell's value in the previous version (same period, same value)."""
        return value[i] is not None and prev_value.get(keyed[i], {}).get(period[i]) == value[i]

    groups: list[list[int]] = []
    for margin in policy.margins:
        idx = [names.index(c) for c in margin]
        by: dict[tuple, list[int]] = defaultdict(list)
        for i, r in enumerate(rows):
            by[tuple(r[j] for j in idx)].append(i)
        groups.extend(by.values())
    groups_of: dict[int, list[int]] = defaultdict(list)
    for k, g in enumerate(groups):
        for i in g:
            groups_of[i].append(k)
    by_key: dict[tuple, list[int]] = defaultdict(list)
    for i in range(n):
        by_key[keyed[i]].append(i)

    reason: dict[int, str] = {}

    def hide(i: int, why: str) -> None:
        hidden.add(i)
        reason[i] = why

    def complement(g: list[int]) -> bool:
        choices = [i for i in g if i not in hidden and (value[i] or 0) > lower and not exposed(i)]
        if not choices and policy.full_grid:  # a published 0 of a complete grid, hidden, may be any count
            choices = [i for i in g if i not in hidden and not exposed(i)]
        if not choices:
            return False
        hide(min(choices, key=lambda i: (value[i], keyed[i], period[i])), "complementary")
        return True

    for i in range(n):
        if i not in hidden and keyed[i] in prev_hidden_keys:
            hide(i, "consistency")
    unprotectable: set[int] = set()
    inherent: set[int] = set()
    checked: set[int] = set()
    weak: list[int] = []
    for _ in range(n + 1):
        changed = True
        while changed:
            changed = False
            for key in {keyed[i] for i in hidden}:
                for i in by_key[key]:
                    if i not in hidden:
                        hide(i, "consistency")
                        changed = True
            for k, g in enumerate(groups):
                free = [i for i in g if i in hidden and not exposed(i)]
                if not free:
                    continue
                slack = sum(at_least(i) - lower for i in free)
                if (len(free) < 2 or slack < policy.width) and k not in unprotectable:
                    if complement(g):
                        changed = True
                    else:
                        unprotectable.add(k)
        if len(hidden) > AUDIT_LIMIT:  # too large to solve here: the group rule stands (tests audit it)
            report.audited = False
            weak = []
            break
        # audit: the reader's exact intervals, unknown counts at their worst case (the lower bound)
        worst = [at_least(i) for i in range(n)]
        totals = [sum(worst[i] for i in g) for g in groups]
        known = {i: float(worst[i]) for i in range(n) if i not in hidden or exposed(i)}
        weak = [c for c, (lo, hi) in bounds(groups, totals, known, lower).items() if hi - lo < policy.width]
        # a cell the margins pin even with the whole table hidden (an OPD of 2 people in 2 rows): no pattern
        # protects it; it is reported, not chased with complements that cannot help
        new = [c for c in weak if c not in checked]
        if new:
            alone = {i: float(worst[i]) for i in range(n) if exposed(i)}
            pinned = bounds(groups, totals, alone, lower, cells=new)
            inherent.update(c for c in new if pinned[c][1] - pinned[c][0] < policy.width)
            checked.update(new)
        weak = [c for c in weak if c not in inherent]
        if not weak:
            break
        added = [next((True for k in groups_of[c] if complement(groups[k])), False) for c in weak]
        if not any(added):
            break
    if not report.audited:  # cells of the groups the group rule could not complete
        inherent = {i for k in unprotectable for i in groups[k] if i in hidden and value[i] is None}
    # a cell that is by itself a group the reader knows (a group not broken down, SEMUA) tells nothing more
    known_totals = {g[0] for g in groups if len(g) == 1}
    report.unprotectable = sorted(" / ".join(keyed[c] + period[c]) for c in (inherent | set(weak)) - known_totals)
    out = []
    for i, r in enumerate(rows):
        r = list(r)
        if i in hidden:
            r[measure], r[flag] = None, True
        out.append(r)
    report.complementary = sum(1 for w in reason.values() if w == "complementary")
    report.consistency = sum(1 for w in reason.values() if w == "consistency")
    return out, report
