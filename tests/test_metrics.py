"""WSDM Cup 2019 skip metrics against the published test vectors."""

import numpy as np
import pandas as pd
import pytest

from models_py.metrics import (
    average_accuracy,
    first_prediction_accuracy,
    mean_average_accuracy,
    session_average_accuracies,
)

TRUTH = [1, 1, 1, 1, 1]


@pytest.mark.parametrize(
    ("pred", "expected"),
    [
        ([0, 1, 1, 1, 1], 0.543),
        ([1, 0, 1, 1, 1], 0.643),
        ([1, 1, 0, 1, 1], 0.710),
        ([1, 1, 1, 0, 1], 0.760),
        ([1, 1, 1, 1, 0], 0.800),
        ([1, 1, 1, 1, 1], 1.000),
        ([0, 0, 0, 0, 0], 0.000),
    ],
)
def test_average_accuracy_vectors(pred, expected):
    assert round(average_accuracy(pred, TRUTH), 3) == expected


def test_average_accuracy_rejects_mismatched_lengths():
    with pytest.raises(ValueError):
        average_accuracy([1, 0], [1, 0, 1])


def test_mean_average_accuracy_is_unweighted_over_sessions():
    # session a: 5 events AA 0.543; session b: 2 events all right AA 1.0
    sid = ["a"] * 5 + ["b"] * 2
    pred = [0, 1, 1, 1, 1, 0, 1]
    truth = [1, 1, 1, 1, 1, 0, 1]
    expected = (average_accuracy(pred[:5], truth[:5]) + 1.0) / 2
    assert mean_average_accuracy(sid, pred, truth) == pytest.approx(expected)
    # an event-weighted mean would differ
    assert mean_average_accuracy(sid, pred, truth) != pytest.approx(
        (5 * average_accuracy(pred[:5], truth[:5]) + 2 * 1.0) / 7
    )


def test_mean_average_accuracy_orders_events_by_position():
    df = pd.DataFrame(
        {
            "session_id": ["s"] * 5 + ["t"] * 3,
            "session_position": [15, 14, 13, 12, 11, 3, 1, 2],
            "pred": [1, 1, 1, 1, 0, 1, 0, 1],  # position order: 0,1,1,1,1 | 0,1,1
            "truth": [1] * 8,
        }
    )
    per_session = session_average_accuracies(
        df["session_id"], df["pred"], df["truth"], df["session_position"]
    )
    assert per_session[0] == pytest.approx(average_accuracy([0, 1, 1, 1, 1], [1] * 5))
    assert per_session[1] == pytest.approx(average_accuracy([0, 1, 1], [1] * 3))
    assert mean_average_accuracy(df) == pytest.approx(per_session.mean())


def test_first_prediction_accuracy():
    sid = np.array([1, 1, 1, 2, 2, 3])
    pos = np.array([3, 1, 2, 2, 1, 1])
    pred = np.array([0, 1, 0, 1, 0, 1])
    truth = np.array([1, 1, 1, 1, 1, 0])
    # first events: session 1 pos 1 right, session 2 pos 1 wrong, session 3 wrong
    assert first_prediction_accuracy(sid, pred, truth, pos) == pytest.approx(1 / 3)


def test_vectorised_matches_loop_on_random_sessions():
    rng = np.random.default_rng(0)
    lengths = rng.integers(5, 11, 200)
    sid = np.repeat(np.arange(200), lengths)
    pred = rng.random(len(sid)) < 0.5
    truth = rng.random(len(sid)) < 0.5
    loop = np.mean([average_accuracy(pred[sid == s], truth[sid == s]) for s in range(200)])
    assert mean_average_accuracy(sid, pred, truth) == pytest.approx(loop)
