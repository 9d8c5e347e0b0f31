"""Command line: `python -m models_py <command>` (also installed as `lw`)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb

from models_py.lock import WarehouseBusy, lock_timeout, warehouse_lock
from models_py.warehouse import (
    DATA_DIR,
    DbtError,
    Paths,
    SettingError,
    memory_limit,
    one_line,
    run_dbt,
)


def _generate(args: argparse.Namespace) -> int:
    from models_py.generate import generate

    t0 = time.perf_counter()
    summary = generate(
        Path(args.out),
        scale=args.scale,
        seed=args.seed,
        progress=True,
        dirty=getattr(args, "dirty", False),
    )
    print(f"demo data written to {args.out} in {time.perf_counter() - t0:.1f}s")
    for key, value in summary.items():
        print(f"  {key}: {value}")
    return 0


def _claim_raw_folder(paths: Paths, full_build: bool) -> int:
    """One warehouse, one raw folder (models_py.raw_folder): a line for a folder without
    sources and for a fresh start; 1 when the warehouse cannot be opened."""
    from models_py import raw_folder

    try:
        notes = [raw_folder.missing_sources_note(paths.raw_dir)]
        notes.append(raw_folder.claim(paths, full_build=full_build))
    except (duckdb.Error, OSError) as e:
        print(f"error: warehouse {paths.warehouse}: {one_line(str(e))}", file=sys.stderr)
        return 1
    for note in filter(None, notes):
        print(note)
    return 0


def _build(args: argparse.Namespace) -> int:
    paths = Paths.from_env(args.raw_dir)
    if not paths.raw_dir.is_dir():
        print(f"error: raw data directory {paths.raw_dir} does not exist", file=sys.stderr)
        return 2
    # after training, the scored marts are rebuilt on the warehouse as it is
    if not getattr(args, "scored_marts_only", False):
        rc = _claim_raw_folder(paths, full_build=not args.dbt_args)
        if rc:
            return rc
    print(f"dbt build on {paths.raw_dir} -> {paths.warehouse}")
    t0 = time.perf_counter()
    try:
        results = run_dbt(["build", *args.dbt_args], paths)
    except DbtError as e:
        for line in str(e).splitlines():
            print(f"error: {line}", file=sys.stderr)
        print("the build stopped; tables built earlier are unchanged", file=sys.stderr)
        return 1
    print(f"dbt build finished in {time.perf_counter() - t0:.1f}s")
    slowest = slowest_models(results, 3)
    if slowest:
        print("slowest models: " + ", ".join(f"{name} {secs:.1f}s" for name, secs in slowest))
    return 0


def slowest_models(results: list[dict], n: int) -> list[tuple[str, float]]:
    """The n models (not tests) that took longest, from dbt's run_results.json."""
    timed = [
        (r["unique_id"].split(".")[-1], float(r.get("execution_time") or 0.0))
        for r in results
        if r.get("unique_id", "").startswith("model.")
    ]
    return sorted(timed, key=lambda t: t[1], reverse=True)[:n]


def _train(args: argparse.Namespace) -> int:
    """Train the models on the built marts, write results back, rebuild the scored marts."""
    from models_py.raw_folder import built_from
    from models_py.train import train

    paths = Paths.from_env(args.raw_dir)
    if not paths.warehouse.is_file():
        print(f"error: no warehouse at {paths.warehouse}: run `make build` first", file=sys.stderr)
        return 2
    paths = built_from(paths)  # the folder the warehouse holds (the demo's skip oracle)
    train(paths, seed=args.seed)
    # the scored marts read the ml tables just written
    rc = _build(
        argparse.Namespace(
            raw_dir=str(paths.raw_dir),
            dbt_args=["--select", "source:ml+"],
            scored_marts_only=True,
        )
    )
    if rc:
        return rc
    return _publish(args)


