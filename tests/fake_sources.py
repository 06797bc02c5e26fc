"""Test doubles for the registry's sources: a SIPD/SIMPEG-like JSON API on 127.0.0.1 that can misbehave.

    with FakeApi() as api:
        api.route("/pegawai", records, token="rahasia", fault="short_page")
        api.url("/pegawai")

Faults: timeout (answers after `delay` s), error_then_ok (500 `times` times, then fine),
too_many (429 with Retry-After, `times` times), malformed (broken JSON), short_page (page 2 has
one record fewer), total_drift (meta.total grows after page 1), no_total, always_500.
"""

from __future__ import annotations

import itertools
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
            data = route.records[start : start + per_page]
            nxt = start + per_page
            body: dict = {
                "data": data,
                "meta": {"per_page": per_page, "total": total},
                "links": {"next": f"{parts.path}?cursor={nxt}&per_page={per_page}" if nxt < total else None},
            }
            if fault == "short_page" and start == per_page:
                body["data"] = data[:-1]
        else:
            page = int(q.get("page", 1))
            data = route.records[(page - 1) * per_page : page * per_page]
            if fault == "short_page" and page == 2:
                data = data[:-1]
            if fault == "total_drift" and page > 1:
                total += 1
            body = {
                "data": data,
                "meta": {
                    "page": page,
                    "per_page": per_page,
                    "total": total,
                    "last_page": max(1, math.ceil(total / per_page)),
                },
            }
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
        out.append(
            {
                "nip": f"19860926 201505 1 {i + 1:03d}",
                "nama": f"Pegawai {i + 1}",
                "jenis_kelamin": "L",
                "tanggal_lahir": "1986-09-26",
                "status_kepegawaian": "PNS",
                "golongan": "III/a",
                "jenis_jabatan": "PELAKSANA",
                "eselon": None,
                "nama_jabatan": "Pengadministrasi",
                "pendidikan": "S1",
                "periode": periode,
            }
        )
    return out


# ---------------------------------------------------------------------------------------------
# a CKAN portal (moved from tests/integration/test_ckan.py: the pipeline run through Airflow uses it too)


