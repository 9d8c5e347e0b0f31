"""The benchmark harness (`make bench`), run as a user runs it at a tiny scale."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TINY = ["--scale", "0.05", "--max-test-playlists", "20", "--seed-sizes", "1,5"]
CONTINUATION = [*TINY, "--stages", "continuation"]


def bench(tmp: Path, *args: str) -> tuple[subprocess.CompletedProcess, dict]:
    """`python -m benchmarks` on its own data dir and results dir; returns the run's JSON."""
    results = tmp / "results"
    before = set(results.glob("*.json"))
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--dir", str(tmp / "bench")]
        + ["--results-dir", str(results), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    new = sorted(set(results.glob("*.json")) - before)
    assert len(new) == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    return proc, json.loads(new[0].read_text())


def steps(doc: dict) -> dict[str, dict]:
    return {s["step"]: s for s in doc["steps"]}


def test_peak_memory_counts_child_processes():
    """A child holding 300 MB shows in the sampled process-tree peak, not in our own RSS."""
    code = """
import subprocess, sys, time
from benchmarks.harness import MB, RssSampler, tree_rss_bytes
own = tree_rss_bytes() / MB
child = subprocess.Popen([sys.executable, "-c",
    "b = bytearray(300 * 1024 * 1024); print('ready', flush=True); import time; time.sleep(30)"],
    stdout=subprocess.PIPE, text=True)
with RssSampler(0.05) as sampler:
    sampler.reset()
    child.stdout.readline()
    time.sleep(0.3)
    peak = sampler.peak() / MB
child_alone = tree_rss_bytes(child.pid) / MB
child.kill()
print(own, peak, child_alone)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    own, peak, child_alone = map(float, out)
    assert peak >= own + 290
    assert child_alone >= 290


def test_generated_data_is_reused_only_for_same_scale_and_seed(tmp_path):
    proc, first = bench(tmp_path, *CONTINUATION, "--until", "generate")
    assert proc.returncode == 0, proc.stderr[-2000:]
    gen = steps(first)["generate"]
    assert list(steps(first)) == ["generate"]
    assert gen["status"] == "ok" and gen["rows"] > 0 and gen["rows_per_second"] > 0
    assert gen["details"]["sources"] == ["mpd", "spotify"]
    raw = tmp_path / "bench" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == ["_bench_manifest.json", "mpd", "spotify"]

    _, again = bench(tmp_path, *CONTINUATION, "--until", "generate")
    assert steps(again)["generate"]["status"] == "skipped"
    assert steps(again)["generate"]["rows"] == gen["rows"]

    (raw / "mpd" / "stale.json").write_text("{}")
    _, other = bench(tmp_path, *CONTINUATION, "--until", "generate", "--seed", "7")
    assert steps(other)["generate"]["status"] == "ok"
    assert not (raw / "mpd" / "stale.json").exists()  # the folder is rewritten, not added to


def test_generated_data_is_reused_only_for_the_same_layout(tmp_path):
    """The engines stage's --engines-dirty data is not the clean demo of the same scale and
    seed: switching layouts regenerates, the same layout again is reused."""
    from benchmarks.harness import Step
    from benchmarks.prepare import MANIFEST, BenchDirs, ensure_raw_data

    dirs = BenchDirs(tmp_path)
    statuses = []
    for dirty in (False, True, True):
        step = Step("engines", "generate")
        ensure_raw_data(step, dirs, 0.05, 11, ("mpd", "spotify"), dirty=dirty)
        manifest = json.loads((dirs.raw / MANIFEST).read_text())
        assert manifest["dirty"] is dirty and step.details["dirty"] is dirty
        statuses.append(step.status)
    assert statuses == ["ok", "ok", "skipped"]


@pytest.mark.dbt
def test_continuation_stage_end_to_end(tmp_path):
    # seed 3: the reuse test above generates this stage's data at the default seed
    proc, doc = bench(tmp_path, *CONTINUATION, "--seed", "3")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    by_step = steps(doc)
    assert list(by_step) == ["generate", "build", "evaluate"]
    for s in by_step.values():
        assert s["status"] == "ok" and s["seconds"] > 0 and s["peak_rss_mb"] > 50
    build = by_step["build"]
    assert build["rows"] >= by_step["generate"]["rows"]  # MPD entries + the own playlists
    assert build["details"]["n_models"] > 0 and build["details"]["dbt_peak_rss_mb"] > 50
    assert any(n["name"] == "fct_playlist_tracks" for n in build["details"]["nodes"])

    methods = doc["stages"]["continuation"]["methods"]
    assert {(m["method"], m["k"]) for m in methods} >= {("cooccurrence", 1), ("cooccurrence", 5)}
    assert len({m["method"] for m in methods}) == 3
    assert all(m["n_playlists"] > 0 and m["playlists_per_second"] > 0 for m in methods)
    assert by_step["evaluate"]["rows"] == sum(m["n_playlists"] for m in methods)

    latest = (tmp_path / "results" / "latest.md").read_text()
    assert "| continuation | evaluate | ok |" in latest
    assert "| cooccurrence | 1 |" in latest and "Targets:" in latest


def test_a_failing_step_is_reported_and_recorded(tmp_path):
    """A step that fails (here: the data folder is under a file) stops the run with rc 1,
    and the run's JSON names the step and the error."""
    (tmp_path / "bench").write_text("a file, not a folder")
    proc, doc = bench(tmp_path, *CONTINUATION)
    assert proc.returncode == 1
    assert "benchmark stopped in continuation / generate" in proc.stderr
    gen = steps(doc)["generate"]
    assert gen["status"] == "failed" and "Error" in gen["note"]
    assert "build" not in steps(doc)


# --- the stages of issue 7: pipeline, floor, pandas_peer, scaling ------------------------


def test_loglog_slope_from_known_points():
    from benchmarks.scaling import loglog_slope, summarise

    assert loglog_slope([(1_000, 2.0), (4_000, 8.0), (16_000, 32.0)]) == pytest.approx(1.0)
    assert loglog_slope([(10, 1.0), (40, 16.0), (160, 256.0)]) == pytest.approx(2.0)
    # a fixed overhead bends the curve below 1; least squares, not the end points
    assert loglog_slope([(1, 11.0), (4, 14.0), (16, 26.0)]) == pytest.approx(0.3108, abs=1e-3)
    assert loglog_slope([(5, 1.0)]) is None and loglog_slope([(5, 1.0), (5, 2.0)]) is None
    linear = summarise([{"rows": r, "build_seconds": r / 1000} for r in (100, 400, 1600)])
    quadratic = summarise([{"rows": r, "build_seconds": r * r} for r in (100, 400, 1600)])
    assert linear["targets"]["slope_at_most_1_1"] and linear["slope"] == pytest.approx(1.0)
    assert not quadratic["targets"]["slope_at_most_1_1"]


def test_pandas_peer_counts_pairs_and_means_by_hand():
    import pandas as pd

    from benchmarks.pandas_peer import FEATURES, agreement, pandas_figures, pandas_transform

    entries = pd.DataFrame(
        # playlist 1: a b a b (shuffled rows: order comes from pos); playlist 2: b a
        [(1, 2, "a"), (1, 0, "a"), (1, 1, "b"), (1, 3, "b"), (2, 0, "b"), (2, 1, "a")],
        columns=["pid", "pos", "track_id"],
    )
    features = pd.DataFrame(
        {"track_id": ["a", "b"], **{f: [0.2, 0.6] for f in FEATURES}}
    ).set_index("track_id")
    playlists = pd.DataFrame({"pid": [1, 2], "num_followers": [3, 4]})
    out = pandas_transform({"entries": entries, "features": features, "playlists": playlists})
    pairs = {(r.prev_track_id, r.next_track_id): r for r in out["pairs"].itertuples()}
    assert {k: v.n_transitions for k, v in pairs.items()} == {("a", "b"): 2, ("b", "a"): 2}
    assert pairs[("a", "b")].share_of_outgoing == 1.0
    assert out["aggregates"].loc[1, "n_tracks"] == 4
    assert out["aggregates"].loc[1, "mean_energy"] == pytest.approx(0.4)
    figures = pandas_figures(out)
    assert figures["sum_transitions"] == 4 and figures["sum_followers"] == 7
    assert agreement(figures, dict(figures))["agrees"]
    off = agreement(figures, {**figures, "n_pairs": 3, "sum_mean_energy": 0.8 + 1e-6})
    assert not off["agrees"] and off["differ"] == ["sum_mean_energy", "n_pairs"]


@pytest.mark.dbt
@pytest.mark.slow
def test_pipeline_floor_and_pandas_peer_stages(tmp_path):
    """The whole job at a tiny scale; the floor and continuation reuse the pipeline's
    build; the pandas peer agrees with the marts."""
    stages = "pipeline,floor,pandas_peer,continuation"
    proc, doc = bench(tmp_path, *TINY, "--stages", stages)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    names = [(s["stage"], s["step"]) for s in doc["steps"]]
    assert names == [
        ("pipeline", "generate"),
        ("pipeline", "build"),
        ("pipeline", "rebuild"),
        ("pipeline", "train"),
        ("pipeline", "score"),
        ("pipeline", "publish"),
        ("floor", "scan"),
        ("pandas_peer", "generate"),
        ("pandas_peer", "dbt"),
        ("pandas_peer", "pandas_load"),
        ("pandas_peer", "pandas_transform"),
        ("continuation", "generate"),
        ("continuation", "build"),
        ("continuation", "evaluate"),
    ]
    for s in doc["steps"]:
        where = (s["stage"], s["step"])
        reused = where == ("continuation", "build") or (
            s["step"] == "generate" and s["stage"] != "pipeline"
        )
        assert s["status"] == ("skipped" if reused else "ok"), s
        assert s["peak_rss_mb"] > 50
        if s["status"] == "ok":
            assert s["seconds"] > 0 and s["rows"] > 0 and s["rows_per_second"] > 0, s
    (cont_build,) = [
        s for s in doc["steps"] if s["stage"] == "continuation" and s["step"] == "build"
    ]
    assert cont_build["note"].startswith("reused the pipeline stage's build")
    assert doc["stages"]["continuation"]["methods"]
    gen = doc["steps"][0]
    assert gen["details"]["sources"] == ["mpd", "lastfm", "spotify", "mssd"]

    pipe = doc["stages"]["pipeline"]
    models = pipe["models"]
    assert len(models) > 30 and models == sorted(models, key=lambda m: -m["seconds"])
    assert {"fct_next_track_pairs", "dim_playlists"} <= {m["name"] for m in models}
    rebuild = pipe["rebuild"]
    assert rebuild["staged_rows_unchanged"]
    incremental = {m["name"]: m for m in rebuild["incremental"]}
    assert set(incremental) == {
        "base_lastfm__scrobbles",
        "base_mssd__session_events",
        "base_mpd__playlists",
        "base_mpd__playlist_tracks",  # reads base_mpd__playlists, not files
    }
    # every session log, scrobble export and MPD slice was loaded by the first build: none
    # is read again
    for name in ("base_lastfm__scrobbles", "base_mssd__session_events"):
        assert incremental[name]["files_skipped"] >= 2, rebuild
    assert incremental["base_mpd__playlists"]["files_skipped"] >= 1, rebuild
    for step in ("train", "score", "publish"):
        assert pipe[step]["rows"] > 0 and pipe[step]["peak_rss_mb"] > 50

    floor = doc["stages"]["floor"]
    by_source = {s["source"]: s for s in floor["sources"]}
    assert {"mpd.playlists", "mssd.training_set", "lastfm.scrobbles"} <= set(by_source)
    # the generator writes every source but Spotify's streaming history (no demo of it)
    assert {s["source"] for s in floor["sources"] if s["n_files"] == 0} == {
        "spotify.streaming_history"
    }
    for s in floor["sources"]:
        if s["source"] == "spotify.streaming_history":
            continue
        assert s["n_files"] > 0 and s["bytes"] > 0 and s["rows"] > 0 and s["seconds"] > 0, s
    assert by_source["mpd.playlists"]["rows"] == gen["details"]["mpd_playlists"]
    assert floor["floor_seconds"] > 0 and floor["build_seconds"] == pipe["build"]["seconds"]
    assert floor["build_over_floor"] == pytest.approx(
        floor["build_seconds"] / floor["floor_seconds"], rel=0.01
    )
    assert floor["targets"]["mpd_reader_mb_per_second"] > 0

    peer = doc["stages"]["pandas_peer"]
    assert peer["check"]["agrees"], peer["check"]
    assert peer["check"]["ours"]["n_playlists"] == by_source["mpd.playlists"]["rows"]
    assert peer["check"]["ours"]["sum_n_tracks"] == gen["rows"]  # every MPD entry
    for side in ("ours", "pandas"):
        assert all(v > 0 for v in peer[side].values()), peer[side]
    assert set(peer["pandas_over_ours"]) == {"load", "transform", "end_to_end", "peak_rss"}

    latest = (tmp_path / "results" / "latest.md").read_text()
    for heading in ("### pipeline:", "### floor:", "### pandas_peer:"):
        assert heading in latest
    assert "| floor | scan | ok |" in latest and "dbt build" in latest


@pytest.mark.dbt
@pytest.mark.slow
def test_scaling_stage_three_scales(tmp_path):
    """Three builds (B, 4B, 16B = the bench scale, whose raw data is the bench's own)."""
    args = ["--scale", "0.08", "--scale-base", "0.005", "--stages", "scaling"]
    proc, doc = bench(tmp_path, *args)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    points = doc["stages"]["scaling"]["points"]
    assert [p["scale"] for p in points] == [0.005, 0.02, 0.08]
    rows = [p["rows"] for p in points]
    assert rows == sorted(rows) and rows[0] < rows[-1]
    assert all(p["build_seconds"] > 0 and p["peak_rss_mb"] > 50 for p in points)
    from benchmarks.scaling import loglog_slope

    slope = doc["stages"]["scaling"]["slope"]
    expected = loglog_slope([(p["rows"], p["build_seconds"]) for p in points])
    assert slope == pytest.approx(expected, abs=1e-3)
    assert (tmp_path / "bench" / "raw" / "_bench_manifest.json").is_file()  # 16B: bench's raw
    assert not (tmp_path / "bench" / "scaling" / "s0.08" / "raw").exists()
    assert not list((tmp_path / "bench" / "scaling").rglob("warehouse.duckdb"))
    assert "### scaling:" in (tmp_path / "results" / "latest.md").read_text()