def _evaluate(args: argparse.Namespace) -> int:
    """Fit and evaluate one model task on the marts and print its table; writes nothing."""
    from models_py import ml_store
    from models_py.raw_folder import built_from
    from models_py.tasks import TaskContext
    from models_py.train import comparison_table, run_task, tasks

    by_name = {task.name: task for task in tasks()}
    if args.task not in by_name:
        print(f"error: no task {args.task!r}; one of: {', '.join(by_name)}", file=sys.stderr)
        return 2
    paths = Paths.from_env(args.raw_dir)
    if not paths.warehouse.is_file():
        print(f"error: no warehouse at {paths.warehouse}: run `make build` first", file=sys.stderr)
        return 2
    paths = built_from(paths)  # the folder the warehouse holds (the demo's skip oracle)
    t0 = time.perf_counter()
    with ml_store.connect(paths, read_only=True) as con:
        ctx = TaskContext(con, paths.raw_dir, seed=args.seed)
        out = run_task(by_name[args.task], ctx, artifacts=None)
    if out is None:
        return 1
    print(comparison_table(out.results) if out.results else "no model had data to learn from")
    print(f"{args.task} evaluated in {time.perf_counter() - t0:.1f}s (nothing written)")
    return 0


def _publish(args: argparse.Namespace) -> int:
    """Publish the marts as a new read-only snapshot for BI tools (see models_py.publish)."""
    from models_py.publish import CATALOG, publish, published_dir

    paths = Paths.from_env(args.raw_dir)
    if not paths.warehouse.is_file():
        print(f"error: no warehouse at {paths.warehouse}: run `make build` first", file=sys.stderr)
        return 2
    print("publishing snapshot")
    try:
        snapshot = publish(paths)
    except (ValueError, RuntimeError, OSError, duckdb.Error) as e:
        print(f"error: publish: {one_line(str(e))}", file=sys.stderr)
        print("the last published snapshot is unchanged", file=sys.stderr)
        return 1
    print(
        f"published snapshot {snapshot.version}: {len(snapshot.tables)} marts, "
        f"{snapshot.n_rows:,} rows in {snapshot.seconds:.1f}s; "
        f"BI tools open {published_dir(paths) / CATALOG} (read-only)"
    )
    return 0


