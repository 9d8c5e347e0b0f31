"""The source write-ups' metrics: song matches, aggregate distance and follower difference
against values worked out by hand on a tiny hand-made warehouse; agreement with RecSys
R-precision after ``continuation.prepare``; a follower regression that beats the mean
when followers depend on the aggregates and not when they are noise; a falling elbow."""

from __future__ import annotations

import math
from collections.abc import Iterator

import duckdb
import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

from models_py import continuation, source_metrics
from models_py import playlist_aggregate_models as aggregate_models
from models_py.continuation import AGGREGATE_FEATURES, AUDIO_FEATURES, ContinuationConfig
from models_py.playlist_aggregate_models import (
    fit_follower_regression,
    kmeans_elbow,
    training_aggregates,
)
from models_py.recsys_metrics import playlist_metrics, summarise
from models_py.source_metrics import playlist_source_metrics

MEANS = list(AGGREGATE_FEATURES)  # dim_playlists columns
TRACK_FEATURES = list(AGGREGATE_FEATURES.values())  # dim_spotify_tracks columns
ROOT8 = math.sqrt(len(MEANS))

# --- a hand-made warehouse with the temp tables of continuation.prepare ---------------------
#
# Every feature of a track has the same value, v below ("w" has no features). The two
# training playlists have every mean_* at -1 and +1: mean 0, population sd 1, so a
# standardised mean is the raw mean. The test playlists' own mean_* are 1000: were they part
# of the scale, every distance below would shrink.
#
#   p1 (followers 10):   a b c d b   seed size 1: seed a, held out {b, c, d}, T = 3
#                                    seed size 2: seeds a b, held out {c, d}, T = 2
#   p2 (followers 1000): e f g h     seed size 1: seed e, held out {f, g, h}, T = 3
#
# The original's aggregate vector is over its distinct tracks: p1 1.5, p2 0.75.

VALUES = {"a": 0, "b": 1, "c": 2, "d": 3, "e": 0, "f": 0, "g": 0, "h": 3, "x": 10, "y": 10}
VALUES |= {"z": 10, "w": None}
FOLLOWERS = {"p1": 10, "p2": 1000}


def _register(con: duckdb.DuckDBPyConnection, sql: str, frame: pd.DataFrame) -> None:
    con.register("frame", frame)
    con.execute(sql)
    con.unregister("frame")


@pytest.fixture
def hand_made() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.execute("create schema marts")
    tracks = pd.DataFrame(
        {"track_id": list(VALUES), **{f: [float("nan")] * len(VALUES) for f in TRACK_FEATURES}}
    )
    for f in TRACK_FEATURES:
        tracks[f] = [np.nan if v is None else float(v) for v in VALUES.values()]
    _register(con, "create table marts.dim_spotify_tracks as select * from frame", tracks)
    playlists = pd.DataFrame(
        {
            "playlist_id": ["q1", "q2", "p1", "p2"],
            "n_followers": [5, 7, FOLLOWERS["p1"], FOLLOWERS["p2"]],
            **{m: [-1.0, 1.0, 1000.0, 1000.0] for m in MEANS},
        }
    )
    _register(con, "create table marts.dim_playlists as select * from frame", playlists)
    split = pd.DataFrame(
        {
            "playlist_id": ["q1", "q2", "p1", "p2"],
            "sample_order": [1, 2, 3, 4],
            "is_test": [False, False, True, True],
        }
    )
    _register(con, "create temp table continuation_split as select * from frame", split)
    orders = {"p1": "abcdb", "p2": "efgh", "q1": "xyz", "q2": "abz"}
    entries = pd.DataFrame(
        [
            (p, i + 1, t, p.startswith("p"))
            for p, order in orders.items()
            for i, t in enumerate(order)
        ],
        columns=["playlist_id", "playlist_position", "track_id", "is_test"],
    )
    _register(con, "create temp table continuation_entries as select * from frame", entries)
    seeds = pd.DataFrame(
        [("p1", 1, "a", 1), ("p2", 1, "e", 1), ("p1", 2, "a", 1), ("p1", 2, "b", 2)],
        columns=["playlist_id", "seed_size", "track_id", "seed_position"],
    )
    _register(con, "create temp table continuation_seeds as select * from frame", seeds)
    evals = pd.DataFrame(
        [("p1", 1, 5, 1), ("p2", 1, 4, 2), ("p1", 2, 5, 1)],
        columns=["playlist_id", "seed_size", "n_tracks", "eval_rank"],
    )
    _register(con, "create temp table continuation_eval as select * from frame", evals)
    yield con
    con.close()


