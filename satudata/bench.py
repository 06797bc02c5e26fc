"""Benchmarks: the whole pipeline through Airflow at a sample scale, measured against the physical limit.

    python -m satudata.bench --scales kota provinsi [--half] [--reps 3]       (`make bench`)

Per scale, into `$SATUDATA_OUT/bench/summary.json`:

- `rows`: rows read / loaded / quarantined per dataset (reports/run_summary.json of the run);
- `first_run`: end-to-end seconds of `satudata run` (`airflow dags test`) on an empty warehouse, seconds
  per stage (Airflow task durations: extract_land, load, dbt, validate, publish, report, start, and
  what Airflow spent outside the tasks), peak RSS of the largest process of the run's process tree and
  of the PostgreSQL server, overall and per stage;
- `rerun`: the same for an immediate second `satudata run` with no new files, and its ratio to the first;
- `load_benchmark`: one large realisasi_belanja CSV (plain format, `reps` times): the project's loader
  (read, parse, row rules, COPY: `load_file`) against `psql \\copy` of the same file into a table of the
  same shape (types and index) on the same server, rows/s of each and their ratio; the loader's peak RSS
  at a quarter and at all of the file (memory flat with file size) and its time for half of the rows. The
  loader is the block path (satudata/load/blocks.py, the default); `row_path` is the per-row path
  (`SATUDATA_LOADER=rows`) once on the same file beside one more `\\copy`, and `load_average_after` the
  machine's load average when it ended;
- `dbt_plain`: a plain `dbt build --full-refresh` of the same project on the same data after the run,
  against the pipeline's dbt stage (which adds recording results and `dbt docs generate`);
- `half` (with --half): the pipeline on about half of the scale's files (whole pemda x OPD folders) on
  an empty warehouse, for the 2x data / time figure;
- `cosmos` (with --cosmos, first scale only): why the DAG runs one `dbt build` task. The same project on
  the same data under `airflow dags test`, once as astronomer-cosmos renders it (a `DbtDag`, manifest
  load mode, local execution: one Airflow task per model, seed, snapshot and test) and once as one task
  running `dbt build`; wall time of each and their ratio.

Across scales: `figures` (per scale: end to end, rows/s, stage seconds, report stage share, rerun share
and whether the rerun kept an earlier run (`unchanged_since`), peak RSS of any process of the runs, the
loader / `psql \\copy` ratio, the load average sampled every 30 s while the first run ran; with --half,
2x data / time) and `targets` (issue 17's, judged on these); `machine.load_average` over the whole
benchmark. `nasional` runs once: no half run, no Cosmos comparison.

The sample is generated once per scale under `$SATUDATA_HOME/bench/<scale>/` and kept. Each run uses a
copy of the project there (its own dbt target/, and the `opd` seed with the generator's
`reference_opd_extra.csv` appended: the kab/kota a `provinsi` or `nasional` sample adds are not in the
seed) and a fresh SATUDATA_HOME, so nothing is shared with a developer's own runs.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import logging
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil

from satudata.airflow_local import airflow_bin
from satudata.config import REPO_ROOT, DbParams, Settings

log = logging.getLogger("satudata.bench")

# Airflow task -> stage of the summary
STAGES = {
    "start": "start",
    "sources": "extract_land",
    "extract": "extract_land",
    "extracted": "extract_land",
    "discover": "extract_land",
    "batch": "extract_land",
    "land": "extract_land",
    "load": "load",
    "transform": "dbt",
    "validate": "validate",
    "decide": "publish",
    "ppid_approval": "publish",
    "publish": "publish",
    "report": "report",
    "finish": "report",
}
LOAD_ROWS = {"small": 50_000, "kota": 200_000, "provinsi": 500_000, "nasional": 1_000_000}
RUN_ONCE = {"nasional"}  # `make bench SCALES=nasional`: the 100 pemda once (no half run, no Cosmos comparison)
BIG_CSV_COLUMNS = ["tahun", "nomor_sp2d", "tanggal_sp2d", "kode_opd", "kode_sub_kegiatan", "kode_rekening", "nilai"]
BENCH_SLOT = ("18.72", "BPKAD")  # the big CSV is landed as this OPD's submission
SAMPLE_SECONDS = 0.5
LOAD_SECONDS = 30.0  # load average samples
MB = 1 << 20


# ---------------------------------------------------------------------------------------------
# sample data and the project copy


def sample(work: Path, scale: str, pemda: list[str] | None = None) -> Path:
    """The scale's generated landing folder (generated once and kept), or a subset of its pemda."""
    landing = work / scale / "landing"
    marker = work / scale / "generated.json"
    if not marker.exists():
        from satudata.sample import generate

        shutil.rmtree(work / scale, ignore_errors=True)
        log.info("generating the %s sample into %s", scale, landing)
        started = time.monotonic()
        result = generate(landing, scale=scale, workers=os.cpu_count() or 1)
        marker.write_text(
            json.dumps(
                {
                    "seconds": round(time.monotonic() - started, 1),
                    "rows": result["rows"],
                    "files": result["total_files"],
                }
            )
        )
    if not pemda:
        return landing
    subset = work / scale / ("landing_" + "_".join(pemda))
    if not subset.exists():
        for code in pemda:
            _link_tree(landing / code, subset / code)
    return subset


