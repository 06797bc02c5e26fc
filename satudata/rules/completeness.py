"""Completeness and freshness: what the source registry expects against what was received.

Each run, after every file is loaded and before dbt builds (so the data-quality scorecard can read
it as a source), `refresh_expected` refills `audit.expected_submission`: one row per expected
pemda x OPD x dataset x periode (satudata/extract/registry.py, `Registry.expected()`), with

    status      on_time | late (first received after the deadline) | missing (no current rows)
    partial     some rows of the covering files were quarantined
    first_received_at, days_late, file_ids, rows_loaded, rows_quarantined

A period counts as received when a current file has rows in it; the first time any file brought
rows for it is the receipt time (kept in audit.file_period, so a later correction does not make an
on-time submission late). Deadlines are end of day, WIB. The GX rules CMP-001..003 read the table
and the gate turns the affected datasets amber.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from satudata.config import Settings
from satudata.datasets import DATASETS
from satudata.extract.registry import Registry, RegistryError, load_registry, registry_path
from satudata.warehouse import connect

log = logging.getLogger(__name__)

TIME_ZONE = "Asia/Jakarta"  # deadlines are days in WIB

# the period (YYYY-MM, YYYY, or '*' = the dataset has none) of a raw row: satudata/datasets.py
PERIOD_SQL: dict[str, str] = {name: d.period_sql for name, d in DATASETS.items()}

CURRENT = "superseded_by is null and status in ('loaded', 'loaded_with_warnings')"

STATUS_SQL = f"""
with covering as (
    -- per expected periode and file: the rows the file brought for it (same month, the year of a
    -- yearly period, any month of an expected year, or a dataset without periods)
    select e.kode_pemda, e.opd, e.dataset, e.periode, f.file_id, f.received_at,
           coalesce(f.rows_quarantined, 0) as rows_quarantined,
           (f.superseded_by is null and f.status in ('loaded', 'loaded_with_warnings')) as is_current,
           sum(fp.rows) as rows
    from expected as e
    join audit.source_file as f
        on f.kode_pemda = e.kode_pemda and upper(f.opd) = upper(e.opd) and f.dataset = e.dataset
    join audit.file_period as fp
        on fp.file_id = f.file_id
        and (fp.periode = e.periode or fp.periode = left(e.periode, 4) or left(fp.periode, 4) = e.periode
             or fp.periode = '*')
    group by 1, 2, 3, 4, 5, 6, 7, 8
),
summary as (
    select kode_pemda, opd, dataset, periode,
           min(received_at) as first_received_at,
           bool_or(is_current) as received,
           array_agg(file_id order by file_id) filter (where is_current) as file_ids,
           -- the newest current file holds the period now (a later file replaces its periods)
           (array_agg(rows order by file_id desc) filter (where is_current))[1] as rows_loaded,
           (array_agg(rows_quarantined order by file_id desc) filter (where is_current))[1] as rows_quarantined
    from covering
    group by 1, 2, 3, 4
)
select e.kode_pemda, e.opd, e.dataset, e.periode, e.source_id, e.kind, e.deadline,
       case when not coalesce(s.received, false) then 'missing'
            when (s.first_received_at at time zone '{TIME_ZONE}')::date > e.deadline then 'late'
            else 'on_time' end as status,
       coalesce(s.received, false) and coalesce(s.rows_quarantined, 0) > 0 as partial,
       s.first_received_at,
       case when coalesce(s.received, false)
            then greatest((s.first_received_at at time zone '{TIME_ZONE}')::date - e.deadline, 0) end as days_late,
       coalesce(s.file_ids, '{{}}'::bigint[]), coalesce(s.rows_loaded, 0), coalesce(s.rows_quarantined, 0)
from expected as e
left join summary as s using (kode_pemda, opd, dataset, periode)
order by e.dataset, e.kode_pemda, e.opd, e.periode
"""

COLUMNS = (
    "kode_pemda",
    "opd",
    "dataset",
    "periode",
    "source_id",
    "kind",
    "deadline",
    "status",
    "partial",
    "first_received_at",
    "days_late",
    "file_ids",
    "rows_loaded",
    "rows_quarantined",
)


def record_file_periods(conn: Any) -> int:
    """Note which periods each current file brought, once (a file's rows never change after load)."""
    added = 0
    for dataset, expr in PERIOD_SQL.items():
        cur = conn.execute(
            f"insert into audit.file_period (file_id, periode, rows) "
            f"select _file_id, coalesce({expr}, '?'), count(*) from raw.{dataset} "
            f"where _file_id in (select file_id from audit.source_file where {CURRENT}) "
            f"and _file_id not in (select file_id from audit.file_period) "
            f"group by 1, 2 on conflict do nothing"
        )
        added += cur.rowcount or 0
    return added


def load(settings: Settings) -> tuple[Registry, str | None, str | None]:
    """(registry, its sha256, a problem) for the run's settings; an unusable registry counts as none."""
    try:
        path = registry_path(settings.registry, settings.landing)
        if path is None:
            return Registry(), None, None
        return load_registry(path), hashlib.sha256(path.read_bytes()).hexdigest(), None
    except (RegistryError, FileNotFoundError) as e:
        log.error("completeness not checked: %s", e)
        return Registry(), None, str(e)


def refresh_expected(settings: Settings, url: str, run_id: str) -> dict:
    """Refill audit.expected_submission (and its history for this run). Returns counts by status."""
    registry, digest, problem = load(settings)
    slots = {s.slot: s for s in registry.sources}
    expected = [
        (
            e.kode_pemda,
            e.opd,
            e.dataset,
            e.periode,
            slots[(e.kode_pemda, e.opd, e.dataset)].id,
            slots[(e.kode_pemda, e.opd, e.dataset)].kind,
            e.deadline,
        )
        for e in registry.expected()
    ]
    with connect(url) as conn:
        record_file_periods(conn)
        conn.execute(
            "create temporary table expected (kode_pemda text, opd text, dataset text, periode text, "
            "source_id text, kind text, deadline date) on commit drop"
        )
        with conn.cursor().copy("copy expected from stdin") as copy:
            for row in expected:
                copy.write_row(row)
        rows = conn.execute(STATUS_SQL).fetchall()
        conn.execute("delete from audit.expected_submission")
        conn.execute("delete from audit.expected_submission_history where run_id = %s", (run_id,))
        cols = ", ".join(COLUMNS)
        with conn.cursor() as cur:
            cur.executemany(
                f"insert into audit.expected_submission ({cols}, run_id) values "
                f"({', '.join(['%s'] * len(COLUMNS))}, %s)",
                [(*r, run_id) for r in rows],
            )
        conn.execute(
            f"insert into audit.expected_submission_history (run_id, {cols}) "
            f"select run_id, {cols} from audit.expected_submission"
        )
        conn.execute("update audit.pipeline_run set registry_hash = %s where run_id = %s", (digest, run_id))
    counts: dict[str, int] = {}
    for r in rows:
        counts[r[7]] = counts.get(r[7], 0) + 1
    counts["partial"] = sum(1 for r in rows if r[8])
    log.info("completeness: %d expected submissions from %s: %s", len(rows), registry.path or "no registry", counts)
    return {
        "expected": len(rows),
        "registry": str(registry.path) if registry.path else None,
        "problem": problem,
        **counts,
    }
