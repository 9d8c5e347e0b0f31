"""Any subset of sources, and one warehouse per raw folder.

`python -m models_py run` (what `make run` calls) on each source folder alone, on all four
and on an empty folder: exit 0, no traceback, one `skipped` line per model without input.
Then `make run` followed by `make run RAW_DIR=../shared/realdata` on the same warehouse:
the warehouse holds exactly the real data. One tiny demo dataset is generated for all.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import REPO, BuildResult, cli_env, run_cli

# seven runs of the whole job (`make run`): the slow tier (`make test-slow`, CI)
pytestmark = [pytest.mark.dbt, pytest.mark.slow]

SOURCES = ("mpd", "lastfm", "mssd", "spotify")
MODELS = ("playlist classifier", "skip model", "playlist continuation", "next track")
SKIPPED = re.compile(rf"^({'|'.join(MODELS)}): skipped \(.+\)$", re.MULTILINE)
# the models without input in each folder (demo data: every model has input)
EXPECTED_SKIPS = {
    "mpd": {"playlist classifier", "skip model"},
    "lastfm": set(MODELS),
    "mssd": {"playlist classifier", "playlist continuation", "next track"},
    "spotify": {"skip model", "playlist continuation"},
    "all": set(),
    "none": set(MODELS),
}
REAL_SCROBBLES = 16_622  # 11,622 in the Last.fm export + 5,000 in the 1K TSV


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """`make run` on a tiny demo: `run --demo`, the demo data written beside the warehouse."""
    warehouse = tmp_path_factory.mktemp("demo") / "warehouse.duckdb"
    raw = warehouse.parent / "raw"
    proc = subprocess.run(
        # seed 5: test_dirty_demo's clean twin is scale 0.05, seed 7 (no dataset twice)
        [sys.executable, "-m", "models_py", "run", "--demo", "--scale", "0.05", "--seed", "5"],
        cwd=REPO,
        env=cli_env(raw, warehouse),
        capture_output=True,
        text=True,
        check=False,
    )
    assert raw.is_dir(), proc.stdout[-2000:] + proc.stderr[-2000:]
    return BuildResult(proc.returncode, proc.stdout, proc.stderr, warehouse)


def _subset_dir(demo: BuildResult, which: str, root: Path) -> Path:
    """A raw folder with the demo's `which` folder only (none for "none")."""
    raw = root / "raw"
    raw.mkdir()
    if which in SOURCES:
        shutil.copytree(demo.warehouse.parent / "raw" / which, raw / which)
    return raw


def _artifacts(warehouse: Path) -> set[Path]:
    """The model artifacts saved beside the warehouse (a folder per run)."""
    folder = warehouse.parent / "artifacts"
    return set(folder.iterdir()) if folder.is_dir() else set()


@pytest.mark.parametrize("which", [*SOURCES, "all", "none"])
def test_run_on_any_subset_of_sources_exits_0_and_says_what_it_skipped(
    which: str, demo_run: BuildResult, tmp_path: Path
):
    if which == "all":
        result = demo_run  # the demo: every source, `run --raw-dir data/raw` after generating
    else:
        raw = _subset_dir(demo_run, which, tmp_path)
        result = run_cli("run", raw, tmp_path / "wh" / "warehouse.duckdb")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "Traceback" not in output
    skipped = SKIPPED.findall(result.stdout)
    assert sorted(skipped) == sorted(EXPECTED_SKIPS[which]), skipped
    note = "holds none of mpd/, lastfm/, mssd/, spotify/: the warehouse will be empty"
    assert result.stdout.count(note) == (1 if which == "none" else 0)
    assert "published snapshot" in result.stdout
    assert "report written" in result.stdout


def test_a_run_on_another_folder_holds_only_that_folders_data(
    demo_run: BuildResult, realdata_dir: Path
):
    """`make run` then `make run RAW_DIR=../shared/realdata` in one checkout."""
    assert demo_run.returncode == 0, (demo_run.stdout + demo_run.stderr)[-4000:]
    warehouse = demo_run.warehouse
    demo_artifacts = _artifacts(warehouse)
    assert demo_artifacts

    result = run_cli("run", realdata_dir, warehouse)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "Traceback" not in output
    assert result.stdout.count("starting a fresh warehouse for") == 1
    assert result.scalar("select count(*) from staging.stg_lastfm__scrobbles") == REAL_SCROBBLES
    # nothing of the demo is left: no row of its files, no session (realdata has no mssd/),
    # no model run or artifact of the demo's training
    for table in (
        "staging.base_lastfm__scrobbles",
        "staging.base_mpd__playlists",
        "staging.base_spotify__audio_features",
        "marts.fct_rejected_rows",
    ):
        n_other = result.scalar(
            f"select count(*) from {table} where not starts_with(source_file, ?)",  # noqa: S608
            [f"{realdata_dir}/"],
        )
        assert n_other == 0, table
    assert result.scalar("select count(*) from staging.base_mssd__session_events") == 0
    assert result.scalar("select count(distinct run_id) from ml.model_runs") == 1
    assert not demo_artifacts & _artifacts(warehouse)
    assert result.query("select raw_dir from meta.raw_folder") == [(str(realdata_dir),)]
