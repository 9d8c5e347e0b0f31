"""Incremental loads of the append-shaped sources (Last.fm exports, session logs, MPD
slices): new files are appended, a build with nothing new changes nothing, re-delivered or
overlapping files add no staged row, and a full refresh gives the same tables."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from support import BuildResult, build, copy_tree

pytestmark = pytest.mark.dbt

SELECT = [
    "--select",
    "+stg_lastfm__scrobbles",
    "+stg_mssd__session_events",
    "+stg_mpd__playlist_tracks",
    "+stg_mpd__playlists",
    "--indirect-selection",
    "cautious",
]
TABLES = [
    "staging.base_lastfm__scrobbles",
    "staging.stg_lastfm__scrobbles",
    "staging.base_mssd__session_events",
    "staging.stg_mssd__session_events",
    "staging.base_mpd__playlists",
    "staging.stg_mpd__playlists",
    "staging.base_mpd__playlist_tracks",
    "staging.stg_mpd__playlist_tracks",
]
BASES = (
    "staging.base_lastfm__scrobbles",
    "staging.base_mssd__session_events",
    "staging.base_mpd__playlists",
    "staging.base_mpd__playlist_tracks",
)


def _build(raw: Path, warehouse: Path, *args: str, data_tests: bool = False) -> BuildResult:
    """The incremental models and their staged views; their data tests only where asked
    (the contents are what these tests compare; the data tests run on the final state)."""
    skip = [] if data_tests else ["--exclude-resource-type", "test", "unit_test"]
    result = build(raw, warehouse, *SELECT, *skip, *args)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def _contents(result: BuildResult) -> dict[str, list[tuple]]:
    """Every row of the incremental tables and their staged views, sorted."""
    return {t: sorted(result.query(f"select * from {t}"), key=repr) for t in TABLES}  # noqa: S608


def _count(result: BuildResult, table: str, where: str = "true") -> int:
    return result.scalar(f"select count(*) from {table} where {where}")  # noqa: S608


@pytest.fixture
def delivered(demo_raw_dir: Path, tmp_path: Path) -> Path:
    """The suite's demo raw data (conftest), copied, plus a second MPD slice."""
    full = copy_tree(demo_raw_dir, tmp_path / "delivered" / "raw")
    # a second MPD slice (the demo at this scale has one): the first with its pids moved on
    first, *_ = sorted((full / "mpd").glob("*.json"))
    doc = json.loads(first.read_text(encoding="utf-8"))
    for playlist in doc["playlists"]:
        playlist["pid"] += 1_000_000
    lo, hi = (1_000_000 + int(x) for x in doc["info"]["slice"].split("-"))
    doc["info"]["slice"] = f"{lo}-{hi}"
    (full / "mpd" / f"mpd.slice.{lo}-{hi}.json").write_text(json.dumps(doc), encoding="utf-8")
    return full


