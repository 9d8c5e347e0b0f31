"""The playlist / genre classifier on a freshly built demo warehouse and on real data.

The warehouses are the suite's shared builds of the demo data and of ../shared/realdata
(conftest), and the tuning grids are cut down to keep the module well under a minute; the
scaling, splits, nesting and selection are the real ones.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator
from sklearn.calibration import CalibratedClassifierCV
from sklearn.dummy import DummyClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from models_py import classifier_models as cm
from models_py import ml_store
from models_py import playlist_classifier as pc
from models_py.warehouse import Paths
from support import BuildResult

pytestmark = pytest.mark.dbt


SMALL_SVM_GRIDS = {kernel: {"svc__C": [1.0, 10.0]} for kernel in cm.SVM_GRIDS}
SMALL_MLP_GRID = {"mlp__alpha": [1.0]}
SVM_NAMES = [
    f"svm_{k}_{w}" for k in ("rbf", "linear", "poly", "sigmoid") for w in ("balanced", "unweighted")
]
CLEAR_MARGIN = 0.15  # balanced accuracy points above the majority baseline


@pytest.fixture(scope="module")
def small_grids():
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cm, "SVM_GRIDS", SMALL_SVM_GRIDS)
        mp.setattr(cm, "MLP_GRID", SMALL_MLP_GRID)
        yield


@pytest.fixture(scope="module")
def demo_warehouse(demo_build: BuildResult) -> Path:
    """The suite's shared demo build (every model and data test), read-only."""
    return demo_build.warehouse


@pytest.fixture(scope="module")
def real_warehouse(realdata_build: BuildResult) -> Path:
    return realdata_build.warehouse


@pytest.fixture(scope="module")
def demo_run(demo_warehouse: Path, small_grids):
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        label_set = pc.choose_label_set(con)
        X, y, groups = pc.load_labelled(con, label_set)
        results, scores, estimator = pc.run(con, seed=42, progress=False)
    return {
        "label_set": label_set,
        "X": X,
        "y": y,
        "groups": groups,
        "results": {r.model_name: r for r in results},
        "scores": scores,
        "estimator": estimator,
    }


def _inner_pipeline(estimator: BaseEstimator) -> BaseEstimator:
    if isinstance(estimator, CalibratedClassifierCV):
        return estimator.calibrated_classifiers_[0].estimator
    return estimator


# --- demo data ----------------------------------------------------------------------------


def test_demo_uses_own_playlists_with_grouped_samples(demo_run):
    assert demo_run["label_set"] == "own_playlists"
    X, y, groups = demo_run["X"], demo_run["y"], demo_run["groups"]
    assert list(X.columns) == list(pc.FEATURES)
    assert len(X) == len(y) == len(groups)
    assert y.nunique() >= 2
    assert not X.isna().any().any()
    # every class kept has enough tracks; no (track, class) pair twice
    assert groups.groupby(y).nunique().min() >= pc.MIN_CLASS_SIZE
    assert not pd.DataFrame({"t": groups.to_numpy(), "y": y.to_numpy()}).duplicated().any()


def test_splits_never_put_a_track_on_both_sides(demo_run):
    y, groups = demo_run["y"], demo_run["groups"]
    multi = groups[groups.duplicated()].unique()
    assert len(multi) > 0, "demo data should have tracks in several own playlists"
    for n_splits in (4, 5, cm.INNER_SPLITS):
        for train, test in cm._grouped_splits(y, groups, n_splits, 42):
            assert not set(groups.iloc[train]) & set(groups.iloc[test])
            # stratified: every class on both sides
            assert set(y.iloc[test]) == set(y.iloc[train]) == set(y)


def test_best_svm_beats_majority_by_a_clear_margin(demo_run):
    results = demo_run["results"]
    majority = results["baseline_majority"].metrics
    n_classes = majority["n_classes"]
    assert majority["balanced_accuracy"] == pytest.approx(1 / n_classes)
    assert majority["cv_balanced_accuracy_mean"] == pytest.approx(1 / n_classes)
    best = max(SVM_NAMES, key=lambda n: results[n].metrics["cv_balanced_accuracy_mean"])
    svm = results[best].metrics
    assert svm["cv_balanced_accuracy_mean"] >= majority["cv_balanced_accuracy_mean"] + CLEAR_MARGIN
    assert svm["balanced_accuracy"] >= majority["balanced_accuracy"] + CLEAR_MARGIN
    # and the stratified-random baseline sits near chance, not near the SVM
    stratified = results["baseline_stratified"].metrics["cv_balanced_accuracy_mean"]
    assert abs(stratified - 1 / n_classes) < 0.1


