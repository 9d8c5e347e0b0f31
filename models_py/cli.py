"""Command line: `python -m models_py <command>` (also installed as `lw`).

It only parses arguments, takes the warehouse lock, calls `models_py.pipeline`, and turns
a `PipelineError` (or a busy warehouse, or a bad setting) into `error:` lines and an exit
code, in `_fail`.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from models_py import pipeline
from models_py.lock import WarehouseBusy, lock_timeout, warehouse_lock
from models_py.warehouse import DATA_DIR, Paths, SettingError, memory_limit


def _generate(args: argparse.Namespace) -> None:
    pipeline.generate(Path(args.out), scale=args.scale, seed=args.seed, dirty=args.dirty)


def _build(args: argparse.Namespace) -> None:
    pipeline.build(Paths.from_env(args.raw_dir), args.dbt_args)


def _train(args: argparse.Namespace) -> None:
    pipeline.train(Paths.from_env(args.raw_dir), seed=args.seed)


def _evaluate(args: argparse.Namespace) -> None:
    pipeline.evaluate(Paths.from_env(args.raw_dir), args.task, seed=args.seed)


def _publish(args: argparse.Namespace) -> None:
    pipeline.publish(Paths.from_env(args.raw_dir))


def _report(args: argparse.Namespace) -> None:
    pipeline.report(Paths.from_env(args.raw_dir), Path(args.out) if args.out else None)


def _docs(args: argparse.Namespace) -> None:
    pipeline.docs(Paths.from_env(args.raw_dir), serve=args.serve, port=args.port)


def _run(args: argparse.Namespace) -> None:
    pipeline.run(Paths.from_env(args.raw_dir), demo=args.demo, scale=args.scale, seed=args.seed)


def _show_progress() -> None:
    """The pipeline's log lines on stdout as plain lines, in order with dbt's output."""
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log = logging.getLogger("lw")
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False


def _fail(lines: list[str], after: str | None, code: int) -> int:
    """The one place a command's failure becomes what the user reads: `error: …` lines on
    stderr, then the closing line, and the exit code."""
    for line in lines:
        print(f"error: {line}", file=sys.stderr)
    if after:
        print(after, file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    """The `python -m models_py` command line: parse, run one command, return its exit code."""
    parser = argparse.ArgumentParser(prog="models_py", description=__doc__.splitlines()[0])
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
        return _fail([str(e)], None, 2)
    _show_progress()
    try:
        if args.command not in LOCKING:
            args.func(args)
            return 0
        # one command at a time on a warehouse (models_py.lock): the second waits, or
        # stops with one line naming the process that holds it
        warehouse = Paths.from_env(getattr(args, "raw_dir", None)).warehouse
        with warehouse_lock(
            warehouse, f"models_py {args.command}", read_only=args.command in READ_ONLY
        ):
            args.func(args)
        return 0
    except pipeline.PipelineError as e:
        return _fail(e.lines, e.after, e.exit_code)
    except WarehouseBusy as e:
        return _fail([str(e)], None, 1)


# commands that open the warehouse, and those of them that only read it; `docs` takes the
# lock for `dbt docs generate` only, not while it serves the site
LOCKING = {"build", "train", "evaluate", "publish", "report", "run"}
READ_ONLY = {"evaluate", "publish", "report"}
