"""WSDM Cup 2019 skip prediction: skip_2 of every second-half event from the first half.

Reads `marts.fct_session_skip_labels` (leakage-safe features, labels, hash split) and
returns model runs for the baselines and the model, the `skip_predictions` score table and
the fitted estimator; the caller publishes them with `ml_store`.

Model: a chain of gradient-boosted transitions
----------------------------------------------
skip_2 is strongly persistent (a skip tends to follow a skip), but of the second half a
predictor sees only the tracks, so the previous event's skip is unknown for every
predicted event but the first. The model therefore has two parts:

1. a `HistGradientBoostingClassifier` (in a scikit-learn `Pipeline`) of the *transition*
   P(skip_i | skip_{i-1} = state, features of event i), trained on the predict-half events
   of the train split, where the previous label (the last observed one, or a train
   second-half one) is known;
2. the forward recursion that marginalises the unobserved second-half skips instead of
   guessing them,

       p(i) = q1(i) · p(i-1) + q0(i) · (1 - p(i-1)),   q_k(i) = P(skip_i | state k, x_i),

   started from the last observed skip (`forward_recursion`, `predict_chain`).

`predicted_skip = p >= threshold` (0.5 unless validation says otherwise). Hyperparameters
and the threshold are picked on the validation split; the test split is only reported.
Labels reach the model only as training targets and as the training-time state; the
features of a predicted event are columns of the mart that ignore its half's labels.

Baselines in the same run: `random` (fair coin, fixed seed), `majority` (majority class of
the train predict half), `repeat_last` (the last observed skip) and, on generated data, the
`oracle` of `<raw>/mssd/_oracle/skip_oracle.csv` (the generator's exact probabilities given
the first half and the tracks).

Run it alone with ``python -m models_py.skip_model`` (prints the test-split table).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder
from threadpoolctl import threadpool_limits

from models_py import ml_store, skip_baselines
from models_py.metrics import evaluate
from models_py.tasks import Task, TaskContext, TaskOutput

log = logging.getLogger("lw")

__all__ = [
    "READS",
    "CATEGORICAL_FEATURES",
    "FEATURES",
    "NUMERIC_FEATURES",
    "evaluate",
    "feature_frame",
    "fit_transition_model",
    "forward_recursion",
    "load_events",
    "missing_input",
    "predict_chain",
    "run",
]

# the marts this module reads, every one public and contracted; the exposure that names
# this module lists exactly these (tests/test_exposures.py), and a run records a
# snapshot of each (ml_store.data_snapshot)
READS: tuple[str, ...] = ("marts.fct_session_skip_labels",)

TASK = "skip_prediction"
MODEL_NAME = "hgb_transition_chain"
MART = "marts.fct_session_skip_labels"

# Features of a predicted event: columns of the mart that, by its leakage rule, depend only
# on the observed half and on the tracks, positions and length of the predict half.
CATEGORICAL_FEATURES: list[str] = ["session_context_type", "last_observed_reason_end"]
NUMERIC_FEATURES: list[str] = [
    # position in the session and distance to the observed half
    "session_position",
    "session_length",
    "position_ratio",
    "n_positions_since_last_observed",
    # the track
    "duration_s",
    "release_year",
    "us_popularity_estimate",
    "acousticness",
    "danceability",
    "energy",
    "instrumentalness",
    "liveness",
    "loudness",
    "speechiness",
    "tempo",
    "valence",
    *[f"acoustic_vector_{i}" for i in range(8)],
    # how the track fits the session's (observed) taste
    "cosine_to_first_track",
    "cosine_to_observed_mean",
    "vector_distance_to_observed_skipped",
    "vector_distance_to_observed_played",
    "audio_distance_to_observed_skipped",
    "audio_distance_to_observed_played",
    # session context (from the last observed event)
    "is_session_shuffle",
    "is_session_premium",
    "session_hour_of_day",
    "session_iso_weekday",
    # the observed half's skips
    "share_observed_skipped",
    "share_observed_skip_1",
    "n_last_observed_streak",
    "is_last_observed_skipped",
]
FEATURES: list[str] = CATEGORICAL_FEATURES + NUMERIC_FEATURES
# The transition model's extra input: skip_2 of the previous event (0/1). Known in training
# (train split only); marginalised by `forward_recursion` at prediction time.
STATE = "previous_skip_state"
KEYS = ["session_id", "session_position", "split"]

# Identifiers come from the fixed lists above, values are parameters.
LOAD_SQL = f"""
with events as (
    select
        {", ".join(KEYS)},
        session_half,
        skip_label,
        {", ".join(CATEGORICAL_FEATURES)},
        -- numbers as double here: pandas gets float64 columns without a per-value copy
        {", ".join(f"cast({c} as double) as {c}" for c in NUMERIC_FEATURES)},
        -- training-time state only: the previous event's label, on the train split
        case
            when split = ?
                then lag(skip_label) over (partition by session_id order by session_position)
        end as train_previous_label
    from {MART}
)
select * exclude (session_half)
from events
where session_half = ?
order by session_id, session_position
"""  # noqa: S608 - identifiers from the constants of this module

# Hyperparameters tried on the validation split (a few, the fit must stay fast).
PARAM_GRID: list[dict] = [
    {"learning_rate": 0.1, "max_iter": 150, "max_leaf_nodes": 15, "min_samples_leaf": 40},
    {"learning_rate": 0.05, "max_iter": 300, "max_leaf_nodes": 15, "min_samples_leaf": 40},
    {"learning_rate": 0.1, "max_iter": 150, "max_leaf_nodes": 31, "min_samples_leaf": 80},
]
# Training events the booster is fitted on at most: a sample of whole train sessions above
# it. The fit's time and memory grow with the rows, its accuracy barely does: at scale 50
# (`make bench`), 5.1 M rows took 262 / 504 / 356 s for the three configurations, with
# validation MAA 0.6504 / 0.6503 / 0.6510; 1.0 M rows took 79 / 131 / 87 s, with
# 0.6503 / 0.6502 / 0.6508.
MAX_FIT_EVENTS = 1_000_000
# Rows per predict_proba call: prediction streams through the events in slices of whole
# sessions instead of copying every feature twice at once.
PREDICT_CHUNK_ROWS = 250_000
THRESHOLDS = np.round(np.arange(0.40, 0.601, 0.025), 3)
# Validation MAA a threshold other than 0.5 must gain to be used (a sixth of the standard
# error of a validation MAA on the demo data: smaller gains are noise).
MIN_THRESHOLD_GAIN = 0.003
# OpenMP threads of the booster. One: on a shared 2-core machine two spinning threads
# sometimes wait on each other for seconds per tree (a 4 s fit took 35 s); one is steady.
N_THREADS = 1


# predict-half events of the test split: what the model is reported on
N_TEST_EVENTS_SQL = f"""
select
    count(*),
    count(*) filter (where session_half = 'predict' and split = 'test')
