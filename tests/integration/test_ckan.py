"""Publishing to CKAN with ckanapi, against a fake CKAN on 127.0.0.1 that this test starts and stops.

The fake implements the action API calls the publisher uses (package_show / package_create /
package_update, resource_create / resource_update / resource_patch, datastore_delete /
datastore_create / datastore_upsert) the way CKAN answers them, keeps a DataStore in memory, refuses
calls without the API token, and records every call with its payload so the test can show them.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from satudata.extract.connection import Connection
from satudata.publish import release
from satudata.publish.ckan import CkanPushError, CkanTarget
from tests.conftest import airflow_cli, make_settings
from tests.fake_sources import FakeCkan
from tests.integration.test_publish import DINKES, IKM, SERAPAN, create_marts, publish

pytestmark = pytest.mark.integration
TOKEN = "tok-rahasia-123"
PK = ["kode_kabupaten_kota", "kode_opd", "kode_jenis_belanja", "bulan", "tahun"]


@pytest.fixture
def ckan():
    with FakeCkan(TOKEN) as fake:
        yield fake


def calls_for(fake: FakeCkan, name: str) -> list[str]:
    """The actions of the calls about one package, in order (by package name / its resource ids)."""
    pkg = fake.packages.get(name, {})
    ids = {pkg.get("id")} | {r["id"] for r in pkg.get("resources", [])}
    out = []
    for c in fake.calls:
        p = c["payload"]
        if (
            p.get("id") == name
            or p.get("name") == name
            or ids & {p.get("id"), p.get("package_id"), p.get("resource_id")}
        ):
            out.append(c["action"])
    return out


def test_ckan_push_creates_then_skips_then_replaces_with_explicit_schema(tmp_path, warehouse_url, ckan, capsys):
    # Given two published datasets and the Airflow connection `ckan_default`, as the publish task passes it
    connection = Connection.from_dict(
        {
            "conn_type": "http",
            "host": "127.0.0.1",
            "port": ckan.port,
            "password": TOKEN,
            "extra": {
                "owner_org": "diskominfo-kota-metro",
                "name_prefix": "kota-metro-",
                "batch_size": 3,
                "public_url": "https://data.metrokota.go.id/published",
            },
        },
        "ckan_default",
    )
    settings = dataclasses.replace(
        make_settings(tmp_path, warehouse_url, tmp_path / "landing"), ckan_connection=connection
    )
    create_marts(warehouse_url, SERAPAN, IKM)
    publish(settings, warehouse_url, "marts.pub_serapan_anggaran")
    publish(settings, warehouse_url, "marts.pub_ikm_layanan")

    # When the publication finishes
    result = release.finish_publication(settings, warehouse_url, titles={})

    # Then both packages are created, with the calls CKAN needs, in order, all with the token
    assert result["ckan"] == {"ikm_layanan": "created", "serapan_anggaran": "created"}
    assert all(c["authorization"] == TOKEN for c in ckan.calls)
    name = "kota-metro-serapan-anggaran"
    assert calls_for(ckan, name) == [
        "package_show",
        "package_create",
        "resource_create",
        "datastore_create",
        "datastore_upsert",
        "datastore_upsert",
        "resource_patch",
    ]
    with capsys.disabled():  # show the exact calls and payloads (pytest -s)
        print("\nCKAN calls of the first push:")
        for c in ckan.calls:
            print(" ", c["action"], json.dumps(c["payload"], ensure_ascii=False))
    created = next(c["payload"] for c in ckan.calls if c["action"] == "package_create" and c["payload"]["name"] == name)
    assert (created["title"], created["owner_org"], created["license_id"], created["version"]) == (
        "Persentase Serapan Anggaran Belanja",
        "diskominfo-kota-metro",
        "cc-by",
        "v1",
    )
    resource = next(
        c["payload"]
        for c in ckan.calls
        if c["action"] == "resource_create" and c["payload"]["satudata_dataset"] == "serapan_anggaran"
    )
    assert resource["url"] == "https://data.metrokota.go.id/published/serapan_anggaran/v1/data.csv"
    assert resource["format"] == "CSV"
    # ... carrying its Table Schema in `schema`, where ckanext-validation reads it
    package = json.loads((settings.published / "serapan_anggaran" / "v1" / "datapackage.json").read_text())
    assert json.loads(resource["schema"]) == package["resources"][0]["schema"]
    # ... the DataStore table is created with an explicit schema (types) and primary key: no guessing
    rid = ckan.packages[name]["resources"][0]["id"]
    create = next(
        c["payload"] for c in ckan.calls if c["action"] == "datastore_create" and c["payload"]["resource_id"] == rid
    )
    assert [(f["id"], f["type"]) for f in create["fields"]] == [
        ("kode_provinsi", "text"),
        ("nama_provinsi", "text"),
        ("kode_kabupaten_kota", "text"),
        ("nama_kabupaten_kota", "text"),
        ("kode_opd", "text"),
        ("nama_opd", "text"),
        ("bulan", "int8"),
        ("kode_jenis_belanja", "text"),
        ("persentase_serapan", "numeric"),
        ("pagu", "numeric"),
        ("realisasi_bulan", "numeric"),
        ("realisasi_kumulatif", "numeric"),
        ("satuan", "text"),
        ("tahun", "int8"),
    ]
    assert create["primary_key"] == PK and create["force"] is True and create["records"] == []
    assert create["fields"][8]["info"]["unit"] == "PERSEN"
    # ... and the rows are upserted in batches, typed: integers as numbers, decimals exact as text
    upserts = [
        c["payload"] for c in ckan.calls if c["action"] == "datastore_upsert" and c["payload"]["resource_id"] == rid
    ]
    assert [len(u["records"]) for u in upserts] == [3, 1] and all(u["method"] == "upsert" for u in upserts)
    first = upserts[0]["records"][0]
    assert (first["bulan"], first["tahun"], first["persentase_serapan"], first["realisasi_kumulatif"]) == (
        1,
        2024,
        "10.50",
        "105000.00",
    )
    assert len(ckan.tables[rid]["records"]) == 4
    assert ckan.packages[name]["resources"][0]["satudata_version"] == "v1"

    # When it runs again with nothing changed, Then only package_show is called for each
    before = len(ckan.calls)
    assert release.finish_publication(settings, warehouse_url, titles={})["ckan"] == {
        "ikm_layanan": "unchanged",
        "serapan_anggaran": "unchanged",
    }
    assert [c["action"] for c in ckan.calls[before:]] == ["package_show", "package_show"]

    # When the data changes (one row fewer), Then the package is updated and the table refreshed in place:
    # every row upserted by its primary key, then the row gone from the data deleted by its key
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute("delete from marts.pub_serapan_anggaran where bulan = 3 and kode_opd = %s", (DINKES,))
    assert publish(settings, warehouse_url, "marts.pub_serapan_anggaran", "run-2")["version"] == "v2"
    before = len(ckan.calls)
    assert release.finish_publication(settings, warehouse_url, titles={})["ckan"]["serapan_anggaran"] == "updated"
    assert [c["action"] for c in ckan.calls[before:] if c["action"] != "package_show"] == [
        "package_update",
        "datastore_search",
        "resource_update",
        "datastore_create",
        "datastore_upsert",
        "datastore_search",
        "datastore_delete",
        "resource_patch",
    ]
    delete = next(c["payload"] for c in ckan.calls[before:] if c["action"] == "datastore_delete")
    assert delete["filters"] == {
        "kode_kabupaten_kota": "1872",
        "kode_opd": DINKES,
        "kode_jenis_belanja": "5.1.02",
        "bulan": 3,
        "tahun": 2024,
    }
    assert len(ckan.packages[name]["resources"]) == 1 and len(ckan.tables[rid]["records"]) == 3
    assert ckan.packages[name]["version"] == "v2"
    # ... and no reader ever found the table empty, between any two calls
    assert ckan.empty_windows() == []


def test_a_failed_push_fails_loudly_and_is_redone_next_time(tmp_path, warehouse_url, ckan):
    # Given a published dataset and a CKAN whose DataStore fails
    settings = dataclasses.replace(
        make_settings(tmp_path, warehouse_url, tmp_path / "landing"),
        ckan_connection=Connection.from_dict(
            {
                "conn_type": "http",
                "host": "127.0.0.1",
                "port": ckan.port,
                "password": TOKEN,
                "extra": {"owner_org": "dkis"},
            },
            "ckan_default",
        ),
    )
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


@pytest.mark.parametrize(
    "value, expected",
    [
        (
            {"conn_type": "http", "host": "https://data.kota.go.id", "password": "t", "extra": {"owner_org": "o"}},
            CkanTarget("https://data.kota.go.id", "t", "o"),
        ),
        (
            {
                "conn_type": "http",
                "host": "ckan.local",
                "port": 5000,
                "schema": "http",
                "extra": '{"api_key": "k", "name_prefix": "palu-"}',
            },
            CkanTarget("http://ckan.local:5000", "k", None, "palu-"),
        ),
        (
            {
                "conn_type": "http",
                "host": "127.0.0.1",
                "port": 5000,
                "password": "rahasia",
                "extra": {"owner_org": "dkis", "batch_size": "100"},
            },
            CkanTarget("http://127.0.0.1:5000", "rahasia", "dkis", batch_size=100),
        ),
    ],
)
def test_the_airflow_connection_values_say_where_and_how(value, expected):
    # Given the values of the connection ckan_default as Airflow's Connection.to_dict() gives them
    assert CkanTarget.from_connection(Connection.from_dict(value, "ckan_default")) == expected


def test_no_connection_means_no_ckan(tmp_path, warehouse_url):
    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    create_marts(warehouse_url, IKM)
    publish(settings, warehouse_url, "marts.pub_ikm_layanan")
    assert release.finish_publication(settings, warehouse_url, titles={})["ckan"] == {}
    assert Path(settings.published / "catalog.jsonld").exists()


def test_a_changed_table_is_filled_as_a_new_resource_before_the_old_one_goes(tmp_path, warehouse_url, ckan):
    # Given a dataset pushed to CKAN
    settings = dataclasses.replace(
        make_settings(tmp_path, warehouse_url, tmp_path / "landing"),
        ckan_connection=Connection.from_dict(
            {
                "conn_type": "http",
                "host": "127.0.0.1",
                "port": ckan.port,
                "password": TOKEN,
                "extra": {"owner_org": "o"},
            },
            "ckan_default",
        ),
    )
    create_marts(warehouse_url, IKM)
    publish(settings, warehouse_url, "marts.pub_ikm_layanan")
    release.finish_publication(settings, warehouse_url, titles={})
    old = ckan.packages["ikm-layanan"]["resources"][0]["id"]

    # When its table gains a column (the DataStore table cannot be upserted in place)
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute("alter table marts.pub_ikm_layanan add column jumlah_responden bigint default 120")
    publish(settings, warehouse_url, "marts.pub_ikm_layanan", "run-2")
    before = len(ckan.calls)
    release.finish_publication(settings, warehouse_url, titles={})

    # Then a new resource is created and filled, and only then is the old one deleted: never an empty package
    assert [c["action"] for c in ckan.calls[before:] if c["action"] not in ("package_show", "datastore_search")] == [
        "package_update",
        "resource_create",
        "datastore_create",
        "datastore_upsert",
        "resource_delete",
        "resource_patch",
    ]
    [resource] = ckan.packages["ikm-layanan"]["resources"]
    assert resource["id"] != old and len(ckan.tables[resource["id"]]["records"]) == 3
    assert "jumlah_responden" in resource["schema"]
    assert ckan.empty_windows() == []


def test_the_empty_window_check_sees_a_delete_then_create_refresh(ckan):
    # Given a table with rows, refreshed the old way (the whole table deleted, then created and filled)
    pkg = ckan.package_create({"name": "p", "owner_org": "o"})
    rid = ckan.resource_create({"package_id": pkg["id"]})["id"]
    fields = [{"id": "k", "type": "text"}, {"id": "v", "type": "int8"}]
    ckan.datastore_create({"resource_id": rid, "fields": fields, "primary_key": ["k"]})
    ckan.datastore_upsert({"resource_id": rid, "method": "upsert", "records": [{"k": "a", "v": 1}]})
    ckan.observe()
    ckan.datastore_delete({"resource_id": rid})
    ckan.observe()
    ckan.datastore_create({"resource_id": rid, "fields": fields, "primary_key": ["k"]})
    ckan.datastore_upsert({"resource_id": rid, "method": "upsert", "records": [{"k": "a", "v": 2}]})
    ckan.observe()

    # Then the check reports the moment the readers found it empty: the assertions above are not vacuous
    assert ckan.empty_windows() == [
        f"call 1: resource {rid} of p read empty after it had rows",
        "call 1: package p had no rows to read",
    ]


def test_the_connection_added_in_airflow_is_used_and_a_refresh_is_never_empty(tmp_path, warehouse_url, ckan, capsys):
    # Given a published dataset, and CKAN's connection added in Airflow's own store (`airflow connections add`,
    # Airflow's metadata database), not in this process's environment
    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    create_marts(warehouse_url, SERAPAN)
    publish(settings, warehouse_url, "marts.pub_serapan_anggaran")
    extra = {"owner_org": "diskominfo-kota-metro", "name_prefix": "kota-metro-", "batch_size": 2}
    added = airflow_cli(
        settings, "connections", "add", "ckan_default", "--conn-type", "http", "--conn-host", "127.0.0.1",
        "--conn-port", str(ckan.port), "--conn-password", TOKEN, "--conn-extra", json.dumps(extra),
    )  # fmt: skip
    assert added.returncode == 0, added.stdout + added.stderr
    assert "AIRFLOW_CONN_CKAN_DEFAULT" not in os.environ

    # When the publication finishes in a process that resolves the connection as the DAG's publish task does
    first = finish_through_airflow(settings)

    # Then the package is created with the connection's token and extras, the resource carries its Table Schema
    assert first["ckan"] == {"serapan_anggaran": "created"}
    assert ckan.calls and all(c["authorization"] == TOKEN for c in ckan.calls)
    [resource] = ckan.packages["kota-metro-serapan-anggaran"]["resources"]
    schema = json.loads(resource["schema"])
    assert schema["primaryKey"] == PK and {f["name"]: f.get("unit") for f in schema["fields"]}["pagu"] == "RUPIAH"
    assert [len(u["payload"]["records"]) for u in ckan.calls if u["action"] == "datastore_upsert"] == [2, 2]

    # When a new version drops one row and changes another, and is pushed again
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute("delete from marts.pub_serapan_anggaran where bulan = 3 and kode_opd = %s", (DINKES,))
        conn.execute("update marts.pub_serapan_anggaran set persentase_serapan = 11.00 where bulan = 1")
    assert publish(settings, warehouse_url, "marts.pub_serapan_anggaran", "run-2")["version"] == "v2"
    before = len(ckan.observed)
    assert finish_through_airflow(settings)["ckan"] == {"serapan_anggaran": "updated"}

    # Then the DataStore holds exactly the new rows, and every state a reader could see between two calls
    # had rows: 3 (old), 3 or 4 while upserting, then 3 (new)
    table = ckan.tables[resource["id"]]["records"]
    assert len(table) == 3 and {r["persentase_serapan"] for r in table.values() if r["bulan"] == 1} == {"11.00"}
    seen = [state["kota-metro-serapan-anggaran"][resource["id"]] for state in ckan.observed[before:]]
    assert min(seen) > 0 and ckan.empty_windows() == [], seen
    with capsys.disabled():
        print(f"\nrows a reader saw between the calls of the refresh: {seen}")


RESOLVE_AND_FINISH = """
import dataclasses, json, sys
sys.path.insert(0, sys.argv[1])
import satudata_pipeline  # the DAG file: its _connection() is what the publish task calls
from satudata.config import Settings
from satudata.extract.connection import Connection
from satudata.publish import release
found = satudata_pipeline._connection("ckan_default")
assert found is not None, "Airflow does not know ckan_default"
settings = dataclasses.replace(Settings.from_env(), ckan_connection=Connection.from_dict(found, "ckan_default"))
if len(sys.argv) > 2:  # one publisher's catalogue (published/<kode_pemda>/), as the publish task finishes it
    settings = settings.for_publisher(sys.argv[2])
