"""Time columns in the layouts real exports use: decided per file and column, printed in
the build log; a file whose time column never parses stops with one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import BuildResult, build

pytestmark = pytest.mark.dbt

# (file name, text, the played_at values staging must give, in file order)
LAYOUTS = [
    (
        # pandas `to_csv` of an API dump: an unnamed index column, unix seconds and text
        "pandas_scrobbles.csv",
        ",artist,track,album,timestamp,datetime\n"
        "0,Björk,Jóga,Homogenic,1614834367,2021-03-04 05:06:07\n"
        "1,Portishead,Roads,Dummy,1614834600,2021-03-04 05:10:00\n",
        ["2021-03-04 05:06:07", "2021-03-04 05:10:00"],
    ),
    (
        "millis_scrobbles.csv",
        "artist,track,played_at\nBjörk,Jóga,1614834367000\nPortishead,Roads,1614834600123\n",
        ["2021-03-04 05:06:07", "2021-03-04 05:10:00.123"],
    ),
    (
        # a spreadsheet's day-first dates: 13/02 settles the order for the whole file
        "dayfirst_scrobbles.csv",
        "artist,track,date\nBjörk,Jóga,03/02/2021 05:06\nPortishead,Roads,13/02/2021 17:10\n",
        ["2021-02-03 05:06:00", "2021-02-13 17:10:00"],
    ),
    (
        "monthfirst_scrobbles.csv",
        "artist,track,date\nBjörk,Jóga,03/02/2021 05:06\nPortishead,Roads,12/31/2021 17:10\n",
        ["2021-03-02 05:06:00", "2021-12-31 17:10:00"],
    ),
    (
        "twodigit_scrobbles.csv",
        "artist,track,date\nBjörk,Jóga,03/02/21 05:06\nPortishead,Roads,25/12/19 17:10\n",
        ["2021-02-03 05:06:00", "2019-12-25 17:10:00"],
    ),
    (
        # ISO 8601 with a zone: an offset and Z in one file are one layout
        "offset_scrobbles.csv",
        "artist,track,time\nBjörk,Jóga,2021-03-04T06:06:07+01:00\n"
        "Portishead,Roads,2021-03-04T05:10:00Z\n",
        ["2021-03-04 05:06:07", "2021-03-04 05:10:00"],
    ),
    (
        "lastfm_scrobbles.csv",
        'artist,track,date\nBjörk,Jóga,"4 Mar 2021, 05:06"\nPortishead,Roads,"4 Mar 2021, 05:10"\n',
        ["2021-03-04 05:06:00", "2021-03-04 05:10:00"],
    ),
]


SESSION_HEADER = (
    "session_id,session_position,session_length,track_id_clean,skip_1,skip_2,skip_3,"
    "not_skipped,context_switch,no_pause_before_play,short_pause_before_play,"
    "long_pause_before_play,hist_user_behavior_n_seekfwd,hist_user_behavior_n_seekback,"
    "hist_user_behavior_is_shuffle,hour_of_day,date,premium,context_type,"
    "hist_user_behavior_reason_start,hist_user_behavior_reason_end\n"
)
# one day of session logs, as ISO and as a spreadsheet saved it: 05/08/2018 fits day-first
# and month-first; the dataset's span (summer 2018) says the 5th of August
SESSION_LOGS = {
    "log_iso.csv": "2018-08-05",
    "log_spreadsheet.csv": "05/08/2018",
}


def _session_rows(session: str, date: str) -> str:
    return "".join(
        f"{session},{pos},2,t_{pos},false,false,false,true,0,0,0,1,0,0,true,9,{date},true,"
        "radio,clickrow,trackdone\n"
        for pos in (1, 2)
    )


@pytest.fixture(scope="module")
def layouts_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    raw = tmp_path_factory.mktemp("layouts")
    (raw / "lastfm").mkdir()
    for name, text, _ in LAYOUTS:
        (raw / "lastfm" / name).write_text(text, encoding="utf-8")
    logs = raw / "mssd" / "training_set"
    logs.mkdir(parents=True)
    for name, date in SESSION_LOGS.items():
        (logs / name).write_text(SESSION_HEADER + _session_rows(name, date), encoding="utf-8")
    result = build(
        raw,
        raw / "wh" / "warehouse.duckdb",
        "--select",
        "base_lastfm__scrobbles",
        "base_mssd__session_events",
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    return result


@pytest.mark.parametrize(("name", "expected"), [(n, e) for n, _, e in LAYOUTS])
def test_time_layout_is_read_per_file(layouts_build, name, expected):
    rows = layouts_build.query(
        "select played_at::varchar, reject_reason from staging.base_lastfm__scrobbles "
        "where source_file like ? order by artist_name",
        [f"%/{name}"],
    )
    got = [r[0] for r in rows]
    assert got == expected
    # a value in another layout than its file's is a rejected row, not a guess
    for (played_at, reason), want in zip(rows, expected, strict=True):
        assert (reason is None) == (want is not None), (played_at, reason)


def test_the_layout_choice_is_in_the_build_log(layouts_build):
    log = layouts_build.stdout
    assert 'dayfirst_scrobbles.csv: time column "date" read as DD/MM/YYYY HH:MM' in log
    assert 'monthfirst_scrobbles.csv: time column "date" read as MM/DD/YYYY HH:MM' in log
    assert 'pandas_scrobbles.csv: time column "timestamp" read as unix seconds' in log
    assert 'millis_scrobbles.csv: time column "played_at" read as unix milliseconds' in log


def test_a_spreadsheet_rewritten_session_date_stages_as_its_iso_twin(layouts_build):
    rows = layouts_build.query(
        "select session_id, session_date::varchar, reject_reason "
        "from staging.base_mssd__session_events order by all"
    )
    assert rows == [(name, "2018-08-05", None) for name in sorted(SESSION_LOGS) for _ in (1, 2)]
    assert 'log_spreadsheet.csv: time column "date" read as DD/MM/YYYY' in layouts_build.stdout


def test_a_time_column_that_never_parses_stops_with_one_line(tmp_path: Path):
    raw = tmp_path / "raw"
    (raw / "lastfm").mkdir(parents=True)
    bad = raw / "lastfm" / "garbled_scrobbles.csv"
    rows = "".join(f"Artist {i},Track {i},sometime around noon {i}\n" for i in range(500))
    bad.write_text("artist,track,date\n" + rows, encoding="utf-8")
    result = build(raw, tmp_path / "wh" / "warehouse.duckdb")
    assert result.returncode != 0
    errors = result.error_lines()
    assert len(errors) == 1, result.stderr
    line = errors[0]
    assert str(bad) in line
    assert 'time column "date"' in line
    assert "0 of 500 sampled values parse" in line
    assert "sometime around noon" in line  # a sample value
    assert "Traceback" not in result.stderr
