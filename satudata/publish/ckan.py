"""Optional: mirror the current version of each published dataset to a CKAN portal with `ckanapi`.

Configured by the Airflow connection `ckan_default`, wherever Airflow keeps it (Admin > Connections,
`airflow connections add`, AIRFLOW_CONN_CKAN_DEFAULT, a secrets backend): the publish task resolves it
through Airflow and passes its values in (Settings.ckan_connection; this package never imports Airflow):

    airflow connections add ckan_default --conn-type http --conn-host https://data.kota.go.id \
        --conn-password '<API token>' \
        --conn-extra '{"owner_org": "diskominfo-kota-metro", "name_prefix": "kota-metro-",
                       "public_url": "https://data.kota.go.id/published/"}'

The token is the connection's password (or extra `api_key`). Extras: owner_org, name_prefix,
license_id (default cc-by), public_url (where `published/` is served; used as the resource URL,
otherwise the resource is DataStore-only), batch_size (default 5000).

Per dataset: package_show, then package_create or package_update (the shown package with our
fields merged, so resources stay). The data resource carries the Table Schema in its `schema` field
(what ckanext-validation validates against). Its DataStore table is refreshed without ever being
empty to a reader:
- same columns, types and primary key as the table there: resource_update, datastore_create with the
  fields only (the data dictionary: descriptions and units), datastore_upsert of every row in batches
  (method upsert, by the primary key), then datastore_delete (filters on the primary key) of each row
  that is no longer in the data (found with datastore_search);
- a new dataset, or a changed table: resource_create of a new resource, datastore_create with an
  explicit schema (types from the Table Schema, no guessing) and the primary key, the rows upserted,
  and only then resource_delete of the old resource.
Last, resource_patch stores the version and content hash pushed, so an unchanged dataset is skipped by
the next run, and a push that failed half-way is redone.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import subprocess
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from satudata.config import Settings
from satudata.extract.connection import Connection
from satudata.publish.dcat import _names

log = logging.getLogger(__name__)

# Table Schema type -> DataStore (PostgreSQL) type
DATASTORE_TYPES = {
    "integer": "int8",
    "number": "numeric",
    "date": "date",
    "datetime": "timestamp",
    "boolean": "bool",
    "string": "text",
    "yearmonth": "text",
    "year": "int4",
}


# run in a Python process with the Airflow environment: the connection as airflow.sdk resolves it for a task
# (the DAG's _connection: UI / `airflow connections add`, AIRFLOW_CONN_* variables, a secrets backend)
_RESOLVE = """
import json, sys
from airflow.sdk import Connection
from airflow.sdk.exceptions import AirflowNotFoundException
try:
    found = Connection.get(sys.argv[1]).to_dict(validate=False)
except AirflowNotFoundException:
    found = None
