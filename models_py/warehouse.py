"""How Python talks to dbt: the environment of a dbt run, running it, and one line per failure.

The paths and DuckDB settings live in ``models_py.settings`` (re-exported here, where the
other modules have always imported them from).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from models_py.dbt_failures import FailureContext, describe_failures
from models_py.lock import duckdb_lock_problem
from models_py.settings import (
    DATA_DIR,
    DBT_PROJECT_DIR,
    DEFAULT_MEMORY_LIMIT,
    MEMORY_LIMIT_ENV,
    PROFILES_DIR,
    REPO_ROOT,
    Paths,
    SettingError,
    memory_limit,
    open_duckdb,
)

__all__ = [
    "DATA_DIR",
    "DBT_PROJECT_DIR",
    "DEFAULT_MEMORY_LIMIT",
    "MEMORY_LIMIT_ENV",
    "PROFILES_DIR",
    "REPO_ROOT",
    "DbtError",
    "Paths",
    "SettingError",
    "csv_file_problem",
    "dbt_env",
    "error_from_log",
    "memory_limit",
    "one_line",
    "open_duckdb",
    "run_dbt",
]


class DbtError(RuntimeError):
    """A dbt command failed; the message is one line per failing node."""


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_LOG_PREFIX = re.compile(r"^\d\d:\d\d:\d\d\s+")
_HEADERS = ("Runtime Error", "Compilation Error", "Database Error", "Encountered an error")


def _clean(line: str) -> str:
    return _LOG_PREFIX.sub("", _ANSI.sub("", line)).strip()


_CSV_ERROR = re.compile(r"CSV Error on Line: (\d+)")
_CSV_FILE = re.compile(r"^\s*file = (.+?)\s*$", re.MULTILINE)


def csv_file_problem(message: str) -> str | None:
    """DuckDB's multi-line CSV reader error as one line naming the file, or None.

    DuckDB names the file only deep in its message (`file = …`, after the options); the
    line number it gives counts from the file's start, header included.
    """
    where, path = _CSV_ERROR.search(message or ""), _CSV_FILE.search(message or "")
    if not (where and path):
        return None
    lines = [_clean(line) for line in message.splitlines()]
    if any("not utf-8 encoded" in line.lower() for line in lines):
        problem = "not UTF-8 text (save it as UTF-8, e.g. `iconv -f latin1 -t utf-8`)"
    else:
        start = next(i for i, line in enumerate(lines) if "CSV Error on Line" in line)
        after = [ln for ln in lines[start + 1 :] if ln and not ln.startswith("Original Line")]
        problem = after[0] if after else "unreadable"
    return f"raw file {path.group(1)}: line {where.group(1)}: {problem}"


def one_line(message: str) -> str:
    """The first meaningful line of a (possibly multi-line) database or dbt error."""
    csv_problem = csv_file_problem(message)
    if csv_problem:
        return csv_problem
    skip = (*_HEADERS, "Error in", "on-run-start", "in macro", "> called by", "compiled code")
    lines = [_clean(line) for line in (message or "").splitlines()]
    for line in lines:
        if line and not line.startswith(skip):
            return line
    return next((line for line in lines if line), "unknown error")


def error_from_log(lines: list[str]) -> str:
    """The error a dbt run printed when it stopped before any node (e.g. in a hook)."""
    cleaned = [_clean(line) for line in lines]
    for i, line in enumerate(cleaned):
        if line.startswith(_HEADERS):
            return one_line("\n".join(cleaned[i + 1 :]))
    return "dbt failed (see the log above)"


# Settings that name a place, made absolute before dbt runs in the warehouse's folder.
_PLACE_ENV = ("DBT_TARGET_PATH", "DBT_LOG_PATH", "DBT_PARTIAL_PARSE_FILE_PATH", "LW_SPARK_DIR")


def dbt_env(paths: Paths) -> dict[str, str]:
    """The environment of a dbt process that runs in the warehouse's folder.

    The profile gets the warehouse by its file name (`LW_WAREHOUSE=warehouse.duckdb`), not
    its full path. dbt re-parses the whole project (about 12 s here) when the profile's
    connection details change. With the file name alone, a partial parse stays valid
    across warehouses, and `LW_RAW_DIR` is only read at run time (`raw_dir()`), so runs
    on other raw folders or warehouses keep it too.
    """
    env = {**os.environ, **paths.env()}
    env["LW_WAREHOUSE"] = paths.warehouse.name
    env.setdefault("DBT_TARGET_PATH", str(DBT_PROJECT_DIR / "target"))
    env.setdefault("DBT_LOG_PATH", str(DBT_PROJECT_DIR / "logs"))
    for name in _PLACE_ENV:
        if env.get(name):
            env[name] = str(Path(env[name]).resolve())
    return env


# The error-severity not_null / in_range column tests, which each model's `column_checks`
# test runs in one query (dbt_project/macros/tests/column_checks.sql). selectors.yml leaves
# them out of a build without --select; a --select build gets the same exclusion here.
BATCHED_COLUMN_TESTS = (
    "test_name:not_null,config.severity:error",
    "test_name:in_range,config.severity:error",
)
_SELECT_FLAGS = {"--select", "-s", "--models", "-m"}


def without_batched_column_tests(args: list[str]) -> list[str]:
    """``args`` of a `dbt build`/`test` with ``--exclude`` for the batched column tests
    when they select nodes (dbt then ignores the default selector); unchanged when they
    name a selector or select tests by name (`test_name:in_range` runs them one by one)."""
    if not args or args[0] not in {"build", "test"}:
        return args
    selects = _SELECT_FLAGS & set(args)
    if not selects or "--selector" in args or any("test_name:" in a for a in args):
        return args
    return [*args, "--exclude", *BATCHED_COLUMN_TESTS]


def run_dbt(args: list[str], paths: Paths) -> list[dict]:
    """Run a dbt command in a child process, showing its progress as it goes.

    dbt runs in its own process so this one never holds the warehouse file open.
    Returns the node results of `run_results.json`; raises DbtError with one line per
    failing node (a test by its name and model, see models_py.dbt_failures), or the one
    error that stopped the run, when dbt fails.
    """
    paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    env = dbt_env(paths)
    target = Path(env["DBT_TARGET_PATH"])
    run_results = target / "run_results.json"
    run_results.unlink(missing_ok=True)
    dbt = Path(sys.executable).parent / "dbt"
    cmd = [str(dbt), *without_batched_column_tests(args), "--project-dir", str(DBT_PROJECT_DIR)]
    cmd += ["--profiles-dir", str(PROFILES_DIR)]
    proc = subprocess.Popen(  # noqa: S603 - argv: this virtualenv's dbt and our own arguments, no shell
        cmd,
        cwd=paths.warehouse.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    if proc.stdout is None:  # cannot happen with stdout=PIPE; says so if it ever does
        raise RuntimeError("dbt started without an output pipe")
    lines = []
    for line in proc.stdout:
        sys.stdout.write(line)
        lines.append(line)
    returncode = proc.wait()
    sys.stdout.flush()
    results = []
    if run_results.is_file():
        results = json.loads(run_results.read_text(encoding="utf-8")).get("results", [])
    if returncode == 0:
        return results
    locked = duckdb_lock_problem(paths.warehouse, "".join(lines))
    if locked:  # opened by a process outside this CLI after models_py.lock looked
        raise DbtError(locked)
    context = FailureContext(paths.warehouse, paths.raw_dir)
    failures = describe_failures(results, target, context, one_line)
    raise DbtError("\n".join(failures) or error_from_log(lines))