def _link_tree(src: Path, dst: Path) -> None:
    """A copy of `src` made of hard links (landing refuses symbolic links)."""
    shutil.copytree(src, dst, copy_function=os.link)


def half_landing(landing: Path) -> Path:
    """About half of the files' bytes, as whole pemda x OPD folders (every second folder by size)."""
    half = landing.parent / (landing.name + "_half")
    if half.exists():
        return half
    folders = sorted(
        (d for p in landing.iterdir() if p.is_dir() for d in p.iterdir() if d.is_dir()),
        key=lambda d: (-_size(d), d.as_posix()),
    )
    for folder in folders[::2]:
        _link_tree(folder, half / folder.relative_to(landing))
    return half


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def project_copy(work: Path, landing: Path) -> Path:
    """The project's files (git: tracked and not ignored) copied under `work`, with the generator's extra
    OPD reference rows appended to the `opd` seed."""
    dst = work / "project"
    shutil.rmtree(dst, ignore_errors=True)
    listed = (
        subprocess.run(
            ["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO_ROOT, capture_output=True, check=True
        )
        .stdout.decode()
        .split("\0")
    )
    for rel in listed:
        src = REPO_ROOT / rel
        if not rel or not src.is_file() or rel.split("/", 1)[0] in ("sample_data", "out", "landing"):
            continue
        (dst / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst / rel)
    extra = landing.parent / "reference_opd_extra.csv"
    if extra.exists():
        seed = dst / "dbt_project" / "seeds" / "opd.csv"
        text = seed.read_text(encoding="utf-8")
        rows = extra.read_text(encoding="utf-8").splitlines(keepends=True)[1:]
        seed.write_text(text + ("" if text.endswith("\n") else "\n") + "".join(rows), encoding="utf-8")
    return dst


# ---------------------------------------------------------------------------------------------
# running the pipeline and measuring it


class TreeSampler:
    """Samples the RSS of a process tree (and of the PostgreSQL server of a home) every half second."""

    def __init__(self, root_pid: int, pg_data: Path):
        self.root_pid = root_pid
        self.pg_data = pg_data
        self.samples: list[tuple[float, int, str, int]] = []  # (time, largest rss of the tree, its name, pg rss)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _pg_pids(self) -> list[psutil.Process]:
        pid_file = self.pg_data / "postmaster.pid"
        try:
            master = psutil.Process(int(pid_file.read_text().split("\n", 1)[0]))
            return [master, *master.children(recursive=True)]
        except (OSError, ValueError, psutil.Error):
            return []

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                root = psutil.Process(self.root_pid)
                tree = [root, *root.children(recursive=True)]
            except psutil.Error:
                break
            largest, name = 0, ""
            for p in tree:
                try:
                    rss = p.memory_info().rss
                    if rss > largest:
                        largest, name = rss, " ".join(p.cmdline()[:3])[:120]
                except psutil.Error:
                    continue
            pg = 0
            for p in self._pg_pids():
                try:
                    pg = max(pg, p.memory_info().rss)
                except psutil.Error:
                    continue
            self.samples.append((time.time(), largest, name, pg))
            self._stop.wait(SAMPLE_SECONDS)

    def peak(self, since: float = 0.0, until: float = float("inf")) -> dict[str, Any]:
        window = [s for s in self.samples if since <= s[0] <= until]
        if not window:
            return {"largest_process_mb": None, "process": None, "postgres_mb": None}
        top = max(window, key=lambda s: s[1])
        return {
            "largest_process_mb": round(top[1] / MB, 1),
            "process": top[2],
            "postgres_mb": round(max(s[3] for s in window) / MB, 1),
        }


class LoadAverage:
    """The machine's load average (1 min) every LOAD_SECONDS for the whole benchmark: the machine may be
    shared, and a figure means little without what else ran beside it."""

    def __init__(self) -> None:
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> LoadAverage:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            self.samples.append((time.time(), os.getloadavg()[0]))
            if self._stop.wait(LOAD_SECONDS):
                break

    def window(self, since: float = 0.0, until: float = float("inf")) -> dict[str, Any]:
        """min, median and max of the samples in [since, until] and the load at both ends."""
        values = [v for t, v in self.samples if since <= t <= until] or [os.getloadavg()[0]]
        return {
            "min": round(min(values), 2),
            "median": round(statistics.median(values), 2),
            "max": round(max(values), 2),
            "samples": len(values),
            "every_seconds": LOAD_SECONDS,
        }


LOAD = LoadAverage()  # started by main()


def run_pipeline(project: Path, home: Path, out: Path, landing: Path, log_path: Path) -> dict[str, Any]:
    """`satudata run` of the project copy; wall time, stage times and peak memory."""
    env = {
        **os.environ,
        "SATUDATA_HOME": str(home),
        "SATUDATA_OUT": str(out),
        "SATUDATA_LANDING": str(landing),
        "SATUDATA_AUTO_APPROVE": "true",
        "SATUDATA_VERBOSE": "1",  # the whole Airflow stream in the run's log: what a reader of the bench looks at
        "PYTHONPATH": str(project),
    }
    env.pop("SATUDATA_WAREHOUSE_URL", None)  # the run's own embedded warehouse, in its home
    started, load_at_start = time.time(), os.getloadavg()[0]
    with log_path.open("w") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "satudata.cli", "run"], cwd=project, env=env, stdout=sink, stderr=subprocess.STDOUT
        )
        with TreeSampler(proc.pid, home / "pg" / "data") as sampler:
            code = proc.wait()
    seconds = time.time() - started
    tasks = task_times(home)
    stages: dict[str, float] = {}
    windows: dict[str, list[float]] = {}
    for task_id, start, end, duration in tasks:
        stage = STAGES.get(task_id, "other")
        stages[stage] = stages.get(stage, 0.0) + (duration or 0.0)
        if start and end:
            w = windows.setdefault(stage, [start, end])
            w[0], w[1] = min(w[0], start), max(w[1], end)
    stages["airflow_outside_tasks"] = seconds - sum(stages.values())
    summary_path = out / "reports" / "run_summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    return {
        "exit_code": code,
        "status": summary.get("status"),
        "unchanged_since": summary.get("unchanged_since"),
        "seconds": round(seconds, 1),
        "stages": {k: round(v, 1) for k, v in stages.items()},
        "report_share": round(stages.get("report", 0.0) / seconds, 3) if seconds else None,
        "load_average": {
            **LOAD.window(started, time.time()),
            "at_start": round(load_at_start, 2),
            "at_end": round(os.getloadavg()[0], 2),
        },
        "peak_rss": {**sampler.peak(), "by_stage": {s: sampler.peak(w[0], w[1]) for s, w in windows.items()}},
        "log": str(log_path),
        "_summary": summary,
    }


