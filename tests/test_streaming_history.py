"""Spotify's own listening history (`spotify/streaming_history/*.json`) on the three real
files of ../shared/wild (PROVENANCE.md): every item is staged or rejected with its reason,
users come from `username` or the file name, 0 ms plays are plays but not listens, and a
malformed file stops the build with one line naming it.

The files are personal data: they are read in place (the shared build of ../shared/wild,
or symlinked into a temporary raw folder), never copied into the repo, and only counts
are asserted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from support import SHARED_WILD, BuildResult, build

pytestmark = pytest.mark.dbt

HISTORY = "spotify/streaming_history"
ENDSONG = "candidlyred_endsong.json"
AUDIO_2022 = "efrrowini_Streaming_History_Audio_2022.json"
SHORT = "jonasmika_StreamingHistory0.json"
ITEMS = {ENDSONG: 963, AUDIO_2022: 35, SHORT: 10_000}


@pytest.fixture(scope="module")
def wild_history() -> Path:
    folder = SHARED_WILD / HISTORY
    if not all((folder / name).is_file() for name in ITEMS):
        pytest.skip(f"the wild streaming-history files are not at {folder} (../shared is absent)")
    return folder


def _raw_with(tmp: Path, files: dict[str, Path | bytes]) -> Path:
    """A raw folder holding just these streaming-history files (symlinks or bytes)."""
    raw = tmp / "raw"
    folder = raw / HISTORY
    folder.mkdir(parents=True)
    for name, content in files.items():
        if isinstance(content, Path):
            (folder / name).symlink_to(content)
        else:
            (folder / name).write_bytes(content)
    return raw


@pytest.fixture(scope="module")
def history_build(wild_history: Path, wild_build: BuildResult) -> BuildResult:
    """The shared whole build (every model and data test) of ../shared/wild, whose only
    streaming-history files are these three."""
    files = {p.name for p in wild_history.iterdir()}
    assert files == set(ITEMS), "the wild streaming-history folder holds other files"
    return wild_build


def _per_file(result: BuildResult, sql: str) -> dict:
    rows = result.query(sql)
    return {Path(r[0]).name: r[1] if len(r) == 2 else tuple(r[1:]) for r in rows}


def test_every_item_is_staged_or_rejected_with_its_reason(history_build):
    staged = _per_file(
        history_build,
        "select source_file, count(*) from staging.stg_spotify__streams group by all",
    )
    rejected = dict(
        ((Path(f).name, reason), n)
        for f, reason, n in history_build.query(
            "select source_file, reject_reason, count(*) from marts.fct_rejected_rows "
            "where source_name = 'spotify' and entity = 'streams' group by all"
        )
    )
    assert staged == {ENDSONG: 941, AUDIO_2022: 34, SHORT: 10_000}
    assert rejected == {
        (ENDSONG, "missing track"): 20,
        (ENDSONG, "duplicate"): 2,
        (AUDIO_2022, "duplicate"): 1,
    }
    for name, n_items in ITEMS.items():
        n_rejected = sum(n for (f, _), n in rejected.items() if f == name)
        assert staged[name] + n_rejected == n_items, name
    assert sum(staged.values()) + sum(rejected.values()) == 963 + 35 + 10_000


def test_the_items_without_a_track_are_the_rejected_ones(history_build, wild_history):
    """The 20 endsong items without a track name or URI are the `missing track` rejects."""
    items = json.loads((wild_history / ENDSONG).read_text(encoding="utf-8"))
    no_track = [i for i in items if not i["spotify_track_uri"]]
    assert len(no_track) == 20
    rejected_times = sorted(
        json.loads(r[0])["ended_at"]
        for r in history_build.query(
            "select raw_record from marts.fct_rejected_rows "
            "where entity = 'streams' and reject_reason = 'missing track'"
        )
    )
    assert rejected_times == sorted(i["ts"] for i in no_track)


def test_users_come_from_username_or_the_file_name(history_build, wild_history):
    users = _per_file(
        history_build,
        "select source_file, list_sort(list(distinct user_name)) "
        "from staging.stg_spotify__streams group by all",
    )
    assert users[AUDIO_2022] == ["efrrowini"]
    assert users[SHORT] == ["jonasmika"]
    # the endsong items carry their account's `username`: that is the user
    items = json.loads((wild_history / ENDSONG).read_text(encoding="utf-8"))
    assert users[ENDSONG] == sorted({i["username"] for i in items})


def test_layouts_uris_reasons_and_flags(history_build):
    per_format = {
        r[0]: r[1:]
        for r in history_build.query(
            """
            select
                source_format,
                count(*),
                count(track_id),
                count(reason_end),
                count(is_skipped),
                count(*) filter (where started_at <= ended_at)
            from staging.stg_spotify__streams
            group by all
            """
        )
    }
    assert per_format == {
        # every extended play has its track id and reasons; `skipped` is not recorded
        # in the old endsong items, it is in the current layout; no URI in account data
        "extended_endsong": (941, 941, 941, 0, 941),
        "extended": (34, 34, 34, 34, 34),
        "account_data": (10_000, 0, 0, 0, 10_000),
    }


def test_zero_ms_plays_are_plays_but_not_listens(history_build):
    zero, short, listens = history_build.query(
        """
        select
            count(*) filter (where ms_played = 0),
            count(*) filter (where ms_played > 0 and ms_played < 30000),
            count(*) filter (where is_listen)
        from staging.stg_spotify__streams
        where source_file like '%' || ?
        """,
        [SHORT],
    )[0]
    assert zero == 221  # staged, as plays of 0 ms
    assert short == 4_073 - 221
    assert listens == 10_000 - 4_073  # a listen is at least 30 s played
    assert (
        history_build.scalar(
            "select count(*) from staging.stg_spotify__streams where ms_played = 0 and is_listen"
        )
        == 0
    )


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b'[{"ts": "2021-10-12T08:00:00Z", "ms_played": 12', "json"),
        (b'{"playlists": []}', "json array"),
    ],
    ids=["truncated", "not an array"],
)
def test_malformed_history_file_stops_with_one_line_naming_it(tmp_path, content, words):
    raw = _raw_with(tmp_path, {"zoe_endsong_0.json": content})
    result = build(raw, tmp_path / "wh" / "warehouse.duckdb", "--select", "base_spotify__streams")
    assert result.returncode != 0
    errors = result.error_lines()
    assert len(errors) == 1, result.stderr
    assert str(raw / HISTORY / "zoe_endsong_0.json") in errors[0]
    assert words in errors[0].lower()
    assert "Traceback" not in result.stderr


def test_listens_reach_the_listening_marts(history_build):
    """Plays of 30 s or more are scrobbles of the listening marts, placed at their start,
    with their own track (extended layouts) and their real time played."""
    per_file = _per_file(
        history_build,
        """
        select
            streams.source_file,
            count(*),
            count(scrobbles.scrobble_id),
            count(*) filter (where scrobbles.is_matched),
            count(*) filter (where scrobbles.played_at = streams.started_at),
            count(*) filter (
                where abs(scrobbles.minutes_listened * 60000 - streams.ms_played) < 1e-6
            )
        from staging.stg_spotify__streams as streams
        left join marts.fct_scrobbles as scrobbles on streams.stream_id = scrobbles.scrobble_id
        where streams.is_listen
        group by all
        """,
    )
    assert per_file == {
        ENDSONG: (620, 620, 620, 620, 620),
        AUDIO_2022: (13, 13, 13, 13, 13),
        # no URI in the account-data layout, and no URI match file in the folder: unmatched
        SHORT: (5_927, 5_927, 0, 5_927, 5_927),
    }
    sources = dict(
        history_build.query("select listen_source, count(*) from marts.fct_scrobbles group by 1")
    )
    # the wild folder's Last.fm exports are scrobbles of their own source
    assert sources["spotify_streaming_history"] == 620 + 13 + 5_927
    assert set(sources) == {"spotify_streaming_history", "lastfm"}
    # every listen, streamed or scrobbled, is counted in the daily mart
    assert history_build.scalar("select sum(n_scrobbles) from marts.rpt_listening_daily") == sum(
        sources.values()
    )
    # the streamed tracks are catalog tracks
    assert (
        history_build.scalar(
            "select count(*) from staging.stg_spotify__streams as s "
            "anti join marts.dim_spotify_tracks as t using (track_id) where s.track_id is not null"
        )
        == 0
    )
