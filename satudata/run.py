"""`satudata run` (`make run`): the whole pipeline once through real Airflow (`airflow dags test`).

What a person sees: one line per stage of the DAG (its task), with the files loaded (n of N), rows per
second, elapsed time and an estimate of what is left (a live `rich` progress bar on a terminal, plain
lines elsewhere: a CI log or a pipe gets a few dozen lines, not thousands), then the run's summary.
Airflow's full output (every task's log, dbt's and GX's lines) goes to a log file named at the end:
`$SATUDATA_OUT/reports/run.log`. `satudata run --verbose` (or SATUDATA_VERBOSE=1) streams that output
here too, as before.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from satudata.airflow_local import DAG_ID, airflow_env, ensure_sample, metadata_command
from satudata.airflow_metadata import PREPARE_FAILED
from satudata.config import Settings
from satudata.warehouse.embedded import EmbeddedWarehouse

log = logging.getLogger("satudata")

LOG_NAME = "run.log"
# what the stream of `airflow dags test` says (Airflow 3 `[DAG TEST]` lines, the loader's line per file,
# dbt's `n of N OK|PASS|WARN|ERROR ...` per node)
_TASK_START = re.compile(r"\[DAG TEST\] starting task_id=(\w+)")
_TASK_END = re.compile(r"\[DAG TEST\] end task task_id=(\w+)")
_FILE_LANDED = re.compile(r": landed as file \d+")
_FILE_LOADED = re.compile(r": read (\d+) rows, loaded (\d+)")
_DBT_NODE = re.compile(r"\b(\d+) of (\d+) (?:OK|PASS|WARN|ERROR|FAIL|SKIP)\b")
_PROBLEM = re.compile(r"\[(?:error|critical)\s*\]|Traceback|\b\w+Error:|\bERROR\b")
# what each task of the DAG does, for the person watching (Indonesian first)
STAGES = {
    "start": "mulai / start",
    "discover": "cari berkas / discover files",
    "sources": "sumber / sources",
    "extract": "tarik sumber / extract",
    "extracted": "hasil tarik / extracted",
    "batch": "kelompokkan / batch",
    "land": "terima berkas / land",
    "load": "muat / load",
    "transform": "dbt build / transform",
    "validate": "validasi GX / validate",
    "decide": "gerbang mutu / decide",
    "ppid_approval": "persetujuan PPID / approval",
    "publish": "terbitkan / publish",
    "report": "laporan / report",
    "finish": "selesai / finish",
}


def verbose_from_env(env: dict[str, str] | None = None) -> bool:
    return ((env or os.environ).get("SATUDATA_VERBOSE") or "").strip().lower() in ("1", "true", "yes")


@dataclass
class Progress:
    """What the stream has told so far: the stage, files loaded of the files found, rows, dbt nodes."""

    files_total: int
    started: float = field(default_factory=time.monotonic)
    stage: str | None = None
    stage_started: float = 0.0
    landed: int = 0
    files: int = 0
    rows: int = 0
    nodes: int = 0
    nodes_total: int = 0
    ended: str | None = None  # the task that ended last, until another one starts
    ended_at: float = 0.0
    first_started: dict[str, float] = field(default_factory=dict)  # task -> when its first instance started
    problems: list[str] = field(default_factory=list)

    def feed(self, line: str) -> tuple[str, str | None] | None:
        """Take one line of the stream; returns ("start"|"end", task) when a stage starts or ends."""
        if _FILE_LANDED.search(line):
            self.landed += 1
            self.files_total = max(self.files_total, self.landed)
        elif m := _FILE_LOADED.search(line):
            self.files += 1
            self.rows += int(m.group(1))
            self.files_total = max(self.files_total, self.files)
        elif "dbt |" in line and (m := _DBT_NODE.search(line)):
            self.nodes, self.nodes_total = max(self.nodes, int(m.group(1))), int(m.group(2))
        elif m := _TASK_START.search(line):
            if m.group(1) != self.stage:
                return ("start", m.group(1))
        elif m := _TASK_END.search(line):
            return ("end", m.group(1))
        if _PROBLEM.search(line):
            self.problems = (self.problems + [line.rstrip()])[-20:]
        return None

    def stage_done(self, event: tuple[str, str | None] | None, at_end: bool = False) -> str | None:
        """The line of the stage that is over, once it is: a mapped task (`land`, one per pemda) ends
        once per map index, so a stage is over when another task starts, or when the stream ends."""
        finished = None
        if self.ended is not None and (at_end or (event and event[0] == "start" and event[1] != self.ended)):
            finished, self.ended = self.line(self.ended), None
        if event and event[0] == "start" and event[1] != self.stage:
            self.stage, self.stage_started = event[1], time.monotonic()
            self.first_started.setdefault(event[1] or "", self.stage_started)
        elif event and event[0] == "end":
            self.ended, self.ended_at = event[1], time.monotonic()
        return finished

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def rate(self) -> float:
        """Rows per second since loading began (since the run began when no load task has started)."""
        since = self.first_started.get("load", self.started)
        return self.rows / max(time.monotonic() - since, 1e-9)

    def eta(self) -> float | None:
        """Seconds left in the stage, from its pace so far (files while loading, dbt nodes in transform)."""
        done, total = self.counts()
        spent = time.monotonic() - self.stage_started
        if not done or not total or done >= total:
            return None
        return spent / done * (total - done)

    def counts(self) -> tuple[int, int]:
        if self.stage == "transform":
            return self.nodes, self.nodes_total
        if self.stage == "land":
            return self.landed, self.files_total
        return self.files, self.files_total

    def line(self, stage: str) -> str:
        """One plain line for a stage that ended."""
        spent = (self.ended_at or time.monotonic()) - self.stage_started
        text = f"  {STAGES.get(stage, stage):32s} {spent:6.1f} s"
        if stage == "land":
            text += f"   berkas/files {self.landed} of {self.files_total}"
        elif stage == "load":
            text += f"   berkas/files {self.files} of {self.files_total}, {self.rows:,} rows, {self.rate():,.0f} rows/s"
        elif stage == "transform" and self.nodes_total:
            text += f"   dbt {self.nodes} of {self.nodes_total} nodes"
        return text + f"   (total {_clock(self.elapsed())})"


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def follow(lines: Iterable[str], log_file: IO[str], progress: Progress, verbose: bool, tty: bool) -> None:
    """Write every line to the log file; show the stages (rich on a terminal, plain lines elsewhere)."""
    if verbose:
        for line in lines:
            log_file.write(line)
            sys.stdout.write(line)
            progress.feed(line)
        return
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=True)
    if not tty:
        for line in lines:
            log_file.write(line)
            if done := progress.stage_done(progress.feed(line)):
                print(done, flush=True)
        if done := progress.stage_done(None, at_end=True):
            print(done, flush=True)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
    from rich.progress import Progress as Bar

    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("ETA {task.fields[eta]}"),
    )
    with Bar(*columns, console=console, transient=True, refresh_per_second=4) as bar:
        task = bar.add_task("Airflow", total=None, rate="", eta="-")
        for line in lines:
            log_file.write(line)
            if finished := progress.stage_done(progress.feed(line)):
                console.print(finished)
            counted, total = progress.counts()
            eta = progress.eta()
            bar.update(
                task,
                description=STAGES.get(progress.stage or "", progress.stage or "Airflow"),
                completed=counted,
                total=total or None,
                rate=f"{progress.rate():,.0f} rows/s" if progress.rows else "",
                eta=_clock(eta) if eta is not None else "-",
            )
        if finished := progress.stage_done(None, at_end=True):
            console.print(finished)


def run_pipeline(settings: Settings, verbose: bool = False) -> int:
    """Run the DAG once through Airflow. Starts (and afterwards stops) the embedded warehouse when
    SATUDATA_WAREHOUSE_URL is not set. Returns the exit code: 0 only when the run succeeded."""
    from satudata.extract.discover import discover

    started = time.monotonic()
    ensure_sample(settings)
    settings.reports.mkdir(parents=True, exist_ok=True)
    log_path = settings.reports / LOG_NAME
    embedded = None if settings.warehouse_url else EmbeddedWarehouse(settings.home)
    started_here = embedded is not None and embedded.running_url() is None  # `satudata airflow` may use it
    url = settings.warehouse_url or embedded.start()  # type: ignore[union-attr]
    progress = Progress(files_total=0)
    tty = sys.stdout.isatty()
    code = 2
    try:
        env = airflow_env(settings, url)
        with log_path.open("w", encoding="utf-8", buffering=1) as log_file:  # line by line: `tail -f` follows it
            # one Airflow process: the metadata database (migrated only when behind) and the `load` task's
            # pool warehouse_load, then `airflow dags test` (satudata/airflow_metadata.py)
            proc = subprocess.Popen(
                metadata_command("dags", "test", DAG_ID),
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
                bufsize=1,
            )
            assert proc.stdout is not None
            # counted while Airflow starts (its output waits in the pipe): the total of the progress lines
            files = sum(1 for d in discover(settings.landing) if d.problem is None) if settings.landing.is_dir() else 0
            progress.files_total = files
            if not verbose:
                print(f"Satu Data: {files} berkas/files in {settings.landing}; Airflow's log: {log_path}", flush=True)
            follow(proc.stdout, log_file, progress, verbose, tty)
            code = proc.wait()
        if code == PREPARE_FAILED:
            log.error("airflow db migrate or pools set failed: see %s", log_path)
            return 2
    finally:
        if started_here:
            embedded.stop()  # type: ignore[union-attr]
    summary_path = settings.reports / "run_summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    ok = code == 0 and summary.get("status") == "success"
    if not ok and not verbose and progress.problems:
        print("Last problems in Airflow's log / masalah terakhir di log Airflow:")
        for line in progress.problems[-10:]:
            print(f"  {line[:300]}")
    print_outputs(settings, summary, time.monotonic() - started, log_path)
    return 0 if ok else 1


def print_outputs(settings: Settings, summary: dict, seconds: float, log_path: Path | None = None) -> None:
    print()
    print(
        f"Satu Data run {summary.get('run_id', '?')}: {summary.get('status', 'no summary written')} in {seconds:.0f} s"
    )
    totals = summary.get("totals", {})
    if totals:
        print(
            f"  files {totals['files']}, rows read {totals['rows_read']}, loaded {totals['rows_loaded']}, "
            f"quarantined {totals['rows_quarantined']}, set aside {totals.get('rows_set_aside', 0)} (not lines), "
            f"files rejected {totals['files_rejected']}"
        )
    for dataset_id, d in summary.get("datasets", {}).items():
        print(f"  {dataset_id:40s} {d['status']:10s} {d.get('version') or '-'}")
    print("Outputs:")
    print(f"  publishers          {settings.published_root / 'index.html'}")
    print(f"  published datasets  {settings.published_root}/<kode_pemda>/<dataset_id>/<version>/")
    print(f"  catalog             {settings.published_root}/<kode_pemda>/catalog.json")
    if summary.get("run_id"):
        print(f"  PPID decisions      {settings.reports}/runs/{summary['run_id']}/keputusan_<kode_pemda>.md")
    print(f"  run summary         {settings.reports / 'run_summary.json'}")
    print(f"  GX Data Docs        {settings.reports / 'data_docs' / 'index.html'}")
    print(f"  dbt docs            {settings.reports / 'dbt_docs' / 'index.html'}")
    if log_path is not None:
        print(f"  Airflow task logs   {log_path}")
