"""The auditors' report of one run: $SATUDATA_OUT/reports/audit/index.html (and rules.html beside it).

For Inspektorat / BPK: what was received from whom (on time, late, missing), rows read, loaded
and quarantined, every rule of the catalogue with its result and failing examples (provided,
expected, difference), the reconciliations, what was published or blocked and why; charts
(absorption by OPD, the early warning of realisasi against the anggaran kas, quarantine by rule,
completeness heat map) as inline SVG, so the page works offline. Everything is read from the audit
schema (and the absorption and early-warning marts); the key figures carry `data-key` attributes so a
test can compare the page with the tables.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter, defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from satudata.config import Settings
from satudata.publish.gate import opd_names
from satudata.publish.publishers import ZONES as ZONE_NAMES
from satudata.report import runs
from satudata.rules import CATEGORIES, catalogue, catalogue_hash, dbt_vars
from satudata.rules import doc as rules_doc
from satudata.warehouse import connect

log = logging.getLogger(__name__)

STATUS_ORDER = {"missing": 0, "late": 1, "partial": 2, "on_time": 3}
STATUS_COLOR = {"missing": "#c62828", "late": "#b7791f", "partial": "#e0a526", "on_time": "#1a7f37", None: "#eef0f3"}
LISTED = 200  # rows of a long list shown on the page
SERAPAN_SHOWN = 30  # OPD in the absorption chart (the lowest)
PERINGATAN_SHOWN = 30  # OPD in the early-warning chart (the furthest behind their cash plan)
BULAN = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agt", "Sep", "Okt", "Nov", "Des")
BAND_COLOR = {"HIJAU": "#1a7f37", "KUNING": "#e0a526", "MERAH": "#c62828", "TANPA_RENCANA": "#b8bec7"}


def _rows(conn: Any, sql: str, *args: Any) -> list[dict[str, Any]]:
    cur = conn.execute(sql, args)
    names = [d.name for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _table_exists(conn: Any, name: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (name,)).fetchone()[0]


# ---- charts (inline SVG) ---------------------------------------------------------------------


def bar_chart(
    items: list[tuple[str, float]],
    *,
    title: str,
    unit: str = "",
    width: int = 620,
    color: str = "#2f6f9f",
    limit: float | None = None,
    digits: int = 1,
) -> Markup:
    """Horizontal bars, one per (label, value); `limit` draws a reference line (e.g. 100%)."""
    if not items:
        return Markup(f'<p class="muted">{escape(title)}: no data in this run.</p>')
    bar, gap, label_w, top = 16, 4, 250, 8
    height = top + len(items) * (bar + gap) + 24
    top_value = max([v for _, v in items] + [limit or 0, 1e-9])
    plot_w = width - label_w - 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(items):
        y = top + i * (bar + gap)
        w = max(plot_w * value / top_value, 0.5)
        short = label if len(label) <= 36 else label[:35] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 12}" font-size="11" text-anchor="end">{escape(short)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar}" fill="{color}">'
            f"<title>{escape(label)}: {value:,.2f}{escape(unit)}</title></rect>"
            f'<text x="{label_w + w + 4:.1f}" y="{y + 12}" font-size="11">{value:,.{digits}f}{escape(unit)}'
            f"</text>"
        )
    if limit is not None:
        x = label_w + plot_w * limit / top_value
        parts.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 18}" stroke="#c62828" '
            f'stroke-dasharray="4 3"/><text x="{x:.1f}" y="{height - 6}" font-size="10" '
            f'text-anchor="middle" fill="#c62828">{limit:g}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def heat_map(rows: list[str], cols: list[str], cells: dict[tuple[str, str], str], *, title: str) -> Markup:
    """Completeness heat map: one row per pemda/OPD, one column per dataset, the worst status."""
    if not rows or not cols:
        return Markup(f'<p class="muted">{escape(title)}: no expected submissions (no source registry).</p>')
    cell, label_w, head = 22, 190, 120
    width, height = max(label_w + len(cols) * cell + 90, label_w + 370), head + len(rows) * cell + 30
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for j, col in enumerate(cols):
        x = label_w + j * cell + cell / 2
        parts.append(
            f'<text x="{x:.0f}" y="{head - 6}" font-size="10" transform="rotate(-60 {x:.0f} {head - 6})">'
            f"{escape(col)}</text>"
        )
    for i, row in enumerate(rows):
        y = head + i * cell
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" font-size="11" text-anchor="end">{escape(row)}</text>')
        for j, col in enumerate(cols):
            status = cells.get((row, col))
            parts.append(
                f'<rect x="{label_w + j * cell}" y="{y}" width="{cell - 2}" height="{cell - 2}" '
                f'fill="{STATUS_COLOR[status]}"><title>{escape(row)} · {escape(col)}: '
                f"{escape(status or 'not expected')}</title></rect>"
            )
    y = head + len(rows) * cell + 16
    for k, status in enumerate(("on_time", "late", "partial", "missing")):
        parts.append(
            f'<rect x="{label_w + k * 90}" y="{y - 10}" width="12" height="12" fill="{STATUS_COLOR[status]}"/>'
            f'<text x="{label_w + k * 90 + 16}" y="{y}" font-size="11">{status}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def band(realisasi: Decimal, rencana: Decimal, kuning: Decimal, merah: Decimal) -> str:
    """The early-warning band of cumulative realisasi against the cumulative cash plan (as
    fct_peringatan_anggaran_kas: below `merah` percent MERAH, below `kuning` KUNING, else HIJAU)."""
    if not rencana:
        return "TANPA_RENCANA"
    return "MERAH" if realisasi < merah / 100 * rencana else "KUNING" if realisasi < kuning / 100 * rencana else "HIJAU"


def warning_grid(
    rows: list[str],
    cells: dict[tuple[str, int], tuple[float | None, str]],
    *,
    title: str,
    kuning: Decimal,
    merah: Decimal,
) -> Markup:
    """Early warning: one row per OPD (or pemda x program prioritas), one column per month (Jan-Des), the
    cell coloured by band and labelled with realisasi kumulatif as a percentage of the cash plan."""
    if not rows:
        return Markup(
            f'<p class="muted">{escape(title)}: tidak ada data anggaran kas pada run ini / no anggaran kas '
            f"in this run.</p>"
        )
    cell_w, cell_h, label_w, head = 44, 20, 280, 30
    width, height = label_w + 12 * cell_w + 10, head + len(rows) * cell_h + 48
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<text x="{label_w + 6 * cell_w}" y="10" font-size="10" text-anchor="middle">Bulan (realisasi kumulatif '
        f"/ rencana kas kumulatif, persen)</text>",
    ]
    for m, name in enumerate(BULAN):
        parts.append(
            f'<text x="{label_w + m * cell_w + cell_w / 2:.0f}" y="{head - 6}" font-size="10" '
            f'text-anchor="middle">{name}</text>'
        )
    for i, row in enumerate(rows):
        y = head + i * cell_h
        short = row if len(row) <= 44 else row[:43] + "…"
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" font-size="11" text-anchor="end">{escape(short)}</text>')
        for m in range(1, 13):
            if (row, m) not in cells:
                continue
            pct, status = cells[(row, m)]
            shown = "–" if pct is None else f"{pct:.0f}%"
            parts.append(
                f'<rect x="{label_w + (m - 1) * cell_w}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" '
                f'fill="{BAND_COLOR[status]}" data-band="{status}"><title>{escape(row)} · {BULAN[m - 1]}: '
                f"{shown} dari rencana kas ({status})</title></rect>"
                f'<text x="{label_w + (m - 1) * cell_w + cell_w / 2 - 1:.0f}" y="{y + 13}" font-size="9" '
                f'text-anchor="middle" fill="#fff">{shown}</text>'
            )
    y = head + len(rows) * cell_h + 18
    legend = (
        (f"HIJAU: ≥ {kuning:g}% rencana", "HIJAU"),
        (f"KUNING: {merah:g}–{kuning:g}%", "KUNING"),
        (f"MERAH: < {merah:g}%", "MERAH"),
        ("tanpa rencana kas", "TANPA_RENCANA"),
    )
    for k, (text, status) in enumerate(legend):
        parts.append(
            f'<rect x="{label_w + k * 150 - 120}" y="{y - 10}" width="12" height="12" '
            f'fill="{BAND_COLOR[status]}"/><text x="{label_w + k * 150 - 104}" y="{y}" font-size="10">'
            f"{escape(text)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


# ---- data ------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value


def _examples(rule_columns: tuple[str, ...], examples: Any) -> tuple[list[str], list[list[Any]]]:
    """Failing examples as a table: the rule's report columns first, then any others."""
    rows = examples if isinstance(examples, list) else json.loads(examples or "[]")
    if rows and not isinstance(rows[0], dict):
        return ["value"], [[_plain(v)] for v in rows]
    cols = list(rule_columns) if rows and any(c in rows[0] for c in rule_columns) else []
    for r in rows:
        cols += [k for k in r if k not in cols]
    return cols, [[_plain(r.get(c)) for c in cols] for r in rows]


