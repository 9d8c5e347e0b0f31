"""The models the source write-ups fitted on playlist aggregates: a follower regression
and a KMeans elbow (results under the tasks ``playlist_followers`` and
``playlist_clusters``). `models_py.source_metrics` uses the follower regression to judge a
generated playlist; playlist continuation (`models_py.continuation.task`) runs both.

Follower regression (``fit_follower_regression``)
    log1p(n_followers) from the ``mean_*`` aggregates of the training playlists (MPD minus
    the test pool of ``continuation_split``). Candidates — predict-the-mean, ridge, histogram
    gradient boosting, each a ``Pipeline`` with imputation and scaling — are compared by
    K-fold CV on the training playlists; the simplest one within a standard error of the
    best CV R² is refitted on all of them (the mean when nothing clearly beats it). On the
    generated demo data followers are independent Pareto noise, so R² ≈ 0 is the truth there.

KMeans elbow (``kmeans_elbow``)
    Inertia and silhouette (on a sample) of KMeans over the standardised training
    aggregates for k ∈ {2, 10, 50, 100}, as the write-ups fitted.

SQL reads ``marts.dim_playlists`` and the temp table ``continuation_split`` of
``continuation.prepare``; identifiers come from ``AGGREGATE_FEATURES``.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.dummy import DummyRegressor
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import RidgeCV
from sklearn.metrics import make_scorer, mean_absolute_error, silhouette_score
from sklearn.model_selection import KFold, cross_validate
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from tqdm import tqdm

from models_py import ml_store
from models_py.playlist_features import AGGREGATE_FEATURES

# the marts this module reads, every one public and contracted; the exposure that names
# this module lists exactly these (tests/test_exposures.py), and a run records a
# snapshot of each (ml_store.data_snapshot)
READS: tuple[str, ...] = ("marts.dim_playlists",)

FOLLOWER_TASK = "playlist_followers"
CLUSTER_TASK = "playlist_clusters"
MEAN_BASELINE = "mean"
FEATURES: list[str] = list(AGGREGATE_FEATURES)

TRAINING_AGGREGATES_SQL = f"""
select
    playlists.playlist_id,
    playlists.n_followers,
    {", ".join(f"playlists.{c}" for c in FEATURES)}
from marts.dim_playlists as playlists
inner join continuation_split as split
    on playlists.playlist_id = split.playlist_id
where not split.is_test
order by playlists.playlist_id
"""  # noqa: S608 - identifiers from AGGREGATE_FEATURES


@dataclass
class FollowerModel:
    """The selected follower regression, refitted on every training playlist."""

    name: str
    pipeline: Pipeline
    cv_metrics: dict[str, dict[str, float]]

    def predict_followers(self, aggregates: pd.DataFrame) -> np.ndarray:
        """Predicted followers (expm1 of the log1p prediction, at least 0)."""
        log_followers = self.pipeline.predict(aggregates[FEATURES])
        return np.clip(np.expm1(log_followers), 0.0, None)


def training_aggregates(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """playlist_id, n_followers and the ``mean_*`` aggregates of the training playlists of
    the last ``continuation.prepare`` (``continuation_split`` where not is_test)."""
    return con.sql(TRAINING_AGGREGATES_SQL).to_arrow_table().to_pandas()


def _candidates(seed: int) -> dict[str, Pipeline]:
    def pipeline(model) -> Pipeline:
        return Pipeline(
            [
                ("impute", SimpleImputer(strategy="mean")),
                ("scale", StandardScaler()),
                ("model", model),
            ]
        )

    return {
        MEAN_BASELINE: pipeline(DummyRegressor(strategy="mean")),
        "ridge": pipeline(RidgeCV(alphas=np.logspace(-3, 3, 13))),
        "hist_gradient_boosting": pipeline(
            HistGradientBoostingRegressor(
                learning_rate=0.1, max_iter=100, min_samples_leaf=40, random_state=seed
            )
        ),
    }


def _mae_followers(y_log: np.ndarray, pred_log: np.ndarray) -> float:
    return mean_absolute_error(np.expm1(y_log), np.clip(np.expm1(pred_log), 0.0, None))


def _one_standard_error_choice(cv_metrics: dict[str, dict[str, float]], n_splits: int) -> str:
    """The simplest candidate (in ``_candidates`` order: mean, ridge, boosting) whose CV R²
    is within one standard error of the best one's — a win smaller than the fold noise
    does not make the follower model more than the mean."""
    best = max(cv_metrics.values(), key=lambda m: m["cv_r2"])
    floor = best["cv_r2"] - best["cv_r2_std"] / np.sqrt(n_splits)
    return next(name for name, m in cv_metrics.items() if m["cv_r2"] >= floor)


class TooFewPlaylists(ValueError):
    """Too few training playlists with known followers for the follower regression's CV."""


