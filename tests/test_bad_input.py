"""The bad-input suite: every kind of dirt real exports carry, and what the warehouse
does with it (README, "Dirty input").

- A file that cannot be read as its layout (truncated JSON, a CSV missing a column, an
  unknown Last.fm layout, non-UTF-8 bytes, an empty file) stops the build with one line
  naming the file; every table built earlier is kept as it was.
- A row that can be read but not used (missing or mistyped values, 1970 or future times,
  negative durations, out-of-range features, absurd sessions, duplicates) is not staged:
  it lands in `marts.fct_rejected_rows` with its reason, and the build goes on.
- Values a spreadsheet mangled (BOM, CRLF, `4-Apr` for 4/4, `1.2E-05`) are read as meant;
  extra columns are ignored; an unknown track id is kept and counted by a warning test.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import duckdb
import pytest

import dirty_raw
from models_py.generate import generate
from support import STAGING_AND_REJECTS, BuildResult, build, copy_warehouse

pytestmark = pytest.mark.dbt


@pytest.fixture
def raw_copy(realdata_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the real samples to spoil."""
    raw = tmp_path / "raw"
    shutil.copytree(realdata_dir, raw)
    return raw


# File-level faults stop the build in the raw registration (the on-run-start hook, which
# runs whatever is selected) or when a staging model reads the file: a build of the staged
# sources these tests look at runs both, without the marts and their tests.
STAGED = [
    "--select",
    "+stg_spotify__tracks_by_genre",
    "+stg_lastfm__scrobbles",
    "+stg_mpd__playlists",
    "+stg_mpd__playlist_tracks",
    "+stg_spotify__audio_features",
    "resource_type:seed",
    "--indirect-selection",
    "cautious",
]


def _assert_one_line_naming(result, path: Path, words: str) -> str:
    assert result.returncode != 0
    errors = result.error_lines()
    assert len(errors) == 1, result.stderr
    assert str(path) in errors[0]
    assert words in errors[0].lower()
    assert "Traceback" not in result.stderr
    return errors[0]


def test_truncated_mpd_slice_fails_naming_the_file_and_keeps_tables(loaded_copy):
    raw_copy, wh = loaded_copy  # the shared real-data build, copied
    first = BuildResult(0, "", "", wh)
    before = first.scalar("select count(*) from staging.base_mpd__playlists")
    assert before == 37

    good = next((raw_copy / "mpd").glob("*.json"))
    bad = raw_copy / "mpd" / "mpd.slice.1000-1999.json"
    bad.write_bytes(good.read_bytes()[:300_000])  # cut mid-playlist
    second = build(raw_copy, wh, *STAGED)
    _assert_one_line_naming(second, bad, "json")
    # the table built by the first run is still there, unchanged
    assert second.scalar("select count(*) from staging.base_mpd__playlists") == before
    assert second.scalar("select count(*) from staging.stg_mpd__playlist_tracks") == 2_023


def test_csv_missing_a_column_fails_naming_the_file(raw_copy, tmp_path):
    src = next((raw_copy / "spotify" / "tracks_by_genre").glob("*.csv"))
    lines = src.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    drop = header.index("tempo")
    bad = src.with_name("no_tempo.csv")
    bad.write_text(
        "\n".join(
            ",".join(f for i, f in enumerate(line.split(",")) if i != drop) for line in lines[:50]
        )
        + "\n",
        encoding="utf-8",
    )
    result = build(raw_copy, tmp_path / "wh" / "warehouse.duckdb", *STAGED)
    line = _assert_one_line_naming(result, bad, "missing column")
    assert "tempo" in line


def test_lastfm_file_in_an_unknown_layout_fails_naming_the_file(raw_copy, tmp_path):
    bad = raw_copy / "lastfm" / "mystery.csv"
    bad.write_text("foo,bar,baz\n1,2,3\n4,5,6\n", encoding="utf-8")
    result = build(raw_copy, tmp_path / "wh" / "warehouse.duckdb", *STAGED)
    _assert_one_line_naming(result, bad, "layout")