def collect(conn: Any, settings: Settings, run_id: str) -> dict[str, Any]:
    run = _rows(conn, "select * from audit.pipeline_run where run_id = %s", run_id)
    files = _rows(
        conn,
        """
        select sf.file_id, rf.relpath, rf.land_status, sf.kode_pemda, sf.opd, sf.dataset, sf.sha256, sf.size_bytes,
               sf.received_at, sf.status, coalesce(sf.rows_read, 0) as rows_read,
               coalesce(sf.rows_loaded, 0) as rows_loaded, coalesce(sf.rows_quarantined, 0) as rows_quarantined,
               coalesce(sf.rows_set_aside, 0) as rows_set_aside, sf.reasons
        from audit.run_file rf join audit.source_file sf using (file_id)
        where rf.run_id = %s order by sf.kode_pemda, sf.opd, sf.dataset, rf.relpath""",
        run_id,
    )
    file_ids = [f["file_id"] for f in files]
    quarantine_by_rule = _rows(
        conn,
        """
        select rule_id, count(distinct (file_id, row_number)) as rows from audit.row_finding
        where file_id = any(%s) and severity = 'fatal' group by 1 order by 2 desc, 1""",
        file_ids,
    )
    quarantine_current = _rows(
        conn,
        """
        select q.rule_id, count(distinct (q.file_id, q.row_number)) as rows
        from audit.quarantine q join audit.source_file f using (file_id)
        where f.superseded_by is null and f.status in ('loaded', 'loaded_with_warnings')
        group by 1 order by 2 desc, 1""",
    )
    quarantined = _rows(
        conn,
        """
        select sf.path, q.row_number, q.rule_id, q.column_name, q.provided_value, q.expected
        from audit.quarantine q join audit.source_file sf using (file_id)
        where q.file_id = any(%s) order by sf.path, q.row_number, q.rule_id limit %s""",
        file_ids,
        LISTED,
    )
    expected = _rows(
        conn,
        """
        select kode_pemda, opd, dataset, periode, deadline, status, partial, first_received_at, days_late,
               rows_loaded, rows_quarantined
        from audit.expected_submission_history where run_id = %s
        order by dataset, kode_pemda, opd, periode""",
        run_id,
    )
    results = _rows(
        conn,
        """
        select rule_id, dataset, severity, success, failing_count, examples, outcome, kind
        from audit.rule_result where run_id = %s order by rule_id, dataset""",
        run_id,
    )
    pubs = _rows(
        conn,
        """
        select kode_pemda, dataset_id, status, status_color, version, row_count, content_hash, reasons, warnings,
               incomplete, held_reason, held_by, actor, git_commit, dbt_manifest_hash, rule_catalogue_hash
        from audit.publication where run_id = %s order by kode_pemda, dataset_id""",
        run_id,
    )
    approvals = _rows(
        conn,
        """
        select kode_pemda, decision, approved_by, responded_at, method, details
        from audit.publication_approval where run_id = %s order by kode_pemda""",
        run_id,
    )
    quarantine_by_pemda = _rows(
        conn,
        """
        select sf.kode_pemda, r.rule_id, count(distinct (r.file_id, r.row_number)) as rows
        from audit.row_finding r join audit.source_file sf using (file_id)
        where r.file_id = any(%s) and r.severity = 'fatal' group by 1, 2 order by 1, 3 desc, 2""",
        file_ids,
    )
    serapan = []
    if _table_exists(conn, "marts.pub_serapan_anggaran"):
        serapan = _rows(
            conn,
            """
            with terakhir as (
                select *, max(bulan) over (partition by kode_kabupaten_kota, tahun) as bulan_terakhir
                from marts.pub_serapan_anggaran
            )
            select nama_kabupaten_kota, coalesce(nama_opd, kode_opd) as opd, tahun, max(bulan) as bulan,
                   sum(realisasi_kumulatif) as realisasi, sum(pagu) as pagu
            from terakhir where bulan = bulan_terakhir
            group by 1, 2, 3 having sum(pagu) > 0
            order by sum(realisasi_kumulatif) / sum(pagu)""",
        )
    peringatan = []
    if _table_exists(conn, "marts.pub_peringatan_anggaran_kas"):
        # the latest year; per OPD (SEMUA) and per pemda x program prioritas (the OPDs' plans and realisasi summed)
        peringatan = _rows(
            conn,
            """
            with terakhir as (
                select * from marts.pub_peringatan_anggaran_kas
                where tahun = (select max(tahun) from marts.pub_peringatan_anggaran_kas)
            )
            select nama_kabupaten_kota, coalesce(nama_opd, kode_opd) as baris, 'SEMUA' as program_prioritas, tahun,
                   bulan, rencana_kumulatif as rencana, realisasi_kumulatif as realisasi
            from terakhir where program_prioritas = 'SEMUA'
            union all
            select nama_kabupaten_kota, program_prioritas, program_prioritas, tahun, bulan,
                   sum(rencana_kumulatif), sum(realisasi_kumulatif)
            from terakhir where program_prioritas <> 'SEMUA'
            group by 1, 2, 3, 4, 5
            order by 1, 3, 2, 5""",
        )
    return {
        "run": run[0] if run else {"run_id": run_id},
        "files": files,
        "quarantine_by_rule": quarantine_by_rule,
        "quarantine_current": quarantine_current,
        "quarantined": quarantined,
        "expected": expected,
        "results": results,
        "pubs": pubs,
        "approvals": approvals,
        "quarantine_by_pemda": quarantine_by_pemda,
        "opd_names": opd_names(conn),  # the OPDs by name: seed lists and the warehouse's marts.dim_opd
        "serapan": serapan,
        "peringatan": peringatan,
    }


