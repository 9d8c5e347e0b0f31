"""The Python side reads only public, contracted marts, and the exposures say exactly which.

Each model module (and the report) declares the marts it reads in ``READS``; here the
declaration is checked against the SQL the module actually holds (every string constant
that is not a docstring, scanned for ``schema.relation``), against the dbt schema files
(public and contracted) and against the exposures that name the module. No dbt run: the
schema files are YAML, so this runs in a second and fails on the first undeclared read.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import duckdb
import pytest
import yaml

from models_py import (
    continuation,
    next_track,
    playlist_aggregate_models,
    playlist_classifier,
    report,
    skip_model,
    source_metrics,
)
from support import REPO

MODELS_DIR = REPO / "dbt_project" / "models"

# exposure -> the modules it stands for
EXPOSURE_MODULES = {
    "playlist_models": (
        playlist_classifier,
        continuation,
        source_metrics,
        playlist_aggregate_models,
    ),
    "next_track_model": (next_track,),
    "skip_model": (skip_model,),
    "html_report": (report,),
}

# modules that may read below the marts, and why: they keep the warehouse, they are not
# models or reports
WAREHOUSE_KEEPERS = {
    "raw_folder.py": "checks which raw files the incremental base tables loaded",
}

RELATION = re.compile(r"\b(staging|intermediate|marts|reference|raw)\.([a-z_][a-z0-9_]*)\b")


def relations_read(source: str) -> set[str]:
    """``schema.relation`` names in the string constants of ``source`` that are not
    docstrings (module, class and function docstrings mention marts they do not read)."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    found = set()
    for node in ast.walk(tree):
        is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if is_text and id(node) not in docstrings:
            found |= {m.group(0) for m in RELATION.finditer(node.value)}
    return found


def file_reads(path: Path) -> set[str]:
    """What a module file reads: its SQL string constants and the statements of the
    ``.sql`` file beside it (``sql_files``), comment lines left out."""
    read = relations_read(path.read_text(encoding="utf-8"))
    sql_file = path.with_suffix(".sql")
    if sql_file.is_file():
        lines = sql_file.read_text(encoding="utf-8").splitlines()
        sql = "\n".join(line for line in lines if not line.lstrip().startswith("--"))
        read |= {m.group(0) for m in RELATION.finditer(sql)}
    return read


def module_reads(module) -> set[str]:
    """What a module reads; for a package, what every module in it reads."""
    path = Path(module.__file__)
    if path.name != "__init__.py":
        return file_reads(path)
    return set().union(*(file_reads(p) for p in sorted(path.parent.rglob("*.py"))))


def _schema_entries(kind: str) -> dict[str, dict]:
    entries: dict[str, dict] = {}
    for path in sorted(MODELS_DIR.rglob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in doc.get(kind) or []:
            assert entry["name"] not in entries, f"{entry['name']} defined twice ({path})"
            entries[entry["name"]] = entry
    return entries


def _refs(exposure: dict) -> set[str]:
    names = set()
    for dep in exposure.get("depends_on") or []:
        match = re.fullmatch(r"ref\('([a-z0-9_]+)'\)", dep.strip())
        assert match, f"exposure {exposure['name']}: unexpected depends_on {dep!r}"
        names.add(match.group(1))
    return names


def test_the_scanner_finds_reads_in_sql_and_skips_docstrings() -> None:
    source = '''"""Reads ``intermediate.int_doc_only``."""
SQL = """select * from marts.fct_a join intermediate.int_b using (x)"""
def f():
    """Mentions marts.fct_in_docstring."""
    return f"select 1 from staging.stg_c where y = {SQL}"
'''
    assert relations_read(source) == {"marts.fct_a", "intermediate.int_b", "staging.stg_c"}


@pytest.mark.parametrize(
    "module",
    sorted({m for ms in EXPOSURE_MODULES.values() for m in ms}, key=lambda m: m.__name__),
    ids=lambda m: m.__name__.rsplit(".", 1)[-1],
)
def test_each_module_declares_exactly_the_relations_its_sql_reads(module) -> None:
    read = module_reads(module)
    declared = set(module.READS)
    assert read == declared, (
        f"{module.__name__}: read but not in READS {sorted(read - declared)}, "
        f"in READS but not read {sorted(declared - read)}"
    )


def test_every_module_reads_only_marts() -> None:
    below = {}
    for path in sorted((REPO / "models_py").rglob("*.py")):
        if path.name in WAREHOUSE_KEEPERS:
            continue
        read = file_reads(path)
        others = sorted(r for r in read if not r.startswith("marts."))
        if others:
            below[str(path.relative_to(REPO))] = others
    assert not below, f"models_py reads below the marts: {below}"


def test_what_the_models_read_is_public_and_contracted() -> None:
    models = _schema_entries("models")
    problems = []
    for modules in EXPOSURE_MODULES.values():
        for module in modules:
            for relation in module.READS:
                schema, name = relation.split(".", 1)
                entry = models.get(name)
                if schema != "marts" or entry is None:
                    problems.append(f"{module.__name__}: {relation} is not a documented mart")
                    continue
                contract = ((entry.get("config") or {}).get("contract") or {}).get("enforced")
                if entry.get("access") != "public" or contract is not True:
                    problems.append(f"{module.__name__}: {relation} is not public and contracted")
    assert not problems, "\n".join(problems)


def test_every_exposure_lists_exactly_what_its_modules_read() -> None:
    exposures = _schema_entries("exposures")
    for name, modules in EXPOSURE_MODULES.items():
        assert name in exposures, f"no exposure {name}"
        read = {r.split(".", 1)[1] for m in modules for r in m.READS}
        listed = _refs(exposures[name])
        assert listed == read, (
            f"exposure {name}: listed but not read {sorted(listed - read)}, "
            f"read but not listed {sorted(read - listed)}"
        )
    ml_exposures = {n for n, e in exposures.items() if e.get("type") == "ml"}
    assert ml_exposures <= set(EXPOSURE_MODULES), (
        f"ml exposures with no module here: {sorted(ml_exposures - set(EXPOSURE_MODULES))}"
    )


@pytest.mark.dbt
def test_a_run_records_a_snapshot_of_every_mart_the_models_read(demo_build) -> None:
    models = (
        playlist_classifier,
        skip_model,
        continuation,
        source_metrics,
        playlist_aggregate_models,
        next_track,
    )
    with duckdb.connect(str(demo_build.warehouse), read_only=True) as con:
        snapshots = {
            row[0]
            for row in con.execute(
                "select distinct data_snapshot from marts.dim_model_runs"
            ).fetchall()
        }
        assert len(snapshots) == 1  # every model of the run saw the same data
        entries = [e.rsplit(":", 2) for e in snapshots.pop().split(";")]
        assert sorted(r for r, _, _ in entries) == sorted({r for m in models for r in m.READS})
        for relation, n_rows, digest in entries:
            (actual,) = con.execute(f"select count(*) from {relation}").fetchall()[0]
            assert int(n_rows) == actual, relation
            assert re.fullmatch(r"[0-9a-f]{16}", digest), relation