from {MART}
"""  # noqa: S608 - the mart is a constant of this module


def missing_input(con: duckdb.DuckDBPyConnection) -> str | None:
    """Why there is nothing to learn or to test on (a phrase for the run's `skipped`
    line), or None."""
    n_events, n_test = con.execute(N_TEST_EVENTS_SQL).fetchall()[0]
    if n_events == 0:
        return "no complete listening session in mssd/"
    if n_test == 0:
        return "no session in the test split"
    return None


def load_events(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Predict-half events of every split, sorted by session and position (via Arrow)."""
    table = con.sql(LOAD_SQL, params=["train", "predict"]).to_arrow_table()
    # column by column, each Arrow buffer freed once converted: not two copies at the peak
    return table.to_pandas(split_blocks=True, self_destruct=True)


def feature_frame(events: pd.DataFrame) -> pd.DataFrame:
    """The model's input columns of `load_events` rows: categories as text (NaN when
    missing), everything else float64 (`LOAD_SQL` casts booleans to 0/1, NULL is NaN).
    Never a label column."""
    out = pd.DataFrame(index=events.index)
    for c in CATEGORICAL_FEATURES:
        out[c] = events[c].astype(object).where(events[c].notna(), np.nan)
    for c in NUMERIC_FEATURES:
        out[c] = events[c].astype("float64")  # no copy: already float64 (copy-on-write)
    return out


