"""Two commands on one warehouse at once (README, "Working on it"): the second waits for
the first, saying for which process, or stops with one line naming it; never DuckDB's lock
error in dbt tracebacks. A process outside the CLI holding the file is named the same way.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from models_py.generate import generate
from models_py.lock import lock_path
from support import REPO, BuildResult, cli_command, cli_env, run_cli

pytestmark = pytest.mark.dbt

# enough of the project for dbt to hold the warehouse for some seconds
SELECT = ("--select", "+base_lastfm__scrobbles")


def _start(command: str, raw: Path, wh: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        cli_command(command, raw, *args),
        cwd=REPO,
        env=cli_env(raw, wh),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen, wh: Path) -> BuildResult:
    stdout, stderr = proc.communicate(timeout=600)
    return BuildResult(proc.returncode, stdout, stderr, wh)


def _wait_for_holder(wh: Path, pid: int, timeout: float = 60) -> None:
    """Until process ``pid`` has written itself into the warehouse's lock file."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if json.loads(lock_path(wh).read_text(encoding="utf-8"))["pid"] == pid:
                return
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.1)
    raise AssertionError(f"process {pid} never took the warehouse lock")


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("concurrent")
    generate(root / "raw", scale=0.05, seed=7, progress=False, only="lastfm")
    return root / "raw"


@pytest.fixture(scope="module")
def two_builds(raw: Path, tmp_path_factory: pytest.TempPathFactory):
    """A build; while it holds the warehouse, a build that may not wait and one that may."""
    wh = tmp_path_factory.mktemp("wh") / "warehouse.duckdb"
    first = _start("build", raw, wh, *SELECT)
    _wait_for_holder(wh, first.pid)
    impatient = run_cli("build", raw, wh, *SELECT, env={"LW_LOCK_TIMEOUT": "0"})
    second = _start("build", raw, wh, *SELECT)
    return first.pid, _finish(first, wh), impatient, _finish(second, wh)


def test_two_builds_at_once_the_second_waits_for_the_first(two_builds):
    pid, first, _, second = two_builds
    for result in (first, second):
        assert "Traceback" not in result.stdout + result.stderr
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    waiting = [line for line in second.stdout.splitlines() if line.startswith("waiting for")]
    assert len(waiting) == 1, second.stdout[:3000]
    assert f"process {pid} (models_py build" in waiting[0]
    assert str(first.warehouse) in waiting[0]
    assert "waiting for" not in first.stdout


def test_a_build_that_may_not_wait_stops_with_one_line_naming_the_holder(two_builds):
    pid, _, impatient, _ = two_builds
    assert impatient.returncode != 0
    assert "Traceback" not in impatient.stdout + impatient.stderr
    errors = impatient.error_lines()
    assert len(errors) == 1, impatient.stderr
    assert errors[0].startswith(
        f"error: warehouse {impatient.warehouse} is in use by process {pid} (models_py build, "
    )
    assert "LW_LOCK_TIMEOUT=0" in errors[0]
    assert "dbt build on" not in impatient.stdout  # stopped before dbt started


def test_a_process_outside_the_cli_holding_the_warehouse_is_named(raw, tmp_path):
    """A DuckDB session (here a Python one) holds the file: one line naming its pid."""
    wh = tmp_path / "wh" / "warehouse.duckdb"
    wh.parent.mkdir()
    duckdb.connect(str(wh)).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('open', flush=True); time.sleep(120)", str(wh)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        result = run_cli("build", raw, wh, *SELECT)
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode != 0
    assert "Traceback" not in result.stdout + result.stderr
    errors = result.error_lines()
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"error: warehouse {wh} is open in process {holder.pid} (")
    assert "dbt build on" not in result.stdout


def test_a_bad_lock_timeout_stops_with_one_line(raw, tmp_path):
    result = run_cli("build", raw, tmp_path / "warehouse.duckdb", env={"LW_LOCK_TIMEOUT": "soon"})
    assert result.returncode == 2
    assert result.error_lines() == [
        "error: LW_LOCK_TIMEOUT='soon' is not a number of seconds: write e.g. 600, or 0 to "
        "stop at once when another command holds the warehouse"
    ]


def test_a_killed_build_leaves_no_lock_behind(raw, tmp_path):
    """The kernel drops the lock with its process: the next build does not wait."""
    wh = tmp_path / "wh" / "warehouse.duckdb"
    killed = subprocess.Popen(
        cli_command("build", raw, *SELECT),
        cwd=REPO,
        env=cli_env(raw, wh),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    _wait_for_holder(wh, killed.pid)
    os.killpg(killed.pid, signal.SIGKILL)  # dbt, its child, too
    killed.wait(timeout=60)

    result = run_cli("build", raw, wh, *SELECT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert "waiting for" not in result.stdout
