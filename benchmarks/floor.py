"""Stage ``floor``: how fast could any build be? DuckDB reading every raw file once.

The readers are the dbt project's own: the ``raw`` views the ``on-run-start`` hook
registered in the build (``macros/raw``: ``read_json``/``read_csv`` with the same options,
the same files), scanned with ``count(*)`` in a fresh in-memory DuckDB, one source after
the other. The floor is the sum; ``dbt build / floor`` says how much the build spends
beyond reading its input once. The MPD slices' MB/s (target ≥ 100) is reported twice:
for the reader alone and for the dbt models that read the slices.

Without a ``pipeline`` stage in the same run, this stage builds the warehouse first
(the same full build).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import duckdb

from benchmarks import pipeline
from benchmarks.harness import Recorder, markdown_table
from benchmarks.prepare import BenchOptions, dbt_manifest, ensure_raw_data
from models_py.generate import SOURCES

STAGE = "floor"
STEPS = ("generate", "build", "scan")
TARGET_MPD_MB_PER_SECOND = 100.0
MB = 1e6  # throughput in decimal megabytes per second, as disks and networks quote it
_CREATE_VIEW = re.compile(r"^\s*create\s+view\s+\S+\s+as\s+", re.IGNORECASE)


def raw_sources(opts: BenchOptions) -> list[dict]:
    """The raw sources of the dbt project (manifest): name, view, file glob, loader, the
    files it matches, their bytes, and the models that read it directly."""
    manifest = dbt_manifest(opts.dirs)
    readers: dict[str, list[str]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model":
            continue
        for parent in node["depends_on"]["nodes"]:
            readers.setdefault(parent, []).append(node["name"])
    out = []
    for uid, src in sorted(manifest["sources"].items()):
        if src["schema"] != "raw" or "files" not in src.get("meta", {}):
            continue
        files = sorted(p for p in opts.dirs.raw.glob(src["meta"]["files"]) if p.is_file())
        out.append(
            {
                "source": f"{src['source_name']}.{src['name']}",
                "view": src["identifier"],
                "loader": src["meta"].get("loader"),
                "n_files": len(files),
                "bytes": sum(p.stat().st_size for p in files),
                "readers": sorted(readers.get(uid, [])),
            }
        )
    return out


def view_bodies(warehouse: Path) -> dict[str, str]:
    """The ``select`` of every view in schema ``raw`` (what the hook registered)."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select view_name, sql from duckdb_views() where schema_name = 'raw'"
        ).fetchall()
    return {name: _CREATE_VIEW.sub("", sql).rstrip().rstrip(";") for name, sql in rows}


def scan(sources: list[dict], bodies: dict[str, str]) -> list[dict]:
    """``count(*)`` over each source's reader in a fresh in-memory DuckDB; seconds each."""
    out = []
    with duckdb.connect(":memory:") as con:
        con.execute("set enable_progress_bar = false")
        con.execute("set preserve_insertion_order = false")  # as the dbt profile
        for src in sources:
            if not src["n_files"]:
                out.append({**src, "rows": 0, "seconds": 0.0, "mb_per_second": None})
                continue
            body = bodies[src["view"]]
            t0 = time.perf_counter()
            # the view's own text, registered by the build from the project's macros
            n = con.execute(f"select count(*) from ({body}) as raw_rows").fetchone()[0]  # noqa: S608 - body: the project's reader
            seconds = time.perf_counter() - t0
            out.append(
                {
                    **src,
                    "rows": n,
                    "seconds": round(seconds, 4),
                    "mb_per_second": round(src["bytes"] / MB / seconds, 1),
                }
            )
            print(f"{src['source']}: {n:,} rows, {src['bytes'] / MB:,.1f} MB in {seconds:.2f}s")
    return out


def run(rec: Recorder, opts: BenchOptions) -> dict:
    """Scan every raw source once; compare with the full build."""
    built = rec.stages.get(pipeline.STAGE, {}).get("build")
    if built is None:
        with rec.step(STAGE, "generate") as step:
            ensure_raw_data(step, opts.dirs, opts.scale, opts.seed, SOURCES)
        if opts.stop_after("generate"):
            return {}
        build = pipeline.full_build(rec, opts, STAGE)
        built = {"seconds": round(build.seconds, 3), "models": build.details["models"]}
        models = build.details["models"]
    else:
        models = rec.stages[pipeline.STAGE]["models"]
    if opts.stop_after("build"):
        return {}

    with rec.step(STAGE, "scan") as step:
        sources = scan(raw_sources(opts), view_bodies(opts.dirs.warehouse))
        step.rows = sum(s["rows"] for s in sources)
        step.note = "rows = raw rows of every source (count(*) over the raw views)"
        step.details["sources"] = sources
    summary = summarise(sources, models, built["seconds"], step.seconds)
    rec.stages[STAGE] = summary
    rec.save()
    return summary


