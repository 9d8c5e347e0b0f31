"""The suite's own guards (tests/support.py): things made once per session are made once,
and a demo dataset generated twice is caught."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from models_py.generate import generate
from support import dataset_key, generated_twice, generation_log, once


def test_once_makes_a_thing_once_and_keeps_a_failure(tmp_path_factory: pytest.TempPathFactory):
    calls = []

    def make(folder: Path) -> None:
        calls.append(folder)
        (folder / "made").write_text("yes")

    first = once(tmp_path_factory, "test-support-thing", make)
    second = once(tmp_path_factory, "test-support-thing", make)
    assert first == second and len(calls) == 1 and (first / "made").read_text() == "yes"

    def broken(folder: Path) -> None:
        raise RuntimeError("no disk")

    with pytest.raises(RuntimeError):
        once(tmp_path_factory, "test-support-broken", broken)
    with pytest.raises(pytest.fail.Exception, match="no disk"):
        once(tmp_path_factory, "test-support-broken", make)  # not made again


def test_a_dataset_generated_twice_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """`generate` logs what it writes to LW_GENERATION_LOG; the same parameters twice (into
    any folders) are reported unless allowed."""
    monkeypatch.setenv("LW_GENERATION_LOG", str(generation_log(tmp_path)))
    for name in ("a", "b"):
        generate(tmp_path / name, scale=0.01, seed=99, progress=False, only="mpd")
    generate(tmp_path / "c", scale=0.01, seed=98, progress=False, only="mpd")
    lines = [json.loads(line) for line in generation_log(tmp_path).read_text().splitlines()]
    assert [(e["seed"], e["sources"], os.path.basename(e["out_dir"])) for e in lines] == [
        (99, ["mpd"], "a"),
        (99, ["mpd"], "b"),
        (98, ["mpd"], "c"),
    ]
    twice = generated_twice(tmp_path)
    assert len(twice) == 1 and twice[0].startswith("scale=0.01 seed=99 sources=mpd dirty=False x2")
    assert generated_twice(tmp_path, {dataset_key(0.01, 99, ["mpd"], False)}) == []
