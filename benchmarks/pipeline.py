"""Stage ``pipeline``: the whole job `make run` does, at scale, step by step.

Steps: ``generate`` every raw format, ``build`` everything with dbt (``dbt build``: every
model and data test) into a fresh warehouse, ``rebuild`` with no new files (the
incremental sources skip the files they loaded), ``train`` the Python models, ``score``
(the marts that read the models' output: ``dbt build --select source:ml+``) and
``publish`` the snapshot BI tools read — what ``python -m models_py run`` does. Each
model's wall time comes from dbt's ``run_results.json``.
"""

from __future__ import annotations

import re
from pathlib import Path

from benchmarks.harness import Recorder, Step, markdown_table
from benchmarks.prepare import (
    BenchOptions,
    count_rows,
    dbt_build,
    dbt_manifest,
    ensure_raw_data,
)
from models_py import ml_store
from models_py.generate import SOURCES
from models_py.warehouse import Paths

STAGE = "pipeline"
STEPS = ("generate", "build", "rebuild", "train", "score", "publish")
TOP_MODELS = 10


def built(rec: Recorder) -> Step | None:
    """The full build the ``pipeline`` stage of this run measured (into the benchmark's
    warehouse, at its scale), when it succeeded: later stages reuse it, not rebuild it."""
    return next(
        (s for s in rec.steps if s.stage == STAGE and s.step == "build" and s.status == "ok"),
        None,
    )


# rows of a build: the staged rows of the three large sources (playlist entries, session
# events, scrobbles); a fixed list of relations the build makes
STAGED = (
    "marts.fct_playlist_tracks",
    "staging.stg_mssd__session_events",
    "staging.stg_lastfm__scrobbles",
)
# the marts the score step rebuilds from the models' output
SCORED = (
    "marts.fct_track_class_scores",
    "marts.fct_skip_predictions",
    "marts.fct_playlist_continuations",
    "marts.fct_next_track_suggestions",
    "marts.fct_own_playlist_continuations",
)
# what the train step writes: every score table of the ml schema
ML_TABLES = tuple(f"ml.{name}" for name in ml_store.SCORE_TABLES)


def model_times(nodes: list[dict]) -> list[dict]:
    """The models of a dbt run, slowest first: name, seconds, status."""
    models = [n for n in nodes if n["type"] == "model"]
    return sorted(
        ({"name": n["name"], "seconds": n["seconds"], "status": n["status"]} for n in models),
        key=lambda m: (-m["seconds"], m["name"]),
    )


_SKIPPED = re.compile(r"where source_file not in \(((?:'(?:[^']|'')*'(?:, )?)+)\)")
_QUOTED = re.compile(r"'(?:[^']|'')*'")


def incremental_models(opts: BenchOptions) -> dict[str, Path]:
    """The incremental models and their compiled SQL, from dbt's manifest of the last run."""
    nodes = dbt_manifest(opts.dirs)["nodes"].values()
    return {
        n["name"]: opts.dirs.dbt_target / "compiled" / n["package_name"] / n["original_file_path"]
        for n in sorted(nodes, key=lambda n: n["name"])
        if n["resource_type"] == "model" and n["config"].get("materialized") == "incremental"
    }


def files_skipped(compiled: Path) -> int:
    """How many raw files an incremental model's last compiled SQL skips (loaded before,
    unchanged): the ``where source_file not in (…)`` list of ``macros/staging``."""
    match = _SKIPPED.search(compiled.read_text(encoding="utf-8"))
    return len(_QUOTED.findall(match.group(1))) if match else 0


def full_build(rec: Recorder, opts: BenchOptions, stage: str, name: str = "build") -> Step:
    """``dbt build`` of every node into a fresh warehouse; rows = staged rows of the large
    sources. Shared by the stages that compare against a whole build."""
    with rec.step(stage, name) as step:
        nodes = dbt_build(step, opts.dirs, None)
        counts = count_rows(opts.dirs.warehouse, STAGED)
        step.rows = sum(counts.values())
        step.note = "rows = staged playlist entries + session events + scrobbles"
        step.details["rows"] = counts
        step.details["models"] = model_times(nodes)
    return step


