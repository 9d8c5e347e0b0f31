"""The source write-ups' own metrics for playlist continuation, reproduced next to RecSys's.

The write-ups grew a playlist from seed songs and judged it by three figures, and fitted a
follower regression and a KMeans over playlist aggregates; this module reproduces them for
any continuation method, on the held-out split of ``continuation.prepare``. The follower
regression and the KMeans elbow are models: `models_py.playlist_aggregate_models`.

Generated playlist
    For an evaluation playlist at seed size k with T held-out tracks (the distinct tracks
    after position k that are not seeds — the ground truth of the RecSys metrics), the
    generated playlist is the seeds followed by the method's first T predictions. T is the
    ground-truth length rather than ``n_tracks − k``: the two differ only by repeated
    entries, and with T a perfect continuation is exactly the original playlist.

Metrics (``source_metrics``, each the mean over the evaluation playlists)
    ``song_matches``: generated tracks that are held-out tracks of the original.
    ``song_match_share``: song_matches / T (track-level R-precision, when the predictions
    hold no duplicates).
    ``aggregate_distance``: Euclidean distance between the standardised
    ``AGGREGATE_FEATURES`` mean vectors of the generated playlist and of the original (its
    distinct tracks: seeds and held-out tracks, so that a perfect continuation scores 0;
    ``marts.dim_playlists`` counts repeated entries twice). Standardised with the mean and
    population standard deviation of ``marts.dim_playlists`` over the training playlists;
    a feature no track of a playlist has counts as the training mean.
    ``follower_difference``: |followers predicted by the follower regression for the
    generated playlist's aggregate vector − the original's actual followers|, over the
    playlists whose followers are known.

SQL reads only the temp tables of ``continuation.prepare`` (``continuation_split``,
``continuation_entries``, ``continuation_seeds``, ``continuation_eval``) and the marts;
every identifier comes from this module or ``AGGREGATE_FEATURES``, every value is a
parameter. The predictions reach SQL as a temp view of a fixed name.
"""

from __future__ import annotations

from typing import Protocol

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from models_py.playlist_features import AGGREGATE_FEATURES

__all__ = [
    "READS",
    "METRICS",
    "FollowerPredictor",
    "playlist_source_metrics",
    "source_metrics",
]

# the marts this module reads, every one public and contracted; the exposure that names
# this module lists exactly these (tests/test_exposures.py), and a run records a
# snapshot of each (ml_store.data_snapshot)
READS: tuple[str, ...] = (
    "marts.dim_playlists",
    "marts.dim_spotify_tracks",
)

METRICS: tuple[str, ...] = (
    "song_matches",
    "song_match_share",
    "aggregate_distance",
    "follower_difference",
)
PREDICTIONS_VIEW = "source_metrics_predictions"
PREDICTION_COLUMNS = "playlist_id, rank, track_id"
FEATURES: list[str] = list(AGGREGATE_FEATURES)


# --- SQL: identifiers from this module and AGGREGATE_FEATURES, values as parameters -------


def _means(entries: str) -> str:
    """The AGGREGATE_FEATURES means per playlist of an entries CTE (a constant name)."""
    columns = ",\n        ".join(f"avg(tracks.{t}) as {c}" for c, t in AGGREGATE_FEATURES.items())
    return f"""
    select
        {entries}.playlist_id,
        {columns}
    from {entries}
    left join marts.dim_spotify_tracks as tracks
        on {entries}.track_id = tracks.track_id
    group by {entries}.playlist_id
    """  # noqa: S608 - identifiers from this module and AGGREGATE_FEATURES


def _z(side: str, column: str) -> str:
    """A standardised mean, the training mean (0) when the playlist has no such feature."""
    return f"coalesce(({side}.{column} - scale.avg_{column}) / nullif(scale.sd_{column}, 0), 0)"


_SCALE_COLUMNS = ",\n        ".join(
    f"avg(playlists.{c}) as avg_{c},\n        stddev_pop(playlists.{c}) as sd_{c}" for c in FEATURES
)
_DISTANCE = " + ".join(
    f"power({_z('generated_means', c)} - {_z('original_means', c)}, 2)" for c in FEATURES
)
_GENERATED_COLUMNS = ",\n    ".join(f"generated_means.{c}" for c in FEATURES)

