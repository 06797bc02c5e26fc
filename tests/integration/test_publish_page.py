"""The public catalogue page (published/index.html) renders in headless Chromium with no console
messages, loads nothing from the network, and every link on it points at a published file."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from satudata.publish import release
from tests.chromium import require_chromium
from tests.conftest import make_settings
from tests.integration.test_publish import ASN, IKM, META, SERAPAN, create_marts, publish

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

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        a = dict(attrs)
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
    assert "http://" not in text and "https://" not in text
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
