"""Playlist continuation, the split: MPD playlists into training, validation and test
pools from ``marts.dim_ml_splits``, the held-out seeds and truth per seed size, and each
stage's training tables (temp tables; SQL in ``split.sql``)."""

from __future__ import annotations

import duckdb
import pandas as pd

from models_py.continuation.common import _frame
from models_py.continuation.config import (
    AUDIO_FEATURES,
    TRACK_SPACE,
    VALIDATION,
    ContinuationConfig,
    _name_key,
)
from models_py.sql_files import load, render

Q = load(__file__)

_AUDIO_STATS = ",\n        ".join(
    f"avg(catalog.{f}) as avg_{f},\n        stddev_pop(catalog.{f}) as sd_{f}"
    for f in AUDIO_FEATURES
)
_AUDIO_Z = ",\n    ".join(
    f"coalesce((catalog.{f} - stats.avg_{f}) / nullif(stats.sd_{f}, 0), 0) as z_{f}"
    for f in AUDIO_FEATURES
)

SPLIT_SQL = render(Q["split"], name_key=_name_key("playlist_name"))
TRACKS_SQL = Q["tracks"]
ENTRIES_SQL = Q["entries"]
FEATURES_SQL = render(
    Q["features"],
    audio_columns=", ".join(f"tracks.{f}" for f in AUDIO_FEATURES),
    audio_stats=_AUDIO_STATS,
    audio_z=_AUDIO_Z,
)
SEEDS_SQL = Q["seeds"]
TRUTH_ALL_SQL = Q["truth_all"]
EVAL_ALL_SQL = Q["eval_all"]
TRUTH_TRIM_SQL = Q["truth_trim"]
EVAL_SQL = render(Q["pool"], table="continuation_eval", pool="test")
VALIDATION_SQL = render(Q["pool"], table="continuation_validation", pool="validation")
PREDICTIONS_TABLE_SQL = Q["predictions_table"]
TRUTH_FRAME_SQL = Q["truth_frame"]
TRAIN_SQL = Q["train"]
POPULARITY_SQL = Q["popularity"]
NAME_TRACKS_SQL = Q["name_tracks"]
TRACK_STATS_SQL = render(
    Q["track_stats"], z_columns=", ".join(f"features.z_{f}" for f in AUDIO_FEATURES)
)
POOL_QUERIES_SQL = Q["pool_queries"]
POOL_QUERY_SEEDS_SQL = Q["pool_query_seeds"]
POOL_QUERY_TRUTH_SQL = Q["pool_query_truth"]


def prepare(con: duckdb.DuckDBPyConnection, config: ContinuationConfig) -> list[int]:
    """Build the split, the held-out seeds and truth and the evaluation tables; return the
    seed sizes to run.

    Works on a read-only connection (temp tables only). A seed size no test playlist is
    long enough for (k = 0: none has a name) is left out. The training tables come per
    stage (``_train``).
    """
    sizes = sorted(set(config.seed_sizes))
    con.execute(SPLIT_SQL)
    for sql in (TRACKS_SQL, ENTRIES_SQL, FEATURES_SQL):
        con.execute(sql)
    n_tracks = con.execute("select count(*) from continuation_tracks").fetchall()[0][0]
    if n_tracks >= TRACK_SPACE:
        raise ValueError(f"{n_tracks} tracks: the ranking key holds fewer than {TRACK_SPACE}")
    con.execute(SEEDS_SQL, [sizes])
    con.execute(TRUTH_ALL_SQL, [sizes])
    con.execute(
        EVAL_ALL_SQL,
        {"max_test": config.max_test_playlists, "max_validation": config.max_validation_playlists},
    )
    for sql in (TRUTH_TRIM_SQL, EVAL_SQL, VALIDATION_SQL, PREDICTIONS_TABLE_SQL):
        con.execute(sql)
    con.execute("drop table continuation_truth_all")
    present = {
        k for (k,) in con.execute("select distinct seed_size from continuation_eval").fetchall()
    }
    return [k for k in sizes if k in present]


def test_playlist_ids(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The test pool of the last ``prepare`` (kept out of every stage's training)."""
    rows = con.execute("select playlist_id from continuation_split where is_test").fetchall()
    return {r[0] for r in rows}


def validation_playlist_ids(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The validation pool of the last ``prepare`` (kept out of the blend's training)."""
    rows = con.execute("select playlist_id from continuation_split where is_validation").fetchall()
    return {r[0] for r in rows}


def truth_frame(con: duckdb.DuckDBPyConnection, seed_size: int) -> pd.DataFrame:
    """The test ground truth at a seed size: (playlist_id, seed_size, track_id)."""
    return _frame(con, TRUTH_FRAME_SQL, [seed_size])


def _train(con: duckdb.DuckDBPyConnection, config: ContinuationConfig, stage: str) -> None:
    """The training tables of a stage: validation (MPD minus both pools), test (MPD minus
    the test pool) or own (all of MPD)."""
    con.execute(
        TRAIN_SQL,
        {"include_test": stage == "own", "include_validation": stage != VALIDATION},
    )
    con.execute(POPULARITY_SQL)
    con.execute(TRACK_STATS_SQL)
    con.execute(NAME_TRACKS_SQL, {"name_prior": config.name_prior, "n": config.n_predictions})


def _pool_queries(con: duckdb.DuckDBPyConnection, pool: str, seed_size: int) -> int:
    """The query tables for one pool at one seed size; returns the number of playlists."""
    con.execute(POOL_QUERIES_SQL, {"pool": pool, "seed_size": seed_size})
    con.execute(POOL_QUERY_SEEDS_SQL, {"seed_size": seed_size})
    con.execute(POOL_QUERY_TRUTH_SQL, {"seed_size": seed_size})
    return con.execute("select count(*) from continuation_queries").fetchall()[0][0]
