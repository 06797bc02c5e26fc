"""Airflow's UI as one signed-in user, for a headless-Chromium screenshot: a local proxy in front of the
API server that adds the user's token (cookie `_token` and the Authorization header) to every request,
since a headless `--screenshot` cannot fill in the login form."""

from __future__ import annotations

import contextlib
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "host", "accept-encoding"}


@contextlib.contextmanager
def serve_with_token(base: str, token: str) -> Iterator[str]:
    class Proxy(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP | {"cookie", "authorization"}}
            headers.update({"Cookie": f"_token={token}", "Authorization": f"Bearer {token}"})
            req = urllib.request.Request(
                base + self.path, data=self.rfile.read(length) if length else None, headers=headers, method=self.command
            )
            try:
                with urllib.request.urlopen(req, timeout=60) as r:
                    status, out_headers, body = r.status, r.headers.items(), r.read()
            except urllib.error.HTTPError as e:
                status, out_headers, body = e.code, e.headers.items(), e.read()
            self.send_response(status)
            for k, v in out_headers:
                if k.lower() not in HOP:
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _forward

        def log_message(self, *args) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
