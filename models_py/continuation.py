"""RecSys Challenge 2018 playlist continuation on the marts, evaluated the challenge's way.

Given the first k tracks of a playlist (the seeds), predict 500 further tracks, none of
them a seed; score R-precision, NDCG and clicks (``recsys_metrics``) against the
playlist's other tracks.

Held-out split
    MPD playlists (``playlist_source = 'mpd'``) go to the test pool when
    ``md5_number(playlist_id) % 1000 < 1000 · test_share`` — deterministic, independent of
    the data's order and of other playlists. For every seed size k in ``seed_sizes`` the
    evaluation playlists are the test-pool playlists with at least one track beyond the
    seeds, at most ``max_test_playlists`` of them (in hash order); a k no test playlist is
    long enough for is skipped. Seeds = the distinct tracks at positions 1..k; ground truth =
    the distinct tracks after position k that are not seeds.

No leakage
    Everything the predictors learn from — co-occurrence, popularity, playlist clusters —
    comes from the training playlists only (MPD minus the WHOLE test pool), computed here
    in SQL from ``marts.fct_playlist_tracks``; ``marts.fct_similar_tracks`` is not used
    because it counts the test playlists too.

Methods (all of them return exactly ``n_predictions`` tracks per playlist when the
training catalog is large enough, so the metrics compare like with like)
    ``cooccurrence`` (ours): score(candidate) = Σ over the seeds of the cosine
    co-occurrence count / sqrt(n_seed · n_candidate) over training playlists, plus
    ``popularity_weight`` × the candidate's share of training playlists (a back-off that
    breaks ties and fills the list up to 500); seeds excluded; ties broken by track id.
    One set-based query per seed size scores every evaluation playlist at once.

    ``popularity`` (baseline): the tracks in most training playlists, seeds excluded.

    ``source_method`` (baseline, the source write-ups' generator, reproduced): half of the
    target length (the playlist's true length) by breadth-first search from the seeds over
    each track's 10 most co-occurring tracks; the other half drawn at random (fixed seed)
    from the tracks of the 5 most-followed training playlists of the KMeans cluster (fitted
    on the ``mean_*`` aggregates of ``marts.dim_playlists`` of training playlists) nearest
    to the seeds' aggregate vector. The source stops at the target length; here the list
    is padded with the popularity ranking to 500 so that the metrics compare like with
    like — the padding only helps it. Python per playlist; its slowness is part of the
    comparison.

Run it alone with ``python -m models_py.continuation`` (prints the table, writes nothing).
"""

from __future__ import annotations

import argparse
import time
from collections import deque
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from models_py import ml_store
from models_py.recsys_metrics import playlist_metrics, summarise
from models_py.warehouse import Paths

__all__ = [
    "METHODS",
    "SCORE_TABLE",
    "ContinuationConfig",
    "Evaluation",
    "evaluate",
    "prepare",
    "fit_cooccurrence",
    "fit_source_method",
    "predict_cooccurrence",
    "predict_popularity",
    "predict_source_method",
    "run",
]

TASK = "playlist_continuation"
SCORE_TABLE = "playlist_continuations"
OURS, POPULARITY, SOURCE_METHOD = "cooccurrence", "popularity", "source_method"
METHODS: tuple[str, ...] = (OURS, POPULARITY, SOURCE_METHOD)
BASELINES = frozenset({POPULARITY, SOURCE_METHOD})
KEYS = ["playlist_id", "seed_size"]

# the playlist aggregate vector: dim_playlists column -> dim_spotify_tracks column
AGGREGATE_FEATURES: dict[str, str] = {
    "mean_danceability": "danceability",
    "mean_energy": "energy",
    "mean_speechiness": "speechiness",
    "mean_acousticness": "acousticness",
    "mean_instrumentalness": "instrumentalness",
    "mean_liveness": "liveness",
    "mean_valence": "valence",
    "mean_duration_ms": "duration_ms",
}


