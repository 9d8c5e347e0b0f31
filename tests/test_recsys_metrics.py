"""The RecSys Challenge 2018 metrics: Spotify's test vector, edge cases, and the vectorised
helpers agreeing with the per-playlist definitions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models_py.recsys_metrics import (
    clicks,
    dcg,
    ndcg,
    playlist_metrics,
    r_precision,
    summarise,
)

G = [1, 2, 3, 5, 8, 99]
R = [5, 8, 13, 3]


def test_reference_vector() -> None:
    assert r_precision(G, R) == pytest.approx(0.5)
    assert round(ndcg(G, R), 3) == 0.624
    assert clicks(G, R) == 0.0
    # DCG by hand: hits at ranks 1, 2 and 4
    assert dcg(G, R) == pytest.approx(1 + 1 / np.log2(3) + 1 / np.log2(5))


def test_duplicate_predictions_count_once() -> None:
    # the repeated 5 neither scores twice nor pushes the later hits down
    assert r_precision(G, [5, 5, 8, 13, 3]) == pytest.approx(0.5)
    assert ndcg(G, [5, 5, 8, 5, 13, 3]) == pytest.approx(ndcg(G, R))
    assert clicks([7], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 7]) == 0.0
    assert r_precision([1, 2], [1, 1]) == pytest.approx(0.5)


def test_no_relevant_prediction() -> None:
    assert clicks(G, [100, 101, 102]) == 51.0
    assert clicks(G, []) == 51.0
    assert r_precision(G, [100]) == 0.0
    assert ndcg(G, [100]) == 0.0


def test_clicks_pages_and_cut_at_500() -> None:
    preds = list(range(1000, 1500))
    assert clicks([1000 + 25], preds) == 2.0
    assert clicks([1000 + 9], preds) == 0.0
    assert clicks([1000 + 10], preds) == 1.0
    # a hit beyond the 500th prediction does not count
    assert clicks([7], [*preds, 7]) == 51.0


def test_perfect_prediction_and_long_truth() -> None:
    assert ndcg(G, G) == pytest.approx(1.0)
    assert r_precision(G, list(reversed(G))) == pytest.approx(1.0)
    # more than 500 held-out tracks: the ideal list is capped at 500 (Spotify's ndcg)
    truth = list(range(600))
    assert ndcg(truth, truth[:500]) == pytest.approx(1.0)


def test_empty_truth_is_an_error() -> None:
    with pytest.raises(ValueError):
        r_precision([], [1])


def _long(per_playlist: dict[str, list]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"playlist_id": p, "rank": i + 1, "track_id": t}
            for p, tracks in per_playlist.items()
            for i, t in enumerate(tracks)
        ]
    )


def test_vectorised_matches_definitions() -> None:
    rng = np.random.default_rng(0)
    truths, preds = {}, {}
    for i in range(60):
        truths[f"p{i}"] = list(rng.choice(300, size=rng.integers(1, 40), replace=False))
        # duplicates and misses on purpose
        preds[f"p{i}"] = list(rng.choice(300, size=rng.integers(0, 600), replace=True))
    truth_frame = _long(truths).drop(columns="rank")
    pred_frame = _long(preds).sample(frac=1.0, random_state=1)  # order must not matter
    out = playlist_metrics(pred_frame, truth_frame).set_index("playlist_id")
    assert len(out) == 60
    for p in truths:
        row = out.loc[p]
        assert row["r_precision"] == pytest.approx(r_precision(truths[p], preds[p]))
        assert row["ndcg"] == pytest.approx(ndcg(truths[p], preds[p]))
        assert row["clicks"] == clicks(truths[p], preds[p])
    means = summarise(out)
    assert means["n_playlists"] == 60
    assert means["ndcg"] == pytest.approx(out["ndcg"].mean())


def test_vectorised_reference_vector_and_missing_predictions() -> None:
    truth = _long({"a": G, "b": [1, 2]}).drop(columns="rank")
    preds = _long({"a": R, "z": [1]})  # b has no predictions; z has no truth
    out = playlist_metrics(preds, truth).set_index("playlist_id")
    assert list(out.index) == ["a", "b"]
    assert out.loc["a", "r_precision"] == pytest.approx(0.5)
    assert round(out.loc["a", "ndcg"], 3) == 0.624
    assert out.loc["a", "clicks"] == 0.0
    assert tuple(out.loc["b", ["r_precision", "ndcg", "clicks"]]) == (0.0, 0.0, 51.0)


def test_vectorised_composite_key() -> None:
    truth = pd.DataFrame(
        {"playlist_id": ["a", "a", "a"], "seed_size": [1, 1, 5], "track_id": [5, 8, 9]}
    )
    preds = pd.DataFrame(
        {"playlist_id": ["a"] * 3, "seed_size": [1, 1, 5], "rank": [1, 2, 1], "track_id": [5, 8, 9]}
    )
    out = playlist_metrics(preds, truth, key=["playlist_id", "seed_size"])
    assert list(out["r_precision"]) == [1.0, 1.0]
