"""The skip model on a generated demo warehouse (scale 0.5, seed 42): it beats every
baseline, reaches the targets against repeat-last and the generator's oracle, is
deterministic, scores every predict-half event, does not see predict-half labels, and its
artifact survives a skops round trip."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from models_py import ml_store, skip_model
from support import BuildResult

pytestmark = pytest.mark.dbt

SEED = 42
LABEL_COLUMNS = ["is_skip_1", "is_skip_2", "is_skip_3", "is_not_skipped", "skip_label"]


@dataclass
class SkipRun:
    warehouse: Path
    raw_dir: Path
    results: dict[str, ml_store.ModelResult]
    scores: pd.DataFrame
    model: object


@pytest.fixture(scope="module")
def skip_run(demo_large_build: BuildResult, demo_large_raw_dir: Path) -> SkipRun:
    """The skip model on the suite's shared larger demo build (conftest: scale 0.5, seed 42)."""
    raw = demo_large_raw_dir
    warehouse = demo_large_build.warehouse
    with duckdb.connect(str(warehouse), read_only=True) as con:
        results, scores, model = skip_model.run(con, raw, seed=SEED)
    return SkipRun(
        warehouse, raw, {r.model_name: r for r in results}, scores["skip_predictions"], model
    )


@pytest.fixture(scope="module")
def rerun(skip_run: SkipRun):
    """The same seed again, on the configuration the first run chose, without raw data."""
    params = {
        k: skip_run.results[skip_model.MODEL_NAME].params[k]
        for k in skip_model.PARAM_GRID[0]  # the grid's keys
    }
    with duckdb.connect(str(skip_run.warehouse), read_only=True) as con:
        results, scores, model = skip_model.run(con, None, seed=SEED, param_grid=[params])
    return {r.model_name: r for r in results}, scores["skip_predictions"], model


def test_every_baseline_and_the_model_are_reported(skip_run: SkipRun):
    assert set(skip_run.results) == {
        skip_model.MODEL_NAME,
        "random",
        "majority",
        "repeat_last",
        "oracle",
    }
    for name, r in skip_run.results.items():
        assert r.task == "skip_prediction"
        assert r.is_baseline == (name != skip_model.MODEL_NAME)
        assert {"maa", "fpa", "accuracy", "n_sessions_test", "n_events_test"} <= set(r.metrics)
        assert 0 <= r.metrics["maa"] <= 1 and 0 <= r.metrics["fpa"] <= 1
    for name in (skip_model.MODEL_NAME, "oracle"):
        assert 0.5 < skip_run.results[name].metrics["auc"] <= 1
    # all measured on the same test events (the oracle covers every one of them)
    n = {r.metrics["n_events_test"] for r in skip_run.results.values()}
    assert len(n) == 1 and n.pop() > 5000


def test_model_beats_every_baseline_on_maa(skip_run: SkipRun):
    """Better than random, majority and repeat-last; the oracle (the generator's exact
    probabilities, the best any predictor can do in expectation) is the target below."""
    maa = {n: r.metrics["maa"] for n, r in skip_run.results.items()}
    for name in ("random", "majority", "repeat_last"):
        assert maa[skip_model.MODEL_NAME] > maa[name], maa


def test_model_reaches_the_targets(skip_run: SkipRun):
    """MAA >= repeat-last + 0.05 and >= oracle - 0.03 on the test split."""
    maa = {n: r.metrics["maa"] for n, r in skip_run.results.items()}
    model = maa[skip_model.MODEL_NAME]
    assert model >= maa["repeat_last"] + 0.05, maa
    assert model >= maa["oracle"] - 0.03, maa
    # the sanity of the baselines themselves: a coin is far below repeat-last
    assert maa["random"] < maa["repeat_last"] < maa["oracle"], maa


def test_predictions_for_every_predict_half_event(skip_run: SkipRun):
    scores = skip_run.scores
    assert list(scores.columns) == list(ml_store.SCORE_TABLES["skip_predictions"])
    assert scores["run_id"].isna().all()
    with duckdb.connect(str(skip_run.warehouse), read_only=True) as con:
        expected = con.execute(
            "select session_id, session_position, split from marts.fct_session_skip_labels "
            "where session_half = ? order by 1, 2",
            ["predict"],
        ).fetchall()
    got = sorted(
        zip(
            scores["session_id"],
            scores["session_position"].astype(int),
            scores["split"],
            strict=True,
        )
    )
    assert got == [(s, int(p), sp) for s, p, sp in expected]
    p = scores["p_skip"].to_numpy()
    assert np.all((p >= 0) & (p <= 1)) and not np.isnan(p).any()
    threshold = skip_run.results[skip_model.MODEL_NAME].params["threshold"]
    assert (scores["predicted_skip"].to_numpy() == (p >= threshold)).all()


def test_same_seed_gives_identical_predictions(skip_run: SkipRun, rerun):
    _, scores, _ = rerun
    pd.testing.assert_frame_equal(scores, skip_run.scores)


def test_no_oracle_baseline_without_raw_data(rerun):
    results, _, _ = rerun
    assert "oracle" not in results
    assert {"random", "majority", "repeat_last", skip_model.MODEL_NAME} <= set(results)


