"""The Required Actions screenshot's measurements (tests/integration/airflow_ui.py) can fail: on a stand-in
for Airflow's page (a row with its "Open Review Drawer" button, a drawer holding a body), a body that fits
a 390 px phone passes, and one with a table wider than the screen in a scrolling box and small text is
caught. Chromium only, no Airflow: a few seconds."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.chromium import require_chromium
from tests.integration.airflow_ui import review_drawer_script, screenshot_at, serve_with_token

pytestmark = pytest.mark.integration

PAGE = """<!doctype html><html><head><meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font:14px sans-serif;margin:0}} [role=dialog]{{position:fixed;top:0;left:0;right:0;bottom:0;
overflow-y:auto;background:#fff;padding:16px;box-sizing:border-box}} td{{padding:4px}}</style></head><body>
<table><tr><td>Persetujuan PPID Pemerintah Kota Kupang</td>
<td><button aria-label="Open Review Drawer">K</button></td></tr>
<tr><td>Persetujuan PPID Pemerintah Kota Metro</td>
<td><button aria-label="Open Review Drawer" id="m">M</button></td></tr>
</table>
<script>
document.getElementById("m").addEventListener("click", () => setTimeout(() => {{
  const d = document.createElement("div");
  d.setAttribute("role", "dialog");
  d.innerHTML = `<h4>serapan_anggaran: siap terbit</h4>{body}`;
  document.body.appendChild(d);
}}, 300));
</script></body></html>"""
FITS = "<table><tr><td>Periode berubah</td><td>Februari 2024</td></tr></table>"
TOO_WIDE = (
    '<div style="overflow-x:auto"><table><tr><td style="white-space:nowrap">Periode berubah</td>'
    '<td style="white-space:nowrap">Januari 2024, Februari 2024, Maret 2024, April 2024, Mei 2024, Juni 2024</td>'
    '</tr></table></div><p style="font-size:10px">catatan kecil</p>'
)


@contextlib.contextmanager
def stand_in(body: str) -> Iterator[str]:
    page = PAGE.format(body=body).encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def measure(body: str, tmp_path) -> dict:
    with stand_in(body) as base, serve_with_token(base, "token", review_drawer_script("Kota Metro")) as served:
        shot = screenshot_at(require_chromium(), served, "/required_actions", tmp_path / "shot.png", budget=8000)
        assert shot.returncode == 0, shot.stderr[-2000:]
        layout = served.wait_for_report()
    assert layout is not None and "error" not in layout, layout
    return layout


def test_a_body_that_fits_a_phone_passes_and_one_that_does_not_is_caught(tmp_path):
    # Given the same request drawer with a body that fits, When it is opened and measured at 390 px
    good = measure(FITS, tmp_path)
    # Then the drawer was the Metro row's, at the phone's width, nothing beyond it or cut, 14 px text
    assert good["innerWidth"] == 390 and good["drawer"]["right"] <= 390, good
    assert good["headings"] == ["serapan_anggaran: siap terbit"] and "Februari 2024" in good["text"]
    assert good["outside"] == [] and good["clipped"] == [] and good["minFontPx"] == 14, good

    # When the body holds an unbreakable row wider than the screen and 10 px text
    bad = measure(TOO_WIDE, tmp_path)
    # Then the same measurements catch both
    assert bad["innerWidth"] == 390
    assert any(c.startswith("div:") for c in bad["clipped"]), bad
    assert any(o.startswith("td:Januari 2024") for o in bad["outside"]), bad
    assert bad["minFontPx"] == 10, bad