@dataclass(frozen=True)
class ContinuationConfig:
    """Split, evaluation and method settings (the defaults suit the demo data)."""

    test_share: float = 0.10
    seed_sizes: tuple[int, ...] = (1, 5, 10, 25, 100)
    max_test_playlists: int = 500
    n_predictions: int = 500
    popularity_weight: float = 0.01
    n_neighbours: int = 10
    n_clusters: int = 10
    n_cluster_playlists: int = 5

    def __post_init__(self) -> None:
        if not 0 < self.test_share < 1:
            raise ValueError("test_share must be in (0, 1)")
        if not self.seed_sizes or min(self.seed_sizes) < 1:
            raise ValueError("seed sizes must be positive")


# --- SQL: every identifier is a constant of this module, every value a parameter --------

SPLIT_SQL = """
create or replace temp table continuation_split as
select
    playlist_id,
    md5_number(playlist_id) as split_hash,
    md5_number(playlist_id) % 1000 < ? as is_test
from marts.dim_playlists
where playlist_source = 'mpd'
"""

ENTRIES_SQL = """
create or replace temp table continuation_entries as
select
    tracks.playlist_id,
    tracks.playlist_position,
    tracks.track_id,
    split.is_test
from marts.fct_playlist_tracks as tracks
inner join continuation_split as split
    on tracks.playlist_id = split.playlist_id
where tracks.playlist_source = 'mpd'
"""

# distinct (playlist, track) of the training playlists: the only input of every predictor
TRAIN_SQL = """
create or replace temp table continuation_train as
select distinct
    playlist_id,
    track_id
from continuation_entries
where not is_test
"""

POPULARITY_SQL = """
create or replace temp table continuation_popularity as
select
    track_id,
    count(*) as n_playlists,
    count(*) / (select count(distinct playlist_id) from continuation_train) as share_playlists,
    row_number() over (order by count(*) desc, track_id asc) as popularity_rank
from continuation_train
group by track_id
"""

SEEDS_SQL = """
create or replace temp table continuation_seeds as
with sizes as (
    select unnest(cast(? as bigint[])) as seed_size
)
select
    entries.playlist_id,
    sizes.seed_size,
    entries.track_id,
    min(entries.playlist_position) as seed_position
from continuation_entries as entries
inner join sizes
    on entries.playlist_position <= sizes.seed_size
where entries.is_test
group by all
"""

TRUTH_SQL = """
create or replace temp table continuation_truth_all as
with sizes as (
    select unnest(cast(? as bigint[])) as seed_size
)
select distinct
    entries.playlist_id,
    sizes.seed_size,
    entries.track_id
from continuation_entries as entries
inner join sizes
    on entries.playlist_position > sizes.seed_size
where
    entries.is_test
    and not exists (
        select 1
        from continuation_seeds as seeds
        where
            seeds.playlist_id = entries.playlist_id
            and seeds.seed_size = sizes.seed_size
            and seeds.track_id = entries.track_id
    )
"""

EVAL_SQL = """
create or replace temp table continuation_eval as
with candidates as (
    select distinct
        playlist_id,
        seed_size
    from continuation_truth_all
),

n_tracks as (
    select
        playlist_id,
        count(*) as n_tracks
    from continuation_entries
    where is_test
    group by playlist_id
)

select
    candidates.playlist_id,
    candidates.seed_size,
    n_tracks.n_tracks,
    row_number() over (
        partition by candidates.seed_size
        order by split.split_hash, candidates.playlist_id
    ) as eval_rank
from candidates
inner join continuation_split as split
    on candidates.playlist_id = split.playlist_id
inner join n_tracks
    on candidates.playlist_id = n_tracks.playlist_id
qualify eval_rank <= ?
"""

TRUTH_FOR_SQL = """
select
    truth.playlist_id,
    truth.seed_size,
    truth.track_id
from continuation_truth_all as truth
inner join continuation_eval as eval
    on truth.playlist_id = eval.playlist_id and truth.seed_size = eval.seed_size
where truth.seed_size = ?
"""

