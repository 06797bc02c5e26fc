"""The pipeline's stages, each a plain function the Airflow tasks call (and tests can call directly).

sources -> extract (per registry http/sql source) -> discover -> land (per file) -> load (per file)
-> transform (dbt build) -> validate (GX) -> decide (gate + per-publisher summary) -> the PPID of each
publisher chooses -> publish -> report. Stages pass ids and counts, never data.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from satudata import rerun
from satudata.config import LOADER, PUBLISHER, TRANSFORMER, Settings
from satudata.extract import sources
from satudata.extract.discover import discover
from satudata.load import lanes
from satudata.load.land import land_file
from satudata.load.loader import load_file
from satudata.publish import approval, ledger
from satudata.publish import run as publish_run
from satudata.report.audit import write_audit_report
from satudata.report.feedback import BatchFeedback, write_feedback
from satudata.report.run_summary import write_run_summary
from satudata.rules import completeness
from satudata.rules import results as rule_results
from satudata.transform import build, publications
from satudata.validate import gx_runner
from satudata.validate import reuse as validation_reuse
from satudata.warehouse import connect, migrate, reuse_connections
from satudata.warehouse.lock import stage_lock

log = logging.getLogger(__name__)


def safe_run_id(airflow_run_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", airflow_run_id)[:120]


git_commit = publish_run.git_commit


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


def list_sources(settings: Settings, run_id: str) -> list[str]:
    settings = settings.as_role(LOADER)  # each stage acts as its warehouse role (migration 005)
    return sources.list_sources(settings, run_id)


def source_connection(settings: Settings, source_id: str) -> str | None:
    """The Airflow connection id a source names; the DAG task resolves it through Airflow."""
    return sources.connection_id(settings, source_id)


def extract(settings: Settings, run_id: str, source_id: str, connection: dict | None = None) -> dict:
    """``connection``: the values of the source's Airflow connection (``Connection.to_dict()``), resolved by
    the task; None when the source names none, or Airflow does not know it (the source then fails, saying so)."""
    settings = settings.as_role(LOADER)
    conn_id = sources.connection_id(settings, source_id)
    return sources.extract(settings, run_id, source_id, {conn_id: connection} if conn_id and connection else None)


def extracted_files(settings: Settings, run_id: str) -> list[str]:
    settings = settings.as_role(LOADER)
    return sources.extracted_files(settings, run_id)


def batches(relpaths: list[str]) -> list[list[str]]:
    """Group files by pemda: one mapped land/load task per pemda. A task per file would cost Airflow's
    per-task overhead thousands of times (and exceed max_map_length); inside a batch each file is
    still landed and loaded on its own, so one bad file or OPD fails alone."""
    groups: dict[str, list[str]] = {}
    for relpath in relpaths:
        groups.setdefault(relpath.removeprefix(sources.EXTRACTED_PREFIX).split("/", 1)[0], []).append(relpath)
    return [groups[k] for k in sorted(groups)]


def land(settings: Settings, run_id: str, relpath: str) -> dict:
    settings = settings.as_role(LOADER)
    root, rel = sources.root_of(settings, relpath)  # `extracted:<relpath>`: written by extract
    landed = land_file(settings.require_url(), root, settings.home / "archive", rel, run_id)
    return {**landed, "relpath": relpath, "run_id": run_id}


def load(settings: Settings, landed: dict) -> dict:
    settings = settings.as_role(LOADER)
    if landed["status"] != "landed":
        return sources.after_load(settings, landed, {"file_id": landed["file_id"], "status": landed["status"]})
    result = load_file(settings.require_url(), settings.home / "archive", landed["file_id"])
    return sources.after_load(
        settings,
        landed,
        {"file_id": result["file_id"], "status": result["status"], "rows_loaded": result["rows_loaded"]},
    )


def _each(items: list, step, what: str) -> tuple[list, list[str]]:
    """Run `step` on every item; an error in one is logged and kept, never stops the others."""
    done, errors = [], []
    for item in items:
        try:
            done.append(step(item))
        except Exception as e:  # noqa: BLE001 - reported per file, then raised for the batch
            log.exception("%s failed for %s", what, item)
            errors.append(f"{item}: {type(e).__name__}: {e}")
    return done, errors


def land_batch(settings: Settings, run_id: str, relpaths: list[str]) -> list[dict]:
    # one run at a time lands and loads (satudata/warehouse/lock.py); the batches of one run share the lock
    with stage_lock(settings.as_role(LOADER).require_url(), "load", run_id, settings.lock_timeout), reuse_connections():
        landed, errors = _each(relpaths, lambda r: land(settings, run_id, r), "landing")
    if errors:
        raise RuntimeError(f"{len(errors)} of {len(relpaths)} files could not be landed: " + "; ".join(errors[:5]))
    return landed


def _feedback_of(item: dict, feedback: BatchFeedback) -> None:
    if item["status"] == "landed":  # content seen before has its report; a new copy's is the report stage's
        feedback.add(item["relpath"])


def _load_with_feedback(settings: Settings, item: dict, feedback: BatchFeedback) -> dict:
    try:
        return load(settings, item)
    finally:
        _feedback_of(item, feedback)


def load_batch(settings: Settings, landed: list[dict]) -> dict:
    run_id = next((i["run_id"] for i in landed if i.get("run_id")), "unknown")  # set by `land`
    url = settings.as_role(LOADER).require_url()
    name = f"{run_id}_{landed[0]['relpath'].removeprefix(sources.EXTRACTED_PREFIX).split('/')[0]}" if landed else run_id
    # each file's feedback workbook is written as soon as it is loaded, beside the loading (not by `report`)
    workers = lanes.processes(sum(item["status"] == "landed" for item in landed))  # files with something to load
    with BatchFeedback(settings, url, run_id, name, len(landed)) as feedback:
        with stage_lock(url, "load", run_id, settings.lock_timeout), reuse_connections():
            if workers > 1:  # a large batch: its files loaded by worker processes side by side (load/lanes.py)
                loaded, errors = lanes.load_in_processes(
                    load, settings, landed, workers, lambda item: _feedback_of(item, feedback)
                )
            else:
                loaded, errors = _each(landed, lambda item: _load_with_feedback(settings, item, feedback), "loading")
    counts: dict[str, int] = {}
    for item in loaded:
        counts[item["status"]] = counts.get(item["status"], 0) + 1
    log.info("batch of %d files: %s", len(landed), counts)
    if errors:
        raise RuntimeError(f"{len(errors)} of {len(landed)} files could not be loaded: " + "; ".join(errors[:5]))
    return {"files": len(landed), "statuses": counts, "rows_loaded": sum(i.get("rows_loaded") or 0 for i in loaded)}


def transform(settings: Settings, run_id: str) -> dict:
    settings = settings.as_role(TRANSFORMER)
    url = settings.require_url()
    if kept := rerun.decide(settings, url, run_id):  # nothing new since that run: keep what it built
        with connect(url) as conn:
            rerun.copy_rows(conn, "expected_submission_history", kept, run_id)
            nodes = rerun.copy_rows(conn, "dbt_result", kept, run_id)
            conn.execute(
                "update audit.pipeline_run set registry_hash = (select registry_hash from audit.pipeline_run "
                "where run_id = %s) where run_id = %s",
                (kept, run_id),
            )
        return {"returncode": 0, "nodes": nodes, "not_successful": [], "kept_build_of": kept, "unchanged_since": kept}
    completeness.refresh_expected(settings, url, run_id)  # dbt reads audit.expected_submission
    return build(settings, url, run_id)


def validate(settings: Settings, run_id: str) -> dict:
    settings = settings.as_role(TRANSFORMER)  # the checks read staging and raw, which the publisher may not
    url = settings.require_url()
    if since := rerun.unchanged_since(url, run_id):  # nothing new (transform): that run's results, all kinds
        with connect(url) as conn:
            rerun.copy_rows(conn, "rule_result", since, run_id)
            conn.execute(
                "update audit.pipeline_run set rule_catalogue_hash = (select rule_catalogue_hash from "
                "audit.pipeline_run where run_id = %s) where run_id = %s",
                (since, run_id),
            )
        outcomes = publish_run._outcomes(url, run_id)
        return {"checked": len(outcomes), "failed": sum(not o.success for o in outcomes), "kept_from": since}
    if kept := validation_reuse.keep_results(settings, url, run_id):  # the same data and suites: same results
        outcomes = publish_run._outcomes(url, run_id)
    else:
        pubs = publications(settings)
        outcomes = gx_runner.validate(settings, url, run_id, {t: p["meta"] for t, p in pubs.items()})
        validation_reuse.note_validated(
            settings,
            url,
            run_id,
            errors=any(isinstance(e, dict) and "error" in e for o in outcomes for e in o.examples[:1]),
        )
    rule_results.record(url, run_id)  # row rules' results too, every result annotated
    return {"checked": len(outcomes), "failed": sum(not o.success for o in outcomes), "kept_from": kept}


def decide(settings: Settings, run_id: str) -> list[dict]:
    """The gate, then per publisher its PPID's decision summary and Airflow request (satudata/publish/run.py).
    Nothing new since a successful run (transform): nothing to decide, no PPID is asked."""
    if rerun.unchanged_since(settings.as_role(PUBLISHER).require_url(), run_id):
        return []
    return publish_run.prepare(settings, run_id)


def publish(settings: Settings, run_id: str, ckan: dict | None = None) -> dict:
    """Per publisher, the datasets its PPID chose get a new version; a held one is recorded "ditunda PPID".
    ``ckan``: the values of the Airflow connection `ckan_default`, resolved by the task through Airflow.
    Nothing new since a successful run (transform): that run's decisions are kept, nothing republished."""
    url = settings.as_role(PUBLISHER).require_url()
    if since := rerun.unchanged_since(url, run_id):
        return ledger.keep_run(url, since, run_id)
    return publish_run.publish(settings, run_id, ckan)


