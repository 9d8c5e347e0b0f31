"""Publishing for BI tools: readers see one complete snapshot at a time, never block a build,
and keep reading through rebuilds, re-scoring and kills at any stage of the main job."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from models_py import publish as pub
from models_py.warehouse import Paths
from snapshot_reader import check_snapshot
from support import REPO, BuildResult, cli_command, cli_env, copy_warehouse, run_cli

# --- a hand-made warehouse: fast checks of the publish steps -------------------------------


def _warehouse(path: Path, n_rows: int, run_id: str = "run-1") -> Paths:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema if not exists marts")
        con.execute(
            "create or replace table marts.fct_things as select range as thing_id from range(?)",
            [n_rows],
        )
        con.execute("create or replace table marts.dim_model_runs as select ? as run_id", [run_id])
        # what a killed dbt run leaves behind is not a mart
        con.execute("create or replace table marts.fct_things__dbt_tmp as select 1 as x")
    return Paths(path.parent / "raw", path)


def _catalog_rows(root: Path) -> tuple[str, int]:
    with duckdb.connect(str(root / pub.CATALOG), read_only=True) as con:
        version = con.execute("select version from meta.snapshot").fetchone()[0]
        return version, con.execute("select count(*) from marts.fct_things").fetchone()[0]


def test_publish_switches_readers_to_a_complete_new_version(tmp_path):
    paths = _warehouse(tmp_path / "warehouse.duckdb", 5)
    first = pub.publish(paths, progress=False)
    root = pub.published_dir(paths)
    assert first.tables == {"dim_model_runs": 1, "fct_things": 5}
    assert first.ml_run_id == "run-1"
    assert _catalog_rows(root) == (first.version, 5)
    assert pub.current_version(root) == first.version
    manifest = json.loads((first.directory / pub.MANIFEST).read_text())
    assert manifest["tables"] == first.tables

    # a reader that opened the first snapshot keeps reading it while a second is published
    reader = duckdb.connect(str(root / pub.CATALOG), read_only=True)
    _warehouse(paths.warehouse, 7, "run-2")
    second = pub.publish(paths, progress=False)
    assert second.version > first.version
    assert reader.execute("select count(*) from marts.fct_things").fetchone()[0] == 5
    reader.close()
    assert _catalog_rows(root) == (second.version, 7)
    version, problems = check_snapshot(root / pub.CATALOG)
    assert (version, problems) == (second.version, [])


def test_a_publish_that_fails_midway_leaves_the_last_snapshot(tmp_path, monkeypatch):
    paths = _warehouse(tmp_path / "warehouse.duckdb", 5)
    first = pub.publish(paths, progress=False)
    root = pub.published_dir(paths)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # as if killed while writing the new catalog

    _warehouse(paths.warehouse, 9, "run-2")
    monkeypatch.setattr(pub, "_write_catalog", crash)
    with pytest.raises(KeyboardInterrupt):
        pub.publish(paths, progress=False)
    assert _catalog_rows(root) == (first.version, 5)
    assert pub.current_version(root) == first.version

    # leftovers of a kill during export: a partial folder and a half-written catalog
    (root / pub.VERSIONS / "20990101T000000000000Z.partial").mkdir()
    (root / ".catalog-20990101T000000000000Z.tmp").write_bytes(b"half")
    monkeypatch.undo()
    third = pub.publish(paths, progress=False)
    assert _catalog_rows(root) == (third.version, 9)
    assert not list(root.glob(".catalog-*")) and not list(root.glob("versions/*.partial"))


def test_old_versions_are_pruned_but_never_the_current(tmp_path):
    paths = _warehouse(tmp_path / "warehouse.duckdb", 1)
    versions = [pub.publish(paths, keep=2, progress=False).version for _ in range(4)]
    root = pub.published_dir(paths)
    kept = sorted(p.name for p in (root / pub.VERSIONS).iterdir())
    assert kept == versions[-2:]
    assert pub.current_version(root) == versions[-1]


def test_unexpected_table_names_are_refused_not_quoted_into_sql(tmp_path):
    paths = _warehouse(tmp_path / "warehouse.duckdb", 1)
    with duckdb.connect(str(paths.warehouse)) as con:
        con.execute("""create table marts."x""; drop table marts.fct_things; --" (a int)""")
    with pytest.raises(ValueError, match="unexpected name"):
        pub.publish(paths, progress=False)
    assert pub.current_version(pub.published_dir(paths)) is None
    result = run_cli("publish", paths.raw_dir, paths.warehouse)
    assert result.returncode == 1
    assert result.error_lines() and "unexpected name" in result.error_lines()[0]
    assert "Traceback" not in result.stderr


# --- the main job, with a BI reader running the whole time ---------------------------------


class Reader:
    """tests/snapshot_reader.py in its own process, like a BI tool."""

    def __init__(self, catalog: Path, workdir: Path) -> None:
        self.stop_file = workdir / "stop"
        self.result_file = workdir / "reader.json"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(REPO / "tests" / "snapshot_reader.py"),
                str(catalog),
                str(self.stop_file),
                str(self.result_file),
            ]
        )

    def stop(self) -> dict:
        self.stop_file.touch()
        assert self.proc.wait(timeout=60) == 0
        return json.loads(self.result_file.read_text())


def _kill_when(command: str, raw: Path, warehouse: Path, ready) -> str:
    """Start `python -m models_py <command>` and SIGKILL its whole process group (dbt child
    included) once ``ready(output so far)`` holds; return the output."""
    proc = subprocess.Popen(
        cli_command(command, raw),
        cwd=REPO,
        env=cli_env(raw, warehouse),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    assert proc.stdout is not None
    threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True).start()
    deadline = time.monotonic() + 600
    while not ready("".join(lines)):
        assert proc.poll() is None, "finished before the kill point:\n" + "".join(lines)[-3000:]
        assert time.monotonic() < deadline, "kill point never reached"
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    return "".join(lines)


@pytest.mark.dbt
@pytest.mark.slow  # a kill matrix: a run, four kills at the main job's stages, a run
def test_readers_see_complete_snapshots_through_rebuilds_and_kills(
    demo_run: BuildResult, demo_raw_dir: Path, tmp_path: Path
):
    raw = demo_raw_dir
    # a copy of the shared demo warehouse after `make run`: snapshot v1 is published
    first = copy_warehouse(demo_run, tmp_path / "wh")
    warehouse = first.warehouse
    root = pub.published_dir(Paths(raw, warehouse))
    catalog = root / pub.CATALOG
    assert "published snapshot" in first.stdout
    v1 = pub.current_version(root)
    reader = Reader(catalog, tmp_path)

    # a full rebuild and re-score while the reader reads: the build is never blocked
    second = run_cli("run", raw, warehouse)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    v2 = pub.current_version(root)
    assert v2 and v1 and v2 > v1

    # kills at every stage of the main job leave v2 readable and complete
    partial_with_files = lambda _out: any(root.glob("versions/*.partial/*.parquet"))  # noqa: E731
    stages = {
        "building": ("build", lambda out: "OK created" in out),
        "training": ("train", lambda out: "skip model" in out),
        "scoring": ("train", lambda out: out.count("dbt build on") >= 1),
        "publishing": ("train", partial_with_files),
    }
    for stage, (command, ready) in stages.items():
        _kill_when(command, raw, warehouse, ready)
        version, problems = check_snapshot(catalog)
        assert (version, problems) == (v2, []), stage

    # the next run recovers without manual cleanup
    last = run_cli("run", raw, warehouse)
    assert last.returncode == 0, last.stdout[-3000:] + last.stderr[-3000:]
    v3 = pub.current_version(root)
    assert v3 and v3 > v2
    assert not list(root.glob("versions/*.partial")) and not list(root.glob(".catalog-*"))

    seen = reader.stop()
    assert seen["errors"] == [] and seen["problems"] == []
    assert seen["reads"] >= 100
    assert [v for v in (v1, v2, v3) if v in seen["versions"]] == [v1, v2, v3]
    print(f"reader: {seen['reads']} reads, versions {seen['versions']}")
