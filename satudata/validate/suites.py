"""Build GX expectation suites from the rule catalogue (and, for published marts, the dbt metadata).

A suite's expectations each carry `meta.rule_id`, so every result maps back to one catalogue rule;
the catalogue's severity becomes the expectation's GX severity (fatal -> critical).

Rules of `type: unexpected_rows` are SQL run inside PostgreSQL (GX UnexpectedRowsExpectation):
the query returns the failing rows with what was provided, what was expected and the
difference. Before GX sees it, `${param}` is replaced by the rule's parameter (dbt var or
default) and `${current_files}` by the subquery of current file ids; GX then fills `{batch}`.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from string import Template
from typing import Any, ClassVar

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.compatibility.sqlalchemy import sqlalchemy as sa
from great_expectations.core.metric_domain_types import MetricDomainTypes
from great_expectations.execution_engine import SqlAlchemyExecutionEngine
from great_expectations.expectations.metrics.metric_provider import metric_value
from great_expectations.expectations.metrics.query_metric_provider import (
    QueryMetricProvider,
    render_derived_table_alias,
)

from satudata.rules import Rule, catalogue, rule_params

GX_SEVERITY = {"fatal": "critical", "warning": "warning"}
EXAMPLES = 5  # failing rows kept per rule (audit.rule_result.examples)

# the files whose rows are in raw now (docs/contracts.md: current = not superseded and loaded)
CURRENT_FILES = (
    "(select file_id from audit.source_file where superseded_by is null "
    "and status in ('loaded', 'loaded_with_warnings'))"
)
_UNRESOLVED = re.compile(r"\$\{(\w+)\}")


FIRST_AND_COUNT = "satudata_unexpected_rows.first_and_count"
_COUNT_COLUMN = "satudata_unexpected_row_count"


class UnexpectedRowsFirstAndCount(QueryMetricProvider):
    """The first EXAMPLES failing rows of a rule's SQL and how many there are, in one execution of it.

    GX's UnexpectedRowsExpectation asks for two metrics, `unexpected_rows_query.table` and
    `.row_count`, and each runs the rule's query: every reconciliation ran twice (the larger ones take
    seconds each at provinsi size). Here the count rides on the rows (`count(*) over ()`)."""

    metric_name = FIRST_AND_COUNT
    value_keys = ("unexpected_rows_query",)
    query_param_name: ClassVar[str] = "unexpected_rows_query"

    @metric_value(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(
        cls,
        execution_engine: SqlAlchemyExecutionEngine,
        metric_domain_kwargs: dict,
        metric_value_kwargs: dict,
        metrics: dict[str, Any],
        runtime_configuration: dict,
    ) -> dict[str, Any]:
        batch_selectable, _, _ = execution_engine.get_compute_domain(
            metric_domain_kwargs, domain_type=MetricDomainTypes.TABLE
        )
        query = cls._get_substituted_batch_subquery_from_query_and_batch_selectable(
            query=cls._get_query_from_metric_value_kwargs(metric_value_kwargs),
            batch_selectable=batch_selectable,
            execution_engine=execution_engine,
        )
        rows_of = render_derived_table_alias(query, "unexpected_rows", execution_engine.dialect_name)
        sql = f"SELECT *, COUNT(*) OVER () AS {_COUNT_COLUMN} FROM {rows_of} LIMIT {EXAMPLES}"
        rows = [dict(row._mapping) for row in execution_engine.execute_query(sa.text(sql)).fetchall()]
        count = int(rows[0][_COUNT_COLUMN]) if rows else 0
        return {"rows": [{k: v for k, v in row.items() if k != _COUNT_COLUMN} for row in rows], "count": count}


class UnexpectedRowsWithExamples(gxe.UnexpectedRowsExpectation):
    """GX UnexpectedRowsExpectation that always returns the first failing rows and their count.

    The stock expectation only returns rows with result_format COMPLETE, which would make every
    column expectation of the checkpoint return all its unexpected values; this keeps SUMMARY for
    those and still gives each reconciliation its examples (provided, expected, difference). Its one
    metric (UnexpectedRowsFirstAndCount) runs the rule's SQL once."""

    kept_examples: ClassVar[int] = EXAMPLES  # not `examples`: GX's gallery test cases use that name
    metric_dependencies: ClassVar[tuple[str, ...]] = (FIRST_AND_COUNT,)

    def _validate(self, metrics: dict, runtime_configuration: dict | None = None, execution_engine: Any = None) -> dict:
        found = metrics[FIRST_AND_COUNT]
        rows = [{k: _plain(v) for k, v in row.items()} for row in found["rows"][: self.kept_examples]]
        count = found["count"]
        return {
            "success": count == 0,
            # the count in `details`: an `unexpected_count` would make Data Docs render it as a column check
            "result": {"observed_value": count, "details": {"unexpected_rows": rows, "unexpected_row_count": count}},
        }