def test_features_and_predictions_ignore_predict_half_labels(skip_run: SkipRun):
    """Permute the labels of the predict-half rows in a copy of the mart: the feature frame
    and the model's predictions do not change (the labels did)."""
    with duckdb.connect(str(skip_run.warehouse), read_only=True) as con:
        mart = con.execute("select * from marts.fct_session_skip_labels").df()
        original = skip_model.load_events(con)
    predict = np.flatnonzero(mart["session_half"].to_numpy() == "predict")
    shuffled = mart.copy()
    perm = np.random.default_rng(0).permutation(predict)
    for c in LABEL_COLUMNS:
        values = shuffled[c].to_numpy().copy()
        values[predict] = values[perm]
        shuffled[c] = values
    assert (shuffled["skip_label"] != mart["skip_label"]).sum() > 1000

    with duckdb.connect() as copy:
        copy.execute("create schema marts")
        copy.register("shuffled_frame", shuffled)
        copy.execute("create table marts.fct_session_skip_labels as select * from shuffled_frame")
        permuted = skip_model.load_events(copy)

    assert not set(LABEL_COLUMNS) & set(skip_model.FEATURES)
    assert (permuted["skip_label"].to_numpy() != original["skip_label"].to_numpy()).any()
    before = skip_model.feature_frame(original)
    after = skip_model.feature_frame(permuted)
    pd.testing.assert_frame_equal(before, after)
    np.testing.assert_array_equal(
        skip_model.predict_chain(skip_run.model, before),
        skip_model.predict_chain(skip_run.model, after),
    )


def test_artifact_round_trips_through_skops(skip_run: SkipRun, tmp_path: Path):
    path, digest = ml_store.save_artifact(skip_run.model, tmp_path, skip_model.MODEL_NAME)
    loaded = ml_store.load_artifact(path, digest)
    with duckdb.connect(str(skip_run.warehouse), read_only=True) as con:
        features = skip_model.feature_frame(skip_model.load_events(con))
    prior = skip_run.results[skip_model.MODEL_NAME].params["start_prior"]
    np.testing.assert_array_equal(
        skip_model.predict_chain(loaded, features, prior),
        skip_run.scores["p_skip"].to_numpy(),
    )


def test_forward_recursion_marginalises_the_hidden_skips():
    """Two sessions, constant transitions q0 = 0.2, q1 = 0.9: from a known skip the chain
    gives 0.9, 0.9·0.9 + 0.2·0.1 = 0.83, …; from a known play 0.2, 0.9·0.2 + 0.2·0.8 = 0.34."""
    steps = np.array([1, 2, 3, 1, 2])
    q0, q1 = np.full(5, 0.2), np.full(5, 0.9)
    start = np.array([1.0, np.nan, np.nan, 0.0, np.nan])
    p = skip_model.forward_recursion(q0, q1, steps, start)
    np.testing.assert_allclose(p, [0.9, 0.83, 0.83 * 0.9 + 0.17 * 0.2, 0.2, 0.34])
    with pytest.raises(ValueError, match="steps"):
        skip_model.forward_recursion(q0, q1, np.array([1, 3, 2, 1, 2]), start)


def test_fit_sample_keeps_whole_sessions_near_the_cap():
    """20,000 rows in sessions of 1-30 events, a cap of 5,000: every session is kept whole
    or dropped whole, the kept rows are about the cap, and a cap above the rows keeps all."""
    rng = np.random.default_rng(3)
    sizes = rng.integers(1, 31, size=1300)
    sizes = sizes[np.cumsum(sizes) <= 20_000]
    sessions = np.repeat([f"s{i}" for i in range(len(sizes))], sizes)
    mask = skip_model.fit_sample(sessions, 5_000, seed=SEED)
    kept = pd.Series(mask).groupby(sessions).agg(["min", "max"])
    assert (kept["min"] == kept["max"]).all()
    assert 4_000 <= mask.sum() <= 6_000
    assert skip_model.fit_sample(sessions, len(sessions), seed=SEED).all()
    np.testing.assert_array_equal(mask, skip_model.fit_sample(sessions, 5_000, seed=SEED))


def test_capped_fit_samples_training_events_and_still_beats_repeat_last(skip_run: SkipRun):
    """A cap below the demo's training events fits on a share of them (recorded) and the model
    still beats the repeat-last baseline on the same test split."""
    full = skip_run.results[skip_model.MODEL_NAME].params
    cap = full["n_train_events"] // 3
    params = {k: full[k] for k in skip_model.PARAM_GRID[0]}
    with duckdb.connect(str(skip_run.warehouse), read_only=True) as con:
        results, _, _ = skip_model.run(
            con, None, seed=SEED, param_grid=[params], max_fit_events=cap
        )
    by_name = {r.model_name: r for r in results}
    capped = by_name[skip_model.MODEL_NAME]
    assert capped.params["n_train_events_available"] == full["n_train_events"]
    assert 0.7 * cap <= capped.params["n_train_events"] <= 1.3 * cap
    assert capped.metrics["maa"] > by_name["repeat_last"].metrics["maa"]


def test_prediction_in_slices_of_sessions_equals_one_pass(skip_run: SkipRun):
    with duckdb.connect(str(skip_run.warehouse), read_only=True) as con:
        features = skip_model.feature_frame(skip_model.load_events(con))
    whole = skip_model.predict_chain(skip_run.model, features, chunk_rows=len(features) + 1)
    sliced = skip_model.predict_chain(skip_run.model, features, chunk_rows=997)
    np.testing.assert_array_equal(sliced, whole)
