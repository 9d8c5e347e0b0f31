"""Next-track recommendation: "which song should follow this one?".

For a track playing now (``prev_track_id``) recommend the 10 tracks most likely to follow,
learned from how often one track directly followed another in playlists and Last.fm
listening sessions (Spotify track ids; session-dataset transitions use another id space and
are left out). The counts are dbt models: ``marts.fct_next_track_pair_counts`` and
``marts.fct_next_track_popularity``; this module only ranks, scores and serves.

Held-out split
    A whole sequence (playlist or listening session) is held out when
    ``marts.dim_ml_splits`` puts it in ``test`` (10 %: the split every task shares, so a
    playlist tested here is tested by playlist continuation too); its ``train`` and
    ``validation`` sequences are the training data (next track selects no model). The
    marts count each scope apart: ``training`` for what the methods learn, ``test`` for
    what they are scored on, ``all`` for the served suggestions.

Methods (both return exactly ``TOP_K`` tracks per query when the training data has at
least ``TOP_K`` distinct next tracks)
    ``transitions_backoff`` (ours): the next tracks seen after p in training, by count
    (ties by track id); when p has fewer than ``TOP_K``, back off to the tracks nearest to
    p in audio features (danceability, energy, valence, acousticness, tempo_bpm and
    loudness_db min-max scaled over the catalog; Euclidean; p excluded) among the
    ``POOL_SIZE`` most frequent next tracks, then to popularity.

    ``popularity`` (baseline): the ``TOP_K`` most frequent next tracks in training.

Metrics, per test transition and averaged over them: ``hit_rate_at_10`` (the true next
track is in the top 10) and ``mrr`` (1 / its rank there, 0 when absent).

Suggestions (what is served: ``ml.next_track_suggestions``)
    ``transitions_backoff`` learned again from ALL transitions (no hold-out; the
    evaluation above is unchanged) gives the top ``TOP_K`` next tracks for EVERY track of
    ``marts.dim_spotify_tracks``, never the track itself, only catalog tracks, also for
    tracks never seen as a previous track. Tiers, in order, each row labelled with the
    ``basis`` that produced it:

    * ``transitions`` — the tracks seen after p, by count (ties by track id); ``score`` =
      their share of p's transitions, n(p → x) / n(p → any), repeats of p included in the
      denominator: the estimated P(next = x | p), in (0, 1].
    * ``audio_features`` — only for tracks with fewer than ``TOP_K`` successors and audio
      features: the nearest of the ``POOL_SIZE`` most frequent next tracks, as in the
      evaluation; ``score`` = 1 - d / sqrt(6), d the Euclidean distance of the six scaled
      features (each in [0, 1]): 1 = identical features, 0 = opposite corners.
    * ``popularity`` — fills what is still missing with the most frequent next tracks;
      ``score`` = their share of all transitions, n(any → x) / n(any → any).

    Every score is in [0, 1], higher is stronger, and within one track and basis it never
    increases with the rank; across bases the tier decides the order, not the score. The
    back-off is bounded by the pool: (tracks with < ``TOP_K`` successors) × ``POOL_SIZE``
    distances, kept by a top-k aggregate (no sort of the pairs), never catalog × catalog.

Run it alone with ``python -m models_py.next_track`` (prints the table, writes nothing).
"""

from __future__ import annotations

import logging
import time

import duckdb
import pandas as pd

from models_py import ml_store
from models_py.tasks import Task, TaskContext, TaskOutput

log = logging.getLogger("lw")

__all__ = [
    "READS",
    "BASES",
    "METHODS",
    "POOL_SIZE",
    "SCORE_TABLE",
    "TASK",
    "TOP_K",
    "metrics",
    "missing_input",
    "prepare",
    "recommend",
    "run",
    "suggest",
    "suggestions",
]

# the marts this module reads, every one public and contracted; the exposure that names
# this module lists exactly these (tests/test_exposures.py), and a run records a
# snapshot of each (ml_store.data_snapshot)
READS: tuple[str, ...] = (
    "marts.dim_spotify_tracks",
    "marts.fct_next_track_pair_counts",
    "marts.fct_next_track_popularity",
)

