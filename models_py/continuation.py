"""RecSys Challenge 2018 playlist continuation on the marts, evaluated the challenge's way.

Given the first k tracks of a playlist (the seeds) — or, for k = 0, only its name — predict
500 further tracks, none of them a seed; score R-precision, NDCG and clicks (the
definitions of ``recsys_metrics``, computed in SQL by ``recsys_metrics.SUMMARY_SQL``)
against the playlist's other tracks.

Held-out split
    MPD playlists (``playlist_source = 'mpd'``) go to the test pool or the validation pool
    when ``marts.dim_ml_splits`` says so (``split = 'test'``: 10 %, ``'validation'``: 10 %;
    the split every task shares, so a playlist tested here is tested by next track too).
    For every seed size k in ``seed_sizes`` the evaluation playlists are the test-pool
    playlists with at least one track beyond the seeds (for k = 0: with a name), at most
    ``max_test_playlists`` of them (in md5 order of the id: a sample independent of the
    data's order);
    the validation playlists are chosen the same way (``max_validation_playlists``). A k no
    test playlist is long enough for is skipped. Seeds = the distinct tracks at positions
    1..k; ground truth = the distinct tracks after position k that are not seeds (k = 0:
    all of the playlist's tracks).

No leakage
    Everything the predictors learn from — co-occurrence, popularity, name statistics,
    playlist clusters — comes from training playlists only, computed here from
    ``marts.fct_playlist_tracks`` (``marts.fct_similar_tracks`` counts the test playlists
    too, so it is not used). Two stages:

    * validation stage — training = MPD minus the test AND validation pools; ours' blend
      weights are fitted on the validation playlists' candidates (the test pool is never
      looked at);
    * test stage — training = MPD minus the test pool (the validation playlists are
      training data again, as usual after model selection); every method is scored on the
      test playlists.

    ``own_playlist_continuations`` then trains ours on ALL MPD playlists (nothing is
    evaluated there) and continues the user's own playlists.

Methods (each returns exactly ``n_predictions`` tracks per playlist when the training
catalog is large enough, so the metrics compare like with like)
    ``cooccurrence`` (ours): score(candidate) = a learned blend
    w_c · cooccurrence + w_a · audio + w_p · popularity + w_n · name, where

    * cooccurrence = Σ over the seeds of the cosine co-occurrence
      n(seed, candidate) / sqrt(n(seed) · n(candidate)) over training playlists, each seed
      contributing only its min(``n_similar``, ⌈``n_similar_per_playlist`` / k⌉) most
      similar tracks — the similarity is bounded (computed as a sparse matrix product,
      scipy, per chunk of seed tracks, keeping each seed's top ones) and so is the work
      per playlist;
    * audio = − squared Euclidean distance between the candidate's standardised audio
      features (``AUDIO_FEATURES`` of ``marts.dim_spotify_tracks``, z-scored over the
      playlist catalog, a missing feature = the mean) and the seeds' mean vector (0 for
      k = 0);
    * popularity = ln(number of training playlists holding the candidate);
    * name = the candidate's share among training playlists with the same normalised name
      (``normalize_name``: lowercase, apostrophes dropped, any run of other characters
      that are not letters or digits — punctuation, emoji — made one space, trimmed),
      smoothed: n_with_track / (n_with_name + ``name_prior``).

    Candidates = the seeds' similar tracks ∪ the name's ⌈n / (1 + k)⌉ top tracks ∪ the
    ``n_popular_candidates`` most popular tracks; seeds excluded; ranked by the blend
    rounded to 1e-6, ties broken by track id; a list left shorter than n continues with
    the most popular remaining tracks (score NULL). The weights are fitted per seed size
    by a class-weighted logistic regression (standardised features, ``Pipeline``) on the
    candidates of the validation playlists (positives = their held-out tracks, negatives
    hash-sampled down to ``max_fit_negatives``), folded back to raw-feature weights; a
    plain "co-occurrence + name, popularity as tie-break" blend replaces it when it scores
    a higher validation NDCG (``Blend.report`` keeps both, and as ablations the learned
    blend without audio and without name). One set-based statement per
    seed size builds and ranks every playlist's candidates: no Python per playlist.

    ``popularity`` (baseline): the tracks in most training playlists, seeds excluded.

    ``source_method`` (baseline, the source write-ups' generator, reproduced): half of the
    target length (the playlist's true length) by breadth-first search from the seeds over
    each track's 10 most co-occurring tracks; the other half drawn at random (fixed seed)
    from the tracks of the 5 most-followed training playlists of the KMeans cluster (fitted
    on the ``mean_*`` aggregates of ``marts.dim_playlists`` of training playlists) nearest
    to the seeds' aggregate vector. The source stops at the target length; here the list
    is padded with the popularity ranking to 500 so that the metrics compare like with
    like — the padding only helps it. A Python loop per playlist, as the source wrote it
    (its cost is part of the comparison); its lists are loaded into DuckDB and scored by
    the same SQL. It needs a seed track, so it does not run at k = 0.

Throughput
    ``playlists_per_second`` = evaluation playlists / (predict + score seconds) of one
    method at one seed size. predict = from the per-k query tables (the playlists, their
    seeds and names, built once per k for all methods and timed apart as
    ``queries_seconds``) to the ranked lists in a DuckDB temp table (for the source
    method: fetching its inputs, the Python loop and loading its lists); score = the SQL
    metrics over those lists. Fitting is timed apart (``*_fit_seconds``), as is appending
    the lists to ``continuation_predictions`` for the score table. The metrics use
    ``recsys_metrics.CLEAN_SUMMARY_SQL``: every list is clean by construction (ranks
    1..m from ``row_number``/unpacking, each track once), so no dedupe windows are run.

Temp tables (the connection may be read-only)
    ``continuation_split`` (playlist_id, playlist_idx, sample_order, is_test, is_validation,
    has_name, name_key), ``continuation_entries`` (playlist_id, playlist_position,
    track_id, is_test, is_validation, playlist_idx, track_idx), ``continuation_seeds``
    (playlist_id, seed_size, track_id, seed_position, playlist_idx, track_idx) and
    ``continuation_truth`` (playlist_idx, seed_size, track_idx) of both held-out pools
    (join ``continuation_eval`` for the evaluated ones), ``continuation_eval`` (the test
    evaluation playlists: playlist_id, seed_size, n_tracks, eval_rank, playlist_idx),
    ``continuation_validation`` (the same for the validation pool), and per stage
    ``continuation_train`` (playlist_idx, track_idx), ``continuation_popularity``,
    ``continuation_similarity``, ``continuation_name_tracks``; the test stage's ranked
    lists accumulate in ``continuation_predictions``. Integer surrogate keys (``*_idx``)
    keep joins cheap; ids are joined back at the end.

Run it alone with ``python -m models_py.continuation`` (prints the table, writes nothing).
"""

from __future__ import annotations

import argparse
import math
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import scipy.sparse as sp
from sklearn.cluster import KMeans
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from tqdm import tqdm

from models_py import ml_store, source_metrics
from models_py.playlist_features import AGGREGATE_FEATURES
from models_py.recsys_metrics import PREDICTIONS_RELATION, TRUTH_RELATION, sql_summarise
from models_py.warehouse import Paths

__all__ = [
    "READS",
    "AUDIO_FEATURES",
    "BLEND_FEATURES",
    "METHODS",
    "OWN_SCORE_TABLE",
    "SCORE_TABLE",
    "Blend",
    "ContinuationConfig",
    "Evaluation",
    "continuation_frame",
    "evaluate",
    "fit_blend",
    "fit_cooccurrence",
    "fit_source_method",
    "missing_input",
    "normalize_name",
    "own_playlist_continuations",
    "predict_cooccurrence",
    "predict_popularity",
    "predict_source_method",
    "prepare",
    "run",
    "test_playlist_ids",
    "truth_frame",
    "validation_playlist_ids",
]

# the marts this module reads, every one public and contracted; the exposure that names
# this module lists exactly these (tests/test_exposures.py), and a run records a
# snapshot of each (ml_store.data_snapshot)
READS: tuple[str, ...] = (
    "marts.dim_ml_splits",
    "marts.dim_playlists",
    "marts.dim_spotify_tracks",
    "marts.fct_playlist_tracks",
)

