"""The PPID's decision: per run and publisher, which ready datasets to publish, kept in the audit schema.

In Airflow the step is one Human-in-the-loop request per publisher (task `ppid_approval`, mapped per
publisher; dags/satudata_pipeline.py): the publisher's decision summary as the body
(satudata/publish/run.py), its ready datasets as the options (several may be chosen), a reason for those
held back (`alasan_ditunda`), and only the publisher's approvers (satudata/publish/publishers.yaml) may
answer. For the demo and CI, SATUDATA_AUTO_APPROVE=true (the default of `satudata run`) chooses every
ready dataset at once, recorded with method 'auto' and the setting's name as the approver, so an auditor
can tell the two apart.

This module holds no Airflow import: the operator calls `auto_response` and `record`.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from satudata.config import Settings
from satudata.warehouse import connect

log = logging.getLogger(__name__)

APPROVE = "Approve"
AUTO_USER = {"id": "satudata-auto-approve", "name": "SATUDATA_AUTO_APPROVE"}
HOLD_PARAM = "alasan_ditunda"
HOLD_TITLE = "Alasan menunda"  # the field's title on the Required Actions page (dags/satudata_pipeline.py)
NOTHING_TO_CHOOSE = "(tidak ada yang siap terbit)"


def auto_response(settings: Settings, options: list[str] | None = None) -> dict[str, Any] | None:
    """The answer the auto-approve setting gives (every option chosen), in the shape of Airflow's HITL
    response event; None when a person must answer."""
    if not settings.auto_approve:
        return None
    return {
        "chosen_options": list(options) if options is not None else [APPROVE],
        "params_input": {},
        "responded_at": datetime.now(UTC),
        "responded_by_user": dict(AUTO_USER),
        "timedout": False,
    }


def _as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _decision(chosen: list[str]) -> str:
    if chosen == [APPROVE]:
        return APPROVE
    chosen = [c for c in chosen if c != NOTHING_TO_CHOOSE]
    return ("terbitkan: " + ", ".join(chosen)) if chosen else "tidak ada yang diterbitkan"


def record(
    url: str, run_id: str, event: dict[str, Any], airflow_run_id: str | None = None, kode_pemda: str = ""
) -> dict:
    """Keep who answered, what and when for one pipeline run and publisher (audit.publication_approval)."""
    user = event.get("responded_by_user") or {}
    chosen = list(event.get("chosen_options") or [])
    decision = _decision(chosen)
    method = "auto" if user.get("id") == AUTO_USER["id"] else "hitl"
    if event.get("timedout"):
        method = "hitl_timeout_default"
    row = {
        "run_id": run_id,
        "kode_pemda": kode_pemda,
        "decision": decision,
        "approved_by": user.get("name"),
        "approved_by_id": user.get("id"),
        "responded_at": _as_datetime(event.get("responded_at")),
        "method": method,
        "airflow_run_id": airflow_run_id,
        "details": {"chosen_options": chosen, "params_input": event.get("params_input") or {}},
    }
    with connect(url) as conn:
        conn.execute(
            "insert into audit.publication_approval (run_id, kode_pemda, decision, approved_by, approved_by_id, "
            "responded_at, method, airflow_run_id, details) values (%s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "on conflict (run_id, kode_pemda) do update set decision = excluded.decision, approved_by = "
            "excluded.approved_by, approved_by_id = excluded.approved_by_id, responded_at = excluded.responded_at, "
            "method = excluded.method, airflow_run_id = excluded.airflow_run_id, details = excluded.details, "
            "recorded_at = now()",
            (
                run_id,
                kode_pemda,
                decision,
                row["approved_by"],
                row["approved_by_id"],
                row["responded_at"],
                method,
                airflow_run_id,
                json.dumps(row["details"]),
            ),
        )
    log.info(
        "PPID decision for run %s, publisher %s: %s by %s (%s) at %s",
        run_id,
        kode_pemda or "-",
        decision,
        row["approved_by"],
        method,
        row["responded_at"],
    )
    return row


def choices(url: str, run_id: str) -> dict[str, dict[str, Any]]:
    """Per publisher of a run: the datasets its PPID chose, who answered, and the reason given for holding
    the others back."""
    with connect(url) as conn:
        rows = conn.execute(
            "select kode_pemda, approved_by, details from audit.publication_approval where run_id = %s", (run_id,)
        ).fetchall()
    return {
        kode: {
            "chosen": list((details or {}).get("chosen_options") or []),
            "by": by,
            "reason": str(((details or {}).get("params_input") or {}).get(HOLD_PARAM) or "").strip(),
        }
        for kode, by, details in rows
    }


def approval_for(url: str, run_id: str, kode_pemda: str = "") -> dict | None:
    """The recorded sign-off of a run's publisher, for the release metadata; None if there is none."""
    with connect(url) as conn:
        r = conn.execute(
            "select decision, approved_by, responded_at, method from audit.publication_approval "
            "where run_id = %s and kode_pemda = %s",
            (run_id, kode_pemda),
        ).fetchone()
    if r is None:
        return None
    return {"keputusan": r[0], "oleh": r[1], "pada": r[2].isoformat() if r[2] else None, "metode": r[3]}
