"""Playlist continuation: on a generated demo warehouse (scale 0.5, seed 42) ours beats
popularity and the source's method on R-precision and NDCG at every seed size (k = 0, name
only: popularity, the source method needs a seed track), its SQL metrics equal
``recsys_metrics``' Python ones on the same lists, the lists are well-formed, the user's
own playlists get fresh tracks and the run is deterministic; on a small hand-made
warehouse, tracks held out in the test or validation playlists never reach what is fitted
without them (and would, were those playlists trained on)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from models_py import continuation, source_metrics
from models_py.continuation import (
    AUDIO_FEATURES,
    METHODS,
    ContinuationConfig,
    blend,
    evaluation,
    split,
)
from models_py.continuation.config import _name_key
from models_py.recsys_metrics import playlist_metrics, summarise
from support import BuildResult

SEED = 42
SIZES = (0, 1, 5, 10, 25, 100)
OURS = "cooccurrence"


def _methods(seed_size: int) -> set[str]:
    return set(METHODS) - ({"source_method"} if seed_size == 0 else set())


@dataclass
class DemoRun:
    warehouse: Path
    results: dict[tuple[str, str], object]
    frame: pd.DataFrame
    own: pd.DataFrame


def _run(warehouse: Path) -> tuple[list, dict]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("set enable_progress_bar = false")
        results, scores, artifact = continuation.run(con, seed=SEED, progress=False)
    assert artifact is None
    return results, scores


@pytest.fixture(scope="module")
def demo(demo_large_build: BuildResult) -> DemoRun:
    """Every method on the suite's shared larger demo build (conftest: scale 0.5, seed 42)."""
    warehouse = demo_large_build.warehouse
    results, scores = _run(warehouse)
    return DemoRun(
        warehouse,
        {(r.task, r.model_name): r for r in results},
        scores[continuation.SCORE_TABLE],
        scores[continuation.OWN_SCORE_TABLE],
    )


@pytest.mark.dbt
def test_every_method_at_every_seed_size(demo: DemoRun) -> None:
    tasks = {task for task, _ in demo.results if task.startswith("playlist_continuation:")}
    assert tasks == {f"playlist_continuation:k{k}" for k in SIZES}
    # the source write-ups' follower regression (against its mean baseline) and KMeans elbow
    assert {m for t, m in demo.results if t == "playlist_followers"} >= {"mean"}
    assert {m for t, m in demo.results if t == "playlist_clusters"} >= {"kmeans_k2", "kmeans_k10"}
    for k in SIZES:
        methods = {m for t, m in demo.results if t == f"playlist_continuation:k{k}"}
        assert methods == _methods(k), k
    for (task, method), r in demo.results.items():
        if not task.startswith("playlist_continuation:"):
            continue
        assert set(r.metrics) == {
            "r_precision",
            "ndcg",
            "clicks",
            "n_playlists",
            "playlists_per_second",
            *source_metrics.METRICS,
        }
        assert r.is_baseline == (method != OURS)
        assert r.metrics["n_playlists"] > 0
        if method == OURS:  # the fitted blend is reported with the run
            k = task.removeprefix("playlist_continuation:k")
            assert {f"blend_k{k}_w_{f}" for f in continuation.BLEND_FEATURES} <= set(r.params)


@pytest.mark.dbt
@pytest.mark.parametrize("metric", ["r_precision", "ndcg", "song_matches"])
def test_ours_beats_both_baselines(demo: DemoRun, metric: str) -> None:
    for task in sorted({t for t, _ in demo.results if t.startswith("playlist_continuation:")}):
        ours = demo.results[(task, OURS)].metrics[metric]
        baselines = [m for t, m in demo.results if t == task and m != OURS]
        assert baselines
        for baseline in baselines:
            other = demo.results[(task, baseline)].metrics[metric]
            assert ours > other, f"{task} {metric}: {OURS} {ours:.3f} <= {baseline} {other:.3f}"


@pytest.mark.dbt
def test_ours_needs_no_more_clicks_than_the_baselines(demo: DemoRun) -> None:
    """With seeds, ours finds a first hit no later than the baselines (a single seed no
    longer fills the top of the list with narrow neighbours). k = 0 is left out: there
    the first hit of the name's tracks and of the most popular ones are a coin toss."""
    tasks = {t for t, _ in demo.results if t.startswith("playlist_continuation:")}
    for task in sorted(tasks - {"playlist_continuation:k0"}):
        ours = demo.results[(task, OURS)].metrics["clicks"]
        for (t, method), r in demo.results.items():
            if t == task and method != OURS:
                assert ours <= r.metrics["clicks"], (task, method, ours, r.metrics["clicks"])


