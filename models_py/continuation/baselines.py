"""Playlist continuation, the baselines: popularity, and the source write-ups' generator
(breadth-first over co-occurrence, KMeans clusters of playlist aggregates), reproduced
(SQL in ``baselines.sql``)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
from sklearn.cluster import KMeans
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from models_py.continuation.common import _frame, _load
from models_py.continuation.config import (
    ContinuationConfig,
)
from models_py.continuation.cooccurrence import _top_cooccurring
from models_py.playlist_features import AGGREGATE_FEATURES
from models_py.sql_files import load, render

Q = load(__file__)

POPULARITY_RANK_SQL = Q["popularity_rank"]
SOURCE_RANK_SQL = Q["source_rank"]
TRAIN_AGGREGATES_SQL = render(
    Q["train_aggregates"],
    aggregate_columns=", ".join(f"playlists.{c}" for c in AGGREGATE_FEATURES),
)
CLUSTER_TRACKS_SQL = Q["cluster_tracks"]
SEED_AGGREGATES_SQL = render(
    Q["seed_aggregates"],
    seed_aggregates=", ".join(f"avg(tracks.{t}) as {c}" for c, t in AGGREGATE_FEATURES.items()),
)
QUERY_SEEDS_IN_ORDER_SQL = Q["query_seeds_in_order"]
SOURCE_QUERIES_SQL = Q["source_queries"]


def predict_popularity(con: duckdb.DuckDBPyConnection, n: int) -> None:
    """The most frequent training tracks that are not seeds, for every query playlist."""
    con.execute(POPULARITY_RANK_SQL, {"n": n})


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
