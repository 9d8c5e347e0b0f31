"""Stage ``scaling``: does the build grow linearly with the data?

The pipeline's first two steps (generate every raw format, full ``dbt build``) at three
scales B, 4B and 16B (``--scale-base``; by default B = scale / 16, so the largest is the
benchmark's scale), each in ``<dir>/scaling/s<scale>/`` (the largest reuses ``<dir>/raw``,
and the ``pipeline`` stage's build when it ran in the same run).
Wall time and peak memory per scale, and the slope of log(build seconds) against
log(rows) by least squares: 1 is linear; the target is ≤ 1.1.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

from benchmarks import pipeline
from benchmarks.harness import Recorder, markdown_table
from benchmarks.prepare import BenchDirs, BenchOptions, ensure_raw_data
from models_py.generate import SOURCES

STAGE = "scaling"
STEPS = ("generate", "build")
FACTORS = (1, 4, 16)
TARGET_SLOPE = 1.1


def loglog_slope(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(y) against log(x) over (x, y) points; None with fewer
    than two distinct positive x."""
    pts = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y > 0]
    if len({x for x, _ in pts}) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    sxy = sum((x - mx) * (y - my) for x, y in pts)
    return sxy / sxx


def scales(opts: BenchOptions) -> list[float]:
    base = opts.scale_base if opts.scale_base is not None else opts.scale / FACTORS[-1]
    return [round(base * f, 6) for f in FACTORS]


def run(rec: Recorder, opts: BenchOptions) -> dict:
    """Generate and build at each scale; the log-log slope of build time against rows."""
    points = []
    for scale in scales(opts):
        root = opts.dirs.root / "scaling" / f"s{scale:g}"
        # the benchmark's own scale reuses its raw data (generated once)
        dirs = BenchDirs(root, raw_dir=opts.dirs.raw if scale == opts.scale else None)
        scaled = replace(opts, scale=scale, dirs=dirs)
        with rec.step(STAGE, f"generate s={scale:g}") as step:
            ensure_raw_data(step, dirs, scale, opts.seed, SOURCES)
        generate_s = step.seconds if step.status == "ok" else None
        if opts.stop_after("generate"):
            continue
        build = pipeline.built(rec) if scale == opts.scale else None
        reused = build is not None
        if build is None:
            build = pipeline.full_build(rec, scaled, STAGE, f"build s={scale:g}")
        points.append(
            {
                "scale": scale,
                "rows": build.rows,
                "build_seconds": round(build.seconds, 3),
                "build_cpu_seconds": round(build.cpu_seconds, 3),
                "generate_seconds": None if generate_s is None else round(generate_s, 3),
                "peak_rss_mb": round(build.peak_rss_mb),
                "warehouse_bytes": build.details["warehouse_bytes"],
                "build_reused": reused,
            }
        )
        if not reused:  # only the figures are kept
            for suffix in ("", ".wal"):
                Path(str(dirs.warehouse) + suffix).unlink(missing_ok=True)
        rec.stages[STAGE] = summarise(points)
        rec.save()
    return rec.stages.get(STAGE, {})


def summarise(points: list[dict]) -> dict:
    slope = loglog_slope([(p["rows"], p["build_seconds"]) for p in points])
    # between the two largest scales only: fixed costs (dbt start-up, ~800 data tests)
    # weigh least there, so this is the closer figure for the growth beyond them
    top = loglog_slope([(p["rows"], p["build_seconds"]) for p in points[-2:]])
    return {
        "points": points,
        "slope": None if slope is None else round(slope, 3),
        "slope_two_largest": None if top is None else round(top, 3),
        "targets": {"slope_at_most_1_1": slope is not None and slope <= TARGET_SLOPE},
    }


def markdown(summary: dict) -> str:
    rows = [
        [
            f"{p['scale']:g}",
            f"{p['rows']:,}",
            "reused" if p["generate_seconds"] is None else f"{p['generate_seconds']:,.1f}",
            f"{p['build_seconds']:,.1f}" + (" (pipeline's)" if p.get("build_reused") else ""),
            f"{p['build_cpu_seconds']:,.1f}",
            f"{p['rows'] / p['build_seconds']:,.0f}",
            f"{p['peak_rss_mb']:,}",
        ]
        for p in summary["points"]
    ]
    header = ["scale", "rows", "generate s", "build s", "build cpu s", "rows/s", "peak RSS MB"]
    slope, top = summary["slope"], summary.get("slope_two_largest")
    verdict = "met" if summary["targets"]["slope_at_most_1_1"] else "MISSED"
    return "\n".join(
        [
            "### scaling: generate + dbt build at three scales",
            "",
            markdown_table(header, rows),
            "",
            f"Slope of log(build s) against log(rows), least squares: "
            f"{'n/a' if slope is None else f'{slope:.2f}'} (target ≤ {TARGET_SLOPE} — {verdict}); "
            f"between the two largest scales: {'n/a' if top is None else f'{top:.2f}'}.",
        ]
    )
