"""Stage ``continuation``: playlist continuation (RecSys Challenge 2018) at scale.

Steps: ``generate`` the MPD slices and the Spotify files (the only sources the marts it
reads are built from), ``build`` those marts with dbt (models and their data tests; the
``pipeline`` stage's build when it ran before in the same run), then
``evaluate`` ours against the baselines at every seed size on at least
``max_test_playlists`` held-out playlists, with playlists per second per method and k.
"""

from __future__ import annotations

from benchmarks import pipeline
from benchmarks.harness import Recorder, markdown_table
from benchmarks.prepare import BenchOptions, count_rows, dbt_build, ensure_raw_data
from models_py import continuation
from models_py.warehouse import open_duckdb

STAGE = "continuation"
STEPS = ("generate", "build", "evaluate")
SOURCES = ("mpd", "spotify")
SELECT = ["+fct_playlist_tracks", "+dim_playlists", "+dim_spotify_tracks", "+dim_ml_splits"]
MARTS = (
    "marts.fct_playlist_tracks",
    "marts.dim_playlists",
    "marts.dim_spotify_tracks",
    "marts.dim_ml_splits",
)
OURS = getattr(continuation, "OURS", "cooccurrence")
TARGET_PLAYLISTS_PER_SECOND = 1000.0


def run(rec: Recorder, opts: BenchOptions) -> dict:
    """Generate, build and evaluate; returns (and records) the stage's summary."""
    kwargs: dict = {"max_test_playlists": opts.max_test_playlists}
    if opts.seed_sizes:
        kwargs["seed_sizes"] = tuple(opts.seed_sizes)
    # the held-out share is the split's (dim_ml_splits), set through its dbt var
    dbt_vars = {}
    if opts.test_share is not None:
        if not 0.01 <= opts.test_share <= 0.5:
            raise ValueError(f"--test-share must be between 0.01 and 0.5, got {opts.test_share}")
        dbt_vars["ml_split_test_percent"] = round(opts.test_share * 100)
    config = continuation.ContinuationConfig(**kwargs)  # bad options fail before any work

    with rec.step(STAGE, "generate") as step:
        ensure_raw_data(step, opts.dirs, opts.scale, opts.seed, SOURCES)
    if opts.stop_after("generate"):
        return {}

    with rec.step(STAGE, "build") as step:
        reused = pipeline.built(rec)
        if reused is None:
            dbt_build(step, opts.dirs, SELECT, dbt_vars=dbt_vars)
        else:  # the pipeline stage of this run built every mart into the same warehouse
            step.status = "skipped"
            step.note = f"reused the pipeline stage's build ({reused.seconds:,.0f} s)"
        counts = count_rows(opts.dirs.warehouse, MARTS)
        step.rows = counts["marts.fct_playlist_tracks"]
        step.details["rows"] = counts
    if opts.stop_after("build"):
        return {}

    with rec.step(STAGE, "evaluate") as step:
        # as `models_py.continuation` runs it: LW_DUCKDB_MEMORY_LIMIT unless --memory-limit
        with open_duckdb(opts.dirs.warehouse, read_only=True, limit=opts.memory_limit) as con:
            duckdb_settings = dict(
                con.execute(
                    "select name, value from duckdb_settings() "
                    "where name in ('memory_limit', 'threads', 'temp_directory')"
                ).fetchall()
            )
            evaluations, timings = continuation.evaluate(con, config, seed=opts.seed, progress=True)
        methods = [
            {
                "method": e.method,
                "k": e.seed_size,
                "n_playlists": int(e.metrics["n_playlists"]),
                "seconds": round(e.seconds, 3),
                "playlists_per_second": round(e.metrics["playlists_per_second"], 1),
                **{m: round(float(e.metrics[m]), 4) for m in ("r_precision", "ndcg", "clicks")},
            }
            for e in evaluations
        ]
        del evaluations  # the predictions are large; only the figures are kept
        step.rows = sum(m["n_playlists"] for m in methods)
        step.note = "rows = playlists continued, all methods and seed sizes"
        step.details = {
            "config": {**kwargs, "seed": opts.seed},
            "timings": {k: _rounded(v) for k, v in timings.items()},
            "duckdb": duckdb_settings,
        }

    summary = {
        "config": step.details["config"],
        "timings": step.details["timings"],
        "methods": methods,
        "targets": targets(methods, opts.max_test_playlists),
    }
    rec.stages[STAGE] = summary
    rec.save()
    return summary


def _rounded(value: object) -> object:
    return round(value, 3) if isinstance(value, int | float) else value


def targets(methods: list[dict], wanted: int) -> dict:
    """The issue's targets: ours ≥ 1,000 playlists/s at every k; ≥ ``wanted`` held-out
    playlists evaluated at every k (fewer means the test pool is too small at that k)."""
    ours = [m for m in methods if m["method"] == OURS]
    slowest = min((m["playlists_per_second"] for m in ours), default=0.0)
    short = sorted({m["k"] for m in methods if m["n_playlists"] < wanted})
    return {
        "ours_min_playlists_per_second": slowest,
        "ours_meets_speed_target": bool(ours) and slowest >= TARGET_PLAYLISTS_PER_SECOND,
        "wanted_playlists_per_k": wanted,
        "seed_sizes_short_of_playlists": short,
    }


def markdown(summary: dict) -> str:
    """The method × k table, the fit timings and the targets."""
    rows = [
        [
            m["method"],
            str(m["k"]),
            f"{m['n_playlists']:,}",
            f"{m['seconds']:,.2f}",
            f"{m['playlists_per_second']:,.0f}",
            f"{m['r_precision']:.3f}",
            f"{m['ndcg']:.3f}",
            f"{m['clicks']:.2f}",
        ]
        for m in sorted(summary["methods"], key=lambda m: (m["k"], m["method"]))
    ]
    header = ["method", "k", "playlists", "predict s", "playlists/s", "R-prec", "NDCG", "clicks"]
    timings = ", ".join(
        f"{k} {v:,.1f}" if isinstance(v, int | float) else f"{k} {v}"
        for k, v in summary["timings"].items()
    )
    t = summary["targets"]
    speed = "met" if t["ours_meets_speed_target"] else "MISSED"
    pool = (
        f"every k has ≥ {t['wanted_playlists_per_k']:,} playlists"
        if not t["seed_sizes_short_of_playlists"]
        else f"k = {', '.join(map(str, t['seed_sizes_short_of_playlists']))} have fewer than "
        f"{t['wanted_playlists_per_k']:,} playlists (test pool too small)"
    )
    return "\n".join(
        [
            "### continuation: methods × seed size",
            "",
            markdown_table(header, rows),
            "",
            f"Fit and preparation (s): {timings}.",
            "",
            f"Targets: ours ≥ {TARGET_PLAYLISTS_PER_SECOND:,.0f} playlists/s at every k — "
            f"{speed} (slowest {t['ours_min_playlists_per_second']:,.0f}/s); {pool}.",
        ]
    )