TASK = "playlist_continuation"
SCORE_TABLE = "playlist_continuations"
OWN_SCORE_TABLE = "own_playlist_continuations"
OURS, POPULARITY, SOURCE_METHOD = "cooccurrence", "popularity", "source_method"
METHODS: tuple[str, ...] = (OURS, POPULARITY, SOURCE_METHOD)
BASELINES = frozenset({POPULARITY, SOURCE_METHOD})
TEST, VALIDATION = "test", "validation"

# ours' audio similarity: dim_spotify_tracks columns, standardised
AUDIO_FEATURES: tuple[str, ...] = (
    "danceability",
    "energy",
    "valence",
    "acousticness",
    "speechiness",
    "instrumentalness",
    "liveness",
    "tempo_bpm",
    "loudness_db",
)
# ours' blend: continuation_candidates columns, continuation_blend weights w_<feature>
BLEND_FEATURES: tuple[str, ...] = ("cooccurrence", "audio", "popularity", "name")
# the fallback blend: co-occurrence and name as they are, popularity only breaks ties
FALLBACK_WEIGHTS: dict[str, float] = {
    "cooccurrence": 1.0,
    "audio": 0.0,
    "popularity": 1e-3,
    "name": 1.0,
}
# ours' ranking key: round(score * SCORE_SCALE) * TRACK_SPACE + (TRACK_SPACE - 1 - track)
SCORE_SCALE = 1_000_000
TRACK_SPACE = 1 << 22
# pairs (seed playlist entries x playlist length) per sparse product chunk
SIMILARITY_CHUNK_PAIRS = 20_000_000


@dataclass(frozen=True)
class ContinuationConfig:
    """Split, evaluation and method settings (the defaults suit the demo data)."""

    seed_sizes: tuple[int, ...] = (0, 1, 5, 10, 25, 100)
    max_test_playlists: int = 500
    max_validation_playlists: int = 500
    n_predictions: int = 500
    n_similar: int = 500
    n_similar_per_playlist: int = 1500
    n_popular_candidates: int = 100
    name_prior: float = 5.0
    max_fit_negatives: int = 200_000
    n_own_predictions: int = 50
    n_neighbours: int = 10
    n_clusters: int = 10
    n_cluster_playlists: int = 5

    def __post_init__(self) -> None:
        if not self.seed_sizes or min(self.seed_sizes) < 0:
            raise ValueError("seed sizes must be non-negative")
        if min(self.n_predictions, self.n_similar, self.max_test_playlists) < 1:
            raise ValueError("n_predictions, n_similar and max_test_playlists must be positive")


def normalize_name(name: str | None) -> str | None:
    """A playlist name as ``NAME_KEY`` normalises it in SQL (None when nothing is left)."""
    if name is None:
        return None
    text = re.sub(r"['’]", "", name.lower())
    text = re.sub(r"[\W_]+", " ", text).strip()
    return text or None


# --- SQL: every identifier is a constant of this module, every value a parameter --------


def _name_key(column: str) -> str:
    """SQL of ``normalize_name`` for a column (a constant of this module)."""
    return (
        "nullif(trim(regexp_replace(regexp_replace(lower("
        f"{column}), '[''’]', '', 'g'), '[^\\p{{L}}\\p{{N}}]+', ' ', 'g')), '')"
    )


SPLIT_SQL = f"""
create or replace temp table continuation_split as
with playlists as (
    select
        playlists.playlist_id,
        playlists.playlist_name,
        splits.split
    from marts.dim_playlists as playlists
    inner join marts.dim_ml_splits as splits
        on splits.entity_type = 'playlist'
        and playlists.playlist_id = splits.entity_id
    where playlists.playlist_source = 'mpd'
)

select
    playlist_id,
    cast(row_number() over (order by playlist_id) as integer) as playlist_idx,
    md5_number(playlist_id) as sample_order,
    split = 'test' as is_test,
    split = 'validation' as is_validation,
    playlist_name is not null as has_name,
    {_name_key("playlist_name")} as name_key
from playlists
"""  # noqa: S608 - identifiers from this module

# every track of a playlist (MPD or own) gets a dense integer key, in track id order
TRACKS_SQL = """
create or replace temp table continuation_tracks as
select
    track_id,
    cast(row_number() over (order by track_id) as integer) as track_idx
from (
    select distinct track_id
    from marts.fct_playlist_tracks
    where track_id is not null
)
"""

ENTRIES_SQL = """
create or replace temp table continuation_entries as
select
    tracks.playlist_id,
    tracks.playlist_position,
    tracks.track_id,
    split.is_test,
    split.is_validation,
    split.playlist_idx,
    keys.track_idx
from marts.fct_playlist_tracks as tracks
inner join continuation_split as split
    on tracks.playlist_id = split.playlist_id
inner join continuation_tracks as keys
    on tracks.track_id = keys.track_id
where tracks.playlist_source = 'mpd'
"""

_AUDIO_STATS = ",\n        ".join(
    f"avg(catalog.{f}) as avg_{f},\n        stddev_pop(catalog.{f}) as sd_{f}"
    for f in AUDIO_FEATURES
)
_AUDIO_Z = ",\n    ".join(
    f"coalesce((catalog.{f} - stats.avg_{f}) / nullif(stats.sd_{f}, 0), 0) as z_{f}"
    for f in AUDIO_FEATURES
)

# standardised audio features of every playlist track (a track property: no leakage)
FEATURES_SQL = f"""
create or replace temp table continuation_features as
with catalog as (
    select
        keys.track_idx,
        {", ".join(f"tracks.{f}" for f in AUDIO_FEATURES)}
    from continuation_tracks as keys
    left join marts.dim_spotify_tracks as tracks
        on keys.track_id = tracks.track_id
),

stats as (
    select
        {_AUDIO_STATS}
    from catalog
)

select
    catalog.track_idx,
    {_AUDIO_Z}
from catalog
cross join stats
"""  # noqa: S608 - identifiers from AUDIO_FEATURES

# seeds of every held-out playlist (test and validation pools) at every seed size
SEEDS_SQL = """
create or replace temp table continuation_seeds as
with sizes as (
    select unnest(cast(? as bigint[])) as seed_size
)

select
    entries.playlist_id,
    sizes.seed_size,
    entries.track_id,
    min(entries.playlist_position) as seed_position,
    entries.playlist_idx,
    entries.track_idx
from continuation_entries as entries
inner join sizes
    on entries.playlist_position <= sizes.seed_size
where entries.is_test or entries.is_validation
group by all
"""

TRUTH_ALL_SQL = """
create or replace temp table continuation_truth_all as
with sizes as (
    select unnest(cast(? as bigint[])) as seed_size
)

select distinct
    entries.playlist_idx,
    sizes.seed_size,
    entries.track_idx
from continuation_entries as entries
inner join sizes
    on entries.playlist_position > sizes.seed_size
where
    (entries.is_test or entries.is_validation)
    and not exists (
        select 1
        from continuation_seeds as seeds
        where
            seeds.playlist_idx = entries.playlist_idx
            and seeds.seed_size = sizes.seed_size
            and seeds.track_idx = entries.track_idx
    )
"""

EVAL_ALL_SQL = """
create or replace temp table continuation_eval_all as
with candidates as (
    select distinct
        playlist_idx,
        seed_size
    from continuation_truth_all
),

n_tracks as (
    select
        playlist_idx,
        count(*) as n_tracks
    from continuation_entries
    where is_test or is_validation
    group by playlist_idx
)

select
    case when split.is_test then 'test' else 'validation' end as pool,
    split.playlist_id,
    candidates.playlist_idx,
    candidates.seed_size,
    n_tracks.n_tracks,
    row_number() over (
        partition by split.is_test, candidates.seed_size
        order by split.sample_order, split.playlist_id
    ) as eval_rank
from candidates
inner join continuation_split as split
    on candidates.playlist_idx = split.playlist_idx
inner join n_tracks
    on candidates.playlist_idx = n_tracks.playlist_idx
where candidates.seed_size > 0 or split.has_name
qualify eval_rank <= case when split.is_test then $max_test else $max_validation end
"""

