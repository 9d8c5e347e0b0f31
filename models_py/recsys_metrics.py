"""The RecSys Challenge 2018 metrics (Spotify's ``metrics.py``), per playlist and vectorised.

For one playlist with ground truth G (its held-out tracks, distinct) and a ranked list of
predictions R (cut to the first ``max_n`` = 500, then deduplicated keeping the first
occurrence; the challenge rejected duplicate submissions, so this only matters for sloppy
predictors):

* R-precision = |R[:|G|] ∩ G| / |G|;
* DCG = Σᵢ relᵢ / log₂(i + 1) over R, i from 1; IDCG = Σ_{i=1..min(|G|, max_n)} 1/log₂(i + 1)
  (Spotify's ``ndcg`` caps the ideal list at the number of predictions, so a playlist with
  more than 500 held-out tracks can still score 1); NDCG = DCG / IDCG;
* clicks = ⌊(0-based index in R of the first relevant track) / 10⌋, or ``max_n / 10 + 1``
  (51) when R holds no relevant track — the number of 10-track pages a user refreshes.

``r_precision``, ``ndcg`` and ``clicks`` take plain sequences (one playlist);
``playlist_metrics`` scores many playlists at once from two long frames and
``summarise`` averages them (the challenge's score is the mean over playlists).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

__all__ = [
    "MAX_PREDICTIONS",
    "clicks",
    "dcg",
    "ndcg",
    "playlist_metrics",
    "r_precision",
    "summarise",
]

MAX_PREDICTIONS = 500


def _unique(items: Sequence[Hashable]) -> list[Hashable]:
    """Items in their first-seen order, each once."""
    return list(dict.fromkeys(items))


def _predictions(predictions: Sequence[Hashable], max_n: int) -> list[Hashable]:
    return _unique(list(predictions)[:max_n])


def _truth(targets: Sequence[Hashable]) -> set[Hashable]:
    truth = set(targets)
    if not truth:
        raise ValueError("the ground truth is empty: the metrics are undefined")
    return truth


def r_precision(
    targets: Sequence[Hashable], predictions: Sequence[Hashable], max_n: int = MAX_PREDICTIONS
) -> float:
    """|R[:|G|] ∩ G| / |G| on the deduplicated predictions."""
    truth = _truth(targets)
    top = _predictions(predictions, max_n)[: len(truth)]
    return len(truth.intersection(top)) / len(truth)


def dcg(
    targets: Sequence[Hashable], predictions: Sequence[Hashable], max_n: int = MAX_PREDICTIONS
) -> float:
    """Σᵢ relᵢ / log₂(i + 1) over the deduplicated predictions (i from 1)."""
    truth = _truth(targets)
    preds = _predictions(predictions, max_n)
    rel = np.array([p in truth for p in preds], dtype=np.float64)
    return float(np.sum(rel / np.log2(np.arange(2, len(rel) + 2))))


def _ideal_dcg(n_relevant: np.ndarray | int, max_n: int) -> np.ndarray:
    """IDCG for |G| = n_relevant (array or scalar), capped at max_n predictions."""
    cumulative = np.r_[0.0, np.cumsum(1.0 / np.log2(np.arange(2, max_n + 2)))]
    return cumulative[np.minimum(np.asarray(n_relevant), max_n)]


def ndcg(
    targets: Sequence[Hashable], predictions: Sequence[Hashable], max_n: int = MAX_PREDICTIONS
) -> float:
    """DCG / IDCG, IDCG over min(|G|, max_n) relevant tracks."""
    n_truth = len(_truth(targets))
    return dcg(targets, predictions, max_n) / float(_ideal_dcg(n_truth, max_n))


def clicks(
    targets: Sequence[Hashable], predictions: Sequence[Hashable], max_n: int = MAX_PREDICTIONS
) -> float:
    """⌊index of the first relevant prediction / 10⌋; max_n / 10 + 1 (51) when none is."""
    truth = _truth(targets)
    for index, track in enumerate(_predictions(predictions, max_n)):
        if track in truth:
            return float(index // 10)
    return float(max_n // 10 + 1)


def playlist_metrics(
    predictions: pd.DataFrame,
    truth: pd.DataFrame,
    key: str | list[str] = "playlist_id",
    max_n: int = MAX_PREDICTIONS,
) -> pd.DataFrame:
    """R-precision, NDCG and clicks of every playlist, without a loop over playlists.

    ``predictions``: columns ``key`` (one or several, e.g. ``["playlist_id", "seed_size"]``),
    ``rank`` (1 = best) and ``track_id``. ``truth``: columns ``key`` and ``track_id`` (the
    held-out tracks; repeats are ignored). Every playlist of ``truth`` is scored — one with
    no predictions gets 0, 0 and 51 clicks; predictions of a playlist absent from ``truth``
    are ignored. Returns one row per playlist: ``key``, ``n_truth``, ``r_precision``,
    ``ndcg``, ``clicks``.
    """
    keys = [key] if isinstance(key, str) else list(key)
    truth = truth[[*keys, "track_id"]].drop_duplicates()
    per_playlist = truth.groupby(keys, sort=True, observed=True).size().rename("n_truth")
    per_playlist = per_playlist.reset_index()
    if (per_playlist["n_truth"] == 0).any() or per_playlist.empty:
        raise ValueError("no ground truth to score")

    preds = predictions[[*keys, "rank", "track_id"]].sort_values([*keys, "rank"], kind="stable")
    # cut to the first max_n predictions, then deduplicate keeping the first occurrence
    preds = preds[preds.groupby(keys, sort=False, observed=True).cumcount() < max_n]
    preds = preds.drop_duplicates([*keys, "track_id"], keep="first")
    preds = preds.assign(position=preds.groupby(keys, sort=False, observed=True).cumcount())
    hits = preds.merge(truth, on=[*keys, "track_id"], how="inner")
    hits = hits.merge(per_playlist, on=keys, how="inner")

    hits["in_top_g"] = hits["position"] < hits["n_truth"]
    hits["gain"] = 1.0 / np.log2(hits["position"].to_numpy(np.float64) + 2.0)
    agg = hits.groupby(keys, sort=False, observed=True).agg(
        n_hits_top_g=("in_top_g", "sum"),
        dcg=("gain", "sum"),
        first_hit=("position", "min"),
    )
    out = per_playlist.merge(agg.reset_index(), on=keys, how="left")
    out["r_precision"] = out["n_hits_top_g"].fillna(0).to_numpy(np.float64) / out["n_truth"]
    out["ndcg"] = out["dcg"].fillna(0.0).to_numpy() / _ideal_dcg(out["n_truth"].to_numpy(), max_n)
    first = out["first_hit"].to_numpy(np.float64)
    out["clicks"] = np.where(np.isnan(first), float(max_n // 10 + 1), np.floor(first / 10.0))
    return out[[*keys, "n_truth", "r_precision", "ndcg", "clicks"]]


def summarise(per_playlist: pd.DataFrame) -> dict[str, float]:
    """Means over playlists (the challenge's score) and the number of playlists."""
    return {
        "r_precision": float(per_playlist["r_precision"].mean()),
        "ndcg": float(per_playlist["ndcg"].mean()),
        "clicks": float(per_playlist["clicks"].mean()),
        "n_playlists": float(len(per_playlist)),
    }
