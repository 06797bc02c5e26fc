"""What decides a full refresh of the incremental facts: the dbt project's own files, not dbt's output."""

from __future__ import annotations

import dataclasses
import shutil

from satudata.config import REPO_ROOT, Settings
from satudata.transform import project_fingerprint


def test_project_fingerprint_follows_code_seeds_and_vars_only(tmp_path):
    # Given a copy of the dbt project
    shutil.copytree(
        REPO_ROOT / "dbt_project",
        tmp_path / "dbt_project",
        ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"),
    )
    settings = dataclasses.replace(Settings.from_env({}), repo_root=tmp_path)
    before = project_fingerprint(settings)

    # When dbt writes its output and logs, nothing changes
    (tmp_path / "dbt_project" / "target").mkdir()
    (tmp_path / "dbt_project" / "target" / "manifest.json").write_text("{}")
    (tmp_path / "dbt_project" / "logs").mkdir()
    (tmp_path / "dbt_project" / "logs" / "dbt.log").write_text("run")
    assert project_fingerprint(settings) == before

    # Then a model, a seed row or a var changes it
    model = tmp_path / "dbt_project" / "models" / "marts" / "kepegawaian" / "fct_pegawai_bulanan.sql"
    model.write_text(model.read_text() + "\n-- changed\n")
    after_model = project_fingerprint(settings)
    seed = tmp_path / "dbt_project" / "seeds" / "opd.csv"
    seed.write_text(seed.read_text() + "18.72,9.99.0.00.0.00.01.0000,BARU,OPD Baru\n")
    after_seed = project_fingerprint(settings)
    project = tmp_path / "dbt_project" / "dbt_project.yml"
    project.write_text(project.read_text().replace("ambang_supresi: 5", "ambang_supresi: 10"))
    after_var = project_fingerprint(settings)
    assert len({before, after_model, after_seed, after_var}) == 4
