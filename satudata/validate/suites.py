"""Build GX expectation suites from the rule catalogue (and, for published marts, the dbt metadata).

A suite's expectations each carry `meta.rule_id`, so every result maps back to one catalogue rule;
the catalogue's severity becomes the expectation's GX severity (fatal -> critical).
"""

from __future__ import annotations

from typing import Any

import great_expectations as gx
import great_expectations.expectations as gxe

from satudata.rules import Rule, catalogue

GX_SEVERITY = {"fatal": "critical", "warning": "warning"}

# expectation type (snake_case, as written in the catalogue) -> GX class
EXPECTATIONS: dict[str, type] = {
    "expect_compound_columns_to_be_unique": gxe.ExpectCompoundColumnsToBeUnique,
    "expect_column_values_to_not_be_null": gxe.ExpectColumnValuesToNotBeNull,
    "expect_column_values_to_be_between": gxe.ExpectColumnValuesToBeBetween,
    "expect_column_values_to_be_in_set": gxe.ExpectColumnValuesToBeInSet,
    "expect_column_values_to_match_regex": gxe.ExpectColumnValuesToMatchRegex,
    "expect_table_row_count_to_be_between": gxe.ExpectTableRowCountToBeBetween,
    "unexpected_rows": gxe.UnexpectedRowsExpectation,
}


def expectation_for(rule: Rule, spec: dict[str, Any]) -> Any:
    kwargs = {k: v for k, v in spec.items() if k != "type"}
    cls = EXPECTATIONS[spec["type"]]
    return cls(**kwargs, meta={"rule_id": rule.id, "severity": rule.severity},
               severity=GX_SEVERITY[rule.severity], description=rule.message_en.format(expected=""))


def catalogue_expectations(table: str) -> list[Any]:
    """Expectations of every `gx` rule of the catalogue that names this table (`schema.table` or
    `table`), or every publication (`pub_*`)."""
    short = table.split(".")[-1]
    found = []
    for rule in catalogue().values():
        impl = rule.implementation
        if impl["kind"] != "gx":
            continue
        target = impl["table"]
        if target in (table, short) or (target == "pub_*" and short.startswith("pub_")):
            specs = impl.get("expectations") or ([impl["expectation"]] if "expectation" in impl else [])
            found += [expectation_for(rule, spec) for spec in specs]
    return found


def publication_expectations(meta: dict[str, Any]) -> list[Any]:
    """What every published table must satisfy, from its dbt `meta`: a unique, complete key and a
    non-null measure. These are catalogue rules PUB-001 and PUB-002 applied with the table's columns."""
    rules = catalogue()
    key, measure = list(meta["primary_key"]), meta["measure"]
    out = [expectation_for(rules["PUB-001"], {"type": "expect_compound_columns_to_be_unique", "column_list": key})]
    out += [expectation_for(rules["PUB-001"], {"type": "expect_column_values_to_not_be_null", "column": c})
            for c in key]
    out.append(expectation_for(rules["PUB-002"], {"type": "expect_table_row_count_to_be_between", "min_value": 1}))
    if not meta.get("person_based"):
        out.append(expectation_for(rules["PUB-003"], {"type": "expect_column_values_to_not_be_null",
                                                       "column": measure}))
    return out


def build_suite(table: str, meta: dict[str, Any] | None = None) -> gx.ExpectationSuite:
    suite = gx.ExpectationSuite(name=table.replace(".", "__"))
    for expectation in (publication_expectations(meta) if meta else []) + catalogue_expectations(table):
        suite.add_expectation(expectation)
    return suite
