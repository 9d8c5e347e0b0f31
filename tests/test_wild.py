"""Every file of ../shared/wild (real exports in the layouts people have) loads with the
counts its PROVENANCE.md states; every file of ../shared/wild-unreadable either loads
soundly or stops the build with one line naming it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from support import SHARED, SHARED_WILD, BuildResult, build

pytestmark = pytest.mark.dbt

SHARED_UNREADABLE = SHARED / "wild-unreadable"


def _outcomes(result: BuildResult, model: str, file_name: str) -> dict[str, int]:
    """{reject reason or 'staged': rows} of one raw file in a base model."""
    return dict(
        result.query(
            f"select coalesce(reject_reason, 'staged'), count(*) from staging.{model} "
            "where source_file like ? group by all",
            [f"%/{file_name}"],
        )
    )


def test_lastfm_export_with_uts_and_utc_time(wild_build):
    assert _outcomes(wild_build, "base_lastfm__scrobbles", "aleex_cs.csv") == {"staged": 6_001}
    users = wild_build.query(
        "select distinct user_name from staging.stg_lastfm__scrobbles "
        "where source_file like '%/aleex_cs.csv'"
    )
    assert users == [("aleex_cs",)]


def test_headerless_export_with_page_artefacts(wild_build):
    """249 empty dates (the now-playing row and every 201st row) are rejected; consecutive
    identical rows (same artist, album, track and minute: double scrobbles) are duplicates;
    the rest is staged, with times read as `20 Nov 2020 09:35`."""
    outcomes = _outcomes(wild_build, "base_lastfm__scrobbles", "pingw33n_scrobbles.csv")
    assert outcomes == {
        "staged": 49_663 - 247 - 2_135,
        "missing or unparseable played_at": 247,
        "duplicate": 2_135,
    }
    assert sum(outcomes.values()) == 49_663
    first, last = wild_build.query(
        "select min(played_at)::date::varchar, max(played_at)::date::varchar "
        "from staging.stg_lastfm__scrobbles where source_file like '%/pingw33n_scrobbles.csv'"
    )[0]
    assert "2002-03-01" < first <= last <= "2020-11-21"


def test_hand_headed_export_with_song_title(wild_build):
    outcomes = _outcomes(wild_build, "base_lastfm__scrobbles", "erik_wien.csv")
    # 22 rows repeat the row before them to the minute: double scrobbles
    assert outcomes == {"staged": 8_200 - 22, "duplicate": 22}
    umlauts = wild_build.scalar(
        "select count(*) from staging.stg_lastfm__scrobbles "
        "where source_file like '%/erik_wien.csv' and regexp_matches(artist_name, '[äöüÄÖÜß]')"
    )
    assert umlauts > 0


def test_pandas_api_dump_reads_unix_timestamps(wild_build):
    """`timestamp` (unix seconds) and `datetime` columns: the 643 undated rows (0, 1970)
    are rejected with that reason; repeated timestamps of other tracks are kept."""
    outcomes = _outcomes(wild_build, "base_lastfm__scrobbles", "krishkumar_scrobbles.csv")
    assert outcomes == {"staged": 17_502 - 643, "played_at before 2002": 643}


def test_bare_recenttracks_array(wild_build):
    outcomes = _outcomes(wild_build, "base_lastfm__scrobbles", "florianruby_recent_tracks.json")
    assert outcomes == {"staged": 100, "now playing (not a scrobble)": 1}


@pytest.mark.parametrize(
    ("file_name", "n_items", "layout"),
    [
        ("liked.csv", 746, "exportify_csv"),
        ("city_pop_80s.csv", 50, "exportify_csv"),
        ("kyleduong_liked_songs.csv", 1_924, "exportify_csv"),
        ("songs_called_run.json", 82, "api_page"),
    ],
)
def test_one_playlist_per_file(wild_build, file_name, n_items, layout):
    rows = wild_build.query(
        "select playlist_id, playlist_name, count(*), min(track_position), "
        "max(track_position), any_value(source_format) "
        "from staging.stg_spotify__playlist_tracks where source_file like ? group by all",
        [f"%/{file_name}"],
    )
    stem = file_name.rsplit(".", 1)[0]
    assert rows == [(f"user:{stem}", stem, n_items, 1, n_items, layout)]
    if layout == "exportify_csv":  # positions follow the file's rows
        with open(SHARED_WILD / "spotify" / "playlists" / file_name, encoding="utf-8-sig") as f:
            in_file = [row[0].rsplit(":", 1)[-1] for row in list(csv.reader(f))[1:]]
        staged = [
            r[0]
            for r in wild_build.query(
                "select track_id from staging.stg_spotify__playlist_tracks "
                "where source_file like ? order by track_position",
                [f"%/{file_name}"],
            )
        ]
        assert staged == in_file
    assert _outcomes(wild_build, "base_spotify__playlist_tracks", file_name) == {"staged": n_items}


def test_account_data_playlists_under_their_own_names(wild_build):
    n_playlists, n_items = wild_build.query(
        "select count(distinct playlist_id), count(*) from staging.stg_spotify__playlist_tracks "
        "where source_file like '%/jonasmika_Playlist1.json'"
    )[0]
    assert (n_playlists, n_items) == (37, 1_793)
    assert _outcomes(wild_build, "base_spotify__playlist_tracks", "jonasmika_Playlist1.json") == {
        "staged": 1_793
    }


@pytest.mark.parametrize(("file_name", "n_tracks"), [("city_pop_80s.csv", 50)])
def test_exportify_features_are_used(wild_build, file_name, n_tracks):
    """A 2024 Exportify CSV's audio features reach dim_spotify_tracks (where no Web API
    object or page outranks them)."""
    with_features = wild_build.scalar(
        "select count(distinct p.track_id) from staging.stg_spotify__playlist_tracks as p "
        "inner join marts.dim_spotify_tracks as t on p.track_id = t.track_id "
        "where p.source_file like ? and t.has_audio_features and t.danceability is not null",
        [f"%/{file_name}"],
    )
    assert with_features == n_tracks
    assert wild_build.scalar(
        "select count(*) from marts.dim_spotify_tracks where feature_source = 'exportify_csv'"
    ) == wild_build.scalar(
        "select count(distinct track_id) from staging.stg_spotify__playlist_tracks "
        "where danceability is not null"
    )


def test_audio_features_page(wild_build):
    outcomes = _outcomes(
        wild_build, "base_spotify__audio_features", "songs_called_run_audio_features.json"
    )
    assert outcomes == {"staged": 82}


def test_cut_down_mpd_slice(wild_build):
    """pids 1802–1807, no collaborative / modified_at / num_albums / pos: 6 playlists and
    608 entries in file order, 602 consecutive pairs."""
    assert _outcomes(wild_build, "base_mpd__playlists", "mpd.slice.0-999.json") == {"staged": 6}
    n_entries, pids = wild_build.query(
        "select count(*), list(distinct playlist_pid order by playlist_pid) "
        "from staging.stg_mpd__playlist_tracks"
    )[0]
    assert n_entries == 608
    assert pids == list(range(1802, 1808))
    # positions are 0..n-1 per playlist, as the published slices number them
    gaps = wild_build.scalar(
        "select count(*) from (select playlist_pid, count(*) as n, max(track_position) as top "
        "from staging.stg_mpd__playlist_tracks group by all) where top <> n - 1"
    )
    assert gaps == 0
    pairs = wild_build.scalar(
        "select sum(n_transitions) from marts.fct_next_track_pairs "
        "where transition_source = 'mpd_playlist'"
    )
    assert pairs == 602


def test_every_wild_build_test_passed(wild_build):
    assert "ERROR=0" in wild_build.stdout
    assert "Traceback" not in wild_build.stderr


# ---------------------------------------------------------------------------------------
# wild-unreadable: each file alone in a raw folder, as spotify/audio_features/<file>
# ---------------------------------------------------------------------------------------
UNREADABLE = {
    # file: None when it loads soundly, else what the one error line must say
    "fem_modena_spotify_songs.csv": "not utf-8 text",
    "most_streamed_2023.csv": "missing column(s) id, uri",
    "top_genre_semicolon.csv": "missing column(s) id, uri",
    # a pandas merge of features and playlist items: it has `id`, `uri` and every feature
    # column (besides 40 dotted ones), so its 82 tracks load with their features
    "songs_called_run_big_table.csv": None,
}


@pytest.mark.parametrize("file_name", sorted(UNREADABLE))
def test_unreadable_file_alone(file_name: str, tmp_path: Path):
    source = SHARED_UNREADABLE / "spotify" / "audio_features" / file_name
    if not source.is_file():
        pytest.skip(f"{source} not found (../shared is absent)")
    folder = tmp_path / "raw" / "spotify" / "audio_features"
    folder.mkdir(parents=True)
    (folder / file_name).symlink_to(source)
    result = build(
        tmp_path / "raw",
        tmp_path / "wh" / "warehouse.duckdb",
        "--select",
        "base_spotify__audio_features",
    )
    expected = UNREADABLE[file_name]
    assert "Traceback" not in result.stderr + result.stdout
    if expected is None:
        assert result.returncode == 0, result.stderr
        outcomes = dict(
            result.query(
                "select coalesce(reject_reason, 'staged'), count(*) "
                "from staging.base_spotify__audio_features group by all"
            )
        )
        assert outcomes == {"staged": 82}
        return
    assert result.returncode != 0
    errors = result.error_lines()
    assert len(errors) == 1, result.stderr
    assert str(folder / file_name) in errors[0]
    assert expected in errors[0].lower()
