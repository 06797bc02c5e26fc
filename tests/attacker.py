"""A reader who tries to recover the hidden cells of a published person-based table (issue 15, acceptance 3).

Written apart from satudata/publish/disclosure.py (its own linear programmes), with more than a reader has:
the true total of every margin group the model declares (`kontrol_pengungkapan.margin`), every value of the
table that is published, and the previous version with its margins: a cell that did not change between
the two versions is one unknown in both, so a value one version publishes and the other hides is known,
and the two systems of equations are solved together (differencing two versions). Two months are
attacked together: all periods' equations are solved at once, and `neighbours_published` lists hidden
cells whose value this version publishes for the month before or after (the reader's best estimate of
a cell that moves slowly); the publisher must leave none. A hidden cell is recovered when its interval
[min, max] under all those equations, cells at least `lower` (1; 0 in a complete grid), is narrower than
`width` (threshold - 1): the reader then pins it to fewer values than the threshold hides.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from scipy.optimize import linprog

Key = tuple[str, ...]


def attack(
    rows: Sequence[dict[str, str]],
    truth: dict[Key, int],
    dims: Sequence[str],
    time: Sequence[str],
    margins: Sequence[Sequence[str]],
    measure: str = "jumlah_pegawai",
    previous: Sequence[dict[str, str]] = (),
    previous_truth: dict[Key, int] | None = None,
    lower: float = 1.0,
    cells: set[Key] | None = None,
) -> dict[Key, tuple[float, float]]:
    """[min, max] of every hidden cell (keyed by `dims` values) of this version. With the previous version
    (and the truth it was made from), the reader also has its published values and its margin equations,
    and a cell that did not change between the versions is one unknown in both (differencing versions).
    `cells`: only these cells' intervals (the others still take part in the equations)."""
    versions = [("now", rows, truth)]
    if previous:
        versions.append(("old", previous, previous_truth or {}))
    var: dict[tuple[str, Key], tuple[str, Key]] = {}
    known: dict[tuple[str, Key], float] = {}
    equations: list[tuple[list[tuple[str, Key]], float]] = []
    for name, table, true in versions:
        key = {tuple(r[c] for c in dims): r for r in table}
        assert set(key) == set(true), f"the published rows of {name} are not the cells of its truth"
        for k, r in key.items():
            same = name == "old" and truth.get(k) == true[k]
            var[(name, k)] = ("now", k) if same else (name, k)
            if r["disupresi"] != "true":
                assert float(r[measure]) == true[k], "a published value differs from the truth"
                known[var[(name, k)]] = float(r[measure])
            else:
                assert r[measure] == ""
        for margin in margins:
            m = [dims.index(c) for c in margin]
            groups: dict[tuple, list[Key]] = defaultdict(list)
            for k in key:
                groups[tuple(k[i] for i in m)].append(k)
            for members in groups.values():
                free = [var[(name, k)] for k in members if var[(name, k)] not in known]
                total = sum(true[k] for k in members)
                equations.append((free, total - sum(known.get(var[(name, k)], 0.0) for k in members)))
    # published values learnt from a later table: move them out of the equations
    equations = [
        ([v for v in free if v not in known], b - sum(known[v] for v in free if v in known)) for free, b in equations
    ]
    equations = [(free, b) for free, b in equations if free]
    hidden = [("now", k) for k in truth if ("now", k) not in known]
    # independent systems (cells linked by no equation) are solved apart
    parent = {v: v for v in {v for free, _ in equations for v in free} | set(hidden)}

    def find(v):
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for free, _ in equations:
        for v in free[1:]:
            parent[find(v)] = find(free[0])
    systems: dict = defaultdict(lambda: ([], []))
    for v in parent:
        systems[find(v)][0].append(v)
    for eq in equations:
        systems[find(eq[0][0])][1].append(eq)
    out: dict[Key, tuple[float, float]] = {}
    for unknown, eqs in systems.values():
        index = {v: i for i, v in enumerate(unknown)}
        a_eq = [[0.0] * len(unknown) for _ in eqs]
        for row, (free, _) in zip(a_eq, eqs, strict=True):
            for v in free:
                row[index[v]] += 1.0
        b_eq = [b for _, b in eqs]
        box = [(lower, None)] * len(unknown)
        for v in unknown:
            if v[0] != "now" or (cells is not None and v[1] not in cells):
                continue
            c = [0.0] * len(unknown)
            c[index[v]] = 1.0
            lo = linprog(c, A_eq=a_eq or None, b_eq=b_eq or None, bounds=box, method="highs")
            c[index[v]] = -1.0
            hi = linprog(c, A_eq=a_eq or None, b_eq=b_eq or None, bounds=box, method="highs")
            assert lo.status in (0, 3) and hi.status in (0, 3), "the reader's equations have no solution"
            out[v[1]] = (lo.fun, float("inf") if hi.status == 3 else -hi.fun)
    return out


def neighbours_published(rows: Sequence[dict[str, str]], dims: Sequence[str], time: Sequence[str]) -> list[Key]:
    """Hidden cells whose cell (the key without time) is published for the month before or after."""
    t_pos = [dims.index(c) for c in time]
    rest = [i for i in range(len(dims)) if i not in t_pos]
    cells = []
    for r in rows:
        k = tuple(r[c] for c in dims)
        cells.append((tuple(k[i] for i in rest), tuple(k[i] for i in t_pos), r["disupresi"] == "true"))
    periods = sorted({p for _, p, _ in cells})
    shown = {(cell, p) for cell, p, hidden in cells if not hidden}
    out = []
    for cell, p, hidden in cells:
        j = periods.index(p)
        near = [periods[i] for i in (j - 1, j + 1) if 0 <= i < len(periods)]
        if hidden and any((cell, q) in shown for q in near):
            out.append(cell + p)
    return out


def recovered(
    intervals: dict[Key, tuple[float, float]], width: int, sensitive: set[Key] | None = None
) -> dict[Key, tuple[float, float]]:
    """The hidden cells (the sensitive ones, when given) the reader pins to fewer than `width` + 1 values."""
    return {
        k: (lo, hi)
        for k, (lo, hi) in intervals.items()
        if hi - lo < width - 1e-6 and (sensitive is None or k in sensitive)
    }
