"""The same dbt project on Spark (`make test-spark`; own virtualenv, Java 17): the --dirty
demo data (every layout variant, and rows to reject) builds there with every dbt test
passing, and gives the same tables, time layouts and rejected rows as on DuckDB.

Not part of `make test` (marker `spark`, deselected in pyproject)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.engines import spark_env, spark_session
from models_py.warehouse import without_batched_column_tests
from support import REPO, BuildResult

pytestmark = pytest.mark.spark

SCALE, SEED = 0.2, 7
SCHEMAS = ("staging", "marts")
# the line each build logs for a file whose time layout it decided; DuckDB quotes the
# column with "", Spark with ``
TIME_LAYOUT = re.compile(r"raw file (\S+): time column [\"`]?(\w+)[\"`]? read as (.+)$")


def _dbt_spark(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    dbt = Path(sys.executable).parent / "dbt"
    return subprocess.run(
        [str(dbt), *args, "--project-dir", str(REPO / "dbt_project")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _results(target: Path) -> list[dict]:
    return json.loads((target / "run_results.json").read_text())["results"]


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory):
    """The bench's ``engines`` stage (`python -m benchmarks --stages engines
    --engines-dirty`): the ``--dirty`` demo data (every layout variant, and rows to reject)
    built on DuckDB and on Spark, timed and compared; then the incremental models re-run on
    Spark with no new files. Yields the DuckDB warehouse, a Spark session on the Spark
    warehouse, Spark's first dbt results and the bench run's JSON."""
    root = tmp_path_factory.mktemp("engines")
    results = root / "results"
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--stages", "engines", "--dir", str(root)]
        + ["--engines-scale", str(SCALE), "--seed", str(SEED), "--engines-dirty"]
        + ["--results-dir", str(results)],
        cwd=REPO,
        env={**os.environ, "SPARK_LOCAL_IP": "127.0.0.1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-3000:]
    (run_json,) = results.glob("*.json")
    bench = json.loads(run_json.read_text())
    stage = root / "engines"
    duck = BuildResult(0, "", "", stage / "duckdb" / "warehouse.duckdb")

    spark_dir = stage / "spark"
    target = spark_dir / "target"
    first_results = _results(target)
    env = spark_env(stage / "raw", spark_dir, target)
    # the incremental base models again, with no new raw files
    incremental = ["build", "--select", "config.materialized:incremental"]
    again = _dbt_spark(env, *without_batched_column_tests(incremental))
    assert again.returncode == 0, again.stdout[-6000:] + again.stderr[-3000:]
    spark = spark_session(spark_dir)
    yield duck, spark, first_results, bench
    spark.stop()


def _duckdb_tables(duck) -> list[str]:
    rows = duck.query(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_schema in ('staging', 'marts') order by 1"
    )
    return [r[0] for r in rows]


def test_every_dbt_test_passes_on_spark(engines):
    _, _, results, _ = engines
    bad = [
        f"{r['unique_id']}: {r['status']} {(r.get('message') or '')[:200]}"
        for r in results
        if r["status"] not in ("success", "pass", "no-op")  # no-op: exposures
    ]
    assert bad == []
    assert sum(r["unique_id"].startswith("test.") for r in results) > 100


def test_every_table_has_the_same_rows_on_both_engines(engines):
    duck, spark, _, _ = engines
    tables = _duckdb_tables(duck)
    assert len(tables) > 40
    differ = {}
    for name in tables:
        n_duck = duck.scalar(f"select count(*) from {name}")
        n_spark = spark.sql(f"select count(*) from {name}").collect()[0][0]
        if n_duck != n_spark:
            differ[name] = (n_duck, n_spark)
    assert differ == {}, "table: (duckdb rows, spark rows)"


def test_rejected_rows_are_the_same_on_both_engines(engines):
    duck, spark, _, _ = engines
    sql = (
        "select source_name, entity, reject_reason, count(*) from marts.fct_rejected_rows "
        "group by source_name, entity, reject_reason"
    )
    on_duck = {tuple(r[:3]): r[3] for r in duck.query(sql)}
    on_spark = {tuple(r[:3]): r[3] for r in spark.sql(sql).collect()}
    assert on_duck, "the --dirty demo has dirt to reject"
    assert on_spark == on_duck


def _time_layouts(step: dict) -> dict[str, tuple[str, str]]:
    """{raw file: (time column, layout and sample)} from a bench step's printed lines."""
    found = (TIME_LAYOUT.search(p["line"]) for p in step["progress"])
    return {m[1]: (m[2], m[3]) for m in found if m}


def test_time_layouts_are_decided_alike_on_both_engines(engines):
    """Each --dirty file's time column gets the same layout, from the same sample."""
    *_, bench = engines
    steps = {s["step"]: s for s in bench["steps"] if s["stage"] == "engines"}
    on_duck, on_spark = _time_layouts(steps["duckdb"]), _time_layouts(steps["spark"])
    layouts = " | ".join(layout for _, layout in on_duck.values())
    assert "unix milliseconds" in layouts and "day first" in layouts, on_duck
    assert on_spark == on_duck


def test_incremental_rerun_without_new_files_changes_nothing(engines):
    duck, spark, _, _ = engines
    for name in (
        "staging.base_lastfm__scrobbles",
        "staging.base_mssd__session_events",
        "staging.base_mpd__playlists",
        "staging.base_mpd__playlist_tracks",
    ):
        n_spark = spark.sql(f"select count(*) from {name}").collect()[0][0]
        assert n_spark == duck.scalar(f"select count(*) from {name}"), name
        n_keys = spark.sql(
            f"select count(distinct source_file) from {name} where reject_reason is null"
        ).collect()[0][0]
        assert n_keys > 0, name


def test_bench_engines_stage_times_both_engines_and_finds_them_equal(engines):
    """The figures `make bench` reports for DuckDB against Spark, from the same run."""
    *_, bench = engines
    steps = {s["step"]: s for s in bench["steps"] if s["stage"] == "engines"}
    assert list(steps) == ["generate", "duckdb", "spark", "compare"]
    assert all(s["status"] == "ok" for s in steps.values()), steps
    summary = bench["stages"]["engines"]
    assert summary["layout"] == "dirty"
    for engine in ("duckdb", "spark"):
        f = summary[engine]
        # the whole project: ~80 models, ~300 tests (column tests batched per model)
        assert f["n_errors"] == 0 and f["n_nodes"] > 350 and f["seconds"] > 0, f
    assert summary["duckdb"]["n_nodes"] == summary["spark"]["n_nodes"]
    ratio = summary["spark"]["seconds"] / summary["duckdb"]["seconds"]
    assert summary["spark_over_duckdb"] == pytest.approx(ratio, abs=0.01)
    assert summary["targets"]["duckdb_5x_faster_than_spark"] == (ratio >= 5)
    assert summary["compare"]["relations"] > 40 and summary["compare"]["differ"] == {}