TASK = "next_track"
OURS, POPULARITY = "transitions_backoff", "popularity"
METHODS: tuple[str, ...] = (OURS, POPULARITY)
TOP_K = 10
POOL_SIZE = 500
SCORE_TABLE = "next_track_suggestions"
TRANSITIONS_BASIS, FEATURES_BASIS, POPULARITY_BASIS = "transitions", "audio_features", "popularity"
BASES: tuple[str, ...] = (TRANSITIONS_BASIS, FEATURES_BASIS, POPULARITY_BASIS)

# --- SQL: every identifier is a constant of this module, every value a parameter --------

PAIR_COUNTS_SQL = """
create or replace temp table nt_pair_counts as
select prev_track_id, next_track_id, n_transitions as n
from marts.fct_next_track_pair_counts
where scope = 'training'
"""

POPULARITY_SQL = """
create or replace temp table nt_popularity as
select track_id, n_arrivals as n, popularity_rank
from marts.fct_next_track_popularity
where scope = 'training'
"""

# scaled audio features of every catalog track with all six present
FEATURES_SQL = """
create or replace temp table nt_features as
with bounds as (
    select
        min(tempo_bpm) as t_min, max(tempo_bpm) as t_max,
        min(loudness_db) as l_min, max(loudness_db) as l_max
    from marts.dim_spotify_tracks
)
select
    tracks.track_id,
    tracks.danceability as f1,
    tracks.energy as f2,
    tracks.valence as f3,
    tracks.acousticness as f4,
    (tracks.tempo_bpm - bounds.t_min) / nullif(bounds.t_max - bounds.t_min, 0) as f5,
    (tracks.loudness_db - bounds.l_min) / nullif(bounds.l_max - bounds.l_min, 0) as f6
from marts.dim_spotify_tracks as tracks
cross join bounds
where
    tracks.danceability is not null and tracks.energy is not null
    and tracks.valence is not null and tracks.acousticness is not null
    and tracks.tempo_bpm is not null and tracks.loudness_db is not null
"""

QUERIES_SQL = """
create or replace temp table nt_queries as
select distinct prev_track_id from nt_test
"""

# one row per (method, query, rank 1..k)
RECS_SQL = f"""
create or replace temp table nt_recs as
with
seen as (
    select
        counts.prev_track_id,
        counts.next_track_id as track_id,
        0 as stage,
        row_number() over (
            partition by counts.prev_track_id order by counts.n desc, counts.next_track_id
        ) as stage_rank
    from nt_pair_counts as counts
    inner join nt_queries as q on counts.prev_track_id = q.prev_track_id
),
short as (
    select q.prev_track_id
    from nt_queries as q
    left join seen on q.prev_track_id = seen.prev_track_id
    group by q.prev_track_id
    having count(seen.track_id) < $k
),
pool as (
    select f.*
    from nt_popularity as pop
    inner join nt_features as f on pop.track_id = f.track_id
    where pop.popularity_rank <= $pool_size
),
neighbours as (
    select
        short.prev_track_id,
        pool.track_id,
        1 as stage,
        row_number() over (
            partition by short.prev_track_id
            order by
                (p.f1 - pool.f1) ** 2 + (p.f2 - pool.f2) ** 2 + (p.f3 - pool.f3) ** 2
                + (p.f4 - pool.f4) ** 2 + coalesce((p.f5 - pool.f5) ** 2, 0)
                + coalesce((p.f6 - pool.f6) ** 2, 0),
                pool.track_id
        ) as stage_rank
    from short
    inner join nt_features as p on short.prev_track_id = p.track_id
    cross join pool
    where pool.track_id <> short.prev_track_id
    qualify stage_rank <= $k
),
popular as (
    select short.prev_track_id, pop.track_id, 2 as stage, pop.popularity_rank as stage_rank
    from short
    cross join nt_popularity as pop
    where pop.popularity_rank <= $k
),
candidates as (
    select * from seen
    union all select * from neighbours
    union all select * from popular
),
best as (
    select prev_track_id, track_id, min((stage, stage_rank)) as key
    from candidates
    group by all
),
ours as (
    select
        prev_track_id,
        row_number() over (partition by prev_track_id order by key, track_id) as rank,
        track_id
    from best
    qualify rank <= $k
)
select '{OURS}' as method, prev_track_id, rank, track_id from ours
union all
select '{POPULARITY}' as method, q.prev_track_id, pop.popularity_rank as rank, pop.track_id
from nt_queries as q
cross join nt_popularity as pop
where pop.popularity_rank <= $k
"""  # noqa: S608 - only this module's name constants are formatted in; values are $parameters

