"""Publishing to CKAN with ckanapi, against a fake CKAN on 127.0.0.1 that this test starts and stops.

The fake implements the action API calls the publisher uses (package_show / package_create /
package_update, resource_create / resource_update / resource_patch, datastore_delete /
datastore_create / datastore_upsert) the way CKAN answers them, keeps a DataStore in memory, refuses
calls without the API token, and records every call with its payload so the test can show them.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import psycopg
import pytest

from satudata.extract.connection import Connection
from satudata.publish import release
from satudata.publish.ckan import CkanPushError, CkanTarget
from tests.conftest import make_settings
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

    # When the data changes (one row fewer), Then the package is updated and the table replaced
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute("delete from marts.pub_serapan_anggaran where bulan = 3 and kode_opd = %s", (DINKES,))
    assert publish(settings, warehouse_url, "marts.pub_serapan_anggaran", "run-2")["version"] == "v2"
    before = len(ckan.calls)
    assert release.finish_publication(settings, warehouse_url, titles={})["ckan"]["serapan_anggaran"] == "updated"
    assert [c["action"] for c in ckan.calls[before:] if c["action"] != "package_show"] == [
        "package_update",
        "resource_update",
        "datastore_delete",
        "datastore_create",
        "datastore_upsert",
        "resource_patch",
    ]
    assert len(ckan.packages[name]["resources"]) == 1 and len(ckan.tables[rid]["records"]) == 3
    assert ckan.packages[name]["version"] == "v2"


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
