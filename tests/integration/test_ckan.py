"""Publishing to CKAN with ckanapi, against a fake CKAN on 127.0.0.1 that this test starts and stops.

The fake implements the action API calls the publisher uses (package_show / package_create /
package_update, resource_create / resource_update / resource_patch, datastore_delete /
datastore_create / datastore_upsert) the way CKAN answers them, keeps a DataStore in memory, refuses
calls without the API token, and records every call with its payload so the test can show them.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg
import pytest

from satudata.publish import release
from satudata.publish.ckan import CkanPushError, CkanTarget
from tests.conftest import make_settings
from tests.integration.test_publish import DINKES, IKM, SERAPAN, create_marts, publish

pytestmark = pytest.mark.integration
TOKEN = "tok-rahasia-123"
PK = ["kode_kabupaten_kota", "kode_opd", "kode_jenis_belanja", "bulan", "tahun"]


class FakeCkan:
    """Just enough of CKAN's action API, in memory."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.packages: dict[str, dict] = {}
        self.tables: dict[str, dict] = {}  # resource id -> {fields, primary_key, records: {pk: record}}
        self.fail: set[str] = set()
        self.ids = itertools.count(1)

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

    def datastore_delete(self, d):
        if d["resource_id"] not in self.tables:
            raise LookupError("Not found")
        del self.tables[d["resource_id"]]
        return {"resource_id": d["resource_id"]}

    def datastore_create(self, d):
        self._resource(d["resource_id"])
        assert d["fields"] and all(f["type"] for f in d["fields"]), "explicit types, no guessing"
        assert d["primary_key"] and set(d["primary_key"]) <= {f["id"] for f in d["fields"]}
        self.tables[d["resource_id"]] = {"fields": d["fields"], "primary_key": d["primary_key"], "records": {}}
        return {"resource_id": d["resource_id"], "fields": d["fields"]}

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
                fake.calls.append({"action": action, "payload": payload,
                                   "authorization": self.headers.get("Authorization")})
                if self.headers.get("Authorization") != TOKEN:
                    return self._answer(403, {"success": False, "error": {"__type": "Authorization Error",
                                                                          "message": "Access denied"}})
                if action in fake.fail:
                    return self._answer(500, {"success": False, "error": {"__type": "Internal Server Error"}})
                try:
                    result = getattr(fake, action)(payload)
                except LookupError as exc:
                    return self._answer(404, {"success": False,
                                              "error": {"__type": "Not Found Error", "message": str(exc)}})
                except AssertionError as exc:
                    return self._answer(409, {"success": False,
                                              "error": {"__type": "Validation Error", "message": str(exc)}})
                return self._answer(200, {"success": True, "result": result})

        return Handler


