"""The skip model's baselines on the test events: a fair coin, the training majority,
repeat the last observed skip, and the demo generator's oracle where its file is there."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.csv as pa_csv

from models_py.metrics import Evaluation, evaluate

log = logging.getLogger("lw")

ORACLE_PATH = Path("mssd") / "_oracle" / "skip_oracle.csv"


def read_oracle(raw_dir: Path | None) -> pd.DataFrame | None:
    """The generator's oracle (demo data only), or None when there is none."""
    if raw_dir is None:
        return None
    path = Path(raw_dir) / ORACLE_PATH
    if not path.is_file():
        return None
    table = pa_csv.read_csv(path)
    oracle = table.select(["session_id", "session_position", "p_skip_2", "pred_skip_2"])
    frame = oracle.to_pandas()
    frame["session_id"] = frame["session_id"].astype(object)
    frame["session_position"] = frame["session_position"].astype("int64")
    return frame


def baselines(
    test_events: pd.DataFrame, y_train: np.ndarray, raw_dir: Path | None, seed: int
) -> dict[str, tuple[Evaluation, dict]]:
    """The baselines on the same test events: a fair coin, the training majority, repeat
    the last observed skip, and the generator's oracle when its file is there."""
    rng = np.random.default_rng(seed)
    coin = rng.random(len(test_events)) < 0.5
    majority = bool(y_train.mean() >= 0.5)
    last = test_events["is_last_observed_skipped"].astype(object)
    repeat = last.where(last.notna(), majority).to_numpy(dtype=bool)
    baselines = {
        "random": (evaluate(test_events, coin), {"p": 0.5, "seed": seed}),
        "majority": (
            evaluate(test_events, np.full(len(test_events), majority)),
            {"majority_class": majority, "train_skip_rate": float(y_train.mean())},
        ),
        "repeat_last": (evaluate(test_events, repeat), {"rule": "skip_2 of last observed"}),
    }
    oracle = read_oracle(raw_dir)
    if oracle is None:
        log.info("%s", "skip_model: no oracle file (not generated data); oracle baseline skipped")
    else:
        joined = test_events[["session_id", "session_position", "skip_label"]].merge(
            oracle, on=["session_id", "session_position"], how="inner"
        )
        if len(joined) < len(test_events):
            log.info(
                "%s",
                f"skip_model: oracle covers {len(joined):,} of {len(test_events):,} test events",
            )
        if len(joined):
            baselines["oracle"] = (
                evaluate(
                    joined,
                    joined["pred_skip_2"].to_numpy(dtype=bool),
                    joined["p_skip_2"].to_numpy(dtype=float),
                ),
                {"source": str(ORACLE_PATH), "coverage": len(joined) / len(test_events)},
            )
    return baselines