TRUTH_TRIM_SQL = """
create or replace temp table continuation_truth as
select truth.*
from continuation_truth_all as truth
where exists (
    select 1
    from continuation_eval_all as eval
    where eval.playlist_idx = truth.playlist_idx and eval.seed_size = truth.seed_size
)
"""

# the held-out pools' evaluation rows, one temp table per pool (names are constants)
_POOL_SQL = """
create or replace temp table {table} as
select
    playlist_id,
    seed_size,
    n_tracks,
    eval_rank,
    playlist_idx
from continuation_eval_all
where pool = '{pool}'
"""
EVAL_SQL = _POOL_SQL.format(table="continuation_eval", pool="test")
VALIDATION_SQL = _POOL_SQL.format(table="continuation_validation", pool="validation")

PREDICTIONS_TABLE_SQL = """
create or replace temp table continuation_predictions (
    method string,
    seed_size integer,
    playlist_idx integer,
    rank integer,
    track_idx integer
)
"""

# the training playlists of a stage: the only input of every predictor
TRAIN_SQL = """
create or replace temp table continuation_train as
select distinct
    playlist_idx,
    track_idx
from continuation_entries
where
    ($include_test or not is_test)
    and ($include_validation or not is_validation)
"""

POPULARITY_SQL = """
create or replace temp table continuation_popularity as
select
    track_idx,
    count(*) as n_playlists,
    ln(count(*)) as log_popularity,
    row_number() over (order by count(*) desc, track_idx asc) as popularity_rank
from continuation_train
group by track_idx
"""

# per normalised name, its n most frequent tracks among the training playlists of that name
NAME_TRACKS_SQL = """
create or replace temp table continuation_name_tracks as
with named as (
    select
        split.name_key,
        train.playlist_idx,
        train.track_idx
    from continuation_train as train
    inner join continuation_split as split
        on train.playlist_idx = split.playlist_idx
    where split.name_key is not null
),

names as (
    select
        name_key,
        count(distinct playlist_idx) as n_name_playlists
    from named
    group by name_key
),

shares as (
    select
        named.name_key,
        named.track_idx,
        count(*) / (any_value(names.n_name_playlists) + $name_prior) as name_share
    from named
    inner join names
        on named.name_key = names.name_key
    group by named.name_key, named.track_idx
)

select
    name_key,
    track_idx,
    name_share,
    row_number() over (partition by name_key order by name_share desc, track_idx) as name_rank
from shares
qualify name_rank <= $n
"""

# the seed tracks a stage's similarity must cover
# (with the fewest seeds any playlist using them has: fewer seeds, deeper lists)
POOL_SEED_TRACKS_SQL = """
with sized as (
    select
        seeds.playlist_idx,
        seeds.seed_size,
        seeds.track_idx,
        count(*) over (partition by seeds.playlist_idx, seeds.seed_size) as n_seeds
    from continuation_seeds as seeds
    inner join continuation_eval_all as eval
        on seeds.playlist_idx = eval.playlist_idx and seeds.seed_size = eval.seed_size
    where eval.pool = ?
)

select
    track_idx,
    min(n_seeds) as n_seeds
from sized
group by track_idx
order by track_idx
"""

QUERY_SEED_TRACKS_SQL = """
select
    seeds.track_idx,
    min(queries.n_seeds) as n_seeds
from continuation_query_seeds as seeds
inner join continuation_queries as queries
    on seeds.playlist_idx = queries.playlist_idx
group by seeds.track_idx
order by seeds.track_idx
"""

# the playlists to continue at one seed size (one pool), their seeds and ground truth
POOL_QUERIES_SQL = """
create or replace temp table continuation_queries as
select
    eval.playlist_idx,
    eval.playlist_id,
    eval.seed_size as blend_size,
    split.name_key,
    count(seeds.track_idx) as n_seeds
from continuation_eval_all as eval
inner join continuation_split as split
    on eval.playlist_idx = split.playlist_idx
left join continuation_seeds as seeds
    on eval.playlist_idx = seeds.playlist_idx and eval.seed_size = seeds.seed_size
where eval.pool = $pool and eval.seed_size = $seed_size
group by all
"""

POOL_QUERY_SEEDS_SQL = """
create or replace temp table continuation_query_seeds as
select
    seeds.playlist_idx,
    seeds.track_idx
from continuation_seeds as seeds
where
    seeds.seed_size = $seed_size
    and exists (
        select 1
        from continuation_queries as queries
        where queries.playlist_idx = seeds.playlist_idx
    )
"""

POOL_QUERY_TRUTH_SQL = """
create or replace temp table continuation_query_truth as
select
    truth.playlist_idx,
    truth.track_idx
from continuation_truth as truth
where
    truth.seed_size = $seed_size
    and exists (
        select 1
        from continuation_queries as queries
        where queries.playlist_idx = truth.playlist_idx
    )
"""

# the user's own playlists: every track of theirs is a seed; the blend of the nearest
# fitted seed size at or below their size (the smallest fitted one otherwise)
OWN_QUERIES_SQL = f"""
create or replace temp table continuation_queries as
with own as (
    select
        playlist_id,
        {_name_key("playlist_name")} as name_key
    from marts.dim_playlists
    where playlist_source = 'own'
),

own_tracks as (
    select
        tracks.playlist_id,
        count(distinct tracks.track_id) as n_seeds
    from marts.fct_playlist_tracks as tracks
    where tracks.playlist_source = 'own' and tracks.track_id is not null
    group by tracks.playlist_id
),

sized as (
    select
        cast(row_number() over (order by own.playlist_id) as integer) as playlist_idx,
        own.playlist_id,
        own.name_key,
        coalesce(own_tracks.n_seeds, 0) as n_seeds
    from own
    left join own_tracks
        on own.playlist_id = own_tracks.playlist_id
)

select
    sized.playlist_idx,
    sized.playlist_id,
    coalesce(
        (select max(blend.seed_size) from continuation_blend as blend
         where blend.seed_size <= sized.n_seeds),
        (select min(blend.seed_size) from continuation_blend as blend)
    ) as blend_size,
    sized.name_key,
    sized.n_seeds
from sized
"""  # noqa: S608 - identifiers from this module

OWN_QUERY_SEEDS_SQL = """
create or replace temp table continuation_query_seeds as
select distinct
    queries.playlist_idx,
    keys.track_idx
from marts.fct_playlist_tracks as tracks
inner join continuation_queries as queries
    on tracks.playlist_id = queries.playlist_id
inner join continuation_tracks as keys
    on tracks.track_id = keys.track_id
where tracks.playlist_source = 'own'
"""

# per training track of a stage: popularity and standardised audio features in one row
TRACK_STATS_SQL = f"""
create or replace temp table continuation_track_stats as
select
    popularity.track_idx,
    popularity.popularity_rank,
    popularity.log_popularity,
    {", ".join(f"features.z_{f}" for f in AUDIO_FEATURES)}
from continuation_popularity as popularity
inner join continuation_features as features
    on popularity.track_idx = features.track_idx
"""  # noqa: S608 - identifiers from AUDIO_FEATURES

_PROFILE = ",\n        ".join(f"avg(features.z_{f}) as z_{f}" for f in AUDIO_FEATURES)
_SQUARED_DISTANCE = " + ".join(
    f"(stats.z_{f} - profiles.z_{f}) * (stats.z_{f} - profiles.z_{f})" for f in AUDIO_FEATURES
)