def _plain(value: Any) -> Any:
    """JSON-ready as is (GX converts a Decimal with an inspect.stack() per value: seconds per run);
    amounts stay exact, as text."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


# expectation type (snake_case, as written in the catalogue) -> GX class
EXPECTATIONS: dict[str, type] = {
    "expect_compound_columns_to_be_unique": gxe.ExpectCompoundColumnsToBeUnique,
    "expect_column_values_to_not_be_null": gxe.ExpectColumnValuesToNotBeNull,
    "expect_column_values_to_be_between": gxe.ExpectColumnValuesToBeBetween,
    "expect_column_values_to_be_in_set": gxe.ExpectColumnValuesToBeInSet,
    "expect_column_values_to_match_regex": gxe.ExpectColumnValuesToMatchRegex,
    "expect_table_row_count_to_be_between": gxe.ExpectTableRowCountToBeBetween,
    "unexpected_rows": UnexpectedRowsWithExamples,
}


def render_query(rule: Rule, query: str) -> str:
    """The rule's SQL with its parameters filled in; `{batch}` is left for GX."""
    values = {name: str(value) for name, value in rule_params(rule).items()}
    text = Template(query).safe_substitute(values, current_files=CURRENT_FILES)
    left = _UNRESOLVED.findall(text)
    if left:
        raise ValueError(f"rule {rule.id}: unknown parameter(s) {', '.join(left)} in its query")
    return text


def expectation_for(rule: Rule, spec: dict[str, Any]) -> Any:
    kwargs = {k: v for k, v in spec.items() if k != "type"}
    if "unexpected_rows_query" in kwargs:
        kwargs["unexpected_rows_query"] = render_query(rule, kwargs["unexpected_rows_query"])
    cls = EXPECTATIONS[spec["type"]]
    meta = {"rule_id": rule.id, "severity": rule.severity, "requires": list(rule.implementation.get("requires") or [])}
    return cls(**kwargs, meta=meta, severity=GX_SEVERITY[rule.severity], description=f"{rule.id}: {rule.text('en')}")


def rule_specs(rule: Rule) -> list[dict[str, Any]]:
    impl = rule.implementation
    return list(impl.get("expectations") or ([impl["expectation"]] if "expectation" in impl else []))


def catalogue_expectations(table: str) -> list[Any]:
    """Expectations of every `gx` rule of the catalogue that names this table (`schema.table` or
    `table`), or every publication (`pub_*`)."""
    short = table.split(".")[-1]
    found = []
    for rule in catalogue().values():
        if rule.kind != "gx":
            continue
        target = rule.table
        if target in (table, short) or (target == "pub_*" and short.startswith("pub_")):
            found += [expectation_for(rule, spec) for spec in rule_specs(rule)]
    return found


def publication_expectations(meta: dict[str, Any]) -> list[Any]:
    """What every published table must satisfy, from its dbt `meta`: a unique, complete key and a
    non-null measure. These are catalogue rules PUB-001 and PUB-002 applied with the table's columns."""
    rules = catalogue()
    key, measure = list(meta["primary_key"]), meta["measure"]
    out = [expectation_for(rules["PUB-001"], {"type": "expect_compound_columns_to_be_unique", "column_list": key})]
    out += [
        expectation_for(rules["PUB-001"], {"type": "expect_column_values_to_not_be_null", "column": c}) for c in key
    ]
    out.append(expectation_for(rules["PUB-002"], {"type": "expect_table_row_count_to_be_between", "min_value": 1}))
    if not meta.get("person_based"):
        out.append(
            expectation_for(rules["PUB-003"], {"type": "expect_column_values_to_not_be_null", "column": measure})
        )
    return out


def build_suite(table: str, meta: dict[str, Any] | None = None) -> gx.ExpectationSuite:
    # expectations given to the constructor: `add_expectation` on a suite whose name is already in
    # the GX store writes the store once per expectation (seconds per suite)
    expectations = (publication_expectations(meta) if meta else []) + catalogue_expectations(table)
    return gx.ExpectationSuite(name=table.replace(".", "__"), expectations=expectations)


def runnable(suite: gx.ExpectationSuite, existing: set[str]) -> gx.ExpectationSuite:
    """The suite without the expectations whose query reads a table that does not exist in this
    run (its dbt model failed or is not written yet): those rules are reported as not run."""
    kept = [e for e in suite.expectations if all(t in existing for t in (e.meta or {}).get("requires", []))]
    return suite if len(kept) == len(suite.expectations) else gx.ExpectationSuite(name=suite.name, expectations=kept)


def exception_message(info: Any) -> str | None:
    """The error of an expectation that could not be evaluated (GX `exception_info`: one record, or
    one per metric), shortened; None when it ran."""
    records = [info] if isinstance(info, dict) and "raised_exception" in info else list((info or {}).values())
    for record in records:
        if isinstance(record, dict) and record.get("raised_exception"):
            return " ".join(str(record.get("exception_message") or "error").split())[:500]
    return None


def data_docs_resources(checkpoint_result: Any) -> list[Any]:
    """The validation results of a checkpoint run and their suites: what one Data Docs build renders."""
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    results = list(checkpoint_result.run_results)
    suites = {vr.suite_name for vr in checkpoint_result.run_results.values()}
    return results + [ExpectationSuiteIdentifier(name=name) for name in sorted(suites)]


def failing_count(result: dict[str, Any]) -> int | None:
    """Failing values (column expectations) or failing rows (unexpected_rows) of one GX result."""
    if "unexpected_count" in result:
        return result["unexpected_count"]
    return (result.get("details") or {}).get("unexpected_row_count")