def test_results_carry_the_metrics_and_selection(demo_run):
    results = demo_run["results"]
    assert set(results) == {*SVM_NAMES, "mlp", "baseline_majority", "baseline_stratified"}
    keys = {
        "accuracy",
        "balanced_accuracy",
        "macro_f1",
        "cv_balanced_accuracy_mean",
        "cv_balanced_accuracy_std",
        "n_train",
        "n_test",
        "n_classes",
    }
    for r in results.values():
        assert r.task == "playlist_classifier:own_playlists"
        assert set(r.metrics) == keys
        assert r.is_baseline == r.model_name.startswith("baseline_")
        assert {"kernel", "class_weight"} <= set(r.params)
    assert results["svm_rbf_balanced"].params["class_weight"] == "balanced"
    assert results["svm_rbf_unweighted"].params["class_weight"] == "none"
    assert "C" in results["svm_poly_balanced"].params
    selected = [r for r in results.values() if r.params["is_selected"]]
    assert len(selected) == 1 and not selected[0].is_baseline
    best_cv = max(
        r.metrics["cv_balanced_accuracy_mean"] for r in results.values() if not r.is_baseline
    )
    assert selected[0].metrics["cv_balanced_accuracy_mean"] == best_cv


def test_confusion_matrix_sums_to_the_test_size(demo_run):
    confusion = demo_run["scores"]["playlist_classifier_confusion"]
    assert list(confusion.columns) == list(ml_store.SCORE_TABLES["playlist_classifier_confusion"])
    classes = sorted(demo_run["y"].unique())
    for name, r in demo_run["results"].items():
        cells = confusion[confusion["model_name"] == name]
        assert len(cells) == len(classes) ** 2
        assert cells["n_tracks"].sum() == r.metrics["n_test"]
        right = cells.loc[cells["true_class"] == cells["predicted_class"], "n_tracks"].sum()
        assert right / r.metrics["n_test"] == pytest.approx(r.metrics["accuracy"])
        # rows are true classes: their sums are the test part's class counts, alike for all
        per_true = cells.groupby("true_class")["n_tracks"].sum()
        assert per_true.sum() == r.metrics["n_test"]
    per_model = confusion.groupby(["model_name", "true_class"])["n_tracks"].sum().unstack()
    assert (per_model.nunique() == 1).all()


def test_scores_cover_every_catalog_track_with_features(demo_run, demo_warehouse):
    scores = demo_run["scores"]["playlist_class_scores"]
    assert list(scores.columns) == list(ml_store.SCORE_TABLES["playlist_class_scores"])
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        expected = {
            t
            for (t,) in con.execute(
                "select track_id from marts.dim_spotify_tracks where has_audio_features"
            ).fetchall()
        }
        n_scrobble_only = con.execute(
            "select count(*) from marts.dim_spotify_tracks "
            "where has_audio_features and n_own_playlist_entries = 0"
        ).fetchone()[0]
    assert scores["track_id"].is_unique
    assert set(scores["track_id"]) == expected
    assert n_scrobble_only > 0  # tracks in no own playlist are scored too
    assert scores["run_id"].isna().all()
    assert (scores["label_set"] == "own_playlists").all()
    classes = sorted(demo_run["y"].unique())
    for row in scores.itertuples():
        probs = json.loads(row.class_probabilities)
        assert list(probs) == classes  # keys sorted, every class
        assert sum(probs.values()) == pytest.approx(1.0, abs=1e-9)
        assert all(0.0 <= p <= 1.0 for p in probs.values())
        assert row.predicted_probability == pytest.approx(max(probs.values()))
        assert probs[row.predicted_class] == pytest.approx(row.predicted_probability)


def test_labelled_flags_and_true_classes(demo_run):
    scores = demo_run["scores"]["playlist_class_scores"].set_index("track_id")
    y = demo_run["y"]
    labelled = set(y.index)
    assert set(scores.index[scores["is_labelled"]]) == labelled
    assert scores.loc[~scores["is_labelled"], "true_class"].isna().all()
    first = y.groupby(level=0).min()
    assert (scores.loc[list(first.index), "true_class"] == first).all()
    # the fitted model knows its training tracks better than chance
    on_labelled = scores[scores["is_labelled"]]
    hit = (on_labelled["predicted_class"] == on_labelled["true_class"]).mean()
    assert hit > 1.5 / y.nunique()


def test_scaling_is_inside_every_pipeline(demo_run):
    for spec in cm.model_specs():
        if isinstance(spec.estimator, DummyClassifier):
            assert spec.is_baseline
            continue
        assert isinstance(spec.estimator, Pipeline), spec.name
        assert isinstance(spec.estimator.steps[0][1], StandardScaler), spec.name
    fitted = _inner_pipeline(demo_run["estimator"])
    assert isinstance(fitted, Pipeline)
    assert isinstance(fitted.steps[0][1], StandardScaler)
    # fitted on unscaled features: the scaler learnt their raw means (tempo ~ 100 bpm)
    tempo = pc.FEATURES.index("tempo_bpm")
    assert fitted.steps[0][1].mean_[tempo] > 50


