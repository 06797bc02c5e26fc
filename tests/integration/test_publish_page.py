"""The public catalogue page (published/index.html) renders in headless Chromium with no console
messages, loads nothing from the network, and every link on it points at a published file."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from satudata.publish import plausibility, release
from tests.chromium import require_chromium
from tests.conftest import make_settings
from tests.integration.test_publish import ASN, IKM, META, SERAPAN, VALIDATION, create_marts, pub, publish

pytestmark = pytest.mark.integration


def headless(page: Path, png: Path, profile: Path) -> list[str]:
    """Render a page with headless Chromium, save a screenshot, return the console lines it logged."""
    proc = subprocess.run(
        [
            require_chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--enable-logging=stderr",
            "--v=0",
            f"--screenshot={png}",
            "--window-size=1280,1500",
            "--hide-scrollbars",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return [line for line in proc.stderr.splitlines() if ":CONSOLE" in line or "net::ERR" in line]


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.sources: list[str] = []
        self.tags: set[str] = set()
        self.attributes: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        a = dict(attrs)
        self.attributes += [v or "" for v in a.values()]
        if "href" in a:
            self.hrefs.append(a["href"])
        if "src" in a:
            self.sources.append(a["src"])


def test_catalog_page_renders_offline_without_console_errors(tmp_path, warehouse_url):
    require_chromium()  # fails with the install command, as `make test` does first
    # Given three published datasets, one of them with an earlier version
    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    create_marts(warehouse_url, SERAPAN, ASN, IKM)
    for table in ("marts.pub_serapan_anggaran", "marts.pub_asn_jumlah", "marts.pub_ikm_layanan"):
        publish(settings, warehouse_url, table)
    import psycopg

    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute("update marts.pub_ikm_layanan set ikm = 90.10, mutu = 'A' where kode_layanan = 'DINKES-02'")
    publish(settings, warehouse_url, "marts.pub_ikm_layanan", "run-2")

    # When the page is written (one more dataset known but never published)
    release.finish_publication(settings, warehouse_url, titles={m["dataset_id"]: m for m in META.values()})
    page = settings.published / "index.html"
    png = tmp_path / "catalog.png"
    console = headless(page, png, tmp_path / "profile")

    # Then Chromium renders it and logs nothing (no errors, no blocked loads)
    assert console == [], console
    assert png.exists() and png.stat().st_size > 20_000
    shutil.copy(png, settings.published.parent / "catalog_page.png")  # kept with the outputs, to look at

    # ... it has no script and loads nothing: no src attribute, every link is a published file
    text = page.read_text(encoding="utf-8")
    links = Links()
    links.feed(text)
    assert "script" not in links.tags and links.sources == []
    # (no address in any attribute: a data value that contains one, here the planted formula, is only text)
    assert not any("http://" in v or "https://" in v for v in links.attributes)
    for href in links.hrefs:
        assert (settings.published / href.split("#")[0]).exists(), href
    # ... and each dataset shows its title, version, validation status, downloads and a chart
    for title in ("Persentase Serapan Anggaran Belanja", "Jumlah ASN", "Indeks Kepuasan Masyarakat"):
        assert title in text
    assert text.count("<svg") == 3 and text.count("Unduh CSV") == 3
    assert "ikm_layanan/v2/data.csv" in text and "ikm_layanan/v1/data.csv" in text
    assert "Lolos validasi" in text and "disembunyikan" in text
    assert "Belum tersedia" in text and "Distribusi Predikat SKP" in text


def test_the_console_check_does_catch_errors(tmp_path):
    # Given a page that logs an error and calls an undefined function
    bad = tmp_path / "bad.html"
    bad.write_text("<!doctype html><title>x</title><script>console.error('boom'); nope();</script>")

    # When rendered the same way, Then both show up: the check above is not vacuous
    console = headless(bad, tmp_path / "bad.png", tmp_path / "profile")
    assert any("boom" in line for line in console) and any("Uncaught ReferenceError" in line for line in console)


MEASURE_LAYOUT = """<script>
addEventListener("load", () => {
  const wide = [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > innerWidth + 0.5)
    .map((el) => el.tagName.toLowerCase() + (typeof el.className === "string" ? "." + el.className : ""));
  const layout = {scrollWidth: document.documentElement.scrollWidth, innerWidth, wide: [...new Set(wide)]};
  parent.postMessage(JSON.stringify(layout), "*");
});
</script>"""
# Chromium's headless window is at least 500 px wide: the page is measured in a 390 px frame, its own viewport
FRAME = """<!doctype html><html><body style="margin:0">
<iframe src="{src}" width="{width}" height="{height}" style="border:0;display:block"></iframe>
<pre id="layout"></pre>
<script>addEventListener("message", (m) => {{ document.getElementById("layout").textContent = m.data; }});</script>
</body></html>"""


def layout_at(page: Path, width: int, profile: Path, png: Path) -> dict:
    """The page's layout at a phone's width in headless Chromium, shown in a frame that wide: a copy of it
    with a measuring script (the published page's Content Security Policy allows none) reports
    document.documentElement.scrollWidth, its viewport width and the elements that reach past it; and a
    screenshot of it at that width."""
    probe = page.with_name("_layout_probe.html")
    frame = page.with_name("_layout_frame.html")
    text = page.read_text(encoding="utf-8")
    text = text.replace('<meta http-equiv="Content-Security-Policy"', '<meta name="csp-removed-for-probe"', 1)
    probe.write_text(text.replace("</body>", MEASURE_LAYOUT + "</body>", 1), encoding="utf-8")
    frame.write_text(FRAME.format(src=probe.name, width=width, height=2400), encoding="utf-8")
    common = [
        require_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--allow-file-access-from-files", f"--user-data-dir={profile}", "--hide-scrollbars",
    ]  # fmt: skip
    try:
        dom = subprocess.run(
            [*common, "--window-size=600,900", "--virtual-time-budget=5000", "--dump-dom", frame.as_uri()],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert dom.returncode == 0, dom.stderr[-2000:]
        shot = subprocess.run(
            [*common, f"--window-size={width + 110},2400", f"--screenshot={png}", frame.as_uri()],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert shot.returncode == 0, shot.stderr[-2000:]
    finally:
        probe.unlink()
        frame.unlink()
    found = re.search(r'<pre id="layout">(.+?)</pre>', dom.stdout, re.S)
    assert found, dom.stdout[-2000:]
    return json.loads(html.unescape(found.group(1)))


def test_catalog_page_fits_a_390px_phone_and_tells_the_real_status(tmp_path, warehouse_url):
    require_chromium()
    # Given three datasets: serapan published amber (a gate note and a submission not received), an IKM
    # whose DINKES-01 jumps 29 points between two semesters, and a person-based ASN table
    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    create_marts(warehouse_url, SERAPAN, ASN, IKM)
    import psycopg

    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute("update marts.pub_ikm_layanan set ikm = 60.00 where kode_layanan = 'DINKES-01' and semester = 1")
    table = "marts.pub_serapan_anggaran"
    validation = {
        **VALIDATION,
        "status_color": "amber",
        "warnings": ["BEL-005 on pub_serapan_anggaran: The cumulative realisasi exceeds its pagu (1 failing)"],
        "incomplete": ["anggaran: 1 expected submission(s) not received (e.g. 18.72/DINKES 2024)"],
    }
    release.publish_dataset(settings, warehouse_url, table, pub(table), validation, {"run_id": "run-1"})
    publish(settings, warehouse_url, "marts.pub_asn_jumlah")
    publish(settings, warehouse_url, "marts.pub_ikm_layanan")

    # When the page is written and opened at 390 px (a phone)
    release.finish_publication(settings, warehouse_url, titles={})
    page = settings.published / "index.html"
    png = tmp_path / "catalog_390.png"
    layout = layout_at(page, 390, tmp_path / "profile", png)
    shutil.copy(png, settings.published.parent / "catalog_page_390.png")

    # Then nothing reaches past the screen: no horizontal scrolling
    assert layout["innerWidth"] == 390, layout
    assert layout["scrollWidth"] <= 390 and layout["wide"] == [], layout
    # ... the badges follow the real status: amber with the incomplete submission shown, in Indonesian
    text = page.read_text(encoding="utf-8")
    serapan = text[text.index('<article id="serapan_anggaran">') :].split("</article>")[0]
    assert '<span class="badge warn">Lolos validasi, dengan catatan; kiriman belum lengkap</span>' in serapan
    assert "Kiriman belum lengkap:" in serapan and "1 kiriman yang diharapkan belum diterima" in serapan
    assert "pub_" not in text
    # ... the plausibility warning, as the PPID's decision reads it from the warehouse before publication,
    # is on the card, and the badge is amber for it
    [jump] = plausibility.plausibility_warnings(warehouse_url, "ikm_layanan")
    assert plausibility.plausibility_warnings(warehouse_url, "serapan_anggaran") == []
    assert plausibility.plausibility_warnings(warehouse_url, "tidak_ada") == []
    assert f"<li>{html.escape(jump)}</li>" in text
    ikm = text[text.index('<article id="ikm_layanan">') :].split("</article>")[0]
    assert "Perlu dicermati" in ikm and "60,0 -&gt; 89,0 (naik 29,0 poin" in ikm and "badge warn" in ikm
    # ... the charts are titled in words with their unit, and the bars carry their labels
    assert '<h3 class="chart-title">Rata-rata persentase serapan per bulan (persen)</h3>' in serapan
    assert '<h3 class="chart-title">Rata-rata IKM per semester (indeks, skala 25-100)</h3>' in ikm
    bars = re.findall(r'<text [^>]*text-anchor="middle"[^>]*>([^<]+)</text>', serapan)
    assert bars[:6] == ["7,8", "Jan", "25,2", "Feb", "24", "Mar"], bars
