"""The main job's steps: generate, build, train, evaluate, publish, report, docs, run.

Each step takes `Paths` and plain values, logs its progress (logger ``lw``; `models_py.cli`
shows it on stdout) and raises a `PipelineError` for anything the user has to act on: its
lines are what the user reads (one per problem, without ``error:``), ``exit_code`` what
the shell gets, ``after`` an optional closing line (what was kept). The command line
(`models_py.cli`) only parses arguments, takes the warehouse lock, and turns these errors
into lines and an exit code, in one place.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import duckdb

from models_py.lock import WarehouseBusy, warehouse_lock
from models_py.warehouse import DbtError, Paths, one_line, run_dbt

log = logging.getLogger("lw")


class PipelineError(Exception):
    """A failure the user acts on: one line per problem, an exit code, a closing line."""

    exit_code = 1

    def __init__(self, *lines: str, after: str | None = None):
        super().__init__("\n".join(lines))
        self.lines = list(lines)
        self.after = after


class NotFound(PipelineError):
    """The raw data directory or the warehouse a step needs is not there."""

    exit_code = 2


class WarehouseUnusable(PipelineError):
    """The warehouse cannot be opened, or another process holds it."""


class BuildFailed(PipelineError):
    """dbt stopped: one line per failing node."""


class TaskFailed(PipelineError):
    """`lw evaluate` was asked for a task that does not exist, or it had no input."""


class PublishFailed(PipelineError):
    """The snapshot could not be published; the last one is unchanged."""


class ReportFailed(PipelineError):
    """The HTML report could not be written."""


def _warehouse(paths: Paths, first: str) -> None:
    if not paths.warehouse.is_file():
        raise NotFound(f"no warehouse at {paths.warehouse}: run `{first}` first")


def generate(out: Path, scale: float, seed: int, dirty: bool = False) -> dict:
    """Write the demo raw data; returns the generator's summary."""
    from models_py.generate import generate as write_demo

    t0 = time.perf_counter()
    summary = write_demo(out, scale=scale, seed=seed, progress=True, dirty=dirty)
    log.info("demo data written to %s in %.1fs", out, time.perf_counter() - t0)
    for key, value in summary.items():
        log.info("  %s: %s", key, value)
    return summary


def _claim_raw_folder(paths: Paths, full_build: bool) -> None:
    """One warehouse, one raw folder (models_py.raw_folder): a line for a folder without
    sources and for a fresh start."""
    from models_py import raw_folder

    try:
        notes = [raw_folder.missing_sources_note(paths.raw_dir)]
        notes.append(raw_folder.claim(paths, full_build=full_build))
    except (duckdb.Error, OSError) as e:
        raise WarehouseUnusable(f"warehouse {paths.warehouse}: {one_line(str(e))}") from e
    for note in filter(None, notes):
        log.info("%s", note)


def build(paths: Paths, dbt_args: list[str] | None = None, scored_marts_only: bool = False):
    """`dbt build` on ``paths.raw_dir`` (``dbt_args``: any dbt options); returns dbt's node
    results. ``scored_marts_only``: after training, the scored marts are rebuilt on the
    warehouse as it is (no raw-folder claim)."""
    dbt_args = list(dbt_args or [])
    if not paths.raw_dir.is_dir():
        raise NotFound(f"raw data directory {paths.raw_dir} does not exist")
    if not scored_marts_only:
        _claim_raw_folder(paths, full_build=not dbt_args)
    log.info("dbt build on %s -> %s", paths.raw_dir, paths.warehouse)
    t0 = time.perf_counter()
    try:
        results = run_dbt(["build", *dbt_args], paths)
    except DbtError as e:
        raise BuildFailed(
            *str(e).splitlines(), after="the build stopped; tables built earlier are unchanged"
        ) from e
    log.info("dbt build finished in %.1fs", time.perf_counter() - t0)
    slowest = slowest_models(results, 3)
    if slowest:
        log.info("slowest models: %s", ", ".join(f"{name} {secs:.1f}s" for name, secs in slowest))
    return results


def slowest_models(results: list[dict], n: int) -> list[tuple[str, float]]:
    """The n models (not tests) that took longest, from dbt's run_results.json."""
    timed = [
        (r["unique_id"].split(".")[-1], float(r.get("execution_time") or 0.0))
        for r in results
        if r.get("unique_id", "").startswith("model.")
    ]
    return sorted(timed, key=lambda t: t[1], reverse=True)[:n]


