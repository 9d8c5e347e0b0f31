"""Publish the public marts as one consistent, read-only snapshot for BI tools and analysts.

While ``dbt build`` writes the DuckDB warehouse no other process can open it, and a reader
holding it open makes the build fail. So readers never touch the warehouse: after a
successful build and scoring, ``publish`` copies every table of the ``marts`` schema to
Parquet in a new version folder and switches readers to it in one atomic step::

    <warehouse dir>/published/
        catalog.duckdb         open this (read-only): schema marts = views over one version,
                               schema meta = what that version holds
        CURRENT                the current version's name (for tools that read Parquet)
        versions/<version>/    <table>.parquet per mart + manifest.json

Order of work, so that a kill at any moment leaves the last published snapshot intact:

1. write the Parquet files and the manifest into ``versions/<version>.partial/``;
2. rename the folder to ``versions/<version>/`` (atomic);
3. write a new catalog to ``.catalog-<version>.tmp`` and ``os.replace`` it over
   ``catalog.duckdb`` (atomic: a reader opens either the old or the new file, never a mix);
4. replace ``CURRENT`` the same way;
5. delete all but the newest ``keep`` versions (never the current one).

A publish that is killed leaves ``*.partial`` folders and ``.catalog-*.tmp`` files; the next
publish removes them first. Publishes are serialised by a lock file. A reader's open
connection keeps reading the version it opened, as long as that version is among the
``keep`` newest.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
from tqdm import tqdm

from models_py.warehouse import Paths, open_duckdb

__all__ = ["Snapshot", "publish", "published_dir", "current_version", "recover"]

PUBLISHED_SCHEMA = "marts"
CATALOG = "catalog.duckdb"
CURRENT = "CURRENT"
VERSIONS = "versions"
MANIFEST = "manifest.json"
PARTIAL = ".partial"
KEEP_VERSIONS = 3
DBT_WORK_SUFFIXES = ("__dbt_tmp", "__dbt_backup")

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")
_VERSION = re.compile(r"^\d{8}T\d{6}\d{6}Z$")


@dataclass(frozen=True)
class Snapshot:
    """One published version."""

    version: str
    directory: Path
    tables: dict[str, int]
    ml_run_id: str | None
    seconds: float

    @property
    def n_rows(self) -> int:
        """Rows over all tables of the version."""
        return sum(self.tables.values())


def published_dir(paths: Paths) -> Path:
    """Where snapshots of this warehouse are published: ``published/`` beside it."""
    return paths.warehouse.parent / "published"


def current_version(root: Path) -> str | None:
    """The version ``CURRENT`` names, or None before the first publish."""
    try:
        version = (root / CURRENT).read_text().strip()
    except FileNotFoundError:
        return None
    return version if _VERSION.match(version) else None


def _quote(identifier: str) -> str:
    if not _IDENTIFIER.match(identifier):
        raise ValueError(f"refusing to publish table with unexpected name {identifier!r}")
    return f'"{identifier}"'


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@contextmanager
def _lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _replace_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def recover(root: Path) -> list[Path]:
    """Remove what a killed publish left behind; return the removed paths."""
    removed: list[Path] = []
    versions = root / VERSIONS
    if versions.is_dir():
        for partial in versions.glob(f"*{PARTIAL}"):
            shutil.rmtree(partial, ignore_errors=True)
            removed.append(partial)
    for tmp in root.glob(".catalog-*.tmp*"):
        tmp.unlink(missing_ok=True)
        removed.append(tmp)
    return removed


def _prune(root: Path, keep: int) -> None:
    current = current_version(root)
    names = sorted(
        (p.name for p in (root / VERSIONS).iterdir() if p.is_dir() and _VERSION.match(p.name)),
        reverse=True,
    )
    for name in names[keep:]:
        if name != current:
            shutil.rmtree(root / VERSIONS / name, ignore_errors=True)


def _mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_schema = ? and table_type = 'BASE TABLE' order by table_name",
        [PUBLISHED_SCHEMA],
    ).fetchall()
    # a killed dbt run can leave its work tables behind; they are not marts
    return [r[0] for r in rows if not r[0].endswith(DBT_WORK_SUFFIXES)]


def _latest_ml_run(con: duckdb.DuckDBPyConnection) -> str | None:
    try:
        row = con.execute("select max(run_id) from marts.dim_model_runs").fetchone()
    except duckdb.Error:
        return None
    return row[0] if row else None


def _export(warehouse: Path, directory: Path, progress: bool) -> tuple[dict[str, int], str | None]:
    """Copy every mart to ``directory/<table>.parquet``; return rows per table."""
    tables: dict[str, int] = {}
    with open_duckdb(warehouse, read_only=True) as con:
        names = _mart_tables(con)
        if not names:
            raise RuntimeError(f"{warehouse}: no tables in schema {PUBLISHED_SCHEMA}; run a build")
        for name in tqdm(names, desc="publish", unit="mart", disable=not progress):
            target = directory / f"{name}.parquet"
            con.execute(
                f"copy {PUBLISHED_SCHEMA}.{_quote(name)} to {_sql_string(str(target))} "
                "(format parquet, compression zstd)"
            )
            tables[name] = con.execute(
                f"select count(*) from read_parquet({_sql_string(str(target))})"  # noqa: S608 - the path and name are quoted by _sql_string / _quote
            ).fetchone()[0]
        ml_run_id = _latest_ml_run(con)
    return tables, ml_run_id


def _write_catalog(path: Path, version_dir: Path, manifest: dict) -> None:
    """A small DuckDB file of views over one version's Parquet files, plus its manifest."""
    with open_duckdb(path) as con:
        con.execute(f"create schema {PUBLISHED_SCHEMA}")
        for name in manifest["tables"]:
            parquet = _sql_string(str(version_dir / f"{name}.parquet"))
            con.execute(
                f"create view {PUBLISHED_SCHEMA}.{_quote(name)} as "  # noqa: S608 - the path and name are quoted by _sql_string / _quote
                f"select * from read_parquet({parquet})"
            )
        con.execute("create schema meta")
        con.execute(
            "create table meta.snapshot as select "
            "cast(? as varchar) as version, cast(? as timestamp) as published_at, "
            "cast(? as varchar) as ml_run_id, cast(? as varchar) as source_warehouse",
            [
                manifest["version"],
                manifest["published_at"],
                manifest["ml_run_id"],
                manifest["source_warehouse"],
            ],
        )
        con.execute("create table meta.snapshot_tables (table_name varchar, n_rows bigint)")
        con.executemany(
            "insert into meta.snapshot_tables values (?, ?)", list(manifest["tables"].items())
        )
        con.execute("checkpoint")


