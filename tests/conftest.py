"""Shared fixtures: real dbt builds on real files, each in its own warehouse."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_REALDATA = (REPO.parent / "shared" / "realdata").resolve()


@dataclass
class BuildResult:
    returncode: int
    stdout: str
    stderr: str
    warehouse: Path

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def scalar(self, sql: str, params: list | None = None):
        return self.query(sql, params)[0][0]

    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.startswith("error:")]


def cli_env(raw_dir: Path, warehouse: Path) -> dict[str, str]:
    """The environment of a `python -m models_py` run on its own warehouse and dbt artefacts
    (so parallel or repeated runs don't collide)."""
    return {
        **os.environ,
        "LW_WAREHOUSE": str(warehouse),
        "LW_RAW_DIR": str(raw_dir),
        "DBT_TARGET_PATH": str(warehouse.parent / "target"),
        "DBT_LOG_PATH": str(warehouse.parent / "logs"),
    }


def cli_command(command: str, raw_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "models_py", command, "--raw-dir", str(raw_dir), *args]


def run_cli(
    command: str, raw_dir: Path, warehouse: Path, *args: str, env: dict[str, str] | None = None
) -> BuildResult:
    """`python -m models_py <command>` as a user runs it, in a fresh process (``env``: more
    environment variables)."""
    proc = subprocess.run(
        cli_command(command, raw_dir, *args),
        cwd=REPO,
        env={**cli_env(raw_dir, warehouse), **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    return BuildResult(proc.returncode, proc.stdout, proc.stderr, warehouse)


def build(raw_dir: Path, warehouse: Path, *dbt_args: str) -> BuildResult:
    """`python -m models_py build [dbt options]`."""
    return run_cli("build", raw_dir, warehouse, *dbt_args)


@pytest.fixture(scope="session")
def realdata_dir() -> Path:
    if not SHARED_REALDATA.is_dir():
        pytest.skip(f"real data samples not found at {SHARED_REALDATA} (../shared is absent)")
    return SHARED_REALDATA


@pytest.fixture(scope="session")
def realdata_build(realdata_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """One dbt build (models and every data test) on ../shared/realdata."""
    result = build(realdata_dir, tmp_path_factory.mktemp("real") / "warehouse.duckdb")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    return result
