"""The RecSys Challenge 2018 metrics: Spotify's test vector, edge cases, and the vectorised
and SQL versions agreeing with the per-playlist definitions."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from models_py.recsys_metrics import (
    PREDICTIONS_RELATION,
    TRUTH_RELATION,
    clicks,
    dcg,
    ndcg,
    playlist_metrics,
    r_precision,
    sql_playlist_metrics,
    sql_summarise,
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


# --- the SQL version ----------------------------------------------------------------------


def _sql(preds: pd.DataFrame, truth: pd.DataFrame, **kwargs) -> pd.DataFrame:
    with duckdb.connect() as con:
        return sql_playlist_metrics(con, preds, truth, **kwargs).set_index("playlist_id")


def _assert_same(sql: pd.DataFrame, python: pd.DataFrame) -> None:
    python = python.set_index("playlist_id").sort_index()
    assert list(sql.index) == list(python.index)
    assert (sql["n_truth"] == python["n_truth"]).all()
    for m in ("r_precision", "ndcg"):
        np.testing.assert_allclose(sql[m].to_numpy(), python[m].to_numpy(), rtol=1e-12)
    assert (sql["clicks"] == python["clicks"]).all()


@pytest.mark.parametrize("assume_clean", [False, True])
def test_sql_reference_vector_and_missing_predictions(assume_clean: bool) -> None:
    truth = _long({"a": G, "b": [1, 2]}).drop(columns="rank")
    preds = _long({"a": R, "z": [1]})  # b has no predictions; z has no truth
    out = _sql(preds, truth, assume_clean=assume_clean)
    assert list(out.index) == ["a", "b"]
    assert out.loc["a", "r_precision"] == pytest.approx(0.5)
    assert round(out.loc["a", "ndcg"], 3) == 0.624
    assert out.loc["a", "clicks"] == 0.0
    assert tuple(out.loc["b", ["r_precision", "ndcg", "clicks"]]) == (0.0, 0.0, 51.0)


def test_sql_matches_python_on_messy_lists() -> None:
    """Duplicates, more than 500 predictions, gaps between ranks, any row order."""
    rng = np.random.default_rng(3)
    truths, preds = {}, {}
    for i in range(80):
        truths[f"p{i}"] = list(rng.choice(300, size=rng.integers(1, 40), replace=False))
        preds[f"p{i}"] = list(rng.choice(300, size=rng.integers(0, 700), replace=True))
    truth = _long(truths).drop(columns="rank")
    pred = _long(preds)
    pred["rank"] = pred.groupby("playlist_id")["rank"].transform(
        lambda r: np.cumsum(rng.integers(1, 4, len(r)))
    )
    pred = pred.sample(frac=1.0, random_state=2)
    _assert_same(_sql(pred, truth), playlist_metrics(pred, truth))
    # the per-playlist definitions too, on a few
    out = _sql(pred, truth)
    for p in ("p0", "p1", "p2"):
        ordered = pred[pred["playlist_id"] == p].sort_values("rank")["track_id"].tolist()
        assert out.loc[p, "ndcg"] == pytest.approx(ndcg(truths[p], ordered))
        assert out.loc[p, "clicks"] == clicks(truths[p], ordered)


def test_clean_sql_matches_python_on_clean_lists() -> None:
    rng = np.random.default_rng(4)
    truths = {
        f"p{i}": list(rng.choice(900, size=rng.integers(1, 60), replace=False)) for i in range(80)
    }
    preds = {f"p{i}": list(rng.permutation(900)[: rng.integers(0, 600)]) for i in range(80)}
    truth, pred = _long(truths).drop(columns="rank"), _long(preds)
    python = playlist_metrics(pred, truth)
    _assert_same(_sql(pred, truth, assume_clean=True), python)
    _assert_same(_sql(pred, truth), python)


def test_clean_sql_is_wrong_on_duplicates() -> None:
    """The cheap variant trusts its input: a repeated hit counts twice there."""
    truth = _long({"a": [1, 2]}).drop(columns="rank")
    preds = _long({"a": [1, 1, 3]})
    assert _sql(preds, truth).loc["a", "r_precision"] == pytest.approx(0.5)
    assert _sql(preds, truth, assume_clean=True).loc["a", "r_precision"] == pytest.approx(1.0)


def test_sql_summarise_reads_the_named_relations() -> None:
    truth = _long({"a": G, "b": [1, 2]}).drop(columns="rank")
    preds = _long({"a": R, "b": [2, 9]})
    with duckdb.connect() as con:
        con.register(PREDICTIONS_RELATION, preds)
        con.register(TRUTH_RELATION, truth)
        means = sql_summarise(con)
    expected = summarise(playlist_metrics(preds, truth))
    assert means == pytest.approx(expected)