# ours: every query playlist's candidates with their blend features. Candidates = each
# seed's most similar tracks (fewer per seed for more seeds), the name's n / (1 + k) top
# tracks and the n_popular most popular tracks; seeds excluded.
CANDIDATES_CTES = f"""
with queries as (
    select
        *,
        -- similar tracks per seed, name tracks per playlist: fewer for more seeds
        cast(least($n_similar, ceil($n_similar_per_playlist / greatest(n_seeds, 1))) as integer)
            as similar_depth,
        cast($n / (1 + n_seeds) as integer) as name_depth
    from continuation_queries
),

seeds as (
    select * from continuation_query_seeds
),

contributions as (
    select
        seeds.playlist_idx,
        similarity.candidate_idx as track_idx,
        similarity.cosine
    from seeds
    inner join queries
        on seeds.playlist_idx = queries.playlist_idx
    inner join continuation_similarity as similarity
        on
            seeds.track_idx = similarity.track_idx
            and similarity.neighbour_rank <= queries.similar_depth

    union all

    select
        queries.playlist_idx,
        names.track_idx,
        0.0 as cosine
    from queries
    inner join continuation_name_tracks as names
        on queries.name_key = names.name_key and names.name_rank <= queries.name_depth

    union all

    select
        queries.playlist_idx,
        stats.track_idx,
        0.0 as cosine
    from queries
    inner join continuation_track_stats as stats
        on stats.popularity_rank <= $n_popular
),

candidates as (
    select
        playlist_idx,
        track_idx,
        sum(cosine) as cooccurrence
    from contributions
    group by playlist_idx, track_idx
),

profiles as (
    select
        seeds.playlist_idx,
        {_PROFILE}
    from seeds
    inner join continuation_features as features
        on seeds.track_idx = features.track_idx
    group by seeds.playlist_idx
),

featured as (
    select
        candidates.playlist_idx,
        candidates.track_idx,
        candidates.cooccurrence,
        coalesce(-({_SQUARED_DISTANCE}), 0.0) as audio,
        stats.log_popularity as popularity,
        coalesce(names.name_share, 0.0) as name
    from candidates
    inner join queries
        on candidates.playlist_idx = queries.playlist_idx
    inner join continuation_track_stats as stats
        on candidates.track_idx = stats.track_idx
    left join profiles
        on candidates.playlist_idx = profiles.playlist_idx
    left join continuation_name_tracks as names
        on queries.name_key = names.name_key and candidates.track_idx = names.track_idx
    where not exists (
        select 1
        from seeds
        where
            seeds.playlist_idx = candidates.playlist_idx
            and seeds.track_idx = candidates.track_idx
    )
)
"""  # noqa: S608 - identifiers from AUDIO_FEATURES

CANDIDATES_SQL = f"""
create or replace temp table continuation_candidates as
{CANDIDATES_CTES}
select * from featured
"""  # noqa: S608 - identifiers from this module

_BLEND = " + ".join(f"blend.w_{f} * featured.{f}" for f in BLEND_FEATURES)


def _rank_sql(featured_ctes: str) -> str:
    """Rank CTEs ending in ``featured`` by the blend of each query's seed size, top n.

    The blend score is rounded to 1e-6 and packed with the track index into one integer
    sort key (score descending, then track index ascending), so that DuckDB's top-n
    aggregate ``max(key, n)`` ranks each playlist (several times faster than a window);
    rank, track and score are unpacked from it.
    """
    return f"""
create or replace temp table continuation_ranked as
{featured_ctes},

keyed as (
    select
        featured.playlist_idx,
        cast(round(({_BLEND}) * {SCORE_SCALE}) as bigint) * {TRACK_SPACE}
        + ({TRACK_SPACE - 1} - featured.track_idx) as sort_key
    from featured
    inner join continuation_queries as queries
        on featured.playlist_idx = queries.playlist_idx
    inner join continuation_blend as blend
        on queries.blend_size = blend.seed_size
),

top as (
    select
        playlist_idx,
        max(sort_key, $n) as sort_keys
    from keyed
    group by playlist_idx
),

unpacked as (
    select
        playlist_idx,
        generate_subscripts(sort_keys, 1) as rank,
        unnest(sort_keys) as sort_key
    from top
),

remainders as (
    select
        playlist_idx,
        rank,
        sort_key,
        ((sort_key % {TRACK_SPACE}) + {TRACK_SPACE}) % {TRACK_SPACE} as remainder
    from unpacked
)

select
    playlist_idx,
    rank,
    cast({TRACK_SPACE - 1} - remainder as integer) as track_idx,
    ((sort_key - remainder) // {TRACK_SPACE}) / {SCORE_SCALE} as score
from remainders
"""  # noqa: S608 - identifiers and integers from this module


# ours, predict: candidates and ranking in one statement
RANK_SQL = _rank_sql(CANDIDATES_CTES)
# ours, rank the materialised candidates again (the blend fit tries several weights)
RERANK_SQL = _rank_sql("with featured as (\n    select * from continuation_candidates\n)")

# lists shorter than n (few candidates) continue with the most popular remaining tracks
FILL_SQL = """
insert into continuation_ranked
with short as (
    select
        queries.playlist_idx,
        queries.n_seeds,
        count(ranked.track_idx) as n_ranked
    from continuation_queries as queries
    left join continuation_ranked as ranked
        on queries.playlist_idx = ranked.playlist_idx
    group by all
    having count(ranked.track_idx) < $n
),

fill as (
    select
        short.playlist_idx,
        short.n_ranked,
        stats.track_idx,
        stats.popularity_rank
    from short
    inner join continuation_track_stats as stats
        on stats.popularity_rank <= $n + short.n_seeds
    where
        not exists (
            select 1
            from continuation_ranked as ranked
            where ranked.playlist_idx = short.playlist_idx and ranked.track_idx = stats.track_idx
        )
        and not exists (
            select 1
            from continuation_query_seeds as seeds
            where seeds.playlist_idx = short.playlist_idx and seeds.track_idx = stats.track_idx
        )
)

select
    playlist_idx,
    n_ranked + row_number() over (partition by playlist_idx order by popularity_rank) as rank,
    track_idx,
    cast(null as double) as score
from fill
qualify rank <= $n
"""

POPULARITY_RANK_SQL = """
create or replace temp table continuation_ranked as
select
    queries.playlist_idx,
    row_number() over (
        partition by queries.playlist_idx order by popularity.popularity_rank
    ) as rank,
    popularity.track_idx,
    popularity.log_popularity as score
from continuation_queries as queries
inner join continuation_popularity as popularity
    on popularity.popularity_rank <= $n + queries.n_seeds
where not exists (
    select 1
    from continuation_query_seeds as seeds
    where seeds.playlist_idx = queries.playlist_idx and seeds.track_idx = popularity.track_idx
)
qualify rank <= $n
"""

SOURCE_RANK_SQL = """
create or replace temp table continuation_ranked as
select
    playlist_idx,
    rank,
    track_idx,
    cast(null as double) as score
from continuation_source_lists
"""

METRIC_VIEWS_SQL = (
    f"""
create or replace temp view {PREDICTIONS_RELATION} as
select
    playlist_idx as playlist_id,
    rank,
    track_idx as track_id
from continuation_ranked
""",  # noqa: S608 - the view names are recsys_metrics constants
    f"""
create or replace temp view {TRUTH_RELATION} as
select
    playlist_idx as playlist_id,
    track_idx as track_id
from continuation_query_truth
""",  # noqa: S608 - the view names are recsys_metrics constants
)

APPEND_SQL = """
insert into continuation_predictions
select
    $method,
    $seed_size,
    playlist_idx,
    rank,
    track_idx
from continuation_ranked
"""

FIT_COUNTS_SQL = """
select
    count(*) as n_candidates,
    count(truth.track_idx) as n_relevant
from continuation_candidates as candidates
left join continuation_query_truth as truth
    on candidates.playlist_idx = truth.playlist_idx and candidates.track_idx = truth.track_idx
"""

# the logistic regression's rows: every relevant candidate, a hash sample of the others
FIT_SAMPLE_SQL = f"""
select
    {", ".join(f"candidates.{f}" for f in BLEND_FEATURES)},
    truth.track_idx is not null as is_relevant
from continuation_candidates as candidates
left join continuation_query_truth as truth
    on candidates.playlist_idx = truth.playlist_idx and candidates.track_idx = truth.track_idx
where
    truth.track_idx is not null
    or hash(candidates.playlist_idx, candidates.track_idx) % 1000 < $negative_permille
order by candidates.playlist_idx, candidates.track_idx
"""  # noqa: S608 - identifiers from BLEND_FEATURES