def task_times(home: Path) -> list[tuple[str, float | None, float | None, float | None]]:
    """(task_id, start, end, duration) of every task instance of the last DAG run (Airflow's metadata)."""
    db = home / "airflow" / "airflow.db"
    if not db.exists():
        return []
    with sqlite3.connect(db) as conn:
        run = conn.execute(
            "select run_id from dag_run where dag_id = 'satudata_pipeline' order by id desc limit 1"
        ).fetchone()
        if run is None:
            return []
        rows = conn.execute(
            "select task_id, start_date, end_date, duration from task_instance "
            "where dag_id = 'satudata_pipeline' and run_id = ?",
            run,
        ).fetchall()
    return [(t, _ts(s), _ts(e), d) for t, s, e, d in rows]


def _ts(text: str | None) -> float | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)  # Airflow keeps UTC
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def rows_per_dataset(summary: dict) -> dict[str, dict[str, int]]:
    rows: dict[str, dict[str, int]] = {}
    for f in summary.get("files", []):
        entry = rows.setdefault(
            f.get("dataset") or "?", {"files": 0, "read": 0, "loaded": 0, "quarantined": 0, "set_aside": 0}
        )
        entry["files"] += 1
        entry["read"] += f.get("rows_read") or 0
        entry["loaded"] += f.get("rows_loaded") or 0
        entry["quarantined"] += f.get("rows_quarantined") or 0
        entry["set_aside"] += f.get("rows_set_aside") or 0
    return dict(sorted(rows.items()))


