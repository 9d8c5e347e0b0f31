"""Which of my playlists (or which genre) does a track belong to?

Redoes the source write-ups' per-kernel SVMs properly: features are scaled inside a
scikit-learn ``Pipeline``, hyperparameters are chosen by cross-validation on training data
only, and every model is compared with two baselines on a held-out test part and by
nested 5-fold cross-validation.

Label sets
    ``own_playlists``: the user's own playlists (``marts.fct_playlist_tracks`` where
    ``playlist_source = 'own'``), class = ``playlist_id``. ``genres``: the genre labels of
    ``marts.fct_track_genres``, class = ``genre``. Features come from
    ``marts.dim_spotify_tracks`` for both sets, the same table the catalog is scored from.

Tracks with several labels
    A sample is one (track, class) row, so a track in two playlists (or with two genres)
    is two samples with the same features. Every split — the train/test split, the
    5-fold CV, the tuning CV inside it — is a ``StratifiedGroupKFold`` grouped by
    ``track_id``: all rows of a track sit on the same side, so no track is both trained on
    and tested. Dropping such tracks would throw away real labels; keeping only the first
    playlist would invent an arbitrary label. The price is that such a track is counted
    once per label in the test metrics and can be right only once — an honest ceiling
    below 100 %. Classes with fewer than ``MIN_CLASS_SIZE`` labelled tracks are left out.

Probabilities
    ``SVC(probability=True)`` is deprecated; the chosen SVM is wrapped in
    ``CalibratedClassifierCV(..., ensemble=False)``: one SVC fitted on all labelled data
    predicts, and a calibrator fitted on its out-of-fold decision values (grouped folds)
    turns them into probabilities. Temperature scaling (see ``CALIBRATION_METHOD``) keeps
    the SVM's decision rule, so the published class is the one the evaluation measured.
    The MLP and the dummies have their own ``predict_proba`` and are used as they are.

Run ``python -m models_py.playlist_classifier --help`` to print the comparison table of a
warehouse without writing anything.
"""

from __future__ import annotations

import logging

import duckdb
import pandas as pd
from sklearn.base import BaseEstimator

from models_py import ml_store
from models_py.classifier_models import (
    ClassifierReport,
    confusion_frame,
    evaluate,
    fit_and_score,
    fit_best,
    model_specs,
    score_catalog,
)
from models_py.tasks import Task, TaskContext, TaskOutput

log = logging.getLogger("lw")

__all__ = [
    "READS",
    "FEATURES",
    "LABEL_SETS",
    "ClassifierReport",
    "choose_label_set",
    "confusion_frame",
    "evaluate",
    "fit_and_score",
    "fit_best",
    "load_catalog",
    "load_labelled",
    "missing_input",
    "model_specs",
    "run",
    "score_catalog",
]

# the marts this module reads, every one public and contracted; the exposure that names
# this module lists exactly these (tests/test_exposures.py), and a run records a
# snapshot of each (ml_store.data_snapshot)
READS: tuple[str, ...] = (
    "marts.dim_spotify_tracks",
    "marts.fct_playlist_tracks",
    "marts.fct_track_genres",
)

LABEL_SETS: tuple[str, ...] = ("own_playlists", "genres")

FEATURES: tuple[str, ...] = (
    "danceability",
    "energy",
    "speechiness",
    "acousticness",
    "instrumentalness",
    "liveness",
    "valence",
    "loudness_db",
    "tempo_bpm",
    "duration_ms",
    "key",
    "mode",
    "time_signature",
)

# A class needs this many labelled tracks (with features) to be learned and evaluated:
# with fewer, a 5-fold stratified split leaves folds with one track or none of it.
MIN_CLASS_SIZE = 10
OWN_SOURCE = "own"

# --- SQL: constants, values as parameters ------------------------------------------------