# the held-out transitions as distinct pairs with their counts (a pair seen n times is n
# test transitions)
TEST_SQL = """
create or replace temp table nt_test as
select prev_track_id, next_track_id, n_transitions as n
from marts.fct_next_track_pair_counts
where scope = 'test'
"""

# per method and rank (null = not in the top k): how many test transitions. The means are
# taken in Python in rank order, so that they do not depend on DuckDB's summation order.
METRICS_SQL = """
with methods as (select distinct method from nt_recs),
scored as (
    select
        methods.method,
        t.n,
        min(recs.rank) filter (where recs.rank <= $k) as rank
    from nt_test as t
    cross join methods
    left join nt_recs as recs
        on recs.method = methods.method
        and recs.prev_track_id = t.prev_track_id
        and recs.track_id = t.next_track_id
    group by methods.method, t.prev_track_id, t.next_track_id, t.n
)
select method, rank, sum(n) as n
from scored
group by all
order by method, rank nulls last
"""


# --- suggestions: the same method trained on every transition, for every catalog track --

ALL_PAIR_COUNTS_SQL = """
create or replace temp table nt_all_pair_counts as
select prev_track_id, next_track_id, n_transitions as n
from marts.fct_next_track_pair_counts
where scope = 'all'
"""

# every catalog track with how often it came next (0 if never) and its share of all
# transitions; ranked by that count, ties by track id
ALL_POPULARITY_SQL = """
create or replace temp table nt_all_popularity as
with arrivals as (
    select track_id, n_arrivals as n, share_of_arrivals as share
    from marts.fct_next_track_popularity
    where scope = 'all'
)
select
    tracks.track_id,
    coalesce(arrivals.n, 0) as n,
    coalesce(arrivals.share, 0) as share,
    row_number() over (order by coalesce(arrivals.n, 0) desc, tracks.track_id) as popularity_rank
from marts.dim_spotify_tracks as tracks
left join arrivals on tracks.track_id = arrivals.track_id
"""

# the six scaled features as one fixed-size array (a feature constant over the catalog,
# null after scaling, counts 0 as in the evaluation): array_distance is ~3x cheaper than
# the same distance spelled out column by column
FEATURE_VECTORS_SQL = """
create or replace temp table nt_feature_vectors as
select
    track_id,
    [f1, f2, f3, f4, coalesce(f5, 0), coalesce(f6, 0)]::double[6] as features
from nt_features
"""

