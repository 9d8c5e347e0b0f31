"""The one shape every model task has: ``task.run(ctx) -> TaskOutput``.

A task (the playlist classifier, the skip model, playlist continuation, next track) is a
`Task`: its name on the command line (`lw evaluate <name>`), the marts it reads, why it
has nothing to learn from (or None), and ``run``, which fits and evaluates on the marts
of ``ctx.con`` and returns the model runs, the score tables and the estimator to save.
`models_py.train` runs the list `models_py.train.TASKS`; each model module defines its
``MODEL_TASK``. The tasks only read (``ctx.con`` is read-only); `ml_store.publish` writes what
they return in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from models_py.ml_store import ModelResult


@dataclass(frozen=True)
class TaskContext:
    """What a task runs on: a read-only connection to the warehouse, the raw folder it was
    built from (the demo's skip oracle reads it), the seed, and whether to print progress."""

    con: duckdb.DuckDBPyConnection
    raw_dir: Path | None = None
    seed: int = 42
    progress: bool = True


@dataclass
class TaskOutput:
    """A task's model runs (baselines flagged), its score tables (without ``run_id``) and
    the fitted estimator of its selected model (None: nothing to save, e.g. a query)."""

    results: list[ModelResult] = field(default_factory=list)
    scores: dict[str, pd.DataFrame] = field(default_factory=dict)
    estimator: Any = None


@dataclass(frozen=True)
class Task:
    """One model task; ``best_metric`` picks the model whose estimator is saved."""

    name: str
    title: str
    reads: tuple[str, ...]
    missing_input: Callable[[duckdb.DuckDBPyConnection], str | None]
    run: Callable[[TaskContext], TaskOutput]
    best_metric: str | None = None

    def best_model(self, results: list[ModelResult]) -> str | None:
        """The trained (not baseline) model with the highest ``best_metric``."""
        if self.best_metric is None:
            return None
        trained = [r for r in results if not r.is_baseline and self.best_metric in r.metrics]
        if not trained:
            return None
        return max(trained, key=lambda r: r.metrics[self.best_metric]).model_name