STATUS_LABEL = {
    "published": "diterbitkan",
    "unchanged": "tidak berubah",
    "blocked": "diblokir",
    "held": "ditunda PPID",
    "no_data": "tidak ada data",
    "reverted": "dikembalikan",
}
METHOD_LABEL = {
    "auto": "otomatis (SATUDATA_AUTO_APPROVE)",
    "hitl": "PPID di Airflow",
    "hitl_timeout_default": "batas waktu",
}
RUN_WIDE = ""  # publication rows of no publisher (before publishers; a revert of the one shared catalogue)


def _publishers(settings: Settings) -> tuple[Any, ...]:
    from satudata.publish import publishers

    try:
        return publishers.load(settings.publishers_file)
    except publishers.PublisherConfigError as exc:  # the report still shows the run, grouped by what it holds
        log.warning("auditors' report: publishers not read (%s); grouped by kode_pemda only", exc)
        return ()


def by_publisher(data: dict[str, Any], settings: Settings) -> list[dict[str, Any]]:
    """The run per publisher (satudata/publish/publishers.yaml): the files and rows of its pemda (a provinsi:
    of the kab/kota it consolidates), its expected submissions, the rows quarantined, its gate decisions,
    its PPID's answer (published, ditunda PPID with the reason and the approver, blocked) and versions.
    Rows of no configured publisher form a group of their own, so every row of the tables is in one group."""
    from satudata.publish.gate import opd_label
    from satudata.publish.release import public_note
    from satudata.publish.tables import DEFAULT_TIME_ZONE, periode_label, wall_clock
    from satudata.reference import pemda_names

    configured = _publishers(settings)
    groups: dict[str, dict[str, Any]] = {}

    def group(kode: str) -> dict[str, Any]:
        if kode not in groups:
            p = next((p for p in configured if p.kode_pemda == kode), None)
            zone = ZONE_NAMES.get(p.zona_waktu, DEFAULT_TIME_ZONE) if p else DEFAULT_TIME_ZONE
            groups[kode] = {
                "kode_pemda": kode,
                "nama": p.nama if p else (pemda_names().get(kode, "").title() or "tanpa penerbit / no publisher"),
                "configured": p is not None,
                "zona_waktu": p.zona_waktu if p else "WIB",
                "time_zone": zone,
                "members": [kode, *(p.konsolidasi if p else ())],
                "totals": Counter(),
                "expected": Counter(),
                "gaps": [],
                "quarantine": [],
                "pubs": [],
                "colors": Counter(),
                "approval": None,
            }
        return groups[kode]

    for p in configured:
        group(p.kode_pemda)
    owners: dict[str, list[str]] = defaultdict(list)  # kode_pemda of a file -> the publishers of its rows
    for p in configured:
        for member in (p.kode_pemda, *p.konsolidasi):
            owners[member].append(p.kode_pemda)

    def of(kode: str | None) -> list[dict[str, Any]]:
        kode = kode or RUN_WIDE
        return [group(k) for k in owners.get(kode, [kode])]

    for f in data["files"]:
        for g in of(f["kode_pemda"]):
            t = g["totals"]
            t["files"] += 1
            t["files_rejected"] += f["status"] == "rejected"
            for k in ("rows_read", "rows_loaded", "rows_quarantined", "rows_set_aside"):
                t[k] += f[k]
    names = data.get("opd_names") or None
    for e in data["expected"]:
        for g in of(e["kode_pemda"]):
            g["expected"][e["status"]] += 1
            if e["status"] != "on_time" or e["partial"]:
                names = names if names is not None else opd_names()  # the seed cities' lists
                g["gaps"].append(
                    {
                        **e,
                        "opd_nama": opd_label(names, e["kode_pemda"], e["opd"]),
                        "periode_kata": periode_label(e["periode"]),
                    }
                )
    for q in data["quarantine_by_pemda"]:
        for g in of(q["kode_pemda"]):
            g["quarantine"].append(q)
    for a in data["approvals"]:
        g = group(a["kode_pemda"] or RUN_WIDE)
        details = a["details"] if isinstance(a["details"], dict) else json.loads(a["details"] or "{}")
        g["approval"] = {
            **a,
            "chosen": [c for c in details.get("chosen_options") or [] if c],
            "pada": wall_clock(a["responded_at"], g["time_zone"]) if a["responded_at"] else "-",
            "metode": METHOD_LABEL.get(a["method"], a["method"]),
        }
    for p in data["pubs"]:
        g = group(p["kode_pemda"] or RUN_WIDE)
        g["pubs"].append(
            {
                **p,
                "label": STATUS_LABEL.get(p["status"], p["status"]),
                "notes_id": {k: [public_note(x) for x in p[k]] for k in ("reasons", "warnings", "incomplete")},
            }
        )
        g["colors"][p["status_color"] or ("red" if p["status"] == "blocked" else "grey")] += 1
    for g in groups.values():
        g["gaps"] = g["gaps"][:LISTED]
        g["statuses"] = Counter(p["status"] for p in g["pubs"])
    order = {p.kode_pemda: i for i, p in enumerate(configured)}
    return sorted(
        groups.values(), key=lambda g: (g["kode_pemda"] not in order, order.get(g["kode_pemda"], 0), g["kode_pemda"])
    )


