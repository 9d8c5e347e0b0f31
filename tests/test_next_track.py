"""Next-track recommendation: on a generated demo warehouse (scale 0.5, seed 42) ours beats
popularity on hit-rate@10 and MRR, every query gets exactly 10 distinct tracks, every
catalog track gets 10 suggestions and the run is deterministic; the metric helper and the
suggestion tiers are right on hand examples."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from models_py import ml_store, next_track
from support import BuildResult, run_cli

SEED = 42


@dataclass
class DemoRun:
    warehouse: Path
    results: dict[str, object]
    suggestions: pd.DataFrame


def _run(warehouse: Path) -> tuple[dict[str, object], pd.DataFrame]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("set enable_progress_bar = false")
        results, scores, artifact = next_track.run(con, seed=SEED, progress=False)
    assert set(scores) == {"next_track_suggestions"} and artifact is None
    return {r.model_name: r for r in results}, scores["next_track_suggestions"]


@pytest.mark.dbt
def test_lw_evaluate_runs_one_task_and_writes_nothing(demo_build, demo_raw_dir) -> None:
    """`lw evaluate next-track`: the task's table, the same figures the run recorded for
    the same warehouse, and the ml schema untouched; an unknown task is one line."""
    runs_sql = "select count(*) from ml.model_runs"
    before = demo_build.scalar(runs_sql)
    result = run_cli("evaluate", demo_raw_dir, demo_build.warehouse, "next-track")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    lines = result.stdout.splitlines()
    assert "next_track" in lines and any(line.startswith("popularity *") for line in lines)
    recorded = demo_build.scalar(
        "select value from marts.rpt_model_comparison "
        "where task = 'next_track' and model_name = 'transitions_backoff' and metric = 'mrr'"
    )
    ours = next(line for line in lines if line.startswith("transitions_backoff"))
    assert f"{recorded:.3f}" in ours.split()
    assert demo_build.scalar(runs_sql) == before

    unknown = run_cli("evaluate", demo_raw_dir, demo_build.warehouse, "nope")
    assert unknown.returncode == 2
    assert unknown.error_lines() == [
        "error: no task 'nope'; one of: playlist-classifier, skip-model, "
        "playlist-continuation, next-track"
    ]


@pytest.fixture(scope="module")
def demo(demo_large_build: BuildResult) -> DemoRun:
    """Every method on the suite's shared larger demo build (conftest: scale 0.5, seed 42)."""
    warehouse = demo_large_build.warehouse
    return DemoRun(warehouse, *_run(warehouse))


@pytest.mark.dbt
def test_results_shape(demo: DemoRun) -> None:
    assert set(demo.results) == set(next_track.METHODS)
    for name, r in demo.results.items():
        assert r.task == "next_track"
        assert r.is_baseline == (name == "popularity")
        assert set(r.metrics) == {"hit_rate_at_10", "mrr", "n_test_transitions"}
        assert r.metrics["n_test_transitions"] > 0
        assert 0 <= r.metrics["mrr"] <= r.metrics["hit_rate_at_10"] <= 1


@pytest.mark.dbt
@pytest.mark.parametrize("metric", ["hit_rate_at_10", "mrr"])
def test_ours_beats_popularity(demo: DemoRun, metric: str) -> None:
    ours = demo.results["transitions_backoff"].metrics[metric]
    baseline = demo.results["popularity"].metrics[metric]
    assert ours > baseline, (metric, ours, baseline)


