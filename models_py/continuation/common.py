"""Two DuckDB helpers every continuation module uses (temp tables: the connection may be
read-only)."""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params) -> pd.DataFrame:
    return con.sql(sql, params=params).to_arrow_table().to_pandas()


def _load(con: duckdb.DuckDBPyConnection, frame: pa.Table | pd.DataFrame, table: str) -> None:
    """Materialise a frame as a temp table (``table`` is a constant of this module)."""
    con.register("continuation_frame_in", frame)
    try:
        # table: a temp-table name constant of this module
        sql = f"create or replace temp table {table} as select * from continuation_frame_in"  # noqa: S608 - see above
        con.execute(sql)
    finally:
        con.unregister("continuation_frame_in")