# ours, fit: cosine co-occurrence over the training playlists of every track that is a seed
# of an evaluation playlist, with every track it shares a training playlist with
SIMILARITY_SQL = """
create or replace temp table continuation_similarity as
with seed_tracks as (
    select distinct seeds.track_id
    from continuation_seeds as seeds
    inner join continuation_eval as eval
        on seeds.playlist_id = eval.playlist_id and seeds.seed_size = eval.seed_size
),

seed_entries as (
    select train.*
    from continuation_train as train
    inner join seed_tracks on train.track_id = seed_tracks.track_id
),

pairs as (
    select
        a.track_id,
        b.track_id as candidate_id,
        count(*) as n_cooccurrences
    from seed_entries as a
    inner join continuation_train as b
        on a.playlist_id = b.playlist_id and a.track_id <> b.track_id
    group by all
)

select
    pairs.track_id,
    pairs.candidate_id,
    pairs.n_cooccurrences / sqrt(pa.n_playlists * pb.n_playlists) as cosine
from pairs
inner join continuation_popularity as pa on pairs.track_id = pa.track_id
inner join continuation_popularity as pb on pairs.candidate_id = pb.track_id
"""

# ours, predict: one query scores every evaluation playlist of a seed size
COOCCURRENCE_SQL = """
with seeds as (
    select
        seeds.playlist_id,
        seeds.track_id
    from continuation_seeds as seeds
    inner join continuation_eval as eval
        on seeds.playlist_id = eval.playlist_id and seeds.seed_size = eval.seed_size
    where seeds.seed_size = $seed_size
),

similarity as (
    select * from continuation_similarity
),

cooccurrence_scores as (
    select
        seeds.playlist_id,
        similarity.candidate_id as track_id,
        sum(similarity.cosine) as score
    from seeds
    inner join similarity on seeds.track_id = similarity.track_id
    group by all
),

backoff as (
    select
        eval.playlist_id,
        popularity.track_id,
        0.0 as score
    from continuation_eval as eval
    inner join continuation_popularity as popularity
        on popularity.popularity_rank <= $n_predictions + eval.seed_size
    where eval.seed_size = $seed_size
),

candidates as (
    select
        playlist_id,
        track_id,
        sum(score) as score
    from (
        select * from cooccurrence_scores
        union all
        select * from backoff
    )
    group by all
),

scored as (
    select
        candidates.playlist_id,
        candidates.track_id,
        -- rounded: a parallel sum's last bits vary between runs, and must not reorder ties
        round(candidates.score + $popularity_weight * popularity.share_playlists, 9) as score
    from candidates
    inner join continuation_popularity as popularity
        on candidates.track_id = popularity.track_id
    where not exists (
        select 1
        from seeds
        where seeds.playlist_id = candidates.playlist_id and seeds.track_id = candidates.track_id
    )
)

select
    playlist_id,
    row_number() over (partition by playlist_id order by score desc, track_id asc) as rank,
    track_id
from scored
qualify rank <= $n_predictions
order by playlist_id, rank
"""

POPULARITY_PREDICT_SQL = """
select
    eval.playlist_id,
    row_number() over (
        partition by eval.playlist_id order by popularity.popularity_rank
    ) as rank,
    popularity.track_id
from continuation_eval as eval
inner join continuation_popularity as popularity
    on popularity.popularity_rank <= $n_predictions + eval.seed_size
where
    eval.seed_size = $seed_size
    and not exists (
        select 1
        from continuation_seeds as seeds
        where
            seeds.playlist_id = eval.playlist_id
            and seeds.seed_size = eval.seed_size
            and seeds.track_id = popularity.track_id
    )
qualify rank <= $n_predictions
order by playlist_id, rank
"""

# the source method's graph: each training track's n most co-occurring tracks (by count)
NEIGHBOURS_SQL = """
with pairs as (
    select
        a.track_id,
        b.track_id as neighbour_id,
        count(*) as n_cooccurrences
    from continuation_train as a
    inner join continuation_train as b
        on a.playlist_id = b.playlist_id and a.track_id <> b.track_id
    group by all
)

select
    track_id,
    neighbour_id,
    row_number() over (
        partition by track_id order by n_cooccurrences desc, neighbour_id asc
    ) as neighbour_rank
from pairs
qualify neighbour_rank <= ?
order by track_id, neighbour_rank
"""

TRAIN_AGGREGATES_SQL = f"""
select
    playlists.playlist_id,
    playlists.n_followers,
    {", ".join(f"playlists.{c}" for c in AGGREGATE_FEATURES)}
from marts.dim_playlists as playlists
inner join continuation_split as split
    on playlists.playlist_id = split.playlist_id
where not split.is_test
order by playlists.playlist_id
"""  # noqa: S608 - identifiers from AGGREGATE_FEATURES

