"""Where the warehouse and the raw data live, and how Python opens DuckDB.

Paths come from the environment (`LW_RAW_DIR`, `LW_WAREHOUSE`), with defaults under the
git-ignored `data/` folder of the repository, so the Makefile, dbt and Python agree. This
module imports nothing else of `models_py`: every other module may import it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
PROFILES_DIR = REPO_ROOT / "profiles"
DATA_DIR = REPO_ROOT / "data"


@dataclass(frozen=True)
class Paths:
    """The raw data directory and the DuckDB warehouse file of one run."""

    raw_dir: Path
    warehouse: Path

    @classmethod
    def from_env(cls, raw_dir: str | os.PathLike | None = None) -> Paths:
        """From `LW_RAW_DIR` and `LW_WAREHOUSE` (``raw_dir`` wins), else under data/."""
        raw = raw_dir or os.environ.get("LW_RAW_DIR") or DATA_DIR / "raw"
        wh = os.environ.get("LW_WAREHOUSE") or DATA_DIR / "warehouse.duckdb"
        return cls(Path(raw).resolve(), Path(wh).resolve())

    def env(self) -> dict[str, str]:
        """Environment for a dbt subprocess or in-process run."""
        return {
            "LW_RAW_DIR": str(self.raw_dir),
            "LW_WAREHOUSE": str(self.warehouse),
            "DBT_PROFILES_DIR": str(PROFILES_DIR),
            "DBT_PROJECT_DIR": str(DBT_PROJECT_DIR),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }


# DuckDB's memory budget, for dbt (profiles/profiles.yml reads the same variable with the
# same default) and for every connection Python opens (`open_duckdb`). Unset, DuckDB takes
# 80 % of RAM: publishing the scale-50 bench warehouse then peaked at 13 GB.
MEMORY_LIMIT_ENV = "LW_DUCKDB_MEMORY_LIMIT"
DEFAULT_MEMORY_LIMIT = "8GB"
_MEMORY_SIZE = re.compile(r"^\d+(\.\d+)?\s*([KMGT]i?B|B)$", re.IGNORECASE)


class SettingError(ValueError):
    """An environment setting has a value we cannot use; the message is one line."""


def _memory_size(value: str, name: str) -> str:
    """``value`` when it is a number and a unit, like 512MB; else a SettingError naming it."""
    value = value.strip()
    if not _MEMORY_SIZE.match(value):
        raise SettingError(
            f"{name}={value!r} is not a memory size: write a number and a unit, e.g. 8GB or 512MB"
        )
    return value


def memory_limit() -> str:
    """`LW_DUCKDB_MEMORY_LIMIT` (default 8GB), checked."""
    return _memory_size(os.environ.get(MEMORY_LIMIT_ENV) or DEFAULT_MEMORY_LIMIT, MEMORY_LIMIT_ENV)


def open_duckdb(
    path: str | os.PathLike, read_only: bool = False, limit: str | None = None
) -> duckdb.DuckDBPyConnection:
    """A connection to a DuckDB file within ``limit`` (default `memory_limit()`; it spills
    to disk beyond it), without the progress bar; the caller closes it (DuckDB locks the
    file meanwhile)."""
    limit = memory_limit() if limit is None else _memory_size(limit, "memory_limit")
    con = duckdb.connect(str(path), read_only=read_only)
    con.execute(f"set memory_limit = '{limit}'")
    con.execute("set enable_progress_bar = false")
    return con
