"""Environment settings the whole job reads: DuckDB's memory budget (LW_DUCKDB_MEMORY_LIMIT)
holds for the connections Python opens as it does for dbt, and a bad value stops the command
at once with one line."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest

from models_py import ml_store
from models_py.warehouse import MEMORY_LIMIT_ENV, Paths, SettingError, memory_limit, open_duckdb
from support import REPO, cli_env


def _limit(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("select current_setting('memory_limit')").fetchone()[0]


def _as_duckdb_shows(size: str) -> str:
    """How DuckDB itself shows a memory_limit given at connect time."""
    with duckdb.connect(config={"memory_limit": size}) as con:
        return _limit(con)


@pytest.mark.parametrize("size", ["1GB", "1536MiB"])
def test_python_connections_take_the_memory_limit_from_the_environment(tmp_path, monkeypatch, size):
    monkeypatch.setenv(MEMORY_LIMIT_ENV, size)
    paths = Paths(raw_dir=tmp_path, warehouse=tmp_path / "w.duckdb")
    with ml_store.connect(paths) as con:
        assert _limit(con) == _as_duckdb_shows(size)
    with open_duckdb(paths.warehouse, read_only=True) as con:
        assert _limit(con) == _as_duckdb_shows(size)


def test_the_default_memory_limit_is_the_builds(tmp_path, monkeypatch):
    monkeypatch.delenv(MEMORY_LIMIT_ENV, raising=False)
    profile = (REPO / "profiles" / "profiles.yml").read_text()
    assert f"env_var('{MEMORY_LIMIT_ENV}', '{memory_limit()}')" in profile
    with open_duckdb(tmp_path / "w.duckdb") as con:
        assert _limit(con) == _as_duckdb_shows("8GB")


@pytest.mark.parametrize("value", ["lots", "8", "8 parsecs", "-1GB"])
def test_a_bad_memory_limit_is_refused(monkeypatch, value):
    monkeypatch.setenv(MEMORY_LIMIT_ENV, value)
    with pytest.raises(SettingError, match=MEMORY_LIMIT_ENV):
        memory_limit()


def test_a_bad_memory_limit_stops_the_command_with_one_line(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    env = {**cli_env(raw, tmp_path / "w.duckdb"), MEMORY_LIMIT_ENV: "lots"}
    proc = subprocess.run(
        [sys.executable, "-m", "models_py", "build", "--raw-dir", str(raw)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"error: {MEMORY_LIMIT_ENV}='lots' is not a memory size")
    assert not (tmp_path / "w.duckdb").exists()