@pytest.mark.dbt
def test_lists_are_500_distinct_non_seed_tracks(demo: DemoRun) -> None:
    frame = demo.frame
    assert list(frame.columns) == ["playlist_id", "seed_size", "rank", "track_id", "method"]
    methods = frame.groupby("seed_size", observed=True)["method"].agg(lambda m: set(m.astype(str)))
    assert {k: methods[k] for k in SIZES} == {k: _methods(k) for k in SIZES}
    sizes = frame.groupby(["method", "seed_size", "playlist_id"], observed=True).agg(
        n=("track_id", "size"), n_distinct=("track_id", "nunique"), max_rank=("rank", "max")
    )
    assert (sizes["n"] == 500).all() and (sizes["n_distinct"] == 500).all()
    assert (sizes["max_rank"] == 500).all()
    with duckdb.connect(str(demo.warehouse), read_only=True) as con:
        con.register("frame", frame.astype({"playlist_id": str, "track_id": str}))
        n_seed_hits, n_not_mpd_test = con.execute(
            """
            select
                count_if(entries.playlist_position <= frame.seed_size),
                count_if(entries.playlist_source <> 'mpd')
            from frame
            inner join marts.fct_playlist_tracks as entries
                on frame.playlist_id = entries.playlist_id and frame.track_id = entries.track_id
            """
        ).fetchall()[0]
    assert n_seed_hits == 0
    assert n_not_mpd_test == 0


@pytest.mark.dbt
def test_sql_metrics_equal_python_metrics(demo: DemoRun) -> None:
    """The metrics computed in DuckDB on the lists equal recsys_metrics' pandas ones."""
    config = ContinuationConfig(seed_sizes=(0, 1, 25), max_test_playlists=60)
    with duckdb.connect(str(demo.warehouse), read_only=True) as con:
        con.execute("set enable_progress_bar = false")
        evaluations, _ = continuation.evaluate(con, config, seed=SEED, progress=False)
        assert {(e.method, e.seed_size) for e in evaluations} == {
            (m, k) for k in (0, 1, 25) for m in _methods(k)
        }
        for e in evaluations:
            truth = continuation.truth_frame(con, e.seed_size)
            python = summarise(playlist_metrics(e.predictions, truth))
            for m in ("r_precision", "ndcg", "clicks", "n_playlists"):
                assert e.metrics[m] == pytest.approx(python[m], rel=1e-9), (e.method, m)


@pytest.mark.dbt
def test_lists_are_for_exactly_the_test_evaluation_playlists(demo: DemoRun) -> None:
    """Every method continues every evaluation playlist of the test pool at every seed
    size, and nothing else (the validation playlists only fit the blend)."""
    with duckdb.connect(str(demo.warehouse), read_only=True) as con:
        con.execute("set enable_progress_bar = false")
        continuation.prepare(con, ContinuationConfig())
        test_ids = continuation.test_playlist_ids(con)
        validation_ids = continuation.validation_playlist_ids(con)
        evaluated = set(
            con.execute("select playlist_id, seed_size from continuation_eval").fetchall()
        )
    assert test_ids and validation_ids and not test_ids & validation_ids
    assert {p for p, _ in evaluated} <= test_ids
    frame = demo.frame.astype({"playlist_id": str, "method": str})
    for method, lists in frame.groupby("method"):
        pairs = set(lists[["playlist_id", "seed_size"]].itertuples(index=False, name=None))
        expected = {(p, k) for p, k in evaluated if method != "source_method" or k > 0}
        assert pairs == expected, method


@pytest.mark.dbt
def test_own_playlists_get_50_tracks_they_do_not_hold(demo: DemoRun) -> None:
    own = demo.own
    assert list(own.columns) == ["playlist_id", "rank", "track_id", "score", "method"]
    with duckdb.connect(str(demo.warehouse), read_only=True) as con:
        playlists = {
            r[0]
            for r in con.execute(
                "select playlist_id from marts.dim_playlists where playlist_source = 'own'"
            ).fetchall()
        }
        held = con.execute(
            "select playlist_id, track_id from marts.fct_playlist_tracks "
            "where playlist_source = 'own'"
        ).df()
        mpd_tracks = {
            r[0]
            for r in con.execute(
                "select distinct track_id from marts.fct_playlist_tracks "
                "where playlist_source = 'mpd'"
            ).fetchall()
        }
    assert playlists and set(own["playlist_id"]) == playlists
    assert (own["method"] == OURS).all()
    for _, lst in own.groupby("playlist_id"):
        assert list(lst["rank"]) == list(range(1, 51))
        assert lst["track_id"].is_unique
        assert lst["score"].is_monotonic_decreasing
    assert not own.merge(held, on=["playlist_id", "track_id"]).shape[0]
    assert set(own["track_id"]) <= mpd_tracks


