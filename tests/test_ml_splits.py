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


def test_next_track_holds_out_the_test_playlists_and_listening_sessions(con):
    next_track.prepare(con)
    rows = con.execute(
        "select distinct transition_source, sequence_id, is_test from nt_transitions"
    ).fetchall()
    assert {r[0] for r in rows} >= {"mpd_playlist", "scrobble"}
    playlists, sessions = _splits(con, "playlist"), _splits(con, "listening_session")
    split_of = {
        (source, sequence): (sessions if source == "scrobble" else playlists).get(sequence)
        for source, sequence, _ in rows
    }
    assert None not in split_of.values()  # every sequence has its row in the split
    wrong = [r for r in rows if (split_of[r[0], r[1]] == "test") != r[2]]
    assert wrong == []
    assert any(r[2] for r in rows) and not all(r[2] for r in rows)


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
    differ = con.execute(
        """
        select count(*)
        from (select distinct sequence_id, is_test from nt_transitions
              where transition_source = 'mpd_playlist') as nt
        inner join continuation_split as cont on nt.sequence_id = cont.playlist_id
        where nt.is_test != cont.is_test
        """
    ).fetchall()[0][0]
    shared = con.execute(
        """
        select count(distinct sequence_id) filter (where is_test)
        from nt_transitions
        where transition_source = 'mpd_playlist'
            and sequence_id in (select playlist_id from continuation_split where is_test)
        """
    ).fetchall()[0][0]
    assert differ == 0
    assert shared > 0
