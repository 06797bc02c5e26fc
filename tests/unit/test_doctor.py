"""`satudata doctor` (satudata/doctor.py): each planted problem gives its line with the fix, and a
blocking one a non-zero exit. Run through the real command, as `make run` runs it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from satudata.config import REPO_ROOT
from satudata.doctor import CHROMIUM_FIX, check_python, find_chromium

READ_ONLY = Path("/sys/kernel")  # a folder no one may create files in, root included (sysfs)


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    """A healthy environment: writable home and out, a free Airflow port, a Chromium on PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    chromium = bin_dir / "chromium"
    chromium.write_text("#!/bin/sh\nexit 0\n")
    chromium.chmod(0o755)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    keep = {k: v for k, v in os.environ.items() if not k.startswith("SATUDATA_")}
    # PATH: only our bin (the doctor runs no other program; the machine's own Chromium, if any, stays out)
    return {
        **keep,
        "PATH": f"{bin_dir}:{os.path.dirname(sys.executable)}",
        "SATUDATA_HOME": str(tmp_path / "home"),
        "SATUDATA_OUT": str(tmp_path / "out"),
        "SATUDATA_AIRFLOW_PORT": str(port),
    }


def doctor(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "satudata.cli", "doctor", *args],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def problem_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stdout.splitlines() if line.startswith(("GAGAL/FAIL", "PERINGATAN/WARNING"))]


def test_a_healthy_machine_has_no_problem_line(env):
    result = doctor(env, "--tests")
    assert problem_lines(result) == []
    assert result.returncode == 0, result.stdout + result.stderr
    assert "doctor: siap / ready" in result.stdout
    assert (Path(env["SATUDATA_OUT"])).is_dir() and not list(Path(env["SATUDATA_OUT"]).iterdir())  # no litter


def test_read_only_out_blocks_the_run_and_says_how_to_fix(env):
    # Given SATUDATA_OUT a folder nothing can be written in
    env["SATUDATA_OUT"] = str(READ_ONLY)
    result = doctor(env)
    # Then a blocking line names it, with the fix, and the exit is non-zero (sysfs also has no free disk)
    assert result.returncode == 1
    [line] = [line for line in problem_lines(result) if "[write]" in line]
    assert line.startswith("GAGAL/FAIL [write] SATUDATA_OUT=/sys/kernel tidak dapat ditulis / is not writable")
    assert "Perbaikan/Fix: `chmod u+w /sys/kernel`" in line and "or set SATUDATA_OUT to a folder you can write" in line


def test_a_taken_airflow_port_is_named_with_a_free_one(env):
    # Given something listening on the Airflow UI port
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        env["SATUDATA_AIRFLOW_PORT"] = str(port)
        result = doctor(env)
    # Then a warning names the port and a free one; a run does not need it, so it is not blocking
    [line] = problem_lines(result)
    assert line.startswith(f"PERINGATAN/WARNING [port] port {port} di 127.0.0.1 sudah dipakai")
    assert "Perbaikan/Fix:" in line and "SATUDATA_AIRFLOW_PORT=" in line
    suggested = int(line.rsplit("SATUDATA_AIRFLOW_PORT=", 1)[1].split()[0])
    assert suggested != port
    assert result.returncode == 0


def test_a_warehouse_url_on_a_port_taken_by_something_else_blocks(env):
    # Given SATUDATA_WAREHOUSE_URL pointing at a port where no PostgreSQL answers
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        env["SATUDATA_WAREHOUSE_URL"] = f"postgresql://etl:rahasia@127.0.0.1:{port}/satudata"
        held.settimeout(1)
        result = doctor(env)
    assert result.returncode == 1
    [line] = problem_lines(result)
    assert line.startswith(f"GAGAL/FAIL [warehouse] SATUDATA_WAREHOUSE_URL=postgresql://etl:***@127.0.0.1:{port}/")
    assert "rahasia" not in result.stdout + result.stderr
    assert "unset SATUDATA_WAREHOUSE_URL to use the embedded PostgreSQL" in line


@pytest.mark.parametrize("how", ["PATH", "SATUDATA_CHROMIUM"])
def test_no_chromium_warns_a_run_and_fails_the_tests_with_the_install_command(env, tmp_path, how):
    # Given no Chromium: none on PATH, or the configured one missing
    env["PATH"] = os.path.dirname(sys.executable)  # the machine's /usr/bin may have one: not on this PATH
    if how == "SATUDATA_CHROMIUM":
        env["SATUDATA_CHROMIUM"] = str(tmp_path / "bin" / "chromium-gone")
    assert find_chromium(env) is None
    # When the doctor runs for a run, and for the tests
    run, tests = doctor(env), doctor(env, "--tests")
    # Then the same line, with the install command: a warning for a run, blocking for the tests
    [warning], [failure] = problem_lines(run), problem_lines(tests)
    assert warning.startswith("PERINGATAN/WARNING [chromium]") and failure.startswith("GAGAL/FAIL [chromium]")
    assert warning.endswith(CHROMIUM_FIX) and failure.endswith(CHROMIUM_FIX)
    assert "sudo apt-get install chromium" in CHROMIUM_FIX
    if how == "SATUDATA_CHROMIUM":
        assert f"SATUDATA_CHROMIUM={env['SATUDATA_CHROMIUM']} bukan program / is not an executable" in failure
    assert (run.returncode, tests.returncode) == (0, 1)


def test_python_versions_outside_3_11_to_3_13_are_refused():
    assert [check_python(v) for v in [(3, 11, 7), (3, 12, 3), (3, 13, 0)]] == [[], [], []]
    [old], [new] = check_python((3, 10, 12)), check_python((3, 14, 0))
    assert "Python 3.10.12 tidak didukung / is not supported (3.11, 3.12, 3.13)" in old.line()
    assert "python3.12-venv" in new.fix and new.blocking
