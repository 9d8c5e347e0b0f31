"""The playlist classifier's models: the candidate estimators and their grids, the
evaluation (held-out test part and nested grouped cross-validation against two baselines),
and the final calibrated model that scores the catalog. ``playlist_classifier`` loads the
labels and runs the job; the module docstring there says why the splits are grouped by
track and how the probabilities are calibrated."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.dummy import DummyClassifier
from sklearn.metrics import accuracy_score, balanced_accuracy_score, confusion_matrix, f1_score
from sklearn.model_selection import GridSearchCV, StratifiedGroupKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from models_py import ml_store

log = logging.getLogger("lw")

TEST_SIZE = 0.25  # one fold of a 4-fold split
INNER_SPLITS = 3  # tuning CV on the training part: small, to keep CPU cost low
# Temperature scaling (softmax of the SVM's decision values / T) keeps the tuned SVM's
# decision rule: the most probable class is the class the evaluated SVM predicts (97-100 %
# of test tracks on demo and real data, against 74-82 % for per-class Platt scaling,
# whose fits ignore class_weight and pull predictions towards large classes), for a
# held-out log loss only 0.05-0.08 above Platt's. One parameter: robust on ~300 tracks.
CALIBRATION_METHOD = "temperature"
CALIBRATION_SPLITS = 5


# --- models -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelSpec:
    """A candidate model: an unfitted estimator, its tuning grid, and what to report."""

    name: str
    estimator: BaseEstimator
    grid: dict[str, list] = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    is_baseline: bool = False


SVM_C = [0.3, 1.0, 3.0, 10.0]
SVM_GAMMA: list = ["scale", 0.03, 0.1]
SVM_GRIDS: dict[str, dict[str, list]] = {
    "rbf": {"svc__C": SVM_C, "svc__gamma": SVM_GAMMA},
    "linear": {"svc__C": SVM_C},
    # coef0 = 1 so a degree-2 kernel keeps the linear terms (with 0 it is purely quadratic)
    "poly": {"svc__C": SVM_C, "svc__degree": [2, 3]},
    "sigmoid": {"svc__C": SVM_C, "svc__gamma": SVM_GAMMA},
}
MLP_GRID: dict[str, list] = {"mlp__alpha": [0.3, 1.0, 3.0]}


def model_specs(seed: int = 42) -> list[ModelSpec]:
    """The 8 SVMs (4 kernels x balanced/unweighted), the MLP and the two baselines."""
    specs: list[ModelSpec] = []
    for kernel, grid in SVM_GRIDS.items():
        for weight in ("balanced", None):
            svc = SVC(
                kernel=kernel,
                class_weight=weight,
                coef0=1.0 if kernel == "poly" else 0.0,
                random_state=seed,
            )
            specs.append(
                ModelSpec(
                    name=f"svm_{kernel}_{weight or 'unweighted'}",
                    estimator=Pipeline([("scale", StandardScaler()), ("svc", svc)]),
                    grid=grid,
                    params={"kernel": kernel, "class_weight": weight or "none"},
                )
            )
    # adam with a larger step and tol 1e-3 converges within max_iter on these sizes
    # (lbfgs did not, and took ~10x as long)
    mlp = MLPClassifier(
        hidden_layer_sizes=(16,),
        solver="adam",
        learning_rate_init=0.01,
        tol=1e-3,
        max_iter=300,
        random_state=seed,
    )
    specs.append(
        ModelSpec(
            name="mlp",
            estimator=Pipeline([("scale", StandardScaler()), ("mlp", mlp)]),
            grid=MLP_GRID,
            params={"kernel": "none", "class_weight": "none", "hidden_layer_sizes": [16]},
        )
    )
    specs.append(
        ModelSpec(
            name="baseline_majority",
            estimator=DummyClassifier(strategy="most_frequent"),
            params={"kernel": "none", "class_weight": "none", "strategy": "most_frequent"},
            is_baseline=True,
        )
    )
    specs.append(
        ModelSpec(
            name="baseline_stratified",
            estimator=DummyClassifier(strategy="stratified", random_state=seed),
            params={"kernel": "none", "class_weight": "none", "strategy": "stratified"},
            is_baseline=True,
        )
    )
    return specs


def _spec(name: str, seed: int) -> ModelSpec:
    specs = {s.name: s for s in model_specs(seed)}
    if name not in specs:
        raise ValueError(f"unknown model {name!r}; expected one of {sorted(specs)}")
    return specs[name]


def _grouped_splits(
    y: pd.Series | np.ndarray, groups: pd.Series | np.ndarray, n_splits: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Stratified, grouped (a track never on both sides), shuffled with a fixed seed."""
    cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return list(cv.split(np.zeros(len(y)), np.asarray(y), np.asarray(groups)))


