"""Publish a dataset as a new version: data.csv, datapackage.json (Frictionless), metadata.json
(Satu Data Indonesia), and keep published/catalog.json listing the current version of each.

A new version is written only when the content changed; earlier versions stay; a blocked dataset
keeps its last good version. Publishing reads only `marts.pub_*` tables that passed the gate.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from satudata.config import Settings
from satudata.warehouse import connect

log = logging.getLogger(__name__)

PG_TO_TABLE_SCHEMA = {
    "text": "string", "character varying": "string", "integer": "integer", "bigint": "integer",
    "smallint": "integer", "numeric": "number", "double precision": "number", "real": "number",
    "date": "date", "boolean": "boolean", "timestamp without time zone": "datetime",
    "timestamp with time zone": "datetime",
}
INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """CSV text for one value: ISO dates, dot decimals; text cells that a spreadsheet would run as
    a formula are prefixed with a single quote (OWASP CSV injection); numbers are never changed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal, float)):
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(INJECTION_PREFIXES) else text


def _columns(conn: Any, table: str) -> list[tuple[str, str]]:
    schema, name = table.split(".")
    return conn.execute(
        "select column_name, data_type from information_schema.columns where table_schema = %s "
        "and table_name = %s order by ordinal_position", (schema, name),
    ).fetchall()


def export_csv(url: str, table: str, order_by: list[str]) -> tuple[bytes, list[tuple[str, str]], int]:
    with connect(url) as conn:
        cols = _columns(conn, table)
        order = ", ".join(order_by or [c for c, _ in cols])
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow([c for c, _ in cols])
        rows = 0
        for record in conn.execute(f"select * from {table} order by {order}"):
            writer.writerow([safe_cell(v) for v in record])
            rows += 1
    return buf.getvalue().encode("utf-8"), cols, rows


def load_catalog(settings: Settings) -> dict:
    path = settings.published / "catalog.json"
    return json.loads(path.read_text()) if path.exists() else {"datasets": {}}


def _write_json(path: Path, payload: Any) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def datapackage(dataset_id: str, pub: dict, cols: list[tuple[str, str]], rows: int, sha: str) -> dict:
    meta = pub["meta"]
    fields = [{"name": c, "type": PG_TO_TABLE_SCHEMA.get(t, "string"),
               "description": pub["columns"].get(c, "")} for c, t in cols]
    return {
        "name": dataset_id.replace("_", "-"),
        "title": meta.get("judul", dataset_id),
        "description": meta.get("deskripsi", pub.get("description", "")),
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                      "title": "Creative Commons Attribution 4.0"}],
        "resources": [{
            "name": dataset_id.replace("_", "-"),
            "path": "data.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "hash": f"sha256:{sha}",
            "dialect": {"delimiter": ",", "header": True},
            "schema": {"fields": fields, "primaryKey": list(meta.get("primary_key", []))},
            "stats": {"rows": rows},
        }],
    }


def metadata(dataset_id: str, pub: dict, version: str, rows: int, validation: dict, coverage: dict) -> dict:
    meta = pub["meta"]
    return {
        "judul": meta.get("judul", dataset_id),
        "deskripsi": meta.get("deskripsi", pub.get("description", "")),
        "produsen_data": meta.get("produsen_data", ""),
        "walidata": "Dinas Komunikasi dan Informatika (Diskominfo)",
        "kode_wilayah": coverage.get("kode_wilayah", []),
        "cakupan": coverage.get("cakupan", []),
        "frekuensi": meta.get("frekuensi", ""),
        "satuan": meta.get("satuan", ""),
        "periode": coverage.get("periode", []),
        "lisensi": "CC-BY-4.0",
        "kontak": meta.get("kontak", "ppid@diskominfo.go.id"),
        "tanggal_rilis": datetime.now(UTC).date().isoformat(),
        "versi": version,
        "jumlah_baris": rows,
        "validasi": validation,
    }


def _coverage(url: str, table: str) -> dict:
    with connect(url) as conn:
        names = {c for c, _ in _columns(conn, table)}
        out: dict[str, list] = {}
        if {"kode_kabupaten_kota", "nama_kabupaten_kota"} <= names:
            rows = conn.execute(f"select distinct kode_kabupaten_kota, nama_kabupaten_kota from {table} order by 1")
            pairs = rows.fetchall()
            out["kode_wilayah"] = [p[0] for p in pairs]
            out["cakupan"] = [p[1] for p in pairs]
        if "tahun" in names:
            out["periode"] = [r[0] for r in conn.execute(f"select distinct tahun from {table} order by 1")]
    return out


def publish_dataset(settings: Settings, url: str, table: str, pub: dict, validation: dict,
                    provenance: dict) -> dict:
    """Write a new version of one dataset if its content changed. Returns what happened."""
    meta = pub["meta"]
    dataset_id = meta["dataset_id"]
    data, cols, rows = export_csv(url, table, list(meta.get("primary_key", [])))
    sha = hashlib.sha256(data).hexdigest()
    catalog = load_catalog(settings)
    current = catalog["datasets"].get(dataset_id)
    if current and current.get("content_hash") == sha:
        log.info("%s: content unchanged (sha256 %s), stays at version %s", dataset_id, sha[:12], current["version"])
        return {"dataset_id": dataset_id, "status": "unchanged", "version": current["version"],
                "row_count": rows, "content_hash": sha}
    folder = settings.published / dataset_id
    versions = sorted((int(p.name[1:]) for p in folder.glob("v*") if p.name[1:].isdigit()), reverse=True)
    version = f"v{(versions[0] if versions else 0) + 1}"
    target = folder / version
    staging = folder / f".{version}.partial"
    staging.mkdir(parents=True, exist_ok=True)
    (staging / "data.csv").write_bytes(data)
    _write_json(staging / "datapackage.json", datapackage(dataset_id, pub, cols, rows, sha))
    _write_json(staging / "metadata.json",
                {**metadata(dataset_id, pub, version, rows, validation, _coverage(url, table)),
                 "provenance": provenance})
    os.replace(staging, target)  # the version appears whole or not at all
    entry = {"dataset_id": dataset_id, "version": version, "path": f"{dataset_id}/{version}/",
             "judul": meta.get("judul", dataset_id), "row_count": rows, "content_hash": sha,
             "released_at": datetime.now(UTC).isoformat(timespec="seconds"), "validation": validation}
    set_current(settings, dataset_id, entry)
    log.info("%s: published version %s (%d rows)", dataset_id, version, rows)
    return {"dataset_id": dataset_id, "status": "published", "version": version, "row_count": rows,
            "content_hash": sha}


def set_current(settings: Settings, dataset_id: str, entry: dict) -> None:
    settings.published.mkdir(parents=True, exist_ok=True)
    catalog = load_catalog(settings)
    catalog["datasets"][dataset_id] = entry
    catalog["updated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    catalog["datasets"] = dict(sorted(catalog["datasets"].items()))
    _write_json(settings.published / "catalog.json", catalog)
