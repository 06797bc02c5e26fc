"""Validation is not repeated on data it already checked: a run that kept the last dbt build (nothing
changed since: satudata/transform.py) takes that build's GX results when the suites are the same.

The GX checkpoint costs about a minute whatever the data size (context, suites, Data Docs), the largest
part of a rerun with no new files. What was validated is kept in audit.dbt_state under `gx`: the
fingerprint of the suites (expectations/, the rule catalogue, this package, the GX version), the data
fingerprint of the build it checked, and the run whose results those are.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging

from satudata.config import Settings
from satudata.warehouse import connect

log = logging.getLogger(__name__)

SUITE_PARTS = ("expectations", "satudata/validate", "satudata/rules/catalogue.yaml")


def suites_fingerprint(settings: Settings) -> str:
    digest = hashlib.sha256(importlib.metadata.version("great_expectations").encode())
    for part in SUITE_PARTS:
        root = settings.repo_root / part
        paths = [root] if root.is_file() else (p for p in root.rglob("*.py") if "__pycache__" not in p.parts)
        for path in sorted(paths):
            digest.update(path.relative_to(settings.repo_root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def keep_results(settings: Settings, url: str, run_id: str) -> str | None:
    """When this run kept the last dbt build and that build was validated with these suites: copy those
    GX results to this run and return the run they come from; else None (validate)."""
    if not (settings.reports / "data_docs" / "index.html").exists():
        return None
    with connect(url) as conn:
        build = conn.execute(
            "select data_fingerprint, run_id from audit.dbt_state where project = 'satudata'"
        ).fetchone()
        checked = conn.execute(
            "select project_fingerprint, data_fingerprint, run_id from audit.dbt_state where project = 'gx'"
        ).fetchone()
        kept_build = (
            build is not None
            and build[1] != run_id
            and conn.execute("select 1 from audit.dbt_result where run_id = %s limit 1", (run_id,)).fetchone()
            is not None
        )
        if not (
            kept_build and build and checked and checked[1] == build[0] and checked[0] == suites_fingerprint(settings)
        ):
            return None
        conn.execute("delete from audit.rule_result where run_id = %s and kind = 'gx'", (run_id,))
        copied = conn.execute(
            "insert into audit.rule_result (run_id, rule_id, dataset, severity, success, failing_count, examples, "
            "kind) select %s, rule_id, dataset, severity, success, failing_count, examples, kind "
            "from audit.rule_result where run_id = %s and kind = 'gx'",
            (run_id, checked[2]),
        ).rowcount
    log.info(
        "GX validation skipped: the data and suites are those run %s validated (%d results kept)", checked[2], copied
    )
    return checked[2]


def note_validated(settings: Settings, url: str, run_id: str, errors: bool) -> None:
    """After a validation: what it checked, unless an expectation errored (that may not happen again)."""
    with connect(url) as conn:
        if errors:
            conn.execute("delete from audit.dbt_state where project = 'gx'")
            return
        conn.execute(
            "insert into audit.dbt_state (project, project_fingerprint, data_fingerprint, run_id) "
            "select 'gx', %s, coalesce((select data_fingerprint from audit.dbt_state where project = 'satudata'), ''), "
            "%s on conflict (project) do update set project_fingerprint = excluded.project_fingerprint, "
            "data_fingerprint = excluded.data_fingerprint, run_id = excluded.run_id, built_at = now()",
            (suites_fingerprint(settings), run_id),
        )
