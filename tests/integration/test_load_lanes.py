"""A large batch loaded by worker processes side by side (satudata/load/lanes.py) gives what the task's
own process gives, file by file: status, rows read, loaded, quarantined and set aside, the rows in raw,
every finding, and each file's feedback workbook. Real PostgreSQL, the generated sample's Kota Metro
(417 files of 14 datasets: one `load` batch)."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import psycopg
import pytest

from satudata import pipeline
from satudata.load import lanes
from satudata.sample import generate
from tests.conftest import make_settings
from tests.scale.test_celery import file_counts, fresh_db, raw_rows_per_file

pytestmark = pytest.mark.integration

FINDINGS = (
    "select sf.path, f.rule_id, count(*) from audit.row_finding f join audit.source_file sf using (file_id) "
    "group by 1, 2 order by 1, 2"
)


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("lanes_sample")
    generate(landing, scale="small", seed=2024)
    for other in landing.iterdir():  # one pemda: one batch
        if other.is_dir() and other.name != "18.72":
            shutil.rmtree(other)
    return landing


def load_once(tmp: Path, pg_server: str, landing: Path, name: str, env: dict[str, str]) -> dict:
    url = fresh_db(pg_server, name)
    settings = make_settings(tmp, url, landing)
    run_id = pipeline.start(settings, name)
    batches = pipeline.batches(pipeline.discover_files(settings))
    assert [b[0].split("/")[0] for b in batches] == ["18.72"]
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    said: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: said.append(record.getMessage())  # type: ignore[method-assign]
    logging.getLogger(lanes.__name__).addHandler(handler)
    logging.getLogger(lanes.__name__).setLevel(logging.INFO)
    try:
        outcome = pipeline.load_batch(settings, pipeline.land_batch(settings, run_id, batches[0]))
    finally:
        logging.getLogger(lanes.__name__).removeHandler(handler)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k)
            else:
                os.environ[k] = v
    with psycopg.connect(url) as conn:
        findings = [tuple(r) for r in conn.execute(FINDINGS)]
    feedback = settings.reports / "feedback"
    workbooks = sorted(p.relative_to(feedback).as_posix() for p in feedback.rglob("*.xlsx"))
    return {
        "outcome": outcome,
        "files": file_counts(url),
        "raw": raw_rows_per_file(url),
        "findings": findings,
        "workbooks": workbooks,
        "files_in_batch": len(batches[0]),
        "said": said,
    }


@pytest.fixture(scope="module")
def both(tmp_path_factory, pg_server, landing):
    one = load_once(tmp_path_factory.mktemp("one"), pg_server, landing, "t_lanes_one", {lanes.PROCESSES_VARIABLE: "1"})
    two = load_once(
        tmp_path_factory.mktemp("two"),
        pg_server,
        landing,
        "t_lanes_two",
        {lanes.PROCESSES_VARIABLE: "2", lanes.FROM_VARIABLE: "1"},
    )
    return one, two


def test_two_processes_load_what_one_loads(both):
    one, two = both
    # the batch is the whole pemda, and large enough that chunks go to both workers
    assert one["files_in_batch"] == two["files_in_batch"] >= 10 * lanes.CHUNK
    assert one["said"] == [] and any("loaded by 2 processes" in line for line in two["said"])
    assert one["outcome"] == two["outcome"]
    assert sum(one["outcome"]["statuses"].values()) == one["files_in_batch"]
    assert one["files"] == two["files"]
    assert one["raw"] == two["raw"] and sum(two["raw"].values()) == two["outcome"]["rows_loaded"] > 0
    assert one["findings"] == two["findings"] and one["findings"]


def test_every_file_has_its_feedback_workbook_either_way(both):
    one, two = both
    assert one["workbooks"] == two["workbooks"]
    assert len(two["workbooks"]) >= 0.9 * two["files_in_batch"]


def test_a_small_batch_stays_in_the_task_process_and_the_setting_is_checked():
    assert lanes.processes(lanes.LANES_FROM - 1, {}) == 1
    assert lanes.processes(lanes.LANES_FROM, {lanes.PROCESSES_VARIABLE: "2"}) == 2
    assert lanes.processes(5, {lanes.PROCESSES_VARIABLE: "3", lanes.FROM_VARIABLE: "5"}) == 3
    assert lanes.processes(10_000, {lanes.PROCESSES_VARIABLE: "1"}) == 1
    # by default half the cores, at most 4: one process on this 2-core machine
    assert [lanes.default_processes(n) for n in (1, 2, 3, 4, 8, 16)] == [1, 1, 1, 2, 4, 4]
    assert lanes.processes(10_000, {}) == lanes.default_processes()
    with pytest.raises(ValueError, match=lanes.PROCESSES_VARIABLE):
        lanes.processes(10_000, {lanes.PROCESSES_VARIABLE: "two"})


def test_chunks_keep_an_opd_whole_and_in_order():
    landed = [
        {"relpath": f"18.72/{opd}/{dataset}/{n:02d}.csv"}
        for opd in ("A", "B", "C")
        for dataset in ("jenis_layanan", "survei_kepuasan")
        for n in range(15)
    ]
    landed += [{"relpath": f"extracted:18.72/D/pegawai/{n:02d}.csv"} for n in range(95)]
    parts = lanes.chunks(landed, size=40)
    assert sorted(i for part in parts for i in part) == list(range(len(landed)))  # each file once
    assert all(part == sorted(part) for part in parts)  # landing order within a chunk
    where = {i: k for k, part in enumerate(parts) for i in part}
    for opd in "ABCD":  # 30 files each, and 95 files of D (larger than a chunk): never cut
        assert len({where[i] for i, item in enumerate(landed) if f"/{opd}/" in item["relpath"]}) == 1
    assert len(parts) == 4 and max(len(part) for part in parts) == 95


def test_a_worker_that_dies_leaves_its_files_reported_not_lost(tmp_path, caplog):
    # Given a batch whose worker processes die (os._exit in the loading function's place)
    landed = [{"relpath": f"18.72/A/pegawai/{n}.csv", "status": "landed"} for n in range(3)]
    confirmed: list[str] = []
    caplog.set_level(logging.ERROR)
    results, errors = lanes.load_in_processes(_die, None, landed, 2, lambda item: confirmed.append(item["relpath"]))
    # Then no file is counted loaded, each is reported with why, and each still gets its feedback call
    assert results == []
    assert len(errors) == 3 and all("load worker ended before confirming" in e for e in errors)
    assert sorted(confirmed) == sorted(i["relpath"] for i in landed)


def _die(settings, item):  # pragma: no cover - runs in the worker process
    os._exit(9)