def train(paths: Paths, seed: int = 42) -> None:
    """Train every task on the built marts, write results back, rebuild the scored marts,
    publish."""
    from models_py.raw_folder import built_from
    from models_py.train import train as train_tasks

    _warehouse(paths, "make build")
    paths = built_from(paths)  # the folder the warehouse holds (the demo's skip oracle)
    train_tasks(paths, seed=seed)
    # the scored marts read the ml tables just written
    build(paths, ["--select", "source:ml+"], scored_marts_only=True)
    publish(paths)


def evaluate(paths: Paths, task_name: str, seed: int = 42) -> None:
    """Fit and evaluate one model task on the marts and log its table; writes nothing."""
    from models_py import ml_store
    from models_py.raw_folder import built_from
    from models_py.tasks import TaskContext
    from models_py.train import comparison_table, run_task, tasks

    by_name = {task.name: task for task in tasks()}
    if task_name not in by_name:
        raise NotFound(f"no task {task_name!r}; one of: {', '.join(by_name)}")
    _warehouse(paths, "make build")
    paths = built_from(paths)
    t0 = time.perf_counter()
    with ml_store.connect(paths, read_only=True) as con:
        out = run_task(by_name[task_name], TaskContext(con, paths.raw_dir, seed=seed), None)
    if out is None:
        raise TaskFailed(f"{task_name}: nothing to learn from in {paths.warehouse}")
    log.info("%s", comparison_table(out.results) if out.results else "no model run")
    log.info("%s evaluated in %.1fs (nothing written)", task_name, time.perf_counter() - t0)


def publish(paths: Paths) -> None:
    """Publish the marts as a new read-only snapshot for BI tools (models_py.publish)."""
    from models_py.publish import CATALOG, published_dir
    from models_py.publish import publish as publish_snapshot

    _warehouse(paths, "make build")
    log.info("publishing snapshot")
    try:
        snapshot = publish_snapshot(paths)
    except (ValueError, RuntimeError, OSError, duckdb.Error) as e:
        raise PublishFailed(
            f"publish: {one_line(str(e))}", after="the last published snapshot is unchanged"
        ) from e
    log.info(
        "published snapshot %s: %d marts, %s rows in %.1fs; BI tools open %s (read-only)",
        snapshot.version,
        len(snapshot.tables),
        f"{snapshot.n_rows:,}",
        snapshot.seconds,
        published_dir(paths) / CATALOG,
    )


def report(paths: Paths, out: Path | None = None) -> Path:
    """Write the HTML report of the marts and model runs (models_py.report)."""
    from models_py.report import build_report

    _warehouse(paths, "make run")
    t0 = time.perf_counter()
    try:
        written = build_report(paths.warehouse, out)
    except (duckdb.Error, OSError) as e:
        raise ReportFailed(f"report: {one_line(str(e))}") from e
    log.info("report written in %.1fs: %s", time.perf_counter() - t0, written.resolve())
    return written


def docs(paths: Paths, serve: bool = False, port: int = 8080) -> None:
    """`dbt docs generate` (manifest + catalog of the built warehouse); ``serve`` serves it
    on localhost until Ctrl-C."""
    _warehouse(paths, "make run")
    try:
        with warehouse_lock(paths.warehouse, "models_py docs"):  # not while serving
            run_dbt(["docs", "generate"], paths)
        if serve:
            log.info("serving the docs site on http://127.0.0.1:%d (Ctrl-C stops it)", port)
            run_dbt(["docs", "serve", "--port", str(port), "--host", "127.0.0.1",
                     "--no-browser"], paths)  # fmt: skip
    except DbtError as e:
        raise BuildFailed(*str(e).splitlines()) from e
    except WarehouseBusy as e:
        raise WarehouseUnusable(str(e)) from e
    except KeyboardInterrupt:
        return


def run(paths: Paths, demo: bool = False, scale: float = 1.0, seed: int = 42) -> None:
    """The main job: demo data when asked, the warehouse build, then the models, publish
    and the report."""
    if demo:
        out = paths.warehouse.parent / "raw"  # data/raw beside data/warehouse.duckdb
        generate(out, scale=scale, seed=seed)
        paths = Paths(out.resolve(), paths.warehouse)
    build(paths)
    train(paths, seed=seed)
    report(paths)
