"""Helpers the tests share: running the CLI as a user does, and demo data and warehouses made
once per test session, also across pytest-xdist workers.

Tests import from here (``from support import build``); ``conftest.py`` holds the fixtures.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = (REPO.parent / "shared").resolve()
SHARED_REALDATA = SHARED / "realdata"
SHARED_WILD = SHARED / "wild"

# The suite's main demo dataset: the build, generator, model, write-back, report and publish
# tests share it (one build and one `run` of it; fixtures in conftest).
DEMO_SCALE, DEMO_SEED = 0.2, 7
# A larger demo for the model tests that measure against baselines (continuation, skip
# model, next track): one dataset and one whole build, shared.
LARGE_SCALE, LARGE_SEED = 0.5, 42


# Every staging model, the rejects mart and the seeds, with the data tests on them: what a
# test of loading and rejecting reads. (The marts are functions of staging; the demo, real
# data and wild builds run all of them and every data test.)
STAGING_AND_REJECTS = (
    "--select",
    "staging",
    "+fct_rejected_rows",
    "resource_type:seed",
    "--indirect-selection",
    "cautious",
)


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

    def check(self, what: str = "run") -> BuildResult:
        """Fail the test with the end of the output unless the command exited 0."""
        assert self.returncode == 0, f"{what} failed:\n{self.stdout[-4000:]}\n{self.stderr[-3000:]}"
        return self


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


# --- made once per session, shared by the xdist workers ---------------------------------


def session_root(factory: pytest.TempPathFactory) -> Path:
    """A folder every worker of this test session sees: the xdist workers' base temp folders
    are siblings (`pytest-N/popen-gwK`), so their parent is shared; without xdist it is the
    session's own base temp folder."""
    base = factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    shared = root / "shared-session"
    shared.mkdir(exist_ok=True)
    return shared


@contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def once(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], object]) -> Path:
    """The folder ``<session>/<name>``, filled by ``make(folder)`` by the first worker that
    asks; the others wait for it and reuse it. If ``make`` fails, its error is kept and every
    later request fails with it instead of making the thing again."""
    root = session_root(factory)
    folder = root / name
    done, failed = root / f"{name}.done", root / f"{name}.failed"
    with _locked(root / f"{name}.lock"):
        if failed.exists():
            pytest.fail(f"{name} could not be made earlier in this session:\n{failed.read_text()}")
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            try:
                make(folder)
            except BaseException as exc:  # noqa: BLE001 - kept for the other workers
                failed.write_text(f"{type(exc).__name__}: {exc}"[-6000:])
                raise
            done.touch()
    return folder


GENERATION_LOG = "generated-datasets.jsonl"


def generation_log(shared_root: Path) -> Path:
    """The file `models_py.generate` appends a line to for every dataset it writes, in this
    process and in every CLI process a test starts (``LW_GENERATION_LOG``, set by conftest)."""
    return shared_root / GENERATION_LOG


def generated_twice(shared_root: Path, allowed: set[str] = frozenset()) -> list[str]:
    """The datasets generated more than once this session, from the generation log
    (``allowed``: keys a test regenerates on purpose)."""
    path = generation_log(shared_root)
    if not path.exists():
        return []
    keys: Counter[str] = Counter()
    where: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        entry = json.loads(line)
        out_dir = entry.pop("out_dir", "?")
        key = dataset_key(**entry)
        keys[key] += 1
        where.setdefault(key, []).append(out_dir)
    return [
        f"{key} x{n}: {', '.join(where[key])}"
        for key, n in keys.items()
        if n > 1 and key not in allowed
    ]


def dataset_key(scale: float, seed: int, sources, dirty: bool) -> str:
    return f"scale={scale} seed={seed} sources={','.join(sources)} dirty={dirty}"


def demo_raw(factory: pytest.TempPathFactory, scale: float, seed: int) -> Path:
    """The demo raw folder for these parameters, generated once per session (read-only for
    tests: copy it with `copy_tree` before changing it). The generator's summary is kept
    beside it (`demo_summary`)."""
    from models_py.generate import generate

    def make(folder: Path) -> None:
        summary = generate(folder / "raw", scale=scale, seed=seed, progress=False)
        (folder / "summary.json").write_text(json.dumps(summary))

    return once(factory, f"raw-s{scale}-seed{seed}", make) / "raw"


def demo_summary(raw: Path) -> dict:
    """The generator's summary of a `demo_raw` folder."""
    return json.loads((raw.parent / "summary.json").read_text())


def copy_tree(src: Path, dest: Path) -> Path:
    """A private copy of a shared raw folder (symlinks kept as links)."""
    shutil.copytree(src, dest, symlinks=True)
    return dest


def copy_warehouse(result: BuildResult, dest_dir: Path) -> BuildResult:
    """A private, writable copy of a built warehouse (the file and what lives beside it:
    published snapshots, model artifacts; dbt's target and logs are left behind)."""
    src = result.warehouse.parent
    ignore = shutil.ignore_patterns("target", "logs", "*.lock", "result.json")
    shutil.copytree(src, dest_dir, ignore=ignore)
    return BuildResult(
        result.returncode, result.stdout, result.stderr, dest_dir / result.warehouse.name
    )


def shared_run(
    factory: pytest.TempPathFactory,
    name: str,
    command: str,
    raw_dir: Path,
    *args: str,
    start_from: BuildResult | None = None,
) -> BuildResult:
    """`python -m models_py <command>` on ``raw_dir`` into the warehouse
    ``<session>/<name>/warehouse.duckdb`` (a copy of ``start_from``'s, if given), run once per
    session and shared read-only: copy it with `copy_warehouse` before changing it. Its exit
    code and output are kept beside it."""

    def make(folder: Path) -> None:
        if start_from is not None:
            start_from.check("the run this one starts from")
            shutil.rmtree(folder)
            copy_warehouse(start_from, folder)
        result = run_cli(command, raw_dir, folder / "warehouse.duckdb", *args)
        kept = {"returncode": result.returncode, "stdout": result.stdout, "stderr": result.stderr}
        (folder / "result.json").write_text(json.dumps(kept))

    folder = once(factory, name, make)
    kept = json.loads((folder / "result.json").read_text())
    return BuildResult(
        kept["returncode"], kept["stdout"], kept["stderr"], folder / "warehouse.duckdb"
    )
