"""reports/run_summary.json: per input file what happened to its rows; per dataset what was published."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from satudata.config import Settings
from satudata.extract.sources import source_runs
from satudata.report.runs import keep_summary, write_json
from satudata.warehouse import connect

FILE_COLUMNS = (
    "path",
    "dataset",
    "kode_pemda",
    "opd",
    "sha256",
    "rows_read",
    "rows_loaded",
    "rows_quarantined",
    "rows_set_aside",
    "set_aside",
    "profile",
    "status",
    "reasons",
)


def _files(conn: Any, run_id: str) -> list[dict]:
    cur = conn.execute(
        "select rf.relpath, sf.dataset, sf.kode_pemda, sf.opd, sf.sha256, sf.rows_read, sf.rows_loaded, "
        "sf.rows_quarantined, coalesce(sf.rows_set_aside, 0), coalesce(sf.set_aside, '{}'::jsonb), sf.profile, "
        "case when rf.land_status = 'duplicate' and sf.status <> 'superseded' then 'unchanged' "
        "else sf.status end, "
        "sf.reasons, sf.file_id from audit.run_file rf join audit.source_file sf using (file_id) "
        "where rf.run_id = %s order by rf.relpath",
        (run_id,),
    )
    files = []
    for r in cur:
        entry = dict(zip(FILE_COLUMNS, r[:13], strict=True))
        entry["path"], entry["pemda"], entry["file_id"] = r[0], r[2], r[13]
        del entry["kode_pemda"]
        files.append(entry)
    return files


def _quarantine_by_rule(conn: Any, file_ids: list[int]) -> dict[str, int]:
    rows = conn.execute(
        "select rule_id, count(distinct (file_id, row_number)) from audit.row_finding "
        "where file_id = any(%s) and severity = 'fatal' group by rule_id order by rule_id",
        (file_ids,),
    ).fetchall()
    return {r[0]: r[1] for r in rows}


STATUS_RANK = ("no_data", "unchanged", "reverted", "published", "held", "blocked")


def _rank(status: str) -> int:
    return STATUS_RANK.index(status) if status in STATUS_RANK else -1


def write_run_summary(settings: Settings, url: str, run_id: str) -> dict:
    with connect(url) as conn:
        files = _files(conn, run_id)
        pubs = conn.execute(
            "select dataset_id, status, version, row_count, reasons, kode_pemda, held_reason, held_by "
            "from audit.publication where run_id = %s order by dataset_id, kode_pemda",
            (run_id,),
        ).fetchall()
        rules = conn.execute(
            "select rule_id, dataset, severity, success, failing_count, examples from audit.rule_result "
            "where run_id = %s order by rule_id, dataset",
            (run_id,),
        ).fetchall()
        dbt = conn.execute(
            "select status, count(*) from audit.dbt_result where run_id = %s group by status",
            (run_id,),
        ).fetchall()
        by_rule = _quarantine_by_rule(conn, [f["file_id"] for f in files])
        sources = source_runs(conn, run_id)
        kept = conn.execute(
            "select unchanged_since, inputs_fingerprint from audit.pipeline_run where run_id = %s", (run_id,)
        ).fetchone()
    datasets: dict[str, dict] = {}
    publishers: dict[str, dict] = {}
    for dataset_id, status, version, row_count, reasons, kode_pemda, held_reason, held_by in pubs:
        entry = {
            "status": status,
            "version": version,
            "row_count": row_count,
            "failing_checks": [r for r in reasons if status == "blocked"],
            "warnings": [r for r in reasons if status not in ("blocked", "held")],
        }
        if status == "held":  # "ditunda PPID": the publisher's PPID chose not to publish it in this run
            entry.update(ditunda_ppid={"alasan": held_reason, "oleh": held_by})
        publishers.setdefault(kode_pemda, {})[dataset_id] = entry
        # per dataset over the publishers: the status that most needs reading (blocked, held, published, ...)
        if dataset_id not in datasets or _rank(status) > _rank(datasets[dataset_id]["status"]):
            datasets[dataset_id] = entry
    blocked = sorted(d for d, v in datasets.items() if v["status"] == "blocked")
    failed_files = [f["path"] for f in files if f["status"] == "landed"]  # landed but never loaded
    failed_sources = [s["source_id"] for s in sources if s["status"] in ("failed", "rejected")]
    status = "failed" if blocked or failed_files or failed_sources or not datasets else "success"
    summary = {
        "run_id": run_id,
        "publishers": publishers,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "status": status,
        # nothing new since that successful run (same files, code, day): its build, checks and decisions
        # were kept, nothing rebuilt or republished (satudata/rerun.py); null when this run did the work
        "unchanged_since": kept[0] if kept else None,
        "inputs_fingerprint": kept[1] if kept else None,
        "landing": str(settings.landing),
        "totals": {
            "files": len(files),
            "rows_read": sum(f["rows_read"] or 0 for f in files),
            "rows_loaded": sum(f["rows_loaded"] or 0 for f in files),
            "rows_quarantined": sum(f["rows_quarantined"] or 0 for f in files),
            "rows_set_aside": sum(f["rows_set_aside"] or 0 for f in files),
            "files_rejected": sum(f["status"] == "rejected" for f in files),
            "quarantined_rows_by_rule": by_rule,
        },
        "files": files,
        "datasets": datasets,
        "blocked": blocked,
        "files_not_loaded": failed_files,
        "sources": sources,  # registry http/sql sources: status, rows, watermark, reason
        "sources_failed": failed_sources,
        "checks": [
            {"rule_id": r[0], "table": r[1], "severity": r[2], "success": r[3], "failing_count": r[4], "examples": r[5]}
            for r in rules
        ],
        "dbt": {s: n for s, n in dbt},
    }
    write_json(settings.reports / "run_summary.json", summary, default=str)
    keep_summary(settings, run_id, summary)  # the run's own copy, never overwritten by a later run
    return summary