def publish(paths: Paths, keep: int = KEEP_VERSIONS, progress: bool = True) -> Snapshot:
    """Publish the warehouse's marts as a new snapshot and switch readers to it."""
    if keep < 1:
        raise ValueError("keep must be at least 1")
    if not paths.warehouse.is_file():
        raise FileNotFoundError(f"no warehouse at {paths.warehouse}: run a build first")
    root = published_dir(paths)
    t0 = time.perf_counter()
    with _lock(root):
        recover(root)
        now = dt.datetime.now(dt.UTC)
        version = now.strftime("%Y%m%dT%H%M%S%fZ")
        versions = root / VERSIONS
        partial = versions / f"{version}{PARTIAL}"
        partial.mkdir(parents=True)
        tables, ml_run_id = _export(paths.warehouse, partial, progress)
        manifest = {
            "version": version,
            "published_at": now.replace(tzinfo=None).isoformat(),
            "ml_run_id": ml_run_id,
            "source_warehouse": str(paths.warehouse),
            "tables": tables,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        final = versions / version
        os.replace(partial, final)
        tmp_catalog = root / f".catalog-{version}.tmp"
        _write_catalog(tmp_catalog, final, manifest)
        os.replace(tmp_catalog, root / CATALOG)
        _replace_text(root / CURRENT, version + "\n")
        _prune(root, keep)
    return Snapshot(version, final, tables, ml_run_id, time.perf_counter() - t0)