def _feature_select(alias: str) -> str:
    """The feature columns (identifiers from the fixed FEATURES tuple), one per line."""
    prefix = f"{alias}." if alias else ""
    return ",\n    ".join(prefix + f for f in FEATURES)


OWN_PLAYLISTS_SQL = f"""
select distinct
    p.track_id,
    p.playlist_id as label,
    {_feature_select("d")}
from marts.fct_playlist_tracks as p
inner join marts.dim_spotify_tracks as d on p.track_id = d.track_id
where p.playlist_source = ? and d.has_audio_features
order by label, p.track_id
"""  # noqa: S608 - column names from FEATURES, the playlist source a parameter

GENRES_SQL = f"""
select distinct
    g.track_id,
    g.genre as label,
    {_feature_select("d")}
from marts.fct_track_genres as g
inner join marts.dim_spotify_tracks as d on g.track_id = d.track_id
where d.has_audio_features
order by label, g.track_id
"""  # noqa: S608 - column names from FEATURES, the playlist source a parameter

CATALOG_SQL = f"""
select
    track_id,
    {_feature_select("")}
from marts.dim_spotify_tracks
where has_audio_features
order by track_id
"""  # noqa: S608 - column names from FEATURES, the playlist source a parameter

# own playlists with at least N tracks that have audio features
N_USABLE_OWN_PLAYLISTS_SQL = """
select count(*)
from (
    select p.playlist_id
    from marts.fct_playlist_tracks as p
    inner join marts.dim_spotify_tracks as d on p.track_id = d.track_id
    where p.playlist_source = ? and d.has_audio_features
    group by p.playlist_id
    having count(distinct p.track_id) >= ?
) as usable
"""

# labelled rows of any kind: own playlist entries, genre labels
N_LABELLED_SQL = """
select
    (select count(*) from marts.fct_playlist_tracks where playlist_source = ?),
    (select count(*) from marts.fct_track_genres)
"""

LABEL_SQL: dict[str, tuple[str, list]] = {
    "own_playlists": (OWN_PLAYLISTS_SQL, [OWN_SOURCE]),
    "genres": (GENRES_SQL, []),
}

# the marts a run reads, for `ml_store.data_snapshot`
SOURCE_RELATIONS: dict[str, tuple[str, ...]] = {
    "own_playlists": ("marts.fct_playlist_tracks", "marts.dim_spotify_tracks"),
    "genres": ("marts.fct_track_genres", "marts.dim_spotify_tracks"),
}


# --- loading ------------------------------------------------------------------------------