def _predictions(lists: dict[str, str]) -> pd.DataFrame:
    """playlist -> its predicted tracks in rank order, one letter each."""
    rows = [(p, r + 1, t) for p, tracks in lists.items() for r, t in enumerate(tracks)]
    return pd.DataFrame(rows, columns=["playlist_id", "rank", "track_id"])


class EnergyTimes100:
    """A follower predictor worked out by hand: 100 × mean_energy."""

    def predict_followers(self, aggregates: pd.DataFrame) -> np.ndarray:
        return 100.0 * aggregates["mean_energy"].to_numpy()


def _by_playlist(con, lists: dict[str, str], seed_size: int = 1, model=None) -> pd.DataFrame:
    frame = playlist_source_metrics(con, _predictions(lists), seed_size, model)
    return frame.set_index("playlist_id")


def test_perfect_continuation_matches_every_song_at_distance_zero(hand_made) -> None:
    per = _by_playlist(hand_made, {"p1": "bcdxy", "p2": "hgfx"})
    assert per["n_target"].to_dict() == {"p1": 3, "p2": 3}
    assert per["song_matches"].to_dict() == {"p1": 3, "p2": 3}
    assert per["song_match_share"].tolist() == [1.0, 1.0]
    assert per["aggregate_distance"].tolist() == pytest.approx([0.0, 0.0], abs=1e-12)


def test_disjoint_continuation(hand_made) -> None:
    lists = {"p1": "xyz", "p2": "xyz"}
    per = _by_playlist(hand_made, lists, model=EnergyTimes100())
    assert per["song_matches"].tolist() == [0, 0]
    # generated {a|e, x, y, z}: mean 7.5 on every feature; originals 1.5 and 0.75
    assert per.loc["p1", "aggregate_distance"] == pytest.approx(6.0 * ROOT8)
    assert per.loc["p2", "aggregate_distance"] == pytest.approx(6.75 * ROOT8)
    assert per["predicted_followers"].tolist() == pytest.approx([750.0, 750.0])
    assert per["follower_difference"].tolist() == pytest.approx([740.0, 250.0])
    means = source_metrics.source_metrics(
        hand_made, _predictions(lists), 1, follower_model=EnergyTimes100()
    )
    assert means == pytest.approx(
        {
            "song_matches": 0.0,
            "song_match_share": 0.0,
            "aggregate_distance": 6.375 * ROOT8,
            "follower_difference": 495.0,
        }
    )


def test_only_the_first_t_predictions_count(hand_made) -> None:
    # p1: the first 3 are x b c (d comes 4th); p2 has no predictions: seeds alone, mean 0
    per = _by_playlist(hand_made, {"p1": "xbcd"})
    assert per["song_matches"].to_dict() == {"p1": 2, "p2": 0}
    assert per.loc["p1", "song_match_share"] == pytest.approx(2 / 3)
    # p1 generated {a, x, b, c}: mean 13 / 4
    assert per.loc["p1", "aggregate_distance"] == pytest.approx((13 / 4 - 1.5) * ROOT8)
    assert per.loc["p2", "aggregate_distance"] == pytest.approx(0.75 * ROOT8)


def test_tracks_without_features_are_left_out_of_the_means(hand_made) -> None:
    # generated {a, b, c, w}: mean over a b c = 1 (counting w as 0 would give 0.75)
    per = _by_playlist(hand_made, {"p1": "bcw"})
    assert per.loc["p1", "song_matches"] == 2
    assert per.loc["p1", "aggregate_distance"] == pytest.approx(0.5 * ROOT8)


def test_a_playlist_with_no_features_at_all_sits_at_the_training_mean(hand_made) -> None:
    # p2's seed made featureless: generated {w, w, w, w} has an all-NULL vector, standardised
    # to 0 (the training mean); the original {w, f, g, h} averages f g h: 1
    hand_made.execute("update continuation_seeds set track_id = 'w' where playlist_id = 'p2'")
    per = _by_playlist(hand_made, {"p2": "www"})
    assert per.loc["p2", "aggregate_distance"] == pytest.approx(1.0 * ROOT8)