def _fit_tuned(
    spec: ModelSpec,
    X: pd.DataFrame,
    y: pd.Series,
    groups: pd.Series,
    seed: int,
    fold: int = 0,
) -> tuple[BaseEstimator, dict]:
    """Fit ``spec`` on (X, y), its hyperparameters chosen by grouped CV on (X, y) only.

    Every ``random_state`` of the estimator is set to ``seed + fold``: with one seed for
    all folds, the stratified dummy drew the same sequence in every (similarly ordered)
    test fold, which made its CV std ~0 and its mean a single lucky draw.
    """
    estimator = clone(spec.estimator)
    estimator.set_params(
        **{k: seed + fold for k in estimator.get_params() if k.endswith("random_state")}
    )
    y = y.to_numpy(dtype=object)
    if not spec.grid:
        return estimator.fit(X, y), {}
    search = GridSearchCV(
        estimator,
        spec.grid,
        scoring="balanced_accuracy",
        cv=_grouped_splits(y, groups, INNER_SPLITS, seed),
        n_jobs=1,
        refit=True,
    )
    search.fit(X, y)
    chosen = {k.split("__", 1)[1]: v for k, v in search.best_params_.items()}
    return search.best_estimator_, chosen


# --- evaluation ---------------------------------------------------------------------------


@dataclass
class ModelEvaluation:
    """One model's held-out and cross-validated results."""

    name: str
    is_baseline: bool
    params: dict
    metrics: dict[str, float]
    confusion: pd.DataFrame  # test part: rows true class, columns predicted class
    cv_scores: list[float]
    seconds: float


@dataclass
class ClassifierReport:
    """Every model's evaluation on one labelled set, and the split it used."""

    classes: list[str]
    n_train: int
    n_test: int
    evaluations: dict[str, ModelEvaluation]

    @property
    def best_model_name(self) -> str:
        """The non-baseline with the highest CV balanced accuracy (first on ties)."""
        candidates = [e for e in self.evaluations.values() if not e.is_baseline]
        best = max(candidates, key=lambda e: e.metrics["cv_balanced_accuracy_mean"])
        return best.name

    def table(self) -> pd.DataFrame:
        """One row per model: the headline metrics and the chosen hyperparameters."""
        rows = []
        for e in self.evaluations.values():
            chosen = {k: v for k, v in e.params.items() if k not in ("kernel", "class_weight")}
            rows.append(
                {
                    "model": e.name,
                    "class_weight": e.params.get("class_weight"),
                    "accuracy": e.metrics["accuracy"],
                    "balanced_accuracy": e.metrics["balanced_accuracy"],
                    "macro_f1": e.metrics["macro_f1"],
                    "cv_bal_acc_mean": e.metrics["cv_balanced_accuracy_mean"],
                    "cv_bal_acc_std": e.metrics["cv_balanced_accuracy_std"],
                    "params": json.dumps(chosen, sort_keys=True, default=str),
                    "seconds": round(e.seconds, 1),
                }
            )
        return pd.DataFrame(rows).set_index("model")


