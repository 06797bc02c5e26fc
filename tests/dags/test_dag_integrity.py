"""Every DAG file loads without import errors, with tags, retries and no cycles."""

from __future__ import annotations

import os

from satudata.config import REPO_ROOT


def test_dags_load_with_tags_and_retries(tmp_path, monkeypatch):
    # Given an isolated Airflow home
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    monkeypatch.setenv("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    os.environ.setdefault("AIRFLOW__COSMOS__ENABLE_TELEMETRY", "False")
    from airflow.dag_processing.dagbag import DagBag

    # When the DAG folder is parsed
    bag = DagBag(dag_folder=str(REPO_ROOT / "dags"))

    # Then it has no import errors and each DAG follows the house rules
    assert bag.import_errors == {}
    assert "satudata_pipeline" in bag.dags
    for dag in bag.dags.values():
        assert dag.tags, f"{dag.dag_id} has no tags"
        assert dag.doc_md, f"{dag.dag_id} has no doc_md"
        for t in dag.tasks:
            assert t.retries >= 2 or t.task_id in ("report", "finish"), f"{dag.dag_id}.{t.task_id} retries"
        # a cycle would have been an import error; every task is reachable from a root
        assert {t.task_id for t in dag.roots}
