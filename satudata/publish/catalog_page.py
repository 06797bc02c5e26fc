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
from satudata.publish.tables import DEFAULT_TIME_ZONE, wall_clock

MEAN_UNITS = {"PERSEN", "INDEKS", "SKOR", "HARI"}
WILAYAH = {"kode_provinsi", "nama_provinsi", "kode_kabupaten_kota", "nama_kabupaten_kota"}
BULAN = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
STATUS = {"passed": ("Lolos validasi", "ok"), "passed_with_warnings": ("Lolos validasi, dengan catatan", "warn")}
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

CSS = """
:root{--ink:#1d2733;--muted:#5b6775;--line:#d8dee6;--bg:#f5f7fa;--accent:#0b5cab;--ok:#1b7f3b;--warn:#a15c00}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;
color:var(--ink);background:var(--bg);overflow-wrap:anywhere}header{background:#0b3d6e;color:#fff;padding:20px 28px}
header h1{margin:0 0 4px;font-size:24px}header p{margin:0;opacity:.85}
main{padding:20px 28px;max-width:1280px;margin:auto}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,360px),1fr));gap:16px}
article{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 18px;
display:flex;flex-direction:column;min-width:0}
article h2{font-size:17px;margin:0 0 6px;line-height:1.3}.desc{color:var(--muted);font-size:13.5px;margin:0 0 10px}
dl{display:grid;grid-template-columns:auto minmax(0,1fr);gap:2px 12px;margin:0 0 10px;font-size:13px}
dt{color:var(--muted)}dd{margin:0;min-width:0}
.badge{display:inline-block;border-radius:10px;padding:1px 9px;font-size:12px;font-weight:600;color:#fff}
.badge.ok{background:var(--ok)}.badge.warn{background:var(--warn)}.badge.none{background:#77808a}
.note{font-size:12.5px;color:var(--warn);margin:4px 0}.note ul{margin:2px 0;padding-left:18px}
.links a{margin-right:12px;font-size:13.5px;display:inline-block}
a{color:var(--accent)}svg{display:block;margin:6px 0 8px;width:100%;max-width:100%;height:auto}
.chart-title{font-size:13px;font-weight:600;color:var(--ink);margin:8px 0 0}
details{font-size:12.5px;color:var(--muted);margin-top:6px}
footer{color:var(--muted);font-size:12.5px;padding:10px 28px 28px;max-width:1280px;margin:auto}
ul.pending{background:#fff;border:1px solid var(--line);border-radius:8px;padding:12px 32px}
@media (max-width:600px){header{padding:14px 12px}header h1{font-size:20px}main{padding:12px 8px}
article{padding:12px}footer{padding:10px 12px 20px}ul.pending{padding:10px 24px}}
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


SATUAN_WORDS = {"PERSEN": "persen", "RUPIAH": "rupiah", "ORANG": "orang", "INDEKS": "indeks, skala 25-100"}
TIME_KINDS = ("per bulan", "per semester", "per tahun")


def _unit_words(satuan: str) -> str:
    return SATUAN_WORDS.get(satuan.upper(), satuan.lower())


def chart_series(
    rows: list[dict], measure: str, satuan: str, measure_words: str = ""
) -> tuple[list[tuple[str, float]], str]:
    """(label, value) points for the small chart, and its title in words with the unit, e.g.
    "Rata-rata persentase serapan per bulan (persen)"."""
    if not rows or measure not in rows[0]:
        return [], ""
    mean = satuan.upper() in MEAN_UNITS or measure.startswith(("persentase", "ikm", "capaian", "rata"))
    cols = rows[0].keys()
    if "periode" in cols and all(len(r["periode"] or "") == 7 for r in rows):
        key, what = (lambda r: r["periode"]), "per bulan"
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
        and not c.startswith(("kode_", "jumlah", "persentase"))
        and 1 < len({r[c] for r in rows}) <= 30
        and all(_number(r[c]) is None for r in rows)
    ]:
        key, what = (lambda r: r[dims[0]]), "per " + dims[0].removeprefix("nama_").replace("_", " ")
    else:
        return [], ""
    groups: dict[str, list[float]] = defaultdict(list)
    for r in rows:
        v = _number(r.get(measure, ""))
        k = key(r)
        if v is not None and k:
            groups[k].append(v)
    points = [(k, sum(v) / len(v) if mean else sum(v)) for k, v in groups.items()]
    if what in TIME_KINDS:
        points = sorted(points)[-12:]
    else:
        points = sorted(points, key=lambda p: -p[1])[:8]
    words = measure_words or measure.replace("_", " ")
    words = words if words[:2].isupper() else words[:1].lower() + words[1:]  # IKM stays IKM
    lead = "Rata-rata" if mean else "Jumlah"
    title = (
        f"{words[:1].upper() + words[1:]} {what}"
        if words.lower().startswith(lead.lower())
        else f"{lead} {words} {what}"
    )
    if satuan:
        title += f" ({_unit_words(satuan)})"
    return points, title


def _label(text: str, short: bool = False) -> str:
    if len(text) == 7 and text[4] == "-" and text[5:].isdigit() and 1 <= int(text[5:]) <= 12:
        month = BULAN[int(text[5:]) - 1]
        return month if short else f"{month} {text[:4]}"
    return text if len(text) <= 26 else text[:25] + "…"


def _short(value: float) -> str:
    """A bar's value label that fits above a bar: 1,2 M / 350 rb for rupiah-size numbers."""
    for size, word in ((1e12, "T"), (1e9, "M"), (1e6, "jt"), (1e3, "rb")):
        if abs(value) >= size and abs(value) >= 1e4:
            return f"{_short(round(value / size, 1))} {word}"
    if value == int(value):
        return fmt(value)
    return f"{value:,.1f}".replace(",", "_").replace(".", ",").replace("_", ".")