def build_context(data: dict[str, Any], settings: Settings, run_id: str, page: Path | None = None) -> dict[str, Any]:
    rules = catalogue()
    files, expected, results, pubs = data["files"], data["expected"], data["results"], data["pubs"]
    totals = {
        "files": len(files),
        "files_rejected": sum(f["status"] == "rejected" for f in files),
        "rows_read": sum(f["rows_read"] for f in files),
        "rows_loaded": sum(f["rows_loaded"] for f in files),
        "rows_quarantined": sum(f["rows_quarantined"] for f in files),
        "rows_set_aside": sum(f["rows_set_aside"] for f in files),
    }
    # what was received from whom
    senders: dict[tuple[str, str], dict[str, Any]] = {}
    for f in files:
        s = senders.setdefault(
            (f["kode_pemda"] or "?", f["opd"] or "?"),
            {
                "kode_pemda": f["kode_pemda"] or "?",
                "opd": f["opd"] or "?",
                "files": 0,
                "datasets": set(),
                "rows_read": 0,
                "rows_loaded": 0,
                "rows_quarantined": 0,
                "rows_set_aside": 0,
                "rejected": 0,
                "unchanged": 0,
            },
        )
        s["files"] += 1
        s["datasets"].add(f["dataset"] or "?")
        s["rejected"] += f["status"] == "rejected"
        s["unchanged"] += f["land_status"] == "duplicate"
        for k in ("rows_read", "rows_loaded", "rows_quarantined", "rows_set_aside"):
            s[k] += f[k]
    pemda: dict[str, dict[str, Any]] = {}
    for (kode, _), snd in sorted(senders.items()):
        p = pemda.setdefault(
            kode,
            {
                "kode_pemda": kode,
                "opd": 0,
                "files": 0,
                "rows_read": 0,
                "rows_loaded": 0,
                "rows_quarantined": 0,
                "rows_set_aside": 0,
                "rejected": 0,
                "unchanged": 0,
            },
        )
        p["opd"] += 1
        for k in ("files", "rows_read", "rows_loaded", "rows_quarantined", "rows_set_aside", "rejected", "unchanged"):
            p[k] += snd[k]
    # completeness
    status_counts = Counter(e["status"] for e in expected)
    partial = sum(1 for e in expected if e["partial"])
    by_dataset: dict[str, Counter] = defaultdict(Counter)
    cells: dict[tuple[str, str], str] = {}
    for e in expected:
        status = "partial" if e["partial"] and e["status"] == "on_time" else e["status"]
        by_dataset[e["dataset"]][e["status"]] += 1
        by_dataset[e["dataset"]]["partial"] += bool(e["partial"])
        key = (f"{e['kode_pemda']} {e['opd']}", e["dataset"])
        if key not in cells or STATUS_ORDER[status] < STATUS_ORDER[cells[key]]:
            cells[key] = status
    heat = heat_map(
        sorted({k[0] for k in cells}),
        sorted({k[1] for k in cells}),
        cells,
        title="Kelengkapan kiriman / completeness (worst period per OPD x dataset)",
    )
    # every rule and its result
    by_rule: dict[str, list[dict]] = defaultdict(list)
    for r in results:
        by_rule[r["rule_id"]].append(r)
    # publisher checks (PII-*) run while publishing: their results are the reasons in audit.publication
    for p in pubs:
        reasons = p["reasons"] if isinstance(p["reasons"], list) else json.loads(p["reasons"] or "[]")
        for rule in rules.values():
            if rule.kind == "publish" and p["status"] != "no_data":
                hits = [r for r in reasons if r.startswith(f"{rule.id} ")]
                by_rule[rule.id].append(
                    {
                        "dataset": p["dataset_id"],
                        "success": not hits,
                        "failing_count": len(hits) or 0,
                        "outcome": "failed" if hits else "passed",
                        "examples": [{"reason": r} for r in hits],
                    }
                )
    rule_rows: list[dict[str, Any]] = []
    for rule in rules.values():
        checked = by_rule.get(rule.id, [])
        failed = [r for r in checked if not r["success"]]
        outcome = (
            "not_run"
            if not checked
            else "error"
            if any(r["outcome"] == "error" for r in failed)
            else "failed"
            if failed
            else "passed"
        )
        examples = []
        for r in failed:
            cols, rows = _examples(rule.columns, r["examples"])
            examples.append({"table": r["dataset"], "count": r["failing_count"], "columns": cols, "rows": rows})
        rule_rows.append(
            {
                "rule": rule,
                "outcome": outcome,
                "checked": [r["dataset"] for r in checked],
                "failing": sum(r["failing_count"] or 0 for r in failed),
                "examples": examples,
                "css": "fail"
                if failed and rule.severity == "fatal"
                else "warn"
                if failed
                else "pass"
                if checked
                else "",
            }
        )
    outcome_counts = Counter(r["outcome"] for r in rule_rows)
    failed_by_severity = Counter(r["rule"].severity for r in rule_rows if r["outcome"] in ("failed", "error"))
    failed_fatal, failed_warning = failed_by_severity["fatal"], failed_by_severity["warning"]
    reconciliations = [r for r in rule_rows if r["rule"].category == "reconciliation"]
    # publications
    for p in pubs:
        for k in ("reasons", "warnings", "incomplete"):
            p[k] = p[k] if isinstance(p[k], list) else json.loads(p[k] or "[]")
        p["reasons"] = [x for x in p["reasons"] if x not in p["warnings"]]  # audit.publication.reasons has both
    colors = Counter(p["status_color"] or ("red" if p["status"] == "blocked" else "grey") for p in pubs)
    publishers_ = by_publisher(data, settings)
    # charts
    serapan_items = [
        (f"{s['opd']} ({s['nama_kabupaten_kota'].title()})", float(s["realisasi"] / s["pagu"] * 100))
        for s in data["serapan"]
    ]
    serapan_items.sort(key=lambda item: item[1])
    serapan_chart = bar_chart(
        serapan_items[:SERAPAN_SHOWN],
        unit="%",
        limit=100,
        title=f"Serapan anggaran: {min(len(serapan_items), SERAPAN_SHOWN)} OPD terendah dari "
        f"{len(serapan_items)} (bulan terakhir), persen",
    )
    kuning = Decimal(str(dbt_vars()["ambang_kas_kuning_persen"]))  # declared once, in dbt_project.yml
    merah = Decimal(str(dbt_vars()["ambang_kas_merah_persen"]))
    opd_cells: dict[tuple[str, int], tuple[float | None, str]] = {}
    tag_cells: dict[tuple[str, int], tuple[float | None, str]] = {}
    last: dict[str, tuple[int, float]] = {}  # OPD row -> (its last month, percent then), to sort by
    for w in data["peringatan"]:
        pct = float(w["realisasi"] / w["rencana"] * 100) if w["rencana"] else None
        cell = (pct, band(w["realisasi"], w["rencana"], kuning, merah))
        if w["program_prioritas"] == "SEMUA":
            row = f"{w['baris']} ({w['nama_kabupaten_kota'].title()})"
            opd_cells[(row, w["bulan"])] = cell
            if w["bulan"] >= last.get(row, (0, 0.0))[0]:
                last[row] = (w["bulan"], pct if pct is not None else 1e9)
        else:
            tag_cells[(f"{w['nama_kabupaten_kota'].title()} · {w['program_prioritas']}", w["bulan"])] = cell
    behind = sorted(last, key=lambda row: (last[row][1], row))[:PERINGATAN_SHOWN]
    latest = Counter(opd_cells[(row, last[row][0])][1] for row in last)
    peringatan_chart = warning_grid(
        behind,
        opd_cells,
        kuning=kuning,
        merah=merah,
        title=f"Peringatan dini anggaran kas: {len(behind)} OPD paling tertinggal dari {len(last)}, seluruh belanja",
    )
    peringatan_tag_chart = warning_grid(
        sorted({row for row, _ in tag_cells}),
        tag_cells,
        kuning=kuning,
        merah=merah,
        title="Peringatan dini anggaran kas per program prioritas (jumlah seluruh OPD per pemda)",
    )
    quarantine_chart = bar_chart(
        [(q["rule_id"], float(q["rows"])) for q in data["quarantine_current"]],
        title="Baris dikarantina per aturan / quarantined rows by rule",
        color="#c62828",
        digits=0,
    )
    reports = settings.reports
    page = page or reports / "audit" / "index.html"  # the latest, or the run's kept copy (report/runs.py)
    kept = runs.report_page(settings, run_id)

    def link(target: Path) -> str | None:
        return os.path.relpath(target, page.parent) if target.exists() else None

    return {
        "run_id": run_id,
        "run": data["run"],
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "catalogue_hash": catalogue_hash(),
        "totals": totals,
        "files": files[:LISTED],
        "files_count": len(files),
        "senders": sorted(senders.values(), key=lambda s: (s["kode_pemda"], s["opd"])),
        "pemda": list(pemda.values()),
        "expected": [e for e in expected if e["status"] != "on_time" or e["partial"]][:LISTED],
        "expected_count": len(expected),
        "status_counts": status_counts,
        "partial": partial,
        "by_dataset": dict(sorted(by_dataset.items())),
        "heat": heat,
        "rule_rows": rule_rows,
        "categories": CATEGORIES,
        "outcome_counts": outcome_counts,
        "failed_fatal": failed_fatal,
        "failed_warning": failed_warning,
        "reconciliations": reconciliations,
        "quarantine_by_rule": data["quarantine_by_rule"],
        "quarantined": data["quarantined"],
        "pubs": pubs,
        "colors": colors,
        "publishers": publishers_,
        "serapan": data["serapan"],
        "serapan_chart": serapan_chart,
        "quarantine_chart": quarantine_chart,
        "peringatan_chart": peringatan_chart,
        "peringatan_tag_chart": peringatan_tag_chart,
        "peringatan_latest": latest,
        "ambang": {"kuning": kuning, "merah": merah},
        "links": {
            "rules": os.path.relpath(reports / "rules.html", page.parent),
            "data_docs": link(reports / "data_docs" / "index.html"),
            "dbt_docs": link(reports / "dbt_docs" / "index.html"),
            "run_summary": link(kept.parent.parent / "run_summary.json"),
            "runs": os.path.relpath(reports / "index.html", page.parent),
            "this_run": os.path.relpath(kept, page.parent),
            "catalog": link(settings.published / "catalog.json"),
        },
    }


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("satudata.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = lambda v: "" if v is None else f"{v:,}".replace(",", ".") if isinstance(v, int) else v
    env.filters["short"] = lambda v, n=12: "" if v is None else str(v)[:n]
    return env


def render(context: dict[str, Any]) -> str:
    return _env().get_template("audit.html.j2").render(**context)


def write_audit_report(settings: Settings, url: str, run_id: str) -> Path:
    """Write reports/audit/index.html for the run, and reports/rules.html it links to."""
    with connect(url) as conn:
        data = collect(conn, settings, run_id)
        decisions = runs.keep_decisions(conn, settings, run_id)
    page = settings.reports / "audit" / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    rules_doc.write(md=None, html=settings.reports / "rules.html")
    kept = runs.report_page(settings, run_id)  # the run's own report first: the latest page links to it
    runs.keep_report(settings, run_id, render(build_context(data, settings, run_id, page=kept)))
    tmp = page.with_suffix(".tmp")
    tmp.write_text(render(build_context(data, settings, run_id)), encoding="utf-8")
    os.replace(tmp, page)
    runs.write_index(settings)
    log.info("auditors' report: %s (kept as %s, decisions %s)", page, kept, decisions)
    return page
