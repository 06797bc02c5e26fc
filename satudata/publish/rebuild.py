"""`satudata rebuild <dataset_id> <version>`: a published version's data.csv made again from the warehouse.

Superseded rows are never deleted (audit.source_row_history, migration 011), so the raw rows a version
was built from can be put together again: the rows of the files received by the version's release time
that were still current then (rows in raw.<dataset> now, and rows superseded after that time). They go
into a scratch database with the audit record of those files as it stood then; dbt builds the published
model and what it depends on there (its own target folder: the pipeline's manifest is not touched); the
publisher's own reading, small-cell suppression and CSV writing make data.csv, compared byte for byte with
the published one. The scratch database is dropped afterwards.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
import uuid
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from satudata.config import Settings
from satudata.datasets import DATASETS, RAW_META_COLUMNS
from satudata.publish import pii
from satudata.publish.release import disclosure_control, load_versions, read_table, render_csv
from satudata.transform import dbt_command, publications
from satudata.warehouse import connect, migrate

log = logging.getLogger(__name__)

SOURCE_FILE_COLUMNS = (
    "file_id",
    "run_id",
    "path",
    "sha256",
    "size_bytes",
    "kode_pemda",
    "opd",
    "dataset",
    "received_at",
    "status",
    "superseded_by",
    "rows_read",
    "rows_loaded",
    "rows_quarantined",
    "reasons",
)


class RebuildError(Exception):
    pass


def _scratch_url(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


def _copy(src: Any, dst: Any, select: sql.Composable, target: sql.Composable, params: tuple = ()) -> int:
    """Stream the rows of `select` on `src` into `target` on `dst` (COPY out, COPY in)."""
    n = 0
    with src.cursor() as rc, dst.cursor() as wc:
        with (
            rc.copy(sql.SQL("copy ({}) to stdout").format(select), params or None) as out,
            wc.copy(sql.SQL("copy {} from stdin").format(target)) as inp,
        ):
            for chunk in out:
                inp.write(chunk)
                n += 1
    return n


def _previous_data(settings: Settings, dataset_id: str, version: str) -> bytes | None:
    """data.csv of the version this one followed (its suppression pattern was carried over), if any."""
    md = json.loads((settings.published / dataset_id / version / "metadata.json").read_text(encoding="utf-8"))
    before = (md.get("perubahan") or {}).get("dari_versi")
    path = settings.published / dataset_id / before / "data.csv" if before else None
    return path.read_bytes() if path and path.exists() else None


def rebuild(settings: Settings, url: str, dataset_id: str, version: str) -> tuple[bytes, str, str]:
    """(data.csv as rebuilt, its sha256, the published sha256)."""
    history = load_versions(settings, dataset_id)
    entry = next((v for v in history["versions"] if v["version"] == version), None)
    if entry is None:
        raise RebuildError(f"{dataset_id} {version} was never published / belum pernah diterbitkan")
    released_at = entry["released_at"]
    pubs = publications(settings)
    table, pub = next(((t, p) for t, p in pubs.items() if p["meta"].get("dataset_id") == dataset_id), (None, None))
    if table is None or pub is None:
        raise RebuildError(f"no published model for {dataset_id} / tidak ada model terbitan {dataset_id}")
    meta = pub["meta"]
    sources = [d for d in meta.get("source_datasets", []) if d in DATASETS]
    name = f"satudata_rebuild_{uuid.uuid4().hex[:10]}"
    scratch = _scratch_url(url, name)
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    try:
        migrate(scratch)
        with connect(url) as src, connect(scratch) as dst:
            files = sql.SQL(
                "select file_id from audit.source_file where received_at <= %s::timestamptz "
                "and status in ('loaded', 'loaded_with_warnings', 'superseded')"
            )
            # the audit record of those files as it stood then: replaced later = still current then
            cols = sql.SQL(", ").join(map(sql.Identifier, SOURCE_FILE_COLUMNS))
            then = sql.SQL(
                "select sf.file_id, sf.run_id, sf.path, sf.sha256, sf.size_bytes, sf.kode_pemda, sf.opd, sf.dataset, "
                "sf.received_at, case when sup.received_at > %s::timestamptz then 'loaded' else sf.status end, "
                "case when sup.received_at > %s::timestamptz then null else sf.superseded_by end, "
                "sf.rows_read, sf.rows_loaded, sf.rows_quarantined, sf.reasons from audit.source_file sf "
                "left join lateral (select received_at from audit.source_file s2 where s2.file_id = sf.superseded_by) "
                "sup on true where sf.received_at <= %s::timestamptz"
            )
            _copy(
                src, dst, then, sql.SQL("audit.source_file ({})").format(cols), (released_at, released_at, released_at)
            )
            _copy(src, dst, sql.SQL("select * from audit.expected_submission"), sql.SQL("audit.expected_submission"))
            for dataset in sources:
                raw = sql.Identifier("raw", dataset)
                names = sql.SQL(", ").join(map(sql.Identifier, list(RAW_META_COLUMNS) + DATASETS[dataset].column_names))
                current = sql.SQL("select {} from {} where _file_id in ({})").format(names, raw, files)
                n = _copy(src, dst, current, sql.SQL("{} ({})").format(raw, names), (released_at,))
                gone = sql.SQL(
                    "select {} from (select (jsonb_populate_record(null::{}, row_values)).* "
                    "from audit.source_row_history where dataset = %s and superseded_at > %s::timestamptz "
                    "and file_id in ({})) r"
                ).format(names, raw, files)
                m = _copy(src, dst, gone, sql.SQL("{} ({})").format(raw, names), (dataset, released_at, released_at))
                log.info(
                    "rebuild %s %s: raw.%s as of %s: %d chunks current, %d superseded since",
                    dataset_id,
                    version,
                    dataset,
                    released_at,
                    n,
                    m,
                )
            dst.commit()
        model = table.split(".")[-1]
        with tempfile.TemporaryDirectory(prefix="satudata-rebuild-") as target:
            proc = dbt_command(
                settings,
                scratch,
                "build",
                "--select",
                f"+{model}",
                "--exclude-resource-type",
                "test",
                "--exclude-resource-type",
                "unit_test",
                "--target-path",
                target,
            )
        if proc.returncode != 0:
            raise RebuildError(f"dbt build in the scratch database failed: {proc.stdout[-2000:]}")
        # the publisher's rows only, as published (settings.for_publisher(kode); satudata/publish/publishers.py)
        own = None
        if settings.publisher:
            from satudata.publish import publishers

            own = publishers.by_code(publishers.load(settings.publishers_file))[settings.publisher].kabupaten_kota
        columns, rows = read_table(scratch, table, list(meta.get("primary_key", [])), own)
        columns, rows, _ = pii.suppress_small_cells(columns, rows, meta, settings.small_cell)
        rows, _ = disclosure_control(settings, columns, rows, meta, _previous_data(settings, dataset_id, version))
        data = render_csv(columns, rows)
    finally:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
    return data, hashlib.sha256(data).hexdigest(), entry["content_hash"]


def run_rebuild(
    settings: Settings, dataset_id: str, version: str, out: Path | None, kode_pemda: str | None = None
) -> int:
    """The command: 0 when the rebuilt data.csv is byte-identical to the published one, 1 when not.
    `kode_pemda`: the publisher whose version it is (published/<kode_pemda>/)."""
    if kode_pemda:
        settings = settings.for_publisher(kode_pemda)
    url = settings.require_url()
    try:
        data, sha, published = rebuild(settings, url, dataset_id, version)
    except RebuildError as e:
        print(f"Tidak dapat dibangun ulang / cannot rebuild: {e}")
        return 2
    target = out or Path(f"{dataset_id}_{version}_rebuild.csv")
    target.write_bytes(data)
    same = sha == published
    print(
        f"{dataset_id} {version}: dibangun ulang dari gudang data / rebuilt from the warehouse -> {target}\n"
        f"  sha256 {sha}\n  terbit / published {published}\n  "
        + ("SAMA PERSIS / byte-identical" if same else "BERBEDA / differs")
    )
    return 0 if same else 1
