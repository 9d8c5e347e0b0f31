"""The one place Python reads marts from and writes model results back to the warehouse.

Results live in the `ml` schema:

* `ml.model_runs` — one row per trained model per run (append-only history): run id,
  model, task, parameters, data snapshot, metrics (JSON), trained_at, artifact path and
  its sha256.
* `ml.model_run_metrics` — the same metrics in long form (run, model, metric, value), so a
  comparison table is one query.
* score tables (`ml.<name>` from `SCORE_TABLES`) — replaced whole by each run.

`publish` writes all of a run in ONE DuckDB transaction: a run that fails or is killed
before the commit leaves the previous scores and runs exactly as they were.

Artifacts are saved with skops (no pickle: loading does not execute code) and verified
against their sha256 before loading.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from models_py.warehouse import Paths, open_duckdb

# Score tables a run may replace, with their column types (DuckDB). Identifiers reaching
# SQL come only from here.
SCORE_TABLES: dict[str, dict[str, str]] = {
    "playlist_class_scores": {
        "run_id": "varchar",
        "track_id": "varchar",
        "label_set": "varchar",
        "predicted_class": "varchar",
        "predicted_probability": "double",
        "class_probabilities": "varchar",
        "is_labelled": "boolean",
        "true_class": "varchar",
    },
    "playlist_classifier_confusion": {
        "run_id": "varchar",
        "model_name": "varchar",
        "label_set": "varchar",
        "true_class": "varchar",
        "predicted_class": "varchar",
        "n_tracks": "bigint",
    },
    "playlist_continuations": {
        "run_id": "varchar",
        "playlist_id": "varchar",
        "seed_size": "bigint",
        "rank": "bigint",
        "track_id": "varchar",
        "method": "varchar",
    },
    "own_playlist_continuations": {
        "run_id": "varchar",
        "playlist_id": "varchar",
        "rank": "bigint",
        "track_id": "varchar",
        "score": "double",
        "method": "varchar",
    },
    "next_track_suggestions": {
        "run_id": "varchar",
        "track_id": "varchar",
        "rank": "bigint",
        "next_track_id": "varchar",
        "score": "double",
        "basis": "varchar",
        "method": "varchar",
    },
    "skip_predictions": {
        "run_id": "varchar",
        "session_id": "varchar",
        "session_position": "bigint",
        "split": "varchar",
        "p_skip": "double",
        "predicted_skip": "boolean",
    },
}

MODEL_RUNS_COLUMNS: dict[str, str] = {
    "run_id": "varchar",
    "model_name": "varchar",
    "task": "varchar",
    "is_baseline": "boolean",
    "params": "varchar",
    "data_snapshot": "varchar",
    "metrics": "varchar",
    "trained_at": "timestamp",
    "artifact_path": "varchar",
    "artifact_sha256": "varchar",
}

MODEL_RUN_METRICS_COLUMNS: dict[str, str] = {
    "run_id": "varchar",
    "model_name": "varchar",
    "task": "varchar",
    "metric": "varchar",
    "value": "double",
}


@dataclass
class ModelResult:
    """One trained (or baseline) model of a run, as it goes into `ml.model_runs`."""

    model_name: str
    task: str
    metrics: dict[str, float]
    params: dict = field(default_factory=dict)
    is_baseline: bool = False
    artifact_path: str | None = None
    artifact_sha256: str | None = None


class ArtifactError(RuntimeError):
    """An artifact is missing, altered, or holds types we do not trust."""


@contextmanager
def connect(paths: Paths, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the warehouse, closed afterwards (DuckDB locks the file)."""
    con = open_duckdb(paths.warehouse, read_only=read_only)
    try:
        yield con
    finally:
        con.close()


def new_run_id() -> str:
    """A run id that sorts by time: UTC timestamp and 8 random hex digits."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    return f"{stamp}-{uuid.uuid4().hex[:8]}"


def data_snapshot(con: duckdb.DuckDBPyConnection, relation: str) -> str:
    """`<relation>:<rows>:<content hash>` of a mart, to tie a run to the data it saw.

    `relation` must be a fixed `schema.table` name from the calling module, never input.
    """
    if not all(part.isidentifier() for part in relation.split(".")):
        raise ValueError(f"not a relation name: {relation!r}")
    n, digest = con.execute(
        f"select count(*), coalesce(bit_xor(hash(t)), 0) from {relation} as t"  # noqa: S608 - checked above
    ).fetchall()[0]
    return f"{relation}:{n}:{int(digest) & 0xFFFFFFFFFFFFFFFF:016x}"


def ensure_ml_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the `ml` schema and its tables when absent (empty, typed)."""
    con.execute("create schema if not exists ml")
    tables = {
        "model_runs": MODEL_RUNS_COLUMNS,
        "model_run_metrics": MODEL_RUN_METRICS_COLUMNS,
        **SCORE_TABLES,
    }
    for name, columns in tables.items():
        cols = ", ".join(f"{c} {t}" for c, t in columns.items())
        con.execute(f"create table if not exists ml.{name} ({cols})")


