"""Values from vars, env and the command line never reach SQL unchecked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from support import build

pytestmark = pytest.mark.dbt


@pytest.mark.parametrize(
    ("var", "value", "words"),
    [
        ("similar_tracks_k", "1; drop table marts.dim_playlists", "must be an integer"),
        ("listening_session_gap_minutes", "30 or 1=1", "must be a number"),
        ("similar_tracks_k", "0", "must be between 1"),
        ("ml_split_test_percent", "90", "must be between 1 and 50"),
    ],
)
def test_numeric_vars_are_checked_before_sql(tmp_path, var, value, words):
    raw = tmp_path / "raw"
    raw.mkdir()
    result = build(raw, tmp_path / "wh" / "warehouse.duckdb", "--vars", f"{{{var}: '{value}'}}")
    assert result.returncode != 0
    errors = result.error_lines()
    assert errors and all(f"var {var}" in e and words in e for e in errors), result.stderr
    assert "Traceback" not in result.stderr


def test_a_raw_dir_with_quotes_in_its_path_is_read_as_data(realdata_dir: Path, tmp_path):
    raw = tmp_path / "it's; raw"
    shutil.copytree(realdata_dir, raw)
    result = build(raw, tmp_path / "wh" / "warehouse.duckdb", "--select", "base_mpd__playlists")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    assert result.scalar("select count(*) from staging.base_mpd__playlists") == 37
    assert result.scalar("select min(source_file) from staging.base_mpd__playlists").startswith(
        str(raw)
    )