@pytest.mark.dbt
def test_lists_and_split(demo: DemoRun) -> None:
    with duckdb.connect(str(demo.warehouse), read_only=True) as con:
        next_track.prepare(con)
        next_track.recommend(con)
        # exactly 10 distinct tracks, ranks 1..10, for every query and method
        bad = con.execute(
            """
            select count(*) from (
                select method, prev_track_id
                from nt_recs
                group by all
                having count(*) <> 10 or count(distinct track_id) <> 10
                    or min(rank) <> 1 or max(rank) <> 10
            )
            """
        ).fetchone()[0]
        assert bad == 0
        n_queries = con.execute("select count(*) from nt_queries").fetchone()[0]
        n_lists = con.execute("select count(distinct prev_track_id) from nt_recs").fetchone()[0]
        assert n_lists == n_queries > 0
        # the methods learn from the training scope of the dbt counts and are scored on the
        # test scope (which sequences those are: tests/test_ml_splits.py), about 10 %
        n_train = con.execute("select sum(n) from nt_pair_counts").fetchone()[0]
        n_test = con.execute("select sum(n) from nt_test").fetchone()[0]
        assert (n_train, n_test) == con.execute(
            """
            select
                sum(n_transitions) filter (where scope = 'training'),
                sum(n_transitions) filter (where scope = 'test')
            from marts.fct_next_track_pair_counts
            """
        ).fetchone()
        assert 0.05 < n_test / (n_train + n_test) < 0.15


@pytest.mark.dbt
def test_deterministic(demo: DemoRun) -> None:
    again, suggestions = _run(demo.warehouse)
    for name, r in demo.results.items():
        assert again[name].metrics == r.metrics
    pd.testing.assert_frame_equal(suggestions, demo.suggestions)


@pytest.mark.dbt
def test_suggestions_cover_every_catalog_track(demo: DemoRun) -> None:
    frame = demo.suggestions
    # the score table's columns (the caller adds run_id)
    assert set(frame.columns) == set(ml_store.SCORE_TABLES["next_track_suggestions"]) - {"run_id"}
    with duckdb.connect(str(demo.warehouse), read_only=True) as con:
        rows = con.execute("select track_id from marts.dim_spotify_tracks").fetchall()
    catalog = {t for (t,) in rows}
    assert set(frame["track_id"]) == catalog
    assert set(frame["next_track_id"]) <= catalog
    per_track = frame.groupby("track_id").agg(
        n=("rank", "size"),
        n_distinct=("next_track_id", "nunique"),
        min_rank=("rank", "min"),
        max_rank=("rank", "max"),
    )
    assert (per_track["n"] == 10).all() and (per_track["n_distinct"] == 10).all()
    assert (per_track["min_rank"] == 1).all() and (per_track["max_rank"] == 10).all()
    assert not (frame["next_track_id"] == frame["track_id"]).any()
    assert set(frame["method"]) == {"transitions_backoff"}
    # the demo has tracks with fewer than 10 successors (popularity: the hand examples)
    assert {"transitions", "audio_features"} <= set(frame["basis"]) <= set(next_track.BASES)
    assert frame["score"].between(0, 1).all()
    # tiers in order down each list; within a tier the score never rises with the rank
    ordered = frame.sort_values(["track_id", "rank"])
    tier = ordered["basis"].map({b: i for i, b in enumerate(next_track.BASES)})
    assert (tier.groupby(ordered["track_id"]).diff().dropna() >= 0).all()
    score_steps = ordered.groupby(["track_id", "basis"])["score"].diff().dropna()
    assert (score_steps <= 1e-12).all()


# --- suggestions on a hand-made warehouse ----------------------------------------------