def test_incremental_loads_are_idempotent_dedupe_overlaps_and_equal_a_full_refresh(
    delivered: Path, tmp_path: Path
):
    logs = sorted((delivered / "mssd" / "training_set").iterdir())
    assert len(logs) >= 2
    pages = sorted((delivered / "lastfm").glob("*_recenttracks_page*.json"))
    slices = sorted((delivered / "mpd").glob("*.json"))
    assert len(slices) >= 2
    # delivered later: one whole export, a page of the JSON export, one session log, a slice
    later_files = [delivered / "lastfm" / "bea_listens.csv", pages[-1], logs[-1], slices[-1]]
    later = [str(p.relative_to(delivered)) for p in later_files]
    raw = tmp_path / "raw"
    shutil.copytree(delivered, raw)
    for rel in later:
        (raw / rel).unlink()
    warehouse = tmp_path / "wh" / "warehouse.duckdb"

    first = _build(raw, warehouse)
    n_first = {t: _count(first, t) for t in TABLES}

    # new files arrive: only they are read, and their rows are appended
    for rel in later:
        shutil.copy2(delivered / rel, raw / rel)
    second = _build(raw, warehouse)
    grown = {t: _count(second, t) for t in TABLES}
    assert all(grown[t] > n_first[t] for t in TABLES), (n_first, grown)
    new_files = {str(raw / rel) for rel in later}
    for table in BASES:
        loaded = {r[0] for r in second.query(f"select distinct source_file from {table}")}  # noqa: S608
        assert loaded & new_files

    # nothing new: nothing changes
    before = _contents(second)
    third = _build(raw, warehouse)
    assert _contents(third) == before

    # the same export delivered again as a dated copy, a later export overlapping the earlier
    # one, a session log and a slice delivered twice: no staged row more, every new row a
    # duplicate (a re-delivered playlist's entries too)
    shutil.copy2(raw / "lastfm" / "bea_listens.csv", raw / "lastfm" / "bea_listens_2024-11-22.csv")
    lines = (raw / "lastfm" / "bea_listens.csv").read_text(encoding="utf-8").splitlines()
    assert "," in lines[0] and not lines[0].lower().startswith("artist")  # header-less layout
    (raw / "lastfm" / "bea_listens_2024-12-01.csv").write_text(
        "\n".join(lines[len(lines) // 2 :]) + "\n"
    )
    shutil.copy2(logs[-1], raw / "mssd" / "training_set" / ("zz_" + logs[-1].name))
    shutil.copy2(slices[0], raw / "mpd" / ("zz_" + slices[0].name))
    fourth = _build(raw, warehouse, data_tests=True)
    for stg in TABLES[1::2]:
        assert _count(fourth, stg) == grown[stg]
    base_lastfm, base_mssd = "staging.base_lastfm__scrobbles", "staging.base_mssd__session_events"
    # every row of the new files is kept, as a reject
    n_copy = _count(fourth, base_lastfm, "source_file like '%bea_listens_2024-11-22.csv'")
    n_original = _count(fourth, base_lastfm, "source_file like '%/bea_listens.csv'")
    assert n_copy == n_original == len(lines)
    assert _count(fourth, base_lastfm, "source_file like '%bea_listens_2024-12-01.csv'") == (
        len(lines) - len(lines) // 2
    )
    assert _count(fourth, base_mssd, "source_file like '%/zz_%'") > 0
    base_playlists, base_entries = BASES[2:]
    n_slice = _count(fourth, base_playlists, "source_file like '%/zz_%'")
    assert n_slice == _count(
        fourth, base_playlists, f"source_file = '{raw / 'mpd' / slices[0].name}'"
    )
    assert n_slice > 0
    for table, new_files, reason in (
        (base_lastfm, "'%bea_listens_2024-%'", "duplicate"),
        (base_mssd, "'%/zz_%'", "duplicate"),
        (base_playlists, "'%/zz_%'", "duplicate"),
        (base_entries, "'%/zz_%'", "duplicate"),
    ):
        assert _count(fourth, table, f"source_file like {new_files} and reject_reason is null") == 0
        assert _count(fourth, table, f"source_file like {new_files} and reject_reason = '{reason}'")

    # a full refresh of the same files, and a fresh warehouse, give the same tables
    incremental = _contents(fourth)
    refreshed = _build(raw, warehouse, "--full-refresh")
    assert _contents(refreshed) == incremental
    fresh = _build(raw, tmp_path / "fresh" / "warehouse.duckdb")
    assert _contents(fresh) == incremental


def _column_types(result: BuildResult) -> dict[tuple[str, str], str]:
    rows = result.query(
        "select table_schema || '.' || table_name, column_name, data_type "
        "from information_schema.columns "
        "where list_contains(?, table_schema || '.' || table_name)",
        [list(BASES)],
    )
    return {(table, column): data_type for table, column, data_type in rows}


def test_a_source_folder_absent_at_first_loads_incrementally_when_it_arrives(
    delivered: Path, tmp_path: Path
):
    """An empty source types its columns as its loader does: the session logs and slices
    arriving later append to the tables built while their folders were absent."""
    raw = tmp_path / "raw"
    shutil.copytree(delivered / "lastfm", raw / "lastfm")
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    first = _build(raw, warehouse)
    types = _column_types(first)
    assert {types[(t, "file_modified_at")] for t in BASES} == {"TIMESTAMP"}
    assert _count(first, "staging.base_mssd__session_events") == 0

    for name in ("mssd", "mpd"):
        shutil.copytree(delivered / name, raw / name)
    second = _build(raw, warehouse, data_tests=True)
    assert _column_types(second) == types
    for table in BASES:
        assert _count(second, table) > 0, table