print(json.dumps(release.finish_publication(settings, settings.warehouse_url, titles={})))
"""


def finish_through_airflow(settings) -> dict:
    """finish_publication in a process with the Airflow environment `satudata run` uses, the CKAN connection
    resolved by the DAG's own `_connection` (airflow.sdk Connection.get) from Airflow's metadata database,
    as the API server resolves it for a task."""
    from satudata.airflow_local import airflow_env

    env = {**airflow_env(settings, settings.warehouse_url or ""), "_AIRFLOW_PROCESS_CONTEXT": "server"}
    env.pop("AIRFLOW_CONN_CKAN_DEFAULT", None)
    publisher = [settings.publisher] if settings.publisher else []
    proc = subprocess.run(
        [sys.executable, "-c", RESOLVE_AND_FINISH, str(settings.repo_root / "dags"), *publisher],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_a_revert_makes_ckan_show_the_reverted_version_and_is_never_empty(
    tmp_path, warehouse_url, ckan, monkeypatch, capsys
):
    # Given CKAN's connection added in Airflow's own store the way docs/publishing.md says (`airflow connections
    # add` in the Airflow home of `satudata run`, its default metadata database), not in this process's
    # environment nor in the settings
    monkeypatch.delenv("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", raising=False)
    settings = make_settings(tmp_path, warehouse_url, tmp_path / "landing")
    extra = {"owner_org": "pemkot-metro", "name_prefix": "kota-metro-", "batch_size": 2, "public_url": "https://x/p/"}
    added = airflow_cli(
        settings, "connections", "add", "ckan_default", "--conn-type", "http", "--conn-host", "127.0.0.1",
        "--conn-port", str(ckan.port), "--conn-password", TOKEN, "--conn-extra", json.dumps(extra),
    )  # fmt: skip
    assert added.returncode == 0, added.stdout + added.stderr
    assert "AIRFLOW_CONN_CKAN_DEFAULT" not in os.environ and settings.ckan_connection is None

    # ... and v1, then v2 (a row dropped, a value changed) published and pushed, as the publish task does
    pushing = dataclasses.replace(
        settings,
        ckan_connection=Connection.from_dict(
            {"conn_type": "http", "host": "127.0.0.1", "port": ckan.port, "password": TOKEN, "extra": extra},
            "ckan_default",
        ),
    )
    create_marts(warehouse_url, SERAPAN)
    assert publish(settings, warehouse_url, "marts.pub_serapan_anggaran")["version"] == "v1"
    assert release.finish_publication(pushing, warehouse_url, titles={})["ckan"] == {"serapan_anggaran": "created"}
    name = "kota-metro-serapan-anggaran"
    [resource] = ckan.packages[name]["resources"]
    v1_rows = sorted(map(json.dumps, ckan.tables[resource["id"]]["records"].values()))
    v1_package = {k: ckan.packages[name][k] for k in ("title", "notes", "version")}
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute("delete from marts.pub_serapan_anggaran where bulan = 3 and kode_opd = %s", (DINKES,))
        conn.execute("update marts.pub_serapan_anggaran set persentase_serapan = 11.00 where bulan = 1")
    assert publish(settings, warehouse_url, "marts.pub_serapan_anggaran", "run-2")["version"] == "v2"
    assert release.finish_publication(pushing, warehouse_url, titles={})["ckan"] == {"serapan_anggaran": "updated"}
    assert sorted(map(json.dumps, ckan.tables[resource["id"]]["records"].values())) != v1_rows
    assert ckan.packages[name]["version"] == "v2"

    # When `satudata revert serapan_anggaran v1` runs (the connection resolved through Airflow, as the task does)
    before = len(ckan.observed)
    code = release.run_revert(settings, "serapan_anggaran", "v1", "ppid.metro", "angka salah", "18.72")

    # Then CKAN shows v1 again: the package's metadata, the resource's version, link and Table Schema, and the
    # DataStore rows are v1's
    out = capsys.readouterr().out
    assert code == 0, out
    assert "CKAN: serapan_anggaran updated (v1)" in out
    package = ckan.packages[name]
    assert {k: package[k] for k in v1_package} == v1_package
    assert {e["key"]: e["value"] for e in package["extras"]}["satudata_version"] == "v1"
    [after] = package["resources"]
    assert (after["satudata_version"], after["url"]) == ("v1", "https://x/p/serapan_anggaran/v1/data.csv")
    v1_schema = json.loads((settings.published / "serapan_anggaran" / "v1" / "datapackage.json").read_text())
    assert json.loads(after["schema"]) == v1_schema["resources"][0]["schema"]
    assert sorted(map(json.dumps, ckan.tables[after["id"]]["records"].values())) == v1_rows
    # ... and a reader found the table full at every moment of the revert (v2's 3 rows, then 3 to 4, then v1's 4)
    seen = [state[name][after["id"]] for state in ckan.observed[before:] if after["id"] in state.get(name, {})]
    assert seen and min(seen) > 0 and ckan.empty_windows() == [], seen
    with capsys.disabled():
        print(f"\nrows a reader saw between the calls of the revert: {seen}")
