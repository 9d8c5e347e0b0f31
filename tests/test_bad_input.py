"""A file that cannot be read stops the build with one line naming it; nothing built
earlier is lost."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import build

pytestmark = pytest.mark.dbt


@pytest.fixture
def raw_copy(realdata_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the real samples to spoil."""
    raw = tmp_path / "raw"
    shutil.copytree(realdata_dir, raw)
    return raw


def _assert_one_line_naming(result, path: Path, words: str) -> str:
    assert result.returncode != 0
    errors = result.error_lines()
    assert len(errors) == 1, result.stderr
    assert str(path) in errors[0]
    assert words in errors[0].lower()
    assert "Traceback" not in result.stderr
    return errors[0]


def test_truncated_mpd_slice_fails_naming_the_file_and_keeps_tables(raw_copy, tmp_path):
    wh = tmp_path / "wh" / "warehouse.duckdb"
    first = build(raw_copy, wh)
    assert first.returncode == 0, first.stderr
    before = first.scalar("select count(*) from staging.base_mpd__playlists")
    assert before == 37

    good = next((raw_copy / "mpd").glob("*.json"))
    bad = raw_copy / "mpd" / "mpd.slice.1000-1999.json"
    bad.write_bytes(good.read_bytes()[:300_000])  # cut mid-playlist
    second = build(raw_copy, wh)
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
    result = build(raw_copy, tmp_path / "wh" / "warehouse.duckdb")
    line = _assert_one_line_naming(result, bad, "missing column")
    assert "tempo" in line


def test_lastfm_file_in_an_unknown_layout_fails_naming_the_file(raw_copy, tmp_path):
    bad = raw_copy / "lastfm" / "mystery.csv"
    bad.write_text("foo,bar,baz\n1,2,3\n4,5,6\n", encoding="utf-8")
    result = build(raw_copy, tmp_path / "wh" / "warehouse.duckdb")
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
    result = build(raw_copy, tmp_path / "wh" / "warehouse.duckdb")
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
