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


def build(raw_dir: Path, warehouse: Path, *dbt_args: str) -> BuildResult:
    """`python -m models_py build` as a user runs it, in a fresh process."""
    env = {**os.environ, "LW_WAREHOUSE": str(warehouse), "LW_RAW_DIR": str(raw_dir)}
    # each build writes its own dbt artefacts, so parallel or repeated builds don't collide
    env["DBT_TARGET_PATH"] = str(warehouse.parent / "target")
    env["DBT_LOG_PATH"] = str(warehouse.parent / "logs")
    proc = subprocess.run(
        [sys.executable, "-m", "models_py", "build", "--raw-dir", str(raw_dir), *dbt_args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return BuildResult(proc.returncode, proc.stdout, proc.stderr, warehouse)


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
