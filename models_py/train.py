"""Train every model on the marts, save the artifacts, write scores and runs back.

One run = the playlist classifier, the skip model, playlist continuation and next-track
recommendation, each evaluated against its baselines.
Everything the run writes to the `ml` schema goes in one transaction at the end
(`ml_store.publish`): a run that fails or is killed leaves the previous results intact.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pandas as pd

from models_py import ml_store
from models_py.tasks import Task, TaskContext, TaskOutput
from models_py.warehouse import Paths

log = logging.getLogger("lw")

# Metrics shown in the printed comparison, per task family, in this order; rows are
# sorted by the first (the headline metric).
SHOWN_METRICS = {
    "skip_prediction": ["maa", "fpa", "accuracy", "auc"],
    "next_track": ["hit_rate_at_10", "mrr", "n_test_transitions"],
    "playlist_continuation": [
        "r_precision",
        "ndcg",
        "clicks",
        "n_playlists",
        "playlists_per_second",
    ],
    "playlist_classifier": [
        "cv_balanced_accuracy_mean",
        "cv_balanced_accuracy_std",
        "balanced_accuracy",
        "accuracy",
        "macro_f1",
    ],
}


def _attach_artifact(
    results: list[ml_store.ModelResult], estimator, model_name: str, directory: Path
) -> None:
    """Save the estimator and record its path and hash on the result of that model."""
    path, digest = ml_store.save_artifact(estimator, directory, model_name)
    for r in results:
        if r.model_name == model_name:
            r.artifact_path, r.artifact_sha256 = path, digest
            return
    raise ValueError(f"no result named {model_name} to attach the artifact to")


def _has_input(title: str, missing: str | None) -> bool:
    """Print the task's heading, or the one line saying why it is skipped."""
    log.info("%s", f"{title}: skipped ({missing})" if missing else f"{title}:")
    return missing is None


def comparison_table(results: list[ml_store.ModelResult]) -> str:
    """Model × metric, one block per task; baselines marked with *."""
    blocks = []
    for task in sorted({r.task for r in results}):
        family = task.split(":")[0]
        metrics = SHOWN_METRICS.get(family) or sorted(
            {m for r in results if r.task == task for m in r.metrics}
        )
        rows = {
            (r.model_name + (" *" if r.is_baseline else "")): {m: r.metrics.get(m) for m in metrics}
            for r in results
            if r.task == task
        }
        frame = pd.DataFrame.from_dict(rows, orient="index", columns=metrics)
        frame = frame.sort_values(metrics[0], ascending=False, na_position="last")
        blocks.append(f"{task}\n{frame.to_string(float_format=lambda v: f'{v:.3f}')}")
    return "\n\n".join(blocks) + "\n(* baseline)"


def tasks() -> tuple[Task, ...]:
    """Every model task, in the order a run trains them (`lw evaluate <name>` runs one)."""
    from models_py import continuation, next_track, playlist_classifier, skip_model

    return (
        playlist_classifier.MODEL_TASK,
        skip_model.MODEL_TASK,
        continuation.MODEL_TASK,
        next_track.MODEL_TASK,
    )


def run_task(task: Task, ctx: TaskContext, artifacts: Path | None) -> TaskOutput | None:
    """One task on the marts (None when it has no input), its best estimator saved under
    ``artifacts`` (None: nothing saved, as `lw evaluate` runs it)."""
    if not _has_input(task.title, task.missing_input(ctx.con)):
        return None
    out = task.run(ctx)
    best = task.best_model(out.results)
    if artifacts is not None and out.estimator is not None and best is not None:
        _attach_artifact(out.results, out.estimator, best, artifacts)
    return out


def train(paths: Paths, seed: int = 42) -> list[ml_store.ModelResult]:
    """Run every task; publish atomically; return the results."""
    run_id = ml_store.new_run_id()
    # beside the warehouse (data/artifacts by default), so every warehouse has its own
    artifacts = paths.warehouse.parent / "artifacts" / run_id
    results: list[ml_store.ModelResult] = []
    scores: dict[str, pd.DataFrame] = {}

    t0 = time.perf_counter()
    with ml_store.connect(paths, read_only=True) as con:
        reads = sorted({relation for task in tasks() for relation in task.reads})
        snapshots = [ml_store.data_snapshot(con, relation) for relation in reads]
        ctx = TaskContext(con, paths.raw_dir, seed=seed)
        for task in tasks():
            out = run_task(task, ctx, artifacts)
            if out is not None:
                results += out.results
                scores.update(out.scores)

    # a task without data (e.g. no session logs) empties its score table: scores of an
    # earlier dataset must not look current
    for name, columns in ml_store.SCORE_TABLES.items():
        scores.setdefault(name, pd.DataFrame(columns=list(columns)))
    for frame in scores.values():
        frame["run_id"] = run_id
    ml_store.publish(paths, run_id, results, scores, ";".join(snapshots))
    log.info("run %s written to the ml schema in %.1fs", run_id, time.perf_counter() - t0)
    log.info("%s", comparison_table(results) if results else "no model had data to learn from")
    return results
