"""The RecSys Challenge 2018 metrics (Spotify's ``metrics.py``), per playlist and vectorised.

For one playlist with ground truth G (its held-out tracks, distinct) and a ranked list of
predictions R (cut to the first ``max_n`` = 500, then deduplicated keeping the first
occurrence; the challenge rejected duplicate submissions, so this only matters for sloppy
predictors):

* R-precision = |R[:|G|] ∩ G| / |G|;
* DCG = Σᵢ relᵢ / log₂(i + 1) over R, i from 1; IDCG = Σ_{i=1..min(|G|, max_n)} 1/log₂(i + 1)
  (Spotify's ``ndcg`` caps the ideal list at the number of predictions, so a playlist with
  more than 500 held-out tracks can still score 1); NDCG = DCG / IDCG;
* clicks = ⌊(0-based index in R of the first relevant track) / 10⌋, or ``max_n / 10 + 1``
  (51) when R holds no relevant track — the number of 10-track pages a user refreshes.

``r_precision``, ``ndcg`` and ``clicks`` take plain sequences (one playlist);
``playlist_metrics`` scores many playlists at once from two long frames and
``summarise`` averages them (the challenge's score is the mean over playlists).

The same definitions in SQL (DuckDB), set-based, for predictions that already live in the
warehouse: ``PLAYLIST_METRICS_SQL`` / ``SUMMARY_SQL`` read the relations named
``PREDICTIONS_RELATION`` (playlist_id, rank, track_id) and ``TRUTH_RELATION``
(playlist_id, track_id) — tables or views the caller provides, keys of any comparable type
— and take ``$max_n`` as a parameter. ``sql_playlist_metrics`` / ``sql_summarise`` run them
(optionally on frames registered under those names). They match the Python functions on
every input whose ranks are unique within a playlist (the Python version orders equal
ranks by input order, the SQL one by track id). The ``CLEAN_*`` variants skip the cut and
deduplication windows for lists known to be clean (ranks 1..m, distinct tracks).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = [
    "MAX_PREDICTIONS",
    "CLEAN_PLAYLIST_METRICS_SQL",
    "CLEAN_SUMMARY_SQL",
    "PLAYLIST_METRICS_SQL",
    "PREDICTIONS_RELATION",
    "SUMMARY_SQL",
    "TRUTH_RELATION",
    "clicks",
    "dcg",
    "ndcg",
    "playlist_metrics",
    "r_precision",
    "sql_playlist_metrics",
    "sql_summarise",
    "summarise",
]

MAX_PREDICTIONS = 500


def _unique(items: Sequence[Hashable]) -> list[Hashable]:
    """Items in their first-seen order, each once."""
    return list(dict.fromkeys(items))


def _predictions(predictions: Sequence[Hashable], max_n: int) -> list[Hashable]:
    return _unique(list(predictions)[:max_n])


def _truth(targets: Sequence[Hashable]) -> set[Hashable]:
    truth = set(targets)
    if not truth:
        raise ValueError("the ground truth is empty: the metrics are undefined")
    return truth


def r_precision(
    targets: Sequence[Hashable], predictions: Sequence[Hashable], max_n: int = MAX_PREDICTIONS
) -> float:
    """|R[:|G|] ∩ G| / |G| on the deduplicated predictions."""
    truth = _truth(targets)
    top = _predictions(predictions, max_n)[: len(truth)]
    return len(truth.intersection(top)) / len(truth)


def dcg(
    targets: Sequence[Hashable], predictions: Sequence[Hashable], max_n: int = MAX_PREDICTIONS
) -> float:
    """Σᵢ relᵢ / log₂(i + 1) over the deduplicated predictions (i from 1)."""
    truth = _truth(targets)
    preds = _predictions(predictions, max_n)
    rel = np.array([p in truth for p in preds], dtype=np.float64)
    return float(np.sum(rel / np.log2(np.arange(2, len(rel) + 2))))


def _ideal_dcg(n_relevant: np.ndarray | int, max_n: int) -> np.ndarray:
    """IDCG for |G| = n_relevant (array or scalar), capped at max_n predictions."""
    cumulative = np.r_[0.0, np.cumsum(1.0 / np.log2(np.arange(2, max_n + 2)))]
    return cumulative[np.minimum(np.asarray(n_relevant), max_n)]


def ndcg(
    targets: Sequence[Hashable], predictions: Sequence[Hashable], max_n: int = MAX_PREDICTIONS
) -> float:
    """DCG / IDCG, IDCG over min(|G|, max_n) relevant tracks."""
    n_truth = len(_truth(targets))
    return dcg(targets, predictions, max_n) / float(_ideal_dcg(n_truth, max_n))


def clicks(
    targets: Sequence[Hashable], predictions: Sequence[Hashable], max_n: int = MAX_PREDICTIONS
) -> float:
    """⌊index of the first relevant prediction / 10⌋; max_n / 10 + 1 (51) when none is."""
    truth = _truth(targets)
    for index, track in enumerate(_predictions(predictions, max_n)):
        if track in truth:
            return float(index // 10)
    return float(max_n // 10 + 1)


def playlist_metrics(
    predictions: pd.DataFrame,
    truth: pd.DataFrame,
    key: str | list[str] = "playlist_id",
    max_n: int = MAX_PREDICTIONS,
) -> pd.DataFrame:
    """R-precision, NDCG and clicks of every playlist, without a loop over playlists.

    ``predictions``: columns ``key`` (one or several, e.g. ``["playlist_id", "seed_size"]``),
    ``rank`` (1 = best) and ``track_id``. ``truth``: columns ``key`` and ``track_id`` (the
    held-out tracks; repeats are ignored). Every playlist of ``truth`` is scored — one with
    no predictions gets 0, 0 and 51 clicks; predictions of a playlist absent from ``truth``
    are ignored. Returns one row per playlist: ``key``, ``n_truth``, ``r_precision``,
    ``ndcg``, ``clicks``.
    """
    keys = [key] if isinstance(key, str) else list(key)
    truth = truth[[*keys, "track_id"]].drop_duplicates()
    per_playlist = truth.groupby(keys, sort=True, observed=True).size().rename("n_truth")
    per_playlist = per_playlist.reset_index()
    if (per_playlist["n_truth"] == 0).any() or per_playlist.empty:
        raise ValueError("no ground truth to score")

    preds = predictions[[*keys, "rank", "track_id"]].sort_values([*keys, "rank"], kind="stable")
    # cut to the first max_n predictions, then deduplicate keeping the first occurrence
    preds = preds[preds.groupby(keys, sort=False, observed=True).cumcount() < max_n]
    preds = preds.drop_duplicates([*keys, "track_id"], keep="first")
    preds = preds.assign(position=preds.groupby(keys, sort=False, observed=True).cumcount())
    hits = preds.merge(truth, on=[*keys, "track_id"], how="inner")
    hits = hits.merge(per_playlist, on=keys, how="inner")

    hits["in_top_g"] = hits["position"] < hits["n_truth"]
    hits["gain"] = 1.0 / np.log2(hits["position"].to_numpy(np.float64) + 2.0)
    agg = hits.groupby(keys, sort=False, observed=True).agg(
        n_hits_top_g=("in_top_g", "sum"),
        dcg=("gain", "sum"),
        first_hit=("position", "min"),
    )
    out = per_playlist.merge(agg.reset_index(), on=keys, how="left")
    out["r_precision"] = out["n_hits_top_g"].fillna(0).to_numpy(np.float64) / out["n_truth"]
    out["ndcg"] = out["dcg"].fillna(0.0).to_numpy() / _ideal_dcg(out["n_truth"].to_numpy(), max_n)
    first = out["first_hit"].to_numpy(np.float64)
    out["clicks"] = np.where(np.isnan(first), float(max_n // 10 + 1), np.floor(first / 10.0))
    return out[[*keys, "n_truth", "r_precision", "ndcg", "clicks"]]


def summarise(per_playlist: pd.DataFrame) -> dict[str, float]:
    """Means over playlists (the challenge's score) and the number of playlists."""
    return {
        "r_precision": float(per_playlist["r_precision"].mean()),
        "ndcg": float(per_playlist["ndcg"].mean()),
        "clicks": float(per_playlist["clicks"].mean()),
        "n_playlists": float(len(per_playlist)),
    }


# --- the same metrics in SQL ----------------------------------------------------------------

PREDICTIONS_RELATION = "recsys_predictions"
TRUTH_RELATION = "recsys_truth"

_TRUTH_CTES = f"""
truth as (
    select distinct
        playlist_id,
        track_id
    from {TRUTH_RELATION}
),

n_truth as (
    select
        playlist_id,
        count(*) as n_truth
    from truth
    group by playlist_id
)"""  # noqa: S608 - relation names are the constants above

# the first max_n predictions of each playlist, then each track at its first occurrence:
# its 0-based position among the distinct tracks
_POSITIONED_CTES = f"""
cut as (
    select
        playlist_id,
        rank,
        track_id
    from {PREDICTIONS_RELATION}
    qualify row_number() over (partition by playlist_id order by rank, track_id) <= $max_n
),

first_seen as (
    select
        playlist_id,
        track_id,
        min(rank) as first_rank
    from cut
    group by playlist_id, track_id
),

positioned as (
    select
        playlist_id,
        track_id,
        row_number() over (partition by playlist_id order by first_rank, track_id) - 1
            as position
    from first_seen
)"""  # noqa: S608 - relation names are the constants above

# the same when every list is clean — ranks exactly 1..m, each track once — as every
# predictor of this project writes them: position = rank - 1, no window needed
_CLEAN_POSITIONED_CTES = f"""
positioned as (
    select
        playlist_id,
        track_id,
        rank - 1 as position
    from {PREDICTIONS_RELATION}
    where rank <= $max_n
)"""  # noqa: S608 - relation names are the constants above


def _metrics_sql(positioned_ctes: str) -> str:
    return f"""
with {_TRUTH_CTES},

{positioned_ctes},

hits as (
    select
        positioned.playlist_id,
        positioned.position,
        n_truth.n_truth
    from positioned
    inner join truth
        on positioned.playlist_id = truth.playlist_id and positioned.track_id = truth.track_id
    inner join n_truth
        on positioned.playlist_id = n_truth.playlist_id
),

per_playlist as (
    select
        playlist_id,
        count_if(position < n_truth) as n_hits_top_g,
        sum(1.0 / log2(position + 2)) as dcg,
        min(position) as first_hit
    from hits
    group by playlist_id
),

ideal as (
    select
        n_relevant,
        sum(1.0 / log2(n_relevant + 1)) over (order by n_relevant) as idcg
    from range(1, $max_n + 1) as ranks (n_relevant)
)

select
    n_truth.playlist_id,
    n_truth.n_truth,
    coalesce(per_playlist.n_hits_top_g, 0) / n_truth.n_truth as r_precision,
    coalesce(per_playlist.dcg, 0.0) / ideal.idcg as ndcg,
    cast(coalesce(floor(per_playlist.first_hit / 10), $max_n // 10 + 1) as double) as clicks
from n_truth
left join per_playlist
    on n_truth.playlist_id = per_playlist.playlist_id
inner join ideal
    on least(n_truth.n_truth, $max_n) = ideal.n_relevant
"""  # noqa: S608 - CTEs of this module


def _summary_sql(metrics_sql: str) -> str:
    return f"""
select
    avg(r_precision) as r_precision,
    avg(ndcg) as ndcg,
    avg(clicks) as clicks,
    cast(count(*) as double) as n_playlists
from ({metrics_sql})
"""  # noqa: S608 - SQL of this module


# one row per playlist of the truth: n_truth, r_precision, ndcg, clicks
PLAYLIST_METRICS_SQL = _metrics_sql(_POSITIONED_CTES)
CLEAN_PLAYLIST_METRICS_SQL = _metrics_sql(_CLEAN_POSITIONED_CTES)
# their means and the number of playlists
SUMMARY_SQL = _summary_sql(PLAYLIST_METRICS_SQL)
CLEAN_SUMMARY_SQL = _summary_sql(CLEAN_PLAYLIST_METRICS_SQL)

Frame = pd.DataFrame | pa.Table


def _registered(
    con: duckdb.DuckDBPyConnection, predictions: Frame | None, truth: Frame | None
) -> list[str]:
    """Register the given frames under the relation names (replacing views of that name)."""
    names = []
    for name, frame in ((PREDICTIONS_RELATION, predictions), (TRUTH_RELATION, truth)):
        if frame is not None:
            con.execute(f"drop view if exists {name}")
            con.register(name, frame)
            names.append(name)
    return names


def sql_playlist_metrics(
    con: duckdb.DuckDBPyConnection,
    predictions: Frame | None = None,
    truth: Frame | None = None,
    max_n: int = MAX_PREDICTIONS,
    assume_clean: bool = False,
) -> pd.DataFrame:
    """``playlist_metrics`` computed by DuckDB: one row per playlist of the truth
    (playlist_id, n_truth, r_precision, ndcg, clicks), ordered by playlist_id.

    Frames given are registered as ``PREDICTIONS_RELATION`` / ``TRUTH_RELATION`` for the
    call; otherwise those relations must exist on ``con`` (e.g. temp views).
    ``assume_clean``: every list's ranks are exactly 1..m and its tracks distinct (then
    cheaper; on other lists the result is wrong).
    """
    names = _registered(con, predictions, truth)
    metrics_sql = CLEAN_PLAYLIST_METRICS_SQL if assume_clean else PLAYLIST_METRICS_SQL
    try:
        sql = f"select * from ({metrics_sql}) order by playlist_id"  # noqa: S608 - metrics_sql is this module's own
        return con.sql(sql, params={"max_n": max_n}).to_arrow_table().to_pandas()
    finally:
        for name in names:
            con.unregister(name)


def sql_summarise(
    con: duckdb.DuckDBPyConnection, max_n: int = MAX_PREDICTIONS, assume_clean: bool = False
) -> dict[str, float]:
    """``summarise`` of the SQL metrics of the relations on ``con``, without fetching them
    (``assume_clean`` as in ``sql_playlist_metrics``)."""
    sql = CLEAN_SUMMARY_SQL if assume_clean else SUMMARY_SQL
    rows = con.execute(sql, {"max_n": max_n}).fetchall()
    row = rows[0] if rows else None
    if row is None or not row[3]:
        raise ValueError("no ground truth to score")
    return dict(zip(("r_precision", "ndcg", "clicks", "n_playlists"), map(float, row), strict=True))
