"""Run dbt (one `dbt build` of the whole project) and keep each node's result in the audit schema.

One `dbt build` task instead of one Airflow task per model: on 2 cores each dbt start costs
seconds, so per-model tasks spend more time starting dbt than building (see README, Performance).

The large facts are incremental (dbt_project/macros/incremental.sql). What the marts were last built
from is kept in audit.dbt_state: a changed dbt project (code, seeds, vars, dbt version) gets
`dbt build --full-refresh`; unchanged project and data (no file loaded or replaced, same expected
submissions, same day of the pipeline's clock, Settings.today) keep the last build and its per-node
results: nothing would differ. No model reads the clock (tests/unit/test_dbt_project.py), so a build
on another day gives the same marts and the publisher no new version.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from satudata.config import DbParams, Settings
from satudata.warehouse import connect, one

log = logging.getLogger(__name__)


def dbt_command(settings: Settings, url: str, *args: str) -> subprocess.CompletedProcess:
    dbt = Path(sys.executable).parent / "dbt"
    env = {**os.environ, **DbParams.from_url(url).dbt_env(), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    cmd = [str(dbt), *args, "--project-dir", str(settings.dbt_dir), "--profiles-dir", str(settings.dbt_dir)]
    log.info("running %s", " ".join(cmd[1:3]))
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=settings.dbt_dir)
    for line in proc.stdout.splitlines():
        log.info("dbt | %s", line)
    if proc.stderr.strip():
        log.warning("dbt stderr | %s", proc.stderr.strip()[-4000:])
    return proc


PROJECT_PARTS = ("dbt_project.yml", "models", "macros", "seeds", "snapshots")
DATA_FINGERPRINT = """
select md5(concat_ws('#',
    (select string_agg(concat_ws(':', file_id, status, superseded_by, rows_read, rows_loaded, rows_quarantined),
                       ',' order by file_id) from audit.source_file),
    (select string_agg(concat_ws(':', kode_pemda, opd, dataset, periode, source_id, kind, deadline, status, partial,
                                 first_received_at, days_late, rows_loaded, rows_quarantined),
                       ',' order by kode_pemda, opd, dataset, periode) from audit.expected_submission),
    %s::date))