print(json.dumps(found, default=str))
"""


UNMIGRATED = re.compile(r'relation "connection" does not exist|no such table: connection')


def airflow_connection(settings: Settings, url: str, conn_id: str = "ckan_default") -> Connection | None:
    """`conn_id` as Airflow resolves it, for a command run outside a task (`satudata revert`): a process in the
    Airflow environment of `satudata run` (its home and metadata database, satudata/airflow_local.py) asks
    airflow.sdk's Connection.get, as the DAG's publish task does. None when Airflow knows no such connection;
    RuntimeError when Airflow could not be asked."""
    from satudata.airflow_local import airflow_env

    # exactly `satudata run`'s Airflow: AIRFLOW__DATABASE__SQL_ALCHEMY_CONN when set, else the SQLite database
    # of its home (not the `satudata airflow` server's database: a connection added as docs/publishing.md says
    # is found where the publish task finds it)
    env = {**airflow_env(settings, url), "_AIRFLOW_PROCESS_CONTEXT": "server"}
    proc = subprocess.run(
        [sys.executable, "-c", _RESOLVE, conn_id], env=env, capture_output=True, text=True, timeout=300
    )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 and UNMIGRATED.search(proc.stderr):
        return None  # Airflow's metadata database was never set up (no `satudata run` yet): nothing defined there
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"Airflow could not resolve the connection {conn_id}: {proc.stderr.strip()[-1500:]}")
    found = json.loads(lines[-1])
    return Connection.from_dict(found, conn_id) if found else None


class CkanPushError(RuntimeError):
    """At least one dataset could not be pushed to CKAN (the files in published/ are unaffected)."""


@dataclass(frozen=True)
class CkanTarget:
    url: str
    api_key: str | None = None
    owner_org: str | None = None
    name_prefix: str = ""
    license_id: str = "cc-by"
    public_url: str | None = None
    batch_size: int = 5000

    @classmethod
    def from_connection(cls, conn: Connection) -> CkanTarget:
        """The Airflow connection `ckan_default` (resolved through Airflow) -> where and how to publish."""
        extra = conn.extra
        conn_type, host, port = conn.conn_type or "http", conn.host or "", conn.port
        schema, password = conn.schema or "", conn.password
        if not host:
            raise ValueError("the CKAN connection (Airflow connection `ckan_default`) names no host")
        if "://" in host:
            url = host.rstrip("/")
        else:
            scheme = schema if schema in ("http", "https") else ("https" if conn_type == "https" else "http")
            url = f"{scheme}://{host}" + (f":{port}" if port else "")
        public = extra.get("public_url")
        return cls(
            url=url,
            api_key=password or extra.get("api_key") or extra.get("apikey"),
            owner_org=extra.get("owner_org"),
            name_prefix=extra.get("name_prefix", ""),
            license_id=extra.get("license_id", "cc-by"),
            public_url=(public.rstrip("/") + "/") if public else None,
            batch_size=int(extra.get("batch_size", 5000)),
        )


def client(target: CkanTarget) -> Any:
    from ckanapi import RemoteCKAN

    return RemoteCKAN(target.url, apikey=target.api_key, user_agent="satudata-publisher/0.1")


def datastore_fields(schema: dict) -> list[dict]:
    fields = []
    for f in schema["fields"]:
        info = {"label": f["name"], "notes": f.get("description", "")}
        if f.get("unit"):
            info["unit"] = f["unit"]
        fields.append({"id": f["name"], "type": DATASTORE_TYPES.get(f["type"], "text"), "info": info})
    return fields


def records(data_csv: str, schema: dict) -> list[dict]:
    """The rows of data.csv as DataStore records, typed by the Table Schema: integers as JSON
    numbers, decimals as strings (exact: no float rounding of rupiah), booleans, ISO dates, null."""
    kinds = {f["name"]: f["type"] for f in schema["fields"]}
    out = []
    for row in csv.DictReader(io.StringIO(data_csv)):
        rec: dict[str, Any] = {}
        for name, text in row.items():
            kind = kinds.get(name, "string")
            if text == "":
                rec[name] = None
            elif kind in ("integer", "year"):
                rec[name] = int(text)
            elif kind == "boolean":
                rec[name] = text == "true"
            else:
                rec[name] = text
        out.append(rec)
    return out


def package_name(target: CkanTarget, dataset_id: str) -> str:
    return (target.name_prefix + dataset_id.replace("_", "-")).lower()[:100]


def push_dataset(ckan: Any, target: CkanTarget, published: Path, entry: dict) -> str:
    """Create or update one dataset's package, resource and DataStore table. Returns what happened."""
    from ckanapi import NotFound

    dataset_id, version = entry["dataset_id"], entry["version"]
    folder = published / dataset_id / version
    md = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    resource_desc = package["resources"][0]
    schema = resource_desc["schema"]
    name = package_name(target, dataset_id)
    try:
        existing = ckan.action.package_show(id=name)
    except NotFound:
        existing = None
    resource = next((r for r in (existing or {}).get("resources", []) if r.get("satudata_dataset") == dataset_id), None)
    if (
        resource
        and resource.get("satudata_content_hash") == entry["content_hash"]
        and resource.get("satudata_version") == version
    ):
        log.info("CKAN %s: already at %s, nothing to push", name, version)
        return "unchanged"

    fields = {
        "name": name,
        "title": md["judul"],
        "notes": md["deskripsi"],
        "license_id": target.license_id,
        "version": version,
        "author": ", ".join(_names(md.get("produsen_data"))),
        "maintainer": md.get("walidata"),
        "maintainer_email": md.get("kontak"),
        "tags": [{"name": t} for t in (md.get("tag") or [md.get("frekuensi"), md.get("satuan")]) if t],
        "extras": [
            {"key": k, "value": v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)}
            for k, v in (
                ("produsen_data", md.get("produsen_data")),
                *((k, md.get(k)) for k in ("konsep", "definisi", "ukuran", "satuan", "topik", "tingkat_penyajian")),
                ("sistem_sumber", md.get("sistem_sumber")),
                ("cara_pengumpulan", md.get("cara_pengumpulan")),
                ("walidata", md.get("walidata")),
                ("frekuensi", md.get("frekuensi")),
                ("kode_wilayah", md.get("kode_wilayah")),
                ("periode", md.get("periode")),
                ("satudata_version", version),
                ("tanggal_rilis", md.get("tanggal_rilis")),
            )
            if v
        ],
    }
    if target.owner_org:
        fields["owner_org"] = target.owner_org
    pkg = (
        ckan.action.package_create(**fields)
        if existing is None
        else ckan.action.package_update(**{**existing, **fields})
    )

    res_fields = {
        "package_id": pkg["id"],
        "name": f"{md['judul']} ({version})",
        "format": "CSV",
        "mimetype": "text/csv",
        "description": f"{md['deskripsi']}\n\nVersi {version}.",
        "satudata_dataset": dataset_id,
        # the Table Schema, where ckanext-validation reads it (a JSON string, as its form stores it)
        "schema": json.dumps(schema, ensure_ascii=False),
    }
    if target.public_url:
        res_fields["url"] = f"{target.public_url}{dataset_id}/{version}/data.csv"
    else:
        res_fields.update(url="", url_type="datastore")
    rows = records((folder / "data.csv").read_text(encoding="utf-8"), schema)
    fields_ = datastore_fields(schema)
    primary_key = list(schema.get("primaryKey", []))
    old_table = _datastore_table(ckan, resource["id"]) if resource is not None else None
    if resource is not None and old_table is not None and _same_table(old_table, fields_, primary_key):
        # the same table: upsert every row by its primary key, then delete the rows gone from the data;
        # a reader sees the old rows, then old and new, then the new ones: never an empty table
        resource = ckan.action.resource_update(id=resource["id"], **res_fields)
        ckan.action.datastore_create(resource_id=resource["id"], force=True, fields=fields_)  # data dictionary
        _upsert(ckan, target, resource["id"], rows)
        stale = _keys(ckan, resource["id"], primary_key) - {tuple(r[k] for k in primary_key) for r in rows}
        for key in sorted(stale, key=str):
            ckan.action.datastore_delete(
                resource_id=resource["id"], force=True, filters=dict(zip(primary_key, key, strict=True))
            )
    else:
        # a new dataset, or the table's columns or key changed: fill a new resource, and only then remove
        # the old one, so the package always has a full table to read
        new = ckan.action.resource_create(**res_fields)
        ckan.action.datastore_create(
            resource_id=new["id"], force=True, fields=fields_, primary_key=primary_key, records=[]
        )
        _upsert(ckan, target, new["id"], rows)
        if resource is not None:
            ckan.action.resource_delete(id=resource["id"])
        resource = new
    ckan.action.resource_patch(id=resource["id"], satudata_version=version, satudata_content_hash=entry["content_hash"])
    log.info("CKAN %s: %s pushed (%d rows)", name, version, len(rows))
    return "created" if existing is None else "updated"


