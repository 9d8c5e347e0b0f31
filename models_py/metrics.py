"""WSDM Cup 2019 (Spotify Sequential Skip Prediction) evaluation metrics.

For one session with T events to predict, the *average accuracy* is

    AA = (1/T) * sum_i L(i) * A(i)

where L(i) is 1 when prediction i is right and A(i) is the accuracy over the first i
predictions. The challenge score is the unweighted mean of AA over sessions (MAA); the
secondary score is the accuracy of the first prediction of each session (FPA).

All functions here are vectorised with numpy: no Python loop over sessions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

__all__ = [
    "Evaluation",
    "average_accuracy",
    "evaluate",
    "first_prediction_accuracy",
    "mean_average_accuracy",
    "session_average_accuracies",
]

ArrayLike = Sequence | np.ndarray | pd.Series


def _as_bool(values: ArrayLike) -> np.ndarray:
    return np.asarray(values).astype(bool)


def average_accuracy(pred: ArrayLike, truth: ArrayLike) -> float:
    """Average accuracy of one session's predictions, events in position order.

    >>> round(average_accuracy([0, 1, 1, 1, 1], [1, 1, 1, 1, 1]), 3)
    0.543
    """
    p = _as_bool(pred)
    t = _as_bool(truth)
    if p.shape != t.shape:
        raise ValueError(f"pred and truth differ in length: {p.shape} vs {t.shape}")
    if p.size == 0:
        raise ValueError("a session needs at least one prediction")
    right = p == t
    running = np.cumsum(right) / np.arange(1, right.size + 1)
    return float(np.mean(running * right))


def _sorted_groups(
    session_ids: ArrayLike, positions: ArrayLike | None
) -> tuple[np.ndarray, np.ndarray]:
    """Stable order of events by (session, position) and the start index of each session."""
    sid = np.asarray(session_ids)
    if positions is None:
        order = np.argsort(sid, kind="stable")
    else:
        order = np.lexsort((np.asarray(positions), sid))
    sorted_sid = sid[order]
    starts = np.flatnonzero(np.r_[True, sorted_sid[1:] != sorted_sid[:-1]])
    return order, starts


def session_average_accuracies(
    session_ids: ArrayLike,
    pred: ArrayLike,
    truth: ArrayLike,
    positions: ArrayLike | None = None,
) -> np.ndarray:
    """AA of every session, in sorted session-id order.

    Events are grouped by ``session_ids`` and ordered by ``positions`` within a session
    (when ``positions`` is None the given order within each session is kept).
    """
    p = _as_bool(pred)
    t = _as_bool(truth)
    if not (len(p) == len(t) == len(np.asarray(session_ids))):
        raise ValueError("session_ids, pred and truth must have the same length")
    if len(p) == 0:
        raise ValueError("no events to score")
    order, starts = _sorted_groups(session_ids, positions)
    right = (p == t)[order].astype(np.float64)
    n = right.size
    lengths = np.diff(np.r_[starts, n])
    group_start = np.repeat(starts, lengths)
    idx_in_group = np.arange(n) - group_start + 1
    csum = np.cumsum(right)
    before = np.r_[0.0, csum][group_start]
    running = (csum - before) / idx_in_group
    return np.add.reduceat(running * right, starts) / lengths


def mean_average_accuracy(
    data: pd.DataFrame | ArrayLike,
    pred: ArrayLike | str | None = None,
    truth: ArrayLike | str | None = None,
    positions: ArrayLike | str | None = None,
) -> float:
    """Mean over sessions of the average accuracy (the WSDM Cup 2019 score).

    Call either with arrays ``mean_average_accuracy(session_ids, pred, truth, positions)``
    or with a DataFrame and column names
    ``mean_average_accuracy(df, "pred", "truth", "session_position")``
    (defaults: ``session_id``, ``pred``, ``truth``, ``session_position`` if present).
    """
    sid, p, t, pos = _unpack(data, pred, truth, positions)
    return float(np.mean(session_average_accuracies(sid, p, t, pos)))


def first_prediction_accuracy(
    data: pd.DataFrame | ArrayLike,
    pred: ArrayLike | str | None = None,
    truth: ArrayLike | str | None = None,
    positions: ArrayLike | str | None = None,
) -> float:
    """Share of sessions whose first predicted event is predicted right (same call forms)."""
    sid, p, t, pos = _unpack(data, pred, truth, positions)
    order, starts = _sorted_groups(sid, pos)
    right = (_as_bool(p) == _as_bool(t))[order]
    return float(np.mean(right[starts]))


def _unpack(
    data: pd.DataFrame | ArrayLike,
    pred: ArrayLike | str | None,
    truth: ArrayLike | str | None,
    positions: ArrayLike | str | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    if isinstance(data, pd.DataFrame):
        pred_col = pred if isinstance(pred, str) else "pred"
        truth_col = truth if isinstance(truth, str) else "truth"
        if isinstance(positions, str):
            pos = data[positions].to_numpy()
        elif positions is None and "session_position" in data.columns:
            pos = data["session_position"].to_numpy()
        else:
            pos = None if positions is None else np.asarray(positions)
        return (
            data["session_id"].to_numpy(),
            data[pred_col].to_numpy(),
            data[truth_col].to_numpy(),
            pos,
        )
    if pred is None or truth is None:
        raise TypeError("with arrays, pass session_ids, pred and truth")
    return (
        np.asarray(data),
        np.asarray(pred),
        np.asarray(truth),
        None if positions is None else np.asarray(positions),
    )


@dataclass
class Evaluation:
    """WSDM metrics of one predictor on one split."""

    maa: float
    fpa: float
    accuracy: float
    auc: float | None
    n_sessions: int
    n_events: int

    def as_metrics(self) -> dict[str, float]:
        """The metrics as a model run records them (counts as floats, AUC when known)."""
        out = {"maa": self.maa, "fpa": self.fpa, "accuracy": self.accuracy}
        if self.auc is not None:
            out["auc"] = self.auc
        out["n_sessions_test"] = float(self.n_sessions)
        out["n_events_test"] = float(self.n_events)
        return out


def evaluate(events: pd.DataFrame, pred: np.ndarray, proba: np.ndarray | None = None) -> Evaluation:
    """MAA, FPA, per-event accuracy and (with probabilities) ROC AUC of ``pred``."""
    truth = events["skip_label"].to_numpy(dtype=bool)
    pred = np.asarray(pred, dtype=bool)
    sid = events["session_id"].to_numpy()
    pos = events["session_position"].to_numpy()
    auc = None
    if proba is not None and len(np.unique(truth)) == 2:
        auc = float(roc_auc_score(truth, proba))
    return Evaluation(
        maa=mean_average_accuracy(sid, pred, truth, pos),
        fpa=first_prediction_accuracy(sid, pred, truth, pos),
        accuracy=float(np.mean(pred == truth)),
        auc=auc,
        n_sessions=int(pd.unique(sid).size),
        n_events=int(len(truth)),
    )