# danceability only differs (the other features are equal; tempo and loudness constant over
# the catalog scale to null and count 0), so distance = |difference in danceability|;
# z has no audio features, u is never played before or after another track
HAND_TRACKS = {"a": 0.10, "b": 0.20, "c": 0.35, "d": 0.40, "e": 0.50, "f": 0.90, "u": 0.52}
HAND_TRACKS_WITHOUT_FEATURES = ["z"]
# (source, sequence, prev, next): a -> b x3, c x2, d, e and a repeat of a; b -> f x4.
# One transition per sequence: s02 (mpd) and s06, s08 (scrobble) hash into the test set,
# so counts from the training part alone would differ.
HAND_TRANSITIONS = [
    ("mpd_playlist", "s01", "a", "b"),
    ("mpd_playlist", "s02", "a", "b"),
    ("mpd_playlist", "s03", "a", "b"),
    ("mpd_playlist", "s04", "a", "c"),
    ("mpd_playlist", "s05", "a", "c"),
    ("mpd_playlist", "s06", "a", "d"),
    ("mpd_playlist", "s07", "a", "e"),
    ("mpd_playlist", "s08", "a", "a"),
    ("scrobble", "s06", "b", "f"),
    ("scrobble", "s07", "b", "f"),
    ("scrobble", "s08", "b", "f"),
    ("scrobble", "s09", "b", "f"),
]
SQRT6 = math.sqrt(6)


@pytest.fixture
def hand() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.execute("create schema marts")
    con.execute(
        """
        create table marts.dim_spotify_tracks (
            track_id varchar, danceability double, energy double, valence double,
            acousticness double, tempo_bpm double, loudness_db double
        )
        """
    )
    con.executemany(
        "insert into marts.dim_spotify_tracks values (?, ?, 0.5, 0.5, 0.5, 120, -6)",
        [[t, d] for t, d in HAND_TRACKS.items()]
        + [[t, None] for t in HAND_TRACKS_WITHOUT_FEATURES],
    )
    con.execute(
        """
        create table hand_transitions (
            transition_source varchar, sequence_id varchar,
            prev_track_id varchar, next_track_id varchar
        )
        """
    )
    con.executemany("insert into hand_transitions values (?, ?, ?, ?)", HAND_TRANSITIONS)
    # the counts are dbt's (marts.fct_next_track_pair_counts from marts.dim_ml_splits); here
    # the sequences whose md5 ends in a multiple of 10 are held out (three of the hand
    # transitions)
    con.execute(
        """
        create table marts.fct_next_track_pair_counts as
        with flagged as (
            select
                *,
                md5_number(transition_source || ':' || sequence_id) % 10 = 0 as is_test
            from hand_transitions
        )
        select
            case when is_test then 'test' else 'training' end as scope,
            prev_track_id, next_track_id, count(*) as n_transitions
        from flagged
        group by all
        union all
        select 'all', prev_track_id, next_track_id, count(*)
        from flagged
        group by all
        """
    )
    con.execute(
        """
        create table marts.fct_next_track_popularity as
        select
            scope,
            next_track_id as track_id,
            sum(n_transitions) as n_arrivals,
            sum(n_transitions) / sum(sum(n_transitions)) over (partition by scope)
                as share_of_arrivals,
            row_number() over (
                partition by scope order by sum(n_transitions) desc, next_track_id
            ) as popularity_rank
        from marts.fct_next_track_pair_counts
        where scope <> 'test'
        group by scope, next_track_id
        """
    )
    next_track.prepare(con)
    return con


def _lists(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str, float]]]:
    lists: dict[str, list[tuple[str, str, float]]] = {}
    for track, _, next_id, score, basis, method in next_track.suggestions(con).itertuples(
        index=False
    ):
        assert method == "transitions_backoff"
        lists.setdefault(track, []).append((next_id, basis, score))
    return lists


def _approx(expected: list[tuple[str, str, float]]) -> list[tuple[str, str, object]]:
    return [(t, b, pytest.approx(s)) for t, b, s in expected]