def run(rec: Recorder, opts: BenchOptions) -> dict:
    """Generate, build, rebuild, train, score and publish; returns the stage's summary."""
    from models_py.publish import publish
    from models_py.train import train

    with rec.step(STAGE, "generate") as step:
        manifest = ensure_raw_data(step, opts.dirs, opts.scale, opts.seed, SOURCES)
    raw_bytes = manifest["bytes"]
    if opts.stop_after("generate"):
        return {}

    build = full_build(rec, opts, STAGE)
    summary: dict = {
        "raw_bytes": raw_bytes,
        "build": _figures(build),
        "models": build.details["models"],
    }
    rec.stages[STAGE] = summary
    if opts.stop_after("build"):
        rec.save()
        return summary

    incremental = incremental_models(opts)
    with rec.step(STAGE, "rebuild") as step:
        before = count_rows(opts.dirs.warehouse, STAGED)
        nodes = dbt_build(step, opts.dirs, None, fresh=False)
        after = count_rows(opts.dirs.warehouse, STAGED)
        step.rows = sum(after.values())
        step.note = "no new files: a second dbt build on the same warehouse"
        first = {m["name"]: m["seconds"] for m in build.details["models"]}
        second = {m["name"]: m["seconds"] for m in model_times(nodes)}
        step.details["models"] = model_times(nodes)
        step.details["incremental"] = [
            {
                "name": name,
                "first_seconds": first.get(name),
                "second_seconds": second.get(name),
                "files_skipped": files_skipped(compiled),
            }
            for name, compiled in incremental.items()
        ]
        step.details["rows_before"], step.details["rows_after"] = before, after
    summary["rebuild"] = {
        **_figures(step),
        "incremental": step.details["incremental"],
        "staged_rows_unchanged": before == after,
    }
    rec.save()

    paths = Paths(opts.dirs.raw.resolve(), opts.dirs.warehouse.resolve())
    with rec.step(STAGE, "train") as step:
        results = train(paths, seed=opts.seed)
        step.rows = sum(count_rows(opts.dirs.warehouse, ML_TABLES).values())
        step.note = "rows = score rows written to the ml schema"
        step.details["models"] = sorted({r.model_name for r in results})
    summary["train"] = _figures(step)

    with rec.step(STAGE, "score") as step:
        nodes = dbt_build(step, opts.dirs, ["source:ml+"], fresh=False, cautious=False)
        counts = count_rows(opts.dirs.warehouse, SCORED)
        step.rows = sum(counts.values())
        step.note = "rows = rows of the scored marts"
        step.details["rows"] = counts
        step.details["models"] = model_times(nodes)
    summary["score"] = _figures(step)

    with rec.step(STAGE, "publish") as step:
        snapshot = publish(paths, progress=False)
        step.rows = snapshot.n_rows
        step.details = {"version": snapshot.version, "n_tables": len(snapshot.tables)}
    summary["publish"] = _figures(step)
    rec.save()
    return summary


def _figures(step: Step) -> dict:
    return {
        "seconds": round(step.seconds, 3),
        "cpu_seconds": round(step.cpu_seconds, 3),
        "rows": step.rows,
        "rows_per_second": round(step.rows_per_second or 0.0, 1),
        "peak_rss_mb": round(step.peak_rss_mb),
    }


def markdown(summary: dict, top: int = TOP_MODELS) -> str:
    """The slowest models of the full build and the rebuild with no new files."""
    models = summary.get("models", [])
    total = sum(m["seconds"] for m in models)
    rows = [
        [m["name"], f"{m['seconds']:,.2f}", f"{m['seconds'] / total:.0%}" if total else ""]
        for m in models[:top]
    ]
    lines = [
        f"### pipeline: the {min(top, len(models))} slowest of {len(models)} models "
        f"(all in the JSON)",
        "",
        markdown_table(["model", "wall s", "share of model time"], rows),
        "",
        f"Full build {summary['build']['seconds']:,.1f} s on "
        f"{summary['raw_bytes'] / 1e6:,.0f} MB of raw files.",
    ]
    if "rebuild" in summary:
        r = summary["rebuild"]
        inc = ", ".join(
            f"{m['name']} {m['first_seconds'] or 0:.2f} → {m['second_seconds'] or 0:.2f} s "
            f"({m['files_skipped']} files skipped unread)"
            for m in r["incremental"]
        )
        same = "unchanged" if r["staged_rows_unchanged"] else "CHANGED"
        lines += [
            f"Second build with no new files: {r['seconds']:,.1f} s (staged rows {same}); "
            f"incremental models, first → second build: {inc}. The table-materialised "
            "sources (Spotify files, session track features) are read again by every build.",
        ]
    return "\n".join(lines)