@pytest.mark.dbt
def test_deterministic(demo: DemoRun) -> None:
    results, scores = _run(demo.warehouse)
    for name, before in (
        (continuation.SCORE_TABLE, demo.frame),
        (continuation.OWN_SCORE_TABLE, demo.own),
    ):
        pd.testing.assert_frame_equal(
            before.astype(str).reset_index(drop=True),
            scores[name].astype(str).reset_index(drop=True),
        )
    for r in results:
        before = demo.results[(r.task, r.model_name)]
        if not r.task.startswith("playlist_continuation:"):
            assert r.metrics == pytest.approx(before.metrics, rel=1e-9, nan_ok=True)
            continue
        for m in ("r_precision", "ndcg", "clicks", "n_playlists", *source_metrics.METRICS):
            assert r.metrics[m] == pytest.approx(before.metrics[m], rel=1e-12)
        weights = {k: v for k, v in r.params.items() if k.startswith("blend_")}
        assert weights == {k: v for k, v in before.params.items() if k.startswith("blend_")}


def test_name_normalisation_sql_equals_python() -> None:
    names = ["Fall '17", "✔️", "Mom’s  Playlist!!", "Chill_Vibes", "MÚSICA 2017 🎉", "R&B", "  "]
    expected = ["fall 17", None, "moms playlist", "chill vibes", "música 2017", "r b", None]
    assert [continuation.normalize_name(n) for n in names] == expected
    with duckdb.connect() as con:
        con.register("names", pd.DataFrame({"playlist_name": names, "i": range(len(names))}))
        sql = f"select {_name_key('playlist_name')} from names order by i"  # noqa: S608
        assert [r[0] for r in con.execute(sql).fetchall()] == expected


# --- leakage on a hand-made warehouse -----------------------------------------------------

FEATURES = [*AUDIO_FEATURES, "duration_ms"]
FEATURES += [c for c in continuation.AGGREGATE_FEATURES.values() if c not in FEATURES]


def _tiny_warehouse(path: Path) -> tuple[set[str], set[str]]:
    """300 named MPD playlists of random catalog tracks; every test playlist starts with
    the anchor track and holds the `leak` track, every validation playlist starts with it
    and holds `vleak`; no training playlist holds either. Returns the test and the
    validation playlist ids."""
    rng = np.random.default_rng(7)
    ids = [f"mpd:{i}" for i in range(300)]
    con = duckdb.connect(str(path))
    con.execute("set enable_progress_bar = false")
    con.execute("create schema marts")
    con.register("ids", pd.DataFrame({"playlist_id": ids}))
    buckets = dict(
        con.execute("select playlist_id, md5_number(playlist_id) % 1000 from ids").fetchall()
    )
    test_ids = {p for p, b in buckets.items() if b < 100}
    validation_ids = {p for p, b in buckets.items() if 100 <= b < 200}
    catalog = [f"t{i:03d}" for i in range(80)]
    rows = []
    for pid in ids:
        tracks = list(rng.choice(catalog[1:], size=20, replace=False))
        if pid in test_ids:
            tracks = [catalog[0], *tracks[:10], "leak", *tracks[10:]]
        elif pid in validation_ids:
            tracks = [catalog[0], *tracks[:10], "vleak", *tracks[10:]]
        elif rng.random() < 0.3:
            tracks = [catalog[0], *tracks]
        rows += [
            {
                "playlist_id": pid,
                "playlist_position": i + 1,
                "playlist_source": "mpd",
                "track_id": t,
            }
            for i, t in enumerate(tracks)
        ]
    con.register("entries", pd.DataFrame(rows))
    con.execute("create table marts.fct_playlist_tracks as select * from entries")
    all_tracks = [*catalog, "leak", "vleak"]
    features = pd.DataFrame(rng.random((len(all_tracks), len(FEATURES))), columns=FEATURES)
    features.insert(0, "track_id", all_tracks)
    con.register("features", features)
    con.execute("create table marts.dim_spotify_tracks as select * from features")
    mean_cols = ", ".join(f"avg(f.{t}) as {c}" for c, t in continuation.AGGREGATE_FEATURES.items())
    con.execute(
        f"""
        create table marts.dim_playlists as
        select
            e.playlist_id,
            'mpd' as playlist_source,
            'mix ' || cast(hash(e.playlist_id) % 4 as string) as playlist_name,
            cast(hash(e.playlist_id) % 100 as bigint) as n_followers,
            {mean_cols}
        from marts.fct_playlist_tracks as e
        inner join marts.dim_spotify_tracks as f on e.track_id = f.track_id
        group by e.playlist_id
        """  # noqa: S608 - column names from the constants above
    )
    # the split is dbt's (marts.dim_ml_splits): here, the pools chosen above
    splits = pd.DataFrame(
        {
            "entity_type": "playlist",
            "entity_id": ids,
            "split": [
                "test" if p in test_ids else "validation" if p in validation_ids else "train"
                for p in ids
            ],
        }
    )
    con.register("splits", splits)
    con.execute("create table marts.dim_ml_splits as select * from splits")
    con.close()
    return test_ids, validation_ids