SEED_AGGREGATES_SQL = f"""
select
    seeds.playlist_id,
    {", ".join(f"avg(tracks.{t}) as {c}" for c, t in AGGREGATE_FEATURES.items())}
from continuation_seeds as seeds
inner join continuation_eval as eval
    on seeds.playlist_id = eval.playlist_id and seeds.seed_size = eval.seed_size
left join marts.dim_spotify_tracks as tracks
    on seeds.track_id = tracks.track_id
where seeds.seed_size = ?
group by seeds.playlist_id
"""  # noqa: S608 - identifiers from AGGREGATE_FEATURES

SEEDS_FOR_SQL = """
select
    seeds.playlist_id,
    seeds.track_id
from continuation_seeds as seeds
inner join continuation_eval as eval
    on seeds.playlist_id = eval.playlist_id and seeds.seed_size = eval.seed_size
where seeds.seed_size = ?
order by eval.eval_rank, seeds.seed_position
"""


# --- preparation ------------------------------------------------------------------------


def prepare(con: duckdb.DuckDBPyConnection, config: ContinuationConfig) -> list[int]:
    """Build the split, training and evaluation temp tables; return the seed sizes to run.

    Works on a read-only connection (temp tables only). A seed size no test playlist is
    long enough for is left out.
    """
    permille = round(config.test_share * 1000)
    sizes = sorted(set(config.seed_sizes))
    con.execute(SPLIT_SQL, [permille])
    for sql in (ENTRIES_SQL, TRAIN_SQL, POPULARITY_SQL):
        con.execute(sql)
    con.execute(SEEDS_SQL, [sizes])
    con.execute(TRUTH_SQL, [sizes])
    con.execute(EVAL_SQL, [config.max_test_playlists])
    present = {
        k for (k,) in con.execute("select distinct seed_size from continuation_eval").fetchall()
    }
    return [k for k in sizes if k in present]


def test_playlist_ids(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The test pool of the last ``prepare`` (every playlist kept out of training)."""
    rows = con.execute("select playlist_id from continuation_split where is_test").fetchall()
    return {r[0] for r in rows}


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params) -> pd.DataFrame:
    return con.sql(sql, params=params).to_arrow_table().to_pandas()


# --- predictors ---------------------------------------------------------------------------


def fit_cooccurrence(con: duckdb.DuckDBPyConnection) -> None:
    """Ours: the training co-occurrence of every evaluation seed track (a temp table)."""
    con.execute(SIMILARITY_SQL)


def predict_cooccurrence(
    con: duckdb.DuckDBPyConnection, seed_size: int, config: ContinuationConfig
) -> pd.DataFrame:
    """Ours, for every evaluation playlist of a seed size: (playlist_id, rank, track_id)."""
    return _frame(
        con,
        COOCCURRENCE_SQL,
        {
            "seed_size": seed_size,
            "n_predictions": config.n_predictions,
            "popularity_weight": config.popularity_weight,
        },
    )


def predict_popularity(
    con: duckdb.DuckDBPyConnection, seed_size: int, config: ContinuationConfig
) -> pd.DataFrame:
    """The most frequent training tracks that are not seeds: (playlist_id, rank, track_id)."""
    return _frame(
        con, POPULARITY_PREDICT_SQL, {"seed_size": seed_size, "n_predictions": config.n_predictions}
    )


@dataclass
class SourceModel:
    """What the source method learns from the training playlists."""

    neighbours: dict[str, list[str]]
    clusterer: Pipeline
    cluster_tracks: dict[int, list[str]]
    popular: list[str]


def fit_source_method(
    con: duckdb.DuckDBPyConnection, config: ContinuationConfig, seed: int
) -> SourceModel:
    """Top-n co-occurrence graph, KMeans over training playlist aggregates, and each
    cluster's track pool (the tracks of its most-followed playlists)."""
    edges = _frame(con, NEIGHBOURS_SQL, [config.n_neighbours])
    neighbours = {
        track: list(group) for track, group in edges.groupby("track_id", sort=False)["neighbour_id"]
    }
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
        .sort_values(["cluster", "n_followers", "playlist_id"], ascending=[True, False, True])
        .groupby("cluster", sort=True)
        .head(config.n_cluster_playlists)
    )
    train = _frame(con, "select playlist_id, track_id from continuation_train", [])
    pooled = train.merge(top[["playlist_id", "cluster"]], on="playlist_id")
    cluster_tracks = {
        int(c): sorted(set(g)) for c, g in pooled.groupby("cluster", sort=True)["track_id"]
    }
    popular = [
        r[0]
        for r in con.execute(
            "select track_id from continuation_popularity where popularity_rank <= ? "
            "order by popularity_rank",
            [config.n_predictions + max(config.seed_sizes)],
        ).fetchall()
    ]
    return SourceModel(neighbours, clusterer, cluster_tracks, popular)


