"""Playlist continuation, ours: co-occurrence from the training playlists (a sparse
matrix product per chunk of seed tracks, each seed keeping its top ones), the candidates
with their blend features and the ranking by the blend (SQL in ``cooccurrence.sql``)."""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import scipy.sparse as sp
from tqdm import tqdm

from models_py.continuation.common import _load
from models_py.continuation.config import (
    AUDIO_FEATURES,
    BLEND_FEATURES,
    SCORE_SCALE,
    SIMILARITY_CHUNK_PAIRS,
    TEST,
    TRACK_SPACE,
    ContinuationConfig,
)
from models_py.sql_files import load, render

Q = load(__file__)

_PROFILE = ",\n        ".join(f"avg(features.z_{f}) as z_{f}" for f in AUDIO_FEATURES)
_SQUARED_DISTANCE = " + ".join(
    f"(stats.z_{f} - profiles.z_{f}) * (stats.z_{f} - profiles.z_{f})" for f in AUDIO_FEATURES
)
_BLEND = " + ".join(f"blend.w_{f} * featured.{f}" for f in BLEND_FEATURES)

POOL_SEED_TRACKS_SQL = Q["pool_seed_tracks"]
QUERY_SEED_TRACKS_SQL = Q["query_seed_tracks"]
CANDIDATES_CTES = render(Q["candidates_ctes"], profile=_PROFILE, squared_distance=_SQUARED_DISTANCE)
CANDIDATES_SQL = render(Q["candidates"], candidates_ctes=CANDIDATES_CTES)


def _rank_sql(featured_ctes: str) -> str:
    """Rank CTEs ending in ``featured`` by the blend of each query's seed size, top n.

    The blend score is rounded to 1e-6 and packed with the track index into one integer
    sort key (score descending, then track index ascending), so that DuckDB's top-n
    aggregate ``max(key, n)`` ranks each playlist (several times faster than a window);
    rank, track and score are unpacked from it.
    """
    return render(
        Q["rank"],
        featured_ctes=featured_ctes.strip(),
        blend=_BLEND,
        score_scale=str(SCORE_SCALE),
        track_space=str(TRACK_SPACE),
        track_max=str(TRACK_SPACE - 1),
    )


# ours, predict: candidates and ranking in one statement
RANK_SQL = _rank_sql(CANDIDATES_CTES)
# ours, rank the materialised candidates again (the blend fit tries several weights)
RERANK_SQL = _rank_sql("with featured as (\n    select * from continuation_candidates\n)")
FILL_SQL = Q["fill"]


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