def load_labelled(
    con: duckdb.DuckDBPyConnection, label_set: str
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """The labelled samples of ``label_set``: features ``X``, class ``y``, ``groups``.

    One row per distinct (track, class) with complete features; ``X``, ``y`` and ``groups``
    share an index of ``track_id`` (not unique when a track has several labels) and
    ``groups`` is the track id, for grouped splits. Classes with fewer than
    ``MIN_CLASS_SIZE`` tracks are dropped. Rows are ordered by (class, track_id).
    """
    if label_set not in LABEL_SQL:
        raise ValueError(f"unknown label set {label_set!r}; expected one of {LABEL_SETS}")
    sql, params = LABEL_SQL[label_set]
    frame = con.execute(sql, params).df().dropna(subset=list(FEATURES))
    sizes = frame.groupby("label")["track_id"].nunique()
    frame = frame[frame["label"].isin(sizes[sizes >= MIN_CLASS_SIZE].index)]
    frame = frame.set_index("track_id")
    X = frame[list(FEATURES)].astype("float64")
    y = frame["label"].astype(object).rename("label")
    groups = pd.Series(frame.index.to_numpy(dtype=object), index=frame.index, name="track_id")
    return X, y, groups


def load_catalog(con: duckdb.DuckDBPyConnection) -> tuple[pd.Series, pd.DataFrame]:
    """Every ``dim_spotify_tracks`` track with audio features: (track_ids, X), same order."""
    frame = con.execute(CATALOG_SQL).df().dropna(subset=list(FEATURES)).reset_index(drop=True)
    track_ids = frame["track_id"].astype(object).rename("track_id")
    return track_ids, frame[list(FEATURES)].astype("float64")


def choose_label_set(con: duckdb.DuckDBPyConnection) -> str:
    """``own_playlists`` when ≥ 2 own playlists have ≥ ``MIN_CLASS_SIZE`` tracks with
    features, else ``genres``."""
    (n_usable,) = con.execute(N_USABLE_OWN_PLAYLISTS_SQL, [OWN_SOURCE, MIN_CLASS_SIZE]).fetchone()
    return "own_playlists" if n_usable >= 2 else "genres"


def missing_input(con: duckdb.DuckDBPyConnection) -> str | None:
    """Why there is nothing to classify (a phrase for the run's `skipped` line), or None
    when the chosen label set has two classes or more."""
    _, y, _ = load_labelled(con, choose_label_set(con))
    if y.nunique() >= 2:
        return None
    n_own, n_genre = con.execute(N_LABELLED_SQL, [OWN_SOURCE]).fetchall()[0]
    if n_own == 0 and n_genre == 0:
        return "no playlists of your own and no genre-labelled tracks"
    return (
        f"fewer than two playlists of your own or genres with {MIN_CLASS_SIZE} tracks "
        "that have audio features"
    )


# --- the job ------------------------------------------------------------------------------


def _results(report: ClassifierReport, task: str, best: str) -> list[ml_store.ModelResult]:
    return [
        ml_store.ModelResult(
            model_name=e.name,
            task=task,
            metrics=dict(e.metrics),
            params={**e.params, "is_selected": e.name == best},
            is_baseline=e.is_baseline,
        )
        for e in report.evaluations.values()
    ]


def run(
    con: duckdb.DuckDBPyConnection,
    label_set: str | None = None,
    seed: int = 42,
    progress: bool = True,
) -> tuple[list[ml_store.ModelResult], dict[str, pd.DataFrame], BaseEstimator]:
    """Evaluate every model on a label set, refit the best and score the catalog.

    ``label_set`` None picks ``own_playlists`` when there are ≥ 2 usable own playlists,
    else ``genres``. Returns the ModelResults (task ``playlist_classifier:<label_set>``;
    the selected model has ``params['is_selected']``), the score tables
    ``playlist_class_scores`` and ``playlist_classifier_confusion`` (``run_id`` None), and
    the fitted selected estimator (the caller saves it with ``ml_store.save_artifact``).
    """
    label_set = label_set or choose_label_set(con)
    X, y, groups = load_labelled(con, label_set)
    if progress:
        log.info(
            "%s",
            f"playlist_classifier:{label_set}: {len(X)} samples, "
            f"{groups.nunique()} tracks, {y.nunique()} classes",
        )
    report = evaluate(X, y, groups, seed=seed, progress=progress)
    best = report.best_model_name
    estimator = fit_best(X, y, groups, best, seed)
    catalog_ids, catalog_X = load_catalog(con)
    scores = {
        "playlist_class_scores": score_catalog(estimator, y, catalog_ids, catalog_X, label_set),
        "playlist_classifier_confusion": confusion_frame(report, label_set),
    }
    if progress:
        log.info("%s", f"  selected {best}; scored {len(catalog_ids)} catalog tracks")
    return _results(report, f"playlist_classifier:{label_set}", best), scores, estimator


def run_task(ctx: TaskContext) -> TaskOutput:
    """The classifier as a task of `models_py.train` (the label set chosen by the data)."""
    return TaskOutput(*run(ctx.con, seed=ctx.seed, progress=ctx.progress))


MODEL_TASK = Task(
    name="playlist-classifier",
    title="playlist classifier",
    reads=READS,
    missing_input=missing_input,
    run=run_task,
    best_metric="cv_balanced_accuracy_mean",
)