TRAIN_AGGREGATES_SQL = f"""
select
    split.playlist_idx,
    playlists.n_followers,
    {", ".join(f"playlists.{c}" for c in AGGREGATE_FEATURES)}
from marts.dim_playlists as playlists
inner join continuation_split as split
    on playlists.playlist_id = split.playlist_id
where exists (
    select 1
    from continuation_train as train
    where train.playlist_idx = split.playlist_idx
)
order by split.playlist_idx
"""  # noqa: S608 - identifiers from AGGREGATE_FEATURES

CLUSTER_TRACKS_SQL = """
select distinct
    pools.cluster,
    train.track_idx
from continuation_train as train
inner join continuation_cluster_playlists as pools
    on train.playlist_idx = pools.playlist_idx
order by pools.cluster, train.track_idx
"""

SEED_AGGREGATES_SQL = f"""
select
    seeds.playlist_idx,
    {", ".join(f"avg(tracks.{t}) as {c}" for c, t in AGGREGATE_FEATURES.items())}
from continuation_query_seeds as seeds
inner join continuation_tracks as keys
    on seeds.track_idx = keys.track_idx
left join marts.dim_spotify_tracks as tracks
    on keys.track_id = tracks.track_id
group by seeds.playlist_idx
"""  # noqa: S608 - identifiers from AGGREGATE_FEATURES

QUERY_SEEDS_IN_ORDER_SQL = """
select
    seeds.playlist_idx,
    seeds.track_idx
from continuation_query_seeds as seeds
inner join continuation_seeds as positions
    on seeds.playlist_idx = positions.playlist_idx and seeds.track_idx = positions.track_idx
where positions.seed_size = ?
order by seeds.playlist_idx, positions.seed_position
"""

SOURCE_QUERIES_SQL = """
select
    queries.playlist_idx,
    eval.n_tracks
from continuation_queries as queries
inner join continuation_eval_all as eval
    on queries.playlist_idx = eval.playlist_idx and queries.blend_size = eval.seed_size
order by eval.eval_rank
"""

PREDICTIONS_FRAME_SQL = """
select
    split.playlist_id,
    predictions.seed_size,
    predictions.rank,
    keys.track_id,
    predictions.method
from continuation_predictions as predictions
inner join continuation_split as split
    on predictions.playlist_idx = split.playlist_idx
inner join continuation_tracks as keys
    on predictions.track_idx = keys.track_idx
where ($method is null or predictions.method = $method)
    and ($seed_size is null or predictions.seed_size = $seed_size)
order by predictions.method, predictions.seed_size, split.playlist_id, predictions.rank
"""

TRUTH_FRAME_SQL = """
select
    split.playlist_id,
    truth.seed_size,
    keys.track_id
from continuation_truth as truth
inner join continuation_eval as eval
    on truth.playlist_idx = eval.playlist_idx and truth.seed_size = eval.seed_size
inner join continuation_split as split
    on truth.playlist_idx = split.playlist_idx
inner join continuation_tracks as keys
    on truth.track_idx = keys.track_idx
where truth.seed_size = ?
order by split.playlist_id, keys.track_id
"""

OWN_FRAME_SQL = """
select
    queries.playlist_id,
    ranked.rank,
    keys.track_id,
    ranked.score,
    $method as method
from continuation_ranked as ranked
inner join continuation_queries as queries
    on ranked.playlist_idx = queries.playlist_idx
inner join continuation_tracks as keys
    on ranked.track_idx = keys.track_idx
order by queries.playlist_id, ranked.rank
"""


# --- preparation ------------------------------------------------------------------------


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


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params) -> pd.DataFrame:
    return con.sql(sql, params=params).to_arrow_table().to_pandas()


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


# --- co-occurrence: a sparse matrix product per chunk of seed tracks ------------------------