def svg_chart(points: list[tuple[str, float]], title: str, width: int = 340) -> str:
    """A labelled bar chart as inline SVG, titled in words. Time series: a column per period with its
    value above and its period below. Categories (e.g. per perangkat daerah): a row per category with its
    name and value. Sized by its viewBox, so it scales down to a phone's width."""
    if not points:
        return '<p class="chart-title">Belum ada nilai untuk digambar.</p>'
    e = html.escape
    low = min(min(v for _, v in points), 0)
    high = max(max(v for _, v in points), 0) or 1.0
    span = (high - low) or 1.0
    parts: list[str] = []
    months = all(len(k) == 7 and k[4] == "-" for k, _ in points)
    if len(points) <= 12 and all(len(_label(k, months)) <= 8 for k, _ in points):  # columns over time
        height, top, bottom = 170, 22, 34
        plot_h = height - top - bottom
        step = width / len(points)
        bar_w = max(step * 0.7, 2.0)
        zero_y = top + plot_h * high / span
        parts.append(f'<line x1="0" y1="{zero_y:.1f}" x2="{width}" y2="{zero_y:.1f}" stroke="#9aa5b1"/>')
        for i, (label, value) in enumerate(points):
            x = i * step + (step - bar_w) / 2
            y = top + plot_h * (high - max(value, 0)) / span
            h = max(abs(value) * plot_h / span, 0.5)
            cx = i * step + step / 2
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="#0b5cab">'
                f"<title>{e(_label(label))}: {fmt(value)}</title></rect>"
                f'<text x="{cx:.1f}" y="{y - 4:.1f}" font-size="9.5" text-anchor="middle" fill="#1d2733">'
                f"{e(_short(value))}</text>"
                f'<text x="{cx:.1f}" y="{height - 18}" font-size="10" text-anchor="middle" fill="#5b6775">'
                f"{e(_label(label, months))}</text>"
            )
        if months:
            years = sorted({k[:4] for k, _ in points})
            parts.append(
                f'<text x="{width / 2:.1f}" y="{height - 3}" font-size="10" text-anchor="middle" '
                f'fill="#5b6775">{e(" - ".join(years[:1] + years[1:][-1:]))}</text>'
            )
    else:  # a row per category: name, bar, value
        row_h = 26
        height = row_h * len(points) + 4
        bar_max = width - 70
        for i, (label, value) in enumerate(points):
            y = i * row_h
            w = max(abs(value) * bar_max / span, 1.0)
            parts.append(
                f'<text x="0" y="{y + 10}" font-size="10.5" fill="#1d2733">{e(_label(label))}</text>'
                f'<rect x="0" y="{y + 13}" width="{w:.1f}" height="9" fill="#0b5cab">'
                f"<title>{e(label)}: {fmt(value)}</title></rect>"
                f'<text x="{w + 4:.1f}" y="{y + 21}" font-size="10" fill="#5b6775">{e(_short(value))}</text>'
            )
    return (
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{e(title)}">' + "".join(parts) + "</svg>"
    )


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def badge(validation: dict) -> tuple[str, str]:
    """The validation badge (label, css class) from the real status: amber (`warn`) when there are notes,
    incomplete submissions or plausibility warnings; green only when nothing is to be said."""
    color = validation.get("status_warna") or {"green": "hijau", "amber": "kuning", "red": "merah"}.get(
        validation.get("status_color", ""), ""
    )
    notes = (
        validation.get("catatan")
        or validation.get("warnings")
        or validation.get("kiriman_belum_lengkap")
        or validation.get("incomplete")
        or (validation.get("pemeriksaan_kewajaran") or {}).get("peringatan")
    )
    if not color:
        if validation.get("status") not in STATUS:
            return validation.get("status", "tidak diketahui"), "none"
        color = "kuning" if notes or validation.get("status") == "passed_with_warnings" else "hijau"
    if color == "hijau" and notes:
        color = "kuning"
    if color == "hijau":
        return "Lolos validasi", "ok"
    label = validation.get("keterangan") or "Lolos validasi, dengan catatan"
    return (label if label != "Lolos validasi" else "Lolos validasi, dengan catatan"), "warn"


def _names(value: str | list | None) -> str:
    return ", ".join(n for n in ([value] if isinstance(value, str) else value or []) if n)


