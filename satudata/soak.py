"""Soak: the sample (`kota` scale) through every stage N times in a row, with new files each time.

    python -m satudata.soak [--runs 10] [--scale kota] [--tolerance 0.10]
    make soak [SOAK_RUNS=10]                       # not part of `make test`: it takes a while

Run i writes the sample drawn with seed 2024 + i over the same periods (`generate(..., clean=True)`:
every OPD sends a corrected file for the same months), then runs the stages as the DAG calls them
(start, extract, land, load, transform, validate, publish, report) in a child process of its own,
and measures its wall time and peak memory (the peak RSS of the pipeline process, and of the
largest process it started: dbt). Afterwards, per run:

- time and peak memory within `--tolerance` of the first run's (nothing grows from run to run);
- the warehouse holds exactly the expected rows: every row the run's files loaded is in raw once
  (`rows_loaded` of the run's files = their rows in raw), a period a new file covers holds none of
  an earlier file's rows, and no raw row is there twice; rows of earlier runs stay only in periods
  the new files do not cover (counted and reported).

Uses SATUDATA_WAREHOUSE_URL when set (a database of its own), else the embedded PostgreSQL under
`<home>` (default `$SATUDATA_HOME/soak`); the landing folder and outputs go under `<home>` too.
The report is printed and written to `<home>/soak_report.json`; the exit code is 1 if a check failed.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from satudata.config import REPO_ROOT, Settings

log = logging.getLogger("satudata.soak")
SEED = 2024


def _child_env(home: Path, url: str, scale: str) -> dict[str, str]:
    return {
        **os.environ,
        "SATUDATA_WAREHOUSE_URL": url,
        "SATUDATA_LANDING": str(home / "landing"),
        "SATUDATA_OUT": str(home / "out"),
        "SATUDATA_HOME": str(home / "state"),
        "SATUDATA_SAMPLE_SCALE": scale,
        "SATUDATA_AUTO_APPROVE": "true",
        "GX_ANALYTICS_ENABLED": "False",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def one_run(settings: Settings, run_id: str) -> dict:
    """Every stage of one run, in this process (the child of `soak`)."""
    from satudata import pipeline

    run_id = pipeline.start(settings, run_id)
    for source_id in pipeline.list_sources(settings, run_id):
        pipeline.extract(settings, run_id, source_id)
    relpaths = pipeline.discover_files(settings) + pipeline.extracted_files(settings, run_id)
    started = time.monotonic()
    for batch in pipeline.batches(relpaths):
        pipeline.load_batch(settings, pipeline.land_batch(settings, run_id, batch))
    timings = {"land_load": time.monotonic() - started}
    for name, stage in (
        ("transform", pipeline.transform),
        ("validate", pipeline.validate),
        ("publish", pipeline.gate_and_publish),
        ("report", pipeline.report),
    ):
        started = time.monotonic()
        outcome = stage(settings, run_id)
        timings[name] = time.monotonic() - started
    return {
        "run_id": run_id,
        "status": outcome["status"],
        "stages": {k: round(v, 1) for k, v in timings.items()},
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "peak_child_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }


def warehouse_check(url: str, run_id: str) -> dict:
    """What the warehouse holds after a run, against what the run's files loaded (see the module doc)."""
    from satudata.datasets import DATASETS
    from satudata.warehouse import connect, one

    out: dict[str, dict] = {}
    with connect(url) as conn:
        for name in DATASETS:
            counted = conn.execute(
                f"""
                with run_files as (
                    select file_id, kode_pemda, opd, rows_loaded from audit.source_file
                    where run_id = %(run)s and dataset = %(ds)s and status in ('loaded', 'loaded_with_warnings')),
                covered as (
                    select distinct r._kode_pemda, r._opd_folder, r._period from raw.{name} r
                    where r._file_id in (select file_id from run_files)),
                stale as (
                    select r._kode_pemda, r._opd_folder, r._period from raw.{name} r
                    where r._file_id not in (select file_id from run_files))
                select (select count(*) from run_files),
                       (select coalesce(sum(rows_loaded), 0) from run_files),
                       (select count(*) from raw.{name} where _file_id in (select file_id from run_files)),
                       (select count(*) from stale join covered using (_kode_pemda, _opd_folder, _period)),
                       (select count(*) from stale),
                       (select count(*) from raw.{name}),
                       (select count(distinct (_file_id, _sheet, _row_number)) from raw.{name})
            """,
                {"run": run_id, "ds": name},
            )
            (run_files, loaded, in_raw, stale_covered, stale_kept, total, distinct) = one(counted)
            out[name] = {
                "files": run_files,
                "rows_loaded": loaded,
                "in_raw": in_raw,
                "total": total,
                "kept_from_earlier_runs": stale_kept,
                "stale_in_replaced_periods": stale_covered,
                "duplicates": total - distinct,
                "ok": loaded == in_raw and stale_covered == 0 and total == distinct,
            }
    return out


