"""Make the HTML we ship work offline: CSS, JS and fonts ship with the project in `assets/vendor`
(the files our pages use from npm packages at the exact versions of assets/package-lock.json, each
package's package.json and licence beside them, listed in assets/vendor/MANIFEST.json), copied next
to the reports, never from a CDN. Running or testing needs no Node.js: npm is a maintainer's tool
for refreshing `assets/vendor` (`make assets-refresh`; `make assets-check` proves the shipped files
equal what the lock installs).

- `vendor(node_modules, dest)` copies the files our pages use out of an `npm ci` into `dest`.
- `install_assets(out)` copies the shipped files to `<out>/reports/assets/<package>/...`.
- `make_offline(html_dir, assets_dir)` rewrites pages written by others (GX Data Docs) so every
  CDN `<link>`/`<script>` points at the local copy by a relative path, and remote logos go away.
  A remote URL it does not know makes it raise, naming the page and the URL.
- `asset_tags(page, assets_dir, names)` writes the `<link>`/`<script>` tags for our own pages.

CDN URLs are matched by package name and file name, not by version, so a GX release that bumps
a version still maps; one that adds a new library fails loudly until a row is added below.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlsplit

from satudata.config import REPO_ROOT

VENDOR = REPO_ROOT / "assets" / "vendor"
MANIFEST = "MANIFEST.json"


class OfflineError(ValueError):
    """A page still needs the network: an external URL that no row of `CDN_FILES` maps."""


@dataclass(frozen=True)
class Asset:
    package: str  # npm package, as in assets/package.json
    file: str  # path inside the package
    dirs: tuple[str, ...] = ()  # folders the file refers to (relative to the package), copied too

    @property
    def kind(self) -> str:
        return "css" if self.file.endswith(".css") else "js"

    @property
    def local(self) -> str:
        """Path under the assets folder."""
        return f"{self.package}/{self.file}"


# Local asset name -> the file of an npm package. Names are what `asset_tags` takes.
ASSETS: dict[str, Asset] = {
    "jquery": Asset("jquery", "dist/jquery.min.js"),
    "popper": Asset("popper.js", "dist/umd/popper.min.js"),
    "bootstrap.css": Asset("bootstrap", "dist/css/bootstrap.min.css"),
    "bootstrap.js": Asset("bootstrap", "dist/js/bootstrap.min.js"),
    "bootstrap-dark.css": Asset("@forevolve/bootstrap-dark", "dist/css/bootstrap-prefers-dark.min.css"),
    "bootstrap-table.css": Asset("bootstrap-table", "dist/bootstrap-table.min.css"),
    "bootstrap-table.js": Asset("bootstrap-table", "dist/bootstrap-table.min.js"),
    "bootstrap-table-filter-control.css": Asset(
        "bootstrap-table", "dist/extensions/filter-control/bootstrap-table-filter-control.min.css"
    ),
    "bootstrap-table-filter-control.js": Asset(
        "bootstrap-table", "dist/extensions/filter-control/bootstrap-table-filter-control.min.js"
    ),
    "bootstrap-datepicker.css": Asset("bootstrap-datepicker", "dist/css/bootstrap-datepicker.min.css"),
    "bootstrap-datepicker.js": Asset("bootstrap-datepicker", "dist/js/bootstrap-datepicker.min.js"),
    "fontawesome.css": Asset("@fortawesome/fontawesome-free", "css/all.min.css", dirs=("webfonts",)),
    "vega": Asset("vega", "build/vega.min.js"),
    "vega-lite": Asset("vega-lite", "build/vega-lite.min.js"),
    "vega-embed": Asset("vega-embed", "build/vega-embed.min.js"),
}

# CDN URL -> local asset. A row: the package as the CDN names it, the file name at the end of the
# URL with any `.min` dropped ("" = the package's default file, e.g. cdn.jsdelivr.net/npm/vega@5),
# and the asset. `cdn_file` turns a URL of any known CDN host into the first two.
CDN_FILES: dict[tuple[str, str], str] = {
    ("jquery", "jquery.js"): "jquery",
    ("jquery", ""): "jquery",
    ("popper.js", "popper.js"): "popper",
    ("bootstrap", "bootstrap.css"): "bootstrap.css",
    ("bootstrap", "bootstrap.js"): "bootstrap.js",
    ("@forevolve/bootstrap-dark", "bootstrap-prefers-dark.css"): "bootstrap-dark.css",
    ("bootstrap-table", "bootstrap-table.css"): "bootstrap-table.css",
    ("bootstrap-table", "bootstrap-table.js"): "bootstrap-table.js",
    ("bootstrap-table", "bootstrap-table-filter-control.css"): "bootstrap-table-filter-control.css",
    ("bootstrap-table", "bootstrap-table-filter-control.js"): "bootstrap-table-filter-control.js",
    ("bootstrap-datepicker", "bootstrap-datepicker.css"): "bootstrap-datepicker.css",
    ("bootstrap-datepicker", "bootstrap-datepicker.js"): "bootstrap-datepicker.js",
    ("font-awesome", "all.css"): "fontawesome.css",  # cdnjs name
    ("@fortawesome/fontawesome-free", "all.css"): "fontawesome.css",
    ("vega", ""): "vega",
    ("vega", "vega.js"): "vega",
    ("vega-lite", ""): "vega-lite",
    ("vega-lite", "vega-lite.js"): "vega-lite",
    ("vega-embed", ""): "vega-embed",
    ("vega-embed", "vega-embed.js"): "vega-embed",
}

# Remote images that are decoration only (GX logos on S3): an <img> is replaced by its alt text,
# a CSS url() by `none`.
DECORATIVE_IMAGES = (re.compile(r"^https?://great-expectations-web-assets\.s3[.\w-]*\.amazonaws\.com/"),)

# Which attributes of which tags make the browser fetch something. <a href> only navigates.
_FETCHING = {
    "link": ("href",),
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "embed": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "object": ("data",),
    "input": ("src",),
}
_CSS_URL = re.compile(
    r"""url\(\s*(['"]?)(?P<url>(?:https?:)?//[^'")\s]+)\1\s*\)|@import\s+(['"])(?P<imp>(?:https?:)?//[^'"]+)\3"""
)


def is_external(url: str) -> bool:
    u = url.strip().lower()
    return u.startswith(("http://", "https://", "//"))


def _split_package(path: str) -> tuple[str, str, str] | None:
    """`@scope/name@1.2/dir/file` or `name@1.2/file` or `name` -> (package, version, file path)."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        return None
    n = 2 if parts[0].startswith("@") and len(parts) > 1 else 1
    head = "/".join(parts[:n])
    at = head.find("@", 1)  # a version follows the name's @; a scope's leading @ is not one
    name, version = (head[:at], head[at + 1 :]) if at > 0 else (head, "")
    return name, version, "/".join(parts[n:])


def cdn_file(url: str) -> tuple[str, str] | None:
    """(package, file name without `.min`) for a URL of a CDN we know, else None."""
    u = urlsplit(url.strip() if not url.strip().startswith("//") else "https:" + url.strip())
    host, path = (u.hostname or "").lower(), u.path
    found: tuple[str, str] | None = None
    if host == "cdn.jsdelivr.net" and path.startswith("/npm/"):
        split = _split_package(path[len("/npm/") :])
        found = (split[0], split[2]) if split else None
    elif host == "unpkg.com":
        split = _split_package(path)
        found = (split[0], split[2]) if split else None
    elif host == "cdnjs.cloudflare.com" and path.startswith("/ajax/libs/"):
        parts = path[len("/ajax/libs/") :].split("/", 2)  # name/version/file
        found = (parts[0], parts[2]) if len(parts) == 3 else None
    elif host.endswith("bootstrapcdn.com"):  # maxcdn., stackpath., netdna.: /bootstrap/4.3.1/css/x
        parts = path.lstrip("/").split("/", 2)
        found = (parts[0], parts[2]) if len(parts) == 3 else None
    elif host == "code.jquery.com":
        m = re.fullmatch(r"/(?P<name>[a-z-]+?)-\d[\w.-]*?(?:\.min|\.slim|\.slim\.min)?\.js", path)
        found = (m["name"], m["name"] + ".js") if m else None
    if found is None:
        return None
    package, file = found
    name = PurePosixPath(file).name
    name = re.sub(r"\.min(?=\.\w+$)", "", name)
    return package, name


def asset_for_url(url: str) -> str | None:
    """Name of the local asset that replaces this CDN URL, or None."""
    key = cdn_file(url)
    return CDN_FILES.get(key) if key else None


# ---------------------------------------------------------------------------------------------
# Installing the files


def _locked_versions(package_json: Path) -> dict[str, str]:
    return json.loads(package_json.read_text()).get("dependencies", {})


def _package_files(root: Path) -> list[tuple[str, Path]]:
    """(path under the assets folder, source file) of what our pages use, below `root` laid out as
    node_modules is: each package's package.json and licence, every file of `ASSETS` and the
    folders they refer to. Raises FileNotFoundError naming what is missing."""
    found: list[tuple[str, Path]] = []
    for package in sorted({a.package for a in ASSETS.values()}):
        meta = root / package / "package.json"
        if not meta.is_file():
            raise FileNotFoundError(f"npm package {package} is not in {root}")
        for notice in [meta, *sorted((root / package).glob("LICEN[CS]E*"))]:
            found.append((f"{package}/{notice.name}", notice))
    for asset in ASSETS.values():
        if not (root / asset.local).is_file():
            raise FileNotFoundError(f"{root / asset.local} is missing")
        found.append((asset.local, root / asset.local))
        for folder in asset.dirs:
            src = root / asset.package / folder
            found += [
                (f"{asset.package}/{folder}/{f.relative_to(src).as_posix()}", f)
                for f in sorted(p for p in src.rglob("*") if p.is_file())
            ]
    return found


def vendor(node_modules: Path, dest: Path = VENDOR) -> Path:
    """Replace `dest` by the files our pages use out of `node_modules` (an `npm ci` of
    assets/package-lock.json), plus MANIFEST.json: each package's version, licence and files with
    their sha256. `make assets-refresh` writes assets/vendor with it; `make assets-check` writes a
    copy elsewhere and compares."""
    node_modules, dest = Path(node_modules), Path(dest)
    files = _package_files(node_modules)
    wanted = _locked_versions(REPO_ROOT / "assets" / "package.json")
    manifest: dict[str, dict] = {}
    for package in sorted({a.package for a in ASSETS.values()}):
        meta = json.loads((node_modules / package / "package.json").read_text())
        if package in wanted and wanted[package] != meta["version"]:
            raise RuntimeError(
                f"{node_modules / package} is {meta['version']} but assets/package.json "
                f"wants {wanted[package]}: run `npm ci` in assets/"
            )
        manifest[package] = {"version": meta["version"], "license": meta.get("license"), "files": {}}
    shutil.rmtree(dest, ignore_errors=True)
    for rel, src in files:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest / rel)
        package = next(p for p in sorted(manifest, key=len, reverse=True) if rel.startswith(p + "/"))
        manifest[package]["files"][rel[len(package) + 1 :]] = hashlib.sha256(src.read_bytes()).hexdigest()
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return dest


def install_assets(out_dir: Path, source: Path = VENDOR) -> Path:
    """Copy every file of `ASSETS` (plus the folders they refer to, and each package's
    package.json and licence) from the shipped `source` (assets/vendor) to
    `<out_dir>/reports/assets/`. Returns that folder. Files already there and up to date are not
    copied again."""
    source = Path(source)
    if not (source / MANIFEST).is_file():
        raise FileNotFoundError(
            f"{source / MANIFEST} is missing: the report assets ship with the project in assets/vendor "
            "(restore it with `git checkout -- assets/vendor`, or a maintainer runs `make assets-refresh`)"
        )
    wanted = _locked_versions(REPO_ROOT / "assets" / "package.json")
    manifest = json.loads((source / MANIFEST).read_text())
    stale = {p: m["version"] for p, m in manifest.items() if p in wanted and wanted[p] != m["version"]}
    if stale:
        raise RuntimeError(
            f"{source} holds {stale} but assets/package.json wants other versions: "
            "a maintainer runs `make assets-refresh`"
        )
    target = Path(out_dir) / "reports" / "assets"
    for rel, src in _package_files(source):
        _copy(src, target / rel)
    return target


def _copy(src: Path, dst: Path) -> None:
    if dst.is_file() and dst.stat().st_size == src.stat().st_size and dst.stat().st_mtime >= src.stat().st_mtime:
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dst)


# ---------------------------------------------------------------------------------------------
# Pointing pages at them


def relative_url(page_path: Path, target: Path) -> str:
    """URL of `target` as seen from the page `page_path` (both real paths)."""
    rel = os.path.relpath(Path(target).resolve(), Path(page_path).resolve().parent)
    return quote(PurePosixPath(*Path(rel).parts).as_posix(), safe="/@-._~")


def asset_tags(page_path: Path, assets_dir: Path, names: list[str]) -> str:
    """`<link>`/`<script>` tags, in the order given, for a page that will be written at `page_path`,
    e.g. names=["bootstrap.css", "vega", "vega-lite", "vega-embed"]."""
    unknown = [n for n in names if n not in ASSETS]
    if unknown:
        raise KeyError(f"unknown asset(s) {unknown}; known: {sorted(ASSETS)}")
    tags = []
    for name in names:
        asset = ASSETS[name]
        url = html.escape(relative_url(page_path, Path(assets_dir) / asset.local))
        tags.append(
            f'<link rel="stylesheet" href="{url}">' if asset.kind == "css" else f'<script src="{url}"></script>'
        )
    return "\n".join(tags)


class _Tags(HTMLParser):
    """Start tags of a page with their offsets; `<script>`/`<style>` bodies are not parsed as HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.found: list[tuple[int, int, str, str, list[tuple[str, str | None]]]] = []  # line, col, text, tag, attrs
        self.styles: list[tuple[int, int, str]] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line, col = self.getpos()
        self.found.append((line, col, self.get_starttag_text() or "", tag, attrs))
        self._in_style = tag == "style"

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            line, col = self.getpos()
            self.styles.append((line, col, data))


def _offsets(text: str) -> list[int]:
    """Offset of each line's start, lines split on "\n" only, as HTMLParser.getpos counts them."""
    return [0] + [m.end() for m in re.finditer("\n", text)]


def _render_tag(tag: str, attrs: list[tuple[str, str | None]], original: str) -> str:
    parts = [tag] + [k if v is None else f'{k}="{html.escape(v, quote=True)}"' for k, v in attrs]
    return "<" + " ".join(parts) + ("/>" if original.rstrip().endswith("/>") else ">")


def _rewrite_css(css: str, where: str, errors: list[str]) -> str:
    def repl(m: re.Match) -> str:
        url = m["url"] or m["imp"]
        if any(p.match(url) for p in DECORATIVE_IMAGES) and m["url"]:
            return "none"
        errors.append(f"{where}: unknown external URL in CSS {url}")
        return m.group(0)

    return _CSS_URL.sub(repl, css)


def offline_html(text: str, page_path: Path, assets_dir: Path) -> tuple[str, list[str]]:
    """The page with CDN URLs pointed at `assets_dir`, and the problems left (page and URL named)."""
    parser = _Tags()
    parser.feed(text)
    parser.close()
    starts = _offsets(text)
    errors: list[str] = []
    edits: list[tuple[int, int, str]] = []  # start, end, replacement
    for line, col, original, tag, attrs in parser.found:
        start = starts[line - 1] + col
        end = start + len(original)
        new_attrs = list(attrs)
        changed = drop = moved = False
        for i, (key, value) in enumerate(attrs):
            if value is None:
                continue
            if key == "style" and _CSS_URL.search(value):
                new_value = _rewrite_css(value, f"{page_path}", errors)
                new_attrs[i] = (key, new_value)
                changed = changed or new_value != value
                continue
            if key not in _FETCHING.get(tag, ()):
                continue
            urls = [c.strip().split(" ")[0] for c in value.split(",")] if key == "srcset" else [value]
            remote = [u for u in urls if is_external(u)]
            if not remote:
                continue
            if tag == "img" and all(any(p.match(u) for p in DECORATIVE_IMAGES) for u in remote):
                drop = True
                continue
            asset = asset_for_url(value) if key != "srcset" else None
            if asset is None:
                errors.append(f"{page_path}: unknown external URL {value}")
                continue
            new_attrs[i] = (key, relative_url(page_path, assets_dir / ASSETS[asset].local))
            changed = moved = True
        if drop:
            alt = dict(attrs).get("alt") or ""
            edits.append((start, end, f'<span class="offline-logo">{html.escape(alt)}</span>' if alt else ""))
            continue
        if changed:
            if moved:  # the hash was of the CDN's bytes and CORS does not apply to a local file
                new_attrs = [(k, v) for k, v in new_attrs if k not in ("integrity", "crossorigin")]
            edits.append((start, end, _render_tag(tag, new_attrs, original)))
    for line, col, css in parser.styles:
        if _CSS_URL.search(css):
            start = starts[line - 1] + col
            edits.append((start, start + len(css), _rewrite_css(css, f"{page_path}", errors)))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text, errors


def make_offline(html_dir: Path, assets_dir: Path) -> list[Path]:
    """Rewrite every `*.html` (and the CSS beside it) under `html_dir` to need no network. Raises
    `OfflineError` naming each page and URL it cannot map, and then changes nothing. Returns the
    files it changed. Running it again changes nothing."""
    html_dir, assets_dir = Path(html_dir).resolve(), Path(assets_dir).resolve()
    missing = [a.local for a in ASSETS.values() if not (assets_dir / a.local).is_file()]
    if missing:
        raise FileNotFoundError(f"{assets_dir} lacks {missing}: call install_assets first")
    errors: list[str] = []
    changes: dict[Path, str] = {}
    files = sorted(
        p
        for p in html_dir.rglob("*")
        if p.suffix in (".html", ".htm", ".css") and p.is_file() and not p.resolve().is_relative_to(assets_dir)
    )
    for path in files:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".css":
            new = _rewrite_css(text, str(path), errors)
        else:
            new, problems = offline_html(text, path, assets_dir)
            errors += problems
        if new != text:
            changes[path] = new
    if errors:
        raise OfflineError(
            "pages would still need the network (add a row to CDN_FILES in "
            "satudata/report/assets.py, or a package to assets/package.json):\n  " + "\n  ".join(errors)
        )
    for path, new in changes.items():
        path.write_text(new, encoding="utf-8")
    return sorted(changes)


if __name__ == "__main__":  # make assets-refresh / assets-check: python -m satudata.report.assets NODE_MODULES DEST
    import sys

    print(vendor(Path(sys.argv[1]), Path(sys.argv[2])))
