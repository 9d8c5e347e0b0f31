"""One warehouse, one raw folder.

A warehouse holds the data of one raw data directory. It records that directory in
``meta.raw_folder``; a build on another directory starts a fresh warehouse (a new file, the
model artifacts beside it removed) instead of mixing the two folders' rows, and says so in
one line. A warehouse built before the record existed is judged by the files its
incremental tables loaded: any file outside the directory means another folder's data.
The published snapshot is left as it is until the next publish replaces it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from models_py.warehouse import Paths, open_duckdb

# the folders of the raw data directory a build reads (README "The raw data directory")
SOURCES = ("mpd", "lastfm", "mssd", "spotify")

# the tables a build appends to (incremental): the only ones that keep rows of files that
# are no longer in the raw directory
INCREMENTAL_TABLES = (
    "staging.base_lastfm__scrobbles",
    "staging.base_mssd__session_events",
    "staging.base_mpd__playlists",
    "staging.base_mpd__playlist_tracks",
)

RECORD_DDL = (
    "create schema if not exists meta",
    "create table if not exists meta.raw_folder (raw_dir varchar, recorded_at timestamp)",
)
RECORD_SQL = "select max(raw_dir) from meta.raw_folder"
WRITE_SQL = "insert into meta.raw_folder values (?, now())"
N_OTHER_FILES_SQL = "select count(*) from {table} where not starts_with(source_file, ?)"
# incremental tables built empty by an older version, whose empty raw views typed
# file_modified_at as text: dbt would stop on their schema ("out of sync")
STALE_EMPTY_TABLES_SQL = """
select table_schema || '.' || table_name
from information_schema.columns
where list_contains(?, table_schema || '.' || table_name)
    and column_name = 'file_modified_at'
    and data_type <> 'TIMESTAMP'
"""
N_ROWS_SQL = "select count(*) from {table}"


def missing_sources_note(raw_dir: Path) -> str | None:
    """One line when ``raw_dir`` holds none of the source folders, else None."""
    if any((raw_dir / name).is_dir() for name in SOURCES):
        return None
    folders = ", ".join(f"{name}/" for name in SOURCES)
    return f"note: {raw_dir} holds none of {folders}: the warehouse will be empty"


def recorded(paths: Paths) -> Path | None:
    """The raw folder the warehouse was built from, or None (no warehouse, or no record)."""
    if not paths.warehouse.is_file():
        return None
    with open_duckdb(paths.warehouse, read_only=True) as con:
        return _recorded(con)


def built_from(paths: Paths) -> Paths:
    """``paths`` with the raw folder the warehouse records, where it records one: training
    (the demo's skip oracle) and the rebuild of the scored marts read that folder."""
    folder = recorded(paths)
    return Paths(folder, paths.warehouse) if folder is not None and folder.is_dir() else paths


def _recorded(con: duckdb.DuckDBPyConnection) -> Path | None:
    try:
        (value,) = con.execute(RECORD_SQL).fetchall()[0]
    except duckdb.CatalogException:  # built before the record existed
        return None
    return Path(value) if value else None


def _holds_other_files(con: duckdb.DuckDBPyConnection, raw_dir: Path) -> bool:
    """Whether an incremental table holds rows of files outside ``raw_dir``."""
    prefix = str(raw_dir).rstrip("/") + "/"
    for table in INCREMENTAL_TABLES:
        try:
            (n,) = con.execute(N_OTHER_FILES_SQL.format(table=table), [prefix]).fetchall()[0]
        except duckdb.CatalogException:  # not built yet
            continue
        if n:
            return True
    return False


def _start_fresh(paths: Paths) -> None:
    """Remove the warehouse file (with its WAL) and the model artifacts beside it."""
    for path in (paths.warehouse, paths.warehouse.with_name(paths.warehouse.name + ".wal")):
        path.unlink(missing_ok=True)
    shutil.rmtree(paths.warehouse.parent / "artifacts", ignore_errors=True)


def claim(paths: Paths, full_build: bool = True) -> str | None:
    """Make the warehouse hold ``paths.raw_dir``'s data only, before a build.

    A warehouse of another folder is replaced by a fresh one; returns the line saying so,
    or None when the warehouse was new or already this folder's. Records the folder.
    Before a ``full_build``, drops the empty incremental tables an older version typed
    wrongly (the build makes them again). Raises duckdb.Error when the warehouse cannot be
    opened (e.g. another process holds it).
    """
    note = None
    if paths.warehouse.is_file():
        with open_duckdb(paths.warehouse, read_only=True) as con:
            previous = _recorded(con)
            moved = (
                previous != paths.raw_dir
                if previous is not None
                else _holds_other_files(con, paths.raw_dir)
            )
        if moved:
            _start_fresh(paths)
            held = f"the data of {previous}" if previous else "data of another raw folder"
            note = (
                f"note: {paths.warehouse} held {held}: starting a fresh warehouse for "
                f"{paths.raw_dir} (the published snapshot is replaced at the next publish)"
            )
    paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    with open_duckdb(paths.warehouse) as con:
        for ddl in RECORD_DDL:
            con.execute(ddl)
        if _recorded(con) != paths.raw_dir:
            con.execute("delete from meta.raw_folder")
            con.execute(WRITE_SQL, [str(paths.raw_dir)])
        if full_build:
            _drop_stale_empty_tables(con)
    return note


def _drop_stale_empty_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Drop the empty incremental tables an older version typed from an empty source (the
    next build makes them again, typed as its loader types them): nothing is lost."""
    stale = [
        r[0] for r in con.execute(STALE_EMPTY_TABLES_SQL, [list(INCREMENTAL_TABLES)]).fetchall()
    ]
    for table in stale:
        if table in INCREMENTAL_TABLES:  # identifiers from the fixed list only
            (n_rows,) = con.execute(N_ROWS_SQL.format(table=table)).fetchall()[0]
            if n_rows == 0:
                con.execute(f"drop table {table}")
