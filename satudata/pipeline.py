"""The pipeline's stages, each a plain function the Airflow tasks call (and tests can call directly).

discover -> land (per file) -> load (per file) -> transform (dbt build) -> validate (GX)
-> gate -> publish -> report. Stages pass ids and counts, never data.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess

from satudata.config import Settings
from satudata.extract.discover import discover
from satudata.load.land import land_file
from satudata.load.loader import load_file
from satudata.publish import gate as gate_mod
from satudata.publish.release import load_catalog, publish_dataset
from satudata.report.run_summary import write_run_summary
from satudata.rules import catalogue_hash
from satudata.transform import build, manifest_hash, publications
from satudata.validate import gx_runner
from satudata.warehouse import connect, migrate

log = logging.getLogger(__name__)


def safe_run_id(airflow_run_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", airflow_run_id)[:120]


def git_commit(settings: Settings) -> str | None:
    proc = subprocess.run(["git", "rev-parse", "HEAD"], cwd=settings.repo_root, capture_output=True, text=True)
    return proc.stdout.strip() or None


def start(settings: Settings, airflow_run_id: str) -> str:
    url = settings.require_url()
    migrate(url)
    run_id = safe_run_id(airflow_run_id)
    with connect(url) as conn:
        conn.execute(
            "insert into audit.pipeline_run (run_id, git_commit, airflow_run_id) values (%s, %s, %s) "
            "on conflict (run_id) do update set started_at = now(), status = 'running', finished_at = null",
            (run_id, git_commit(settings), airflow_run_id),
        )
    log.info("pipeline run %s started; landing %s; outputs %s", run_id, settings.landing, settings.out)
    return run_id


def discover_files(settings: Settings) -> list[str]:
    if not settings.landing.is_dir():
        raise FileNotFoundError(f"landing folder {settings.landing} does not exist (SATUDATA_LANDING)")
    drops = discover(settings.landing)
    log.info("found %d files in %s", len(drops), settings.landing)
    return [d.relpath for d in drops]


def land(settings: Settings, run_id: str, relpath: str) -> dict:
    return land_file(settings.require_url(), settings.landing, settings.home / "archive", relpath, run_id)


def load(settings: Settings, landed: dict) -> dict:
    if landed["status"] != "landed":
        return {"file_id": landed["file_id"], "status": landed["status"]}
    result = load_file(settings.require_url(), settings.home / "archive", landed["file_id"])
    return {"file_id": result["file_id"], "status": result["status"], "rows_loaded": result["rows_loaded"]}


def transform(settings: Settings, run_id: str) -> dict:
    return build(settings, settings.require_url(), run_id)


def validate(settings: Settings, run_id: str) -> dict:
    pubs = publications(settings)
    outcomes = gx_runner.validate(settings, settings.require_url(), run_id,
                                  {t: p["meta"] for t, p in pubs.items()})
    return {"checked": len(outcomes), "failed": sum(not o.success for o in outcomes)}


def _outcomes(url: str, run_id: str) -> list[gx_runner.RuleOutcome]:
    with connect(url) as conn:
        rows = conn.execute(
            "select rule_id, dataset, severity, success, failing_count, examples from audit.rule_result "
            "where run_id = %s", (run_id,),
        ).fetchall()
    return [gx_runner.RuleOutcome(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]


def _not_built(url: str, run_id: str) -> set[str]:
    with connect(url) as conn:
        rows = conn.execute(
            "select unique_id from audit.dbt_result where run_id = %s and status not in ('success', 'pass', 'warn')",
            (run_id,),
        ).fetchall()
    return {r[0] for r in rows}


def gate_and_publish(settings: Settings, run_id: str) -> dict:
    """Decide per dataset, then publish what passed. A blocked dataset keeps its last good version."""
    url = settings.require_url()
    pubs = publications(settings)
    outcomes = _outcomes(url, run_id)
    decisions = gate_mod.decide(pubs, _not_built(url, run_id), outcomes)
    provenance = {"run_id": run_id, "git_commit": git_commit(settings),
                  "dbt_manifest_hash": manifest_hash(settings), "rule_catalogue_hash": catalogue_hash()}
    results = {}
    for d in decisions:
        checked = [o for o in outcomes if o.table in (d.table.split(".")[-1],)]
        validation = {"status": "passed_with_warnings" if d.warnings else "passed",
                      "checks": len(checked), "failed_checks": sum(not o.success for o in checked),
                      "warnings": d.warnings}
        if d.publish:
            result = publish_dataset(settings, url, d.table, pubs[d.table], validation, provenance)
        else:
            current = load_catalog(settings)["datasets"].get(d.dataset_id)
            result = {"dataset_id": d.dataset_id, "status": "blocked",
                      "version": current["version"] if current else None}
            log.warning("%s: BLOCKED, not published: %s", d.dataset_id, "; ".join(d.reasons))
        result.update(reasons=d.reasons, warnings=d.warnings, failing_checks=d.failing_checks)
        results[d.dataset_id] = result
        with connect(url) as conn:
            conn.execute(
                "insert into audit.publication (run_id, dataset_id, status, version, row_count, content_hash, "
                "git_commit, dbt_manifest_hash, rule_catalogue_hash, reasons) values "
                "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) on conflict (run_id, dataset_id) do update set "
                "status = excluded.status, version = excluded.version, row_count = excluded.row_count, "
                "content_hash = excluded.content_hash, reasons = excluded.reasons, decided_at = now()",
                (run_id, d.dataset_id, result["status"], result.get("version"), result.get("row_count"),
                 result.get("content_hash"), provenance["git_commit"], provenance["dbt_manifest_hash"],
                 provenance["rule_catalogue_hash"], json.dumps(d.reasons + d.warnings)),
            )
    return {k: {"status": v["status"], "version": v.get("version")} for k, v in results.items()}


def report(settings: Settings, run_id: str) -> dict:
    """Write reports/run_summary.json and close the run. Returns the run's overall status."""
    url = settings.require_url()
    summary = write_run_summary(settings, url, run_id)
    with connect(url) as conn:
        conn.execute("update audit.pipeline_run set finished_at = now(), status = %s where run_id = %s",
                     (summary["status"], run_id))
    log.info("run %s finished: %s; summary at %s", run_id, summary["status"],
             settings.reports / "run_summary.json")
    return {"status": summary["status"], "blocked": summary["blocked"]}

