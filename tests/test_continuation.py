"""Playlist continuation: on a generated demo warehouse (scale 0.5, seed 42) ours beats
popularity and the source's method on R-precision and NDCG at every seed size, the lists
are well-formed and the run is deterministic; on a small hand-made warehouse, a track held
out in the test playlists is never recommended (and would be, were they trained on)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from conftest import build
from models_py import continuation
from models_py.continuation import METHODS, ContinuationConfig
from models_py.generate import generate

SCALE, SEED = 0.5, 42
SELECT = ["+fct_playlist_tracks", "+dim_playlists", "+dim_spotify_tracks"]


def _build_playlists(raw_dir: Path, warehouse: Path) -> None:
    """dbt build of the playlist and catalog marts (and their tests) in a fresh process."""
    result = build(raw_dir, warehouse, "--select", *SELECT, "--indirect-selection", "cautious")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@dataclass
class DemoRun:
    warehouse: Path
    results: dict[tuple[str, str], object]
    frame: pd.DataFrame


def _run(warehouse: Path) -> tuple[list, dict]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("set enable_progress_bar = false")
        results, scores, artifact = continuation.run(con, seed=SEED, progress=False)
    assert artifact is None
    return results, scores


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    root = tmp_path_factory.mktemp("continuation")
    generate(root / "raw", scale=SCALE, seed=SEED, progress=False)
    warehouse = root / "wh" / "warehouse.duckdb"
    _build_playlists(root / "raw", warehouse)
    results, scores = _run(warehouse)
    return DemoRun(
        warehouse,
        {(r.task, r.model_name): r for r in results},
        scores[continuation.SCORE_TABLE],
    )


@pytest.mark.dbt
def test_every_method_at_every_seed_size(demo: DemoRun) -> None:
    tasks = {task for task, _ in demo.results}
    assert tasks == {f"playlist_continuation:k{k}" for k in (1, 5, 10, 25, 100)}
    for (_, method), r in demo.results.items():
        assert set(r.metrics) == {
            "r_precision",
            "ndcg",
            "clicks",
            "n_playlists",
            "playlists_per_second",
        }
        assert r.is_baseline == (method != "cooccurrence")
        assert r.metrics["n_playlists"] > 0


@pytest.mark.dbt
@pytest.mark.parametrize("metric", ["r_precision", "ndcg"])
def test_ours_beats_both_baselines(demo: DemoRun, metric: str) -> None:
    for task in sorted({t for t, _ in demo.results}):
        ours = demo.results[(task, "cooccurrence")].metrics[metric]
        for baseline in ("popularity", "source_method"):
            other = demo.results[(task, baseline)].metrics[metric]
            assert ours > other, (
                f"{task} {metric}: cooccurrence {ours:.3f} <= {baseline} {other:.3f}"
            )


@pytest.mark.dbt
def test_lists_are_500_distinct_non_seed_tracks(demo: DemoRun) -> None:
    frame = demo.frame
    assert list(frame.columns) == ["playlist_id", "seed_size", "rank", "track_id", "method"]
    assert set(frame["method"].astype(str)) == set(METHODS)
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
def test_test_only_tracks_are_never_recommended(demo: DemoRun) -> None:
    """Tracks found only in test playlists reach no list (they are not in training)."""
    with duckdb.connect(str(demo.warehouse), read_only=True) as con:
        con.execute("set enable_progress_bar = false")
        continuation.prepare(con, ContinuationConfig())
        test_ids = continuation.test_playlist_ids(con)
        entries = con.execute(
            "select playlist_id, track_id from marts.fct_playlist_tracks "
            "where playlist_source = 'mpd'"
        ).df()
    assert set(demo.frame["playlist_id"].astype(str)) <= test_ids
    in_test = entries["playlist_id"].isin(test_ids)
    test_only = set(entries.loc[in_test, "track_id"]) - set(entries.loc[~in_test, "track_id"])
    recommended = set(demo.frame["track_id"].astype(str))
    assert not (test_only & recommended)


@pytest.mark.dbt
def test_deterministic(demo: DemoRun) -> None:
    results, scores = _run(demo.warehouse)
    again = scores[continuation.SCORE_TABLE]
    pd.testing.assert_frame_equal(
        demo.frame.astype(str).reset_index(drop=True), again.astype(str).reset_index(drop=True)
    )
    for r in results:
        before = demo.results[(r.task, r.model_name)].metrics
        for m in ("r_precision", "ndcg", "clicks", "n_playlists"):
            assert r.metrics[m] == before[m]


# --- leakage on a hand-made warehouse -----------------------------------------------------

FEATURES = ["danceability", "energy", "speechiness", "acousticness", "instrumentalness"]
FEATURES += ["liveness", "valence", "duration_ms"]


def _tiny_warehouse(path: Path) -> set[str]:
    """300 MPD playlists of random catalog tracks; every test playlist starts with the
    anchor track and holds the `leak` track, which no training playlist holds. Returns the
    test playlist ids."""
    rng = np.random.default_rng(7)
    ids = [f"mpd:{i}" for i in range(300)]
    con = duckdb.connect(str(path))
    con.execute("set enable_progress_bar = false")
    con.execute("create schema marts")
    con.register("ids", pd.DataFrame({"playlist_id": ids}))
    test_ids = {
        r[0]
        for r in con.execute(
            "select playlist_id from ids where md5_number(playlist_id) % 1000 < 100"
        ).fetchall()
    }
    catalog = [f"t{i:03d}" for i in range(80)]
    rows = []
    for pid in ids:
        tracks = list(rng.choice(catalog[1:], size=20, replace=False))
        if pid in test_ids:
            tracks = [catalog[0], *tracks[:10], "leak", *tracks[10:]]
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
    all_tracks = [*catalog, "leak"]
    features = pd.DataFrame(rng.random((len(all_tracks), len(FEATURES))), columns=FEATURES)
    features.insert(0, "track_id", all_tracks)
    con.register("features", features)
    con.execute("create table marts.dim_spotify_tracks as select * from features")
    mean_cols = ", ".join(f"avg(f.{c}) as mean_{c}" for c in FEATURES)
    con.execute(
        f"""
        create table marts.dim_playlists as
        select
            e.playlist_id,
            'mpd' as playlist_source,
            cast(hash(e.playlist_id) % 100 as bigint) as n_followers,
            {mean_cols}
        from marts.fct_playlist_tracks as e
        inner join marts.dim_spotify_tracks as f on e.track_id = f.track_id
        group by e.playlist_id
        """  # noqa: S608 - column names from the constant above
    )
    con.close()
    return test_ids


def test_held_out_tracks_do_not_leak(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "tiny.duckdb"
    test_ids = _tiny_warehouse(path)
    config = ContinuationConfig(seed_sizes=(1, 5), n_predictions=50, n_clusters=3)
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("set enable_progress_bar = false")
        evaluations, _ = continuation.evaluate(con, config, seed=SEED, progress=False)
        assert continuation.test_playlist_ids(con) == test_ids
        truth = con.execute("select distinct track_id from continuation_truth_all").fetchall()
    assert ("leak",) in truth  # the held-out track is there to be found
    assert {e.method for e in evaluations} == set(METHODS)
    for e in evaluations:
        assert "leak" not in set(e.predictions["track_id"]), (e.method, e.seed_size)

    # the same run trained on every playlist (the leak this module guards against) ranks
    # the held-out track at the top: the check above would catch it
    leaky = continuation.TRAIN_SQL.replace("where not is_test", "")
    monkeypatch.setattr(continuation, "TRAIN_SQL", leaky)
    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("set enable_progress_bar = false")
        evaluations, _ = continuation.evaluate(con, config, seed=SEED, progress=False)
    ours = next(e for e in evaluations if e.method == "cooccurrence" and e.seed_size == 1)
    top = ours.predictions[ours.predictions["rank"] == 1]["track_id"]
    assert (top == "leak").all()