def _list(title: str, items: list[str], css: str = "note") -> str:
    if not items:
        return ""
    e = html.escape
    return (
        f'<div class="{css}"><strong>{e(title)}</strong><ul>'
        + "".join(f"<li>{e(i)}</li>" for i in items)
        + "</ul></div>"
    )


def dataset_card(published: Path, entry: dict, last_status: str | None, time_zone: str = DEFAULT_TIME_ZONE) -> str:
    dataset_id, version = entry["dataset_id"], entry["version"]
    folder = published / dataset_id / version
    md = _read_json(folder / "metadata.json")
    rows = list(csv.DictReader(io.StringIO((folder / "data.csv").read_text(encoding="utf-8"))))
    measure = md.get("kolom_ukuran") or md.get("ukuran") or ""
    words = md.get("ukuran", "") if md.get("kolom_ukuran") else ""
    points, what = chart_series(rows, measure, md.get("satuan", ""), words)
    e = html.escape
    validation = md.get("validasi", {})
    label, css = badge(validation)
    base = f"{dataset_id}/{version}/"
    notes = []
    if last_status == "blocked":
        notes.append("Pembaruan terakhir tertahan oleh pemeriksaan sebelum terbit; versi ini tetap berlaku.")
    if last_status == "held":
        notes.append("Pembaruan terakhir ditunda PPID; versi ini tetap berlaku.")
    if entry.get("reverted_from"):
        when = wall_clock(entry["reverted_at"], time_zone)
        notes.append(f"Dikembalikan ke versi ini dari {e(entry['reverted_from'])} pada {e(when)}.")
    suppression = md.get("supresi_sel_kecil", {})
    if what and suppression.get("diterapkan") and measure in suppression.get("kolom", []):
        what += ", sel yang disupresi tidak dihitung"
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
    warnings = validation.get("catatan") or validation.get("warnings") or []
    incomplete = validation.get("kiriman_belum_lengkap") or validation.get("incomplete") or []
    plausible = (validation.get("pemeriksaan_kewajaran") or {}).get("peringatan") or []
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
    contact = md.get("kontak_ppid") or ({"email": md["kontak"]} if md.get("kontak") else {})
    contact_html = f"<dt>Kontak</dt><dd>{e(contact.get('nama', 'PPID'))}, {e(contact['email'])}</dd>" if contact else ""
    return f"""<article id="{e(dataset_id)}">
<h2>{e(md.get("judul", dataset_id))}</h2>
<p class="desc">{e(md.get("deskripsi", ""))}</p>
<dl><dt>Produsen data</dt><dd>{e(_names(md.get("produsen_data")))}</dd>
<dt>Wilayah</dt><dd>{e(", ".join(md.get("cakupan", [])))}</dd>
<dt>Periode</dt><dd>{e(periode)}</dd>
<dt>Frekuensi</dt><dd>{e(md.get("frekuensi", ""))}</dd><dt>Satuan</dt><dd>{e(md.get("satuan", ""))}</dd>
<dt>Versi</dt><dd>{e(version)}, rilis {e(md.get("tanggal_rilis", ""))}, {fmt(md.get("jumlah_baris", 0))} baris</dd>
{contact_html}
<dt>Validasi</dt><dd><span class="badge {css}">{e(label)}</span></dd></dl>
{"".join(f'<p class="note">{n}</p>' for n in notes)}
{_list("Kiriman belum lengkap:", incomplete)}
{_list("Perlu dicermati (pemeriksaan kewajaran):", plausible)}
<h3 class="chart-title">{e(what)}</h3>
{svg_chart(points, what)}
<p class="links"><a href="{e(base)}data.csv" download>Unduh CSV</a>
<a href="{e(base)}datapackage.json">datapackage.json</a>
<a href="{e(base)}metadata.json">metadata.json</a></p>
{earlier_html}{warn_html}
</article>"""


def render_page(settings: Settings, catalog: dict, titles: dict[str, dict], time_zone: str = DEFAULT_TIME_ZONE) -> str:
    """The page; times in the publisher's time zone (WIB unless its config says WITA or WIT)."""
    last = catalog.get("last_run", {}).get("datasets", {})
    cards = [
        dataset_card(settings.published, entry, last.get(dataset_id), time_zone)
        for dataset_id, entry in sorted(catalog["datasets"].items(), key=lambda kv: kv[1].get("judul", kv[0]))
    ]
    pending = sorted((set(titles) | set(last)) - set(catalog["datasets"]))
    pending_html = ""
    if pending:
        items = "".join(f"<li>{html.escape(titles.get(p, {}).get('judul', p))}</li>" for p in pending)
        pending_html = f'<h2>Belum tersedia</h2><ul class="pending">{items}</ul>'
    stamp = wall_clock(catalog.get("updated_at") or datetime.now(UTC), time_zone)
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
<p>{len(cards)} dataset terbit &middot; diperbarui {html.escape(stamp)} &middot;
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


def write_page(
    settings: Settings, catalog: dict, titles: dict[str, dict] | None = None, time_zone: str = DEFAULT_TIME_ZONE
) -> Path:
    path = settings.published / "index.html"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(render_page(settings, catalog, titles or {}, time_zone), encoding="utf-8")
    tmp.replace(path)
    return path