def test_seed_size_selects_its_playlists_and_seeds(hand_made) -> None:
    # at k = 2 only p1 is evaluated; b at position 5 repeats a seed, so T = |{c, d}| = 2
    per = _by_playlist(hand_made, {"p1": "dcx"}, seed_size=2)
    assert list(per.index) == ["p1"]
    assert per.loc["p1", "n_target"] == 2
    assert per.loc["p1", "song_match_share"] == 1.0
    assert per.loc["p1", "aggregate_distance"] == pytest.approx(0.0, abs=1e-12)


def test_every_form_of_predictions_gives_the_same_figures(hand_made) -> None:
    frame = _predictions({"p1": "xbcd", "p2": "fyz"})
    hand_made.register("frame", frame)
    hand_made.execute("create temp table my_predictions as select * from frame")
    hand_made.unregister("frame")
    forms = {
        "temp table": "my_predictions",
        "relation": hand_made.table("my_predictions"),
        "pandas": frame,
        "arrow": hand_made.table("my_predictions").to_arrow_table(),
    }
    got = {
        name: source_metrics.source_metrics(hand_made, preds, 1, EnergyTimes100())
        for name, preds in forms.items()
    }
    assert set(got["pandas"]) == set(source_metrics.METRICS)
    for name, metrics in got.items():
        assert metrics == got["pandas"], name
    # the view is gone afterwards, and a name is a table name, never SQL
    assert not hand_made.execute(
        "select * from duckdb_views() where view_name = ?", [source_metrics.PREDICTIONS_VIEW]
    ).fetchall()
    with pytest.raises(duckdb.CatalogException):
        source_metrics.source_metrics(hand_made, "my_predictions; drop table my_predictions", 1)


def test_repeated_ranks_are_refused(hand_made) -> None:
    twice = pd.concat([_predictions({"p1": "bcd"})] * 2)
    with pytest.raises(ValueError, match="repeated"):
        source_metrics.source_metrics(hand_made, twice, 1)


# --- after continuation.prepare: agreement with RecSys R-precision -------------------------


def _random_warehouse(con: duckdb.DuckDBPyConnection, seed: int = 3) -> None:
    """400 MPD playlists of 8–40 tracks from a 200-track catalog with random features."""
    rng = np.random.default_rng(seed)
    catalog = [f"t{i:03d}" for i in range(200)]
    con.execute("create schema marts")
    rows = []
    for i in range(400):
        n = int(rng.integers(8, 41))
        tracks = rng.choice(catalog, size=n, replace=True)  # repeats on purpose
        rows += [(f"mpd:{i}", pos + 1, "mpd", t) for pos, t in enumerate(tracks)]
    entries = pd.DataFrame(
        rows, columns=["playlist_id", "playlist_position", "playlist_source", "track_id"]
    )
    _register(con, "create table marts.fct_playlist_tracks as select * from frame", entries)
    features = pd.DataFrame(rng.random((len(catalog), len(TRACK_FEATURES))), columns=TRACK_FEATURES)
    features.insert(0, "track_id", catalog)
    for column in AUDIO_FEATURES:  # the continuation's own feature columns, where missing
        if column not in features:
            features[column] = rng.random(len(catalog))
    _register(con, "create table marts.dim_spotify_tracks as select * from frame", features)
    means = ", ".join(f"avg(tracks.{t}) as {m}" for m, t in AGGREGATE_FEATURES.items())
    con.execute(
        f"""
        create table marts.dim_playlists as
        select
            entries.playlist_id,
            'mpd' as playlist_source,
            cast(null as varchar) as playlist_name,
            cast(1 + hash(entries.playlist_id) % 50 as bigint) as n_followers,
            {means}
        from marts.fct_playlist_tracks as entries
        inner join marts.dim_spotify_tracks as tracks on entries.track_id = tracks.track_id
        group by entries.playlist_id
        """  # noqa: S608 - column names from AGGREGATE_FEATURES
    )
    # the split is dbt's (marts.dim_ml_splits): here every fifth playlist is a test one
    con.execute(
        """
        create table marts.dim_ml_splits as
        select
            'playlist' as entity_type,
            playlist_id as entity_id,
            case when cast(split_part(playlist_id, ':', 2) as integer) % 5 = 0
                then 'test' else 'train'
            end as split
        from marts.dim_playlists
        """
    )


