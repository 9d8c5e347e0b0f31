"""Playlist continuation, serving: the test lists as the score table, and ours trained on
all of MPD continuing your own playlists (SQL in ``serving.sql``)."""

from __future__ import annotations

import duckdb
import pandas as pd

from models_py.continuation.blend import Blend, _use_blend, fit_blend
from models_py.continuation.common import _frame
from models_py.continuation.config import (
    OURS,
    ContinuationConfig,
    _name_key,
)
from models_py.continuation.cooccurrence import fit_cooccurrence, predict_cooccurrence
from models_py.continuation.evaluation import PREDICTIONS_FRAME_SQL
from models_py.continuation.split import _train, prepare
from models_py.sql_files import load, render

Q = load(__file__)

OWN_QUERIES_SQL = render(Q["own_queries"], name_key=_name_key("playlist_name"))
OWN_QUERY_SEEDS_SQL = Q["own_query_seeds"]
OWN_FRAME_SQL = Q["own_frame"]


def continuation_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The ``playlist_continuations`` score table of the last evaluation on ``con``
    (playlist_id, seed_size, rank, track_id, method; categorical strings keep it small)."""
    frame = (
        con.sql(PREDICTIONS_FRAME_SQL, params={"method": None, "seed_size": None})
        .to_arrow_table()
        .to_pandas(strings_to_categorical=True)
    )
    return frame.astype({"seed_size": "int32", "rank": "int32"})


def own_playlist_continuations(
    con: duckdb.DuckDBPyConnection,
    config: ContinuationConfig | None = None,
    blend: Blend | None = None,
    seed: int = 42,
) -> pd.DataFrame:
    """Ours, trained on every MPD playlist, continuing each of the user's own playlists
    (``marts.dim_playlists`` where playlist_source = 'own') with ``n_own_predictions``
    tracks it does not hold: (playlist_id, rank, track_id, score, method).

    Every track of the playlist is a seed; the blend is the one fitted for the largest
    evaluated seed size not above the playlist's size (``blend`` — else fitted here on the
    validation playlists, which needs ``prepare``'s tables: built when absent). Replaces
    the connection's training tables with the all-MPD ones.
    """
    config = config or ContinuationConfig()
    if blend is None:
        sizes = prepare(con, config)
        blend = fit_blend(con, config, sizes or sorted(set(config.seed_sizes)), seed)
    _train(con, config, "own")
    _use_blend(con, blend.weights)
    con.execute(OWN_QUERIES_SQL)
    con.execute(OWN_QUERY_SEEDS_SQL)
    fit_cooccurrence(con, config, None)
    predict_cooccurrence(con, config, config.n_own_predictions)
    frame = _frame(con, OWN_FRAME_SQL, {"method": OURS})
    return frame.astype({"rank": "int64", "score": "float64"})
