"""Run the Great Expectations suites built by `expectations/suites.py` against the warehouse (SQL runs inside
PostgreSQL), record one result per rule in audit.rule_result, and build the Data Docs."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from satudata.config import Settings
from satudata.report.assets import install_assets, make_offline
from satudata.warehouse import connect

if TYPE_CHECKING:  # GX itself is imported inside the functions that run it
    from great_expectations.data_context.store.store import DataDocsSiteConfigTypedDict

log = logging.getLogger(__name__)

URL_VARIABLE = "SATUDATA_GX_WAREHOUSE_URL"

# GX's checks read whole tables and views; the unexpected-rows rules join staging views, through which
# PostgreSQL estimates a handful of rows where there are hundreds of thousands, and a nested loop over a
# view then computes the view again for each outer row (REC-005 ran for over 6 minutes on half the
# provinsi sample; 17 s with hash joins). GX's connections plan hash joins only, as dbt's table models do
# (dbt_project/macros/planner.sql; tests/unit/test_planner_settings.py keeps the two the same).
PLANNER_SETTINGS = {"enable_nestloop": "off", "enable_mergejoin": "off"}


def with_planner_settings(url: str) -> str:
    """`url` with PLANNER_SETTINGS added to libpq's `options` (kept: options the URL already has)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    options = " ".join(f"-c {k}={v}" for k, v in PLANNER_SETTINGS.items())
    given = [v for k, v in query if k == "options"]
    query = [(k, v) for k, v in query if k != "options"] + [("options", " ".join([*given, options]))]
    return parts._replace(query=urlencode(query, quote_via=quote)).geturl()  # spaces as %20: libpq reads no +


@dataclass
class RuleOutcome:
    rule_id: str
    table: str
    severity: str
    success: bool
    failing_count: int | None
    examples: list[Any] = field(default_factory=list)
    expectation: str = ""


SUITES_MODULE = "suites.py"


def load_suites(expectations_dir: Path, metas: dict[str, dict]) -> dict[str, Any]:
    """`schema.table` -> its suite, from the one builder in expectations/ (expectations/suites.py:
    the rule catalogue's gx tables and the published marts of `metas`)."""
    path = expectations_dir / SUITES_MODULE
    spec = importlib.util.spec_from_file_location("satudata_expectations.suites", path)
    assert spec and spec.loader, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.suites(metas)


def _existing_tables(url: str) -> set[str]:
    with connect(url) as conn:
        rows = conn.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('staging', 'intermediate', 'marts', 'raw', 'audit', 'ref')"
        ).fetchall()
    return {r[0] for r in rows}


def _context(settings: Settings) -> Any:
    import great_expectations as gx

    root = settings.home / "gx"
    root.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(root))
    docs = settings.reports / "data_docs"
    site: DataDocsSiteConfigTypedDict = {
        "class_name": "SiteBuilder",
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs)},
    }
    sites = context.variables.data_docs_sites or {}
    for name in list(sites):
        if name != "satudata":
            context.delete_data_docs_site(name)
    if "satudata" not in sites:
        context.add_data_docs_site("satudata", site)
    return context


def validate(settings: Settings, url: str, run_id: str, metas: dict[str, dict]) -> list[RuleOutcome]:
    """Validate every table that has a suite and exists now. `metas`: `marts.pub_x` -> dbt meta."""
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    # GX is imported here, not at module level: every Airflow task imports the pipeline (gate.py imports
    # RuleOutcome from here), and importing GX costs each task seconds
    from satudata.validate.suites import data_docs_resources, exception_message, failing_count, runnable

    context = _context(settings)
    # GX keeps its data sources in gx/great_expectations.yml: it gets a reference to the URL, substituted
    # from the environment when it connects, so the warehouse password is never written to disk
    os.environ[URL_VARIABLE] = with_planner_settings(url)
    datasource = context.data_sources.add_or_update_postgres(
        name="warehouse", connection_string="${" + URL_VARIABLE + "}"
    )
    existing = _existing_tables(url)
    definitions = []
    for table, built in load_suites(settings.repo_root / "expectations", metas).items():
        if table not in existing:
            log.warning("%s does not exist in this run (its dbt model failed or was skipped): not validated", table)
            continue
        schema, name = table.split(".")
        asset = datasource.add_table_asset(name=name, table_name=name, schema_name=schema)
        batch = asset.add_batch_definition_whole_table("whole_table")
        suite = context.suites.add_or_update(runnable(built, existing))
        definitions.append(
            context.validation_definitions.add_or_update(gx.ValidationDefinition(name=name, data=batch, suite=suite))
        )
    if not definitions:
        return []
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name="satudata_publication_gate",
            validation_definitions=definitions,
            actions=[],  # Data Docs are built once below: the action rebuilt the site once per table (slow)
            result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5},
        )
    )
    result = checkpoint.run(run_id=RunIdentifier(run_name=run_id))
    context.build_data_docs(site_names=["satudata"], resource_identifiers=data_docs_resources(result))
    make_offline(settings.reports / "data_docs", install_assets(settings.out))
    outcomes = []
    for vr in result.run_results.values():
        table = f"{vr.asset_name}" if getattr(vr, "asset_name", None) else ""
        for er in vr.results:
            cfg = er.expectation_config
            meta = cfg.meta or {}
            res = er.result or {}
            examples = res.get("partial_unexpected_list") or res.get("details", {}).get("unexpected_rows") or []
            if error := exception_message(er.exception_info):  # e.g. the rule's SQL failed: it fails closed
                examples = [{"error": error}]
            outcomes.append(
                RuleOutcome(
                    rule_id=meta.get("rule_id", cfg.type),
                    table=table,
                    severity=meta.get("severity", "fatal"),
                    success=bool(er.success),
                    failing_count=failing_count(res),
                    examples=json.loads(json.dumps(examples[:5], default=str)),
                    expectation=f"{cfg.type}({json.dumps(cfg.kwargs, default=str)[:200]})",
                )
            )
    _record(url, run_id, outcomes)
    failed = [o for o in outcomes if not o.success]
    log.info(
        "GX: %d expectations checked, %d failed (%d fatal)",
        len(outcomes),
        len(failed),
        sum(o.severity == "fatal" for o in failed),
    )
    return outcomes


def _record(url: str, run_id: str, outcomes: list[RuleOutcome]) -> None:
    merged: dict[tuple[str, str], RuleOutcome] = {}
    for o in outcomes:
        key = (o.rule_id, o.table)
        prev = merged.get(key)
        if prev is None:
            merged[key] = RuleOutcome(o.rule_id, o.table, o.severity, o.success, o.failing_count, list(o.examples))
        else:
            prev.success = prev.success and o.success
            prev.failing_count = (prev.failing_count or 0) + (o.failing_count or 0)
            prev.examples = (prev.examples + o.examples)[:5]
    with connect(url) as conn:
        conn.execute(
            "delete from audit.rule_result where run_id = %s and rule_id in (select unnest(%s::text[]))",
            (run_id, [k[0] for k in merged]),
        )
        for (rule_id, table), o in merged.items():
            conn.execute(
                "insert into audit.rule_result (run_id, rule_id, dataset, severity, success, failing_count, examples) "
                "values (%s, %s, %s, %s, %s, %s, %s) on conflict (run_id, rule_id, dataset) do update set "
                "success = excluded.success, failing_count = excluded.failing_count, examples = excluded.examples",
                (run_id, rule_id, table, o.severity, o.success, o.failing_count, json.dumps(o.examples)),
            )
