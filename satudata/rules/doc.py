"""The documentation page of every rule, generated from the catalogue: docs/rules.md and
$SATUDATA_OUT/reports/rules.html.

    python -m satudata.rules.doc [--md PATH] [--html PATH]

Both are derived data: edit satudata/rules/catalogue.yaml, then run this (the pipeline's report
stage writes rules.html at every run; a test checks docs/rules.md is up to date).
"""

from __future__ import annotations

import argparse
import inspect
from collections import Counter
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from satudata.config import REPO_ROOT, Settings
from satudata.datasets import DATASETS
from satudata.rules import CATEGORIES, SEVERITIES, Rule, catalogue, catalogue_hash, rule_params
from satudata.rules.row_checks import ROW_CHECKS

DOC_MD = REPO_ROOT / "docs" / "rules.md"


def implementation_text(rule: Rule) -> str:
    """Where a rule is implemented, in one line."""
    impl = rule.implementation
    if rule.kind == "row":
        if "function" in impl:
            return f"row check in `{impl['function']}`"
        fn = ROW_CHECKS[rule.id]
        if fn.__qualname__ == "one_row_per_key.<locals>.check":  # built from a dataset's declared key
            dataset = next(d for d in DATASETS.values() if d.key_rule == rule.id)
            return (
                f"row check `satudata.rules.row_checks.one_row_per_key` on the key of `{dataset.name}` "
                f"in satudata/datasets.py ({', '.join(dataset.key)})"
            )
        return f"row check `satudata.rules.row_checks.{fn.__name__}`"
    if rule.kind == "publish":
        return f"publisher check `{impl['function']}` on every outgoing table"
    if impl.get("built_from"):
        return f"GX on every `{impl['table']}` table, built from the {impl['built_from']}"
    kinds = sorted({spec["type"] for spec in impl.get("expectations") or [impl["expectation"]]})
    names = ", ".join("UnexpectedRowsExpectation (SQL)" if k == "unexpected_rows" else k for k in kinds)
    return f"GX {names} on `{impl['table']}`"


def _sql(rule: Rule) -> str | None:
    spec = rule.implementation.get("expectation") or {}
    return spec.get("unexpected_rows_query")


def _doc_of(rule: Rule) -> str:
    if rule.kind == "row" and rule.id in ROW_CHECKS:
        return inspect.getdoc(ROW_CHECKS[rule.id]) or ""
    return ""


def context() -> dict[str, Any]:
    rules = list(catalogue().values())
    counts = Counter((r.category, r.severity) for r in rules)
    return {
        "rules": rules,
        "hash": catalogue_hash(),
        "categories": CATEGORIES,
        "severities": SEVERITIES,
        "counts": counts,
        "by_severity": Counter(r.severity for r in rules),
        "by_kind": Counter(r.kind for r in rules),
        "implementation": implementation_text,
        "params": rule_params,
        "sql": _sql,
        "doc_of": _doc_of,
    }


def _env(html: bool) -> Environment:
    return Environment(
        loader=PackageLoader("satudata.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]) if html else False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_markdown() -> str:
    return _env(False).get_template("rules.md.j2").render(**context())


def render_html() -> str:
    return _env(True).get_template("rules.html.j2").render(**context())


def write(md: Path | None = DOC_MD, html: Path | None = None) -> list[Path]:
    written = []
    if md is not None:
        md.parent.mkdir(parents=True, exist_ok=True)
        md.write_text(render_markdown(), encoding="utf-8")
        written.append(md)
    if html is not None:
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_html(), encoding="utf-8")
        written.append(html)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m satudata.rules.doc", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--md", type=Path, default=DOC_MD, help="markdown page (default docs/rules.md)")
    parser.add_argument("--html", type=Path, default=None, help="HTML page (default $SATUDATA_OUT/reports/rules.html)")
    args = parser.parse_args(argv)
    html = args.html or Settings.from_env().reports / "rules.html"
    for path in write(args.md, html):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
