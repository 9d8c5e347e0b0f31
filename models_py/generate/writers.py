"""Deterministic file writers in the byte layouts of the real raw files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

BOM = "\ufeff"


class RawNumber(str):
    """A number already formatted (e.g. ``"-5.200"``), written unquoted by jackson_dumps."""


def jackson_dumps(obj: Any, indent: int = 0) -> str:
    """JSON pretty-printed like Jackson's DefaultPrettyPrinter (the Spotify Web API dumps).

    ``"key" : value``, two-space indent per object level, arrays inline as ``[ a, b ]``,
    objects in arrays as ``[ {`` … ``}, {`` … ``} ]``, empty containers ``[ ]`` and ``{ }``.
    Floats are written as given (round them before); non-ASCII stays UTF-8.
    """
    if isinstance(obj, dict):
        if not obj:
            return "{ }"
        pad = "  " * (indent + 1)
        body = ",\n".join(
            f"{pad}{json.dumps(k, ensure_ascii=False)} : {jackson_dumps(v, indent + 1)}"
            for k, v in obj.items()
        )
        return "{\n" + body + "\n" + "  " * indent + "}"
    if isinstance(obj, list | tuple):
        if not obj:
            return "[ ]"
        return "[ " + ", ".join(jackson_dumps(v, indent) for v in obj) + " ]"
    if isinstance(obj, RawNumber):
        return str(obj)
    if isinstance(obj, float):
        return repr(obj)
    return json.dumps(obj, ensure_ascii=False)


def write_bytes(path: Path, data: bytes, gz: bool = False) -> None:
    """Write ``data`` (gzip with mtime 0 and no stored name when ``gz``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if gz:
        with (
            open(path, "wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as fh,
        ):
            fh.write(data)
    else:
        path.write_bytes(data)


def arrow_csv_bytes(
    table: pa.Table,
    *,
    header: bool = True,
    quote_all: bool = False,
    eol: str = "\n",
    delimiter: str = ",",
) -> bytes:
    """CSV bytes of an Arrow table.

    ``quote_all=False`` writes no quotes at all (only for columns without delimiters,
    quotes or newlines, e.g. ids and enums); ``quote_all=True`` quotes every value but not
    the header, like the Last.fm export.
    """
    sink = pa.BufferOutputStream()
    opts = pacsv.WriteOptions(
        include_header=header,
        quoting_style="all_valid" if quote_all else "none",
        quoting_header="none",
        eol=eol,
        delimiter=delimiter,
        batch_size=65536,
    )
    pacsv.write_csv(table, sink, opts)
    return sink.getvalue().to_pybytes()


def with_bom(data: bytes) -> bytes:
    """``data`` with a UTF-8 byte-order mark in front, as Excel and Windows tools save CSV."""
    return BOM.encode("utf-8") + data


def reordered(columns: list[str]) -> list[str]:
    """The column order of the dirty layouts: the clean order reversed (fixed, so the same
    seed gives the same bytes)."""
    return list(reversed(columns))


def pandas_export_bytes(frame: pd.DataFrame, index: bool = True) -> bytes:
    """CSV bytes as a pandas ``to_csv`` export saved on Windows: an unnamed index column
    (``index=True``), CRLF line ends and a BOM."""
    return with_bom(frame.to_csv(index=index, lineterminator="\r\n").encode("utf-8"))