# one row per (catalog track, rank 1..k): tier 0 transitions, 1 audio features,
# 2 popularity; a next track met in several tiers keeps its first
SUGGESTIONS_SQL = f"""
create or replace temp table nt_suggestions as
with
catalog as (
    select track_id from nt_all_popularity
),
n_outgoing as (
    select prev_track_id, sum(n) as n
    from nt_all_pair_counts
    group by prev_track_id
),
seen as (
    select
        counts.prev_track_id as track_id,
        counts.next_track_id,
        0 as tier,
        row_number() over (
            partition by counts.prev_track_id order by counts.n desc, counts.next_track_id
        ) as tier_rank,
        counts.n
    from nt_all_pair_counts as counts
    semi join catalog as prev on counts.prev_track_id = prev.track_id
    semi join catalog as nxt on counts.next_track_id = nxt.track_id
    where counts.prev_track_id <> counts.next_track_id
    qualify tier_rank <= $k
),
seen_scored as (
    select
        seen.track_id,
        seen.next_track_id,
        seen.tier,
        seen.tier_rank,
        seen.n / n_outgoing.n as score
    from seen
    inner join n_outgoing on seen.track_id = n_outgoing.prev_track_id
),
short as (
    select catalog.track_id
    from catalog
    left join seen on catalog.track_id = seen.track_id
    group by catalog.track_id
    having count(seen.next_track_id) < $k
),
pool as (
    select vectors.*
    from nt_all_popularity as pop
    inner join nt_feature_vectors as vectors on pop.track_id = vectors.track_id
    where pop.popularity_rank <= $pool_size and pop.n > 0
),
distances as (
    -- bounded by the pool: (tracks with < k successors) x pool_size, never catalog^2
    select
        short.track_id,
        pool.track_id as next_track_id,
        array_distance(p.features, pool.features) as distance
    from short
    inner join nt_feature_vectors as p on short.track_id = p.track_id
    cross join pool
    where pool.track_id <> short.track_id
),
nearest as (
    -- a top-k aggregate per track (ties by track id): no sort of the distances
    select
        track_id,
        min(struct_pack(distance, next_track_id), $k) as nearest_k
    from distances
    group by track_id
),
neighbours as (
    select
        track_id,
        unnest(nearest_k).next_track_id as next_track_id,
        1 as tier,
        generate_subscripts(nearest_k, 1) as tier_rank,
        1 - unnest(nearest_k).distance / sqrt(6) as score
    from nearest
),
popular as (
    select
        short.track_id,
        pop.track_id as next_track_id,
        2 as tier,
        pop.popularity_rank as tier_rank,
        pop.share as score
    from short
    cross join nt_all_popularity as pop
    where pop.popularity_rank <= $k + 1 and pop.track_id <> short.track_id
),
candidates as (
    select * from seen_scored
    union all select * from neighbours
    union all select * from popular
),
best as (
    select
        track_id,
        next_track_id,
        min(struct_pack(tier, tier_rank)) as tier_key,
        arg_min(score, struct_pack(tier, tier_rank)) as score
    from candidates
    group by track_id, next_track_id
)
select
    track_id,
    row_number() over (partition by track_id order by tier_key, next_track_id) as rank,
    next_track_id,
    score,
    ['{TRANSITIONS_BASIS}', '{FEATURES_BASIS}', '{POPULARITY_BASIS}'][tier_key.tier + 1] as basis,
    '{OURS}' as method
from best
qualify rank <= $k
"""  # noqa: S608 - only this module's name constants are formatted in; values are $parameters

SUGGESTIONS_OUT_SQL = """
select track_id, rank, next_track_id, score, basis, method
from nt_suggestions
order by track_id, rank
"""


N_TRANSITIONS_SQL = """
select
    coalesce(sum(n_transitions) filter (where scope = 'training'), 0),
    coalesce(sum(n_transitions) filter (where scope = 'test'), 0)
from marts.fct_next_track_pair_counts
"""