def _datastore_table(ckan: Any, resource_id: str) -> dict | None:
    """The DataStore table of a resource (its fields), or None when it has none."""
    from ckanapi import NotFound

    try:
        return ckan.action.datastore_search(resource_id=resource_id, limit=0)
    except NotFound:
        return None


def _same_table(table: dict, fields: list[dict], primary_key: list[str]) -> bool:
    """Whether the existing table has the same columns, types and key (then rows can be upserted in place)."""
    have = [(f["id"], f["type"]) for f in table.get("fields", []) if f["id"] != "_id"]
    return have == [(f["id"], f["type"]) for f in fields] and bool(primary_key)


def _upsert(ckan: Any, target: CkanTarget, resource_id: str, rows: list[dict]) -> None:
    for start in range(0, len(rows), target.batch_size):
        ckan.action.datastore_upsert(
            resource_id=resource_id, force=True, method="upsert", records=rows[start : start + target.batch_size]
        )


def _keys(ckan: Any, resource_id: str, primary_key: list[str]) -> set[tuple]:
    """The primary keys of every row in a DataStore table, read in pages."""
    keys: set[tuple] = set()
    offset, page = 0, 10000
    while True:
        found = ckan.action.datastore_search(
            resource_id=resource_id, fields=primary_key, limit=page, offset=offset, sort="_id"
        )
        keys |= {tuple(r[k] for k in primary_key) for r in found["records"]}
        if len(found["records"]) < page:
            return keys
        offset += page


def push_catalog(settings: Settings, catalog: dict, ckan: Any = None, owner_org: str | None = None) -> dict[str, str]:
    """Push every current version. Raises CkanPushError after trying them all if any failed.
    `owner_org`: the publisher's CKAN organisation (publishers.yaml), used when the connection names none;
    its datasets' names then start with it unless the connection sets `name_prefix`."""
    assert settings.ckan_connection is not None, "push_catalog needs the connection ckan_default"
    target = CkanTarget.from_connection(settings.ckan_connection)
    if owner_org and not target.owner_org:  # a connection's own owner_org wins (a CKAN of one organisation)
        target = replace(target, owner_org=owner_org, name_prefix=target.name_prefix or f"{owner_org}-")
    ckan = ckan or client(target)
    done: dict[str, str] = {}
    failed: dict[str, str] = {}
    for dataset_id, entry in catalog["datasets"].items():
        try:
            done[dataset_id] = push_dataset(ckan, target, settings.published, entry)
        except Exception as exc:  # noqa: BLE001 - report every dataset, then fail once
            log.error("CKAN: %s could not be pushed: %s", dataset_id, exc)
            failed[dataset_id] = f"{type(exc).__name__}: {exc}"
    if failed:
        raise CkanPushError(f"CKAN push failed for {', '.join(sorted(failed))}: {failed}")
    return done