# one row per evaluation playlist of a seed size: T, matches, distance, followers and the
# generated playlist's aggregate vector (for the follower regression)
PLAYLIST_METRICS_SQL = f"""
with evaluated as (
    select playlist_id
    from continuation_eval
    where seed_size = $seed_size
),

seeds as (
    select
        seeds.playlist_id,
        seeds.track_id
    from continuation_seeds as seeds
    inner join evaluated
        on seeds.playlist_id = evaluated.playlist_id
    where seeds.seed_size = $seed_size
),

held_out as (
    select distinct
        entries.playlist_id,
        entries.track_id
    from continuation_entries as entries
    inner join evaluated
        on entries.playlist_id = evaluated.playlist_id
    where
        entries.playlist_position > $seed_size
        and not exists (
            select 1
            from seeds
            where seeds.playlist_id = entries.playlist_id and seeds.track_id = entries.track_id
        )
),

targets as (
    select
        evaluated.playlist_id,
        count(held_out.track_id) as n_target
    from evaluated
    left join held_out
        on evaluated.playlist_id = held_out.playlist_id
    group by evaluated.playlist_id
),

generated as (
    select
        predictions.playlist_id,
        predictions.track_id
    from {PREDICTIONS_VIEW} as predictions
    inner join targets
        on predictions.playlist_id = targets.playlist_id
    where predictions.rank <= targets.n_target
),

matches as (
    select
        targets.playlist_id,
        targets.n_target,
        count(distinct held_out.track_id) as n_matches
    from targets
    left join generated
        on targets.playlist_id = generated.playlist_id
    left join held_out
        on
            generated.playlist_id = held_out.playlist_id
            and generated.track_id = held_out.track_id
    group by all
),

generated_entries as (
    select * from seeds
    union all
    select * from generated
),

original_entries as (
    select * from seeds
    union all
    select * from held_out
),

generated_means as ({_means("generated_entries")}),

original_means as ({_means("original_entries")}),

scale as (
    select
        {_SCALE_COLUMNS}
    from marts.dim_playlists as playlists
    inner join continuation_split as split
        on playlists.playlist_id = split.playlist_id
    where not split.is_test
),

final as (
    select
        matches.playlist_id,
        matches.n_target,
        matches.n_matches,
        sqrt({_DISTANCE}) as aggregate_distance,
        playlists.n_followers,
        {_GENERATED_COLUMNS}
    from matches
    inner join generated_means
        on matches.playlist_id = generated_means.playlist_id
    inner join original_means
        on matches.playlist_id = original_means.playlist_id
    left join marts.dim_playlists as playlists
        on matches.playlist_id = playlists.playlist_id
    cross join scale
)

select * from final
order by playlist_id
"""  # noqa: S608 - identifiers from this module and AGGREGATE_FEATURES

DUPLICATE_RANKS_SQL = f"""
select count(*) - count(distinct (playlist_id, rank))
from {PREDICTIONS_VIEW}
"""  # noqa: S608 - a constant of this module


# --- follower regression -------------------------------------------------------------------


class FollowerPredictor(Protocol):
    """Anything that predicts followers from playlist aggregate vectors."""

    def predict_followers(self, aggregates: pd.DataFrame) -> np.ndarray:
        """Predicted followers (≥ 0) for rows holding the ``AGGREGATE_FEATURES`` columns."""
        ...


# --- the source metrics ---------------------------------------------------------------------

Predictions = str | duckdb.DuckDBPyRelation | pd.DataFrame | pa.Table


def _relation(con: duckdb.DuckDBPyConnection, predictions: Predictions) -> duckdb.DuckDBPyRelation:
    if isinstance(predictions, str):
        return con.table(predictions)  # a (temp) table name, never spliced into SQL text
    if isinstance(predictions, duckdb.DuckDBPyRelation):
        return predictions
    if isinstance(predictions, pd.DataFrame):
        return con.from_df(predictions)
    if isinstance(predictions, pa.Table):
        return con.from_arrow(predictions)
    raise TypeError(f"predictions of type {type(predictions).__name__}")


def playlist_source_metrics(
    con: duckdb.DuckDBPyConnection,
    predictions: Predictions,
    seed_size: int,
    follower_model: FollowerPredictor | None = None,
) -> pd.DataFrame:
    """The source metrics of every evaluation playlist of a seed size (one row each).

    ``predictions``: one method at one seed size, columns playlist_id, rank (from 1),
    track_id — a table or temp table name, a DuckDB relation, a pandas or Arrow frame.
    Needs the temp tables of ``continuation.prepare`` on ``con``. Columns: playlist_id,
    n_target (T), song_matches, song_match_share, aggregate_distance, n_followers,
    predicted_followers and follower_difference (NaN without a follower model or followers).
    """
    # a session-local view (works on a read-only connection), dropped on the way out
    con.register(PREDICTIONS_VIEW, _relation(con, predictions).project(PREDICTION_COLUMNS))
    try:
        ((n_duplicates,),) = con.execute(DUPLICATE_RANKS_SQL).fetchall()
        if n_duplicates:
            raise ValueError(
                f"{n_duplicates} repeated (playlist_id, rank): pass one method at one seed size"
            )
        frame = (
            con.sql(PLAYLIST_METRICS_SQL, params={"seed_size": seed_size})
            .to_arrow_table()
            .to_pandas()
        )
    finally:
        con.unregister(PREDICTIONS_VIEW)
    frame = frame.rename(columns={"n_matches": "song_matches"})
    frame["song_match_share"] = frame["song_matches"] / frame["n_target"]
    followers = frame["n_followers"].astype(float)
    if follower_model is None or frame.empty:
        predicted = np.full(len(frame), np.nan)
    else:
        predicted = np.asarray(follower_model.predict_followers(frame[FEATURES]), dtype=float)
    frame["predicted_followers"] = predicted
    frame["follower_difference"] = (frame["predicted_followers"] - followers).abs()
    return frame.drop(columns=FEATURES)


def source_metrics(
    con: duckdb.DuckDBPyConnection,
    predictions: Predictions,
    seed_size: int,
    follower_model: FollowerPredictor | None = None,
) -> dict[str, float]:
    """``METRICS`` averaged over the evaluation playlists of a seed size (see
    ``playlist_source_metrics``); follower_difference only with a follower model, over the
    playlists whose followers are known."""
    per_playlist = playlist_source_metrics(con, predictions, seed_size, follower_model)
    if per_playlist.empty:
        return {}
    # pandas' mean skips NaN: follower_difference over the playlists with known followers
    means = {m: per_playlist[m].mean() for m in METRICS}
    return {m: float(v) for m, v in means.items() if pd.notna(v)}
