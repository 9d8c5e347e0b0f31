"""The code style checks CI enforces: ruff on Python, sqlfluff (dbt templater) on models."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from support import REPO

BIN = Path(sys.executable).parent


def _run(*cmd: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, env=env, check=False)


def test_ruff_check_and_format():
    check = _run(str(BIN / "ruff"), "check", "models_py", "tests", "benchmarks")
    assert check.returncode == 0, check.stdout + check.stderr
    fmt = _run(str(BIN / "ruff"), "format", "--check", "models_py", "tests", "benchmarks")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


def test_sqlfluff_lint_with_dbt_templater(tmp_path):
    env = {
        **os.environ,
        "LW_RAW_DIR": str(tmp_path / "raw"),
        "LW_WAREHOUSE": str(tmp_path / "lint.duckdb"),
        "DBT_PROFILES_DIR": str(REPO / "profiles"),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    lint = _run(
        str(BIN / "sqlfluff"),
        "lint",
        "dbt_project/models",
        "dbt_project/tests",
        "dbt_project/analyses",
        env=env,
    )
    assert lint.returncode == 0, lint.stdout[-5000:] + lint.stderr[-2000:]


def test_no_import_cycles():
    checked = _run(sys.executable, ".ci/import_cycles.py", "models_py", "benchmarks")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "models_py:" in checked.stdout and "no import cycle" in checked.stdout


def test_the_cycle_check_sees_a_deferred_import(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.sub import b\n")
    (package / "sub" / "b.py").write_text("def f():\n    from .. import c\n")
    (package / "c.py").write_text("import pkg.a\n")
    (package / "d.py").write_text("from pkg import a\n")  # imports into the cycle: not in it
    checked = _run(sys.executable, str(REPO / ".ci" / "import_cycles.py"), str(package))
    assert checked.returncode == 1
    assert (
        checked.stdout.strip()
        == "import cycle in " + str(package) + ": pkg.a <-> pkg.c <-> pkg.sub.b"
    )


# README "What lives where": each module of models_py may import only modules of a lower
# layer (generate.* also its own package). A new module must be placed here.
LAYERS = {
    # foundations: import nothing of models_py
    "models_py": 0,
    "models_py.settings": 0,
    "models_py.metrics": 0,
    "models_py.recsys_metrics": 0,
    "models_py.playlist_features": 0,
    "models_py.generate.ids": 0,
    "models_py.generate.names": 0,
    "models_py.generate.writers": 0,
    # the demo data generator
    "models_py.generate.catalog": 1,
    "models_py.generate.lastfm": 2,
    "models_py.generate.mpd": 2,
    "models_py.generate.mssd": 2,
    "models_py.generate.spotify": 2,
    "models_py.generate": 3,
    # the warehouse: dbt, locks, the ml schema, publishing
    "models_py.dbt_failures": 1,
    "models_py.lock": 1,
    "models_py.warehouse": 2,
    "models_py.ml_store": 3,
    "models_py.raw_folder": 3,
    "models_py.publish": 3,
    "models_py.report_drawings": 0,
    "models_py.report": 3,
    # the models: read marts, write through ml_store
    "models_py.classifier_models": 4,
    "models_py.playlist_classifier": 5,
    "models_py.skip_baselines": 1,
    "models_py.skip_model": 4,
    "models_py.playlist_aggregate_models": 4,
    "models_py.source_metrics": 4,
    "models_py.next_track": 4,
    "models_py.sql_files": 0,
    "models_py.tasks": 3.5,  # the task shape: below the models that define one
    "models_py.continuation.config": 0,
    "models_py.continuation.common": 0,
    "models_py.continuation.split": 1,
    "models_py.continuation.cooccurrence": 1,
    "models_py.continuation.baselines": 2,
    "models_py.continuation.blend": 2,
    "models_py.continuation.evaluation": 4,
    "models_py.continuation.serving": 5,
    "models_py.continuation.task": 6,
    "models_py.continuation": 7,
    "models_py.train": 8,
    "models_py.pipeline": 8.5,  # the steps cli runs; raises the typed errors cli maps
    "models_py.cli": 9,
    "models_py.__main__": 10,
}


def test_imports_follow_the_layers():
    sys.path.insert(0, str(REPO / ".ci"))
    try:
        import import_cycles
    finally:
        sys.path.pop(0)
    graph = import_cycles.import_graph(REPO / "models_py")
    assert set(graph) == set(LAYERS), f"place new modules in LAYERS: {set(graph) ^ set(LAYERS)}"
    upward = [
        f"{module} (layer {LAYERS[module]}) imports {target} (layer {LAYERS[target]})"
        for module, targets in graph.items()
        for target in targets
        if LAYERS[target] >= LAYERS[module]
    ]
    assert upward == []