def _report(args: argparse.Namespace) -> int:
    """Write the HTML report of the marts and model runs (see models_py.report)."""
    from models_py.report import build_report

    paths = Paths.from_env(getattr(args, "raw_dir", None))
    if not paths.warehouse.is_file():
        print(f"error: no warehouse at {paths.warehouse}: run `make run` first", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    try:
        out = build_report(paths.warehouse, Path(args.out) if getattr(args, "out", None) else None)
    except (duckdb.Error, OSError) as e:
        print(f"error: report: {one_line(str(e))}", file=sys.stderr)
        return 1
    print(f"report written in {time.perf_counter() - t0:.1f}s: {out.resolve()}")
    return 0


def _docs(args: argparse.Namespace) -> int:
    """`dbt docs generate` (manifest + catalog of the built warehouse); `--serve` serves it."""
    paths = Paths.from_env(args.raw_dir)
    if not paths.warehouse.is_file():
        print(f"error: no warehouse at {paths.warehouse}: run `make run` first", file=sys.stderr)
        return 2
    try:
        with warehouse_lock(paths.warehouse, "models_py docs"):  # not while serving
            run_dbt(["docs", "generate"], paths)
        if args.serve:
            print(f"serving the docs site on http://127.0.0.1:{args.port} (Ctrl-C stops it)")
            run_dbt(["docs", "serve", "--port", str(args.port), "--host", "127.0.0.1",
                     "--no-browser"], paths)  # fmt: skip
    except DbtError as e:
        for line in str(e).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 1
    except WarehouseBusy as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    return 0


def _run(args: argparse.Namespace) -> int:
    """The main job: demo data when asked, the warehouse build, then the models."""
    if args.demo:
        out = Paths.from_env().warehouse.parent / "raw"  # data/raw beside data/warehouse.duckdb
        rc = _generate(argparse.Namespace(out=str(out), scale=args.scale, seed=args.seed))
        if rc:
            return rc
        args.raw_dir = str(out)
    args.dbt_args = []
    rc = _build(args)
    if rc:
        return rc
    rc = _train(args)
    if rc:
        return rc
    return _report(argparse.Namespace(raw_dir=args.raw_dir, out=None))


def main(argv: list[str] | None = None) -> int:
    """The `python -m models_py` command line: parse, run one command, return its exit code."""
    parser = argparse.ArgumentParser(prog="models_py", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    g = sub.add_parser("generate", help="write demo raw data in every source format")
    g.add_argument("--out", default=str(DATA_DIR / "raw"))
    g.add_argument("--scale", type=float, default=1.0)
    g.add_argument("--seed", type=int, default=42)
    g.add_argument(
        "--dirty",
        action="store_true",
        help="the same data with every file in a layout variant real exports come in "
        "(index columns, reordered and extra columns, millisecond and day-first times, "
        "BOM, CRLF)",
    )
    g.set_defaults(func=_generate)

    b = sub.add_parser("build", help="dbt build on the raw data directory")
    b.add_argument("--raw-dir", default=None, help="default: $LW_RAW_DIR or data/raw")
    b.set_defaults(func=_build, dbt_args=[])

    t = sub.add_parser("train", help="train the models on the marts and write results back")
    t.add_argument("--raw-dir", default=None, help="raw data (for the demo skip oracle)")
    t.add_argument("--seed", type=int, default=42)
    t.set_defaults(func=_train)

    e = sub.add_parser(
        "evaluate",
        help="fit and evaluate one model task on the marts, print its table (writes nothing)",
    )
    e.add_argument(
        "task",
        help="playlist-classifier, skip-model, playlist-continuation or next-track",
    )
    e.add_argument("--raw-dir", default=None)
    e.add_argument("--seed", type=int, default=42)
    e.set_defaults(func=_evaluate)

    p = sub.add_parser("publish", help="publish the marts as a snapshot for BI tools")
    p.add_argument("--raw-dir", default=None)
    p.set_defaults(func=_publish)

    rp = sub.add_parser("report", help="write the HTML report of the marts and model runs")
    rp.add_argument("--raw-dir", default=None)
    rp.add_argument("--out", default=None, help="default: <warehouse dir>/report/index.html")
    rp.set_defaults(func=_report)

    d = sub.add_parser("docs", help="dbt docs generate (and --serve on localhost)")
    d.add_argument("--raw-dir", default=None)
    d.add_argument("--serve", action="store_true")
    d.add_argument("--port", type=int, default=8080)
    d.set_defaults(func=_docs)

    r = sub.add_parser("run", help="the main job: (demo data,) dbt build, models")
    r.add_argument("--raw-dir", default=None)
    r.add_argument("--demo", action="store_true", help="generate demo data first")
    r.add_argument("--scale", type=float, default=1.0)
    r.add_argument("--seed", type=int, default=42)
    r.set_defaults(func=_run)

    # `build` passes any option it does not know to dbt (`build --select +dim_playlists`)
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        if args.command != "build":
            parser.error(f"unrecognized arguments: {' '.join(unknown)}")
        args.dbt_args = unknown
    try:
        memory_limit()  # dbt and Python read it: a typo fails here, not mid-build
        lock_timeout()
    except SettingError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if args.command not in LOCKING:
        return args.func(args)
    # one command at a time on a warehouse (models_py.lock): the second waits, or stops
    # with one line naming the process that holds it
    warehouse = Paths.from_env(getattr(args, "raw_dir", None)).warehouse
    try:
        with warehouse_lock(
            warehouse, f"models_py {args.command}", read_only=args.command in READ_ONLY
        ):
            return args.func(args)
    except WarehouseBusy as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


# commands that open the warehouse, and those of them that only read it; `docs` takes the
# lock for `dbt docs generate` only, not while it serves the site
LOCKING = {"build", "train", "evaluate", "publish", "report", "run"}
READ_ONLY = {"evaluate", "publish", "report"}
