"""The Great Expectations suites of the warehouse, built in one place from the rule catalogue
(satudata/rules/catalogue.yaml) and, for the published marts, the dbt model's `meta`.

Which tables have a suite:
- every table a `gx` rule of the catalogue names (`implementation.table`): staging views of current
  files (cross-file and policy rules), intermediate models (FOR-003, REC-004), `audit.source_file`
  (ACC-001) and `audit.expected_submission` (CMP-001..003);
- every published mart `marts.pub_<dataset>` of the dbt project (the `metas` the pipeline passes, from
  the manifest): PUB-001..003 from its `meta` (primary_key, measure, person_based), and the rules that
  name that mart or `pub_*`.

A suite is the expectations of `satudata.validate.suites.build_suite(table, meta)`, each carrying
`meta.rule_id`. Adding a rule is a catalogue entry; adding a published dataset is its dbt model: neither
needs a change here. The run's GX runner (satudata/validate/gx_runner.py) loads this module by path.
"""

from __future__ import annotations

from typing import Any

from satudata.rules import catalogue
from satudata.validate.suites import build_suite


def tables(metas: dict[str, dict[str, Any]]) -> list[str]:
    """`schema.table` of every suite: the catalogue's gx tables and the published marts in `metas`."""
    named = {rule.table for rule in catalogue().values() if rule.kind == "gx" and rule.table != "pub_*"}
    return sorted(named | set(metas))


def suites(metas: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """`schema.table` -> its `gx.ExpectationSuite`. `metas`: `marts.pub_x` -> the model's dbt meta."""
    return {table: build_suite(table, metas.get(table)) for table in tables(metas)}
