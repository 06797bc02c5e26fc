"""Every rule's result per run in audit.rule_result, row rules included.

GX rules are recorded by satudata/validate/gx_runner.py. Row rules run on landing, one file at a
time; here their findings over the current files (what the warehouse holds now, and publishes
from) become one result per rule and dataset: failing rows and the first examples, with the file,
row, column, provided and expected value. Then every result of the run gets its catalogue kind,
category, message and outcome (passed | failed | error).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from satudata.rules import catalogue, catalogue_hash
from satudata.warehouse import connect, one

log = logging.getLogger(__name__)

EXAMPLES = 5

ROW_RESULTS_SQL = """
with current_files as (
    select file_id, path, dataset from audit.source_file
    where superseded_by is null and status in ('loaded', 'loaded_with_warnings')
),
findings as (
    select f.rule_id, c.dataset, f.file_id, f.row_number, f.column_name, f.provided_value, f.expected, c.path,
           row_number() over (partition by f.rule_id, c.dataset order by f.file_id, f.row_number) as n
    from audit.row_finding as f
    join current_files as c using (file_id)
)
select rule_id, dataset, count(distinct (file_id, row_number)) as failing_rows,
       jsonb_agg(jsonb_build_object('file', path, 'row', row_number, 'column', column_name,
                                    'provided', provided_value, 'expected', expected) order by n)
           filter (where n <= %s) as examples
from findings
group by 1, 2
"""


def record_row_results(conn: Any, run_id: str) -> int:
    """One audit.rule_result row per row rule x dataset that has current files."""
    rules = catalogue()
    datasets = [
        r[0]
        for r in conn.execute(
            "select distinct dataset from audit.source_file where superseded_by is null "
            "and status in ('loaded', 'loaded_with_warnings') and dataset is not null order by 1"
        )
    ]
    found = {(r[0], r[1]): (r[2], r[3]) for r in conn.execute(ROW_RESULTS_SQL, (EXAMPLES,))}
    rows = []
    for rule in rules.values():
        if rule.kind != "row":
            continue
        for dataset in datasets:
            if not rule.applies_to(dataset):
                continue
            failing, examples = found.get((rule.id, dataset), (0, None))
            rows.append((run_id, rule.id, dataset, rule.severity, failing == 0, failing, json.dumps(examples or [])))
    conn.execute("delete from audit.rule_result where run_id = %s and kind = 'row'", (run_id,))
    with conn.cursor() as cur:
        cur.executemany(
            "insert into audit.rule_result (run_id, rule_id, dataset, severity, success, failing_count, examples, "
            "kind) values (%s, %s, %s, %s, %s, %s, %s, 'row') on conflict (run_id, rule_id, dataset) do update set "
            "success = excluded.success, failing_count = excluded.failing_count, examples = excluded.examples, "
            "kind = 'row'",
            rows,
        )
    return len(rows)


def annotate(conn: Any, run_id: str) -> None:
    """Kind, category, message and outcome of every result of the run, from the catalogue."""
    for rule in catalogue().values():
        conn.execute(
            "update audit.rule_result set kind = %s, category = %s, message = %s, outcome = case "
            "when success then 'passed' when failing_count is null and examples::text like '%%\"error\"%%' "
            "then 'error' else 'failed' end where run_id = %s and rule_id = %s",
            (rule.kind, rule.category, f"{rule.text('id')} / {rule.text('en')}", run_id, rule.id),
        )


def record(url: str, run_id: str) -> dict:
    """After the GX validation: add the row rules' results, annotate all, note the catalogue hash."""
    with connect(url) as conn:
        n = record_row_results(conn, run_id)
        annotate(conn, run_id)
        conn.execute(
            "update audit.pipeline_run set rule_catalogue_hash = %s where run_id = %s", (catalogue_hash(), run_id)
        )
        counted = conn.execute(
            "select count(*), count(*) filter (where not success), "
            "count(*) filter (where not success and severity = 'fatal') from audit.rule_result where run_id = %s",
            (run_id,),
        )
        counts = one(counted)
    log.info("rule results of run %s: %d row-rule results; %d results in all, %d failed (%d fatal)", run_id, n, *counts)
    return {"results": counts[0], "failed": counts[1], "fatal_failed": counts[2]}
