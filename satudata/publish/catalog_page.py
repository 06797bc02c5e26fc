"""`published/index.html`: the public catalogue page. One self-contained file: inline CSS, charts as
inline SVG drawn here from each current data.csv, no script and nothing fetched (a Content
Security Policy says so), so it works offline and from a plain file server.

Per dataset: title, description, producer, frequency, unit, version and release date, validation
status, small-cell suppression note, download links (CSV, datapackage.json, metadata.json), earlier
versions, and a small chart of the measure (over time when the data has months, semesters or years;
otherwise by OPD). Datasets the pipeline knows but has never published are listed as not yet available.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from satudata.config import Settings

MEAN_UNITS = {"PERSEN", "INDEKS", "SKOR", "HARI"}
WILAYAH = {"kode_provinsi", "nama_provinsi", "kode_kabupaten_kota", "nama_kabupaten_kota"}
BULAN = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
STATUS = {"passed": ("Lolos validasi", "ok"), "passed_with_warnings": ("Lolos validasi, dengan catatan", "warn")}
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

CSS = """
:root{--ink:#1d2733;--muted:#5b6775;--line:#d8dee6;--bg:#f5f7fa;--accent:#0b5cab;--ok:#1b7f3b;--warn:#a15c00}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;
color:var(--ink);background:var(--bg)}header{background:#0b3d6e;color:#fff;padding:20px 28px}
header h1{margin:0 0 4px;font-size:24px}header p{margin:0;opacity:.85}
main{padding:20px 28px;max-width:1280px;margin:auto}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:16px}
article{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 18px;
display:flex;flex-direction:column}
article h2{font-size:17px;margin:0 0 6px;line-height:1.3}.desc{color:var(--muted);font-size:13.5px;margin:0 0 10px}
dl{display:grid;grid-template-columns:auto 1fr;gap:2px 12px;margin:0 0 10px;font-size:13px}
dt{color:var(--muted)}dd{margin:0}
.badge{display:inline-block;border-radius:10px;padding:1px 9px;font-size:12px;font-weight:600;color:#fff}
.badge.ok{background:var(--ok)}.badge.warn{background:var(--warn)}.badge.none{background:#77808a}
.note{font-size:12.5px;color:var(--warn);margin:4px 0}.links a{margin-right:12px;font-size:13.5px}
a{color:var(--accent)}svg{display:block;margin:6px 0 8px;max-width:100%;height:auto}
.chart-title{font-size:12px;color:var(--muted);margin-top:4px}details{font-size:12.5px;color:var(--muted);margin-top:6px}
footer{color:var(--muted);font-size:12.5px;padding:10px 28px 28px;max-width:1280px;margin:auto}
ul.pending{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 32px}
"""


def fmt(value: float) -> str:
    """Indonesian number format: 1.234.567,5."""
    text = f"{value:,.2f}" if abs(value) < 1000 and value != int(value) else f"{value:,.0f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def _number(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def chart_series(rows: list[dict], measure: str, satuan: str) -> tuple[list[tuple[str, float]], str]:
    """(label, value) points for the small chart, and what they are."""
    if not rows or measure not in rows[0]:
        return [], ""
    mean = satuan.upper() in MEAN_UNITS or measure.startswith(("persentase", "ikm", "capaian", "rata"))
    cols = rows[0].keys()
    if "periode" in cols:
        key, what = (lambda r: r["periode"]), "per periode"
    elif "bulan" in cols:
        key, what = (lambda r: f"{r.get('tahun', '')}-{int(r['bulan']):02d}" if r["bulan"] else ""), "per bulan"
    elif "semester" in cols:
        key, what = (lambda r: f"{r.get('tahun', '')} S{r['semester']}"), "per semester"
    elif "tahun" in cols and len({r["tahun"] for r in rows}) > 1:
        key, what = (lambda r: r["tahun"]), "per tahun"
    elif "nama_opd" in cols:
        key, what = (lambda r: r["nama_opd"]), "per perangkat daerah"
    elif dims := [
        c
        for c in cols
        if c not in WILAYAH
        and c not in (measure, "satuan")
        and not c.startswith(("kode_", "nama_", "jumlah", "persentase"))
        and 1 < len({r[c] for r in rows}) <= 30
        and all(_number(r[c]) is None for r in rows)
    ]:
        key, what = (lambda r: r[dims[0]]), f"per {dims[0]}"
    else:
        return [], ""
    groups: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        v = _number(r.get(measure, ""))
        k = key(r)
        if v is not None and k:
            groups[k].append(v)
    points = [(k, sum(v) / len(v) if mean else sum(v)) for k, v in groups.items()]
    if not what.startswith(("per periode", "per bulan", "per semester", "per tahun")):
        points = sorted(points, key=lambda p: -p[1])[:8]
    else:
        points = sorted(points)[-24:]
    return points, f"{'rata-rata' if mean else 'jumlah'} {measure} {what}"


def _label(text: str) -> str:
    if len(text) == 7 and text[4] == "-" and text[5:].isdigit() and 1 <= int(text[5:]) <= 12:
        return f"{BULAN[int(text[5:]) - 1]} {text[:4]}"
    return text if len(text) <= 18 else text[:17] + "…"


def svg_chart(points: list[tuple[str, float]], title: str, width: int = 360, height: int = 150) -> str:
    """A bar chart as inline SVG: bars with tooltips, the largest value, the first and last label."""
    if not points:
        return '<p class="chart-title">Belum ada nilai untuk digambar.</p>'
    left, right, top, bottom = 8, 8, 18, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = max(max(v for _, v in points), 0) or 1.0
    low_value = min(min(v for _, v in points), 0)
    span = top_value - low_value or 1.0
    step = plot_w / len(points)
    bar_w = max(step * 0.78, 1.0)
    zero_y = top + plot_h * top_value / span
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{html.escape(title)}">',
        f'<line x1="{left}" y1="{zero_y:.1f}" x2="{width - right}" y2="{zero_y:.1f}" stroke="#9aa5b1"/>',
    ]
    for i, (label, value) in enumerate(points):
        x = left + i * step + (step - bar_w) / 2
        y = top + plot_h * (top_value - max(value, 0)) / span
        h = abs(value) * plot_h / span
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{max(h, 0.5):.1f}" '
            f'fill="#0b5cab"><title>{html.escape(label)}: {fmt(value)}</title></rect>'
        )
    parts.append(f'<text x="{left}" y="12" font-size="11" fill="#5b6775">maks {fmt(max(v for _, v in points))}</text>')
    parts.append(
        f'<text x="{left}" y="{height - 10}" font-size="11" fill="#5b6775">{html.escape(_label(points[0][0]))}</text>'
    )
    if len(points) > 1:
        parts.append(
            f'<text x="{width - right}" y="{height - 10}" font-size="11" fill="#5b6775" '
            f'text-anchor="end">{html.escape(_label(points[-1][0]))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def dataset_card(published: Path, entry: dict, last_status: str | None) -> str:
    dataset_id, version = entry["dataset_id"], entry["version"]
    folder = published / dataset_id / version
    md = _read_json(folder / "metadata.json")
    rows = list(csv.DictReader(io.StringIO((folder / "data.csv").read_text(encoding="utf-8"))))
    measure = md.get("ukuran") or ""
    points, what = chart_series(rows, measure, md.get("satuan", ""))
    e = html.escape
    validation = md.get("validasi", {})
    label, css = STATUS.get(validation.get("status", ""), (validation.get("status", "tidak diketahui"), "none"))
    base = f"{dataset_id}/{version}/"
    notes = []
    if last_status == "blocked":
        notes.append("Pembaruan terakhir tertahan oleh pemeriksaan sebelum terbit; versi ini tetap berlaku.")
    if entry.get("reverted_from"):
        notes.append(f"Dikembalikan ke versi ini dari {e(entry['reverted_from'])} pada {e(entry['reverted_at'][:10])}.")
    suppression = md.get("supresi_sel_kecil", {})
    if what and suppression.get("diterapkan") and measure in suppression.get("kolom", []):
        what += " (sel yang disupresi tidak dihitung)"
    if suppression.get("diterapkan"):
        notes.append(
            f"Jumlah di bawah {suppression['ambang']} orang disembunyikan untuk melindungi data pribadi "
            f"({suppression.get('jumlah_baris_disupresi', 0)} baris)."
        )
    history = _read_json(published / dataset_id / "versions.json").get("versions", [])
    earlier = [v for v in history if v["version"] != version]
    earlier_html = ""
    if earlier:
        items = ", ".join(
            f'<a href="{e(dataset_id)}/{e(v["version"])}/data.csv">{e(v["version"])}</a>'
            + (" (ditarik)" if v.get("status") == "withdrawn" else "")
            for v in reversed(earlier)
        )
        earlier_html = f"<details><summary>Versi sebelumnya</summary>{items}</details>"
    warnings = validation.get("warnings") or []
    warn_html = ""
    if warnings:
        warn_html = (
            "<details><summary>Catatan validasi</summary><ul>"
            + "".join(f"<li>{e(w)}</li>" for w in warnings)
            + "</ul></details>"
        )
    periode = ""
    if md.get("periode_awal"):
        periode = f"{md['periode_awal']} s.d. {md['periode_akhir']}"
    return f"""<article id="{e(dataset_id)}">
<h2>{e(md.get("judul", dataset_id))}</h2>
<p class="desc">{e(md.get("deskripsi", ""))}</p>
<dl><dt>Produsen data</dt><dd>{e(md.get("produsen_data", ""))}</dd>
<dt>Wilayah</dt><dd>{e(", ".join(md.get("cakupan", [])))}</dd>
<dt>Periode</dt><dd>{e(periode)}</dd>
<dt>Frekuensi</dt><dd>{e(md.get("frekuensi", ""))}</dd><dt>Satuan</dt><dd>{e(md.get("satuan", ""))}</dd>
<dt>Versi</dt><dd>{e(version)}, rilis {e(md.get("tanggal_rilis", ""))}, {fmt(md.get("jumlah_baris", 0))} baris</dd>
<dt>Validasi</dt><dd><span class="badge {css}">{e(label)}</span></dd></dl>
{"".join(f'<p class="note">{n}</p>' for n in notes)}
<div class="chart-title">{e(what)}</div>
{svg_chart(points, what)}
<p class="links"><a href="{e(base)}data.csv" download>Unduh CSV</a>
<a href="{e(base)}datapackage.json">datapackage.json</a>
<a href="{e(base)}metadata.json">metadata.json</a></p>
{earlier_html}{warn_html}
</article>"""


def render_page(settings: Settings, catalog: dict, titles: dict[str, dict]) -> str:
    last = catalog.get("last_run", {}).get("datasets", {})
    cards = [
        dataset_card(settings.published, entry, last.get(dataset_id))
        for dataset_id, entry in sorted(catalog["datasets"].items(), key=lambda kv: kv[1].get("judul", kv[0]))
    ]
    pending = sorted((set(titles) | set(last)) - set(catalog["datasets"]))
    pending_html = ""
    if pending:
        items = "".join(f"<li>{html.escape(titles.get(p, {}).get('judul', p))}</li>" for p in pending)
        pending_html = f'<h2>Belum tersedia</h2><ul class="pending">{items}</ul>'
    updated = catalog.get("updated_at") or datetime.now(UTC).isoformat(timespec="seconds")
    return f"""<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Katalog Satu Data</title>
<style>{CSS}</style>
</head>
<body>
<header><h1>Katalog Satu Data</h1>
<p>Data terbuka perangkat daerah: agregat yang lolos validasi, pemeriksaan data pribadi dan persetujuan PPID.
Lisensi CC-BY-4.0.</p></header>
<main>
<p>{len(cards)} dataset terbit &middot; diperbarui {html.escape(updated[:16].replace("T", " "))} UTC &middot;
<a href="catalog.jsonld">Katalog DCAT (JSON-LD)</a> &middot; <a href="catalog.json">catalog.json</a></p>
<div class="grid">
{"".join(cards)}
</div>
{pending_html}
</main>
<footer>Walidata: Dinas Komunikasi dan Informatika. Setiap versi tetap tersedia; tautan unduhan menunjuk versi
yang berlaku. Sel CSV yang diawali =, +, -, @ diberi awalan ' agar aman dibuka di aplikasi lembar kerja.</footer>
</body>
</html>
"""


def write_page(settings: Settings, catalog: dict, titles: dict[str, dict] | None = None) -> Path:
    path = settings.published / "index.html"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(render_page(settings, catalog, titles or {}), encoding="utf-8")
    tmp.replace(path)
    return path