def fit_sample(session_ids: np.ndarray, max_events: int, seed: int) -> np.ndarray:
    """Mask of the rows of a random share of whole sessions holding about ``max_events``
    rows (every row when there are no more than that): a session is never cut."""
    n = len(session_ids)
    if n <= max_events:
        return np.ones(n, dtype=bool)
    codes, uniques = pd.factorize(session_ids)
    keep = np.random.default_rng(seed).random(len(uniques)) < max_events / n
    return keep[codes]


def make_pipeline(params: dict, seed: int) -> Pipeline:
    """One-hot encode the categorical features, then gradient boosting on everything.

    One-hot rather than the booster's native categories: with those, the fitted booster
    holds a `functools.partial`, a type `ml_store.load_artifact` rightly refuses to load.
    """
    encode = ColumnTransformer(
        [
            (
                "categories",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                CATEGORICAL_FEATURES,
            )
        ],
        remainder="passthrough",
        verbose_feature_names_out=False,
    )
    booster = HistGradientBoostingClassifier(**params, early_stopping=False, random_state=seed)
    return Pipeline([("encode", encode), ("boost", booster)])


def _with_state(features: pd.DataFrame, state: np.ndarray | float) -> pd.DataFrame:
    out = features.copy()
    out[STATE] = np.asarray(state, dtype="float64") if np.ndim(state) else float(state)
    return out


def fit_transition_model(
    features: pd.DataFrame, previous_label: np.ndarray, label: np.ndarray, params: dict, seed: int
) -> Pipeline:
    """Fit P(skip | previous skip, features) on training events with a known previous label."""
    model = make_pipeline(params, seed)
    model.fit(_with_state(features, previous_label), np.asarray(label, dtype=bool))
    return model


def forward_recursion(
    q0: np.ndarray, q1: np.ndarray, steps: np.ndarray, start: np.ndarray
) -> np.ndarray:
    """P(skip) of every event of a chain whose intermediate states are unobserved.

    Events are rows sorted by session then position; ``steps`` is the event's distance to the
    last observed event (1, 2, …, contiguous within a session), ``start`` P(skip) of that last
    observed event (0/1 when known), ``q0``/``q1`` P(skip | previous skip 0/1).
    """
    steps = np.asarray(steps)
    p = np.empty(len(steps), dtype="float64")
    if len(steps) == 0:
        return p
    if not (steps[0] == 1 and np.all((np.diff(steps) == 1) | (steps[1:] == 1))):
        raise ValueError("steps must count 1, 2, … within each session, rows in order")
    for k in range(1, int(steps.max()) + 1):
        rows = np.flatnonzero(steps == k)
        prev = np.asarray(start, dtype="float64")[rows] if k == 1 else p[rows - 1]
        p[rows] = q1[rows] * prev + q0[rows] * (1.0 - prev)
    return p


def predict_chain(
    model: Pipeline,
    features: pd.DataFrame,
    start_prior: float = 0.5,
    chunk_rows: int = PREDICT_CHUNK_ROWS,
) -> np.ndarray:
    """P(skip_2) of predict-half events (rows sorted by session, position) from the fitted
    transition model: both transitions per event, then `forward_recursion` from the last
    observed skip (``start_prior`` when a session has no observed event). Runs over slices
    of about ``chunk_rows`` rows cut at session starts; the result does not depend on it."""
    steps = features["n_positions_since_last_observed"].to_numpy()
    starts = np.flatnonzero(steps == 1)  # the first predicted event of each session
    p = np.empty(len(steps), dtype="float64")
    begin = 0
    while begin < len(steps):
        # the slice ends at the first session start at least chunk_rows further on
        i = np.searchsorted(starts, begin + max(chunk_rows, 1))
        end = int(starts[i]) if i < len(starts) else len(steps)
        part = features.iloc[begin:end]
        q0 = model.predict_proba(_with_state(part, 0.0))[:, 1]
        q1 = model.predict_proba(_with_state(part, 1.0))[:, 1]
        start = part["is_last_observed_skipped"].fillna(start_prior).to_numpy()
        p[begin:end] = forward_recursion(q0, q1, steps[begin:end], start)
        begin = end
    return p


