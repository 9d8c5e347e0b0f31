"""Command line of the benchmarks: `python -m benchmarks [options]` (`make bench`)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from benchmarks import continuation, engines, floor, pandas_peer, pipeline, scaling
from benchmarks.harness import Recorder, RssSampler, run_meta, steps_markdown
from benchmarks.prepare import BenchDirs, BenchOptions
from models_py.warehouse import DATA_DIR

RESULTS_DIR = Path(__file__).resolve().parent / "results"
LATEST = "latest.md"

# stage name -> (run, markdown of its summary); run in this order (floor reuses the
# pipeline's build when both run)
STAGES: dict[str, tuple[Callable[[Recorder, BenchOptions], dict], Callable[[dict], str]]] = {
    pipeline.STAGE: (pipeline.run, pipeline.markdown),
    floor.STAGE: (floor.run, floor.markdown),
    pandas_peer.STAGE: (pandas_peer.run, pandas_peer.markdown),
    continuation.STAGE: (continuation.run, continuation.markdown),
    engines.STAGE: (engines.run, engines.markdown),
    scaling.STAGE: (scaling.run, scaling.markdown),
}
STEPS = sorted(
    {s for m in (pipeline, floor, pandas_peer, continuation, engines) for s in m.STEPS}
)  # for --until; scaling's steps are named by scale


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of integers: {text}") from e
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("seed sizes must be positive integers")
    return sizes


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument(
        "--stages",
        default=",".join(STAGES),
        help=f"comma-separated, of: {', '.join(STAGES)} (default: all)",
    )
    parser.add_argument(
        "--scale", type=float, default=50.0, help="generator scale (50 = 100,000 playlists)"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--max-test-playlists", type=int, default=10_000)
    parser.add_argument("--seed-sizes", type=_sizes, default=None, help="e.g. 1,5,10,25,100")
    parser.add_argument(
        "--test-share",
        type=float,
        default=0.12,
        help="share of playlists held out: the split's dbt var ml_split_test_percent (default "
        "0.12: ≥ 10,000 test playlists at k ≤ 10 at scale 50; the split's own 0.1 gives 9,859)",
    )
    parser.add_argument(
        "--dir", default=str(DATA_DIR / "bench"), help="raw data, warehouse, dbt artefacts"
    )
    parser.add_argument(
        "--until",
        choices=STEPS,
        default=None,
        help="stop each stage after this step (e.g. generate the data ahead of a run)",
    )
    parser.add_argument(
        "--memory-limit",
        default=None,
        help="DuckDB memory_limit of the continuation evaluation, e.g. 12GB "
        "(default: $LW_DUCKDB_MEMORY_LIMIT or 8GB, as for dbt)",
    )
    parser.add_argument(
        "--scale-base",
        type=float,
        default=None,
        help="stage scaling builds at B, 4B and 16B (default: --scale / 16)",
    )
    parser.add_argument(
        "--engines-scale",
        type=float,
        default=1.0,
        help="stage engines: scale of the demo data built on DuckDB and Spark (default 1, "
        "what `make run` builds)",
    )
    parser.add_argument(
        "--engines-dirty",
        action="store_true",
        help="stage engines: build the --dirty demo (layout variants and rows to reject) "
        "instead of the clean one, so both engines' reject paths are compared; its timings "
        "are not those of the clean demo",
    )
    parser.add_argument("--results-dir", default=str(RESULTS_DIR))
    parser.add_argument("--sample-interval", type=float, default=0.1, help="RSS poll, seconds")
    args = parser.parse_args(argv)
    stages = [s.strip() for s in args.stages.split(",") if s.strip()]
    unknown = sorted(set(stages) - set(STAGES))
    if unknown or not stages:
        parser.error(f"unknown stage(s) {', '.join(unknown)}; choose from {', '.join(STAGES)}")
    args.stages = [s for s in STAGES if s in stages]  # always in the order of STAGES
    return args


def report(rec: Recorder, stages: list[str]) -> str:
    """The run as markdown: where it ran, every step, then each stage's own tables."""
    m = rec.meta
    host = m["host"]
    lines = [
        f"## Benchmark {m['started_at']} — scale {m['args']['scale']:g}, seed {m['args']['seed']}",
        "",
        f"commit {m['git_commit']}{' (dirty)' if m['git_dirty'] else ''}; {host['cpus']} CPUs, "
        f"{host['memory_gb']} GB; load average at start {host['load_average_at_start']}; "
        f"nice {host['niceness']}; duckdb {m['versions']['duckdb']}, dbt {m['versions']['dbt']}",
        "",
        steps_markdown(rec.steps),
        "",
        "Peak RSS: sampled sum over this process and its children (dbt); "
        "rows/s: rows / wall s of steps that ran.",
    ]
    for name in stages:
        if name in rec.stages:
            lines += ["", STAGES[name][1](rec.stages[name])]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    opts = BenchOptions(
        scale=args.scale,
        seed=args.seed,
        dirs=BenchDirs(Path(args.dir).resolve()),
        max_test_playlists=args.max_test_playlists,
        seed_sizes=args.seed_sizes,
        test_share=args.test_share,
        until=args.until,
        memory_limit=args.memory_limit,
        scale_base=args.scale_base,
        engines_scale=args.engines_scale,
        engines_dirty=args.engines_dirty,
    )
    results = Path(args.results_dir)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    json_path = results / f"{stamp}-s{args.scale:g}.json"
    meta = run_meta({k: v for k, v in vars(args).items() if k != "results_dir"})
    rc = 0
    with RssSampler(args.sample_interval) as sampler:
        rec = Recorder(sampler, meta, json_path)
        for name in args.stages:
            try:
                STAGES[name][0](rec, opts)
            except Exception:
                traceback.print_exc()
                failed = next((s for s in reversed(rec.steps) if s.status == "failed"), None)
                where = f"{failed.stage} / {failed.step}" if failed else name
                print(f"error: benchmark stopped in {where}", file=sys.stderr)
                rc = 1
                break
    rec.save()
    text = report(rec, args.stages)
    (results / LATEST).write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"results: {json_path} and {results / LATEST}")
    return rc