class FakeCkan:
    """Just enough of CKAN's action API, in memory."""

    def __init__(self, token: str = "tok-rahasia-123") -> None:
        self.token = token  # the API key every call must carry
        self.calls: list[dict] = []
        self.packages: dict[str, dict] = {}
        self.tables: dict[str, dict] = {}  # resource id -> {fields, primary_key, records: {pk: record}}
        self.fail: set[str] = set()
        self.ids = itertools.count(1)
        # what a reader could see between two calls: after each call, rows per resource of each package
        # (a resource without a DataStore table reads as 0 rows)
        self.observed: list[dict[str, dict[str, int]]] = []

    def observe(self) -> None:
        self.observed.append(
            {
                name: {r["id"]: len(self.tables.get(r["id"], {}).get("records", {})) for r in pkg["resources"]}
                for name, pkg in self.packages.items()
            }
        )

    def empty_windows(self) -> list[str]:
        """Each moment a reader saw a table that had rows show none, or a package that had data show none."""
        found, had_rows, package_had = [], set(), set()
        for i, state in enumerate(self.observed):
            for name, resources in state.items():
                for rid, n in resources.items():
                    if n:
                        had_rows.add(rid)
                    elif rid in had_rows:
                        found.append(f"call {i}: resource {rid} of {name} read empty after it had rows")
                if any(resources.values()):
                    package_had.add(name)
                elif name in package_had:
                    found.append(f"call {i}: package {name} had no rows to read")
        return found

    # -- the actions -------------------------------------------------------------------------
    def package_show(self, d):
        if d["id"] not in self.packages:
            raise LookupError("Not found")
        return self.packages[d["id"]]

    def package_create(self, d):
        assert d["name"] not in self.packages and d.get("owner_org")
        pkg = {**d, "id": f"pkg-{next(self.ids)}", "resources": []}
        self.packages[d["name"]] = pkg
        return pkg

    def package_update(self, d):
        pkg = self.packages[d["name"]]
        assert d["id"] == pkg["id"] and "resources" in d  # the shown package, merged: resources kept
        pkg.update({k: v for k, v in d.items() if k != "resources"})
        return pkg

    def _resource(self, rid):
        for pkg in self.packages.values():
            for r in pkg["resources"]:
                if r["id"] == rid:
                    return r
        raise LookupError("Not found")

    def resource_create(self, d):
        pkg = next(p for p in self.packages.values() if p["id"] == d["package_id"])
        res = {**d, "id": f"res-{next(self.ids)}"}
        pkg["resources"].append(res)
        return res

    def resource_update(self, d):
        res = self._resource(d["id"])
        res.clear()
        res.update(d)
        return res

    def resource_patch(self, d):
        res = self._resource(d["id"])
        res.update(d)
        return res

    def resource_delete(self, d):
        for pkg in self.packages.values():
            pkg["resources"] = [r for r in pkg["resources"] if r["id"] != d["id"]]
        self.tables.pop(d["id"], None)
        return None

    def datastore_delete(self, d):
        """Without filters the whole table goes; with filters (field: value), the rows matching all of them."""
        if d["resource_id"] not in self.tables:
            raise LookupError("Not found")
        table = self.tables[d["resource_id"]]
        if not d.get("filters"):
            del self.tables[d["resource_id"]]
        else:
            assert set(d["filters"]) <= {f["id"] for f in table["fields"]}, "filters name fields"
            table["records"] = {
                k: r for k, r in table["records"].items() if any(r[f] != v for f, v in d["filters"].items())
            }
        return {"resource_id": d["resource_id"], "filters": d.get("filters")}

    def datastore_create(self, d):
        self._resource(d["resource_id"])
        assert d["fields"] and all(f["type"] for f in d["fields"]), "explicit types, no guessing"
        table = self.tables.get(d["resource_id"])
        if table is not None:  # CKAN: an existing table keeps its rows; the fields' data dictionary is updated
            assert [(f["id"], f["type"]) for f in d["fields"]] == [(f["id"], f["type"]) for f in table["fields"]]
            table["fields"] = d["fields"]
            return {"resource_id": d["resource_id"], "fields": d["fields"]}
        assert d["primary_key"] and set(d["primary_key"]) <= {f["id"] for f in d["fields"]}
        self.tables[d["resource_id"]] = {"fields": d["fields"], "primary_key": d["primary_key"], "records": {}}
        return {"resource_id": d["resource_id"], "fields": d["fields"]}

    def datastore_search(self, d):
        if d["resource_id"] not in self.tables:
            raise LookupError("Not found")
        table = self.tables[d["resource_id"]]
        rows = list(table["records"].values())
        offset, limit = int(d.get("offset", 0)), int(d.get("limit", 100))
        wanted = d.get("fields") or [f["id"] for f in table["fields"]]
        return {
            "resource_id": d["resource_id"],
            "fields": [{"id": "_id", "type": "int"}] + [{"id": f["id"], "type": f["type"]} for f in table["fields"]],
            "records": [{k: r[k] for k in wanted} for r in rows[offset : offset + limit]],
            "total": len(rows),
        }

    def datastore_upsert(self, d):
        table = self.tables[d["resource_id"]]
        assert d["method"] == "upsert"
        types = {f["id"]: f["type"] for f in table["fields"]}
        for rec in d["records"]:
            assert set(rec) == set(types), "every field, no extra"
            for name, value in rec.items():
                if value is not None and types[name] in ("int4", "int8"):
                    assert isinstance(value, int) and not isinstance(value, bool), (name, value)
                if value is not None and types[name] == "bool":
                    assert isinstance(value, bool), (name, value)
            key = tuple(rec[k] for k in table["primary_key"])
            assert all(v is not None for v in key), "primary key complete"
            table["records"][key] = rec
        return {"resource_id": d["resource_id"], "method": "upsert"}

    # -- HTTP ---------------------------------------------------------------------------------
    def handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                action = self.path.rsplit("/", 1)[-1]
                payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                fake.calls.append(
                    {"action": action, "payload": payload, "authorization": self.headers.get("Authorization")}
                )
                if self.headers.get("Authorization") != fake.token:
                    return self._answer(
                        403, {"success": False, "error": {"__type": "Authorization Error", "message": "Access denied"}}
                    )
                if action in fake.fail:
                    return self._answer(500, {"success": False, "error": {"__type": "Internal Server Error"}})
                try:
                    result = getattr(fake, action)(payload)
                except LookupError as exc:
                    return self._answer(
                        404, {"success": False, "error": {"__type": "Not Found Error", "message": str(exc)}}
                    )
                except AssertionError as exc:
                    return self._answer(
                        409, {"success": False, "error": {"__type": "Validation Error", "message": str(exc)}}
                    )
                fake.observe()
                return self._answer(200, {"success": True, "result": result})

        return Handler

    def __enter__(self) -> FakeCkan:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.port = self._server.server_address[1]
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
