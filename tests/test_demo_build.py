"""A dbt build on freshly generated demo data: every data test passes, every source is
staged, and raw rows reconcile with staged + rejected rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import build

pytestmark = pytest.mark.dbt

# base model -> (raw relation it types, stg view of its usable rows)
ENTITIES = {
    "base_mssd__session_events": ("raw.mssd__training_set", "stg_mssd__session_events"),
    "base_mssd__tracks": ("raw.mssd__track_features", "stg_mssd__tracks"),
    "base_mpd__playlists": ("raw.mpd__playlists", "stg_mpd__playlists"),
    "base_lastfm__scrobbles": ("raw.lastfm__scrobbles", "stg_lastfm__scrobbles"),
    "base_spotify__audio_features": ("raw.spotify__audio_features", "stg_spotify__audio_features"),
    "base_spotify__tracks_by_genre": (
        "raw.spotify__tracks_by_genre",
        "stg_spotify__tracks_by_genre",
    ),
    "base_spotify__playlist_tracks": (
        "raw.spotify__playlist_tracks",
        "stg_spotify__playlist_tracks",
    ),
    "base_spotify__uri_matches": ("raw.spotify__uri_matches", "stg_spotify__uri_matches"),
}


@pytest.fixture(scope="module")
def demo_build(demo_build, demo_raw_dir):
    """The suite's shared demo warehouse (conftest: `run` on scale 0.2, seed 7) and its raw
    folder."""
    return demo_build, demo_raw_dir


def test_every_data_test_passes(demo_build):
    """Both dbt builds of the `run`: the whole project, then what reads the scores."""
    result, _ = demo_build
    summary = [line for line in result.stdout.splitlines() if "Done. PASS=" in line]
    assert len(summary) == 2, result.stdout[-2000:]
    for line in summary:
        assert "ERROR=0" in line and "WARN=0" in line, line
    # the whole project: ~80 models and ~300 tests, the column tests batched per model
    # (tests/test_column_checks.py), where a narrower build has far fewer
    assert int(summary[0].split("PASS=")[1].split()[0]) > 350


@pytest.mark.parametrize("base", sorted(ENTITIES))
def test_raw_rows_reconcile_with_staged_and_rejected(demo_build, base):
    result, _ = demo_build
    raw_relation, stg = ENTITIES[base]
    n_raw = result.scalar(f"select count(*) from {raw_relation}")
    n_base = result.scalar(f"select count(*) from staging.{base}")
    n_staged = result.scalar(f"select count(*) from staging.{stg}")
    n_rejected = result.scalar(
        "select count(*) from marts.fct_rejected_rows where entity = ? and source_name = ?",
        [base.split("__")[-1], base.split("__")[0].removeprefix("base_")],
    )
    assert n_staged > 0
    assert n_raw == n_base == n_staged + n_rejected


def test_mpd_track_entries_reconcile(demo_build):
    result, raw = demo_build
    n_entries = result.scalar("select sum(len(tracks)) from raw.mpd__playlists")
    staged = result.scalar("select count(*) from staging.stg_mpd__playlist_tracks")
    rejected = result.scalar(
        "select count(*) from marts.fct_rejected_rows where entity = 'playlist_tracks' "
        "and source_name = 'mpd'"
    )
    assert n_entries == staged + rejected > 0
    assert len(list((raw / "mpd").glob("*.json"))) >= 1


def test_clean_demo_stages_with_no_rejected_row(demo_build):
    """The clean demo writes no dirt (`--dirty` does: test_dirty_demo): no staging model
    rejects a row, and the session track features (flatness above 1, placeholder zeros)
    stage whole."""
    result, _ = demo_build
    rows = result.query(
        "select source_name, entity, reject_reason, sum(n_rows) "
        "from marts.rpt_rejects_by_reason group by all order by all"
    )
    assert rows == []
    assert result.scalar("select count(*) from marts.fct_rejected_rows") == 0
    # every relation with a reject column: the base models and the rejects mart
    relations = result.query(
        "select distinct table_schema || '.' || table_name from information_schema.columns "
        "where column_name = 'reject_reason' order by 1"
    )
    rejected = {
        name: result.scalar(f"select count(*) from {name} where reject_reason is not null")  # noqa: S608
        for (name,) in relations
    }
    assert len(rejected) > len(ENTITIES) and set(rejected.values()) == {0}, rejected
    assert (
        0.45
        <= result.scalar(
            "select avg(case when flatness > 1 then 1.0 else 0 end) from staging.stg_mssd__tracks"
        )
        <= 0.60
    )


def test_every_lastfm_layout_is_staged_with_a_user(demo_build):
    result, _ = demo_build
    formats = dict(
        result.query(
            "select source_format, count(distinct user_name) from staging.stg_lastfm__scrobbles "
            "group by all"
        )
    )
    assert set(formats) == {
        "csv_with_header",
        "artist_album_track_date",
        "lastfm_1k_tsv",
        "recenttracks_json",
    }
    assert (
        result.scalar("select count(*) from staging.stg_lastfm__scrobbles where user_name is null")
        == 0
    )


def test_missing_sources_give_empty_staged_tables(tmp_path: Path):
    raw = tmp_path / "raw"
    (raw / "lastfm").mkdir(parents=True)  # nothing at all but an empty folder
    # the staging layer and the tests among it (an empty folder under every command:
    # test_source_subsets)
    result = build(
        raw,
        tmp_path / "wh" / "warehouse.duckdb",
        *("--select", "staging", "resource_type:seed", "--indirect-selection", "cautious"),
    )
    assert result.returncode == 0, result.stderr
    for _, stg in ENTITIES.values():
        assert result.scalar(f"select count(*) from staging.{stg}") == 0
