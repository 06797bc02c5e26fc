"""Airflow's UI as one signed-in user, for a headless-Chromium screenshot at a phone's width.

A local proxy in front of the API server adds the user's token (cookie `_token` and the Authorization
header) to every request, since a headless `--screenshot` cannot fill in the login form. Two more
things a headless `--screenshot` cannot do, the proxy does for the test:

- Chromium's headless window is at least 500 px wide, so `--window-size=390,...` crops a 500 px layout
  (Airflow's own panels then take the width and cut the body off): the proxy serves `/__frame`, a page
  holding the UI in a 390 px iframe, the UI's own viewport;
- nothing can be clicked: the proxy adds a script to the UI's page (`script`), which may click, and
  measure the page and POST what it found to `/__report` (kept in `Served.reports`).

The UI's page names the API server in `<base href>`: the proxy names itself there, so everything the
page loads goes through it.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "host", "accept-encoding"}
FRAMING = {"x-frame-options", "content-security-policy"}  # the test's own frame page holds the UI
FRAME = """<!doctype html><html><body style="margin:0">
<iframe src="{src}" width="{width}" height="{height}" style="border:0;display:block"></iframe>
</body></html>"""


@dataclass
class Served:
    url: str
    reports: list[dict] = field(default_factory=list)

    def wait_for_report(self, timeout: float = 5) -> dict | None:
        deadline = time.time() + timeout
        while not self.reports and time.time() < deadline:
            time.sleep(0.1)
        return self.reports[-1] if self.reports else None


@contextlib.contextmanager
def serve_with_token(base: str, token: str, script: str = "") -> Iterator[Served]:
    served = Served("")

    class Proxy(BaseHTTPRequestHandler):
        def _send(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
            self.send_response(status)
            for k, v in headers:
                if k.lower() not in HOP | FRAMING:
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(length) if length else None
            path = urllib.parse.urlsplit(self.path)
            if path.path == "/__report":
                served.reports.append(json.loads(data or b"{}"))
                return self._send(204, [], b"")
            if path.path == "/__frame":
                q = dict(urllib.parse.parse_qsl(path.query))
                page = FRAME.format(src=q["src"], width=q.get("width", "390"), height=q.get("height", "1400"))
                return self._send(200, [("Content-Type", "text/html; charset=utf-8")], page.encode())
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP | {"cookie", "authorization"}}
            headers.update({"Cookie": f"_token={token}", "Authorization": f"Bearer {token}"})
            req = urllib.request.Request(base + self.path, data=data, headers=headers, method=self.command)
            try:
                with urllib.request.urlopen(req, timeout=60) as r:
                    status, out_headers, body = r.status, r.headers.items(), r.read()
            except urllib.error.HTTPError as e:
                status, out_headers, body = e.code, e.headers.items(), e.read()
            if any(k.lower() == "content-type" and v.startswith("text/html") for k, v in out_headers):
                text = body.decode("utf-8").replace(f'href="{base}', f'href="{served.url}')
                if script:
                    text = text.replace("</head>", f"<script>{script}</script></head>", 1)
                body = text.encode("utf-8")
            self._send(status, out_headers, body)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _forward

        def log_message(self, *args) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    served.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()


def screenshot_at(
    chromium: str, served: Served, page: str, png: Path, width: int = 390, height: int = 1400, budget: int = 20000
) -> subprocess.CompletedProcess:
    """`page` of the UI in a `width` px frame (its viewport), shot `width` px wide; the page's script runs
    in Chromium's virtual time (`budget` ms of it) before the shot."""
    frame = f"{served.url}/__frame?" + urllib.parse.urlencode({"src": page, "width": width, "height": height})
    return subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            f"--screenshot={png}",
            f"--window-size={width},{height}",
            f"--virtual-time-budget={budget}",
            frame,
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )


# Opens the review drawer of the Required Actions page's row whose text holds ROW_TEXT (the drawer shows
# that one request: its body and the answer form), waits for the body's tables, then measures what a phone
# would show (once it has slid in and stays still): the window's width, the drawer's box, the body's
# elements reaching past the viewport or cut by a scrolling or clipping box, and the smallest font size
# of the body's text.
REVIEW_DRAWER = """
(() => {
  const rowText = ROW_TEXT;
  const report = (r) => fetch("/__report", {method: "POST", body: JSON.stringify(r)});
  let opened = false, tries = 0, seen = -1, still = 0;
  // a still page: no slide-in animation or transition to wait for (Chromium's virtual time may not run them)
  addEventListener("DOMContentLoaded", () => {
    const style = document.createElement("style");
    style.textContent =
      "*, *::before, *::after { animation-duration: 0s !important; transition-duration: 0s !important }";
    document.head.appendChild(style);
  });
  const timer = setInterval(() => {
    tries += 1;
    if (tries > 400) { clearInterval(timer); report({error: opened ? "no body in the drawer" : "no such row"}); }
    if (!opened) {
      const row = [...document.querySelectorAll("tr")].find((tr) => tr.textContent.includes(rowText));
      const button = row && row.querySelector('[aria-label="Open Review Drawer"]');
      if (button) { button.click(); opened = true; }
      return;
    }
    const drawer = document.querySelector('[role="dialog"]');
    const cells = drawer ? drawer.querySelectorAll("td").length : 0;
    const state = cells && `${cells}@${drawer.getBoundingClientRect().left}`;  // rendered and slid in
    const shown = cells && drawer.getBoundingClientRect().left < innerWidth;  // on the screen, if only partly
    if (!shown || state !== seen) { seen = state; still = 0; return; }
    if (++still < 10) return;  // one second without change: rendered
    clearInterval(timer);
    const body = [...drawer.querySelectorAll("table, h1, h2, h3, h4, p, li, td, th, strong, em, code")];
    const name = (el) => el.tagName.toLowerCase() + ":" + el.textContent.trim().slice(0, 40);
    const outside = body.filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && (r.left < -0.5 || r.right > innerWidth + 0.5);
    }).map(name);
    const clipped = [];
    for (const el of drawer.querySelectorAll("*")) {
      const style = getComputedStyle(el);
      if (/(hidden|auto|scroll|clip)/.test(style.overflowX) && el.scrollWidth > el.clientWidth + 1) {
        clipped.push(name(el) + " " + el.scrollWidth + ">" + el.clientWidth);
      }
    }
    const texts = body.filter((el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()));
    const box = drawer.getBoundingClientRect();
    report({
      innerWidth, drawer: {left: box.left, right: box.right, width: box.width},
      tables: drawer.querySelectorAll("table").length,
      headings: [...drawer.querySelectorAll("h4")].map((h) => h.textContent.trim()),
      text: drawer.innerText,
      outside, clipped,
      minFontPx: Math.min(...texts.map((el) => parseFloat(getComputedStyle(el).fontSize))),
    });
  }, 100);
})();
"""


def review_drawer_script(row_text: str) -> str:
    return REVIEW_DRAWER.replace("ROW_TEXT", json.dumps(row_text))
