"""The steps every stage starts with: generated raw data (reused when it is already there)
and a dbt build into the benchmark's own warehouse and dbt artefacts."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import resource
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from benchmarks.harness import Step
from models_py.generate import SOURCES, generate, parse_sources
from models_py.warehouse import REPO_ROOT, Paths, run_dbt

MANIFEST = "_bench_manifest.json"
GENERATOR_DIR = REPO_ROOT / "models_py" / "generate"


@dataclass(frozen=True)
class BenchDirs:
    """Everything a benchmark run writes outside ``benchmarks/results`` (git-ignored)."""

    root: Path
    raw_dir: Path | None = None  # default root / "raw"

    @property
    def raw(self) -> Path:
        return self.raw_dir or self.root / "raw"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def dbt_target(self) -> Path:
        return self.root / "target"

    @property
    def dbt_logs(self) -> Path:
        return self.root / "logs"


@dataclass(frozen=True)
class BenchOptions:
    """What a run was asked for (the command line)."""

    scale: float
    seed: int
    dirs: BenchDirs
    max_test_playlists: int
    seed_sizes: tuple[int, ...] | None = None
    test_share: float | None = None
    until: str | None = None  # stop every stage after the step of this name
    memory_limit: str | None = None  # DuckDB memory_limit of the Python side, e.g. "12GB"
    scale_base: float | None = None  # stage scaling: B, 4B, 16B (default scale / 16)
    engines_scale: float = 1.0  # stage engines: the demo data's scale (`make run`: 1)
    engines_dirty: bool = False  # stage engines: the --dirty demo (layout variants, rejects)

    def stop_after(self, step: str) -> bool:
        return self.until == step


def generator_digest() -> str:
    """sha256 of the generator's code: data written by other code is regenerated."""
    h = hashlib.sha256()
    for path in sorted(GENERATOR_DIR.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def _reusable(
    manifest_path: Path, scale: float, seed: int, sources: tuple[str, ...], dirty: bool
) -> dict:
    """The manifest of a finished generation that holds these sources, else {}."""
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    same = (
        manifest.get("scale") == scale
        and manifest.get("seed") == seed
        and manifest.get("generator_digest") == generator_digest()
        and manifest.get("dirty", False) == dirty
        and set(sources) <= set(manifest.get("sources", ()))
    )
    return manifest if same else {}


def ensure_raw_data(
    step: Step,
    dirs: BenchDirs,
    scale: float,
    seed: int,
    sources: tuple[str, ...] = SOURCES,
    *,
    dirty: bool = False,
) -> dict:
    """Generate ``sources`` at (scale, seed) into ``dirs.raw`` (the ``--dirty`` layouts when
    ``dirty``), unless a finished generation of the same scale, seed, layout and generator
    code with at least these sources is there.

    The manifest is written last, so an interrupted generation is never reused; a
    mismatching folder is deleted first, so no file of another scale stays behind.
    """
    sources = parse_sources(sources)
    manifest_path = dirs.raw / MANIFEST
    manifest = _reusable(manifest_path, scale, seed, sources, dirty)
    if manifest:
        step.status = "skipped"
        step.note = (
            f"reused {dirs.raw} (generated in {manifest['summary']['seconds']:.0f}s "
            f"on {manifest['generated_at']})"
        )
    else:
        if dirs.raw.exists():
            shutil.rmtree(dirs.raw)
        summary = generate(
            dirs.raw, scale=scale, seed=seed, progress=True, only=sources, dirty=dirty
        )
        manifest = {
            "scale": scale,
            "seed": seed,
            "dirty": dirty,
            "sources": list(sources),
            "generator_digest": generator_digest(),
            "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "bytes": sum(p.stat().st_size for p in dirs.raw.rglob("*") if p.is_file()),
            "summary": summary,
        }
        manifest_path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    summary = manifest["summary"]
    step.rows = summary.get("mpd_entries")
    step.details = {
        "raw_dir": str(dirs.raw),
        "sources": manifest["sources"],
        "dirty": dirty,
        "bytes": manifest["bytes"],
        "generation_seconds": summary["seconds"],
        **{
            k: summary[k]
            for k in ("catalog_tracks", "mpd_playlists", "mpd_entries")
            if k in summary
        },
    }
    return manifest


def dbt_build(
    step: Step,
    dirs: BenchDirs,
    select: list[str] | None,
    *,
    command: str = "build",
    fresh: bool = True,
    cautious: bool = True,
    dbt_vars: dict | None = None,
) -> list[dict]:
    """``dbt build --select …`` (models and their data tests; every node when ``select`` is
    None) into a fresh warehouse (or the existing one: ``fresh=False``), with the
    benchmark's own dbt target and log folders; returns dbt's node results.

    ``command="run"`` runs the models only; ``cautious`` runs a test only when every model
    it reads is selected; ``dbt_vars`` are passed as ``--vars``."""
    if command not in ("build", "run"):
        raise ValueError(f"not a dbt command the benchmark runs: {command}")
    if fresh:
        for suffix in ("", ".wal"):
            Path(str(dirs.warehouse) + suffix).unlink(missing_ok=True)
    os.environ["DBT_TARGET_PATH"] = str(dirs.dbt_target)
    os.environ["DBT_LOG_PATH"] = str(dirs.dbt_logs)
    paths = Paths(dirs.raw.resolve(), dirs.warehouse.resolve())
    args = [command]
    if select:
        args += ["--select", *select]
        if command == "build" and cautious:
            args += ["--indirect-selection", "cautious"]
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    results = run_dbt(args, paths)
    nodes = node_results(results)
    models = [n for n in nodes if n["type"] == "model"]
    tests = [n for n in nodes if n["type"] in ("test", "unit_test")]
    step.details = {
        "command": command,
        "select": select,
        "n_models": len(models),
        "n_tests": len(tests),
        "model_seconds": round(sum(n["seconds"] for n in models), 2),
        "test_seconds": round(sum(n["seconds"] for n in tests), 2),
        "warehouse_bytes": dirs.warehouse.stat().st_size,
        # exact: the largest finished child so far, and dbt is the run's big child
        "dbt_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "nodes": nodes,
    }
    return nodes


def node_results(results: list[dict]) -> list[dict]:
    """dbt's ``run_results.json`` results as name, type, status, seconds, rows affected."""
    return [
        {
            "name": r["unique_id"].split(".")[-1],
            "type": r["unique_id"].split(".")[0],
            "status": r.get("status"),
            "seconds": round(float(r.get("execution_time") or 0.0), 3),
            "rows_affected": (r.get("adapter_response") or {}).get("rows_affected"),
        }
        for r in results
    ]


def count_rows(warehouse: Path, relations: tuple[str, ...]) -> dict[str, int]:
    """Row counts of fixed ``schema.table`` names (constants of the calling stage)."""
    out = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for rel in relations:
            if not all(part.isidentifier() for part in rel.split(".")):
                raise ValueError(f"not a relation name: {rel!r}")
            out[rel] = con.execute(f"select count(*) from {rel}").fetchone()[0]  # noqa: S608 - rel: checked identifiers
    return out


def dbt_manifest(dirs: BenchDirs) -> dict:
    """dbt's ``manifest.json`` of the last dbt command in the benchmark's target folder."""
    return json.loads((dirs.dbt_target / "manifest.json").read_text(encoding="utf-8"))
