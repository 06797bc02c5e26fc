"""Test doubles for the registry's sources: a SIPD/SIMPEG-like JSON API on 127.0.0.1 that can misbehave.

    with FakeApi() as api:
        api.route("/pegawai", records, token="rahasia", fault="short_page")
        api.url("/pegawai")

Faults: timeout (answers after `delay` s), error_then_ok (500 `times` times, then fine),
too_many (429 with Retry-After, `times` times), malformed (broken JSON), short_page (page 2 has
one record fewer), total_drift (meta.total grows after page 1), no_total, always_500.
"""

from __future__ import annotations

import json
import math
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Route:
    records: list[dict]
    token: str | None = None
    fault: str | None = None
    times: int = 1
    delay: float = 0.0
    retry_after: str = "0"
    max_per_page: int | None = None
    pagination: str = "page"
    hits: int = 0
    auth_seen: list[str | None] = field(default_factory=list)


class FakeApi:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802
                api._handle(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> FakeApi:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def route(self, path: str, records: list[dict], **kw: Any) -> Route:
        self.routes[path] = Route(list(records), **kw)
        return self.routes[path]

    def _send(self, h: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict | None = None) -> None:
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        try:
            h.wfile.write(body)
        except OSError:  # the client gave up (timeout test)
            pass

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        route = self.routes.get(parts.path)
        if route is None:
            return self._send(h, 404, b'{"error": "not found"}')
        route.hits += 1
        auth = h.headers.get("Authorization")
        route.auth_seen.append(auth)
        if route.token and auth != f"Bearer {route.token}":
            return self._send(h, 401, b'{"error": "unauthorized"}')
        fault = route.fault
        if fault == "timeout":
            time.sleep(route.delay)
        if fault == "always_500" or (fault == "error_then_ok" and route.hits <= route.times):
            return self._send(h, 500, b'{"error": "internal"}')
        if fault == "too_many" and route.hits <= route.times:
            return self._send(h, 429, b'{"error": "slow down"}', {"Retry-After": route.retry_after})
        q = {k: v[0] for k, v in parse_qs(parts.query).items()}
        per_page = int(q.get("per_page", 100))
        if route.max_per_page:
            per_page = min(per_page, route.max_per_page)
        total = len(route.records)
        if route.pagination == "next":
            start = int(q.get("cursor", 0))
            data = route.records[start:start + per_page]
            nxt = start + per_page
            body: dict = {"data": data, "meta": {"per_page": per_page, "total": total},
                          "links": {"next": f"{parts.path}?cursor={nxt}&per_page={per_page}" if nxt < total else None}}
            if fault == "short_page" and start == per_page:
                body["data"] = data[:-1]
        else:
            page = int(q.get("page", 1))
            data = route.records[(page - 1) * per_page: page * per_page]
            if fault == "short_page" and page == 2:
                data = data[:-1]
            if fault == "total_drift" and page > 1:
                total += 1
            body = {"data": data, "meta": {"page": page, "per_page": per_page, "total": total,
                                           "last_page": max(1, math.ceil(total / per_page))}}
        if fault == "no_total":
            del body["meta"]["total"]
        raw = json.dumps(body, default=str).encode()
        if fault == "malformed" and route.hits >= 2:
            raw = raw[: len(raw) // 2]
        self._send(h, 200, raw)


def pegawai_records(n: int, periode: str = "2024-01") -> list[dict]:
    """n valid rows of the pegawai dataset, as an API would serve them."""
    out = []
    for i in range(n):
        out.append({
            "nip": f"19860926 201505 1 {i + 1:03d}", "nama": f"Pegawai {i + 1}", "jenis_kelamin": "L",
            "tanggal_lahir": "1986-09-26", "status_kepegawaian": "PNS", "golongan": "III/a",
            "jenis_jabatan": "PELAKSANA", "eselon": None, "nama_jabatan": "Pengadministrasi", "pendidikan": "S1",
            "periode": periode,
        })
    return out