def test_lastfm_export_with_another_header_is_recognised(raw_copy, tmp_path):
    """A CSV whose header names an artist, a track and a timestamp is read too."""
    other = raw_copy / "lastfm" / "carol_export.csv"
    other.write_text(
        "Artist Name,Track,Album,Timestamp\n"
        '"Björk","Jóga","Homogenic","2021-03-04 05:06:07"\n'
        '"Portishead","Roads","Dummy","2021-03-04 05:10:00"\n',
        encoding="utf-8",
    )
    result = build(raw_copy, tmp_path / "wh" / "warehouse.duckdb", *STAGED)
    assert result.returncode == 0, result.stderr
    rows = result.query(
        "select user_name, artist_name, track_name, album_name, played_at::varchar "
        "from staging.stg_lastfm__scrobbles where source_file like '%carol_export.csv' "
        "order by played_at"
    )
    assert rows == [
        ("carol", "Björk", "Jóga", "Homogenic", "2021-03-04 05:06:07"),
        ("carol", "Portishead", "Roads", "Dummy", "2021-03-04 05:10:00"),
    ]


# ---------------------------------------------------------------------------------------
# File-level faults: one line naming the file, nothing already built is lost
# ---------------------------------------------------------------------------------------
GENRE_HEADER = (
    "genre,artist_name,track_name,track_id,popularity,acousticness,danceability,"
    "duration_ms,energy,instrumentalness,key,liveness,loudness,mode,speechiness,tempo,"
    "time_signature,valence\n"
)
GENRE_ROW = (
    "Movie,{artist},{track},0BRjO6ga9RKCKjfDqeFgXX,0,0.6,0.4,99373,0.9,0,C#,0.3,-1.8,Major,"
    "0.05,166.9,4/4,0.8\n"
)


def _latin1_csv() -> bytes:
    """A Latin-1 byte after 25,000 good lines: past the CSV sniffer's sample, so it is met
    while the staging model reads the file, not while the raw views are registered."""
    good = "".join(GENRE_ROW.format(artist=f"Artist {i}", track=f"Song {i}") for i in range(25_000))
    bad = GENRE_ROW.format(artist="Henri Salvador", track="C'est beau")
    return (GENRE_HEADER + good).encode() + bad.replace("C'est", "C\u00e9st").encode("latin-1")


FILE_FAULTS = {
    # name: (file relative to the raw dir, its bytes, words the error must contain)
    "csv not utf-8": ("spotify/tracks_by_genre/latin1.csv", _latin1_csv(), "not utf-8"),
    "lastfm csv not utf-8": (
        "lastfm/erik_scrobbles.csv",
        b"uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid\n"
        b'"1720688852","11 Jul 2024, 09:07","Bj\xf6rk","","","","J\xf3ga",""\n',
        "not utf-8",
    ),
    "empty csv": ("spotify/tracks_by_genre/empty.csv", b"", "empty file"),
    "empty mpd slice": ("mpd/mpd.slice.5000-5999.json", b"", "empty file"),
    "empty lastfm export": ("lastfm/fay_scrobbles.csv", b"", "empty file"),
    "empty audio features": ("spotify/audio_features/x.json", b"", "empty file"),
    "json not utf-8": (
        "spotify/audio_features/latin1.json",
        b'{"id": "abc\xe9", "danceability": "0.5"}',
        "invalid utf-8",
    ),
}


@pytest.fixture
def loaded_copy(realdata_build: BuildResult, realdata_dir: Path, tmp_path: Path):
    """A copy of the real samples and of the warehouse already built on them."""
    raw = tmp_path / "raw"
    shutil.copytree(realdata_dir, raw)
    wh = copy_warehouse(realdata_build, tmp_path / "wh").warehouse
    # the copy holds the copied folder's data (one warehouse, one raw folder): else the next
    # build would start a fresh warehouse for the other folder
    with duckdb.connect(str(wh)) as con:
        con.execute("update meta.raw_folder set raw_dir = ?", [str(raw.resolve())])
    return raw, wh


@pytest.mark.parametrize("fault", sorted(FILE_FAULTS))
def test_unreadable_file_fails_with_one_line_and_keeps_what_was_loaded(fault, loaded_copy):
    raw, wh = loaded_copy
    relative, content, words = FILE_FAULTS[fault]
    bad = raw / relative
    bad.write_bytes(content)
    tables = [
        "staging.stg_spotify__tracks_by_genre",
        "staging.stg_lastfm__scrobbles",
        "staging.stg_mpd__playlists",
        "staging.stg_spotify__audio_features",
    ]
    before = BuildResult(0, "", "", wh)
    counts = {t: before.scalar(f"select count(*) from {t}") for t in tables}  # noqa: S608

    result = build(raw, wh, *STAGED)
    _assert_one_line_naming(result, bad, words)
    assert {t: result.scalar(f"select count(*) from {t}") for t in tables} == counts  # noqa: S608


