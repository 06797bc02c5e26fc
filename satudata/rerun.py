"""A rerun with nothing new does no work: no dbt build, no GX checkpoint, no republication.

`transform` (the first stage after loading) fingerprints what the run is made of: the content hash
of every file it saw (path and sha256, from audit.run_file), the code and definitions (this package,
the DAG, the dbt project, the expectations, the dbt and GX versions), the pipeline's day
(Settings.today: the expected submissions and their lateness depend on it), the reference lists'
versions and the publication acts made outside runs (`satudata revert`). When that fingerprint is the
one of the last successful run, and that run's outputs are still in place, this run is a rerun with
nothing new: it keeps that run's dbt node results, check results and publication decisions (copied to
its own run id, published versions shown as `unchanged`), and the stages return at once. The decision
is kept in audit.pipeline_run (`inputs_fingerprint`, `unchanged_since`: migration 014) and in
reports/run_summary.json (`unchanged_since`).

Landing still hashes every file (that is how the run knows nothing is new) and the report stage still
writes the run's summary, feedback index and audit report (it assembles; nothing is rebuilt).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
from typing import Any

from psycopg import sql

from satudata.config import Settings
from satudata.warehouse import connect, one

log = logging.getLogger(__name__)

CODE_PARTS = (
    "satudata",
    "dags",
    "expectations",
    "dbt_project/dbt_project.yml",
    "dbt_project/models",
    "dbt_project/macros",
    "dbt_project/seeds",
    "dbt_project/snapshots",
)
SKIPPED_SUFFIXES = (".pyc",)

INPUTS_SQL = """
select md5(concat_ws('#',
    (select string_agg(rf.relpath || ':' || sf.sha256, ',' order by rf.relpath)
       from audit.run_file rf join audit.source_file sf using (file_id) where rf.run_id = %(run_id)s::text),
    (select concat_ws(':', count(*), max(file_id)) from audit.source_file),
    (select concat_ws(':', count(*), max(version_id)) from reference.list_version),
    (select concat_ws(':', count(*), max(decided_at)) from audit.publication where actor is not null),
    %(today)s::date,
    %(code)s::text))
"""


def code_fingerprint(settings: Settings) -> str:
    """The package, the DAG, the dbt project and the expectations, with the versions of dbt and GX."""
    digest = hashlib.sha256()
    for package in ("dbt-core", "great_expectations"):
        digest.update(f"{package}=={importlib.metadata.version(package)}\0".encode())
    for part in CODE_PARTS:
        root = settings.repo_root / part
        paths = [root] if root.is_file() else (p for p in root.rglob("*") if p.is_file())
        for path in sorted(paths):
            if "__pycache__" in path.parts or path.suffix in SKIPPED_SUFFIXES:
                continue
            digest.update(path.relative_to(settings.repo_root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _outputs_in_place(settings: Settings) -> bool:
    """What the kept run left and this run would otherwise make again: the build, the docs, and each
    publisher's catalogue (published/<kode_pemda>/catalog.json)."""
    from satudata.publish.publishers import load

    catalogs = [settings.for_publisher(p.kode_pemda).published / "catalog.json" for p in load(settings.publishers_file)]
    return all(
        p.exists()
        for p in (
            settings.dbt_dir / "target" / "manifest.json",
            settings.reports / "dbt_docs" / "index.html",
            settings.reports / "data_docs" / "index.html",
            settings.published_root / "index.html",
            *catalogs,
        )
    )


def decide(settings: Settings, url: str, run_id: str) -> str | None:
    """(transform, before anything else) The fingerprint of this run, kept in audit.pipeline_run; the last
    successful run with the same fingerprint when its outputs are in place (nothing to do), else None."""
    with connect(url) as conn:
        has_lists = one(conn.execute("select to_regclass('reference.list_version') is not null"))[0]
        query = INPUTS_SQL if has_lists else INPUTS_SQL.replace("from reference.list_version", "where false")
        fingerprint = one(
            conn.execute(query, {"run_id": run_id, "today": settings.today(), "code": code_fingerprint(settings)})
        )[0]
        last = conn.execute(
            "select run_id, inputs_fingerprint from audit.pipeline_run where status = 'success' and run_id <> %s "
            "order by finished_at desc nulls last limit 1",
            (run_id,),
        ).fetchone()
        same = last is not None and last[1] == fingerprint and _outputs_in_place(settings)
        kept_from = last[0] if same and last is not None else None
        conn.execute("select audit.note_run_inputs(%s::text, %s::text, %s::text)", (run_id, fingerprint, kept_from))
    if kept_from:
        log.info("nothing new since run %s (same files, code, day and reference lists): nothing is rebuilt", kept_from)
    return kept_from


def unchanged_since(url: str, run_id: str) -> str | None:
    """The run this one keeps everything of (decided by `transform`), or None."""
    with connect(url) as conn:
        row = conn.execute("select unchanged_since from audit.pipeline_run where run_id = %s", (run_id,)).fetchone()
    return row[0] if row else None


def copy_rows(conn: Any, table: str, from_run: str, run_id: str, overrides: dict[str, str] | None = None) -> int:
    """The rows of audit.<table> of `from_run` again under `run_id` (every column, whatever migrations
    added; `overrides`: column -> SQL expression over the old row). Returns the rows copied."""
    overrides = overrides or {}
    columns = [
        r[0]
        for r in conn.execute(
            "select column_name from information_schema.columns where table_schema = 'audit' and table_name = %s "
            "and column_name <> 'run_id' and is_generated = 'NEVER' and column_default is distinct from "
            "'now()' order by ordinal_position",
            (table,),
        )
    ]
    values = [sql.SQL(overrides[c]) if c in overrides else sql.Identifier(c) for c in columns]
    conn.execute(sql.SQL("delete from audit.{} where run_id = %s").format(sql.Identifier(table)), (run_id,))
    return conn.execute(
        sql.SQL("insert into audit.{t} (run_id, {cols}) select %s, {vals} from audit.{t} where run_id = %s").format(
            t=sql.Identifier(table),
            cols=sql.SQL(", ").join(map(sql.Identifier, columns)),
            vals=sql.SQL(", ").join(values),
        ),
        (run_id, from_run),
    ).rowcount
