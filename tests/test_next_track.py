"""Next-track recommendation: on a generated demo warehouse (scale 0.4, seed 42) ours beats
popularity on hit-rate@10 and MRR, every query gets exactly 10 distinct tracks and the run
is deterministic; the metric helper is right on a hand example."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from conftest import build
from models_py import next_track
from models_py.generate import generate

SCALE, SEED = 0.4, 42
SELECT = ["+int_playlist_transitions", "+int_scrobble_transitions", "+dim_spotify_tracks"]


@dataclass
class DemoRun:
    warehouse: Path
    results: dict[str, object]


def _run(warehouse: Path) -> dict[str, object]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("set enable_progress_bar = false")
        results, scores, artifact = next_track.run(con, seed=SEED, progress=False)
    assert scores == {} and artifact is None
    return {r.model_name: r for r in results}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    root = tmp_path_factory.mktemp("next_track")
    generate(root / "raw", scale=SCALE, seed=SEED, progress=False)
    warehouse = root / "wh" / "warehouse.duckdb"
    result = build(root / "raw", warehouse, "--select", *SELECT, "--indirect-selection", "cautious")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return DemoRun(warehouse, _run(warehouse))


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
        # whole sequences are held out, about 10% of them
        mixed, share = con.execute(
            """
            select
                count(*) filter (where n_flags > 1),
                avg(is_test::int)
            from (
                select transition_source, sequence_id,
                    count(distinct is_test) as n_flags, bool_or(is_test) as is_test
                from nt_transitions group by all
            )
            """
        ).fetchone()
        assert mixed == 0
        assert 0.05 < share < 0.15
        # no test transition reaches the training counts
        n_train = con.execute("select sum(n) from nt_pair_counts").fetchone()[0]
        n_all_train = con.execute(
            "select count(*) from nt_transitions where not is_test"
        ).fetchone()[0]
        assert n_train == n_all_train


@pytest.mark.dbt
def test_deterministic(demo: DemoRun) -> None:
    again = _run(demo.warehouse)
    for name, r in demo.results.items():
        assert again[name].metrics == r.metrics


def test_metrics_hand_example() -> None:
    con = duckdb.connect()
    con.execute(
        """
        create temp table nt_test as
        select * from (values ('a', 'x'), ('a', 'y'), ('b', 'z'), ('a', 'x'), ('c', 'x'))
            as t(prev_track_id, next_track_id)
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