"""


def project_fingerprint(settings: Settings) -> str:
    """What decides the marts besides the data: the dbt project's files and the dbt version."""
    digest = hashlib.sha256(importlib.metadata.version("dbt-core").encode())
    for part in PROJECT_PARTS:
        root = settings.dbt_dir / part
        for path in sorted([root] if root.is_file() else (p for p in root.rglob("*") if p.is_file())):
            digest.update(path.relative_to(settings.dbt_dir).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _last_build(url: str) -> tuple[str, str, str] | None:
    """(project fingerprint, data fingerprint, run_id) of the last build whose models all built."""
    with connect(url) as conn:
        return conn.execute(
            "select project_fingerprint, data_fingerprint, run_id from audit.dbt_state where project = 'satudata'"
        ).fetchone()


def _keep_last_build(url: str, last_run: str, run_id: str) -> int:
    with connect(url) as conn:
        conn.execute("delete from audit.dbt_result where run_id = %s", (run_id,))
        return conn.execute(
            "insert into audit.dbt_result (run_id, unique_id, status, execution_time, rows_affected, message) "
            "select %s, unique_id, status, execution_time, rows_affected, message from audit.dbt_result "
            "where run_id = %s",
            (run_id, last_run),
        ).rowcount


def build(settings: Settings, url: str, run_id: str) -> dict:
    """`dbt build` the project (or keep the last build when nothing it reads changed); record per-node
    results; generate dbt docs into the reports."""
    project = project_fingerprint(settings)
    with connect(url) as conn:
        data = one(conn.execute(DATA_FINGERPRINT, (settings.today(),)))[0]
    last = _last_build(url)
    kept = [settings.dbt_dir / "target" / "manifest.json", settings.reports / "dbt_docs" / "index.html"]
    if last and last[:2] == (project, data) and last[2] != run_id and all(p.exists() for p in kept):
        nodes = _keep_last_build(url, last[2], run_id)
        log.info("dbt build skipped: project and data unchanged since run %s (%d node results kept)", last[2], nodes)
        return {"returncode": 0, "nodes": nodes, "not_successful": [], "kept_build_of": last[2]}
    full_refresh = last is None or last[0] != project
    if full_refresh:
        log.info("dbt project changed since the last build (or no build yet): --full-refresh")
    results_path = settings.dbt_dir / "target" / "run_results.json"
    results_path.unlink(missing_ok=True)  # an earlier build's results must never pass for this one's
    proc = dbt_command(settings, url, "build", *(["--full-refresh"] if full_refresh else []))
    if proc.returncode < 0 or not results_path.exists():  # killed (a signal), or stopped before writing results
        raise RuntimeError(
            f"dbt build did not finish (exit {proc.returncode}); run the stage again: "
            f"{proc.stderr.strip()[-500:] or proc.stdout.strip()[-500:]}"
        )
    results = json.loads(results_path.read_text())["results"]
    with connect(url) as conn:
        conn.execute("delete from audit.dbt_result where run_id = %s", (run_id,))
        with conn.cursor().copy(
            "copy audit.dbt_result (run_id, unique_id, status, execution_time, rows_affected, message) from stdin"
        ) as copy:
            for r in results:
                copy.write_row(
                    (
                        run_id,
                        r["unique_id"],
                        r["status"],
                        r.get("execution_time"),
                        (r.get("adapter_response") or {}).get("rows_affected"),
                        r.get("message"),
                    )
                )
    failed = [r["unique_id"] for r in results if r["status"] in ("error", "fail", "skipped", "runtime error")]
    log.info("dbt build: %d nodes, %d not successful (exit %d)", len(results), len(failed), proc.returncode)
    with connect(url) as conn:
        if not any(f.split(".")[0] in ("model", "seed", "snapshot") for f in failed):  # every relation built
            conn.execute(
                "insert into audit.dbt_state (project, project_fingerprint, data_fingerprint, run_id) "
                "values ('satudata', %s, %s, %s) on conflict (project) do update set "
                "project_fingerprint = excluded.project_fingerprint, data_fingerprint = excluded.data_fingerprint, "
                "run_id = excluded.run_id, built_at = now()",
                (project, data, run_id),
            )
        else:  # build again next time; a full refresh that failed is done in full again (old fingerprint kept)
            conn.execute("update audit.dbt_state set data_fingerprint = '' where project = 'satudata'")
    docs = dbt_command(settings, url, "docs", "generate", "--static", "--no-compile")
    docs_dir = settings.reports / "dbt_docs"
    docs_dir.mkdir(parents=True, exist_ok=True)
    static = settings.dbt_dir / "target" / "static_index.html"
    if docs.returncode == 0 and static.exists():
        (docs_dir / "index.html").write_bytes(static.read_bytes())
    return {"returncode": proc.returncode, "nodes": len(results), "not_successful": failed}


def manifest(settings: Settings) -> dict:
    return json.loads((settings.dbt_dir / "target" / "manifest.json").read_text())


def manifest_hash(settings: Settings) -> str:
    return hashlib.sha256((settings.dbt_dir / "target" / "manifest.json").read_bytes()).hexdigest()


def publications(settings: Settings) -> dict[str, dict]:
    """`marts.pub_x` -> {meta, columns, built} for every published model in the dbt manifest."""
    m = manifest(settings)
    out = {}
    for node in m["nodes"].values():
        if node["resource_type"] == "model" and node["name"].startswith("pub_"):
            meta = {**node.get("meta", {}), **node.get("config", {}).get("meta", {})}
            out[f"{node['schema']}.{node['name']}"] = {
                "meta": meta,
                "description": node.get("description", ""),
                "columns": {c: v.get("description", "") for c, v in node.get("columns", {}).items()},
                "unique_id": node["unique_id"],
            }
    return out