@pytest.fixture
def ckan():
    fake = FakeCkan()
    server = ThreadingHTTPServer(("127.0.0.1", 0), fake.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.port = server.server_address[1]
    yield fake
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def calls_for(fake: FakeCkan, name: str) -> list[str]:
    """The actions of the calls about one package, in order (by package name / its resource ids)."""
    pkg = fake.packages.get(name, {})
    ids = {pkg.get("id")} | {r["id"] for r in pkg.get("resources", [])}
    out = []
    for c in fake.calls:
        p = c["payload"]
        if p.get("id") == name or p.get("name") == name or ids & {p.get("id"), p.get("package_id"),
                                                                 p.get("resource_id")}:
            out.append(c["action"])
    return out


def test_ckan_push_creates_then_skips_then_replaces_with_explicit_schema(tmp_path, warehouse_url, ckan, capsys):
    # Given two published datasets and the Airflow connection `ckan_default` in the environment
    connection = json.dumps({"conn_type": "http", "host": "127.0.0.1", "port": ckan.port, "password": TOKEN,
                             "extra": {"owner_org": "diskominfo-kota-metro", "name_prefix": "kota-metro-",
                                       "batch_size": 3, "public_url": "https://data.metrokota.go.id/published"}})
    settings = dataclasses.replace(make_settings(tmp_path, warehouse_url, tmp_path / "landing"),
                                   ckan_connection=connection)
    create_marts(warehouse_url, SERAPAN, IKM)
    publish(settings, warehouse_url, "marts.pub_serapan_anggaran")
    publish(settings, warehouse_url, "marts.pub_ikm_layanan")

    # When the publication finishes
    result = release.finish_publication(settings, warehouse_url, titles={})

    # Then both packages are created, with the calls CKAN needs, in order, all with the token
    assert result["ckan"] == {"ikm_layanan": "created", "serapan_anggaran": "created"}
    assert all(c["authorization"] == TOKEN for c in ckan.calls)
    name = "kota-metro-serapan-anggaran"
    assert calls_for(ckan, name) == ["package_show", "package_create", "resource_create", "datastore_create",
                                     "datastore_upsert", "datastore_upsert", "resource_patch"]
    with capsys.disabled():  # show the exact calls and payloads (pytest -s)
        print("\nCKAN calls of the first push:")
        for c in ckan.calls:
            print(" ", c["action"], json.dumps(c["payload"], ensure_ascii=False))
    created = next(c["payload"] for c in ckan.calls if c["action"] == "package_create" and c["payload"][
        "name"] == name)
    assert (created["title"], created["owner_org"], created["license_id"], created["version"]) == (
        "Persentase Serapan Anggaran Belanja", "diskominfo-kota-metro", "cc-by", "v1")
    resource = next(c["payload"] for c in ckan.calls if c["action"] == "resource_create"
                    and c["payload"]["satudata_dataset"] == "serapan_anggaran")
    assert resource["url"] == "https://data.metrokota.go.id/published/serapan_anggaran/v1/data.csv"
    assert resource["format"] == "CSV"
    # ... the DataStore table is created with an explicit schema (types) and primary key: no guessing
    rid = ckan.packages[name]["resources"][0]["id"]
    create = next(c["payload"] for c in ckan.calls if c["action"] == "datastore_create"
                  and c["payload"]["resource_id"] == rid)
    assert [(f["id"], f["type"]) for f in create["fields"]] == [
        ("kode_provinsi", "text"), ("nama_provinsi", "text"), ("kode_kabupaten_kota", "text"),
        ("nama_kabupaten_kota", "text"), ("kode_opd", "text"), ("nama_opd", "text"), ("bulan", "int8"),
        ("kode_jenis_belanja", "text"), ("persentase_serapan", "numeric"), ("pagu", "numeric"),
        ("realisasi_bulan", "numeric"), ("realisasi_kumulatif", "numeric"), ("satuan", "text"),
        ("tahun", "int8")]
    assert create["primary_key"] == PK and create["force"] is True and create["records"] == []
    assert create["fields"][8]["info"]["unit"] == "PERSEN"
    # ... and the rows are upserted in batches, typed: integers as numbers, decimals exact as text
    upserts = [c["payload"] for c in ckan.calls if c["action"] == "datastore_upsert" and c["payload"][
        "resource_id"] == rid]
    assert [len(u["records"]) for u in upserts] == [3, 1] and all(u["method"] == "upsert" for u in upserts)
    first = upserts[0]["records"][0]
    assert (first["bulan"], first["tahun"], first["persentase_serapan"], first["realisasi_kumulatif"]) == (
        1, 2024, "10.50", "105000.00")
    assert len(ckan.tables[rid]["records"]) == 4
    assert ckan.packages[name]["resources"][0]["satudata_version"] == "v1"

    # When it runs again with nothing changed, Then only package_show is called for each
    before = len(ckan.calls)
    assert release.finish_publication(settings, warehouse_url, titles={})["ckan"] == {
        "ikm_layanan": "unchanged", "serapan_anggaran": "unchanged"}
    assert [c["action"] for c in ckan.calls[before:]] == ["package_show", "package_show"]

    # When the data changes (one row fewer), Then the package is updated and the table replaced
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute("delete from marts.pub_serapan_anggaran where bulan = 3 and kode_opd = %s", (DINKES,))
    assert publish(settings, warehouse_url, "marts.pub_serapan_anggaran", "run-2")["version"] == "v2"
    before = len(ckan.calls)
    assert release.finish_publication(settings, warehouse_url, titles={})["ckan"]["serapan_anggaran"] == "updated"
    assert [c["action"] for c in ckan.calls[before:] if c["action"] != "package_show"] == [
        "package_update", "resource_update", "datastore_delete", "datastore_create", "datastore_upsert",
        "resource_patch"]
    assert len(ckan.packages[name]["resources"]) == 1 and len(ckan.tables[rid]["records"]) == 3
    assert ckan.packages[name]["version"] == "v2"


def test_a_failed_push_fails_loudly_and_is_redone_next_time(tmp_path, warehouse_url, ckan):
    # Given a published dataset and a CKAN whose DataStore fails
    settings = dataclasses.replace(make_settings(tmp_path, warehouse_url, tmp_path / "landing"),
                                   ckan_connection=f"http://:{TOKEN}@127.0.0.1:{ckan.port}/?owner_org=dkis")
    create_marts(warehouse_url, IKM)
    publish(settings, warehouse_url, "marts.pub_ikm_layanan")
    ckan.fail.add("datastore_upsert")

    # When the publication finishes, Then it raises naming the dataset (the local release stands)
    with pytest.raises(CkanPushError, match="ikm_layanan"):
        release.finish_publication(settings, warehouse_url, titles={})
    assert (settings.published / "ikm_layanan" / "v1" / "data.csv").exists()

    # When CKAN is back, Then the next run pushes it again instead of skipping it
    ckan.fail.clear()
    assert release.finish_publication(settings, warehouse_url, titles={})["ckan"] == {"ikm_layanan": "updated"}
    rid = ckan.packages["ikm-layanan"]["resources"][0]["id"]
    assert len(ckan.tables[rid]["records"]) == 3


@pytest.mark.parametrize("value, expected", [
    ('{"conn_type": "http", "host": "https://data.kota.go.id", "password": "t", "extra": {"owner_org": "o"}}',
     CkanTarget("https://data.kota.go.id", "t", "o")),
    ('{"conn_type": "http", "host": "ckan.local", "port": 5000, "schema": "http", '
     '"extra": "{\\"api_key\\": \\"k\\", \\"name_prefix\\": \\"palu-\\"}"}',
     CkanTarget("http://ckan.local:5000", "k", None, "palu-")),
    ("http://:s%40cret@127.0.0.1:5000/?owner_org=dkis&batch_size=100",
     CkanTarget("http://127.0.0.1:5000", "s@cret", "dkis", batch_size=100)),
    ("https://:t@data.kota.go.id/?__extra__=%7B%22owner_org%22%3A+%22o%22%7D",
     CkanTarget("https://data.kota.go.id", "t", "o")),
])
def test_the_airflow_connection_is_read_as_json_or_uri(value, expected):
    assert CkanTarget.from_connection(value) == expected


def test_no_connection_means_no_ckan(tmp_path, warehouse_url):
    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    create_marts(warehouse_url, IKM)
    publish(settings, warehouse_url, "marts.pub_ikm_layanan")
    assert release.finish_publication(settings, warehouse_url, titles={})["ckan"] == {}
    assert Path(settings.published / "catalog.jsonld").exists()