def fit_follower_regression(
    aggregates: pd.DataFrame, seed: int = 42, n_splits: int = 5
) -> tuple[FollowerModel, list[ml_store.ModelResult]]:
    """Select a log1p(n_followers) regression on training playlist aggregates by K-fold CV,
    refit it on them all, and return it with one ModelResult per candidate.

    ``aggregates`` holds n_followers and the ``AGGREGATE_FEATURES`` columns of TRAINING
    playlists only (``training_aggregates``); rows without followers are dropped. Metrics:
    cv_r2 (on log1p, mean of the folds) and its std, cv_mae_followers, n_playlists; params
    ``is_selected`` marks the refitted one (the one-standard-error rule).
    """
    known = aggregates[aggregates["n_followers"].notna()]
    if len(known) < 2 * n_splits:
        raise TooFewPlaylists(
            f"{len(known)} training playlists with followers, {2 * n_splits} needed for CV"
        )
    x = known[FEATURES]
    y = np.log1p(known["n_followers"].to_numpy(dtype=float))
    folds = KFold(n_splits=n_splits, shuffle=True, random_state=seed)
    scoring = {"r2": "r2", "mae_followers": make_scorer(_mae_followers)}
    candidates = _candidates(seed)
    cv_metrics: dict[str, dict[str, float]] = {}
    for name, pipeline in candidates.items():
        scores = cross_validate(pipeline, x, y, cv=folds, scoring=scoring)
        cv_metrics[name] = {
            "cv_r2": float(np.mean(scores["test_r2"])),
            "cv_r2_std": float(np.std(scores["test_r2"])),
            "cv_mae_followers": float(np.mean(scores["test_mae_followers"])),
            "n_playlists": float(len(known)),
        }
    selected = _one_standard_error_choice(cv_metrics, n_splits)
    model = FollowerModel(selected, candidates[selected].fit(x, y), cv_metrics)
    params = {
        "target": "log1p(n_followers)",
        "features": FEATURES,
        "n_splits": n_splits,
        "seed": seed,
    }
    results = [
        ml_store.ModelResult(
            model_name=name,
            task=FOLLOWER_TASK,
            metrics=metrics,
            params={**params, "is_selected": name == selected},
            is_baseline=name == MEAN_BASELINE,
        )
        for name, metrics in cv_metrics.items()
    ]
    return model, results


# --- KMeans elbow ----------------------------------------------------------------------------


def kmeans_elbow(
    aggregates: pd.DataFrame,
    ks: Sequence[int] = (2, 10, 50, 100),
    seed: int = 42,
    max_playlists: int | None = 20_000,
    silhouette_sample: int = 5000,
    n_init: int = 2,
    progress: bool = False,
) -> list[ml_store.ModelResult]:
    """Inertia and silhouette of KMeans (imputed, standardised ``AGGREGATE_FEATURES``) per k.

    Fitted on at most ``max_playlists`` playlists (a fixed-seed sample; None: all of them —
    k = 100 on 90,000 playlists takes minutes on one core). One ModelResult per k (task
    ``playlist_clusters``, model ``kmeans_k<k>``; metrics inertia, inertia_per_playlist
    (comparable across sample sizes), silhouette on ``silhouette_sample`` of them,
    n_playlists fitted); a k of at least the number of playlists is skipped.
    """
    x = aggregates[FEATURES]
    if max_playlists is not None and len(x) > max_playlists:
        x = x.sample(n=max_playlists, random_state=seed)
    n = len(x)
    results: list[ml_store.ModelResult] = []
    for k in tqdm(sorted(set(ks)), desc="kmeans", unit="k", disable=not progress):
        if not 2 <= k < n:
            continue
        pipeline = Pipeline(
            [
                ("impute", SimpleImputer(strategy="mean")),
                ("scale", StandardScaler()),
                ("kmeans", KMeans(n_clusters=k, n_init=n_init, random_state=seed)),
            ]
        )
        labels = pipeline.fit_predict(x)
        inertia = float(pipeline["kmeans"].inertia_)
        metrics = {
            "inertia": inertia,
            "inertia_per_playlist": inertia / n,
            "n_playlists": float(n),
        }
        with suppress(ValueError):  # undefined when the sample holds a single cluster
            metrics["silhouette"] = float(
                silhouette_score(
                    pipeline[:-1].transform(x),
                    labels,
                    sample_size=min(n, silhouette_sample),
                    random_state=seed,
                )
            )
        results.append(
            ml_store.ModelResult(
                model_name=f"kmeans_k{k}",
                task=CLUSTER_TASK,
                metrics=metrics,
                params={
                    "k": k,
                    "seed": seed,
                    "n_init": n_init,
                    "max_playlists": max_playlists,
                    "features": FEATURES,
                },
            )
        )
    return results
