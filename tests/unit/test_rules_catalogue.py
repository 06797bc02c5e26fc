"""The rule catalogue is the single source of every check: one to one, catalogue <-> implementations
<-> tests, and the rules page generated from it.

- every row rule has exactly one registered function (or a named one that raises it), and every
  registered function is a row rule of the catalogue;
- every gx rule has a suite built by expectations/suites.py for its table, which holds its
  expectation(s), and every expectation of every suite belongs to a gx rule;
- every rule is named by `@pytest.mark.rules(...)` on at least one test under tests/ that also
  mentions the id outside the mark (in its body, its parametrize cases or a module-level table it
  uses), and every id so named is in the catalogue.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from satudata.config import REPO_ROOT
from satudata.datasets import DATASETS
from satudata.rules import CATEGORIES, ID_RE, SEVERITIES, catalogue
from satudata.rules import doc as rules_doc
from satudata.rules.row_checks import ROW_CHECKS
from satudata.validate.gx_runner import load_suites
from satudata.validate.suites import render_query, rule_specs

TESTS = REPO_ROOT / "tests"
PUB_META = {
    "dataset_id": "x",
    "primary_key": ["kode_kabupaten_kota", "tahun"],
    "measure": "nilai",
    "person_based": False,
    "source_datasets": ["pegawai"],
}


def published_marts() -> list[str]:
    """`marts.pub_x` of every published model of the dbt project (the pipeline reads them from the manifest)."""
    path = REPO_ROOT / "dbt_project" / "models" / "marts" / "publish" / "_publish__models.yml"
    return [f"marts.{m['name']}" for m in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]]


def suites() -> dict[str, list]:
    """`schema.table` -> the expectations expectations/suites.py builds (published tables with a sample meta)."""
    metas = dict.fromkeys(published_marts(), PUB_META)
    return {table: list(s.expectations) for table, s in load_suites(REPO_ROOT / "expectations", metas).items()}


def test_catalogue_entries_are_well_formed():
    rules = catalogue()
    assert len(rules) >= 60
    for rule in rules.values():
        assert ID_RE.match(rule.id)
        assert rule.severity in SEVERITIES and rule.category in CATEGORIES
        assert rule.message_id.strip() and rule.message_en.strip()
        assert rule.source, f"{rule.id} says where it comes from"
        assert all(d == "*" or d in DATASETS for d in rule.datasets), rule.id
    # every category of the brief is used, each with at least one rule
    assert {r.category for r in rules.values()} == set(CATEGORIES)


def test_every_row_rule_has_exactly_one_function():
    rules = catalogue()
    row_rules = {r.id for r in rules.values() if r.kind == "row"}
    named = {
        r.id: r.implementation["function"] for r in rules.values() if r.kind == "row" and "function" in r.implementation
    }
    # registered functions are row rules of the catalogue, one each
    assert set(ROW_CHECKS) <= row_rules
    assert set(ROW_CHECKS) | set(named) == row_rules
    assert not set(ROW_CHECKS) & set(named)
    # a named implementation exists and raises that rule
    for rule_id, dotted in named.items():
        module, _, name = dotted.rpartition(".")
        fn = getattr(importlib.import_module(module), name)
        assert rule_id in inspect.getsource(fn), f"{dotted} does not raise {rule_id}"
    # a registered function raises its own rule; a dataset's key rule is the one check built from its
    # declared key (satudata/datasets.py)
    key_rules = {d.key_rule for d in DATASETS.values() if d.key_rule}
    for rule_id, fn in ROW_CHECKS.items():
        if rule_id in key_rules:
            assert fn.__qualname__ == "one_row_per_key.<locals>.check", rule_id
            continue
        assert f'"{rule_id}"' in inspect.getsource(fn), f"{fn.__name__} does not raise {rule_id}"


def test_every_publisher_rule_names_the_function_that_raises_it():
    for rule in catalogue().values():
        if rule.kind != "publish":
            continue
        module, _, name = rule.implementation["function"].rpartition(".")
        fn = getattr(importlib.import_module(module), name)
        assert f'"{rule.id}"' in inspect.getsource(fn), f"{rule.implementation['function']} does not raise {rule.id}"


def test_every_gx_rule_has_its_expectations_in_a_suite_and_nothing_else_is_there():
    rules = catalogue()
    built = suites()
    found: dict[str, int] = defaultdict(int)
    for table, expectations in built.items():
        for e in expectations:
            rule_id = (e.meta or {}).get("rule_id")
            assert rule_id in rules and rules[rule_id].kind == "gx", f"{table}: {e} maps to no gx rule"
            found[rule_id] += 1
    for rule in rules.values():
        if rule.kind != "gx":
            continue
        if rule.table == "pub_*":
            pubs = [t for t in built if t.startswith("marts.pub_")]
            assert pubs, "no published table has a suite"
            assert found[rule.id] >= len(pubs), rule.id  # built into every published table's suite
        else:
            assert rule.table in built, f"{rule.id}: no suite in expectations/suites.py for {rule.table}"
            ids = [(e.meta or {}).get("rule_id") for e in built[rule.table]]
            assert ids.count(rule.id) == len(rule_specs(rule)), rule.id


def test_every_sql_rule_renders_and_reads_its_batch():
    for rule in catalogue().values():
        for spec in rule_specs(rule):
            if spec["type"] != "unexpected_rows":
                continue
            sql = render_query(rule, spec["unexpected_rows_query"])
            assert "{batch}" in sql and "${" not in sql, rule.id
            assert {"provided", "expected"} <= set(rule.report_columns), rule.id
            for table in rule.implementation.get("requires", []):
                assert table.count(".") == 1, f"{rule.id}: requires {table} (schema.table)"


def _marked_tests() -> dict[str, list[str]]:
    """rule id -> the tests that name it in @pytest.mark.rules and mention it outside the mark."""
    marked: dict[str, list[str]] = defaultdict(list)
    problems = []
    for path in sorted(TESTS.rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants: dict[str, set[str]] = {}
        for node in tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                strings = {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
                for t in targets:
                    if isinstance(t, ast.Name):
                        constants[t.id] = strings
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) or not fn.name.startswith("test"):
                continue
            ids, mark_nodes = set(), set()
            for dec in fn.decorator_list:
                if (
                    isinstance(dec, ast.Call)
                    and isinstance(dec.func, ast.Attribute)
                    and dec.func.attr == "rules"
                    and isinstance(dec.func.value, ast.Attribute)
                    and dec.func.value.attr == "mark"
                ):
                    ids |= {a.value for a in dec.args if isinstance(a, ast.Constant)}
                    mark_nodes |= {id(n) for n in ast.walk(dec)}
            if not ids:
                continue
            mentioned = {
                n.value
                for n in ast.walk(fn)
                if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in mark_nodes
            }
            for name in {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)}:
                mentioned |= constants.get(name, set())
            text = " ".join(mentioned)
            for rule_id in ids:
                if rule_id in text:
                    marked[rule_id].append(f"{path.relative_to(REPO_ROOT)}::{fn.name}")
                else:
                    problems.append(f"{path.name}::{fn.name} is marked {rule_id} but never mentions it")
    assert not problems, problems
    return marked


def test_every_rule_is_exercised_by_a_test_and_every_marked_rule_exists():
    marked = _marked_tests()
    rules = set(catalogue())
    assert set(marked) - rules == set(), "tests name rules that are not in the catalogue"
    assert rules - set(marked) == set(), "rules without a test"


def test_docs_rules_md_is_generated_from_the_catalogue_and_up_to_date():
    text = rules_doc.render_markdown()
    for rule_id in catalogue():
        assert f"\n### {rule_id}\n" in text and f"[{rule_id}](#{rule_id.lower()})" in text
    assert rules_doc.DOC_MD.read_text(encoding="utf-8") == text, (
        "docs/rules.md is out of date: run `python -m satudata.rules.doc`"
    )


def test_the_rules_command_writes_the_markdown_and_html_pages(tmp_path: Path):
    # Given the command of the catalogue's documentation
    md, html = tmp_path / "rules.md", tmp_path / "out" / "reports" / "rules.html"

    # When it runs
    proc = subprocess.run(
        [sys.executable, "-m", "satudata.rules.doc", "--md", str(md), "--html", str(html)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    # Then both pages list every rule, the HTML with an anchor per rule and escaped text
    assert proc.returncode == 0, proc.stderr
    page = html.read_text(encoding="utf-8")
    for rule in catalogue().values():
        assert f'id="{rule.id}"' in page and f"### {rule.id}" in md.read_text(encoding="utf-8")
    assert "<script" not in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_rule_text_drops_the_placeholder(lang):
    for rule in catalogue().values():
        assert "{" not in rule.text(lang)