def _typed_select(columns: Mapping[str, str]) -> str:
    return ", ".join(f"cast({c} as {t}) as {c}" for c, t in columns.items())


def publish(
    paths: Paths,
    run_id: str,
    results: list[ModelResult],
    scores: Mapping[str, pd.DataFrame],
    data_snapshots: str,
    trained_at: dt.datetime | None = None,
) -> None:
    """Write a run's score tables and model runs in one transaction (all or nothing)."""
    unknown = set(scores) - set(SCORE_TABLES)
    if unknown:
        raise ValueError(f"unknown score tables: {sorted(unknown)}")
    trained_at = trained_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    runs = pd.DataFrame(
        [
            {
                "run_id": run_id,
                "model_name": r.model_name,
                "task": r.task,
                "is_baseline": r.is_baseline,
                "params": json.dumps(r.params, sort_keys=True, default=str),
                "data_snapshot": data_snapshots,
                "metrics": json.dumps(r.metrics, sort_keys=True),
                "trained_at": trained_at,
                "artifact_path": r.artifact_path,
                "artifact_sha256": r.artifact_sha256,
            }
            for r in results
        ],
        columns=list(MODEL_RUNS_COLUMNS),
    )
    metrics = pd.DataFrame(
        [
            {
                "run_id": run_id,
                "model_name": r.model_name,
                "task": r.task,
                "metric": k,
                "value": float(v),
            }
            for r in results
            for k, v in r.metrics.items()
        ],
        columns=list(MODEL_RUN_METRICS_COLUMNS),
    )
    with connect(paths) as con:
        ensure_ml_schema(con)
        con.execute("begin transaction")
        try:
            for name, frame in scores.items():
                columns = SCORE_TABLES[name]
                missing = set(columns) - set(frame.columns)
                if missing:
                    raise ValueError(f"score table {name} lacks columns {sorted(missing)}")
                # SQL built below: table names are SCORE_TABLES keys, the columns come from
                # this module's schema constants, the values travel in registered frames
                con.register("score_frame", frame)
                con.execute(f"delete from ml.{name}")  # noqa: S608 - see above
                select = _typed_select(columns)
                insert = f"insert into ml.{name} select {select} from score_frame"  # noqa: S608 - see above
                con.execute(insert)
                con.unregister("score_frame")
            con.register("runs_frame", runs)
            select = _typed_select(MODEL_RUNS_COLUMNS)
            insert = f"insert into ml.model_runs select {select} from runs_frame"  # noqa: S608 - see above
            con.execute(insert)
            con.register("metrics_frame", metrics)
            select = _typed_select(MODEL_RUN_METRICS_COLUMNS)
            insert = f"insert into ml.model_run_metrics select {select} from metrics_frame"  # noqa: S608 - see above
            con.execute(insert)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise


# --- artifacts ------------------------------------------------------------------------

TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.", "collections.")


def sha256_of(path: Path) -> str:
    """The sha256 hex digest of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def save_artifact(estimator, directory: Path, name: str) -> tuple[str, str]:
    """Save with skops (no code runs on load); return (path, sha256). Written atomically."""
    import skops.io as sio

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.skops"
    tmp = path.with_suffix(".skops.tmp")
    sio.dump(estimator, tmp)
    tmp.replace(path)
    return str(path), sha256_of(path)


def load_artifact(path: str | Path, expected_sha256: str):
    """Load an artifact after checking its hash and that it holds only trusted types."""
    import skops.io as sio

    path = Path(path)
    if not path.is_file():
        raise ArtifactError(f"artifact {path} does not exist")
    actual = sha256_of(path)
    if actual != expected_sha256:
        raise ArtifactError(f"artifact {path}: sha256 {actual} != recorded {expected_sha256}")
    untrusted = sio.get_untrusted_types(file=path)
    bad = [t for t in untrusted if not t.startswith(TRUSTED_PREFIXES)]
    if bad:
        raise ArtifactError(f"artifact {path} holds untrusted types: {bad}")
    return sio.load(path, trusted=untrusted)
