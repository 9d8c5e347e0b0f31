"""The batched column checks (dbt_project/macros/tests/column_checks.sql): each model's
`column_checks` test finds what its `not_null` / `in_range` column tests of severity error
find, one query instead of one per test; a default build runs it instead of them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from models_py.settings import Paths
from models_py.warehouse import BATCHED_COLUMN_TESTS, dbt_env, without_batched_column_tests
from support import BuildResult, copy_warehouse

pytestmark = pytest.mark.dbt

BATCHED = {"not_null", "in_range"}
SPOILT = ["base_lastfm__scrobbles", "base_spotify__streams", "fct_similar_tracks"]


def _manifest(build: BuildResult) -> dict:
    path = build.warehouse.parent / "target" / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _batched(node: dict) -> bool:
    meta = node.get("test_metadata") or {}
    return meta.get("name") in BATCHED and node["config"]["severity"].lower() == "error"


def test_every_model_with_batched_column_tests_has_column_checks(realdata_build):
    nodes = _manifest(realdata_build)["nodes"].values()
    batched = {n["attached_node"] for n in nodes if n["resource_type"] == "test" and _batched(n)}
    checked = {
        n["attached_node"]
        for n in nodes
        if (n.get("test_metadata") or {}).get("name") == "column_checks"
    }
    assert len(batched) > 50
    assert sorted(batched - checked) == [], "models whose column tests no build would run"
    assert sorted(checked - batched) == [], "column_checks on a model with nothing to check"


def test_a_default_build_runs_column_checks_instead_of_the_column_tests(realdata_build):
    """The shared realdata build (no --select): the default selector left the batched
    tests out and kept the warn-severity ones."""
    nodes = _manifest(realdata_build)["nodes"]
    run = json.loads(
        (realdata_build.warehouse.parent / "target" / "run_results.json").read_text("utf-8")
    )
    ran = [nodes[r["unique_id"]] for r in run["results"] if r["unique_id"] in nodes]
    names = [(n.get("test_metadata") or {}).get("name") for n in ran]
    assert names.count("column_checks") > 50
    assert not [n["unique_id"] for n in ran if _batched(n)]
    warn = [n for n in ran if (n.get("test_metadata") or {}).get("name") == "in_range"]
    assert warn, "the warn-severity range tests still run one by one"
    assert {n["config"]["severity"].lower() for n in warn} == {"warn"}


def test_a_select_build_gets_the_same_exclusion():
    assert without_batched_column_tests(["build", "--select", "stg_x"]) == [
        "build",
        "--select",
        "stg_x",
        "--exclude",
        *BATCHED_COLUMN_TESTS,
    ]
    assert without_batched_column_tests(["build"]) == ["build"]  # the default selector
    by_name = ["test", "--select", "test_name:in_range"]  # asked for one by one
    assert without_batched_column_tests(by_name) == by_name
    assert without_batched_column_tests(["docs", "generate"]) == ["docs", "generate"]


def _spoil(warehouse: Path) -> None:
    """Break each kind of check: a plain not_null, not_null and in_range under a `where`
    config (and rows outside the where that must not count), two-sided numeric bounds and a
    bound written as a dbt var."""
    with duckdb.connect(str(warehouse)) as con:
        lastfm = "staging.base_lastfm__scrobbles"
        con.execute(f"update {lastfm} set source_file = null where rowid < 3")  # noqa: S608
        con.execute(  # raw_record is tested only where reject_reason is not null
            f"update {lastfm} set raw_record = null where rowid in "  # noqa: S608
            f"(select rowid from {lastfm} where reject_reason is null limit 4)"
        )
        streams = "staging.base_spotify__streams"  # empty in the demo: rows of our own
        con.execute(  # ms_played is range-tested only where reject_reason is null
            f"insert into {streams} by name "  # noqa: S608
            "select -5 as ms_played, 'x.json' as source_file, reason as reject_reason, "
            "'{}' as raw_record from (values (null), (null), (null), ('bad'), ('bad')) v(reason)"
        )
        similar = "marts.fct_similar_tracks"
        con.execute(f"update {similar} set neighbour_rank = 999 where rowid < 2")  # noqa: S608
        con.execute(f"update {similar} set cosine_similarity = 1.5 where rowid < 5")  # noqa: S608
        con.execute(f"update {similar} set cosine_similarity = -1 where rowid = 7")  # noqa: S608


def test_column_checks_find_what_the_tests_one_by_one_find(demo_run, demo_raw_dir, tmp_path):
    """On a warehouse spoilt behind dbt's back, one `dbt test` runs both the batched test
    and every column test of the spoilt models: same failing (test, column, rows)."""
    copy = copy_warehouse(demo_run, tmp_path / "wh")
    _spoil(copy.warehouse)
    paths = Paths(raw_dir=demo_raw_dir, warehouse=copy.warehouse)
    env = {**dbt_env(paths), "DBT_TARGET_PATH": str(tmp_path / "target")}
    env["DBT_LOG_PATH"] = str(tmp_path / "logs")
    dbt = Path(sys.executable).parent / "dbt"
    proc = subprocess.run(
        [str(dbt), "test", "--select", *SPOILT, "--project-dir", env["DBT_PROJECT_DIR"]],
        cwd=copy.warehouse.parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1, proc.stdout[-3000:]  # failing tests, not a crash
    nodes = json.loads((tmp_path / "target" / "manifest.json").read_text("utf-8"))["nodes"]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text("utf-8"))

    one_by_one, batched_sql = set(), []
    for r in results["results"]:
        node = nodes.get(r["unique_id"])
        if node is None:  # a unit test
            continue
        name = (node.get("test_metadata") or {}).get("name")
        model = node.get("attached_node", "").split(".")[-1]
        if _batched(node) and r["status"] == "fail":
            one_by_one.add((model, name, node["column_name"], int(r["failures"])))
        if name == "column_checks":
            batched_sql.append((model, r["compiled_code"]))
    assert len(batched_sql) == len(SPOILT)
    batched = set()
    with duckdb.connect(str(copy.warehouse), read_only=True) as con:
        for model, sql in batched_sql:
            batched |= {(model, *row) for row in con.execute(sql).fetchall()}

    assert batched == one_by_one
    assert sorted(one_by_one) == [
        ("base_lastfm__scrobbles", "not_null", "source_file", 3),
        ("base_spotify__streams", "in_range", "ms_played", 3),
        ("fct_similar_tracks", "in_range", "cosine_similarity", 6),
        ("fct_similar_tracks", "in_range", "neighbour_rank", 2),
    ]