def soak(runs: int, scale: str, tolerance: float, home: Path, url: str | None) -> int:
    from satudata.extract.sample_registry import write_sample_registry
    from satudata.sample import generate
    from satudata.warehouse.embedded import EmbeddedWarehouse

    home.mkdir(parents=True, exist_ok=True)
    embedded = None if url else EmbeddedWarehouse(home / "state")
    url = url or embedded.start()  # type: ignore[union-attr]
    report: dict = {"scale": scale, "runs": [], "tolerance": tolerance}
    try:
        for i in range(1, runs + 1):
            started = time.monotonic()
            counts = generate(home / "landing", scale=scale, seed=SEED + i, clean=True)
            write_sample_registry(home / "landing", counts["tahun"])
            generated = time.monotonic() - started
            run_id = f"soak_{i:02d}_{int(time.time())}"
            started = time.monotonic()
            proc = subprocess.run(
                [sys.executable, "-m", "satudata.soak", "--one", run_id],
                cwd=REPO_ROOT,
                env=_child_env(home, url, scale),
                capture_output=True,
                text=True,
            )
            seconds = time.monotonic() - started
            (home / f"run_{i:02d}.log").write_text(proc.stdout + proc.stderr)
            if proc.returncode != 0 or not proc.stdout.strip():
                log.error("run %d failed (exit %d); see %s", i, proc.returncode, home / f"run_{i:02d}.log")
                report["runs"].append({"run": i, "failed": True, "exit": proc.returncode})
                break
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            check = warehouse_check(url, result["run_id"])
            entry = {
                "run": i,
                "seed": SEED + i,
                "seconds": round(seconds, 1),
                "generate_seconds": round(generated, 1),
                **result,
                "rows_generated": counts["total_rows"],
                "files_generated": counts["total_files"],
                "warehouse_ok": all(c["ok"] for c in check.values()),
                "rows_loaded": sum(c["rows_loaded"] for c in check.values()),
                "rows_in_raw": sum(c["total"] for c in check.values()),
                "kept_from_earlier_runs": sum(c["kept_from_earlier_runs"] for c in check.values()),
                "warehouse": check,
            }
            report["runs"].append(entry)
            log.info(
                "run %d: %.0f s, peak RSS %.0f MB (dbt %.0f MB), %s rows loaded, warehouse %s",
                i,
                seconds,
                entry["peak_rss_mb"],
                entry["peak_child_rss_mb"],
                f"{entry['rows_loaded']:,}",
                "ok" if entry["warehouse_ok"] else "NOT as expected",
            )
    finally:
        if embedded is not None:
            embedded.stop()
    failures = judge(report)
    report["failures"] = failures
    (home / "soak_report.json").write_text(json.dumps(report, indent=2, default=str))
    print(table(report))
    print(f"\nreport: {home / 'soak_report.json'}")
    return 1 if failures else 0


def judge(report: dict) -> list[str]:
    runs = report["runs"]
    if not runs or any(r.get("failed") for r in runs):
        return [f"run {r['run']} failed" for r in runs if r.get("failed")] or ["no run"]
    first, limit = runs[0], 1 + report["tolerance"]
    failures = []
    for r in runs:
        for key in ("seconds", "peak_rss_mb", "peak_child_rss_mb"):
            if r[key] > first[key] * limit:
                failures.append(
                    f"run {r['run']}: {key} {r[key]:.0f} is more than {report['tolerance']:.0%} over "
                    f"the first run's {first[key]:.0f}"
                )
        if not r["warehouse_ok"]:
            bad = [f"{d}: {c}" for d, c in r["warehouse"].items() if not c["ok"]]
            failures.append(f"run {r['run']}: the warehouse does not hold the expected rows: {'; '.join(bad)}")
        if r["status"] != "success":
            failures.append(f"run {r['run']}: pipeline status {r['status']}")
    return failures


def table(report: dict) -> str:
    lines = [
        f"Soak, {report['scale']} scale, {len(report['runs'])} runs",
        f"{'run':>3} {'seconds':>8} {'land+load':>9} {'dbt':>6} {'GX':>6} {'RSS MB':>7} {'dbt MB':>7} "
        f"{'rows loaded':>12} {'in raw':>10} {'kept':>7} {'status':>8} warehouse",
    ]
    for r in report["runs"]:
        if r.get("failed"):
            lines.append(f"{r['run']:>3} failed (exit {r['exit']})")
            continue
        s = r["stages"]
        lines.append(
            f"{r['run']:>3} {r['seconds']:>8.0f} {s['land_load']:>9.0f} {s['transform']:>6.0f} "
            f"{s['validate']:>6.0f} {r['peak_rss_mb']:>7.0f} {r['peak_child_rss_mb']:>7.0f} "
            f"{r['rows_loaded']:>12,} {r['rows_in_raw']:>10,} {r['kept_from_earlier_runs']:>7,} "
            f"{r['status']:>8} {'ok' if r['warehouse_ok'] else 'NOT OK'}"
        )
    lines += [f"FAIL: {f}" for f in report.get("failures", [])] or ["all checks held"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(
        prog="python -m satudata.soak", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--scale", default="kota")
    parser.add_argument("--tolerance", type=float, default=0.10)
    parser.add_argument("--home", type=Path, default=None, help="default: $SATUDATA_HOME/soak")
    parser.add_argument("--one", metavar="RUN_ID", help=argparse.SUPPRESS)  # the child: one run
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if args.one:
        logging.getLogger().setLevel(logging.WARNING)
        print(json.dumps(one_run(settings, args.one)))
        return 0
    home = (args.home or settings.home / "soak").resolve()
    return soak(args.runs, args.scale, args.tolerance, home, settings.warehouse_url)


if __name__ == "__main__":
    sys.exit(main())