def empty_scores() -> pd.DataFrame:
    """An empty `skip_predictions` frame (the layout of `ml_store.SCORE_TABLES`)."""
    return pd.DataFrame(columns=list(ml_store.SCORE_TABLES["skip_predictions"]))


def _split_mask(events: pd.DataFrame, split: str) -> np.ndarray:
    return events["split"].to_numpy() == split


def run(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path | None,
    seed: int = 42,
    param_grid: list[dict] | None = None,
    max_fit_events: int = MAX_FIT_EVENTS,
) -> tuple[list[ml_store.ModelResult], dict[str, pd.DataFrame], Pipeline | None]:
    """Train, tune on validation, report on test.

    Returns the model runs (baselines flagged), ``{"skip_predictions": frame}`` with one row
    per predict-half event of every split (``run_id`` None, for the caller to fill), and the
    fitted transition pipeline (turn it into skip probabilities with `predict_chain`); no
    results, an empty score table and None when there is nothing to learn or to test on
    (no session logs). ``param_grid`` replaces `PARAM_GRID` (tests use one configuration);
    the booster is fitted on whole train sessions holding about ``max_fit_events`` events
    (`fit_sample`) when there are more.
    """
    with threadpool_limits(limits=N_THREADS):
        grid = PARAM_GRID if param_grid is None else param_grid
        return _run(con, raw_dir, seed, grid, max_fit_events)


# what the run keeps of the loaded events once the features are taken out
KEPT_COLUMNS = [*KEYS, "skip_label", "train_previous_label", "is_last_observed_skipped"]


def _select_model(
    features: pd.DataFrame,
    events: pd.DataFrame,
    rows: tuple[np.ndarray, np.ndarray],
    prev_train: np.ndarray,
    y: np.ndarray,
    start_prior: float,
    grid: list[dict],
    seed: int,
) -> tuple[dict, Pipeline, list[dict]]:
    """Fit every configuration of ``grid`` on the fit rows; keep the best validation MAA
    (the first one when there is no validation event). Returns its params, the fitted
    model and every configuration tried with its validation MAA."""
    fit_rows, valid = rows
    best: tuple[float, dict, Pipeline] | None = None
    tried: list[dict] = []
    for params in grid:
        t1 = time.perf_counter()
        model = fit_transition_model(features[fit_rows], prev_train, y[fit_rows], params, seed)
        maa = float("nan")
        if valid.any():
            p_valid = predict_chain(model, features[valid], start_prior)
            maa = evaluate(events[valid], p_valid >= 0.5).maa
        log.info(
            "skip_model: fit %s in %.1fs, validation MAA %.4f",
            params,
            time.perf_counter() - t1,
            maa,
        )
        tried.append({**params, "maa_validation": maa})
        if best is None or maa > best[0]:
            best = (maa, params, model)
    if best is None:
        raise ValueError("skip_model: an empty grid of configurations")
    return best[1], best[2], tried


def _choose_threshold(valid_events: pd.DataFrame, p_valid: np.ndarray) -> tuple[float, float]:
    """(validation MAA, threshold): one threshold for all events, 0.5 (the natural choice
    for calibrated probabilities) unless another beats it on validation by a clear margin;
    (NaN, 0.5) without validation events."""
    if not len(valid_events):
        return float("nan"), 0.5
    valid_maa, threshold = evaluate(valid_events, p_valid >= 0.5).maa, 0.5
    scored = [(evaluate(valid_events, p_valid >= t).maa, float(t)) for t in THRESHOLDS]
    best_maa, best_threshold = max(scored)
    if best_maa >= valid_maa + MIN_THRESHOLD_GAIN:
        valid_maa, threshold = best_maa, best_threshold
    return valid_maa, threshold


