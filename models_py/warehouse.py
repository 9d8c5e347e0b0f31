"""Where the warehouse and the raw data live, and how Python talks to dbt.

Paths come from the environment (`LW_RAW_DIR`, `LW_WAREHOUSE`), with defaults under the
git-ignored `data/` folder of the repository, so the Makefile, dbt and Python agree.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

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


class DbtError(RuntimeError):
    """A dbt command failed; the message is one line per failing node."""


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def one_line(message: str) -> str:
    """The first meaningful line of a (possibly multi-line) database or dbt error."""
    text = _ANSI.sub("", message or "").strip()
    skip = ("Runtime Error", "Compilation Error", "Database Error", "Error in", "on-run-start")
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(skip) and not line.startswith("in macro"):
            return line
    return text.splitlines()[0] if text else "unknown error"


def run_dbt(args: list[str], paths: Paths, quiet: bool = False) -> list:
    """Run a dbt command in this process; raise DbtError with one line per failure.

    Returns dbt's node results (for timings). The warehouse folder is created first.
    """
    from dbt.cli.main import dbtRunner

    paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    os.environ.update(paths.env())
    cli_args = [*args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(PROFILES_DIR)]
    if quiet:
        cli_args = ["--quiet", *cli_args]
    result = dbtRunner().invoke(cli_args)
    failures: list[str] = []
    results = list(getattr(result.result, "results", None) or [])
    for r in results:
        status = str(getattr(r, "status", "")).lower()
        if status in {"error", "fail", "runtime error"}:
            name = getattr(getattr(r, "node", None), "name", "?")
            failures.append(f"{name}: {one_line(str(r.message))}")
    if result.exception is not None:
        failures.insert(0, one_line(str(result.exception)))
    if not result.success and not failures:
        failures.append(f"dbt {' '.join(args)} failed (see the log above)")
    if failures:
        raise DbtError("\n".join(failures))
    return results
