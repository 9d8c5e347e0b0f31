"""Dirty raw files for the bad-input suite (tests/test_bad_input.py).

`write_dirty_files(raw)` adds, next to clean files already in `raw`, one file per source
holding the row-level faults real exports have. Each faulty row is listed in `CASES` with
the outcome the documented policy (README, "Dirty input") promises: a reject reason, or a
repaired value. Rows are built from the real samples' layouts; the values that matter are
spelled out here so a reader sees the fault without opening a file.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

BOM = "\ufeff"


@dataclass(frozen=True)
class Case:
    """One faulty row: where it lands and what happens to it."""

    name: str
    source_file: str  # relative to the raw dir
    entity: str  # fct_rejected_rows.entity
    key: str  # identifies the row in raw_record (a value only this row has)
    reject_reason: str | None  # None: staged (possibly repaired)


# ---------------------------------------------------------------------------------------
# Million Playlist Dataset: a slice with playlists missing fields, wrong types, bad times
# ---------------------------------------------------------------------------------------
MPD_FILE = "mpd/mpd.slice.1000-1999.json"


def _mpd_playlists(template: dict) -> list[dict]:
    def pl(pid, **changes):
        p = json.loads(json.dumps(template))
        p["pid"] = pid
        p["name"] = f"dirty {pid}"
        for k, v in changes.items():
            if v is _DROP:
                p.pop(k, None)
            else:
                p[k] = v
        return p

    n = len(template["tracks"])
    negative = json.loads(json.dumps(template["tracks"]))
    negative[1]["duration_ms"] = -215000
    unknown = json.loads(json.dumps(template["tracks"]))
    unknown[2]["track_uri"] = "spotify:album:0UaMYEvWZi0ZqiDOoHU3YI"
    return [
        pl(1000),  # clean
        pl(1001, name=_DROP),
        pl(1002, tracks=_DROP),
        pl(None, name="dirty no pid"),
        pl(1004, modified_at=0),  # 1970
        pl(1005, modified_at=4102444800),  # 2100
        pl(1000, name="dirty 1000 again"),  # duplicate pid
        pl(1007, num_followers="many"),  # wrong type
        pl(1008, num_tracks=f"{n / 10:.1f}e1"),  # scientific notation of n
        pl(1009, num_tracks=n + 3),  # disagrees with its track list
        pl(1010, tracks=negative),  # one entry with a negative duration
        pl(1011, tracks=unknown),  # one entry whose URI is not a track
        pl(1012, num_albums=-3),  # a negative count
    ]


class _Drop:
    pass


_DROP = _Drop()

MPD_CASES = [
    Case(
        "mpd playlist missing its name",
        MPD_FILE,
        "playlists",
        '"pid":"1001"',
        "missing playlist_name",
    ),
    Case(
        "mpd playlist missing its tracks", MPD_FILE, "playlists", '"pid":"1002"', "missing tracks"
    ),
    Case(
        "mpd playlist missing its pid",
        MPD_FILE,
        "playlists",
        "dirty no pid",
        "missing playlist_pid",
    ),
    Case(
        "mpd playlist modified in 1970",
        MPD_FILE,
        "playlists",
        '"pid":"1004"',
        "modified_at out of range",
    ),
    Case(
        "mpd playlist modified in the future",
        MPD_FILE,
        "playlists",
        '"pid":"1005"',
        "modified_at out of range",
    ),
    Case("mpd duplicate pid", MPD_FILE, "playlists", "dirty 1000 again", "duplicate"),
    Case(
        "mpd follower count not a number",
        MPD_FILE,
        "playlists",
        '"pid":"1007"',
        "unparseable num_followers",
    ),
    Case(
        "mpd num_tracks disagrees with tracks",
        MPD_FILE,
        "playlists",
        '"pid":"1009"',
        "num_tracks does not match tracks",
    ),
    Case(
        "mpd entry with a negative duration",
        MPD_FILE,
        "playlist_tracks",
        '"duration_ms":"-215000"',
        "duration_ms out of range",
    ),
    Case(
        "mpd entry whose URI is not a track",
        MPD_FILE,
        "playlist_tracks",
        "spotify:album:0UaMYEvWZi0ZqiDOoHU3YI",
        "track_uri not a track URI",
    ),
    Case(
        "mpd playlist with a negative album count",
        MPD_FILE,
        "playlists",
        '"pid":"1012"',
        "num_albums out of range",
    ),
]


def write_mpd(raw: Path) -> None:
    clean = next(p for p in sorted((raw / "mpd").glob("*.json")) if p.name != Path(MPD_FILE).name)
    template = json.loads(clean.read_text(encoding="utf-8"))["playlists"][0]
    doc = {
        "info": {"generated_on": "2017-12-03 08:41:42", "slice": "1000-1999", "version": "v1"},
        "playlists": _mpd_playlists(template),
    }
    (raw / MPD_FILE).write_text(json.dumps(doc, indent=4), encoding="utf-8")


# ---------------------------------------------------------------------------------------
# Spotify tracks-by-genre CSV: saved by Excel (BOM, CRLF), an extra column, bad values
# ---------------------------------------------------------------------------------------
GENRE_FILE = "spotify/tracks_by_genre/excel_saved.csv"
GENRE = "Dirty"


def _genre_rows(header: list[str], rows: list[dict]) -> list[dict]:
    def row(i, **changes):
        r = dict(rows[i])
        r["genre"] = GENRE
        r["notes"] = f"row {i}"
        r.update(changes)
        return r

    return [
        row(0),  # clean, apart from BOM, CRLF and the extra column
        row(1, time_signature="4-Apr"),  # 4/4 read as a date, either locale
        row(2, time_signature="4-Mar"),  # 3/4 in a US locale
        row(3, time_signature="3-Apr"),  # 3/4 in a day-first locale
        row(4, instrumentalness="1.2E-05", duration_ms="2.1e5"),  # scientific notation
        row(5, danceability="high"),  # wrong type
        row(6, duration_ms="-1000"),  # negative duration
        row(7, danceability="1.7"),  # out of range
        row(0, notes="row 0 again"),  # the first row again (0BRjO6ga9RKCKjfDqeFgWV)
        row(8, track_id=""),  # missing key
        row(9, popularity="12,5"),  # decimal comma: not a number here
    ]


GENRE_CASES = [
    Case(
        "csv value of the wrong type",
        GENRE_FILE,
        "tracks_by_genre",
        '"danceability":"high"',
        "unparseable danceability",
    ),
    Case(
        "csv negative duration",
        GENRE_FILE,
        "tracks_by_genre",
        '"duration_ms":"-1000"',
        "duration_ms out of range",
    ),
    Case(
        "csv feature out of range",
        GENRE_FILE,
        "tracks_by_genre",
        '"danceability":"1.7"',
        "danceability out of range",
    ),
    Case(
        "csv duplicate row",
        GENRE_FILE,
        "tracks_by_genre",
        '"track_id":"0BRjO6ga9RKCKjfDqeFgWV"',
        "duplicate",
    ),
    Case(
        "csv row missing its key",
        GENRE_FILE,
        "tracks_by_genre",
        '"track_id":null',
        "missing track_id",
    ),
    Case(
        "csv decimal comma",
        GENRE_FILE,
        "tracks_by_genre",
        '"popularity":"12,5"',
        "unparseable popularity",
    ),
]


def write_genre_csv(raw: Path) -> list[dict]:
    """Write the Excel-saved CSV; return its rows as written (dicts of text)."""
    src = raw / "spotify" / "tracks_by_genre" / "SpotifyFeatures_sample.csv"
    with src.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or [])
        rows = [next(reader) for _ in range(10)]
    out_rows = _genre_rows(header, rows)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=[*header, "notes"], lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(out_rows)
    (raw / GENRE_FILE).write_text(BOM + buf.getvalue(), encoding="utf-8", newline="")
    return out_rows


# ---------------------------------------------------------------------------------------
# Last.fm export (the common CSV layout) with broken clocks and repeats
# ---------------------------------------------------------------------------------------
LASTFM_FILE = "lastfm/dora_scrobbles.csv"
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
LASTFM_ROWS = [
    ["1720688852", "11 Jul 2024, 09:07", "The Cure", "", "Faith", "", "Primary", ""],
    ["0", "01 Jan 1970, 00:00", "Broken Clock", "", "", "", "Epoch Song", ""],
    ["4102444800", "01 Jan 2100, 00:00", "Time Traveller", "", "", "", "Tomorrow", ""],
    ["1720688852", "11 Jul 2024, 09:07", "The Cure", "", "Faith", "", "Primary", ""],
    ["soon", "", "No Clock", "", "", "", "Whenever", ""],
    ["1720689000", "11 Jul 2024, 09:10", "", "", "", "", "Nameless Artist Song", ""],
    ["1.7206892E9", "11 Jul 2024, 09:13", "Spreadsheet", "", "", "", "Exponent", ""],
]
LASTFM_CASES = [
    Case("scrobble in 1970", LASTFM_FILE, "scrobbles", "Epoch Song", "played_at before 2002"),
    Case("scrobble in the future", LASTFM_FILE, "scrobbles", "Tomorrow", "played_at in the future"),
    Case("scrobble repeated", LASTFM_FILE, "scrobbles", "Primary", "duplicate"),
    Case(
        "scrobble with an unreadable time",
        LASTFM_FILE,
        "scrobbles",
        "Whenever",
        "missing or unparseable played_at",
    ),
    Case(
        "scrobble missing its artist",
        LASTFM_FILE,
        "scrobbles",
        "Nameless Artist Song",
        "missing artist_name",
    ),
]


def write_lastfm(raw: Path) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(LASTFM_HEADER)
    writer.writerows(LASTFM_ROWS)
    (raw / LASTFM_FILE).write_text(BOM + buf.getvalue(), encoding="utf-8", newline="")


# ---------------------------------------------------------------------------------------
# Music Streaming Sessions: a log with absurd sessions, bad dates, unknown tracks
# ---------------------------------------------------------------------------------------
MSSD_LOG = "mssd/training_set/log_9_20180801_000000000000.csv"
MSSD_FEATURES = "mssd/track_features/tf_dirty.csv"
MSSD_REAL_SHAPED = "mssd/track_features/tf_real_shaped.csv"
# Values the real MSSD track features have (README, "Bounds and their sources") and one
# merely rare value: all staged.
REAL_SHAPED_TRACKS = {
    "t_real_flatness_above_1": {"flatness": "1.1", "us_popularity_estimate": "95"},
    "t_real_placeholders": {"flatness": "0", "tempo": "0", "loudness": "-60"},
    "t_real_extremes": {
        "flatness": "1.1678",
        "loudness": "6.3",
        "tempo": "249.99",
        "dyn_range_mean": "52.6",
        "us_popularity_estimate": "90.0",
        "acoustic_vector_0": "-1.18",
        "acoustic_vector_1": "1.19",
    },
    # rare, not impossible: staged, and the flatness warn test counts it
    "t_rare_flatness_1_25": {"flatness": "1.25"},
}
UNKNOWN_TRACK = "t_00000000-0000-0000-0000-unknowntrack"


def write_mssd(raw: Path) -> None:
    logs = sorted((raw / "mssd" / "training_set").glob("*.csv"))
    with logs[0].open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or [])
        first = next(reader)
    sid = first["session_id"]
    events = []

    def ev(session, pos, length, **changes):
        e = dict(first)
        e.update(session_id=session, session_position=str(pos), session_length=str(length))
        e.update(changes)
        events.append(e)

    for pos in range(1, 4):  # a clean short session that plays an unknown track
        ev(
            f"9_{sid}_unknown",
            pos,
            3,
            track_id_clean=UNKNOWN_TRACK if pos == 2 else first["track_id_clean"],
        )
    ev("9_absurd_length", 1, 5000)  # rare, not impossible: staged, counted by a warn test
    ev("9_position_past_end", 25, 20)
    ev("9_position_zero", 0, 20)
    ev("9_in_1970", 1, 20, date="1970-01-01")
    ev("9_in_2100", 1, 20, date="2100-01-01")
    ev("9_bad_hour", 1, 20, hour_of_day="25")
    ev("9_bad_flag", 1, 20, skip_2="maybe")
    ev(f"9_{sid}_unknown", 1, 3)  # a repeated event
    with (raw / MSSD_LOG).open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(events)

    feats = sorted((raw / "mssd" / "track_features").glob("*.csv"))[0]
    with feats.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fheader = list(reader.fieldnames or [])
        template = next(reader)
    bad = []
    for tid, changes in [
        ("t_dirty_negative_duration", {"duration": "-12.5"}),
        ("t_dirty_acousticness", {"acousticness": "2"}),
        ("t_dirty_year", {"release_year": "1066"}),
        ("t_dirty_key_13", {"key": "13"}),
        ("t_dirty_mode_2", {"mode": "2"}),
        ("t_dirty_negative_tempo", {"tempo": "-120"}),
        ("t_dirty_popularity_101", {"us_popularity_estimate": "101"}),
    ]:
        r = dict(template)
        r["track_id"] = tid
        r.update(changes)
        bad.append(r)
    with (raw / MSSD_FEATURES).open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fheader)
        writer.writeheader()
        writer.writerows(bad)
    real = []
    for tid, changes in REAL_SHAPED_TRACKS.items():
        r = dict(template)
        r["track_id"] = tid
        r.update(changes)
        real.append(r)
    with (raw / MSSD_REAL_SHAPED).open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fheader)
        writer.writeheader()
        writer.writerows(real)


MSSD_CASES = [
    Case(
        "session position past the session's end",
        MSSD_LOG,
        "session_events",
        "9_position_past_end",
        "session_position past session_length",
    ),
    Case(
        "session position zero",
        MSSD_LOG,
        "session_events",
        "9_position_zero",
        "session_position out of range",
    ),
    Case(
        "session dated 1970", MSSD_LOG, "session_events", "9_in_1970", "session_date out of range"
    ),
    Case(
        "session dated in the future",
        MSSD_LOG,
        "session_events",
        "9_in_2100",
        "session_date out of range",
    ),
    Case("hour of day 25", MSSD_LOG, "session_events", "9_bad_hour", "hour_of_day out of range"),
    Case(
        "skip flag not a boolean", MSSD_LOG, "session_events", "9_bad_flag", "unparseable is_skip_2"
    ),
    Case("session event repeated", MSSD_LOG, "session_events", "_unknown", "duplicate"),
    Case(
        "track with a negative duration",
        MSSD_FEATURES,
        "tracks",
        "t_dirty_negative_duration",
        "duration_s out of range",
    ),
    Case(
        "track feature out of range",
        MSSD_FEATURES,
        "tracks",
        "t_dirty_acousticness",
        "acousticness out of range",
    ),
    Case(
        "track released in 1066",
        MSSD_FEATURES,
        "tracks",
        "t_dirty_year",
        "release_year out of range",
    ),
    Case("track in key 13", MSSD_FEATURES, "tracks", "t_dirty_key_13", "key out of range"),
    Case("track in mode 2", MSSD_FEATURES, "tracks", "t_dirty_mode_2", "mode out of range"),
    Case(
        "track with a negative tempo",
        MSSD_FEATURES,
        "tracks",
        "t_dirty_negative_tempo",
        "tempo out of range",
    ),
    Case(
        "track above the 100th popularity percentile",
        MSSD_FEATURES,
        "tracks",
        "t_dirty_popularity_101",
        "us_popularity_estimate out of range",
    ),
]

CASES = MPD_CASES + GENRE_CASES + LASTFM_CASES + MSSD_CASES


def write_dirty_files(raw: Path) -> list[dict]:
    """Add every dirty file to `raw` (which holds the clean samples and an MSSD sample)."""
    write_mpd(raw)
    rows = write_genre_csv(raw)
    write_lastfm(raw)
    write_mssd(raw)
    return rows
