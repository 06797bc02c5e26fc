"""The one writer of audit.publication: what each run decided for each publisher x dataset, and reverts.

Statuses: published | unchanged | blocked | held ("ditunda PPID": the PPID chose not to publish it, with
the reason and the approver) | no_data | reverted (`satudata revert`, with the actor). `reasons` holds the
blocking reasons and the warnings (readers tell them apart by `warnings`); `status_color` is the gate's
traffic light (satudata/publish/gate.py).
"""

from __future__ import annotations

import json
from typing import Any

from satudata.warehouse import connect


def record(
    url: str,
    run_id: str,
    kode_pemda: str,
    dataset_id: str,
    status: str,
    *,
    version: str | None = None,
    row_count: int | None = None,
    content_hash: str | None = None,
    provenance: dict[str, Any] | None = None,
    reasons: list[str] = (),  # type: ignore[assignment]
    warnings: list[str] = (),  # type: ignore[assignment]
    incomplete: list[str] = (),  # type: ignore[assignment]
    status_color: str | None = None,
    held_reason: str | None = None,
    held_by: str | None = None,
    actor: str | None = None,
) -> None:
    provenance = provenance or {}
    with connect(url) as conn:
        conn.execute(
            "insert into audit.publication (run_id, kode_pemda, dataset_id, status, version, row_count, "
            "content_hash, git_commit, dbt_manifest_hash, rule_catalogue_hash, reasons, status_color, warnings, "
            "incomplete, held_reason, held_by, actor) values "
            "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "on conflict (run_id, kode_pemda, dataset_id) do update set status = excluded.status, "
            "version = excluded.version, row_count = excluded.row_count, content_hash = excluded.content_hash, "
            "reasons = excluded.reasons, status_color = excluded.status_color, warnings = excluded.warnings, "
            "incomplete = excluded.incomplete, held_reason = excluded.held_reason, held_by = excluded.held_by, "
            "actor = excluded.actor, decided_at = now()",
            (
                run_id,
                kode_pemda,
                dataset_id,
                status,
                version,
                row_count,
                content_hash,
                provenance.get("git_commit"),
                provenance.get("dbt_manifest_hash"),
                provenance.get("rule_catalogue_hash"),
                json.dumps(list(reasons) + list(warnings)),
                status_color,
                json.dumps(list(warnings)),
                json.dumps(list(incomplete)),
                held_reason,
                held_by,
                actor,
            ),
        )


def keep_run(url: str, from_run: str, run_id: str) -> dict:
    """(publish, nothing new since `from_run`: satudata/rerun.py) That run's decisions again for this run: what
    it published stays `unchanged`. Returns {kode_pemda: {dataset_id: {status, version}}} as publishing does."""
    from satudata.rerun import copy_rows

    with connect(url) as conn:
        copy_rows(
            conn,
            "publication",
            from_run,
            run_id,
            {"status": "case when status = 'published' then 'unchanged' else status end"},
        )
        rows = conn.execute(
            "select kode_pemda, dataset_id, status, version from audit.publication where run_id = %s "
            "order by kode_pemda, dataset_id",
            (run_id,),
        ).fetchall()
    out: dict[str, dict] = {}
    for kode_pemda, dataset_id, status, version in rows:
        out.setdefault(kode_pemda, {})[dataset_id] = {"status": status, "version": version}
    return out
