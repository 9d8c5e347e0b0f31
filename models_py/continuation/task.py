"""Playlist continuation as a task of ``train``: evaluate, then serve, then the source
write-ups' metrics (SQL in ``task.sql``); ``lw evaluate playlist-continuation`` runs it
alone."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict

import duckdb
import pandas as pd

from models_py import ml_store, source_metrics
from models_py import playlist_aggregate_models as aggregate_models
from models_py.continuation.config import (
    BASELINES,
    OWN_SCORE_TABLE,
    SCORE_TABLE,
    TASK,
    ContinuationConfig,
)
from models_py.continuation.evaluation import Evaluation, _evaluate, results_table
from models_py.continuation.serving import continuation_frame, own_playlist_continuations
from models_py.sql_files import load
from models_py.tasks import TaskContext, TaskOutput

log = logging.getLogger("lw")

Q = load(__file__)

N_MPD_PLAYLISTS_SQL = Q["n_mpd_playlists"]


def _source_write_up_metrics(
    con: duckdb.DuckDBPyConnection, evaluations: list[Evaluation], seed: int, progress: bool
) -> list[ml_store.ModelResult]:
    """The source write-ups' own metrics (song matches, aggregate distance, follower
    difference) added to every evaluation, plus the follower regression and the KMeans
    elbow as model results (no follower regression nor follower difference when too few
    training playlists have followers). Needs ``prepare``'s temp tables, so it runs before the own
    playlists replace them."""

    if not evaluations:
        return []
    aggregates = aggregate_models.training_aggregates(con)
    try:
        follower_model, follower_results = aggregate_models.fit_follower_regression(
            aggregates, seed=seed
        )
    except aggregate_models.TooFewPlaylists as e:  # a small MPD slice: the rest still holds
        follower_model, follower_results = None, []
        if progress:
            log.info("%s", f"  follower regression: skipped ({e})")
    for e in evaluations:
        e.metrics.update(
            source_metrics.source_metrics(con, e.predictions, e.seed_size, follower_model)
        )
    return follower_results + aggregate_models.kmeans_elbow(
        aggregates, seed=seed, progress=progress
    )


def missing_input(con: duckdb.DuckDBPyConnection) -> str | None:
    """Why there is nothing to learn from (a phrase for the run's `skipped` line), or None:
    the method and its evaluation need MPD playlists."""
    (n_playlists,) = con.execute(N_MPD_PLAYLISTS_SQL).fetchall()[0]
    return None if n_playlists else "no playlist in mpd/"


def run(
    con: duckdb.DuckDBPyConnection,
    seed: int = 42,
    config: ContinuationConfig | None = None,
    progress: bool = True,
) -> tuple[list[ml_store.ModelResult], dict[str, pd.DataFrame], None]:
    """Evaluate every method at every seed size, then continue the user's own playlists.

    Returns ModelResults (task ``playlist_continuation:k<k>``; metrics r_precision, ndcg,
    clicks, n_playlists, playlists_per_second; ours' params hold its blend weights and
    validation figures), the score tables ``playlist_continuations`` (playlist_id,
    seed_size, rank, track_id, method) and ``own_playlist_continuations`` (playlist_id,
    rank, track_id, score, method) — ``run_id`` added by the caller — and None (nothing
    to save as an artifact: the method is a query).
    """
    config = config or ContinuationConfig()
    t0 = time.perf_counter()
    evaluations, timings, blend = _evaluate(con, config, seed, progress)
    params = {**asdict(config), **{k: round(v, 3) for k, v in timings.items()}}
    results = [
        ml_store.ModelResult(
            model_name=e.method,
            task=f"{TASK}:k{e.seed_size}",
            metrics=e.metrics,
            params={**params, **e.params, "seed": seed, "seconds": round(e.seconds, 3)},
            is_baseline=e.method in BASELINES,
        )
        for e in evaluations
    ]
    results += _source_write_up_metrics(con, evaluations, seed, progress)
    scores = {SCORE_TABLE: continuation_frame(con)}
    if blend is not None:
        scores[OWN_SCORE_TABLE] = own_playlist_continuations(con, config, blend, seed)
    if progress and evaluations:
        with pd.option_context("display.width", 160):
            log.info(
                "%s",
                results_table(evaluations).to_string(
                    index=False, float_format=lambda v: f"{v:.3f}"
                ),
            )
        log.info(
            "%s",
            "  (* baseline; source_method needs a seed track: not run at k = 0) "
            f"{time.perf_counter() - t0:.1f}s in all",
        )
    return results, scores, None


def run_task(ctx: TaskContext) -> TaskOutput:
    """Continuation as a task of `models_py.train` (the default `ContinuationConfig`;
    nothing to save: the method is a query)."""
    return TaskOutput(*run(ctx.con, seed=ctx.seed, progress=ctx.progress))