# ---------------------------------------------------------------------------------------------
# the load benchmark: the project's loader against psql \copy of the same file


def big_csv(landing: Path, path: Path, rows: int) -> Path:
    """One large realisasi_belanja CSV in the plain form that psql's COPY reads too (comma, ISO dates,
    whole rupiah): the sample's rows in that form, repeated with a numbered nomor_sp2d, all of one OPD."""
    from satudata.datasets import DATASETS
    from satudata.extract.parse import match_headers
    from satudata.reference import opd_codes

    if path.exists() and path.with_suffix(".rows").exists() and path.with_suffix(".rows").read_text() == str(rows):
        return path
    dataset = DATASETS["realisasi_belanja"]
    kode_opd = sorted(c for c in opd_codes()[BENCH_SLOT] if "." in c)[0]
    iso = re.compile(r"^\d{4}-\d{2}-\d{2}$")
    source: list[list[str]] = []
    for f in sorted(landing.glob("*/*/realisasi_belanja/*.csv")):
        with f.open(encoding="utf-8", errors="replace", newline="") as fh:
            reader = csv.reader(fh)
            match = match_headers(next(reader, []), dataset)
            if not match.ok or set(match.columns) < set(BIG_CSV_COLUMNS) - {"kode_opd"}:
                continue
            index = [match.columns.get(c) for c in BIG_CSV_COLUMNS]
            for rec in reader:
                values = [rec[i] if i is not None and i < len(rec) else "" for i in index]
                if iso.match(values[2]) and values[6].isdigit() and values[0].isdigit():
                    source.append(values)
    if not source:
        raise RuntimeError(f"no plain-format realisasi_belanja rows in {landing}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(BIG_CSV_COLUMNS)
        for i in range(rows):
            tahun, nomor, tanggal, _, sub_kegiatan, rekening, nilai = source[i % len(source)]
            writer.writerow([tahun, f"{nomor}/{i // len(source)}", tanggal, kode_opd, sub_kegiatan, rekening, nilai])
    path.with_suffix(".rows").write_text(str(rows))
    return path


def _head(path: Path, rows: int) -> Path:
    """The first `rows` data rows of a big CSV (plain: one line per row)."""
    part = path.with_name(f"{path.stem}_{rows}.csv")
    if not part.exists():
        with path.open(encoding="utf-8") as src, part.open("w", encoding="utf-8") as dst:
            for i, line in enumerate(src):
                if i > rows:
                    break
                dst.write(line)
    return part


def _fresh_database(server_url: str, name: str) -> str:
    import psycopg

    from satudata.warehouse import migrate

    admin = server_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"drop database if exists {name} with (force)")
        conn.execute(f"create database {name}")
    url = server_url.rsplit("/", 1)[0] + f"/{name}"
    migrate(url)
    return url


def _load_worker(url: str, work: Path, csv_path: Path) -> None:
    """(in a process of its own, so its peak RSS is the loader's) land and load one file; print JSON."""
    import resource

    from satudata.load import blocks
    from satudata.load.land import land_file
    from satudata.load.loader import load_file

    landing = work / "load_landing"
    shutil.rmtree(landing, ignore_errors=True)
    relpath = f"{BENCH_SLOT[0]}/{BENCH_SLOT[1]}/realisasi_belanja/{csv_path.name}"
    (landing / relpath).parent.mkdir(parents=True)
    os.link(csv_path, landing / relpath)
    landed = land_file(url, landing, work / "load_archive", relpath, "bench")
    blocks.warm_up()  # a one-time import of the process, not part of loading a file
    started = time.perf_counter()
    result = load_file(url, work / "load_archive", landed["file_id"])
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rows_read": result["rows_read"],
                "rows_loaded": result["rows_loaded"],
                "status": result["status"],
                "maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            }
        )
    )