def _evaluate_one(
    spec: ModelSpec,
    X: pd.DataFrame,
    y: pd.Series,
    groups: pd.Series,
    split: tuple[np.ndarray, np.ndarray],
    outer: list[tuple[np.ndarray, np.ndarray]],
    classes: list[str],
    seed: int,
) -> ModelEvaluation:
    t0 = time.perf_counter()
    train_idx, test_idx = split
    fitted, chosen = _fit_tuned(
        spec, X.iloc[train_idx], y.iloc[train_idx], groups.iloc[train_idx], seed
    )
    y_test = y.iloc[test_idx].to_numpy(dtype=object)
    y_pred = fitted.predict(X.iloc[test_idx])
    cv_scores = []
    for fold, (tr, te) in enumerate(outer, start=1):
        model, _ = _fit_tuned(spec, X.iloc[tr], y.iloc[tr], groups.iloc[tr], seed, fold)
        cv_scores.append(
            float(
                balanced_accuracy_score(
                    y.iloc[te].to_numpy(dtype=object), model.predict(X.iloc[te])
                )
            )
        )
    metrics = {
        "accuracy": float(accuracy_score(y_test, y_pred)),
        "balanced_accuracy": float(balanced_accuracy_score(y_test, y_pred)),
        "macro_f1": float(
            f1_score(y_test, y_pred, labels=classes, average="macro", zero_division=0)
        ),
        "cv_balanced_accuracy_mean": float(np.mean(cv_scores)),
        "cv_balanced_accuracy_std": float(np.std(cv_scores)),
        "n_train": float(len(train_idx)),
        "n_test": float(len(test_idx)),
        "n_classes": float(len(classes)),
    }
    confusion = pd.DataFrame(
        confusion_matrix(y_test, y_pred, labels=classes),
        index=pd.Index(classes, name="true_class"),
        columns=pd.Index(classes, name="predicted_class"),
    )
    return ModelEvaluation(
        name=spec.name,
        is_baseline=spec.is_baseline,
        params={**spec.params, **chosen},
        metrics=metrics,
        confusion=confusion,
        cv_scores=cv_scores,
        seconds=time.perf_counter() - t0,
    )


def evaluate(
    X: pd.DataFrame,
    y: pd.Series,
    groups: pd.Series,
    seed: int = 42,
    n_splits: int = 5,
    models: list[str] | None = None,
    progress: bool = True,
) -> ClassifierReport:
    """Evaluate every model (or those named in ``models``) on the labelled set.

    * test part: a stratified, grouped 25 % split; hyperparameters tuned by grouped CV on
      the 75 % training part only; accuracy, balanced accuracy and macro-F1 on the test
      part, plus its confusion matrix (rows true class, columns predicted).
    * ``n_splits``-fold stratified grouped CV on the whole set, re-tuning inside every
      training fold (nested CV): mean and (population) std of the balanced accuracy.

    Prints one line per model as it finishes when ``progress``.
    """
    y = y.astype(object)
    classes = sorted(y.unique())
    if len(classes) < 2:
        raise ValueError(f"need at least two classes, got {classes}")
    split = _grouped_splits(y, groups, round(1 / TEST_SIZE), seed)[0]
    outer = _grouped_splits(y, groups, n_splits, seed)
    specs = model_specs(seed)
    if models is not None:
        unknown = set(models) - {s.name for s in specs}
        if unknown:
            raise ValueError(f"unknown models: {sorted(unknown)}")
        specs = [s for s in specs if s.name in models]
    evaluations: dict[str, ModelEvaluation] = {}
    for spec in specs:
        e = _evaluate_one(spec, X, y, groups, split, outer, classes, seed)
        evaluations[spec.name] = e
        if progress:
            log.info(
                "%s",
                f"  {e.name:<22} balanced accuracy {e.metrics['balanced_accuracy']:.3f} "
                f"(CV {e.metrics['cv_balanced_accuracy_mean']:.3f} "
                f"± {e.metrics['cv_balanced_accuracy_std']:.3f}) {e.seconds:.1f}s",
            )
    return ClassifierReport(
        classes=classes, n_train=len(split[0]), n_test=len(split[1]), evaluations=evaluations
    )