def summarise(
    sources: list[dict], models: list[dict], build_seconds: float, scan_wall: float
) -> dict:
    """Per source: the reader's and the reading dbt models' MB/s; totals and targets."""
    model_seconds = {m["name"]: m["seconds"] for m in models}
    for src in sources:
        dbt_seconds = sum(model_seconds.get(r, 0.0) for r in src["readers"])
        src["dbt_seconds"] = round(dbt_seconds, 3)
        src["dbt_mb_per_second"] = (
            round(src["bytes"] / MB / dbt_seconds, 1) if src["bytes"] and dbt_seconds else None
        )
    floor_seconds = sum(s["seconds"] for s in sources)
    total_bytes = sum(s["bytes"] for s in sources)
    mpd = next((s for s in sources if s["loader"] == "mpd_json"), None)
    mpd_reader = mpd["mb_per_second"] if mpd else None
    mpd_dbt = mpd["dbt_mb_per_second"] if mpd else None
    return {
        "sources": sources,
        "floor_seconds": round(floor_seconds, 3),
        "scan_wall_seconds": round(scan_wall, 3),
        "raw_bytes": total_bytes,
        "floor_mb_per_second": round(total_bytes / MB / floor_seconds, 1)
        if floor_seconds
        else None,
        "build_seconds": build_seconds,
        "build_over_floor": round(build_seconds / floor_seconds, 1) if floor_seconds else None,
        "targets": {
            "mpd_reader_mb_per_second": mpd_reader,
            "mpd_dbt_mb_per_second": mpd_dbt,
            "mpd_reader_meets_target": mpd_reader is not None
            and mpd_reader >= TARGET_MPD_MB_PER_SECOND,
            "mpd_dbt_meets_target": mpd_dbt is not None and mpd_dbt >= TARGET_MPD_MB_PER_SECOND,
        },
    }


def _f(value: float | None, fmt: str = ",.1f") -> str:
    return "" if value is None else format(value, fmt)


def markdown(summary: dict) -> str:
    """Per source: files, MB, the reader's and dbt's seconds and MB/s; the ratio."""
    rows = [
        [
            s["source"],
            str(s["n_files"]),
            _f(s["bytes"] / MB),
            f"{s['rows']:,}",
            _f(s["seconds"], ",.2f"),
            _f(s["mb_per_second"]),
            _f(s["dbt_seconds"], ",.2f"),
            _f(s["dbt_mb_per_second"]),
        ]
        for s in summary["sources"]
    ]
    rows.append(
        [
            "**all**",
            str(sum(s["n_files"] for s in summary["sources"])),
            _f(summary["raw_bytes"] / MB),
            f"{sum(s['rows'] for s in summary['sources']):,}",
            _f(summary["floor_seconds"], ",.2f"),
            _f(summary["floor_mb_per_second"]),
            "",
            "",
        ]
    )
    header = ["source", "files", "MB", "raw rows", "scan s", "MB/s", "dbt readers s", "dbt MB/s"]
    t = summary["targets"]

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    return "\n".join(
        [
            "### floor: DuckDB reading every raw file once (the project's raw views)",
            "",
            markdown_table(header, rows),
            "",
            f"dbt build {summary['build_seconds']:,.1f} s / floor "
            f"{summary['floor_seconds']:,.2f} s = **{_f(summary['build_over_floor'])}×**. "
            "`dbt readers`: the models that read the source's view (typing, rejects).",
            "",
            f"Target MPD JSON ≥ {TARGET_MPD_MB_PER_SECOND:,.0f} MB/s: reader "
            f"{_f(t['mpd_reader_mb_per_second'])} MB/s — {verdict(t['mpd_reader_meets_target'])}; "
            f"dbt models reading it {_f(t['mpd_dbt_mb_per_second'])} MB/s — "
            f"{verdict(t['mpd_dbt_meets_target'])}.",
        ]
    )
