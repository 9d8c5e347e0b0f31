"""Stage ``engines``: the same dbt project on DuckDB and on local Spark, same demo data.

Steps: ``generate`` the demo data (every raw format, ``--engines-scale``, default 1: what
``make run`` builds; with ``--engines-dirty`` the ``--dirty`` demo, whose layout variants
and dirt exercise both engines' readers and reject paths) into ``<dir>/engines/raw``;
``duckdb``: ``dbt build`` (every model and data test) into a fresh
``<dir>/engines/duckdb/warehouse.duckdb``; ``spark``: the same ``dbt build`` with the
``spark`` profile (``.venv-spark``: dbt-spark, a local pyspark session on Java 17) into a
fresh ``<dir>/engines/spark``; ``compare``: the row count of every staging and mart table
on both engines, which must agree. The target is DuckDB ≥ 5× faster than Spark on the whole
build (of the clean demo: the dirty one's timings are not the reference figures).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from benchmarks.harness import Recorder, markdown_table
from benchmarks.prepare import BenchDirs, BenchOptions, dbt_build, ensure_raw_data, node_results
from models_py.generate import SOURCES
from models_py.warehouse import DBT_PROJECT_DIR, PROFILES_DIR, REPO_ROOT, DbtError

STAGE = "engines"
STEPS = ("generate", "duckdb", "spark", "compare")
TARGET_RATIO = 5.0
SCHEMAS = ("staging", "marts")
SPARK_VENV = REPO_ROOT / ".venv-spark"

# run in .venv-spark's python: row counts of the tables given on stdin, as JSON on stdout
_SPARK_COUNTS = """
import json, sys
from benchmarks.engines import spark_session
spark, names = spark_session(sys.argv[1]), json.load(sys.stdin)
spark.sparkContext.setLogLevel("ERROR")
counts = {n: spark.sql(f"select count(*) from {n}").collect()[0][0] for n in names}
spark.stop()
print("COUNTS " + json.dumps(counts))
"""


def spark_session(spark_dir: str | Path):
    """A Spark session on the warehouse and Derby metastore the `spark` profile wrote under
    ``spark_dir`` (once the dbt process has ended, so Derby is free). Needs pyspark
    (``.venv-spark``)."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.enableHiveSupport()
        .config("spark.sql.warehouse.dir", f"{spark_dir}/warehouse")
        .config(
            "spark.hadoop.javax.jdo.option.ConnectionURL",
            f"jdbc:derby:;databaseName={spark_dir}/metastore_db;create=true",
        )
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={spark_dir}/derby")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )


def spark_python() -> Path:
    """The Spark virtualenv's python; a one-line error when it is not set up."""
    python = SPARK_VENV / "bin" / "python"
    if not (SPARK_VENV / "bin" / "dbt").is_file():
        raise RuntimeError(
            f"no Spark virtualenv at {SPARK_VENV}: run `make setup-spark` (needs Java 17), "
            "or leave the engines stage out (--stages)"
        )
    return python


