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

The package, by job (each module's SQL in the ``.sql`` file beside it): ``config`` (names,
feature lists, settings), ``split`` (pools, seeds, truth, each stage's training tables),
``cooccurrence`` (ours: co-occurrence, candidates, ranking), ``blend`` (ours' weights),
``baselines`` (popularity, the source method), ``evaluation``, ``serving`` (score tables,
your own playlists) and ``task`` (``run``, ``main``).

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

from models_py import playlist_aggregate_models, source_metrics
from models_py.continuation.baselines import (
    fit_source_method,
    predict_popularity,
    predict_source_method,
)
from models_py.continuation.blend import Blend, fit_blend
from models_py.continuation.config import (
    AUDIO_FEATURES,
    BLEND_FEATURES,
    METHODS,
    OWN_SCORE_TABLE,
    SCORE_TABLE,
    TASK,
    ContinuationConfig,
    normalize_name,
)
from models_py.continuation.cooccurrence import fit_cooccurrence, predict_cooccurrence
from models_py.continuation.evaluation import Evaluation, evaluate, results_table
from models_py.continuation.serving import continuation_frame, own_playlist_continuations
from models_py.continuation.split import (
    prepare,
    test_playlist_ids,
    truth_frame,
    validation_playlist_ids,
)
from models_py.continuation.task import missing_input, run, run_task
from models_py.playlist_features import AGGREGATE_FEATURES
from models_py.tasks import Task

__all__ = [
    "AGGREGATE_FEATURES",
    "AUDIO_FEATURES",
    "BLEND_FEATURES",
    "METHODS",
    "OWN_SCORE_TABLE",
    "READS",
    "SCORE_TABLE",
    "TASK",
    "Blend",
    "ContinuationConfig",
    "Evaluation",
    "continuation_frame",
    "evaluate",
    "fit_blend",
    "fit_cooccurrence",
    "fit_source_method",
    "MODEL_TASK",
    "run_task",
    "missing_input",
    "normalize_name",
    "own_playlist_continuations",
    "predict_cooccurrence",
    "predict_popularity",
    "predict_source_method",
    "prepare",
    "results_table",
    "run",
    "test_playlist_ids",
    "truth_frame",
    "validation_playlist_ids",
]

# the marts the package reads, every one public and contracted; the exposure that names
# this package lists exactly these (tests/test_exposures.py), and a run records a
# snapshot of each (ml_store.data_snapshot)
READS: tuple[str, ...] = (
    "marts.dim_ml_splits",
    "marts.dim_playlists",
    "marts.dim_spotify_tracks",
    "marts.fct_playlist_tracks",
)

MODEL_TASK = Task(
    name="playlist-continuation",
    title="playlist continuation",
    # the source write-ups' metrics and models (follower regression, KMeans) run inside
    reads=tuple(sorted({*READS, *source_metrics.READS, *playlist_aggregate_models.READS})),
    missing_input=missing_input,
    run=run_task,
)
