"""One command at a time on a warehouse.

DuckDB lets one process write its file: a second `dbt build` on it fails deep inside dbt
with DuckDB's lock error and a screen of tracebacks. So every `python -m models_py`
command that opens the warehouse first takes an advisory lock on `<warehouse>.lock`
(`fcntl.flock`, released by the kernel when the process ends, however it ends) and
writes its pid and command there. A second command waits for it, saying for which
process, up to `LW_LOCK_TIMEOUT` seconds (0: do not wait), then stops with one line.

A process outside this CLI (a DuckDB shell, a notebook) does not know this lock; DuckDB's
own lock error is caught before dbt starts and turned into one line naming that process.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import duckdb

from models_py.settings import SettingError

LOCK_TIMEOUT_ENV = "LW_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 1800.0  # s: a scale-50 build takes about 15 minutes
POLL_SECONDS = 0.5
_DUCKDB_HOLDER = re.compile(r"Conflicting lock is held in (.*?) \(PID (\d+)\)")


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse; the message is one line naming it."""


def lock_timeout() -> float:
    """`LW_LOCK_TIMEOUT` in seconds (default 1800), checked."""
    raw = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_LOCK_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise SettingError(
            f"{LOCK_TIMEOUT_ENV}={raw!r} is not a number of seconds: write e.g. 600, or 0 "
            "to stop at once when another command holds the warehouse"
        )
    return value


def lock_path(warehouse: Path) -> Path:
    """The advisory lock file beside the warehouse: `<warehouse>.lock`."""
    return warehouse.with_name(warehouse.name + ".lock")


def _command_line(pid: int) -> str | None:
    """A process's command line from /proc (Linux), or None."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    text = " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)
    return text[:120] or None


def holder(lock_file: Path) -> str:
    """Who holds the lock, as its holder wrote it: `process 123 (models_py build, since …)`."""
    try:
        info = json.loads(lock_file.read_text(encoding="utf-8"))
        return f"process {int(info['pid'])} ({info['command']}, since {info['since']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"  # it has the lock and is writing its name


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def check_duckdb_lock(warehouse: Path, read_only: bool = False) -> None:
    """Open and close the warehouse the way the command will; DuckDB's lock error, raised
    when a process outside this CLI has the file open, becomes a one-line WarehouseBusy."""
    if not warehouse.is_file():
        return
    try:
        duckdb.connect(str(warehouse), read_only=read_only).close()
    except duckdb.IOException as e:
        problem = duckdb_lock_problem(warehouse, str(e))
        if problem is None:
            raise
        raise WarehouseBusy(problem) from None


def duckdb_lock_problem(warehouse: Path, message: str) -> str | None:
    """DuckDB's lock error in ``message`` as one line naming the process holding the file
    (DuckDB gives its program and PID), or None when there is none."""
    if "Could not set lock on file" not in message:
        return None
    found = _DUCKDB_HOLDER.search(message)
    if not found:
        return f"warehouse {warehouse} is open in another process (DuckDB could not lock it)"
    pid = int(found.group(2))
    program = _command_line(pid) or found.group(1)
    return (
        f"warehouse {warehouse} is open in process {pid} ({program}); "
        "close it there (or wait for it to end) and run again"
    )


@contextlib.contextmanager
def warehouse_lock(
    warehouse: Path,
    command: str,
    read_only: bool = False,
    timeout: float | None = None,
    say: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the warehouse for one command (see the module docstring); ``say`` shows the
    line telling that this command waits (default: the ``lw`` logger). Raises
    WarehouseBusy (one line) when the wait runs out or a process outside this CLI has the
    file open."""
    timeout = lock_timeout() if timeout is None else timeout
    say = say or logging.getLogger("lw").info
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    locked = False
    try:
        locked = _try_lock(fd)
        if not locked:
            other = holder(path)
            if timeout <= 0:
                raise WarehouseBusy(
                    f"warehouse {warehouse} is in use by {other}; not waiting "
                    f"({LOCK_TIMEOUT_ENV}=0): run again when it has finished"
                )
            say(
                f"waiting for {other} to finish with {warehouse} "
                f"(up to {timeout:g}s, {LOCK_TIMEOUT_ENV})"
            )
            deadline = time.monotonic() + timeout
            while not locked:
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(
                        f"warehouse {warehouse} is still in use by {holder(path)} after "
                        f"waiting {timeout:g}s ({LOCK_TIMEOUT_ENV}): run again when it has "
                        "finished"
                    )
                time.sleep(POLL_SECONDS)
                locked = _try_lock(fd)
        info = {
            "pid": os.getpid(),
            "command": command,
            "since": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        check_duckdb_lock(warehouse, read_only=read_only)
        yield
    finally:
        if locked:
            os.ftruncate(fd, 0)  # the next holder writes its own name
        os.close(fd)  # closing the file releases the lock
