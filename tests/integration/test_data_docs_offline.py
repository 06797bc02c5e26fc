"""GX Data Docs built by the pipeline work with no network (satudata.report.assets, wired into
satudata.validate.gx_runner.validate): no page asks a remote host for CSS, JS or images, and
headless Chromium, with the network cut off, renders them styled, with bootstrap-table's markup.

Needs Chromium (tests/chromium.py: SATUDATA_CHROMIUM or `chromium` on PATH). Without it this test
FAILS with the install command, it does not skip: the offline pages are what government intranets get.
"""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from satudata.config import REPO_ROOT
from satudata.report.assets import ASSETS
from satudata.validate import gx_runner
from satudata.warehouse import migrate
from tests.chromium import require_chromium
from tests.conftest import make_settings

pytestmark = pytest.mark.integration

EVIDENCE = REPO_ROOT / "out" / "evidence" / "data_docs_offline"

SUITE_MODULE = """
import great_expectations as gx
import great_expectations.expectations as gxe



def suites(metas):
    suite = gx.ExpectationSuite(name="layanan_offline_test")
    suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column="kode_opd", meta={"rule_id": "T-001"}))
    suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column="jumlah", min_value=0, max_value=100,
                                                            meta={"rule_id": "T-002"}))
    suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column="jenis", value_set=["izin", "aduan"],
                                                          meta={"rule_id": "T-003"}))
    return {"staging.layanan_offline_test": suite}
"""

# tag with a src/href that makes the browser fetch (not <a href>, which only navigates)
FETCHING = re.compile(
    r"<(?:link|script|img|source|iframe)\b[^>]*?\b(?:src|href|srcset)\s*=\s*['\"]([^'\"]*)", re.IGNORECASE
)