def _run(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path | None,
    seed: int,
    grid: list[dict],
    max_fit_events: int,
) -> tuple[list[ml_store.ModelResult], dict[str, pd.DataFrame], Pipeline | None]:
    t0 = time.perf_counter()
    events = load_events(con)
    features = feature_frame(events)
    events = events[KEPT_COLUMNS]  # the features are not held twice
    train, valid, test = (_split_mask(events, s) for s in ("train", "validation", "test"))
    log.info(
        "%s",
        f"skip_model: loaded {len(events):,} predict-half events "
        f"({train.sum():,} train / {valid.sum():,} validation / {test.sum():,} test) "
        f"in {time.perf_counter() - t0:.1f}s",
    )

    # training rows: the previous label is known (always, in a complete train session)
    prev = events["train_previous_label"]
    known = train & prev.notna().to_numpy()
    fit_rows = known.copy()
    fit_rows[known] = fit_sample(events["session_id"].to_numpy()[known], max_fit_events, seed)
    if fit_rows.sum() < known.sum():
        log.info(
            "%s",
            f"skip_model: fitting on {fit_rows.sum():,} of {known.sum():,} training events "
            f"(whole sessions, at most about {max_fit_events:,})",
        )
    y = events["skip_label"].to_numpy(dtype=bool)
    if not test.any() or len(np.unique(y[fit_rows])) < 2:
        # e.g. a warehouse without session logs: nothing to learn or to report
        log.info("%s", "skip model: skipped (no test events or a single class in training)")
        return [], {"skip_predictions": empty_scores()}, None
    prev_train = prev[fit_rows].astype(float).to_numpy()
    start_prior = float(prev_train.mean())
    if not valid.any():
        log.info("%s", "skip_model: no validation events; first configuration, threshold 0.5")
        grid = grid[:1]

    best_params, model, tried = _select_model(
        features, events, (fit_rows, valid), prev_train, y, start_prior, grid, seed
    )

    t2 = time.perf_counter()
    p_skip = predict_chain(model, features, start_prior)
    valid_maa, threshold = _choose_threshold(events[valid], p_skip[valid])
    predicted = p_skip >= threshold

    test_events = events[test]
    results: list[ml_store.ModelResult] = []
    model_eval = evaluate(test_events, predicted[test], p_skip[test])
    results.append(
        ml_store.ModelResult(
            model_name=MODEL_NAME,
            task=TASK,
            metrics={
                **model_eval.as_metrics(),
                **({"maa_validation": valid_maa} if valid.any() else {}),
            },
            params={
                **best_params,
                "estimator": "HistGradientBoostingClassifier transition + forward recursion",
                "threshold": threshold,
                "random_state": seed,
                "features": FEATURES,
                "state_feature": STATE,
                "start_prior": start_prior,
                "n_train_events": int(fit_rows.sum()),
                "n_train_events_available": int(known.sum()),
                "max_fit_events": max_fit_events,
                "grid": tried,
            },
        )
    )

    baselines = skip_baselines.baselines(test_events, y[train], raw_dir, seed)
    for name, (ev, params) in baselines.items():
        results.append(
            ml_store.ModelResult(
                model_name=name, task=TASK, metrics=ev.as_metrics(), params=params, is_baseline=True
            )
        )
    log.info(
        "%s",
        f"skip_model: evaluated in {time.perf_counter() - t2:.1f}s "
        f"(threshold {threshold}); test MAA "
        + ", ".join(f"{r.model_name} {r.metrics['maa']:.4f}" for r in results)
        + f"; total {time.perf_counter() - t0:.1f}s",
    )

    scores = pd.DataFrame(
        {
            "run_id": None,
            "session_id": events["session_id"].to_numpy(),
            "session_position": events["session_position"].to_numpy(dtype="int64"),
            "split": events["split"].to_numpy(),
            "p_skip": p_skip,
            "predicted_skip": predicted,
        }
    )
    return results, {"skip_predictions": scores}, model


def run_task(ctx: TaskContext) -> TaskOutput:
    """The skip model as a task of `models_py.train`."""
    return TaskOutput(*run(ctx.con, ctx.raw_dir, seed=ctx.seed))


MODEL_TASK = Task(
    name="skip-model",
    title="skip model",
    reads=READS,
    missing_input=missing_input,
    run=run_task,
    best_metric="maa",
)