def _breadth_first(seeds: list[str], neighbours: dict[str, list[str]], n: int) -> list[str]:
    """Up to n tracks reached from the seeds through each track's top neighbours, in
    breadth-first order, never a seed."""
    seen = set(seeds)
    out: list[str] = []
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
) -> pd.DataFrame:
    """The source write-ups' generator, padded with popularity to ``n_predictions``."""
    evals = _frame(
        con,
        "select playlist_id, n_tracks from continuation_eval where seed_size = ? "
        "order by eval_rank",
        [seed_size],
    )
    seeds = _frame(con, SEEDS_FOR_SQL, [seed_size])
    seeds_of = {p: list(g) for p, g in seeds.groupby("playlist_id", sort=False)["track_id"]}
    aggregates = _frame(con, SEED_AGGREGATES_SQL, [seed_size]).set_index("playlist_id")
    aggregates = aggregates.reindex(evals["playlist_id"])[list(AGGREGATE_FEATURES)]
    clusters = model.clusterer.predict(aggregates)
    rng = np.random.default_rng([seed, seed_size])
    n = config.n_predictions
    playlist_col: list[str] = []
    track_col: list[str] = []
    for playlist_id, n_tracks, cluster in zip(
        evals["playlist_id"], evals["n_tracks"], clusters, strict=True
    ):
        playlist_seeds = seeds_of[playlist_id]
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
        playlist_col += [playlist_id] * len(chosen)
        track_col += chosen
    frame = pd.DataFrame({"playlist_id": playlist_col, "track_id": track_col})
    frame.insert(1, "rank", frame.groupby("playlist_id", sort=False).cumcount() + 1)
    return frame.sort_values(["playlist_id", "rank"], ignore_index=True)


# --- evaluation ---------------------------------------------------------------------------


@dataclass
class Evaluation:
    """One method at one seed size."""

    method: str
    seed_size: int
    metrics: dict[str, float]
    predictions: pd.DataFrame
    seconds: float


def evaluate(
    con: duckdb.DuckDBPyConnection,
    config: ContinuationConfig | None = None,
    seed: int = 42,
    progress: bool = True,
) -> tuple[list[Evaluation], dict[str, float]]:
    """Run every method at every seed size; return the evaluations and fit timings."""
    config = config or ContinuationConfig()
    t0 = time.perf_counter()
    sizes = prepare(con, config)
    timings = {"prepare_seconds": time.perf_counter() - t0}
    skipped = sorted(set(config.seed_sizes) - set(sizes))
    if progress and skipped:
        print(f"  seed sizes {skipped} skipped: no test playlist is longer", flush=True)
    if not sizes:
        return [], timings
    t0 = time.perf_counter()
    fit_cooccurrence(con)
    timings["cooccurrence_fit_seconds"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    source_model = fit_source_method(con, config, seed)
    timings["source_method_fit_seconds"] = time.perf_counter() - t0
    if progress:
        print(
            f"  prepared in {timings['prepare_seconds']:.1f}s; fitted cooccurrence in "
            f"{timings['cooccurrence_fit_seconds']:.1f}s, source_method in "
            f"{timings['source_method_fit_seconds']:.1f}s",
            flush=True,
        )

    predictors = {
        OURS: lambda k: predict_cooccurrence(con, k, config),
        POPULARITY: lambda k: predict_popularity(con, k, config),
        SOURCE_METHOD: lambda k: predict_source_method(con, source_model, k, config, seed),
    }
    out: list[Evaluation] = []
    for k in sizes:
        truth = _frame(con, TRUTH_FOR_SQL, [k])
        for method, predict in predictors.items():
            t1 = time.perf_counter()
            predictions = predict(k)
            seconds = time.perf_counter() - t1
            scored = playlist_metrics(predictions.assign(seed_size=k), truth, key=KEYS)
            metrics = summarise(scored)
            metrics["playlists_per_second"] = metrics["n_playlists"] / max(seconds, 1e-9)
            out.append(Evaluation(method, k, metrics, predictions, seconds))
            if progress:
                print(
                    f"  {method} k={k}: {int(metrics['n_playlists'])} playlists, "
                    f"R-precision {metrics['r_precision']:.3f}, NDCG {metrics['ndcg']:.3f}, "
                    f"clicks {metrics['clicks']:.2f}; {seconds:.2f}s "
                    f"({metrics['playlists_per_second']:.0f} playlists/s)",
                    flush=True,
                )
    return out, timings


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
        }
        for e in evaluations
    ]
    return pd.DataFrame(rows).sort_values(["k", "r_precision"], ascending=[True, False])