def confusion_frame(report: ClassifierReport, label_set: str) -> pd.DataFrame:
    """Every model's test-part confusion matrix in the layout of
    ``ml_store.SCORE_TABLES['playlist_classifier_confusion']`` (all cells, zeros too)."""
    frames = []
    for e in report.evaluations.values():
        long = e.confusion.stack().rename("n_tracks").reset_index()
        long.insert(0, "label_set", label_set)
        long.insert(0, "model_name", e.name)
        frames.append(long)
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "run_id", None)
    out["n_tracks"] = out["n_tracks"].astype("int64")
    return out[list(ml_store.SCORE_TABLES["playlist_classifier_confusion"])]


# --- final model and scores ---------------------------------------------------------------


def fit_best(
    X: pd.DataFrame,
    y: pd.Series,
    groups: pd.Series | None,
    model_name: str,
    seed: int = 42,
) -> BaseEstimator:
    """Tune and fit ``model_name`` on all labelled data; an estimator with ``predict_proba``.

    SVMs come back as ``CalibratedClassifierCV(Pipeline(scaler, SVC), ensemble=False)``
    calibrated on grouped out-of-fold decision values; the MLP and the dummies as they are.
    """
    y = y.astype(object)
    groups = pd.Series(X.index, index=X.index) if groups is None else groups
    spec = _spec(model_name, seed)
    fitted, _ = _fit_tuned(spec, X, y, groups, seed)
    if hasattr(fitted, "predict_proba"):
        return fitted
    calibrated = CalibratedClassifierCV(
        clone(fitted),
        method=CALIBRATION_METHOD,
        cv=_grouped_splits(y, groups, CALIBRATION_SPLITS, seed),
        ensemble=False,
    )
    return calibrated.fit(X, y.to_numpy(dtype=object))


def score_catalog(
    estimator: BaseEstimator,
    y: pd.Series,
    catalog_ids: pd.Series,
    catalog_X: pd.DataFrame,
    label_set: str,
) -> pd.DataFrame:
    """Class probabilities of every catalog track, in the layout of
    ``ml_store.SCORE_TABLES['playlist_class_scores']`` (``run_id`` None).

    ``y`` (indexed by track_id) gives ``is_labelled`` and ``true_class``; a track with
    several labels gets the first in sort order as ``true_class``. The predicted class is
    the most probable one.
    """
    proba = estimator.predict_proba(catalog_X)
    classes = [str(c) for c in estimator.classes_]
    order = np.argsort(classes)
    best = proba.argmax(axis=1)
    first_label = y.astype(object).groupby(level=0).min()
    ids = catalog_ids.astype(object).to_numpy()
    as_json = [
        json.dumps({classes[j]: float(row[j]) for j in order}, sort_keys=True) for row in proba
    ]
    true_class = first_label.reindex(ids)
    out = pd.DataFrame(
        {
            "run_id": None,
            "track_id": ids,
            "label_set": label_set,
            "predicted_class": np.asarray(classes, dtype=object)[best],
            "predicted_probability": proba[np.arange(len(proba)), best].astype("float64"),
            "class_probabilities": as_json,
            "is_labelled": true_class.notna().to_numpy(),
            "true_class": true_class.astype(object).where(true_class.notna(), None).to_numpy(),
        }
    )
    return out[list(ml_store.SCORE_TABLES["playlist_class_scores"])]


def fit_and_score(
    X: pd.DataFrame,
    y: pd.Series,
    catalog_ids: pd.Series,
    catalog_X: pd.DataFrame,
    model_name: str,
    groups: pd.Series | None = None,
    label_set: str = "own_playlists",
    seed: int = 42,
) -> pd.DataFrame:
    """Refit ``model_name`` on all labelled data and score the catalog (see ``fit_best``
    and ``score_catalog``). ``groups`` defaults to the track ids of ``X``'s index."""
    estimator = fit_best(X, y, groups, model_name, seed)
    return score_catalog(estimator, y, catalog_ids, catalog_X, label_set)
