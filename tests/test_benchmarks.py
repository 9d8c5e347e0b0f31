"""The benchmark harness (`make bench`), run as a user runs it at a tiny scale."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TINY = ["--scale", "0.05", "--max-test-playlists", "20", "--seed-sizes", "1,5"]


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
    proc, first = bench(tmp_path, *TINY, "--until", "generate")
    assert proc.returncode == 0, proc.stderr[-2000:]
    gen = steps(first)["generate"]
    assert list(steps(first)) == ["generate"]
    assert gen["status"] == "ok" and gen["rows"] > 0 and gen["rows_per_second"] > 0
    assert gen["details"]["sources"] == ["mpd", "spotify"]
    raw = tmp_path / "bench" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == ["_bench_manifest.json", "mpd", "spotify"]

    _, again = bench(tmp_path, *TINY, "--until", "generate")
    assert steps(again)["generate"]["status"] == "skipped"
    assert steps(again)["generate"]["rows"] == gen["rows"]

    (raw / "mpd" / "stale.json").write_text("{}")
    _, other = bench(tmp_path, *TINY, "--until", "generate", "--seed", "7")
    assert steps(other)["generate"]["status"] == "ok"
    assert not (raw / "mpd" / "stale.json").exists()  # the folder is rewritten, not added to


@pytest.mark.dbt
def test_continuation_stage_end_to_end(tmp_path):
    proc, doc = bench(tmp_path, *TINY)
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
    proc, doc = bench(tmp_path, *TINY)
    assert proc.returncode == 1
    assert "benchmark stopped in continuation / generate" in proc.stderr
    gen = steps(doc)["generate"]
    assert gen["status"] == "failed" and "Error" in gen["note"]
    assert "build" not in steps(doc)
