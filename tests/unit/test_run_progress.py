"""`satudata run` output (satudata/run.py): a stream shaped like `airflow dags test`'s (the `[DAG TEST]`
lines of Airflow 3, the loader's line per file, dbt's `n of N` lines) gives a few plain lines away from a
terminal, while the log file gets every line. The whole run through Airflow is checked in
tests/integration/test_sample_run.py."""

from __future__ import annotations

import io

from satudata.run import Progress, follow, verbose_from_env

TASKS = ["start", "discover", "sources", "extracted", "batch", "land", "load", "transform", "validate", "publish"]
FILES = 417
NODES = 541


def airflow_stream() -> list[str]:
    lines = []
    for task in TASKS:
        if task == "land":  # mapped: one task instance per pemda, one after the other
            for index in range(4):
                lines.append(f"2026-12-06T06:49:22Z [info ] [DAG TEST] starting task_id=land map_index={index} [x]\n")
                lines += [
                    f"2026-12-06T06:51:51Z [info ] 72.71/BAPENDA/anggaran/f{index}_{n}.csv: landed as file {n} "
                    "(landed, 4695 bytes, sha256 10359a19f795) [satudata.load.land] loc=land.py:156\n"
                    for n in range(FILES // 4 + (index < FILES % 4))
                ]
                lines.append(f"2026-12-06T06:49:23Z [info ] [DAG TEST] end task task_id=land map_index={index} [x]\n")
            continue
        lines.append(f"2026-12-06T06:49:22Z [info ] [DAG TEST] starting task_id={task} map_index=-1 [airflow]\n")
        lines += [f"2026-12-06T06:49:22Z [info ] Task instance state updated {n} [airflow.api]\n" for n in range(450)]
        if task == "load":
            lines += [
                f"2026-12-06T06:49:29Z [info ] 18.72/BAPENDA/anggaran/f{n}.csv: read 30 rows, loaded 29, "
                "quarantined 1, set aside 0 [satudata.load.loader] loc=loader.py:392\n"
                for n in range(FILES)
            ]
        if task == "transform":
            lines += [
                f"2026-12-06T06:50:38Z [info ] dbt | 06:49:55  {n} of {NODES} OK created sql view model x [RUN]\n"
                for n in range(1, NODES + 1)
            ]
        lines.append(f"2026-12-06T06:49:23Z [info ] [DAG TEST] end task task_id={task} map_index=-1 [airflow]\n")
    return lines


def test_away_from_a_terminal_one_line_per_stage_and_every_line_in_the_log(capsys):
    stream = airflow_stream()
    log = io.StringIO()
    progress = Progress(files_total=FILES)
    follow(iter(stream), log, progress, verbose=False, tty=False)
    shown = capsys.readouterr().out.splitlines()
    assert len(stream) > 5000  # about what a kota run prints
    assert len(shown) == len(TASKS)
    assert log.getvalue() == "".join(stream)
    assert [line.split()[0] for line in shown][:3] == ["mulai", "cari", "sumber"]  # in the order they ran
    assert f"berkas/files {FILES} of {FILES}" in next(line for line in shown if "terima berkas / land" in line)
    load = next(line for line in shown if "muat / load" in line)
    assert f"{FILES} of {FILES}" in load and f"{FILES * 30:,} rows" in load and "rows/s" in load
    assert f"dbt {NODES} of {NODES} nodes" in next(line for line in shown if "transform" in line)
    assert (progress.files, progress.rows, progress.nodes) == (FILES, FILES * 30, NODES)


def test_verbose_streams_everything(capsys):
    stream = airflow_stream()
    log = io.StringIO()
    follow(iter(stream), log, Progress(files_total=FILES), verbose=True, tty=False)
    assert capsys.readouterr().out == "".join(stream) == log.getvalue()


def test_on_a_terminal_the_bar_is_transient(capsys):
    stream = airflow_stream()
    log = io.StringIO()
    follow(iter(stream), log, Progress(files_total=FILES), verbose=False, tty=True)
    shown = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert len(shown) <= len(TASKS) + 2  # the stage lines; the bar itself is cleared
    assert log.getvalue() == "".join(stream)


def test_an_eta_while_loading():
    progress = Progress(files_total=10)
    progress.stage_done(progress.feed("[DAG TEST] starting task_id=load map_index=-1\n"))
    assert progress.stage == "load" and progress.eta() is None
    for _ in range(4):
        progress.feed("x.csv: read 5 rows, loaded 5, quarantined 0\n")
    assert progress.counts() == (4, 10) and progress.eta() is not None and progress.eta() >= 0


def test_verbose_from_the_environment():
    assert verbose_from_env({"SATUDATA_VERBOSE": "1"}) and not verbose_from_env({"SATUDATA_VERBOSE": ""})
