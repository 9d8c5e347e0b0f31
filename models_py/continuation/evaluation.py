"""Playlist continuation, the evaluation: every method at every seed size on the test pool,
scored the RecSys Challenge 2018 way, with the throughput of each (SQL in
``evaluation.sql``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from models_py.continuation.baselines import (
    fit_source_method,
    predict_popularity,
    predict_source_method,
)
from models_py.continuation.blend import Blend, _score, _use_blend, fit_blend
from models_py.continuation.common import _frame
from models_py.continuation.config import (
    BASELINES,
    OURS,
    POPULARITY,
    SOURCE_METHOD,
    TEST,
    ContinuationConfig,
)
from models_py.continuation.cooccurrence import fit_cooccurrence, predict_cooccurrence
from models_py.continuation.split import _pool_queries, _train, prepare
from models_py.sql_files import load

log = logging.getLogger("lw")

Q = load(__file__)

APPEND_SQL = Q["append"]
PREDICTIONS_FRAME_SQL = Q["predictions_frame"]


@dataclass
class Evaluation:
    """One method at one seed size. ``predictions`` (playlist_id, rank, track_id) is read
    from the connection's temp tables on first access (the connection must be open)."""

    method: str
    seed_size: int
    metrics: dict[str, float]
    seconds: float
    predict_seconds: float = 0.0
    score_seconds: float = 0.0
    params: dict[str, float] = field(default_factory=dict)
    loader: Callable[[], pd.DataFrame] | None = field(default=None, repr=False, compare=False)
    _predictions: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def predictions(self) -> pd.DataFrame:
        """The ranked lists of this method at this seed size."""
        if self._predictions is None:
            if self.loader is None:
                raise ValueError("no predictions kept for this evaluation")
            self._predictions = self.loader()
        return self._predictions


def _loader(con: duckdb.DuckDBPyConnection, method: str, k: int) -> Callable[[], pd.DataFrame]:
    def load() -> pd.DataFrame:
        frame = _frame(con, PREDICTIONS_FRAME_SQL, {"method": method, "seed_size": k})
        return frame[["playlist_id", "rank", "track_id"]]

    return load


def _evaluate(
    con: duckdb.DuckDBPyConnection, config: ContinuationConfig, seed: int, progress: bool
) -> tuple[list[Evaluation], dict[str, float], Blend | None]:
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    sizes = prepare(con, config)
    timings["prepare_seconds"] = time.perf_counter() - t0
    skipped = sorted(set(config.seed_sizes) - set(sizes))
    if progress and skipped:
        log.info("%s", f"  seed sizes {skipped} skipped: no test playlist qualifies")
    if not sizes:
        return [], timings, None

    t0 = time.perf_counter()
    blend = fit_blend(con, config, sizes, seed, progress)
    timings["cooccurrence_blend_fit_seconds"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    _train(con, config, TEST)
    timings["popularity_fit_seconds"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    fit_cooccurrence(con, config, TEST, progress)
    _use_blend(con, blend.weights)
    timings["cooccurrence_fit_seconds"] = (
        time.perf_counter() - t0 + timings["cooccurrence_blend_fit_seconds"]
    )
    source_model = None
    if any(k > 0 for k in sizes):
        t0 = time.perf_counter()
        source_model = fit_source_method(con, config, seed, progress)
        timings["source_method_fit_seconds"] = time.perf_counter() - t0
    if progress:
        log.info(
            "%s",
            "  fitted in "
            + ", ".join(f"{k.removesuffix('_seconds')} {v:.1f}s" for k, v in timings.items()),
        )

    n = config.n_predictions
    predictors: dict[str, Callable[[int], None]] = {
        OURS: lambda k: predict_cooccurrence(con, config),
        POPULARITY: lambda k: predict_popularity(con, n),
        SOURCE_METHOD: lambda k: predict_source_method(con, source_model, k, config, seed),
    }
    out: list[Evaluation] = []
    timings["queries_seconds"] = timings["append_seconds"] = 0.0
    for k in sizes:
        t0 = time.perf_counter()
        _pool_queries(con, TEST, k)
        timings["queries_seconds"] += time.perf_counter() - t0
        for method, predict in predictors.items():
            if method == SOURCE_METHOD and k == 0:
                continue  # it grows the list from a seed track: nothing to start from
            t0 = time.perf_counter()
            predict(k)
            t1 = time.perf_counter()
            metrics = _score(con, n)
            t2 = time.perf_counter()
            con.execute(APPEND_SQL, {"method": method, "seed_size": k})
            timings["append_seconds"] += time.perf_counter() - t2
            seconds = t2 - t0
            metrics["playlists_per_second"] = metrics["n_playlists"] / max(seconds, 1e-9)
            for phase, s in (("predict", t1 - t0), ("score", t2 - t1)):
                key = f"{method}_{phase}_seconds"
                timings[key] = timings.get(key, 0.0) + s
            out.append(
                Evaluation(
                    method,
                    k,
                    metrics,
                    seconds,
                    predict_seconds=t1 - t0,
                    score_seconds=t2 - t1,
                    params=blend.params() if method == OURS else {},
                    loader=_loader(con, method, k),
                )
            )
            if progress:
                log.info(
                    "%s",
                    f"  {method} k={k}: {int(metrics['n_playlists'])} playlists, "
                    f"R-precision {metrics['r_precision']:.3f}, NDCG {metrics['ndcg']:.3f}, "
                    f"clicks {metrics['clicks']:.2f}; {seconds:.2f}s "
                    f"({metrics['playlists_per_second']:.0f} playlists/s)",
                )
    return out, timings, blend


def evaluate(
    con: duckdb.DuckDBPyConnection,
    config: ContinuationConfig | None = None,
    seed: int = 42,
    progress: bool = True,
) -> tuple[list[Evaluation], dict[str, float]]:
    """Fit on the training playlists, then run every method at every seed size on the test
    playlists; return the evaluations and the timings (seconds: prepare, fits, per-k query
    tables, and per method the summed predict and score time)."""
    evaluations, timings, _ = _evaluate(con, config or ContinuationConfig(), seed, progress)
    return evaluations, timings


def results_table(evaluations: list[Evaluation]) -> pd.DataFrame:
    """method × seed size × R-precision / NDCG / clicks / playlists per second."""
    rows = [
        {
            "method": e.method + (" *" if e.method in BASELINES else ""),
            "k": e.seed_size,
            **{
                m: e.metrics[m]
                for m in ("r_precision", "ndcg", "clicks", "n_playlists", "playlists_per_second")
            },
            **{
                m: e.metrics.get(m, float("nan"))
                for m in ("song_matches", "aggregate_distance", "follower_difference")
            },
        }
        for e in evaluations
    ]
    return pd.DataFrame(rows).sort_values(["k", "r_precision"], ascending=[True, False])
