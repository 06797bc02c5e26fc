"""Run dbt (one `dbt build` of the whole project) and keep each node's result in the audit schema.

One `dbt build` task instead of one Airflow task per model: on 2 cores each dbt start costs
seconds, so per-model tasks spend more time starting dbt than building (see README, Performance).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from satudata.config import DbParams, Settings
from satudata.warehouse import connect

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


def build(settings: Settings, url: str, run_id: str) -> dict:
    """`dbt build` the project; record per-node results; generate dbt docs into the reports."""
    results_path = settings.dbt_dir / "target" / "run_results.json"
    results_path.unlink(missing_ok=True)  # an earlier build's results must never pass for this one's
    proc = dbt_command(settings, url, "build")
    if proc.returncode < 0 or not results_path.exists():  # killed (a signal), or stopped before writing results
        raise RuntimeError(f"dbt build did not finish (exit {proc.returncode}); run the stage again: "
                           f"{proc.stderr.strip()[-500:] or proc.stdout.strip()[-500:]}")
    results = json.loads(results_path.read_text())["results"]
    with connect(url) as conn:
        conn.execute("delete from audit.dbt_result where run_id = %s", (run_id,))
        with conn.cursor().copy(
            "copy audit.dbt_result (run_id, unique_id, status, execution_time, rows_affected, message) from stdin"
        ) as copy:
            for r in results:
                copy.write_row((run_id, r["unique_id"], r["status"], r.get("execution_time"),
                                (r.get("adapter_response") or {}).get("rows_affected"), r.get("message")))
    failed = [r["unique_id"] for r in results if r["status"] in ("error", "fail", "skipped", "runtime error")]
    log.info("dbt build: %d nodes, %d not successful (exit %d)", len(results), len(failed), proc.returncode)
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