def spark_env(raw: Path, spark_dir: Path, target: Path) -> dict[str, str]:
    """The environment of a dbt run with the `spark` profile on these folders."""
    return {
        **os.environ,
        "LW_TARGET": "spark",
        "LW_RAW_DIR": str(raw.resolve()),
        "LW_SPARK_DIR": str(spark_dir.resolve()),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "DBT_PROFILES_DIR": str(PROFILES_DIR),
        "DBT_TARGET_PATH": str(target.resolve()),
        "DBT_LOG_PATH": str((target.parent / "logs").resolve()),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def spark_build(raw: Path, spark_dir: Path) -> list[dict]:
    """``dbt build`` with the spark profile into a fresh ``spark_dir``, printing dbt's lines
    as they come; dbt's node results. Raises DbtError with dbt's last lines on failure."""
    python = spark_python()
    if spark_dir.exists():
        shutil.rmtree(spark_dir)
    target = spark_dir / "target"
    target.mkdir(parents=True)
    cmd = [str(python.parent / "dbt"), "build", "--project-dir", str(DBT_PROJECT_DIR)]
    proc = subprocess.Popen(  # noqa: S603 - argv: the Spark virtualenv's dbt / python and our own arguments, no shell
        cmd,
        cwd=REPO_ROOT,
        env=spark_env(raw, spark_dir, target),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    if proc.stdout is None:  # cannot happen with stdout=PIPE; says so if it ever does
        raise RuntimeError("dbt started without an output pipe")
    tail: list[str] = []
    for line in proc.stdout:
        sys.stdout.write(line)
        tail = [*tail[-20:], line.rstrip()]
    if proc.wait() != 0:
        raise DbtError("dbt build on Spark failed: " + " | ".join(tail[-5:]))
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    return node_results(results)


def duckdb_counts(warehouse: Path) -> dict[str, int]:
    """Rows of every staging and mart table or view of a DuckDB warehouse."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [
            r[0]
            for r in con.execute(
                "select table_schema || '.' || table_name from information_schema.tables "
                "where table_schema in ('staging', 'marts') order by 1"
            ).fetchall()
        ]
        return {n: con.execute(f"select count(*) from {n}").fetchone()[0] for n in names}  # noqa: S608 - names from information_schema


def spark_counts(spark_dir: Path, names: list[str]) -> dict[str, int]:
    """Rows of the named tables in the Spark warehouse the build wrote (its own session on
    the same metastore: the dbt process has ended, so Derby is free)."""
    proc = subprocess.run(  # noqa: S603 - argv: the Spark virtualenv's dbt / python and our own arguments, no shell
        [str(spark_python()), "-c", _SPARK_COUNTS, str(spark_dir.resolve())],
        input=json.dumps(names),
        cwd=REPO_ROOT,
        env={**os.environ, "SPARK_LOCAL_IP": "127.0.0.1"},
        capture_output=True,
        text=True,
        check=False,
    )
    line = next((x for x in proc.stdout.splitlines() if x.startswith("COUNTS ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"counting rows on Spark failed: {proc.stderr.strip()[-500:]}")
    return json.loads(line.removeprefix("COUNTS "))


def _build_figures(nodes: list[dict], seconds: float, cpu: float, peak: float) -> dict:
    models = [n for n in nodes if n["type"] == "model"]
    tests = [n for n in nodes if n["type"] in ("test", "unit_test")]
    return {
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        "peak_rss_mb": round(peak),
        "n_nodes": len(nodes),
        "n_errors": sum(n["status"] in ("error", "fail", "runtime error") for n in nodes),
        "model_seconds": round(sum(n["seconds"] for n in models), 2),
        "test_seconds": round(sum(n["seconds"] for n in tests), 2),
        "slowest": sorted(models, key=lambda n: -n["seconds"])[:5],
    }


def run(rec: Recorder, opts: BenchOptions) -> dict:
    """Generate the demo data, build it on DuckDB and on Spark, compare the tables."""
    spark_python()  # fail before any work when Spark is not set up
    root = opts.dirs.root / "engines"
    duck_dirs = BenchDirs(root / "duckdb", raw_dir=root / "raw")
    spark_dir = root / "spark"
    with rec.step(STAGE, "generate") as step:
        ensure_raw_data(
            step, duck_dirs, opts.engines_scale, opts.seed, SOURCES, dirty=opts.engines_dirty
        )
    if opts.stop_after("generate"):
        return {}

    with rec.step(STAGE, "duckdb") as step:
        nodes = dbt_build(step, duck_dirs, None)
        step.rows = len(nodes)
        step.note = "rows = dbt nodes (models, seeds, tests)"
    summary: dict = {
        "scale": opts.engines_scale,
        "layout": "dirty" if opts.engines_dirty else "clean",
        "duckdb": _build_figures(nodes, step.seconds, step.cpu_seconds, step.peak_rss_mb),
    }
    rec.stages[STAGE] = summary

    with rec.step(STAGE, "spark") as step:
        nodes = spark_build(duck_dirs.raw, spark_dir)
        step.rows = len(nodes)
        step.note = "rows = dbt nodes (models, seeds, tests)"
    summary["spark"] = _build_figures(nodes, step.seconds, step.cpu_seconds, step.peak_rss_mb)
    ratio = summary["spark"]["seconds"] / summary["duckdb"]["seconds"]
    summary["spark_over_duckdb"] = round(ratio, 2)
    rec.save()

    with rec.step(STAGE, "compare") as step:
        on_duck = duckdb_counts(duck_dirs.warehouse)
        on_spark = spark_counts(spark_dir, sorted(on_duck))
        step.rows = len(on_duck)
        step.note = "rows = staging and mart relations compared"
    differ = {n: [on_duck[n], on_spark.get(n)] for n in on_duck if on_duck[n] != on_spark.get(n)}
    summary["compare"] = {
        "relations": len(on_duck),
        "rows_duckdb": sum(on_duck.values()),
        "differ": differ,
    }
    summary["targets"] = {"duckdb_5x_faster_than_spark": ratio >= TARGET_RATIO}
    rec.stages[STAGE] = summary
    rec.save()
    return summary


def markdown(summary: dict) -> str:
    if "spark" not in summary:
        return "### engines: DuckDB against local Spark\n\n(Spark build did not finish)"
    rows = []
    for engine in ("duckdb", "spark"):
        f = summary[engine]
        rows.append(
            [
                engine,
                f"{f['seconds']:,.1f}",
                f"{f['cpu_seconds']:,.1f}",
                f"{f['model_seconds']:,.1f}",
                f"{f['test_seconds']:,.1f}",
                f"{f['n_nodes']:,}",
                f"{f['n_errors']:,}",
                f"{f['peak_rss_mb']:,}",
            ]
        )
    header = [
        "engine",
        "build wall s",
        "cpu s",
        "models s",
        "tests s",
        "nodes",
        "errors",
        "peak RSS MB",
    ]
    ratio = summary["spark_over_duckdb"]
    demo = "--dirty" if summary.get("layout") == "dirty" else "clean"
    verdict = "met" if ratio >= TARGET_RATIO else "MISSED"
    lines = [
        f"### engines: the same `dbt build` on DuckDB and local Spark ({demo} demo data, "
        f"scale {summary['scale']:g})",
        "",
        markdown_table(header, rows),
        "",
        f"Spark / DuckDB wall time: {ratio:.1f}× (target: DuckDB ≥ {TARGET_RATIO:g}× faster — "
        f"{verdict}). Spark's cpu s leaves out its JVM (a grandchild nobody waits for).",
    ]
    if "compare" in summary:
        c = summary["compare"]
        agree = (
            "every one agrees"
            if not c["differ"]
            else f"{len(c['differ'])} DIFFER: {json.dumps(c['differ'])[:300]}"
        )
        lines.append(
            f"Row counts of the {c['relations']} staging and mart relations on both engines "
            f"({c['rows_duckdb']:,} rows on DuckDB): {agree}."
        )
    return "\n".join(lines)
