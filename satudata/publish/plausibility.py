"""Plausibility warnings: values that pass every validation rule but that a reader would doubt, found
before publication and shown to the PPID (decision), in the dataset's metadata and on the catalogue.

They never block: a realisasi far above its target may be true (a windfall, a late transfer), but the PPID
and the reader should know before trusting it. Checks, by the columns a published table has:

- realisasi pendapatan above `PENDAPATAN_MAX` % of its target (persentase_realisasi, revenue datasets);
- realisasi belanja above its pagu (persentase_serapan, persentase_realisasi of spending: > 100 %);
- SPM achievement above 100 % (more people served than the target population);
- an IKM that moves more than `IKM_JUMP` points between two consecutive semesters of the same service;
- a negative percentage.

`plausibility_warnings(url, dataset_id)` reads the dataset's `marts.pub_<dataset_id>` table (what would be
published); `check(dataset_id, columns, rows)` does the same on rows already read (the publisher).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

PENDAPATAN_MAX = 150.0  # % of target
BELANJA_MAX = 100.0  # % of pagu
IKM_JUMP = 15.0  # IKM points (scale 25-100) between consecutive semesters
LISTED = 5  # examples named per check
BULAN = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]


def _num(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value) if isinstance(value, int | float | Decimal) else float(str(value))
    except ValueError:
        return None


def _fmt(value: float) -> str:
    return f"{value:,.1f}".replace(",", "_").replace(".", ",").replace("_", ".")


def _where(row: dict) -> str:
    """Who and when a row is about, in words: the OPD (and item) and the period."""
    who = row.get("nama_opd") or row.get("nama_opd_sumber") or row.get("kode_opd") or ""
    item = (
        row.get("nama_jenis_pendapatan")
        or row.get("nama_layanan")
        or row.get("program_prioritas")
        or row.get("nama_indikator")
        or row.get("kode_layanan")
        or row.get("kode_jenis_belanja")
        or ""
    )
    when = ""
    if row.get("periode"):
        when = str(row["periode"])
    elif row.get("bulan") and row.get("tahun"):
        when = f"{BULAN[int(row['bulan']) - 1]} {row['tahun']}"
    elif row.get("semester") and row.get("tahun"):
        when = f"semester {row['semester']} {row['tahun']}"
    elif row.get("tahun"):
        when = str(row["tahun"])
    return ", ".join(str(p) for p in (who, item, when) if p)


def _listed(rows: list[str]) -> str:
    more = f" dan {len(rows) - LISTED} lainnya" if len(rows) > LISTED else ""
    return "; ".join(rows[:LISTED]) + more


def check(dataset_id: str, columns: list[str] | list[tuple[str, str]], rows: list[list[Any]]) -> list[str]:
    """The plausibility warnings of one table (Indonesian, one line per check that found something)."""
    names = [c if isinstance(c, str) else c[0] for c in columns]
    records = [dict(zip(names, r, strict=False)) for r in rows]
    out: list[str] = []

    def over(column: str, limit: float) -> list[dict]:
        return [r for r in records if (v := _num(r.get(column))) is not None and v > limit]

    if "persentase_realisasi" in names and "pendapatan" in dataset_id:
        found = over("persentase_realisasi", PENDAPATAN_MAX)
        if found:
            out.append(
                f"Realisasi pendapatan jauh di atas target (lebih dari {_fmt(PENDAPATAN_MAX)}%) pada "
                f"{len(found)} baris: "
                + _listed([f"{_where(r)}: {_fmt(_num(r['persentase_realisasi']) or 0)}%" for r in found])
                + ". Periksa target atau realisasinya sebelum dipercaya."
            )
    spending = [c for c in ("persentase_serapan",) if c in names]
    if "persentase_realisasi" in names and "pendapatan" not in dataset_id:
        spending.append("persentase_realisasi")
    for column in spending:
        found = over(column, BELANJA_MAX)
        if found:
            out.append(
                f"Realisasi belanja melebihi pagu (lebih dari 100%) pada {len(found)} baris: "
                + _listed([f"{_where(r)}: {_fmt(_num(r[column]) or 0)}%" for r in found])
                + ". Periksa pagu (versi anggaran) atau SP2D yang tercatat ganda."
            )
    if "capaian_persen" in names:
        found = over("capaian_persen", 100.0)
        if found:
            out.append(
                f"Capaian SPM di atas 100% (terlayani lebih banyak dari sasaran) pada {len(found)} indikator: "
                + _listed([f"{_where(r)}: {_fmt(_num(r['capaian_persen']) or 0)}%" for r in found])
                + "."
            )
    if "ikm" in names and "semester" in names:
        series: dict[tuple, list[tuple[int, int, float, dict]]] = defaultdict(list)
        for r in records:
            value = _num(r.get("ikm"))
            if value is not None and r.get("tahun") and r.get("semester"):
                key = (r.get("kode_kabupaten_kota"), r.get("kode_opd"), r.get("kode_layanan"))
                series[key].append((int(r["tahun"]), int(r["semester"]), value, r))
        jumps = []
        for points in series.values():
            points.sort(key=lambda p: (p[0], p[1]))
            for (y0, s0, v0, _), (y1, s1, v1, r1) in zip(points, points[1:], strict=False):
                consecutive = (y1, s1) == ((y0, 2) if s0 == 1 else (y0 + 1, 1))
                if consecutive and abs(v1 - v0) > IKM_JUMP:
                    what = "naik" if v1 > v0 else "turun"
                    jumps.append(
                        f"{_where({**r1, 'semester': None, 'tahun': None})}: {_fmt(v0)} -> {_fmt(v1)} "
                        f"({what} {_fmt(abs(v1 - v0))} poin, semester {s0} {y0} ke semester {s1} {y1})"
                    )
        if jumps:
            out.append(
                f"IKM berubah lebih dari {_fmt(IKM_JUMP)} poin antara dua semester berturut-turut pada "
                f"{len(jumps)} layanan: " + _listed(jumps) + ". Periksa jumlah responden dan isian survei."
            )
    for column in [c for c in names if c.startswith(("persentase", "capaian_persen"))]:
        found = [r for r in records if (v := _num(r.get(column))) is not None and v < 0]
        if found:
            out.append(
                f"Persentase negatif pada kolom {column} di {len(found)} baris: "
                + _listed([f"{_where(r)}: {_fmt(_num(r[column]) or 0)}%" for r in found])
                + "."
            )
    return out


def plausibility_warnings(url: str, dataset_id: str) -> list[str]:
    """The plausibility warnings of what would be published for `dataset_id` now: its table
    `marts.pub_<dataset_id>` in the warehouse at `url` (empty when the table does not exist)."""
    from satudata.publish.tables import read_table

    try:
        columns, rows = read_table(url, f"marts.pub_{dataset_id}", [])
    except LookupError:
        return []
    return check(dataset_id, columns, rows)