def test_selected_svm_is_calibrated_without_changing_its_decision(demo_run):
    estimator = demo_run["estimator"]
    selected = next(r for r in demo_run["results"].values() if r.params["is_selected"])
    if not selected.model_name.startswith("svm_"):
        pytest.skip(f"selected {selected.model_name}, not an SVM")
    assert isinstance(estimator, CalibratedClassifierCV)
    assert estimator.ensemble is False and estimator.method == cm.CALIBRATION_METHOD
    X = demo_run["X"]
    svm_pred = _inner_pipeline(estimator).predict(X)
    if np.issubdtype(svm_pred.dtype, np.integer):  # temperature scaling encodes the labels
        svm_pred = estimator.classes_[svm_pred]
    proba_pred = estimator.classes_[estimator.predict_proba(X).argmax(axis=1)]
    assert (svm_pred == proba_pred).mean() > 0.95


def test_artifact_round_trip(demo_run, tmp_path: Path):
    estimator = demo_run["estimator"]
    path, sha = ml_store.save_artifact(estimator, tmp_path, "playlist_classifier")
    loaded = ml_store.load_artifact(path, sha)
    X = demo_run["X"]
    np.testing.assert_array_equal(loaded.predict_proba(X), estimator.predict_proba(X))


def test_scores_publish_into_the_ml_schema(demo_run, demo_warehouse: Path, tmp_path: Path):
    warehouse = tmp_path / "copy.duckdb"
    warehouse.write_bytes(demo_warehouse.read_bytes())
    paths = Paths(tmp_path, warehouse)
    ml_store.publish(paths, "run-1", list(demo_run["results"].values()), demo_run["scores"], "demo")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        n, n_null_true, n_labelled = con.execute(
            "select count(*), count_if(true_class is null), count_if(is_labelled) "
            "from ml.playlist_class_scores"
        ).fetchone()
        # the demo warehouse is `run`'s, with its own model runs: count this run's
        n_runs = con.execute(
            "select count(*) from ml.model_runs where run_id = 'run-1'"
        ).fetchone()[0]
    scores = demo_run["scores"]["playlist_class_scores"]
    assert n == len(scores)
    assert n_labelled == scores["is_labelled"].sum() == n - n_null_true
    assert n_runs == len(demo_run["results"])


def test_same_seed_same_metrics_and_scores(demo_run, demo_warehouse: Path, small_grids):
    names = ["svm_rbf_balanced", "mlp", "baseline_stratified"]
    X, y, groups = demo_run["X"], demo_run["y"], demo_run["groups"]
    again = pc.evaluate(X, y, groups, seed=42, models=names, progress=False)
    for name in names:
        assert again.evaluations[name].metrics == demo_run["results"][name].metrics
    selected = next(r.model_name for r in demo_run["results"].values() if r.params["is_selected"])
    with duckdb.connect(str(demo_warehouse), read_only=True) as con:
        ids, catalog_X = pc.load_catalog(con)
    scores = pc.fit_and_score(
        X, y, ids, catalog_X, selected, groups=groups, label_set="own_playlists", seed=42
    )
    pd.testing.assert_frame_equal(scores, demo_run["scores"]["playlist_class_scores"])


def test_unknown_label_set_is_refused(demo_warehouse: Path):
    with (
        duckdb.connect(str(demo_warehouse), read_only=True) as con,
        pytest.raises(ValueError, match="unknown label set"),
    ):
        pc.load_labelled(con, "genres'; drop table marts.dim_spotify_tracks; --")


# --- real data ----------------------------------------------------------------------------


def test_realdata_genres_every_kernel_weighted_and_unweighted(real_warehouse: Path, small_grids):
    with duckdb.connect(str(real_warehouse), read_only=True) as con:
        assert pc.choose_label_set(con) == "genres"  # one own playlist only
        X, y, groups = pc.load_labelled(con, "genres")
    assert y.value_counts().to_dict() == {
        "Country": 416,
        "Movie": 408,
        "Alternative": 310,
        "R&B": 144,
        "A Capella": 119,
    }
    assert groups.nunique() < len(groups)  # some tracks carry two genres
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cm, "SVM_GRIDS", {k: {"svc__C": [1.0]} for k in cm.SVM_GRIDS})
        report = pc.evaluate(
            X, y, groups, seed=42, models=[*SVM_NAMES, "baseline_majority"], progress=False
        )
    for name in SVM_NAMES:
        m = report.evaluations[name].metrics
        assert len(report.evaluations[name].cv_scores) == 5
        assert 0.0 < m["cv_balanced_accuracy_mean"] <= 1.0
        assert np.isfinite(m["cv_balanced_accuracy_std"])
    majority = report.evaluations["baseline_majority"].metrics["cv_balanced_accuracy_mean"]
    assert majority == pytest.approx(0.2)
    best = report.evaluations[report.best_model_name].metrics["cv_balanced_accuracy_mean"]
    assert best >= majority + CLEAR_MARGIN
