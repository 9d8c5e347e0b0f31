"""A failing dbt node in words: the test by its name and the model it checks, never the
hash dbt gives long test names, and for a reject-share failure the reasons behind it.

dbt names a generic test `<test>_<model>_<arguments>` and, past 64 characters, cuts it and
adds a hash; its unique id ends in a hash either way. The manifest says which test it is
(`test_metadata.name`), on which model (`attached_node`) and column (`column_name`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import duckdb

from models_py.settings import open_duckdb

FAILED = {"error", "fail", "runtime error"}
REJECT_SHARE_TEST = "reject_share_at_most"
COLUMN_CHECKS_TEST = "column_checks"
TOP_REASONS = 3


def load_manifest(target_dir: Path) -> dict:
    """The `nodes`, `sources` and `unit_tests` of dbt's manifest.json (empty when absent)."""
    try:
        manifest = json.loads((target_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {
        **manifest.get("nodes", {}),
        **manifest.get("sources", {}),
        **manifest.get("unit_tests", {}),
    }


def node_label(unique_id: str) -> str:
    """A model, seed or snapshot by its name; a source as `source.table`."""
    parts = unique_id.split(".")
    if parts[0] == "source" and len(parts) >= 4:
        return ".".join(parts[2:])
    return parts[-1] if len(parts) >= 3 else unique_id


def tested_node(node: dict) -> str:
    """What a test checks: `<model>` or `<model>.<column>` (a singular test: its models)."""
    parent = node.get("attached_node")
    if parent:
        where = node_label(parent)
    else:  # a singular test: every model (or source) it reads
        parents = node.get("depends_on", {}).get("nodes", [])
        where = ", ".join(sorted(node_label(p) for p in parents)) or "?"
    column = node.get("column_name")
    return f"{where}.{column}" if column else where


def readable_test_name(unique_id: str, node: dict | None) -> str:
    """A test's readable name: the generic test (`not_null`, `reject_share_at_most`), or the
    singular test's file name; without a manifest, the name part of its unique id."""
    if node:
        meta = node.get("test_metadata") or {}
        return meta.get("name") or node.get("name") or unique_id.split(".")[2]
    parts = unique_id.split(".")
    return parts[2] if len(parts) >= 4 else unique_id


def describe_failures(
    results: list[dict], target_dir: Path, context: FailureContext, cut: Callable[[str], str]
) -> list[str]:
    """One line per failing node of run_results.json (a batched `column_checks` test: one
    per failing column test); ``cut`` makes dbt's message one line."""
    nodes = load_manifest(target_dir)
    return [
        describe_failure(r, nodes, context, cut(r.get("message") or ""))
        for r in results
        if r.get("status") in FAILED
    ]


def describe_failure(result: dict, nodes: dict, context: FailureContext, message: str) -> str:
    """One line for one failing node of run_results.json (``message``: dbt's, cut to one line)."""
    unique_id = result.get("unique_id", "")
    node = nodes.get(unique_id)
    kind = unique_id.split(".")[0]
    if kind == "test":
        name = readable_test_name(unique_id, node)
        if not node:  # no manifest: dbt's full test name, which holds the model's
            return f"test {name}: {message}"
        target = tested_node(node)
        if name == REJECT_SHARE_TEST and result.get("status") == "fail":
            detail = context.reject_share(result, target)
            if detail:
                return detail
        if name == COLUMN_CHECKS_TEST and result.get("status") == "fail":
            detail = context.column_checks(result, target)
            if detail:
                return detail
        return f"{name} on {target}: {message}"
    if kind == "unit_test":
        parts = unique_id.split(".")
        model = parts[2] if len(parts) >= 4 else "?"
        return f"unit test {parts[-1]} on {model}: {message}"
    return f"{node_label(unique_id)}: {message}"


class FailureContext:
    """Where a failed run's data lives, to read a failing test's rows back.

    The reject-share test returns one row per reject reason (model counts, share, limit,
    reason count, a file), `column_checks` one per failing column test; dbt only counts
    them. Once dbt has ended (and while this
    process still holds the warehouse lock), the test's own compiled query runs again on
    a read-only connection. DuckDB only: elsewhere, or when it cannot run, the line is the
    plain test line.
    """

    def __init__(self, warehouse: Path, raw_dir: Path | None = None):
        self.warehouse = warehouse
        self.raw_dir = raw_dir

    def _rows(self, sql: str) -> list[dict]:
        if os.environ.get("LW_TARGET", "duckdb") != "duckdb" or not self.warehouse.is_file():
            return []
        try:
            with open_duckdb(self.warehouse, read_only=True) as con:
                cursor = con.execute(sql)  # dbt's compiled test, from run_results.json
                names = [d[0] for d in cursor.description]
                return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        except duckdb.Error:
            return []

    def file_name(self, path: str | None) -> str:
        """A raw file relative to the raw data directory when it is inside it."""
        if not path:
            return "no file"
        if self.raw_dir:
            try:
                return Path(path).resolve().relative_to(self.raw_dir).as_posix()
            except ValueError:
                pass
        return path

    def column_checks(self, result: dict, model: str) -> str | None:
        """One line per failing column test of a model's batched `column_checks` test:
        `not_null on <model>.<column>: 3 rows fail it`, as if the test had run alone."""
        sql = result.get("compiled_code")
        rows = self._rows(sql) if sql else []
        if not rows or not {"test_name", "column_name", "n_failing"} <= rows[0].keys():
            return None
        return "\n".join(
            f"{r['test_name']} on {model}.{r['column_name']}: "
            f"{int(r['n_failing']):,} {'row fails' if int(r['n_failing']) == 1 else 'rows fail'} it"
            for r in sorted(rows, key=lambda r: (r["test_name"], r["column_name"]))
        )

    def reject_share(self, result: dict, model: str) -> str | None:
        """`reject share of <model> is 90.0% (684 of 760 rows), above the 25% limit: missing
        artist_name (684 rows, e.g. lastfm/x.csv); …` (the top reasons, each with the file
        holding most of its rows), or None when the rows cannot be read back."""
        sql = result.get("compiled_code")
        rows = self._rows(sql) if sql else []
        needed = {"n_rows", "n_rejected", "share_rejected", "max_share", "reject_reason"}
        if not rows or not needed <= rows[0].keys():
            return None
        first = rows[0]
        rows.sort(key=lambda r: (-int(r.get("n_reason_rows") or 0), str(r["reject_reason"])))
        reasons = [
            f"{r['reject_reason']} ({int(r.get('n_reason_rows') or 0):,} rows, "
            f"e.g. {self.file_name(r.get('example_file'))})"
            for r in rows[:TOP_REASONS]
        ]
        if len(rows) > TOP_REASONS:
            rest = sum(int(r.get("n_reason_rows") or 0) for r in rows[TOP_REASONS:])
            reasons.append(f"{len(rows) - TOP_REASONS} more reasons ({rest:,} rows)")
        return (
            f"reject share of {model} is {float(first['share_rejected']):.1%} "
            f"({int(first['n_rejected']):,} of {int(first['n_rows']):,} rows), "
            f"above the {float(first['max_share']) * 100:g}% limit: " + "; ".join(reasons)
        )