def test_after_prepare_perfect_lists_score_one_and_random_ones_match_r_precision() -> None:
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    _random_warehouse(con)
    config = ContinuationConfig(seed_sizes=(1, 5))
    sizes = continuation.prepare(con, config)
    assert sizes == [1, 5]
    with threadpool_limits(limits=1, user_api="openmp"):
        model, _ = fit_follower_regression(training_aggregates(con), n_splits=3)
    entries = con.sql("select * from continuation_entries where is_test").df()
    evals = con.sql("select playlist_id, seed_size from continuation_eval").df()
    rng = np.random.default_rng(11)
    catalog = sorted(set(entries["track_id"]))
    for k in sizes:
        playlists = evals.loc[evals["seed_size"] == k, "playlist_id"]
        mine = entries[entries["playlist_id"].isin(playlists)].sort_values(
            ["playlist_id", "playlist_position"]
        )
        seeds = mine[mine["playlist_position"] <= k]
        later = mine[mine["playlist_position"] > k].drop_duplicates(["playlist_id", "track_id"])
        truth = later.merge(seeds[["playlist_id", "track_id"]], how="left", indicator=True).query(
            "_merge == 'left_only'"
        )[["playlist_id", "track_id"]]

        perfect = truth.assign(rank=truth.groupby("playlist_id").cumcount() + 1)
        got = source_metrics.source_metrics(con, perfect, k, model)
        assert got["song_match_share"] == 1.0
        assert got["aggregate_distance"] == pytest.approx(0.0, abs=1e-9)
        assert got["song_matches"] == pytest.approx(len(truth) / len(playlists))
        assert got["follower_difference"] >= 0.0

        shuffled = pd.DataFrame(
            [
                (p, r + 1, t)
                for p in playlists
                for r, t in enumerate(rng.choice(catalog, size=60, replace=False))
            ],
            columns=["playlist_id", "rank", "track_id"],
        )
        expected = summarise(playlist_metrics(shuffled, truth))["r_precision"]
        got = source_metrics.source_metrics(con, shuffled, k)
        assert 0.0 < got["song_match_share"] < 1.0
        assert got["song_match_share"] == pytest.approx(expected)
        assert got["aggregate_distance"] > 0.0
        assert "follower_difference" not in got  # no follower model given
    con.close()


# --- the follower regression ----------------------------------------------------------------


