"""One output, two paths: the block loader (satudata/load/blocks.py, `SATUDATA_LOADER=blocks`) and the
per-row loader (`SATUDATA_LOADER=rows`) load the same landing folder into two warehouses, and every raw
row, every finding (rule, row, column, value, message, the row's values) and every file's status, counts,
reasons and layout are compared. Over a share of the sample data of every dataset (CSV and the
spreadsheets, which both paths read row by row) and over the hostile fixtures. Real PostgreSQL, the stage
functions (discover -> land -> load), no Airflow."""

from __future__ import annotations

import logging
import os
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import psycopg
import pytest

from satudata import pipeline
from satudata.datasets import DATASETS
from satudata.sample import generate
from tests.conftest import make_settings
from tests.fixtures.hostile import make_hostile

pytestmark = pytest.mark.integration

PER_SLOT = 2  # sample files per pemda x dataset x format: every dataset and layout, a minute per path

FILE_COLUMNS = (
    "path, sha256, status, sheet, header_row, encoding, delimiter, rows_read, rows_loaded, rows_quarantined, "
    "rows_set_aside, set_aside, profile, reasons, layout, superseded_by is not null as superseded"
)


class _Paths(logging.Handler):
    """The files the loader gave back to the per-row path (its log line), by relative path."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.fallbacks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "per-row path" in record.getMessage():
            self.fallbacks.append(record.getMessage())


def run_path(admin_url: str, tmp: Path, landing: Path, path: str) -> dict[str, Any]:
    """Land and load every file of `landing` into a fresh warehouse with loader path `path`; what it holds."""
    db = f"t_parity_{path}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"drop database if exists {db} with (force)")
        conn.execute(f"create database {db}")
    settings = make_settings(tmp, admin_url.rsplit("/", 1)[0] + f"/{db}", landing)
    before = os.environ.get("SATUDATA_LOADER")
    os.environ["SATUDATA_LOADER"] = path
    handler = _Paths()
    log = logging.getLogger("satudata.load.loader")
    log.addHandler(handler)
    level = log.level
    log.setLevel(logging.INFO)
    try:
        run_id = pipeline.start(settings, "parity")
        for rel in pipeline.discover_files(settings):
            pipeline.load(settings, pipeline.land(settings, run_id, rel))
    finally:
        log.removeHandler(handler)
        log.setLevel(level)
        if before is None:
            os.environ.pop("SATUDATA_LOADER", None)
        else:
            os.environ["SATUDATA_LOADER"] = before
    return {**dump(settings.warehouse_url), "fallbacks": handler.fallbacks}


def dump(url: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with psycopg.connect(url) as conn:
        cur = conn.execute(f"select {FILE_COLUMNS} from audit.source_file order by path, sha256")
        names = [d.name for d in cur.description]
        out["files"] = {(r[0], r[1]): dict(zip(names, r, strict=True)) for r in cur}
        out["findings"] = defaultdict(list)
        for r in conn.execute(
            "select sf.path, sf.sha256, rf.sheet, rf.row_number, rf.column_name, rf.rule_id, rf.severity, "
            "rf.provided_value, rf.expected, rf.message, rf.row_values from audit.row_finding rf "
            "join audit.source_file sf using (file_id) order by rf.finding_id"
        ):
            out["findings"][(r[0], r[1])].append(r[2:])
        out["raw"] = defaultdict(list)
        for name in DATASETS:
            for r in conn.execute(
                f"select sf.path, sf.sha256, (to_jsonb(t) - '_file_id')::text from raw.{name} t "  # noqa: S608
                "join audit.source_file sf on sf.file_id = t._file_id order by t._file_id, t._row_number"
            ):
                out["raw"][(r[0], r[1])].append(r[2])
    return out


def compare(rows: dict[str, Any], blocks: dict[str, Any]) -> list[str]:
    """Every difference between the two warehouses, one line each (empty: identical)."""
    problems = []
    if set(rows["files"]) != set(blocks["files"]):
        problems.append(f"files differ: {sorted(set(rows['files']) ^ set(blocks['files']))}")
    for key in sorted(rows["files"]):
        a, b = rows["files"][key], blocks["files"].get(key)
        if a != b:
            diff = {k: (a[k], (b or {}).get(k)) for k in a if b is None or a[k] != b[k]}
            problems.append(f"{key[0]}: file differs: {diff}")
        fa, fb = rows["findings"].get(key, []), blocks["findings"].get(key, [])
        if fa != fb:
            first = next((i for i, (x, y) in enumerate(zip(fa, fb, strict=False)) if x != y), min(len(fa), len(fb)))
            problems.append(
                f"{key[0]}: findings differ ({len(fa)} vs {len(fb)}), first at {first}: "
                f"{fa[first] if first < len(fa) else None} vs {fb[first] if first < len(fb) else None}"
            )
        ra, rb = rows["raw"].get(key, []), blocks["raw"].get(key, [])
        if ra != rb:
            first = next((i for i, (x, y) in enumerate(zip(ra, rb, strict=False)) if x != y), min(len(ra), len(rb)))
            problems.append(
                f"{key[0]}: raw rows differ ({len(ra)} vs {len(rb)}), first at {first}: "
                f"{ra[first] if first < len(ra) else None} vs {rb[first] if first < len(rb) else None}"
            )
    return problems


def _sample_share(full: Path, landing: Path) -> None:
    """PER_SLOT files of each pemda x dataset x format of the sample (hard links)."""
    slots: dict[tuple[str, ...], list[Path]] = defaultdict(list)
    for f in sorted(p for p in full.rglob("*") if p.is_file()):
        rel = f.relative_to(full)
        if len(rel.parts) == 4:
            slots[(rel.parts[0], rel.parts[2], f.suffix.lower())].append(f)
    for files in slots.values():
        for f in files[:PER_SLOT]:
            target = landing / f.relative_to(full)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(f, target)


def _hostile(landing: Path) -> None:
    """Every file case of the hostile corpus, where it lands (the `land` cases never reach the loader)."""
    for case in make_hostile.load_cases():
        if case["kind"] != "file":
            continue
        target = landing / case["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        source = case.get("file")
        if isinstance(source, dict):
            if source["generate"] == "external_link":
                make_hostile.GENERATED["external_link"](target, "http://127.0.0.1:9/anggaran_induk.xlsx")
            else:
                make_hostile.GENERATED[source["generate"]](target)
        else:
            shutil.copy(make_hostile.FILES / source, target)


@pytest.fixture(scope="module")
def sample_landing(tmp_path_factory) -> Path:
    full = tmp_path_factory.mktemp("parity_full")
    generate(full, scale="small", seed=11, tahun=2024)
    landing = tmp_path_factory.mktemp("parity_sample")
    _sample_share(full, landing)
    return landing


def _both(pg_server: str, tmp: Path, landing: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    return run_path(pg_server, tmp / "rows", landing, "rows"), run_path(pg_server, tmp / "blocks", landing, "blocks")


def test_block_and_row_paths_agree_on_the_sample(sample_landing, pg_server, tmp_path):
    rows, blocks = _both(pg_server, tmp_path, sample_landing)
    datasets = {key[0].split("/")[2] for key in rows["files"]}
    assert datasets == set(DATASETS) - {"anggaran_kas"} or datasets >= set(DATASETS) - {"anggaran_kas"}, datasets
    assert sum(len(r) for r in rows["raw"].values()) > 1000
    assert sum(len(f) for f in rows["findings"].values()) > 0  # the sample plants bad rows: findings compared
    assert compare(rows, blocks) == []
    csv_files = [k for k in rows["files"] if k[0].lower().endswith(".csv") and rows["files"][k]["profile"] is None]
    taken = len(csv_files) - len(blocks["fallbacks"])
    assert taken >= len(csv_files) // 2, blocks["fallbacks"]  # the block path did the work, not only the fallback


def test_block_and_row_paths_agree_on_the_hostile_corpus(pg_server, tmp_path):
    landing = tmp_path / "landing"
    _hostile(landing)
    rows, blocks = _both(pg_server, tmp_path, landing)
    assert len(rows["files"]) >= 20
    assert compare(rows, blocks) == []
