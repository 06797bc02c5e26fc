"""Offline HTML (satudata.report.assets): CDN URLs mapped to the shipped npm files by package name, pages
rewritten with relative paths at any depth, unknown remote URLs refused."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
from pathlib import Path

import pytest

from satudata.config import REPO_ROOT
from satudata.report.assets import (
    ASSETS,
    CDN_FILES,
    MANIFEST,
    VENDOR,
    OfflineError,
    asset_for_url,
    asset_tags,
    install_assets,
    make_offline,
    offline_html,
)

# found without importing GX (slow): the templates of the installed version
GX_TEMPLATES = Path(importlib.util.find_spec("great_expectations").origin).parent / "render" / "view" / "templates"

PAGE = """<!DOCTYPE html>
<html><head>
<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css"/>
<link rel="stylesheet" href="https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css">
<script src="https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js"
  integrity="sha384-ApNb" crossorigin="anonymous"></script>
<script src="https://cdn.jsdelivr.net/npm/vega@5"></script>
<script src="local.js" integrity="sha384-keep"></script>
<style>.navbar-brand {
  background: url('https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/full_logo_dark.png') }</style>
</head><body>
<a href="https://greatexpectations.io"><img class="NO-CACHE"
  src="https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png?d=1&amp;x=2"
  alt="Great Expectations"/></a>
