"""Playlist continuation, ours' blend: its weights per seed size, fitted by a class-weighted
logistic regression on the validation playlists' candidates, or the fallback blend when
that scores a higher validation NDCG (SQL in ``blend.sql``)."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import duckdb
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from models_py.continuation.common import _frame, _load
from models_py.continuation.config import (
    BLEND_FEATURES,
    FALLBACK_WEIGHTS,
    VALIDATION,
    ContinuationConfig,
)
from models_py.continuation.cooccurrence import (
    CANDIDATES_SQL,
    FILL_SQL,
    RERANK_SQL,
    _ours_params,
    fit_cooccurrence,
)
from models_py.continuation.split import _pool_queries, _train
from models_py.recsys_metrics import PREDICTIONS_RELATION, TRUTH_RELATION, sql_summarise
from models_py.sql_files import load, render

log = logging.getLogger("lw")

Q = load(__file__)

FIT_COUNTS_SQL = Q["fit_counts"]
FIT_SAMPLE_SQL = render(
    Q["fit_sample"], blend_columns=", ".join(f"candidates.{f}" for f in BLEND_FEATURES)
)
METRIC_VIEWS_SQL = (
    render(Q["metric_predictions_view"], predictions_relation=PREDICTIONS_RELATION),
    render(Q["metric_truth_view"], truth_relation=TRUTH_RELATION),
)


@dataclass
class Blend:
    """Ours' fitted weights per seed size and how they did on the validation playlists."""

    weights: dict[int, dict[str, float]]
    report: dict[int, dict[str, float]] = field(default_factory=dict)

    def frame(self) -> pd.DataFrame:
        """One row per seed size: seed_size, w_<feature>…"""
        rows = [
            {"seed_size": k, **{f"w_{f}": float(w[f]) for f in BLEND_FEATURES}}
            for k, w in sorted(self.weights.items())
        ]
        return pd.DataFrame(
            rows, columns=["seed_size", *(f"w_{f}" for f in BLEND_FEATURES)]
        ).astype({"seed_size": "int64"})

    def params(self) -> dict[str, float]:
        """Flat weights and validation figures for ``ModelResult.params``."""
        out = {
            f"blend_k{k}_w_{f}": round(w[f], 6)
            for k, w in sorted(self.weights.items())
            for f in BLEND_FEATURES
        }
        for k, r in sorted(self.report.items()):
            out.update({f"validation_k{k}_{m}": round(v, 4) for m, v in r.items()})
        return out


def _use_blend(con: duckdb.DuckDBPyConnection, weights: dict[int, dict[str, float]]) -> None:
    _load(con, Blend(weights).frame(), "continuation_blend")


def _score(con: duckdb.DuckDBPyConnection, n: int) -> dict[str, float]:
    """SQL metrics of ``continuation_ranked`` against ``continuation_query_truth``."""
    for sql in METRIC_VIEWS_SQL:
        con.execute(sql)
    return sql_summarise(con, max_n=n, assume_clean=True)


def _fit_logistic(sample: pd.DataFrame, seed: int) -> dict[str, float]:
    """Raw-feature weights of a class-weighted logistic regression (the scaler folded in;
    a feature that does not vary gets 0)."""
    features = [f for f in BLEND_FEATURES if sample[f].std() > 0]
    weights = dict.fromkeys(BLEND_FEATURES, 0.0)
    if not features or sample["is_relevant"].nunique() < 2:
        return weights
    model = Pipeline(
        [
            ("scale", StandardScaler()),
            (
                "logistic",
                LogisticRegression(class_weight="balanced", max_iter=1000, random_state=seed),
            ),
        ]
    )
    model.fit(sample[features].to_numpy(np.float64), sample["is_relevant"].to_numpy())
    coef = model.named_steps["logistic"].coef_[0] / model.named_steps["scale"].scale_
    weights.update({f: float(c) for f, c in zip(features, coef, strict=True)})
    return weights


def fit_blend(
    con: duckdb.DuckDBPyConnection,
    config: ContinuationConfig,
    sizes: list[int],
    seed: int = 42,
    progress: bool = False,
) -> Blend:
    """The validation stage: train on MPD minus both pools, fit ours' weights per seed size
    on the validation playlists' candidates, keep them unless the fallback blend has the
    higher validation NDCG. Needs ``prepare``; leaves the validation stage's tables."""
    _train(con, config, VALIDATION)
    fit_cooccurrence(con, config, VALIDATION, progress)
    n = config.n_predictions
    weights: dict[int, dict[str, float]] = {}
    report: dict[int, dict[str, float]] = {}
    for k in sizes:
        weights[k] = dict(FALLBACK_WEIGHTS)
        if _pool_queries(con, VALIDATION, k) == 0:
            continue
        params = _ours_params(config, n)
        con.execute(CANDIDATES_SQL, params)
        n_candidates, n_relevant = con.execute(FIT_COUNTS_SQL).fetchall()[0]
        if n_relevant == 0:
            continue
        n_negative = max(n_candidates - n_relevant, 1)
        permille = min(1000, math.ceil(1000 * config.max_fit_negatives / n_negative))
        sample = _frame(con, FIT_SAMPLE_SQL, {"negative_permille": permille})
        learned = _fit_logistic(sample, seed)
        # the learned blend, the fallback, and the learned one without audio / name
        # (the last two are reported only, to show what those features add)
        candidates = {
            "learned": learned,
            "fallback": FALLBACK_WEIGHTS,
            "no_audio": {**learned, "audio": 0.0},
            "no_name": {**learned, "name": 0.0},
        }
        scores = {}
        for name, w in candidates.items():
            _use_blend(con, {k: w})
            con.execute(RERANK_SQL, {"n": n})
            con.execute(FILL_SQL, {"n": n})
            scores[name] = _score(con, n)
        best = "learned" if scores["learned"]["ndcg"] >= scores["fallback"]["ndcg"] else "fallback"
        weights[k] = dict(candidates[best])
        report[k] = {
            **{f"{m}_{name}": v[m] for name, v in scores.items() for m in ("ndcg", "r_precision")},
            "clicks_learned": scores["learned"]["clicks"],
            "clicks_fallback": scores["fallback"]["clicks"],
            "uses_learned": float(best == "learned"),
            "n_playlists": scores["learned"]["n_playlists"],
            "n_fit_rows": float(len(sample)),
        }
        if progress:
            log.info(
                "%s",
                f"  blend k={k}: "
                + ", ".join(f"{f} {weights[k][f]:.4g}" for f in BLEND_FEATURES)
                + f" ({best}; validation NDCG learned {scores['learned']['ndcg']:.3f}, "
                f"fallback {scores['fallback']['ndcg']:.3f}, learned without audio "
                f"{scores['no_audio']['ndcg']:.3f}, without name {scores['no_name']['ndcg']:.3f})",
            )
    return Blend(weights, report)