def gate_and_publish(settings: Settings, run_id: str, ckan: dict | None = None) -> dict:
    """Outside Airflow (tests, soak): `decide`, every ready dataset chosen as SATUDATA_AUTO_APPROVE does
    (recorded with method 'auto'), then `publish`. Returns {kode_pemda: {dataset_id: {status, version}}};
    with ``settings.publisher`` set, that publisher's {dataset_id: {status, version}}."""
    requests = decide(settings, run_id)
    url = settings.as_role(PUBLISHER).require_url()
    auto = replace(settings, auto_approve=True)
    for request in requests:
        answer = approval.auto_response(auto, request["options"])
        assert answer is not None  # auto_approve is set
        approval.record(url, run_id, answer, None, request["kode_pemda"])
    results = publish(settings, run_id, ckan)
    return results.get(settings.publisher, {}) if settings.publisher else results


def report(settings: Settings, run_id: str) -> dict:
    """Write reports/run_summary.json and close the run. Returns the run's overall status."""
    settings = settings.as_role(PUBLISHER)
    url = settings.require_url()
    summary = write_run_summary(settings, url, run_id)
    write_feedback(settings, url, run_id)
    write_audit_report(settings, url, run_id)
    with connect(url) as conn:
        conn.execute(
            "update audit.pipeline_run set finished_at = now(), status = %s where run_id = %s",
            (summary["status"], run_id),
        )
    log.info("run %s finished: %s; summary at %s", run_id, summary["status"], settings.reports / "run_summary.json")
    return {"status": summary["status"], "blocked": summary["blocked"], "sources_failed": summary["sources_failed"]}
