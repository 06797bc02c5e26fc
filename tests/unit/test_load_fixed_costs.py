"""What a load pays per file and per process, kept small: the settings the loader reads per file are read
without parsing YAML, dbt_project.yml is parsed once per version, and the project's YAML is read with
libyaml's parser to the same values as PyYAML's own."""

from __future__ import annotations

import pytest
import yaml

from satudata import config
from satudata.config import REPO_ROOT, dbt_vars, load_yaml
from satudata.load import blocks, loader

PROJECT_YAML = [
    REPO_ROOT / "dbt_project" / "dbt_project.yml",
    REPO_ROOT / "satudata" / "rules" / "catalogue.yaml",
    *sorted((REPO_ROOT / "satudata" / "extract" / "profiles").glob("*.yaml")),
]


@pytest.mark.parametrize("path", PROJECT_YAML, ids=lambda p: p.name)
def test_the_fast_yaml_parser_reads_the_projects_yaml_as_pyyaml_does(path):
    text = path.read_text(encoding="utf-8")
    assert load_yaml(text) == yaml.safe_load(text)


def test_the_loader_path_is_read_per_call_without_parsing_yaml(monkeypatch):
    def no_yaml(text):
        raise AssertionError("the loader's setting parsed YAML")

    monkeypatch.setattr(config, "load_yaml", no_yaml)
    monkeypatch.setenv("SATUDATA_LOADER", "rows")
    assert loader.loader_path() == "rows"
    monkeypatch.setenv("SATUDATA_LOADER", " Blocks ")
    assert loader.loader_path() == "blocks"
    monkeypatch.delenv("SATUDATA_LOADER")
    assert loader.loader_path() == "auto"
    monkeypatch.setenv("SATUDATA_LOADER", "duckdb")
    with pytest.raises(ValueError, match="SATUDATA_LOADER must be auto, blocks or rows"):
        loader.loader_path()


def test_auto_takes_the_block_path_from_a_size_on(tmp_path):
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    small.write_bytes(b"x" * (blocks.FROM_BYTES - 1))
    large.write_bytes(b"x" * blocks.FROM_BYTES)
    assert [loader._block_path("auto", p) for p in (small, large)] == [False, True]
    assert [loader._block_path("blocks", p) for p in (small, large)] == [True, True]
    assert [loader._block_path("rows", p) for p in (small, large)] == [False, False]


def test_dbt_vars_are_parsed_once_per_version_of_the_file(monkeypatch):
    parsed: list[str] = []

    def counting(text):
        parsed.append(text)
        return yaml.safe_load(text)

    monkeypatch.setattr(config, "load_yaml", counting)
    monkeypatch.setattr(config, "_DBT_VARS", {})
    first = dbt_vars()
    first["ambang_supresi"] = -1  # a caller changing its copy changes no one else's
    second = dbt_vars()
    assert len(parsed) == 1
    assert second["ambang_supresi"] == yaml.safe_load(PROJECT_YAML[0].read_text())["vars"]["ambang_supresi"]
    # another version of the file (its modification time or size changed) is parsed again
    monkeypatch.setattr(config, "_DBT_VARS", {(0, 0): {"stale": True}})
    assert "stale" not in dbt_vars() and len(parsed) == 2