def _followers_warehouse(dependent: bool, n: int = 800, seed: int = 5) -> duckdb.DuckDBPyConnection:
    """marts.dim_playlists of n playlists with uniform random aggregates (a few missing) and
    a continuation_split holding out every eighth; followers depend on the aggregates or
    are the demo generator's independent Pareto noise."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.random((n, len(MEANS))), columns=MEANS)
    if dependent:
        log_followers = (
            1.0
            + 3.0 * frame["mean_energy"]
            - 2.0 * frame["mean_valence"]
            + 2.0 * (frame["mean_danceability"] - 0.5) ** 2
            + rng.normal(0.0, 0.3, n)
        )
        followers = np.round(np.expm1(log_followers.clip(lower=0.0)))
    else:
        followers = 1 + np.floor(rng.pareto(1.6, n) * 0.8)
    frame.loc[rng.random(n) < 0.02, "mean_liveness"] = np.nan
    frame.insert(0, "playlist_id", [f"mpd:{i}" for i in range(n)])
    frame.insert(1, "n_followers", followers.astype("int64"))
    con = duckdb.connect()
    con.execute("create schema marts")
    _register(con, "create table marts.dim_playlists as select * from frame", frame)
    split = pd.DataFrame({"playlist_id": frame["playlist_id"], "is_test": np.arange(n) % 8 == 0})
    _register(con, "create temp table continuation_split as select * from frame", split)
    return con


def _fit(dependent: bool):
    con = _followers_warehouse(dependent=dependent)
    aggregates = training_aggregates(con)
    con.close()
    # one OpenMP thread: on a shared 2-core runner the boosting's spin-waiting threads make
    # the fit ~10x slower; the fitted models are the same
    with threadpool_limits(limits=1, user_api="openmp"):
        return aggregates, *fit_follower_regression(aggregates, seed=42, n_splits=5)


@pytest.fixture(scope="module")
def dependent_fit():
    return _fit(dependent=True)


@pytest.fixture(scope="module")
def noise_fit():
    return _fit(dependent=False)


def test_the_regression_learns_from_training_playlists_only(dependent_fit) -> None:
    aggregates, _, results = dependent_fit
    ids = aggregates["playlist_id"].str.removeprefix("mpd:").astype(int)
    assert len(aggregates) == 700 and not (ids % 8 == 0).any()
    assert {r.task for r in results} == {aggregate_models.FOLLOWER_TASK}
    assert [r.model_name for r in results if r.is_baseline] == ["mean"]
    assert sum(r.params["is_selected"] for r in results) == 1
    assert all(r.metrics["n_playlists"] == 700 for r in results)


def test_the_regression_beats_the_mean_when_followers_depend_on_aggregates(dependent_fit):
    aggregates, model, results = dependent_fit
    by_name = {r.model_name: r.metrics for r in results}
    assert model.name != "mean"
    best, mean = by_name[model.name], by_name["mean"]
    assert mean["cv_r2"] < 0.01
    assert best["cv_r2"] > mean["cv_r2"] + 0.5
    assert best["cv_mae_followers"] < 0.8 * mean["cv_mae_followers"]
    # the refitted model follows the signal: more energy, more followers
    low, high = aggregates.copy(), aggregates.copy()
    low["mean_energy"], high["mean_energy"] = 0.1, 0.9
    assert (model.predict_followers(high) > model.predict_followers(low)).mean() > 0.9


def test_the_regression_finds_nothing_in_independent_noise(noise_fit) -> None:
    aggregates, model, results = noise_fit
    by_name = {r.model_name: r.metrics for r in results}
    assert all(m["cv_r2"] < by_name["mean"]["cv_r2"] + 0.02 for m in by_name.values())
    assert model.name == "mean"
    predicted = model.predict_followers(aggregates)
    assert np.ptp(predicted) == pytest.approx(0.0, abs=1e-9)


# --- the KMeans elbow -----------------------------------------------------------------------


def test_elbow_inertia_falls_with_k_and_the_silhouette_finds_the_blobs() -> None:
    rng = np.random.default_rng(2)
    centres = rng.normal(0.0, 5.0, (3, len(MEANS)))
    points = np.vstack([c + rng.normal(0.0, 0.5, (80, len(MEANS))) for c in centres])
    aggregates = pd.DataFrame(points, columns=MEANS)
    results = kmeans_elbow(aggregates, ks=(2, 3, 10, 50, 240, 500), seed=42)
    assert [r.model_name for r in results] == ["kmeans_k2", "kmeans_k3", "kmeans_k10", "kmeans_k50"]
    assert {r.task for r in results} == {aggregate_models.CLUSTER_TASK}
    inertia = [r.metrics["inertia"] for r in results]
    assert all(a > b for a, b in zip(inertia, inertia[1:], strict=False))
    silhouette = {r.params["k"]: r.metrics["silhouette"] for r in results}
    assert max(silhouette, key=silhouette.get) == 3


def test_a_win_within_the_fold_noise_keeps_the_mean() -> None:
    def cv(r2_ridge: float, std: float) -> dict[str, dict[str, float]]:
        return {
            "mean": {"cv_r2": -0.003, "cv_r2_std": 0.002},
            "ridge": {"cv_r2": r2_ridge, "cv_r2_std": std},
            "hist_gradient_boosting": {"cv_r2": -0.15, "cv_r2_std": 0.05},
        }

    # one standard error of ridge's R² over 4 folds: std / 2
    assert aggregate_models._one_standard_error_choice(cv(-0.002, 0.004), 4) == "mean"
    assert aggregate_models._one_standard_error_choice(cv(0.010, 0.004), 4) == "ridge"


def test_the_elbow_is_fitted_on_a_sample_of_at_most_max_playlists() -> None:
    aggregates = pd.DataFrame(np.random.default_rng(4).random((300, len(MEANS))), columns=MEANS)
    results = kmeans_elbow(aggregates, ks=(2, 10, 100), seed=1, max_playlists=100)
    assert [r.params["k"] for r in results] == [2, 10]  # k = 100 needs more than 100 playlists
    for r in results:
        assert r.metrics["n_playlists"] == 100
        assert r.metrics["inertia_per_playlist"] == pytest.approx(r.metrics["inertia"] / 100)