def missing_input(con: duckdb.DuckDBPyConnection) -> str | None:
    """Why there is nothing to learn from (a phrase for the run's `skipped` line), or None:
    the methods learn from playlist and scrobble transitions."""
    (n_train, n_test), *_ = con.execute(N_TRANSITIONS_SQL).fetchall()
    if n_train + n_test:
        return None
    return "no playlist transitions and no scrobbles matched to Spotify"


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Training and test tables from the marts (temp tables: works on a read-only
    connection)."""
    for sql in (PAIR_COUNTS_SQL, POPULARITY_SQL, FEATURES_SQL, TEST_SQL, QUERIES_SQL):
        con.execute(sql)


def recommend(con: duckdb.DuckDBPyConnection, k: int = TOP_K, pool_size: int = POOL_SIZE) -> None:
    """Top-k lists of both methods for every query in ``nt_queries`` into ``nt_recs``."""
    con.execute(RECS_SQL, {"k": k, "pool_size": pool_size})


def suggest(con: duckdb.DuckDBPyConnection, k: int = TOP_K, pool_size: int = POOL_SIZE) -> None:
    """Top-k next tracks of ``transitions_backoff`` trained on every transition, for every
    catalog track, into ``nt_suggestions`` (needs ``prepare``; temp tables only)."""
    for sql in (ALL_PAIR_COUNTS_SQL, ALL_POPULARITY_SQL, FEATURE_VECTORS_SQL):
        con.execute(sql)
    con.execute(SUGGESTIONS_SQL, {"k": k, "pool_size": pool_size})


def suggestions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """``nt_suggestions`` as the ``next_track_suggestions`` score table (without run_id)."""
    return con.sql(SUGGESTIONS_OUT_SQL).to_arrow_table().to_pandas()


def metrics(con: duckdb.DuckDBPyConnection, k: int = TOP_K) -> dict[str, dict[str, float]]:
    """hit_rate_at_10, mrr and n_test_transitions per method, from ``nt_test`` and ``nt_recs``
    (recs: method, prev_track_id, rank, track_id; a test pair seen n times weighs n)."""
    counts: dict[str, dict[int | None, int]] = {}
    for method, rank, n in con.execute(METRICS_SQL, {"k": k}).fetchall():
        counts.setdefault(method, {})[rank] = int(n)
    out = {}
    for method, by_rank in counts.items():
        total = sum(by_rank.values())
        hits = sum(n for rank, n in by_rank.items() if rank is not None)
        rr = sum(n / rank for rank, n in sorted(by_rank.items(), key=lambda kv: kv[0] or 0) if rank)
        out[method] = {
            "hit_rate_at_10": hits / total,
            "mrr": rr / total,
            "n_test_transitions": total,
        }
    return out


def run(
    con: duckdb.DuckDBPyConnection, seed: int = 42, progress: bool = True
) -> tuple[list[ml_store.ModelResult], dict[str, pd.DataFrame], None]:
    """Evaluate both methods on the held-out transitions, then suggest for the catalog.

    ``seed`` is recorded only: the split is a hash and the methods are deterministic.
    Returns the ModelResults (task ``next_track``; none when there is no train or no test
    transition), the score dict ``{"next_track_suggestions": frame}`` (every catalog track
    × rank, without run_id; empty dict when there are no transitions at all) and None.
    """
    t0 = time.perf_counter()
    prepare(con)
    n_train, n_test = (int(n) for n in con.execute(N_TRANSITIONS_SQL).fetchall()[0])
    if n_test + n_train == 0:
        if progress:
            log.info("%s", "  no transitions: skipped")
        return [], {}, None
    results: list[ml_store.ModelResult] = []
    if n_test == 0 or n_train == 0:
        if progress:
            log.info("%s", "  no held-out or no training transitions: evaluation skipped")
    else:
        recommend(con)
        by_method = metrics(con)
        params = {
            "k": TOP_K,
            "pool_size": POOL_SIZE,
            "test_split": "dim_ml_splits.split = 'test'",
            "n_train_transitions": int(n_train),
            "seed": seed,
            "seconds": round(time.perf_counter() - t0, 3),
        }
        results = [
            ml_store.ModelResult(
                model_name=method,
                task=TASK,
                metrics=by_method[method],
                params=params,
                is_baseline=method == POPULARITY,
            )
            for method in METHODS
        ]
        if progress:
            for r in results:
                m = r.metrics
                star = " *" if r.is_baseline else ""
                log.info(
                    "%s",
                    f"  {r.model_name + star:<22} hit@10={m['hit_rate_at_10']:.3f} "
                    f"mrr={m['mrr']:.3f} n={m['n_test_transitions']}",
                )
            log.info("%s", f"  (* baseline) evaluated in {params['seconds']:.1f}s")
    t1 = time.perf_counter()
    suggest(con)
    frame = suggestions(con)
    if progress:
        n_tracks = frame["track_id"].nunique()
        log.info(
            "%s",
            f"  {len(frame)} suggestions for {n_tracks} catalog tracks, trained on "
            f"{n_test + n_train} transitions, in {time.perf_counter() - t1:.1f}s",
        )
    return results, {SCORE_TABLE: frame}, None


def run_task(ctx: TaskContext) -> TaskOutput:
    """Next track as a task of `models_py.train` (nothing to save: the methods are queries)."""
    return TaskOutput(*run(ctx.con, seed=ctx.seed, progress=ctx.progress))


MODEL_TASK = Task(
    name="next-track",
    title="next track",
    reads=READS,
    missing_input=missing_input,
    run=run_task,
)