TINY = ContinuationConfig(seed_sizes=(0, 1, 5), n_predictions=50, n_clusters=3)


def _validation_stage(con: duckdb.DuckDBPyConnection) -> tuple[int, set[str]]:
    """Fit the blend; return how many training entries belong to a held-out playlist and
    the tracks that were candidates of the validation playlists."""
    sizes = continuation.prepare(con, TINY)
    continuation.fit_blend(con, TINY, sizes, seed=SEED)
    n_held_out = con.execute(
        """
        select count(*)
        from continuation_train as train
        inner join continuation_split as split on train.playlist_idx = split.playlist_idx
        where split.is_test or split.is_validation
        """
    ).fetchall()[0][0]
    candidates = con.execute(
        """
        select distinct keys.track_id
        from continuation_candidates as candidates
        inner join continuation_tracks as keys on candidates.track_idx = keys.track_idx
        """
    ).fetchall()
    return n_held_out, {r[0] for r in candidates}


def test_held_out_tracks_do_not_leak(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "tiny.duckdb"
    test_ids, validation_ids = _tiny_warehouse(path)
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("set enable_progress_bar = false")
        # validation stage: fitted without the validation (and test) playlists
        n_held_out, candidates = _validation_stage(con)
        assert continuation.validation_playlist_ids(con) == validation_ids
        assert n_held_out == 0
        assert "vleak" not in candidates and "leak" not in candidates
        # test stage: every method fitted without the test playlists
        evaluations, _ = continuation.evaluate(con, TINY, seed=SEED, progress=False)
        assert continuation.test_playlist_ids(con) == test_ids
        truth = {r[0] for r in con.execute("select track_id from continuation_entries").fetchall()}
        assert "leak" in truth  # the held-out track is there to be found
        assert {(e.method, e.seed_size) for e in evaluations} == {
            (m, k) for k in TINY.seed_sizes for m in _methods(k)
        }
        for e in evaluations:
            assert "leak" not in set(e.predictions["track_id"]), (e.method, e.seed_size)
        # no own playlists here: an empty frame of the right shape
        own = continuation.own_playlist_continuations(con, TINY)
        assert own.empty and list(own.columns) == [
            "playlist_id",
            "rank",
            "track_id",
            "score",
            "method",
        ]

    # the same runs trained on the held-out playlists (the leaks this module guards
    # against) put the held-out tracks in front: the checks above would catch them
    train = split._train
    for module in (blend, evaluation):  # the stages that train: the blend fit, evaluation
        monkeypatch.setattr(module, "_train", lambda con, config, stage: train(con, config, "own"))
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("set enable_progress_bar = false")
        n_held_out, candidates = _validation_stage(con)
        assert n_held_out > 0 and "vleak" in candidates
        evaluations, _ = continuation.evaluate(con, TINY, seed=SEED, progress=False)
        ours = next(e for e in evaluations if e.method == OURS and e.seed_size == 1)
        top = ours.predictions[ours.predictions["rank"] <= 5]
        assert top.groupby("playlist_id")["track_id"].agg(lambda t: "leak" in set(t)).all()


def test_few_playlists_with_followers_skip_only_the_follower_regression(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A small MPD slice (the wild folder's holds 5 training playlists with followers):
    the follower regression says it is skipped; every other result is still there."""
    caplog.set_level(logging.INFO, logger="lw")
    path = tmp_path / "tiny.duckdb"
    _tiny_warehouse(path)
    with duckdb.connect(str(path)) as con:
        con.execute("set enable_progress_bar = false")
        con.execute(
            "update marts.dim_playlists set n_followers = null "
            "where playlist_id not in ('mpd:0', 'mpd:1', 'mpd:2', 'mpd:3', 'mpd:4')"
        )
        results, scores, _ = continuation.run(con, seed=SEED, config=TINY, progress=True)
    out = caplog.text
    assert "follower regression: skipped (" in out and "needed for CV" in out
    tasks = {r.task for r in results}
    assert "playlist_followers" not in tasks
    assert {f"playlist_continuation:k{k}" for k in TINY.seed_sizes} <= tasks
    assert "playlist_clusters" in tasks
    assert all("song_matches" in r.metrics for r in results if r.task.endswith(":k1"))
    assert not scores["playlist_continuations"].empty