<script>var s = '<img src="https://example.org/in-a-js-string.png">';</script>
</body></html>
"""


@pytest.fixture
def assets_dir(tmp_path) -> Path:
    """An installed assets folder: an empty file for every asset."""
    folder = tmp_path / "reports" / "assets"
    for asset in ASSETS.values():
        (folder / asset.local).parent.mkdir(parents=True, exist_ok=True)
        (folder / asset.local).write_text("/* */")
    return folder


def _refs(text: str) -> list[str]:
    return re.findall(r'<(?:link|script)\b[^>]*?(?:href|src)="([^"]*)"', text)


# ---------------------------------------------------------------------------------------------
# Mapping CDN URLs


@pytest.mark.parametrize(
    ("url", "asset"),
    [
        ("https://code.jquery.com/jquery-3.7.1.min.js", "jquery"),
        ("https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js", "bootstrap.js"),
        (
            "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css",
            "bootstrap-table-filter-control.css",
        ),
        (
            "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css",
            "bootstrap-dark.css",
        ),
        ("https://cdn.jsdelivr.net/npm/vega-embed@6", "vega-embed"),
        # a GX release that bumps versions or moves a file between CDNs still maps
        ("https://cdn.jsdelivr.net/npm/vega@6", "vega"),
        ("https://code.jquery.com/jquery-4.0.0.min.js", "jquery"),
        ("https://cdn.jsdelivr.net/npm/bootstrap@5.3.3/dist/css/bootstrap.min.css", "bootstrap.css"),
        ("https://unpkg.com/@fortawesome/fontawesome-free@7.0.0/css/all.min.css", "fontawesome.css"),
        ("//cdnjs.cloudflare.com/ajax/libs/bootstrap-table/1.27.3/bootstrap-table.min.js", "bootstrap-table.js"),
        # what we have no package for
        ("https://cdn.jsdelivr.net/npm/chart.js@4", None),
        ("https://code.jquery.com/ui/1.13.2/jquery-ui.min.js", None),
        ("https://example.org/bootstrap.min.css", None),
    ],
)
def test_cdn_urls_map_by_package_name_not_version(url, asset):
    assert asset_for_url(url) == asset


def test_every_cdn_link_and_script_of_the_installed_gx_maps():
    # Given the Data Docs templates of the GX we have installed
    found = set()
    for template in GX_TEMPLATES.glob("*.j2"):
        found |= set(re.findall(r'<(?:link|script)\b[^>]*?(?:href|src)="(https?://[^"]+)"', template.read_text()))
    # Then each CDN stylesheet and script has a local file (a new one fails here first)
    assert len(found) >= 10
    assert {u: asset_for_url(u) for u in found if asset_for_url(u) is None} == {}


def test_the_table_names_only_assets_that_exist():
    assert set(CDN_FILES.values()) <= set(ASSETS)


def test_package_json_pins_exact_versions_of_every_package_we_serve():
    package = json.loads((REPO_ROOT / "assets" / "package.json").read_text())
    deps = package["dependencies"]
    assert {a.package for a in ASSETS.values()} <= set(deps)
    assert {"vega", "vega-lite", "vega-embed", "bootstrap"} <= set(deps)
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in deps.values()), deps
    lock = json.loads((REPO_ROOT / "assets" / "package-lock.json").read_text())
    assert {name: lock["packages"][f"node_modules/{name}"]["version"] for name in deps} == deps


# ---------------------------------------------------------------------------------------------
# Rewriting pages


@pytest.mark.parametrize(("folders", "up"), [((), "../"), (("a", "b"), "../../../"), (("a", "b", "c", "d"), "../" * 5)])
def test_cdn_urls_become_relative_paths_at_any_depth(tmp_path, assets_dir, folders, up):
    # Given a GX-like page at depth 0, 2 or 4 below the docs folder, beside reports/assets
    docs = tmp_path / "reports" / "data_docs"
    page = docs.joinpath(*folders, "page.html")
    page.parent.mkdir(parents=True)
    page.write_text(PAGE)

    # When it is made offline
    changed = make_offline(docs, assets_dir)

    # Then every CDN link points at the local file, relative to the page, and resolves
    text = page.read_text()
    assert changed == [page.resolve()]
    assert "bootstrapcdn" not in text and "cdnjs" not in text and "jsdelivr" not in text
    refs = _refs(text)
    assert f"{up}assets/bootstrap/dist/css/bootstrap.min.css" in refs
    assert f"{up}assets/vega/build/vega.min.js" in refs
    for ref in refs:
        assert ref == "local.js" or (page.parent / ref).resolve().is_file(), ref
    # and the tag keeps its form: a self-closed link stays self-closed
    assert f'<link rel="stylesheet" href="{up}assets/bootstrap/dist/css/bootstrap.min.css"/>' in text


def test_integrity_and_crossorigin_are_dropped_only_on_rewritten_tags(tmp_path, assets_dir):
    # Given a page with an SRI hash on a CDN script and on a local one
    page = tmp_path / "reports" / "data_docs" / "index.html"

    # When it is rewritten
    text, errors = offline_html(PAGE, page, assets_dir)

    # Then the CDN script lost its hash (it was of the CDN's bytes); the local one kept its own
    assert errors == []
    assert '<script src="../assets/popper.js/dist/umd/popper.min.js"></script>' in text
    assert "crossorigin" not in text and 'integrity="sha384-ApNb"' not in text
    assert '<script src="local.js" integrity="sha384-keep"></script>' in text


def test_remote_logos_become_text_and_links_stay(tmp_path, assets_dir):
    page = tmp_path / "reports" / "data_docs" / "index.html"
    text, errors = offline_html(PAGE, page, assets_dir)
    assert errors == []
    # the S3 logo is gone, its alt text stands in; the CSS background logo is `none`
    assert "amazonaws" not in text
    assert '<a href="https://greatexpectations.io"><span class="offline-logo">Great Expectations</span></a>' in text
    assert ".navbar-brand {\n  background: none }" in text
    # a link only navigates, and a URL inside a script's string is not fetched by the page itself
    assert "in-a-js-string.png" in text


def test_an_unknown_external_url_raises_naming_page_and_url_and_changes_nothing(tmp_path, assets_dir):
    # Given two pages, one of which loads a library we have no package for
    docs = tmp_path / "reports" / "data_docs"
    (docs / "validations" / "x").mkdir(parents=True)
    good, bad = docs / "index.html", docs / "validations" / "x" / "run.html"
    good.write_text(PAGE)
    bad.write_text(PAGE.replace("</head>", '<script src="https://cdn.example.com/chart.js"></script></head>'))

    # When the folder is made offline
    with pytest.raises(OfflineError) as raised:
        make_offline(docs, assets_dir)

    # Then the error names the page and the URL, and no page was half rewritten
    assert f"{bad.resolve()}: unknown external URL https://cdn.example.com/chart.js" in str(raised.value)
    assert str(good.resolve()) not in str(raised.value)
    assert good.read_text() == PAGE


def test_unknown_remote_image_and_css_import_raise(tmp_path, assets_dir):
    page = tmp_path / "p.html"
    _, errors = offline_html(
        '<img src="https://tiles.example.org/a.png"><style>@import "https://fonts.example.org/x.css";'
        '</style><div style="background:url(//cdn.example.org/b.png)">',
        page,
        assets_dir,
    )
    assert len(errors) == 3
    assert all(str(page) in e for e in errors)


def test_making_offline_twice_changes_nothing_the_second_time(tmp_path, assets_dir):
    docs = tmp_path / "reports" / "data_docs"
    docs.mkdir(parents=True)
    (docs / "index.html").write_text(PAGE)
    (docs / "style.css").write_text(
        'a { background: url("https://great-expectations-web-assets.s3.amazonaws.com/x.png") }'
    )
    assert len(make_offline(docs, assets_dir)) == 2
    first = (docs / "index.html").read_text()
    assert make_offline(docs, assets_dir) == []
    assert (docs / "index.html").read_text() == first
    assert (docs / "style.css").read_text() == "a { background: none }"


def test_asset_tags_for_our_own_pages(tmp_path, assets_dir):
    # Given a page of ours two folders below reports/
    page = tmp_path / "reports" / "kualitas" / "2024" / "index.html"
    # When it asks for bootstrap and vega
    tags = asset_tags(page, assets_dir, ["bootstrap.css", "vega", "vega-lite", "vega-embed"])
    # Then it gets relative tags, in order
    assert tags.splitlines() == [
        '<link rel="stylesheet" href="../../assets/bootstrap/dist/css/bootstrap.min.css">',
        '<script src="../../assets/vega/build/vega.min.js"></script>',
        '<script src="../../assets/vega-lite/build/vega-lite.min.js"></script>',
        '<script src="../../assets/vega-embed/build/vega-embed.min.js"></script>',
    ]
    with pytest.raises(KeyError, match="chart.js"):
        asset_tags(page, assets_dir, ["chart.js"])


# ---------------------------------------------------------------------------------------------
# Installing


def test_install_copies_only_what_pages_use_with_webfonts_and_licences(tmp_path):
    # Given the files that ship in assets/vendor (no Node.js, no npm)
    out = tmp_path / "out"

    # When the assets are installed for a run
    target = install_assets(out)

    # Then every asset is there, with font-awesome's webfonts and each package's licence,
    # and nothing else of the packages (no sources, no source maps)
    assert target == out / "reports" / "assets"
    assert all((target / a.local).stat().st_size > 400 for a in ASSETS.values())
    assert {p.name for p in (target / "@fortawesome/fontawesome-free/webfonts").iterdir()} >= {"fa-solid-900.woff2"}
    assert (target / "bootstrap" / "LICENSE").is_file()
    files = [p for p in target.rglob("*") if p.is_file()]
    assert not [p for p in files if p.suffix in (".map", ".ts", ".scss", ".less")]
    assert sum(p.stat().st_size for p in files) < 8_000_000
    # and a second run copies nothing (the files are up to date)
    mtimes = {p: p.stat().st_mtime_ns for p in files}
    install_assets(out)
    assert {p: p.stat().st_mtime_ns for p in files} == mtimes


def test_shipped_assets_are_the_locked_versions_with_licences_and_nothing_else():
    # Given assets/vendor as committed, its MANIFEST.json and the npm lock
    manifest = json.loads((VENDOR / MANIFEST).read_text())
    lock = json.loads((REPO_ROOT / "assets" / "package-lock.json").read_text())["packages"]

    # Then each package we serve is there at the lock's version, with a licence named
    assert set(manifest) == {a.package for a in ASSETS.values()}
    locked = {p: lock[f"node_modules/{p}"] for p in manifest}
    assert {p: m["version"] for p, m in manifest.items()} == {p: locked[p]["version"] for p in manifest}
    assert {p: m["license"] for p, m in manifest.items()} == {p: locked[p].get("license") for p in manifest}
    assert all(m["license"] for m in manifest.values())
    # and the files on disk are exactly those listed, byte for byte (`make assets-check` compares them
    # with a fresh `npm ci` where npm exists)
    listed = {f"{p}/{f}": h for p, m in manifest.items() for f, h in m["files"].items()}
    on_disk = {
        f.relative_to(VENDOR).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in VENDOR.rglob("*")
        if f.is_file() and f.name != MANIFEST
    }
    assert on_disk == listed


def test_install_without_the_shipped_assets_says_how_to_restore_them(tmp_path):
    with pytest.raises(FileNotFoundError, match="assets/vendor"):
        install_assets(tmp_path / "out", source=tmp_path / "nowhere")