def test_header_only_csv_is_an_empty_delivery(raw_copy, tmp_path):
    """A CSV with its header and no rows loads nothing and is no error."""
    (raw_copy / "spotify" / "tracks_by_genre" / "no_rows.csv").write_text(
        GENRE_HEADER, encoding="utf-8"
    )
    result = build(
        raw_copy, tmp_path / "wh" / "warehouse.duckdb", "--select", "+stg_spotify__tracks_by_genre"
    )
    assert result.returncode == 0, result.stderr
    assert result.scalar("select count(*) from staging.stg_spotify__tracks_by_genre") == 1_397


# ---------------------------------------------------------------------------------------
# Row-level faults: one dirty build, every faulty row rejected with its reason
# ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dirty(realdata_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """The real samples plus a small generated session log, then the dirty files; staged,
    with the rejects mart and the data tests on them."""
    root = tmp_path_factory.mktemp("dirty")
    raw = root / "raw"
    shutil.copytree(realdata_dir, raw)
    generate(root / "gen", scale=0.05, seed=3, progress=False, only="mssd")
    shutil.copytree(root / "gen" / "mssd", raw / "mssd", ignore=shutil.ignore_patterns("_oracle"))
    genre_rows = dirty_raw.write_dirty_files(raw)
    result = build(raw, root / "wh" / "warehouse.duckdb", *STAGING_AND_REJECTS)
    return raw, result, genre_rows


def test_real_shaped_track_features_are_staged(dirty):
    """Flatness above 1, the file's placeholders (flatness 0, tempo 0, loudness -60) and the
    published extremes of the real MSSD track features are staged as they are."""
    raw, result, _ = dirty
    path = str(raw / dirty_raw.MSSD_REAL_SHAPED)
    assert (
        result.scalar("select count(*) from marts.fct_rejected_rows where source_file = ?", [path])
        == 0
    )
    staged = {
        row[0]: row[1:]
        for row in result.query(
            "select track_id, flatness, loudness, tempo, us_popularity_estimate, "
            "dyn_range_mean, acoustic_vector_0, acoustic_vector_1 "
            "from staging.stg_mssd__tracks where source_file = ?",
            [path],
        )
    }
    assert set(staged) == set(dirty_raw.REAL_SHAPED_TRACKS)
    flatness, _, _, popularity, *_ = staged["t_real_flatness_above_1"]
    assert (flatness, popularity) == (1.1, 95.0)
    assert staged["t_real_placeholders"][:3] == (0.0, -60.0, 0.0)
    assert staged["t_real_extremes"] == (1.1678, 6.3, 249.99, 90.0, 52.6, -1.18, 1.19)
    assert staged["t_rare_flatness_1_25"][0] == 1.25


def test_rare_values_are_staged_and_counted_by_warn_tests(dirty):
    """Merely rare values are kept: a flatness of 1.25 (real maximum 1.1678) and a session of
    5,000 tracks (the public data has 10–20) are staged, and a warn test counts each; the
    real extremes trip no warn test."""
    _, result, _ = dirty
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert (
        result.scalar(
            "select count(*) from staging.stg_mssd__session_events "
            "where session_id = '9_absurd_length' and session_length = 5000"
        )
        == 1
    )
    warn_lines = [line for line in result.stdout.splitlines() if "WARN" in line]
    flatness = [line for line in warn_lines if "in_range_stg_mssd__tracks_flatness" in line]
    assert len(flatness) == 1 and "WARN 1 " in flatness[0], warn_lines
    length = [
        line for line in warn_lines if "in_range_stg_mssd__session_events_session_length" in line
    ]
    assert length, warn_lines
    others = [
        line for line in warn_lines if "in_range_stg_mssd__tracks" in line and line not in flatness
    ]
    assert others == []


def test_dirty_rows_do_not_stop_the_build(dirty):
    _, result, _ = dirty
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    # the unknown track id is counted, not hidden
    assert "WARN 1 relationships_stg_mssd__session_events_track_id" in result.stdout


@pytest.mark.parametrize("case", dirty_raw.CASES, ids=lambda c: c.name)
def test_each_faulty_row_is_rejected_with_its_reason(case: dirty_raw.Case, dirty):
    raw, result, _ = dirty
    rows = result.query(
        "select reject_reason from marts.fct_rejected_rows "
        "where source_file = ? and entity = ? and strpos(raw_record, ?) > 0",
        [str(raw / case.source_file), case.entity, case.key],
    )
    assert rows == [(case.reject_reason,)]


@pytest.mark.parametrize(
    "relative",
    [
        dirty_raw.MPD_FILE,
        dirty_raw.GENRE_FILE,
        dirty_raw.LASTFM_FILE,
        dirty_raw.MSSD_LOG,
        dirty_raw.MSSD_FEATURES,
    ],
)
def test_every_raw_row_is_staged_or_rejected(relative, dirty):
    """raw rows = staged + rejected, per dirty file: nothing is dropped silently."""
    raw, result, _ = dirty
    path = str(raw / relative)
    raw_view, base = {
        dirty_raw.MPD_FILE: ("raw.mpd__playlists", "staging.base_mpd__playlists"),
        dirty_raw.GENRE_FILE: (
            "raw.spotify__tracks_by_genre",
            "staging.base_spotify__tracks_by_genre",
        ),
        dirty_raw.LASTFM_FILE: ("raw.lastfm__scrobbles", "staging.base_lastfm__scrobbles"),
        dirty_raw.MSSD_LOG: ("raw.mssd__training_set", "staging.base_mssd__session_events"),
        dirty_raw.MSSD_FEATURES: ("raw.mssd__track_features", "staging.base_mssd__tracks"),
    }[relative]
    n_raw = result.scalar(f"select count(*) from {raw_view} where source_file = ?", [path])  # noqa: S608
    staged = result.scalar(
        f"select count(*) from {base} where source_file = ? and reject_reason is null",
        [path],  # noqa: S608
    )
    rejected = result.scalar(
        "select count(*) from marts.fct_rejected_rows where source_file = ?", [path]
    )
    expected_rejects = sum(
        1 for c in dirty_raw.CASES if c.source_file == relative and c.entity != "playlist_tracks"
    )
    assert rejected >= expected_rejects > 0
    if relative != dirty_raw.MPD_FILE:  # MPD: rejects also count the entries of rejected playlists
        assert n_raw == staged + rejected
    else:
        assert n_raw == staged + result.scalar(
            "select count(*) from marts.fct_rejected_rows "
            "where source_file = ? and entity = 'playlists'",
            [path],
        )


FEATURES = (
    "popularity, danceability, energy, speechiness, acousticness, instrumentalness, liveness, "
    "valence, loudness_db, tempo_bpm, duration_ms, key, mode, time_signature, artist_name, "
    "track_name"
)


def test_excel_saved_csv_reads_as_the_clean_file(dirty):
    """BOM, CRLF and an extra column change nothing: the first row equals its clean twin."""
    raw, result, _ = dirty
    sql = (
        f"select {FEATURES} from staging.stg_spotify__tracks_by_genre "  # noqa: S608
        "where track_id = ? and source_file = ?"
    )
    tid = "0BRjO6ga9RKCKjfDqeFgWV"
    clean = result.query(
        sql, [tid, str(raw / "spotify/tracks_by_genre/SpotifyFeatures_sample.csv")]
    )
    saved = result.query(sql, [tid, str(raw / dirty_raw.GENRE_FILE)])
    assert len(clean) == 1
    assert saved == clean
    columns = [
        r[0]
        for r in result.query(
            "select column_name from information_schema.columns "
            "where table_schema = 'staging' and table_name = 'base_spotify__tracks_by_genre'"
        )
    ]
    assert "genre" in columns and "notes" not in columns  # the extra column is not carried


def test_spreadsheet_mangled_values_are_repaired(dirty):
    raw, result, rows = dirty
    staged = dict(
        result.query(
            "select track_id, time_signature from staging.stg_spotify__tracks_by_genre "
            "where source_file = ?",
            [str(raw / dirty_raw.GENRE_FILE)],
        )
    )
    written = {r["time_signature"]: r["track_id"] for r in rows[1:4]}
    assert {k: staged[v] for k, v in written.items()} == {"4-Apr": 4, "4-Mar": 3, "3-Apr": 3}
    sci = result.query(
        "select instrumentalness, duration_ms from staging.stg_spotify__tracks_by_genre "
        "where track_id = ? and source_file = ?",
        [rows[4]["track_id"], str(raw / dirty_raw.GENRE_FILE)],
    )
    assert sci == [(1.2e-05, 210_000)]


def test_numbers_in_scientific_notation_are_read_in_playlists_and_scrobbles(dirty):
    raw, result, _ = dirty
    template_tracks = result.scalar(
        "select num_tracks from staging.stg_mpd__playlists where playlist_pid = 0"
    )
    assert (
        result.scalar("select num_tracks from staging.stg_mpd__playlists where playlist_pid = 1008")
        == template_tracks
    )
    assert result.query(
        "select epoch(played_at) from staging.stg_lastfm__scrobbles where track_name = 'Exponent'"
    ) == [(1_720_689_200,)]


def test_an_unknown_track_id_is_kept_with_null_features(dirty):
    _, result, _ = dirty
    rows = result.query(
        "select count(*), count(t.track_id) from staging.stg_mssd__session_events as e "
        "left join staging.stg_mssd__tracks as t on e.track_id = t.track_id "
        "where e.track_id = ?",
        [dirty_raw.UNKNOWN_TRACK],
    )
    assert rows == [(1, 0)]
    assert (
        result.scalar(
            "select count(*) from marts.fct_rejected_rows where raw_record like ?",
            [f"%{dirty_raw.UNKNOWN_TRACK}%"],
        )
        == 0
    )


# ---------------------------------------------------------------------------------------
# Failing data tests: named in words, never by dbt's hash
# ---------------------------------------------------------------------------------------
LASTFM_HEADER = [
    "uts",
    "utc_time",
    "artist",
    "artist_mbid",
    "album",
    "album_mbid",
    "track",
    "track_mbid",
]
HASH_LIKE = re.compile(r"\b[0-9a-f]{10}\b|[0-9a-f]{32}")


def _scrobble(i: int, artist: str = "Björk", uts: int | None = 1_720_000_000) -> list[str]:
    when = "" if uts is None else str(uts + 300 * i)
    utc = "" if uts is None else "11 Jul 2024, 09:07"
    return [when, utc, artist, "", "Homogenic", "", f"Song {i}", ""]


def _write_lastfm_export(path: Path, rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_ALL)
        writer.writerow(LASTFM_HEADER)
        writer.writerows(rows)


def _assert_no_hash(result: BuildResult) -> None:
    for line in result.error_lines():
        assert not HASH_LIKE.search(line), line
    assert "Traceback" not in result.stderr


def test_reject_share_failure_names_model_share_limit_reasons_and_a_file(tmp_path):
    """An export where most scrobbles lack an artist: the build stops with one line saying
    how much was rejected, against which limit, why, and where to look."""
    raw = tmp_path / "raw"
    rows = [_scrobble(i) for i in range(10)]
    rows += [_scrobble(i, artist="") for i in range(10, 38)]
    rows += [_scrobble(i, uts=None) for i in range(38, 40)]
    _write_lastfm_export(raw / "lastfm" / "zoe_scrobbles.csv", rows)
    _write_lastfm_export(raw / "lastfm" / "yann_scrobbles.csv", [_scrobble(i) for i in range(5)])

    result = build(raw, tmp_path / "wh" / "warehouse.duckdb", "--select", "+base_lastfm__scrobbles")
    assert result.returncode != 0
    assert result.error_lines() == [
        "error: reject share of base_lastfm__scrobbles is 66.7% (30 of 45 rows), above the "
        "25% limit: missing artist_name (28 rows, e.g. lastfm/zoe_scrobbles.csv); "
        "missing or unparseable played_at (2 rows, e.g. lastfm/zoe_scrobbles.csv)"
    ], result.stderr
    _assert_no_hash(result)


def test_failing_data_test_names_the_test_and_the_model(tmp_path):
    """A table spoilt behind dbt's back (a usable scrobble twice, a row without its file):
    each failing test is named with the model and column it checks."""
    raw = tmp_path / "raw"
    _write_lastfm_export(raw / "lastfm" / "zoe_scrobbles.csv", [_scrobble(i) for i in range(20)])
    wh = tmp_path / "wh" / "warehouse.duckdb"
    first = build(raw, wh, "--select", "+base_lastfm__scrobbles")
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr
    with duckdb.connect(str(wh)) as con:
        usable = "from staging.base_lastfm__scrobbles where reject_reason is null limit 1"
        con.execute(f"insert into staging.base_lastfm__scrobbles select * {usable}")  # noqa: S608
        con.execute(
            "insert into staging.base_lastfm__scrobbles "  # noqa: S608
            f"select * replace (null as source_file) {usable}"
        )

    result = build(raw, wh, "--select", "base_lastfm__scrobbles")  # no new file: tests only
    assert result.returncode != 0
    assert sorted(result.error_lines()) == [
        "error: not_null on base_lastfm__scrobbles.source_file: 1 row fails it",
        "error: unique_together on base_lastfm__scrobbles: "
        "Got 1 result, configured to fail if != 0",
    ], result.stderr
    _assert_no_hash(result)
