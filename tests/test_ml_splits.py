"""One split for every model: the skip model, next track and playlist continuation train
and test on exactly the rows `marts.dim_ml_splits` assigns, so a playlist or session is on
the same side for every task that sees it (the demo warehouse `make run` builds)."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from models_py import continuation, next_track, skip_model
from support import BuildResult

pytestmark = pytest.mark.dbt


@pytest.fixture(scope="module")
def con(demo_build: BuildResult) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the demo warehouse (the models write temp tables only)."""
    connection = duckdb.connect(str(demo_build.warehouse), read_only=True)
    connection.execute("set enable_progress_bar = false")
    yield connection
    connection.close()


def _splits(con: duckdb.DuckDBPyConnection, entity_type: str) -> dict[str, str]:
    rows = con.execute(
        "select entity_id, split from marts.dim_ml_splits where entity_type = ?", [entity_type]
    ).fetchall()
    return dict(rows)


def test_every_kind_of_held_out_thing_is_split_about_80_10_10(con):
    shares = dict(
        con.execute(
            "select split, count(*) / sum(count(*)) over () from marts.dim_ml_splits group by 1"
        ).fetchall()
    )
    assert shares["train"] == pytest.approx(0.8, abs=0.05), shares
    assert shares["validation"] == pytest.approx(0.1, abs=0.03), shares
    assert shares["test"] == pytest.approx(0.1, abs=0.03), shares
    kinds = {
        r[0] for r in con.execute("select distinct entity_type from marts.dim_ml_splits").fetchall()
    }
    assert kinds == {"mssd_session", "playlist", "listening_session"}


def test_the_skip_model_uses_the_split_of_its_sessions(con):
    events = skip_model.load_events(con)
    assert len(events) > 1000
    splits = _splits(con, "mssd_session")
    pairs = events[["session_id", "split"]].drop_duplicates()
    assert pairs["session_id"].is_unique  # a session is on one side
    wrong = [(s, got) for s, got in pairs.itertuples(index=False) if splits.get(s) != got]
    assert wrong == []
    assert set(pairs["split"]) == {"train", "validation", "test"}


# every transition the next-track model may see, with the split of its sequence, counted
# here from the sequences and dim_ml_splits, independently of the dbt model that counts them
TRANSITION_SPLITS_SQL = """
with transitions as (
    select 'playlist' as entity_type, sequence_id, prev_track_id, next_track_id
    from intermediate.int_playlist_transitions
    union all
    select 'listening_session', sequence_id, prev_track_id, next_track_id
    from intermediate.int_scrobble_transitions
)
select transitions.*, splits.split
from transitions
left join marts.dim_ml_splits as splits
    on transitions.entity_type = splits.entity_type
    and transitions.sequence_id = splits.entity_id
"""


def test_next_track_learns_from_training_sequences_and_is_scored_on_test_ones(con):
    next_track.prepare(con)
    con.execute(f"create or replace temp view split_transitions as {TRANSITION_SPLITS_SQL}")
    n_unsplit = con.execute("select count(*) from split_transitions where split is null")
    assert n_unsplit.fetchall() == [(0,)]
    kinds = con.sql(
        "select entity_type, bool_or(split = 'test'), bool_and(split = 'test') "
        "from split_transitions group by 1"
    ).fetchall()
    # both kinds of sequence are there and are split, not all on one side
    assert {kind: (some, every) for kind, some, every in kinds} == {
        "playlist": (True, False),
        "listening_session": (True, False),
    }
    expected = {
        is_test: dict(
            (
                ((p, n), c)
                for p, n, c in con.sql(
                    "select prev_track_id, next_track_id, count(*) from split_transitions "
                    f"where (split = 'test') = {is_test} group by all"
                ).fetchall()
            )
        )
        for is_test in (True, False)
    }
    trained = {(p, n): c for p, n, c in con.sql("select * from nt_pair_counts").fetchall()}
    scored = {(p, n): c for p, n, c in con.sql("select * from nt_test").fetchall()}
    assert trained == expected[False]
    assert scored == expected[True]


def test_continuation_holds_out_the_test_and_validation_playlists(con):
    continuation.prepare(con, continuation.ContinuationConfig(seed_sizes=(1,)))
    rows = con.execute(
        "select playlist_id, is_test, is_validation from continuation_split"
    ).fetchall()
    mpd = {
        r[0]
        for r in con.execute(
            "select playlist_id from marts.dim_playlists where playlist_source = 'mpd'"
        ).fetchall()
    }
    assert {r[0] for r in rows} == mpd
    playlists = _splits(con, "playlist")
    got = {p: "test" if t else "validation" if v else "train" for p, t, v in rows}
    assert got == {p: playlists[p] for p in got}
    assert set(got.values()) == {"train", "validation", "test"}


def test_a_playlist_is_on_the_same_side_for_next_track_and_continuation(con):
    next_track.prepare(con)
    continuation.prepare(con, continuation.ContinuationConfig(seed_sizes=(1,)))
    # the transitions of continuation's test playlists are in next track's test counts,
    # those of its training and validation playlists in the training counts
    differ, shared = con.execute(
        """
        with by_side as (
            select t.prev_track_id, t.next_track_id, cont.is_test, count(*) as n
            from intermediate.int_playlist_transitions as t
            inner join continuation_split as cont on t.sequence_id = cont.playlist_id
            group by all
        )
        select
            count(*) filter (where coalesce(counts.n, 0) < by_side.n),
            count(*) filter (where by_side.is_test)
        from by_side
        left join (
            select prev_track_id, next_track_id, n, true as is_test from nt_test
            union all
            select prev_track_id, next_track_id, n, false from nt_pair_counts
        ) as counts
            on by_side.prev_track_id = counts.prev_track_id
            and by_side.next_track_id = counts.next_track_id
            and by_side.is_test = counts.is_test
        """
    ).fetchone()
    assert differ == 0
    assert shared > 0
