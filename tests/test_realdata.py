"""Every file in ../shared/realdata loads with the counts PROVENANCE.md states."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.dbt


def test_sachawheeler_export_counts(realdata_build):
    rows = realdata_build.query(
        """
        select
            count(*),
            count(*) filter (where artist_mbid is null),
            count(*) filter (where album_mbid is null),
            count(*) filter (where track_mbid is null),
            count(distinct played_at) ,
            min(played_at)::date,
            max(played_at)::date
        from staging.stg_lastfm__scrobbles
        where source_file like '%sachawheeler_scrobbles.csv'
        """
    )[0]
    n, no_artist, no_album, no_track, n_times, first, last = rows
    assert (n, no_artist, no_album, no_track) == (11_622, 1_689, 2_245, 2_160)
    # one uts value appears twice (two different tracks): both are kept
    assert n_times == n - 1
    assert (str(first), str(last)) == ("2024-01-12", "2024-07-11")
    users = realdata_build.query(
        "select distinct user_name from staging.stg_lastfm__scrobbles "
        "where source_file like '%sachawheeler_scrobbles.csv'"
    )
    assert users == [("sachawheeler",)]  # the user comes from the file name


def test_lastfm_1k_sample_counts(realdata_build):
    per_user = dict(
        realdata_build.query(
            "select user_name, count(*) from staging.stg_lastfm__scrobbles "
            "where source_format = 'lastfm_1k_tsv' group by all"
        )
    )
    assert per_user == {"user_000001": 4_997, "user_000002": 3}
    no_artist, no_track = realdata_build.query(
        "select count(*) filter (where artist_mbid is null), "
        "count(*) filter (where track_mbid is null) "
        "from staging.stg_lastfm__scrobbles where source_format = 'lastfm_1k_tsv'"
    )[0]
    assert (no_artist, no_track) == (353, 1_396)
    # non-ASCII names survive
    assert (
        realdata_build.scalar(
            "select count(*) from staging.stg_lastfm__scrobbles where artist_name = '坂本龍一'"
        )
        > 0
    )


def test_no_real_row_is_rejected(realdata_build):
    assert (
        realdata_build.query(
            "select source_name, entity, reject_reason, n_rows from marts.rpt_rejects_by_reason"
        )
        == []
    )


def test_mpd_slice_counts(realdata_build):
    n_playlists, pids, n_tracks_sum, pairs = realdata_build.query(
        "select count(*), list_sort(list(playlist_pid)), sum(num_tracks), sum(num_tracks - 1) "
        "from staging.stg_mpd__playlists"
    )[0]
    assert n_playlists == 37
    assert pids == list(range(37))
    assert (n_tracks_sum, pairs) == (2_023, 1_986)
    assert realdata_build.scalar("select count(*) from staging.stg_mpd__playlist_tracks") == 2_023
    # the collaborative flag is the string "false" in the file
    assert (
        realdata_build.scalar(
            "select count(*) from staging.stg_mpd__playlists where not is_collaborative"
        )
        == 37
    )
    # names keep their words but lose stray spaces
    assert (
        realdata_build.scalar(
            "select count(*) from staging.stg_mpd__playlists "
            "where playlist_name <> trim(playlist_name)"
        )
        == 0
    )


def test_tracks_by_genre_counts(realdata_build):
    per_genre = dict(
        realdata_build.query(
            "select genre, count(*) from staging.stg_spotify__tracks_by_genre group by all"
        )
    )
    assert per_genre == {
        "Country": 416,
        "Movie": 408,
        "Alternative": 310,
        "R&B": 144,
        "A Capella": 119,
    }
    # decoded from `C#`, `Major`/`Minor`, `4/4`
    assert realdata_build.query(
        "select count(*) filter (where key is null), count(*) filter (where mode is null), "
        "count(*) filter (where time_signature is null) from staging.stg_spotify__tracks_by_genre"
    ) == [(0, 0, 0)]


def test_audio_features_and_playlist_counts(realdata_build):
    assert realdata_build.scalar("select count(*) from staging.stg_spotify__audio_features") == 97
    assert (
        realdata_build.scalar(
            "select count(*) from staging.stg_spotify__audio_features "
            "where source_format = 'api_object'"
        )
        == 97
    )
    n_items, n_playlists, name = realdata_build.query(
        "select count(*), count(distinct playlist_id), any_value(playlist_name) "
        "from staging.stg_spotify__playlist_tracks"
    )[0]
    assert (n_items, n_playlists) == (97, 1)
    assert name == "indie"  # the page has no name: it comes from the file name
    # the playlist's tracks are exactly the 97 with audio features
    assert (
        realdata_build.scalar(
            """
        select count(*) from (
            select track_id from staging.stg_spotify__playlist_tracks
            except
            select track_id from staging.stg_spotify__audio_features
        )
        """
        )
        == 0
    )


def test_mpd_playlist_pairs_reconcile_on_the_real_slice(realdata_build):
    """Consecutive pairs = Σ(num_tracks − 1) = 1,986 on the real MPD sample."""
    assert (
        realdata_build.scalar(
            "select sum(n_transitions) from marts.fct_next_track_pairs "
            "where transition_source = 'mpd_playlist'"
        )
        == 1_986
    )
    assert realdata_build.scalar("select count(*) from marts.fct_playlist_tracks") == 2_023 + 97


def test_real_playlist_aggregates(realdata_build):
    n_playlists, n_own, own_share = realdata_build.query(
        "select count(*), count(*) filter (where playlist_source = 'own'), "
        "max(share_with_features) filter (where playlist_source = 'own') "
        "from marts.dim_playlists"
    )[0]
    assert (n_playlists, n_own) == (37 + 1, 1)
    # every track of the real indie playlist has its audio features file
    assert own_share == 1.0