def _loader(server_url: str, work: Path, csv_path: Path, path: str = "blocks") -> dict[str, Any]:
    """`load_file` of the file in a fresh warehouse, in a process of its own, with loader path `path`
    (SATUDATA_LOADER: blocks, the default, or rows)."""
    url = _fresh_database(server_url, "bench_load")
    proc = subprocess.run(
        [sys.executable, "-m", "satudata.bench", "--load-worker", url, str(work), str(csv_path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO_ROOT,
        env={**os.environ, "SATUDATA_LOADER": path},
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def psql_binary() -> str:
    from satudata.warehouse.embedded import _bin

    embedded = _bin("psql")
    return str(embedded) if embedded.exists() else shutil.which("psql") or "psql"


def _psql_copy(server_url: str, csv_path: Path, rows: int) -> float:
    """Seconds of `psql \\copy` of the file into a table shaped like raw.realisasi_belanja (same types and
    slot index; the loader's meta columns left null)."""
    import psycopg

    url = server_url.rsplit("/", 1)[0] + "/bench_load"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("drop table if exists public.copy_target")
        conn.execute("create table public.copy_target (like raw.realisasi_belanja including all)")
        for column in ("_file_id", "_row_number", "_kode_pemda", "_opd_folder"):
            conn.execute(f"alter table public.copy_target alter column {column} drop not null")
    command = (
        f"\\copy public.copy_target ({', '.join(BIG_CSV_COLUMNS)}) from '{csv_path}' with (format csv, header true)"
    )
    started = time.perf_counter()
    proc = subprocess.run(
        [psql_binary(), url, "-v", "ON_ERROR_STOP=1", "-c", command],
        capture_output=True,
        text=True,
        env={**os.environ, "PGAPPNAME": "satudata bench"},
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0 or f"COPY {rows}" not in proc.stdout:
        raise RuntimeError(f"psql \\copy failed: {proc.stdout} {proc.stderr}")
    return seconds


def load_benchmark(work: Path, landing: Path, server_url: str, rows: int, reps: int) -> dict[str, Any]:
    path = big_csv(landing, work / "bench_csv" / f"realisasi_belanja_{rows}.csv", rows)
    loader, psql = [], []
    for _ in range(reps):  # alternated, so both see the same machine load
        loader.append(_loader(server_url, work, path))
        psql.append(_psql_copy(server_url, path, rows))
    quarter = _loader(server_url, work, _head(path, rows // 4))
    half = _loader(server_url, work, _head(path, rows // 2))
    # the per-row path once, beside one more \copy: what the block path is measured against
    row_path = _loader(server_url, work, path, "rows")
    row_psql = _psql_copy(server_url, path, rows)
    loader_rps = [rows / r["seconds"] for r in loader]
    psql_rps = [rows / s for s in psql]
    ratio = round(statistics.median(loader_rps) / statistics.median(psql_rps), 3)
    loader_seconds = [r["seconds"] for r in loader]
    return {
        "file": str(path),
        "rows": rows,
        "bytes": path.stat().st_size,
        "reps": reps,
        "loader_seconds": _spread([r["seconds"] for r in loader]),
        "loader_rows_per_s": _spread(loader_rps, 0),
        "loader_rows_loaded": loader[0]["rows_loaded"],
        "loader_status": loader[0]["status"],
        "psql_copy_seconds": _spread(psql),
        "psql_copy_rows_per_s": _spread(psql_rps, 0),
        "ratio_loader_to_psql": ratio,
        "loader_path": "blocks",  # the default (SATUDATA_LOADER): the rows above are the block path's
        "ratio_block_path_to_psql": ratio,
        "row_path": {
            "seconds": round(row_path["seconds"], 2),
            "rows_per_s": round(rows / row_path["seconds"]),
            "rows_loaded": row_path["rows_loaded"],
            "psql_copy_seconds": round(row_psql, 2),
            "ratio_to_psql": round(row_psql / row_path["seconds"], 3),
            "peak_rss_mb": row_path["maxrss_mb"],
        },
        "block_path_speedup_over_row_path": round(row_path["seconds"] / statistics.median(loader_seconds), 2),
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "ratio_per_rep": [round(a / b, 3) for a, b in zip(loader_rps, psql_rps, strict=True)],
        "loader_peak_rss_mb": {
            "quarter_file": quarter["maxrss_mb"],
            "half_file": half["maxrss_mb"],
            "whole_file": max(r["maxrss_mb"] for r in loader),
        },
        "loader_seconds_half_file": round(half["seconds"], 2),
        "loader_time_ratio_whole_to_half": round(statistics.median(r["seconds"] for r in loader) / half["seconds"], 2),
        "psql": psql_binary(),
    }


def _spread(values: list[float], digits: int = 2) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
    }


# ---------------------------------------------------------------------------------------------
# a plain dbt build of the same project on the same data


def plain_dbt_build(project: Path, url: str) -> dict[str, Any]:
    from satudata.transform import dbt_command

    settings = dataclasses.replace(Settings.from_env({}), repo_root=project)
    started = time.perf_counter()
    proc = dbt_command(settings, url, "build", "--full-refresh")
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "exit_code": proc.returncode,
        "command": "dbt build --full-refresh",
    }


# ---------------------------------------------------------------------------------------------
# astronomer-cosmos (one task per dbt node) against one `dbt build` task, both through Airflow

COSMOS_DAGS = """\
# written by satudata.bench: the project's dbt through Airflow two ways, same data, same machine
import subprocess
from datetime import datetime
from pathlib import Path

from airflow.sdk import dag, task
from cosmos import DbtDag, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import ExecutionMode, LoadMode

PROJECT = Path({project!r})
DBT = {dbt!r}
SELECT = {select!r}  # dbt node selection; [] is the whole project

cosmos_dbt = DbtDag(
    dag_id="bench_cosmos", schedule=None, start_date=datetime(2024, 1, 1), catchup=False,
    project_config=ProjectConfig(dbt_project_path=PROJECT, manifest_path=PROJECT / "target" / "manifest.json"),
    profile_config=ProfileConfig(profile_name="satudata", target_name="default",
                                 profiles_yml_filepath=PROJECT / "profiles.yml"),
    execution_config=ExecutionConfig(execution_mode=ExecutionMode.LOCAL, dbt_executable_path=DBT),
    render_config=RenderConfig(load_method=LoadMode.DBT_MANIFEST, select=SELECT),
    operator_args={{"install_deps": False}},
)


@dag(dag_id="bench_single_build", schedule=None, start_date=datetime(2024, 1, 1), catchup=False)
def single_build():
    @task
    def dbt_build():
        selection = ["--select", *SELECT] if SELECT else []
        subprocess.run([DBT, "build", "--project-dir", str(PROJECT), "--profiles-dir", str(PROJECT), *selection],
                       check=True, cwd=PROJECT)

    dbt_build()


single_build()
"""


def cosmos_comparison(project: Path, work: Path, url: str, select: list[str]) -> dict[str, Any]:
    """`airflow dags test` of one `dbt build` task, then of the Cosmos DAG, on the warehouse as the first
    run left it (so incremental models have nothing new in either); `select`: the dbt nodes (all when
    empty)."""
    home = work / "cosmos_airflow"
    shutil.rmtree(home, ignore_errors=True)
    (home / "dags").mkdir(parents=True)
    dbt_dir = project / "dbt_project"
    (home / "dags" / "bench_dbt.py").write_text(
        COSMOS_DAGS.format(project=str(dbt_dir), dbt=str(Path(sys.executable).parent / "dbt"), select=select)
    )
    env = {
        **os.environ,
        **DbParams.from_url(url).dbt_env(),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    airflow = airflow_bin()
    subprocess.run([airflow, "db", "migrate"], env=env, cwd=home, capture_output=True, check=True)
    result: dict[str, Any] = {
        "mode": "astronomer-cosmos DbtDag, LoadMode.DBT_MANIFEST, ExecutionMode.LOCAL",
        "select": select or "the whole project",
    }
    for name, dag_id in (("single_build", "bench_single_build"), ("cosmos", "bench_cosmos")):
        log.info("cosmos comparison: airflow dags test %s", dag_id)
        started = time.perf_counter()
        with (work / f"{dag_id}.log").open("w") as sink:
            code = subprocess.run(
                [airflow, "dags", "test", dag_id], env=env, cwd=home, stdout=sink, stderr=subprocess.STDOUT
            ).returncode
        result[name] = {
            "seconds": round(time.perf_counter() - started, 1),
            "exit_code": code,
            "log": str(work / f"{dag_id}.log"),
        }
    with sqlite3.connect(home / "airflow.db") as conn:
        result["cosmos"]["tasks"] = conn.execute(
            "select count(*) from task_instance where dag_id = 'bench_cosmos'"
        ).fetchone()[0]
    result["ratio_cosmos_to_single_build"] = round(result["cosmos"]["seconds"] / result["single_build"]["seconds"], 2)
    return result


# ---------------------------------------------------------------------------------------------
# one scale, and the whole benchmark


def bench_scale(scale: str, work: Path, args: argparse.Namespace, half: bool, cosmos: bool) -> dict[str, Any]:
    from satudata.warehouse.embedded import EmbeddedWarehouse

    landing = sample(work, scale, args.pemda)
    runs = work / scale / "runs"
    shutil.rmtree(runs, ignore_errors=True)
    runs.mkdir(parents=True)
    project = project_copy(runs, landing)
    home, out = runs / "home", runs / "out"
    log.info("%s: first run on an empty warehouse", scale)
    first = run_pipeline(project, home, out, landing, runs / "first_run.log")
    rows = rows_per_dataset(first.pop("_summary"))
    log.info("%s: first run %.0f s; immediate rerun", scale, first["seconds"])
    rerun = run_pipeline(project, home, out, landing, runs / "rerun.log")
    rerun.pop("_summary")
    rerun["ratio_to_first_run"] = round(rerun["seconds"] / first["seconds"], 3)
    server = EmbeddedWarehouse(home)
    url = server.start()
    try:
        log.info("%s: plain dbt build", scale)
        dbt_plain = plain_dbt_build(project, url)
        dbt_plain["pipeline_dbt_stage_seconds"] = first["stages"].get("dbt")
        dbt_plain["ratio_pipeline_to_plain"] = (
            round(first["stages"]["dbt"] / dbt_plain["seconds"], 2)
            if first["stages"].get("dbt") and dbt_plain["seconds"]
            else None
        )
        log.info("%s: load benchmark", scale)
        load = load_benchmark(work / scale, landing, url, args.load_rows or LOAD_ROWS[scale], args.reps)
        compared = None
        if cosmos:
            try:
                compared = cosmos_comparison(project, runs, url, args.cosmos_select)
            except (OSError, subprocess.SubprocessError, sqlite3.Error) as e:  # the other figures still count
                log.exception("cosmos comparison failed")
                compared = {"error": repr(e)}
    finally:
        server.stop()
    result: dict[str, Any] = {
        "landing": str(landing),
        "files": sum(r["files"] for r in rows.values()),
        "rows": rows,
        "rows_read": sum(r["read"] for r in rows.values()),
        "first_run": first,
        "rerun": rerun,
        "dbt_plain": dbt_plain,
        "load_benchmark": load,
    }
    if compared:
        result["cosmos"] = compared
    if half:
        half_files = half_landing(landing)
        half_runs = work / scale / "runs_half"
        shutil.rmtree(half_runs, ignore_errors=True)
        half_runs.mkdir(parents=True)
        log.info("%s: about half of the files, on an empty warehouse", scale)
        run = run_pipeline(project, half_runs / "home", half_runs / "out", half_files, half_runs / "run.log")
        half_rows = sum(r["read"] for r in rows_per_dataset(run.pop("_summary")).values())
        result["half"] = {
            "landing": str(half_files),
            "rows_read": half_rows,
            "run": run,
            "data_ratio": round(result["rows_read"] / half_rows, 2) if half_rows else None,
            "time_ratio": round(first["seconds"] / run["seconds"], 2),
        }
    return result


def _peak_mb(s: dict) -> float:
    runs = [s["first_run"], s["rerun"], *([s["half"]["run"]] if "half" in s else [])]
    return max(r["peak_rss"]["largest_process_mb"] or 0 for r in runs)


def figures(scales: dict[str, dict]) -> dict[str, Any]:
    """The issue's figures per scale, in one place: end to end, rows/s, report stage and rerun shares,
    peak RSS of any process, the load average while the first run ran; and 2x data / time."""
    out: dict[str, Any] = {}
    for name, s in scales.items():
        first = s["first_run"]
        out[name] = {
            "end_to_end_seconds": first["seconds"],
            "rows_read": s["rows_read"],
            "rows_per_second": round(s["rows_read"] / first["seconds"]) if first["seconds"] else None,
            "stages_seconds": first["stages"],
            "report_stage_seconds": first["stages"].get("report"),
            "report_stage_share": first.get("report_share"),
            "rerun_seconds": s["rerun"]["seconds"],
            "rerun_share": s["rerun"]["ratio_to_first_run"],
            "rerun_unchanged_since": s["rerun"].get("unchanged_since"),
            "peak_rss_any_process_mb": _peak_mb(s),
            "peak_rss_postgres_mb": first["peak_rss"]["postgres_mb"],
            "loader_to_psql_copy": s["load_benchmark"]["ratio_loader_to_psql"],
            "load_average_first_run": first.get("load_average"),
        }
        if "half" in s:
            out[name]["double_data"] = {
                "data_ratio": s["half"]["data_ratio"],
                "time_ratio": s["half"]["time_ratio"],
                # time per unit of data, 2x the data against 1x (1.0: linear)
                "time_ratio_per_2x_data": round(s["half"]["time_ratio"] * 2 / s["half"]["data_ratio"], 2)
                if s["half"]["data_ratio"]
                else None,
            }
    return out


def targets(scales: dict[str, dict]) -> dict[str, Any]:
    """The issue's targets (issue 17), judged on what was measured."""
    out: dict[str, Any] = {}
    for name, s in scales.items():
        first = s["first_run"]
        t = {
            "loader_at_least_half_of_psql_copy": s["load_benchmark"]["ratio_loader_to_psql"] >= 0.5,
            "loader_moonshot_0_65_of_psql_copy": s["load_benchmark"]["ratio_loader_to_psql"] >= 0.65,
            "rerun_at_most_10_percent": s["rerun"]["ratio_to_first_run"] <= 0.10,
            "report_stage_at_most_5_percent": (first.get("report_share") or 1.0) <= 0.05,
            "peak_rss_at_most_1_gb": _peak_mb(s) <= 1024,
            "dbt_stage_at_most_1_5x_plain_build": (s["dbt_plain"]["ratio_pipeline_to_plain"] or 99) <= 1.5,
        }
        if "row_path" in s["load_benchmark"]:
            t["loader_block_and_row_paths_load_the_same_rows"] = (
                s["load_benchmark"]["row_path"]["rows_loaded"] == s["load_benchmark"]["loader_rows_loaded"]
            )
        if name == "provinsi":
            t["end_to_end_at_most_300_s"] = first["seconds"] <= 300
        if name == "nasional":
            t["end_to_end_at_most_30_minutes"] = first["seconds"] <= 1800
        if "half" in s and s["half"]["data_ratio"]:
            # 2x the data in at most 2.1x the time, for the data ratio measured (about 2)
            t["double_data_at_most_2_1x_time"] = s["half"]["time_ratio"] <= 2.1 * s["half"]["data_ratio"] / 2
        out[name] = t
    names = list(scales)
    for a, b in zip(names, names[1:], strict=False):
        d = scales[b]["rows_read"] / max(scales[a]["rows_read"], 1)
        tr = scales[b]["first_run"]["seconds"] / scales[a]["first_run"]["seconds"]
        out[f"scaling_{a}_to_{b}"] = {"data_ratio": round(d, 2), "time_ratio": round(tr, 2)}
    return out


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(
        prog="python -m satudata.bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scales", nargs="+", default=["kota", "provinsi"], choices=list(LOAD_ROWS))
    parser.add_argument("--half", action="store_true", help="also run about half of the largest scale's files")
    parser.add_argument(
        "--cosmos",
        action="store_true",
        help="also run the dbt project as astronomer-cosmos tasks against one dbt build task",
    )
    parser.add_argument("--cosmos-select", nargs="*", default=[], help="dbt nodes of the Cosmos comparison")
    parser.add_argument("--reps", type=int, default=3, help="repetitions of the load benchmark")
    parser.add_argument("--load-rows", type=int, default=None, help="rows of the load benchmark's CSV")
    parser.add_argument("--pemda", nargs="*", default=None, help="only these pemda of the sample (e.g. 18.72)")
    parser.add_argument("--load-worker", nargs=3, metavar=("URL", "WORK", "CSV"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.load_worker:
        url, work, path = args.load_worker
        _load_worker(url, Path(work), Path(path))
        return 0
    settings = Settings.from_env()
    work = settings.home / "bench"
    out = settings.out / "bench"
    out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    summary: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cores": os.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        },
        "scales": {},
    }
    path = out / "summary.json"
    with LOAD:
        for i, scale in enumerate(args.scales):
            once = scale in RUN_ONCE  # neither the half run nor the Cosmos comparison at that size
            summary["scales"][scale] = bench_scale(
                scale,
                work,
                args,
                half=args.half and i == len(args.scales) - 1 and not once,
                cosmos=args.cosmos and i == 0 and not once,
            )
            summary["targets"] = targets(summary["scales"])
            summary["figures"] = figures(summary["scales"])
            summary["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
            summary["machine"]["load_average"] = LOAD.window()
            summary["seconds"] = round(time.time() - started, 1)
            path.write_text(json.dumps(summary, indent=2, default=str))  # after each scale: a partial result survives
    print(json.dumps(summary["targets"], indent=2))
    print(f"summary: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
