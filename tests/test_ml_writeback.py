"""Write-back is all or nothing: a training run killed at any point leaves the previous
scores and runs readable and unchanged, and the next run recovers by itself."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from models_py import ml_store
from models_py.warehouse import Paths
from support import REPO, BuildResult, cli_command, cli_env, copy_warehouse, run_cli

ML_TABLES = ["model_runs", "model_run_metrics", *ml_store.SCORE_TABLES]


def ml_state(warehouse: Path) -> dict[str, list[tuple]]:
    """Every row of every ml table, sorted, read by a separate read-only connection."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {
            t: sorted(con.execute(f"select * from ml.{t}").fetchall(), key=repr) for t in ML_TABLES
        }


def _skip_frame(run_id: str, p: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "run_id": [run_id] * 3,
            "session_id": ["s1", "s1", "s2"],
            "session_position": [6, 7, 6],
            "split": ["test"] * 3,
            "p_skip": [p] * 3,
            "predicted_skip": [p >= 0.5] * 3,
        }
    )


def _publish(paths: Paths, run_id: str, p: float) -> None:
    result = ml_store.ModelResult("gbm", "skip_prediction", {"maa": p})
    ml_store.publish(paths, run_id, [result], {"skip_predictions": _skip_frame(run_id, p)}, "x")


def test_publish_killed_just_before_commit_changes_nothing(tmp_path):
    paths = Paths(tmp_path / "raw", tmp_path / "warehouse.duckdb")
    _publish(paths, "run-a", 0.25)
    before = ml_state(paths.warehouse)
    assert len(before["skip_predictions"]) == 3

    # a separate process publishes run b and is SIGKILLed the moment it would commit
    script = textwrap.dedent(
        f"""
        import os, signal
        from contextlib import contextmanager
        from pathlib import Path
        from models_py import ml_store
        from models_py.warehouse import Paths
        import pandas as pd

        real_connect = ml_store.connect

        @contextmanager
        def killing_connect(paths, read_only=False):
            with real_connect(paths, read_only) as con:
                class Proxy:
                    def __getattr__(self, name):
                        return getattr(con, name)
                    def execute(self, sql, *args):
                        if sql == "commit":
                            os.kill(os.getpid(), signal.SIGKILL)
                        return con.execute(sql, *args)
                yield Proxy()

        ml_store.connect = killing_connect
        frame = pd.DataFrame({{"run_id": ["run-b"], "session_id": ["s9"],
            "session_position": [6], "split": ["test"], "p_skip": [0.9],
            "predicted_skip": [True]}})
        ml_store.publish(Paths(Path("{paths.raw_dir}"), Path("{paths.warehouse}")), "run-b",
            [ml_store.ModelResult("gbm", "skip_prediction", {{"maa": 0.9}})],
            {{"skip_predictions": frame}}, "x")
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=REPO, check=False)
    assert proc.returncode == -signal.SIGKILL
    assert ml_state(paths.warehouse) == before  # nothing of run b is visible

    # the next run needs no cleanup
    _publish(paths, "run-c", 0.75)
    after = ml_state(paths.warehouse)
    assert {r[0] for r in after["skip_predictions"]} == {"run-c"}
    assert {r[0] for r in after["model_runs"]} == {"run-a", "run-c"}


def test_publish_rejects_unknown_tables_and_missing_columns(tmp_path):
    paths = Paths(tmp_path / "raw", tmp_path / "warehouse.duckdb")
    _publish(paths, "run-a", 0.25)
    before = ml_state(paths.warehouse)
    with pytest.raises(ValueError, match="unknown score tables"):
        ml_store.publish(paths, "r", [], {"users; drop table x": pd.DataFrame()}, "x")
    with pytest.raises(ValueError, match="lacks columns"):
        ml_store.publish(paths, "r", [], {"skip_predictions": pd.DataFrame({"a": [1]})}, "x")
    assert ml_state(paths.warehouse) == before


@pytest.mark.dbt
@pytest.mark.slow  # a kill: two trainings of every model
def test_killing_training_mid_run_keeps_previous_scores(
    demo_run: BuildResult, demo_raw_dir: Path, tmp_path: Path
):
    raw = demo_raw_dir
    # a copy of the shared demo warehouse after `run`, whose training ends with
    # `dbt build --select source:ml+`: the scored marts and their tests
    first = copy_warehouse(demo_run, tmp_path / "wh")
    warehouse = first.warehouse
    before = ml_state(warehouse)
    assert before["skip_predictions"] and before["playlist_class_scores"]
    # 10 next tracks for every catalog track, served by the mart the run rebuilt
    n_catalog = first.scalar("select count(*) from marts.dim_spotify_tracks")
    assert n_catalog > 0
    assert len(before["next_track_suggestions"]) == 10 * n_catalog
    assert first.scalar("select count(*) from marts.fct_next_track_suggestions") == 10 * n_catalog
    n_own = first.scalar("select count(*) from marts.fct_own_playlist_continuations")
    assert n_own == len(before["own_playlist_continuations"])

    # kill the second run while it trains the skip model
    proc = subprocess.Popen(
        cli_command("train", raw),
        cwd=REPO,
        env=cli_env(raw, warehouse),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("skip model"):
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    assert ml_state(warehouse) == before

    # the next run recovers without manual cleanup and replaces the scores whole
    third = run_cli("train", raw, warehouse)
    assert third.returncode == 0, third.stdout[-3000:] + third.stderr[-3000:]
    after = ml_state(warehouse)
    new_runs = {r[0] for r in after["model_runs"]} - {r[0] for r in before["model_runs"]}
    assert len(new_runs) == 1
    assert {r[0] for r in after["skip_predictions"]} == new_runs
    assert {r[0] for r in after["playlist_class_scores"]} == new_runs
    assert {r[0] for r in after["next_track_suggestions"]} == new_runs
    served = third.query("select distinct run_id from marts.fct_next_track_suggestions")
    assert {r[0] for r in served} == new_runs


def test_artifact_is_verified_before_loading(tmp_path):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    path, digest = ml_store.save_artifact(model, tmp_path, "clf")
    assert Path(path).suffix == ".skops"  # not a pickle
    loaded = ml_store.load_artifact(path, digest)
    assert loaded.predict([[0.5], [2.5]]).tolist() == [0, 1]

    with open(path, "ab") as f:  # one byte more: the recorded hash no longer matches
        f.write(b"\0")
    with pytest.raises(ml_store.ArtifactError, match="sha256"):
        ml_store.load_artifact(path, digest)
    with pytest.raises(ml_store.ArtifactError, match="does not exist"):
        ml_store.load_artifact(tmp_path / "missing.skops", digest)


@pytest.mark.dbt
def test_dbt_and_python_create_the_same_ml_tables(realdata_build: BuildResult, tmp_path):
    """The ml tables dbt creates on a fresh warehouse (the shared real-data build: no model
    has been trained on it) are the ones Python writes."""
    built = realdata_build
    assert built.scalar("select count(*) from ml.model_runs") == 0
    raw = tmp_path / "raw"
    raw.mkdir()
    paths = Paths(raw, tmp_path / "py" / "warehouse.duckdb")
    paths.warehouse.parent.mkdir()
    with ml_store.connect(paths) as con:
        ml_store.ensure_ml_schema(con)

    def columns(warehouse: Path) -> list[tuple]:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.execute(
                "select table_name, column_name, data_type from information_schema.columns "
                "where table_schema = 'ml' order by table_name, ordinal_position"
            ).fetchall()

    assert columns(built.warehouse) == columns(paths.warehouse)
    assert {t for t, _, _ in columns(paths.warehouse)} == set(ML_TABLES)
