"""One planner setting for whole-table work: dbt's table models (dbt_project/macros/planner.sql) and GX's
connections (satudata/validate/gx_runner.py) plan hash joins only, and say so the same way."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from satudata.config import REPO_ROOT
from satudata.validate.gx_runner import PLANNER_SETTINGS, with_planner_settings


def test_dbt_and_gx_name_the_same_planner_settings():
    macro = (REPO_ROOT / "dbt_project" / "macros" / "planner.sql").read_text(encoding="utf-8")
    in_dbt = dict(re.findall(r"set local (\w+) = (\w+)", macro))
    assert in_dbt == PLANNER_SETTINGS


def test_the_gx_url_carries_them_and_keeps_its_own_options():
    plain = urlsplit(with_planner_settings("postgresql://u@127.0.0.1:5432/w"))
    assert parse_qs(plain.query)["options"] == ["-c enable_nestloop=off -c enable_mergejoin=off"]
    assert plain.netloc == "u@127.0.0.1:5432" and plain.path == "/w"
    given = urlsplit(with_planner_settings("postgresql://u@h/w?sslmode=require&options=-c%20search_path%3Dx"))
    query = parse_qs(given.query)
    assert query["sslmode"] == ["require"]
    assert query["options"] == ["-c search_path=x -c enable_nestloop=off -c enable_mergejoin=off"]


def test_libpq_reads_the_options_as_written():
    # libpq decodes %20 in a URI, not `+`: the options must reach the server with their spaces
    from psycopg.conninfo import conninfo_to_dict

    url = with_planner_settings("postgresql://u@127.0.0.1:5432/w?options=-c%20search_path%3Dx")
    assert "+" not in url
    assert conninfo_to_dict(url)["options"] == "-c search_path=x -c enable_nestloop=off -c enable_mergejoin=off"