def test_suggestions_hand_example(hand: duckdb.DuckDBPyConnection) -> None:
    # the split really holds some of these transitions out: suggestions must use them all
    n_test = hand.execute(
        "select sum(n_transitions) from marts.fct_next_track_pair_counts where scope = 'test'"
    ).fetchall()
    assert n_test == [(3,)]
    next_track.suggest(hand, k=3, pool_size=500)
    lists = _lists(hand)
    assert set(lists) == set(HAND_TRACKS) | set(HAND_TRACKS_WITHOUT_FEATURES)
    # known transitions first, by count (d and e tie: by id), scored by their share of the
    # 8 transitions from a; a's repeat of itself counts in the share but is never suggested
    assert lists["a"] == _approx(
        [("b", "transitions", 3 / 8), ("c", "transitions", 2 / 8), ("d", "transitions", 1 / 8)]
    )
    # one known successor, then the nearest in audio features (f, already listed, skipped)
    assert lists["b"] == _approx(
        [
            ("f", "transitions", 1.0),
            ("a", "audio_features", 1 - 0.10 / SQRT6),
            ("c", "audio_features", 1 - 0.15 / SQRT6),
        ]
    )
    # never seen before or after anything: its audio-feature neighbours
    assert lists["u"] == _approx(
        [
            ("e", "audio_features", 1 - 0.02 / SQRT6),
            ("d", "audio_features", 1 - 0.12 / SQRT6),
            ("c", "audio_features", 1 - 0.17 / SQRT6),
        ]
    )
    # no features and no transitions: the most frequent next tracks, share of all 12
    assert lists["z"] == _approx(
        [("f", "popularity", 4 / 12), ("b", "popularity", 3 / 12), ("c", "popularity", 2 / 12)]
    )


def test_suggestions_back_off_only_within_the_pool(hand: duckdb.DuckDBPyConnection) -> None:
    # a pool of the 2 most frequent next tracks (f, b): the neighbours come only from it,
    # popularity fills the rest, and a track met twice keeps its first tier
    next_track.suggest(hand, k=3, pool_size=2)
    lists = _lists(hand)
    assert lists["u"] == _approx(
        [
            ("b", "audio_features", 1 - 0.32 / SQRT6),
            ("f", "audio_features", 1 - 0.38 / SQRT6),
            ("c", "popularity", 2 / 12),
        ]
    )
    # f itself is the most popular track: never suggested after itself
    assert lists["f"] == _approx(
        [
            ("b", "audio_features", 1 - 0.70 / SQRT6),
            ("c", "popularity", 2 / 12),
            ("a", "popularity", 1 / 12),
        ]
    )
    assert all(len(v) == 3 for v in lists.values())


def test_metrics_hand_example() -> None:
    con = duckdb.connect()
    con.execute(
        """
        create temp table nt_test as
        select * from (values ('a', 'x', 2), ('a', 'y', 1), ('b', 'z', 1), ('c', 'x', 1))
            as t(prev_track_id, next_track_id, n)
        """
    )
    con.execute(
        """
        create temp table nt_recs as
        select * from (values
            ('m', 'a', 1, 'x'), ('m', 'a', 2, 'q'), ('m', 'a', 3, 'y'),
            ('m', 'b', 1, 'w'), ('m', 'b', 11, 'z'),
            ('n', 'a', 2, 'x'), ('n', 'b', 1, 'z'), ('n', 'c', 4, 'x')
        ) as t(method, prev_track_id, rank, track_id)
        """
    )
    got = next_track.metrics(con, k=10)
    # m: a->x rank 1 (twice), a->y rank 3, b->z beyond k (miss), c has no list (miss)
    assert got["m"]["n_test_transitions"] == 5
    assert got["m"]["hit_rate_at_10"] == pytest.approx(3 / 5)
    assert got["m"]["mrr"] == pytest.approx((1 + 1 / 3 + 0 + 1 + 0) / 5)
    # n: a->x rank 2 (twice), a->y miss, b->z rank 1, c->x rank 4
    assert got["n"]["hit_rate_at_10"] == pytest.approx(4 / 5)
    assert got["n"]["mrr"] == pytest.approx((1 / 2 + 0 + 1 + 1 / 2 + 1 / 4) / 5)
    # k cuts the list: with k = 3, n's c->x at rank 4 is a miss
    assert next_track.metrics(con, k=3)["n"]["hit_rate_at_10"] == pytest.approx(3 / 5)
