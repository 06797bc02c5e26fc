"""Land and load files through the pipeline's own stage functions (real PostgreSQL, no Airflow), and check
that every row of every file is accounted for: rows_read = loaded + quarantined + set aside, in the
warehouse and in run_summary.json. Shared by the tests of the export profiles."""

from __future__ import annotations

import shutil
from pathlib import Path

from satudata import pipeline
from satudata.config import Settings
from satudata.report.run_summary import write_run_summary
from satudata.warehouse import connect


def drop(settings: Settings, source: Path, kode_pemda: str, opd: str, dataset: str, name: str | None = None) -> str:
    """Copy ``source`` into the landing folder as ``<kode_pemda>/<opd>/<dataset>/<name>``; its relative path."""
    target = settings.landing / kode_pemda / opd / dataset / (name or source.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target.relative_to(settings.landing).as_posix()


def land_and_load(settings: Settings, run_id: str = "uji") -> dict[str, dict]:
    """Every file of the landing folder landed and loaded; path -> its audit.source_file row, checked to
    account for every row (and the run summary with it)."""
    run_id = pipeline.start(settings, run_id)
    for rel in pipeline.discover_files(settings):
        pipeline.load(settings, pipeline.land(settings, run_id, rel))
    files = source_files(settings.warehouse_url)
    summary = write_run_summary(settings, settings.warehouse_url, run_id)
    for f in summary["files"]:
        assert f["rows_read"] == f["rows_loaded"] + f["rows_quarantined"] + f["rows_set_aside"], f
        assert f["rows_set_aside"] == sum(f["set_aside"].values()), f
        assert f["profile"] == files[f["path"]]["profile"]
    return files


def source_files(url: str) -> dict[str, dict]:
    with connect(url) as conn:
        cur = conn.execute(
            "select path, status, profile, rows_read, rows_loaded, rows_quarantined, coalesce(rows_set_aside, 0) "
            "as rows_set_aside, coalesce(set_aside, '{}'::jsonb) as set_aside, reasons from audit.source_file"
        )
        names = [d.name for d in cur.description]
        files = {r[0]: dict(zip(names, r, strict=True)) for r in cur}
    for f in files.values():
        if f["status"] != "rejected":
            assert f["rows_read"] == f["rows_loaded"] + f["rows_quarantined"] + f["rows_set_aside"], f
    return files


def findings(url: str, path: str) -> list[tuple[int, str, str, str]]:
    """(row, column, rule, severity) of the findings of one file, in row order."""
    with connect(url) as conn:
        return [
            tuple(r)
            for r in conn.execute(
                "select rf.row_number, rf.column_name, rf.rule_id, rf.severity from audit.row_finding rf "
                "join audit.source_file sf using (file_id) where sf.path = %s order by 1, 3",
                (path,),
            )
        ]
