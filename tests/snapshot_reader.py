"""A BI-like reader of the published snapshot, run as its own process by test_publish.

``python tests/snapshot_reader.py <catalog.duckdb> <stop file> <result.json>`` opens the
catalog read-only again and again until the stop file exists. Each read checks that the
snapshot is complete and from one run: every mart's row count equals what the snapshot's
manifest says, and every scored mart carries only the snapshot's model run. It writes the
number of reads, the versions seen, the errors and the inconsistencies as JSON.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb

# scored marts: every row must come from the snapshot's model run
SCORED_MARTS = ("fct_skip_predictions", "fct_playlist_continuations", "fct_track_class_scores")


def check_snapshot(catalog: Path) -> tuple[str, list[str]]:
    """Read every mart of the snapshot once; return its version and what is inconsistent."""
    problems: list[str] = []
    with duckdb.connect(str(catalog), read_only=True) as con:
        version, ml_run_id = con.execute("select version, ml_run_id from meta.snapshot").fetchone()
        expected = dict(
            con.execute("select table_name, n_rows from meta.snapshot_tables").fetchall()
        )
        for table, n_rows in expected.items():
            # names come from the snapshot's own manifest table, checked before quoting
            assert table.replace("_", "").isalnum(), table
            actual = con.execute(f'select count(*) from marts."{table}"').fetchone()[0]  # noqa: S608
            if actual != n_rows:
                problems.append(f"{version}: {table} has {actual} rows, manifest says {n_rows}")
        for table in SCORED_MARTS:
            if table not in expected:
                continue
            runs = {
                r[0]
                for r in con.execute(f"select distinct run_id from marts.{table}").fetchall()  # noqa: S608
            }
            if runs - {ml_run_id}:
                problems.append(
                    f"{version}: {table} mixes runs {sorted(runs)} (snapshot {ml_run_id})"
                )
    return version, problems


def main(catalog: str, stop_file: str, result_file: str) -> int:
    reads = 0
    versions: list[str] = []
    errors: list[str] = []
    problems: list[str] = []
    while not Path(stop_file).exists():
        try:
            version, found = check_snapshot(Path(catalog))
        except Exception as e:  # every failure to read counts; the test asserts there are none
            errors.append(f"{type(e).__name__}: {e}")
        else:
            reads += 1
            problems += found
            if not versions or versions[-1] != version:
                versions.append(version)
        # a BI tool refreshing ten times a second; at 0.01 s this reader took ~40 % of a
        # core through the whole kill matrix, slowing the runs it watches
        time.sleep(0.1)
    Path(result_file).write_text(
        json.dumps({"reads": reads, "versions": versions, "errors": errors, "problems": problems})
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:4]))