def _top_cooccurring(
    con: duckdb.DuckDBPyConnection,
    rows: np.ndarray,
    n: int | np.ndarray,
    by_count: bool,
    progress: bool,
) -> pa.Table:
    """For each track of ``rows``, its n (one per row, or the same for all) most
    co-occurring training tracks.

    Counts = Xᵀ·X over the binary playlist × track matrix X of ``continuation_train``,
    one chunk of rows at a time; ranked by cosine (count / sqrt(n_a · n_b)) or, with
    ``by_count``, by count; ties by track index. Returns (track_idx, candidate_idx,
    cosine, n_cooccurrences, neighbour_rank).
    """
    train = con.execute("select playlist_idx, track_idx from continuation_train").fetchnumpy()
    playlists = np.asarray(train["playlist_idx"], dtype=np.int64)
    tracks = np.asarray(train["track_idx"], dtype=np.int64)
    empty = pa.table(
        {
            "track_idx": pa.array([], pa.int32()),
            "candidate_idx": pa.array([], pa.int32()),
            "cosine": pa.array([], pa.float64()),
            "n_cooccurrences": pa.array([], pa.int32()),
            "neighbour_rank": pa.array([], pa.int32()),
        }
    )
    if len(tracks) == 0 or len(rows) == 0:
        return empty
    n_tracks = int(max(tracks.max(), rows.max())) + 1
    x = sp.csr_matrix(
        (np.ones(len(tracks), np.float32), (playlists, tracks)),
        shape=(int(playlists.max()) + 1, n_tracks),
    )
    xt = x.T.tocsr()
    df = np.diff(xt.indptr).astype(np.float64)
    depth = np.broadcast_to(np.asarray(n, dtype=np.int64), rows.shape)
    present = df[rows] > 0
    rows, depth = rows[present], depth[present]
    cost = xt @ np.diff(x.indptr).astype(np.float64)  # pairs generated per seed track
    chunk_of = (np.cumsum(cost[rows]) // SIMILARITY_CHUNK_PAIRS).astype(np.int64)
    cuts = np.flatnonzero(np.diff(chunk_of)) + 1
    chunks = [
        (r, d) for r, d in zip(np.split(rows, cuts), np.split(depth, cuts), strict=True) if len(r)
    ]
    parts: list[pa.Table] = []
    for chunk, chunk_depth in tqdm(
        chunks, desc="co-occurrence", unit="chunk", disable=not progress or len(chunks) < 2
    ):
        counts = (xt[chunk] @ x).tocsr()
        counts.sort_indices()  # the stable sort below then breaks ties by track index
        row_of = np.repeat(np.arange(len(chunk), dtype=np.int64), np.diff(counts.indptr))
        seed_of = chunk[row_of]
        cols = counts.indices.astype(np.int64)
        keep = cols != seed_of
        row_of, seed_of, cols = row_of[keep], seed_of[keep], cols[keep]
        n_co = counts.data[keep].astype(np.float64)
        cosine = n_co / np.sqrt(df[seed_of] * df[cols])
        # one int64 key: row, then value descending (cosine to 2^-30, counts exactly)
        value = n_co if by_count else np.round(cosine * 2**30)
        order = np.argsort(row_of * 2**31 + (2**31 - 1 - value.astype(np.int64)), kind="stable")
        per_row = np.bincount(row_of, minlength=len(chunk))
        starts = np.repeat(np.cumsum(per_row) - per_row, per_row)
        rank = np.arange(len(order)) - starts + 1
        kept = rank <= chunk_depth[row_of[order]]
        top = order[kept]
        parts.append(
            pa.table(
                {
                    "track_idx": pa.array(seed_of[top].astype(np.int32)),
                    "candidate_idx": pa.array(cols[top].astype(np.int32)),
                    "cosine": pa.array(cosine[top]),
                    "n_cooccurrences": pa.array(n_co[top].astype(np.int32)),
                    "neighbour_rank": pa.array(rank[kept].astype(np.int32)),
                }
            )
        )
    return pa.concat_tables(parts) if parts else empty


def _load(con: duckdb.DuckDBPyConnection, frame: pa.Table | pd.DataFrame, table: str) -> None:
    """Materialise a frame as a temp table (``table`` is a constant of this module)."""
    con.register("continuation_frame_in", frame)
    try:
        # table: a temp-table name constant of this module
        sql = f"create or replace temp table {table} as select * from continuation_frame_in"  # noqa: S608 - see above
        con.execute(sql)
    finally:
        con.unregister("continuation_frame_in")


# --- ours -------------------------------------------------------------------------------


def _depth(config: ContinuationConfig, n_seeds: np.ndarray) -> np.ndarray:
    """How many similar tracks each seed contributes for a playlist of n_seeds seeds."""
    per_seed = np.ceil(config.n_similar_per_playlist / np.maximum(n_seeds, 1))
    return np.minimum(config.n_similar, per_seed).astype(np.int64)


def fit_cooccurrence(
    con: duckdb.DuckDBPyConnection,
    config: ContinuationConfig,
    pool: str | None = TEST,
    progress: bool = False,
) -> int:
    """Ours' similarity for the current training tables (``continuation_similarity``):
    each seed track's most similar tracks by cosine — as many as the playlist with the
    fewest seeds using it takes (``_depth``), for the seeds of a pool's evaluation
    playlists (``pool`` None: of the current query playlists). Returns its rows.
    """
    if pool is None:
        seeds = con.execute(QUERY_SEED_TRACKS_SQL).fetchnumpy()
    else:
        seeds = con.execute(POOL_SEED_TRACKS_SQL, [pool]).fetchnumpy()
    rows = np.asarray(seeds["track_idx"], dtype=np.int64)
    depth = _depth(config, np.asarray(seeds["n_seeds"], dtype=np.int64))
    table = _top_cooccurring(con, rows, depth, False, progress)
    _load(
        con,
        table.select(["track_idx", "candidate_idx", "cosine", "neighbour_rank"]),
        "continuation_similarity",
    )
    return table.num_rows


def _ours_params(config: ContinuationConfig, n: int) -> dict[str, int]:
    return {
        "n": n,
        "n_popular": config.n_popular_candidates,
        "n_similar": config.n_similar,
        "n_similar_per_playlist": config.n_similar_per_playlist,
    }


def predict_cooccurrence(
    con: duckdb.DuckDBPyConnection, config: ContinuationConfig, n: int | None = None
) -> None:
    """Ours for every query playlist: ``continuation_ranked`` (playlist_idx, rank,
    track_idx, score) from the candidates and ``continuation_blend``; n defaults to
    ``n_predictions``; a list with fewer candidates continues by popularity."""
    n = n or config.n_predictions
    con.execute(RANK_SQL, _ours_params(config, n))
    con.execute(FILL_SQL, {"n": n})


def predict_popularity(con: duckdb.DuckDBPyConnection, n: int) -> None:
    """The most frequent training tracks that are not seeds, for every query playlist."""
    con.execute(POPULARITY_RANK_SQL, {"n": n})


@dataclass
class Blend:
    """Ours' fitted weights per seed size and how they did on the validation playlists."""

    weights: dict[int, dict[str, float]]
    report: dict[int, dict[str, float]] = field(default_factory=dict)

    def frame(self) -> pd.DataFrame:
        """One row per seed size: seed_size, w_<feature>…"""
        rows = [
            {"seed_size": k, **{f"w_{f}": float(w[f]) for f in BLEND_FEATURES}}
            for k, w in sorted(self.weights.items())
        ]
        return pd.DataFrame(
            rows, columns=["seed_size", *(f"w_{f}" for f in BLEND_FEATURES)]
        ).astype({"seed_size": "int64"})

    def params(self) -> dict[str, float]:
        """Flat weights and validation figures for ``ModelResult.params``."""
        out = {
            f"blend_k{k}_w_{f}": round(w[f], 6)
            for k, w in sorted(self.weights.items())
            for f in BLEND_FEATURES
        }
        for k, r in sorted(self.report.items()):
            out.update({f"validation_k{k}_{m}": round(v, 4) for m, v in r.items()})
        return out


def _use_blend(con: duckdb.DuckDBPyConnection, weights: dict[int, dict[str, float]]) -> None:
    _load(con, Blend(weights).frame(), "continuation_blend")


def _score(con: duckdb.DuckDBPyConnection, n: int) -> dict[str, float]:
    """SQL metrics of ``continuation_ranked`` against ``continuation_query_truth``."""
    for sql in METRIC_VIEWS_SQL:
        con.execute(sql)
    return sql_summarise(con, max_n=n, assume_clean=True)


def _fit_logistic(sample: pd.DataFrame, seed: int) -> dict[str, float]:
    """Raw-feature weights of a class-weighted logistic regression (the scaler folded in;
    a feature that does not vary gets 0)."""
    features = [f for f in BLEND_FEATURES if sample[f].std() > 0]
    weights = dict.fromkeys(BLEND_FEATURES, 0.0)
    if not features or sample["is_relevant"].nunique() < 2:
        return weights
    model = Pipeline(
        [
            ("scale", StandardScaler()),
            (
                "logistic",
                LogisticRegression(class_weight="balanced", max_iter=1000, random_state=seed),
            ),
        ]
    )
    model.fit(sample[features].to_numpy(np.float64), sample["is_relevant"].to_numpy())
    coef = model.named_steps["logistic"].coef_[0] / model.named_steps["scale"].scale_
    weights.update({f: float(c) for f, c in zip(features, coef, strict=True)})
    return weights


def fit_blend(
    con: duckdb.DuckDBPyConnection,
    config: ContinuationConfig,
    sizes: list[int],
    seed: int = 42,
    progress: bool = False,
) -> Blend:
    """The validation stage: train on MPD minus both pools, fit ours' weights per seed size
    on the validation playlists' candidates, keep them unless the fallback blend has the
    higher validation NDCG. Needs ``prepare``; leaves the validation stage's tables."""
    _train(con, config, VALIDATION)
    fit_cooccurrence(con, config, VALIDATION, progress)
    n = config.n_predictions
    weights: dict[int, dict[str, float]] = {}
    report: dict[int, dict[str, float]] = {}
    for k in sizes:
        weights[k] = dict(FALLBACK_WEIGHTS)
        if _pool_queries(con, VALIDATION, k) == 0:
            continue
        params = _ours_params(config, n)
        con.execute(CANDIDATES_SQL, params)
        n_candidates, n_relevant = con.execute(FIT_COUNTS_SQL).fetchall()[0]
        if n_relevant == 0:
            continue
        n_negative = max(n_candidates - n_relevant, 1)
        permille = min(1000, math.ceil(1000 * config.max_fit_negatives / n_negative))
        sample = _frame(con, FIT_SAMPLE_SQL, {"negative_permille": permille})
        learned = _fit_logistic(sample, seed)
        # the learned blend, the fallback, and the learned one without audio / name
        # (the last two are reported only, to show what those features add)
        candidates = {
            "learned": learned,
            "fallback": FALLBACK_WEIGHTS,
            "no_audio": {**learned, "audio": 0.0},
            "no_name": {**learned, "name": 0.0},
        }
        scores = {}
        for name, w in candidates.items():
            _use_blend(con, {k: w})
            con.execute(RERANK_SQL, {"n": n})
            con.execute(FILL_SQL, {"n": n})
            scores[name] = _score(con, n)
        best = "learned" if scores["learned"]["ndcg"] >= scores["fallback"]["ndcg"] else "fallback"
        weights[k] = dict(candidates[best])
        report[k] = {
            **{f"{m}_{name}": v[m] for name, v in scores.items() for m in ("ndcg", "r_precision")},
            "clicks_learned": scores["learned"]["clicks"],
            "clicks_fallback": scores["fallback"]["clicks"],
            "uses_learned": float(best == "learned"),
            "n_playlists": scores["learned"]["n_playlists"],
            "n_fit_rows": float(len(sample)),
        }
        if progress:
            print(
                f"  blend k={k}: "
                + ", ".join(f"{f} {weights[k][f]:.4g}" for f in BLEND_FEATURES)
                + f" ({best}; validation NDCG learned {scores['learned']['ndcg']:.3f}, "
                f"fallback {scores['fallback']['ndcg']:.3f}, learned without audio "
                f"{scores['no_audio']['ndcg']:.3f}, without name {scores['no_name']['ndcg']:.3f})",
                flush=True,
            )
    return Blend(weights, report)


# --- the source method --------------------------------------------------------------------


@dataclass
class SourceModel:
    """What the source method learns from the training playlists (track indices)."""

    neighbours: dict[int, list[int]]
    clusterer: Pipeline
    cluster_tracks: dict[int, list[int]]
    popular: list[int]


def fit_source_method(
    con: duckdb.DuckDBPyConnection, config: ContinuationConfig, seed: int, progress: bool = False
) -> SourceModel:
    """Top-n co-occurrence graph (by count) of every training track, KMeans over training
    playlist aggregates, and each cluster's track pool (its most-followed playlists)."""
    all_tracks = con.execute(
        "select track_idx from continuation_popularity order by track_idx"
    ).fetchnumpy()["track_idx"]
    edges = _top_cooccurring(
        con, np.asarray(all_tracks, dtype=np.int64), config.n_neighbours, True, progress
    )
    source = edges.column("track_idx").to_numpy()
    targets = edges.column("candidate_idx").to_numpy()
    order = np.lexsort((edges.column("neighbour_rank").to_numpy(), source))
    source, targets = source[order], targets[order]
    cuts = np.flatnonzero(np.diff(source)) + 1
    heads = source[np.r_[0, cuts]] if len(source) else []
    neighbours = {int(h): t.tolist() for h, t in zip(heads, np.split(targets, cuts), strict=True)}
    aggregates = _frame(con, TRAIN_AGGREGATES_SQL, [])
    n_clusters = min(config.n_clusters, len(aggregates))
    clusterer = Pipeline(
        [
            ("impute", SimpleImputer(strategy="mean")),
            ("scale", StandardScaler()),
            ("kmeans", KMeans(n_clusters=n_clusters, n_init=10, random_state=seed)),
        ]
    )
    aggregates["cluster"] = clusterer.fit_predict(aggregates[list(AGGREGATE_FEATURES)])
    top = (
        aggregates.assign(n_followers=aggregates["n_followers"].fillna(0))
        .sort_values(["cluster", "n_followers", "playlist_idx"], ascending=[True, False, True])
        .groupby("cluster", sort=True)
        .head(config.n_cluster_playlists)
    )
    _load(con, top[["playlist_idx", "cluster"]], "continuation_cluster_playlists")
    pooled = _frame(con, CLUSTER_TRACKS_SQL, [])
    cluster_tracks = {
        int(c): g.tolist() for c, g in pooled.groupby("cluster", sort=True)["track_idx"]
    }
    popular = [
        r[0]
        for r in con.execute(
            "select track_idx from continuation_popularity where popularity_rank <= ? "
            "order by popularity_rank",
            [config.n_predictions + max(config.seed_sizes)],
        ).fetchall()
    ]
    return SourceModel(neighbours, clusterer, cluster_tracks, popular)


def _breadth_first(seeds: list[int], neighbours: dict[int, list[int]], n: int) -> list[int]:
    """Up to n tracks reached from the seeds through each track's top neighbours, in
    breadth-first order, never a seed."""
    seen = set(seeds)
    out: list[int] = []
    queue = deque(seeds)
    while queue and len(out) < n:
        for nb in neighbours.get(queue.popleft(), ()):
            if nb not in seen:
                seen.add(nb)
                out.append(nb)
                queue.append(nb)
                if len(out) >= n:
                    break
    return out


def predict_source_method(
    con: duckdb.DuckDBPyConnection,
    model: SourceModel,
    seed_size: int,
    config: ContinuationConfig,
    seed: int,
) -> None:
    """The source write-ups' generator for every query playlist (a pool's, at one seed
    size), padded with popularity to ``n_predictions``: ``continuation_ranked``."""
    evals = _frame(con, SOURCE_QUERIES_SQL, [])
    seeds = _frame(con, QUERY_SEEDS_IN_ORDER_SQL, [seed_size])
    seeds_of = {p: g.tolist() for p, g in seeds.groupby("playlist_idx", sort=False)["track_idx"]}
    aggregates = _frame(con, SEED_AGGREGATES_SQL, []).set_index("playlist_idx")
    aggregates = aggregates.reindex(evals["playlist_idx"])[list(AGGREGATE_FEATURES)]
    clusters = model.clusterer.predict(aggregates) if len(evals) else []
    rng = np.random.default_rng([seed, seed_size])
    n = config.n_predictions
    playlist_col: list[int] = []
    track_col: list[int] = []
    rank_col: list[int] = []
    for playlist_idx, n_tracks, cluster in zip(
        evals["playlist_idx"], evals["n_tracks"], clusters, strict=True
    ):
        playlist_seeds = seeds_of.get(playlist_idx, [])
        target = min(int(n_tracks), n)
        chosen = _breadth_first(playlist_seeds, model.neighbours, target // 2)
        used = set(playlist_seeds).union(chosen)
        pool = [t for t in model.cluster_tracks.get(int(cluster), []) if t not in used]
        k = min(target - len(chosen), len(pool))
        if k > 0:
            picked = rng.choice(len(pool), size=k, replace=False)
            chosen += [pool[i] for i in picked]
            used.update(chosen)
        chosen += [t for t in model.popular if t not in used][: n - len(chosen)]
        playlist_col += [int(playlist_idx)] * len(chosen)
        track_col += chosen
        rank_col += range(1, len(chosen) + 1)
    lists = pa.table(
        {
            "playlist_idx": pa.array(playlist_col, pa.int32()),
            "rank": pa.array(rank_col, pa.int64()),
            "track_idx": pa.array(track_col, pa.int32()),
        }
    )
    _load(con, lists, "continuation_source_lists")
    con.execute(SOURCE_RANK_SQL)


# --- evaluation ---------------------------------------------------------------------------


@dataclass
class Evaluation:
    """One method at one seed size. ``predictions`` (playlist_id, rank, track_id) is read
    from the connection's temp tables on first access (the connection must be open)."""

    method: str
    seed_size: int
    metrics: dict[str, float]
    seconds: float
    predict_seconds: float = 0.0
    score_seconds: float = 0.0
    params: dict[str, float] = field(default_factory=dict)
    loader: Callable[[], pd.DataFrame] | None = field(default=None, repr=False, compare=False)
    _predictions: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def predictions(self) -> pd.DataFrame:
        """The ranked lists of this method at this seed size."""
        if self._predictions is None:
            if self.loader is None:
                raise ValueError("no predictions kept for this evaluation")
            self._predictions = self.loader()
        return self._predictions


def _loader(con: duckdb.DuckDBPyConnection, method: str, k: int) -> Callable[[], pd.DataFrame]:
    def load() -> pd.DataFrame:
        frame = _frame(con, PREDICTIONS_FRAME_SQL, {"method": method, "seed_size": k})
        return frame[["playlist_id", "rank", "track_id"]]

    return load


def _evaluate(
    con: duckdb.DuckDBPyConnection, config: ContinuationConfig, seed: int, progress: bool
) -> tuple[list[Evaluation], dict[str, float], Blend | None]:
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    sizes = prepare(con, config)
    timings["prepare_seconds"] = time.perf_counter() - t0
    skipped = sorted(set(config.seed_sizes) - set(sizes))
    if progress and skipped:
        print(f"  seed sizes {skipped} skipped: no test playlist qualifies", flush=True)
    if not sizes:
        return [], timings, None

    t0 = time.perf_counter()
    blend = fit_blend(con, config, sizes, seed, progress)
    timings["cooccurrence_blend_fit_seconds"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    _train(con, config, TEST)
    timings["popularity_fit_seconds"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    fit_cooccurrence(con, config, TEST, progress)
    _use_blend(con, blend.weights)
    timings["cooccurrence_fit_seconds"] = (
        time.perf_counter() - t0 + timings["cooccurrence_blend_fit_seconds"]
    )
    source_model = None
    if any(k > 0 for k in sizes):
        t0 = time.perf_counter()
        source_model = fit_source_method(con, config, seed, progress)
        timings["source_method_fit_seconds"] = time.perf_counter() - t0
    if progress:
        print(
            "  fitted in "
            + ", ".join(f"{k.removesuffix('_seconds')} {v:.1f}s" for k, v in timings.items()),
            flush=True,
        )

    n = config.n_predictions
    predictors: dict[str, Callable[[int], None]] = {
        OURS: lambda k: predict_cooccurrence(con, config),
        POPULARITY: lambda k: predict_popularity(con, n),
        SOURCE_METHOD: lambda k: predict_source_method(con, source_model, k, config, seed),
    }
    out: list[Evaluation] = []
    timings["queries_seconds"] = timings["append_seconds"] = 0.0
    for k in sizes:
        t0 = time.perf_counter()
        _pool_queries(con, TEST, k)
        timings["queries_seconds"] += time.perf_counter() - t0
        for method, predict in predictors.items():
            if method == SOURCE_METHOD and k == 0:
                continue  # it grows the list from a seed track: nothing to start from
            t0 = time.perf_counter()
            predict(k)
            t1 = time.perf_counter()
            metrics = _score(con, n)
            t2 = time.perf_counter()
            con.execute(APPEND_SQL, {"method": method, "seed_size": k})
            timings["append_seconds"] += time.perf_counter() - t2
            seconds = t2 - t0
            metrics["playlists_per_second"] = metrics["n_playlists"] / max(seconds, 1e-9)
            for phase, s in (("predict", t1 - t0), ("score", t2 - t1)):
                key = f"{method}_{phase}_seconds"
                timings[key] = timings.get(key, 0.0) + s
            out.append(
                Evaluation(
                    method,
                    k,
                    metrics,
                    seconds,
                    predict_seconds=t1 - t0,
                    score_seconds=t2 - t1,
                    params=blend.params() if method == OURS else {},
                    loader=_loader(con, method, k),
                )
            )
            if progress:
                print(
                    f"  {method} k={k}: {int(metrics['n_playlists'])} playlists, "
                    f"R-precision {metrics['r_precision']:.3f}, NDCG {metrics['ndcg']:.3f}, "
                    f"clicks {metrics['clicks']:.2f}; {seconds:.2f}s "
                    f"({metrics['playlists_per_second']:.0f} playlists/s)",
                    flush=True,
                )
    return out, timings, blend


def evaluate(
    con: duckdb.DuckDBPyConnection,
    config: ContinuationConfig | None = None,
    seed: int = 42,
    progress: bool = True,
) -> tuple[list[Evaluation], dict[str, float]]:
    """Fit on the training playlists, then run every method at every seed size on the test
    playlists; return the evaluations and the timings (seconds: prepare, fits, per-k query
    tables, and per method the summed predict and score time)."""
    evaluations, timings, _ = _evaluate(con, config or ContinuationConfig(), seed, progress)
    return evaluations, timings


def results_table(evaluations: list[Evaluation]) -> pd.DataFrame:
    """method × seed size × R-precision / NDCG / clicks / playlists per second."""
    rows = [
        {
            "method": e.method + (" *" if e.method in BASELINES else ""),
            "k": e.seed_size,
            **{
                m: e.metrics[m]
                for m in ("r_precision", "ndcg", "clicks", "n_playlists", "playlists_per_second")
            },
            **{
                m: e.metrics.get(m, float("nan"))
                for m in ("song_matches", "aggregate_distance", "follower_difference")
            },
        }
        for e in evaluations
    ]
    return pd.DataFrame(rows).sort_values(["k", "r_precision"], ascending=[True, False])


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


def _source_write_up_metrics(
    con: duckdb.DuckDBPyConnection, evaluations: list[Evaluation], seed: int, progress: bool
) -> list[ml_store.ModelResult]:
    """The source write-ups' own metrics (song matches, aggregate distance, follower
    difference) added to every evaluation, plus the follower regression and the KMeans
    elbow as model results (no follower regression nor follower difference when too few
    training playlists have followers). Needs ``prepare``'s temp tables, so it runs before the own
    playlists replace them."""

    if not evaluations:
        return []
    aggregates = source_metrics.training_aggregates(con)
    try:
        follower_model, follower_results = source_metrics.fit_follower_regression(
            aggregates, seed=seed
        )
    except source_metrics.TooFewPlaylists as e:  # a small MPD slice: the rest still holds
        follower_model, follower_results = None, []
        if progress:
            print(f"  follower regression: skipped ({e})", flush=True)
    for e in evaluations:
        e.metrics.update(
            source_metrics.source_metrics(con, e.predictions, e.seed_size, follower_model)
        )
    return follower_results + source_metrics.kmeans_elbow(aggregates, seed=seed, progress=progress)


N_MPD_PLAYLISTS_SQL = "select count(*) from marts.dim_playlists where playlist_source = 'mpd'"


def missing_input(con: duckdb.DuckDBPyConnection) -> str | None:
    """Why there is nothing to learn from (a phrase for the run's `skipped` line), or None:
    the method and its evaluation need MPD playlists."""
    (n_playlists,) = con.execute(N_MPD_PLAYLISTS_SQL).fetchall()[0]
    return None if n_playlists else "no playlist in mpd/"


def run(
    con: duckdb.DuckDBPyConnection,
    seed: int = 42,
    config: ContinuationConfig | None = None,
    progress: bool = True,
) -> tuple[list[ml_store.ModelResult], dict[str, pd.DataFrame], None]:
    """Evaluate every method at every seed size, then continue the user's own playlists.

    Returns ModelResults (task ``playlist_continuation:k<k>``; metrics r_precision, ndcg,
    clicks, n_playlists, playlists_per_second; ours' params hold its blend weights and
    validation figures), the score tables ``playlist_continuations`` (playlist_id,
    seed_size, rank, track_id, method) and ``own_playlist_continuations`` (playlist_id,
    rank, track_id, score, method) — ``run_id`` added by the caller — and None (nothing
    to save as an artifact: the method is a query).
    """
    config = config or ContinuationConfig()
    t0 = time.perf_counter()
    evaluations, timings, blend = _evaluate(con, config, seed, progress)
    params = {**asdict(config), **{k: round(v, 3) for k, v in timings.items()}}
    results = [
        ml_store.ModelResult(
            model_name=e.method,
            task=f"{TASK}:k{e.seed_size}",
            metrics=e.metrics,
            params={**params, **e.params, "seed": seed, "seconds": round(e.seconds, 3)},
            is_baseline=e.method in BASELINES,
        )
        for e in evaluations
    ]
    results += _source_write_up_metrics(con, evaluations, seed, progress)
    scores = {SCORE_TABLE: continuation_frame(con)}
    if blend is not None:
        scores[OWN_SCORE_TABLE] = own_playlist_continuations(con, config, blend, seed)
    if progress and evaluations:
        with pd.option_context("display.width", 160):
            print(
                results_table(evaluations).to_string(index=False, float_format=lambda v: f"{v:.3f}")
            )
        print(
            "  (* baseline; source_method needs a seed track: not run at k = 0) "
            f"{time.perf_counter() - t0:.1f}s in all",
            flush=True,
        )
    return results, scores, None


def main(argv: list[str] | None = None) -> int:
    """Print the evaluation table for a warehouse (read-only; writes nothing)."""
    parser = argparse.ArgumentParser(prog="python -m models_py.continuation")
    parser.add_argument("--warehouse", default=None, help="default: $LW_WAREHOUSE")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--max-test-playlists", type=int, default=500)
    parser.add_argument("--n-clusters", type=int, default=10)
    parser.add_argument(
        "--seed-sizes", default=None, help="comma-separated, e.g. 0,1,5 (default: all)"
    )
    args = parser.parse_args(argv)
    paths = Paths.from_env()
    if args.warehouse:
        paths = Paths(paths.raw_dir, Path(args.warehouse).resolve())
    extra = {}
    if args.seed_sizes:
        extra["seed_sizes"] = tuple(int(k) for k in args.seed_sizes.split(","))
    config = ContinuationConfig(
        max_test_playlists=args.max_test_playlists, n_clusters=args.n_clusters, **extra
    )
    with ml_store.connect(paths, read_only=True) as con:
        _, scores, _ = run(con, seed=args.seed, config=config)
    own = scores.get(OWN_SCORE_TABLE)
    if own is not None and len(own):
        print("own playlists, first 5 of each:")
        print(own[own["rank"] <= 5].to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