def _chromium(*args: str, profile: Path, timeout: int = 60) -> subprocess.CompletedProcess:
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        # any request to a remote host fails, as on an intranet without internet
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
        "--window-size=1280,900",
    ]
    return subprocess.run([require_chromium(), *flags, *args], capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def data_docs(pg_server, tmp_path_factory):
    """GX Data Docs of one tiny table, built by gx_runner.validate, which makes them offline."""
    tmp = tmp_path_factory.mktemp("data_docs_offline")
    url = pg_server.rsplit("/", 1)[0] + "/t_data_docs_offline"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute("drop database if exists t_data_docs_offline with (force)")
        conn.execute("create database t_data_docs_offline")
    migrate(url)
    with psycopg.connect(url) as conn:
        conn.execute("create schema if not exists staging")
        conn.execute("create table staging.layanan_offline_test (kode_opd text, jenis text, jumlah int)")
        conn.execute(
            "insert into staging.layanan_offline_test values ('1.01', 'izin', 3), ('1.02', 'aduan', 7), "
            "(null, 'izin', 250), ('1.03', 'lain', 1)"
        )
    repo = tmp / "repo"
    (repo / "expectations").mkdir(parents=True)
    (repo / "expectations" / "suites.py").write_text(SUITE_MODULE)
    settings = replace(make_settings(tmp, url, tmp / "landing"), repo_root=repo)

    outcomes = gx_runner.validate(settings, url, "run_offline_test", {})

    assert {o.rule_id for o in outcomes} == {"T-001", "T-002", "T-003"}
    return settings.reports / "data_docs", settings.reports / "assets"


def test_no_page_fetches_from_the_network(data_docs):
    # Given the Data Docs the pipeline wrote
    docs, assets = data_docs
    pages = sorted(docs.rglob("*.html"))
    assert (docs / "index.html") in pages
    assert any("validations" in p.parts for p in pages) and any("expectations" in p.parts for p in pages)

    for page in pages:
        text = page.read_text()
        # Then no stylesheet, script or image comes from a remote host
        refs = FETCHING.findall(text)
        remote = [r for r in refs if re.match(r"(?:https?:)?//", r)]
        assert not remote, f"{page} still fetches {remote}"
        assert "integrity=" not in text and "crossorigin=" not in text
        # and every local reference resolves to a file (relative to the page, at any depth)
        for ref in refs:
            # (GX 1.24 points a validation page's favicon one folder too high: a missing icon costs nothing)
            if ref and not ref.startswith(("data:", "#")) and not ref.endswith("favicon.ico"):
                target = (page.parent / ref.split("?")[0].replace("%40", "@")).resolve()
                assert target.is_file(), f"{page}: {ref} -> {target} does not exist"
    # the stylesheets GX copies next to the pages are offline too
    for css in docs.rglob("*.css"):
        assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", css.read_text()), css
    # and every asset, with font-awesome's webfonts, was installed
    assert all((assets / a.local).is_file() for a in ASSETS.values())
    assert any((assets / "@fortawesome" / "fontawesome-free" / "webfonts").glob("*.woff2"))


def _render(page: Path, name: str, tmp_path: Path) -> tuple[str, Path]:
    require_chromium()
    EVIDENCE.mkdir(parents=True, exist_ok=True)
    shot = EVIDENCE / f"{name}.png"
    shot.unlink(missing_ok=True)
    started = time.monotonic()
    dom = _chromium("--virtual-time-budget=3000", "--dump-dom", page.as_uri(), profile=tmp_path / "p1")
    assert dom.returncode == 0, dom.stderr[-2000:]
    shown = _chromium("--virtual-time-budget=3000", f"--screenshot={shot}", page.as_uri(), profile=tmp_path / "p2")
    assert shown.returncode == 0 and shot.is_file(), shown.stderr[-2000:]
    assert time.monotonic() - started < 60
    return dom.stdout, shot


def _probe(page: Path, tmp_path: Path) -> str:
    """A copy of the page that writes, once loaded, what the browser computed into the DOM."""
    probe = page.with_name(page.stem + ".__probe__.html")
    script = """<script>window.addEventListener('load', function () {
      var out = document.createElement('pre'); out.id = 'offline-probe';
      var nav = document.querySelector('nav.navbar');
      var icon = document.querySelector('.fas, .fa, .far');
      out.textContent = JSON.stringify({
        jquery: typeof window.jQuery, bootstrapTable: !!(window.jQuery && jQuery.fn.bootstrapTable),
        vega: typeof window.vega, vegaEmbed: typeof window.vegaEmbed,
        navDisplay: nav ? getComputedStyle(nav).display : null,
        iconFont: icon ? getComputedStyle(icon, '::before').fontFamily : null,
        bodyFont: getComputedStyle(document.body).fontFamily});
      document.body.appendChild(out);});</script>"""
    probe.write_text(page.read_text().replace("</body>", script + "</body>"))
    try:
        dom, _ = _render(probe, page.stem + "_probe", tmp_path)
    finally:
        probe.unlink()
    (EVIDENCE / f"{page.stem}_probe.png").unlink(missing_ok=True)
    found = re.search(r'<pre id="offline-probe">(.*?)</pre>', dom, re.S)
    assert found, "the probe did not run: the page's scripts failed to load"
    return found.group(1).replace("&quot;", '"')


def test_index_page_renders_styled_offline(data_docs, tmp_path):
    # Given the Data Docs index, with the network unreachable
    docs, _ = data_docs
    # When headless Chromium loads it
    dom, shot = _render(docs / "index.html", "index", tmp_path)
    # Then bootstrap-table ran (it wraps tables in .bootstrap-table) and the page is not blank
    assert 'class="bootstrap-table' in dom, "bootstrap-table did not render: its JS did not load"
    assert shot.stat().st_size > 20_000
    probe = _probe(docs / "index.html", tmp_path)
    assert '"jquery":"function"' in probe and '"bootstrapTable":true' in probe, probe
    assert '"vega":"object"' in probe and '"vegaEmbed":"function"' in probe, probe
    # bootstrap's CSS applied: .navbar is display:flex (the browser default for <nav> is block)
    assert '"navDisplay":"flex"' in probe, probe


def test_validation_page_renders_styled_offline(data_docs, tmp_path):
    # Given one validation result page, nested five folders below the index
    docs, _ = data_docs
    page = next(iter(sorted((docs / "validations").rglob("*.html"))))
    assert len(page.relative_to(docs).parts) >= 5
    # When headless Chromium loads it
    dom, shot = _render(page, "validation", tmp_path)
    # Then the failed expectations are shown and bootstrap-table and bootstrap styled the page
    assert "bootstrap-table" in dom and "jumlah" in dom
    assert shot.stat().st_size > 20_000
    probe = _probe(page, tmp_path)
    assert '"bootstrapTable":true' in probe and '"navDisplay":"flex"' in probe, probe
    assert "Font Awesome" in probe, f"font-awesome CSS did not apply: {probe}"
