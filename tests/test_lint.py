"""The code style checks CI enforces: ruff on Python, sqlfluff (dbt templater) on models."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support import REPO

BIN = Path(sys.executable).parent


def _run(*cmd: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, env=env, check=False)


def test_ruff_check_and_format():
    check = _run(str(BIN / "ruff"), "check", "models_py", "tests", "benchmarks")
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = _run(str(BIN / "ruff"), "format", "--check", "models_py", "tests", "benchmarks")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_sqlfluff_lint_with_dbt_templater(tmp_path):
    env = {
        **os.environ,
        "LW_RAW_DIR": str(tmp_path / "raw"),
        "LW_WAREHOUSE": str(tmp_path / "lint.duckdb"),
        "DBT_PROFILES_DIR": str(REPO / "profiles"),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    lint = _run(
        str(BIN / "sqlfluff"),
        "lint",
        "dbt_project/models",
        "dbt_project/tests",
        "dbt_project/analyses",
        env=env,
    )
    assert lint.returncode == 0, lint.stdout[-5000:] + lint.stderr[-2000:]