def continuation_frame(evaluations: list[Evaluation]) -> pd.DataFrame:
    """The ``playlist_continuations`` score table (categorical strings keep it small)."""
    columns = ["playlist_id", "seed_size", "rank", "track_id", "method"]
    if not evaluations:
        return pd.DataFrame(columns=columns)
    frame = pd.concat(
        [e.predictions.assign(seed_size=e.seed_size, method=e.method) for e in evaluations],
        ignore_index=True,
    )[columns]
    for c in ("playlist_id", "track_id", "method"):
        frame[c] = frame[c].astype("category")
    frame["seed_size"] = frame["seed_size"].astype("int32")
    frame["rank"] = frame["rank"].astype("int32")
    return frame


def run(
    con: duckdb.DuckDBPyConnection,
    seed: int = 42,
    config: ContinuationConfig | None = None,
    progress: bool = True,
) -> tuple[list[ml_store.ModelResult], dict[str, pd.DataFrame], None]:
    """Evaluate every method at every seed size.

    Returns ModelResults (task ``playlist_continuation:k<k>``; metrics r_precision, ndcg,
    clicks, n_playlists, playlists_per_second), the ``playlist_continuations`` score table
    (playlist_id, seed_size, rank, track_id, method; ``run_id`` added by the caller) and
    None (nothing to save as an artifact: the method is a query).
    """
    config = config or ContinuationConfig()
    t0 = time.perf_counter()
    evaluations, timings = evaluate(con, config, seed=seed, progress=progress)
    params = {**asdict(config), **{k: round(v, 3) for k, v in timings.items()}}
    results = [
        ml_store.ModelResult(
            model_name=e.method,
            task=f"{TASK}:k{e.seed_size}",
            metrics=e.metrics,
            params={**params, "seed": seed, "seconds": round(e.seconds, 3)},
            is_baseline=e.method in BASELINES,
        )
        for e in evaluations
    ]
    if progress and evaluations:
        with pd.option_context("display.width", 160):
            print(
                results_table(evaluations).to_string(index=False, float_format=lambda v: f"{v:.3f}")
            )
        print(f"  (* baseline) {time.perf_counter() - t0:.1f}s in all", flush=True)
    return results, {SCORE_TABLE: continuation_frame(evaluations)}, None


def main(argv: list[str] | None = None) -> int:
    """Print the evaluation table for a warehouse (read-only; writes nothing)."""
    parser = argparse.ArgumentParser(prog="python -m models_py.continuation")
    parser.add_argument("--warehouse", default=None, help="default: $LW_WAREHOUSE")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--max-test-playlists", type=int, default=500)
    parser.add_argument("--n-clusters", type=int, default=10)
    args = parser.parse_args(argv)
    paths = Paths.from_env()
    if args.warehouse:
        paths = Paths(paths.raw_dir, Path(args.warehouse).resolve())
    config = ContinuationConfig(
        max_test_playlists=args.max_test_playlists, n_clusters=args.n_clusters
    )
    with ml_store.connect(paths, read_only=True) as con:
        run(con, seed=args.seed, config=config)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
