"""Measuring steps and writing the results: the part every stage shares.

Memory is measured two ways, both recorded per step:

``peak_rss_mb``
    The sampled peak of the summed resident set size (``/proc/<pid>/statm``) of this
    process and all its descendants, polled every ``interval`` seconds by a thread (so a
    child such as ``dbt`` counts while it runs). A spike shorter than the interval can be
    missed; the figure is a lower bound of the true peak.
``maxrss_self_mb`` / ``maxrss_children_mb``
    ``getrusage`` high-water marks at the end of the step: exact, but since the start of
    the run (they never go down) and, for children, the largest single finished child —
    not a sum. The build step's ``maxrss_children_mb`` is dbt's exact peak when dbt is the
    first child.

CPU time (``cpu_seconds``: user + system of this process and its finished children) is
recorded next to wall time because the machine may be shared: wall time moves with the
load, CPU time much less.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import platform
import re
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import asdict, dataclass, field
from pathlib import Path

from models_py.warehouse import REPO_ROOT

MB = 1024 * 1024
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _children_by_parent() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:  # the process ended meanwhile
            continue
        # the command name (field 2) may hold spaces and parentheses: split after the last ')'
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        out.setdefault(ppid, []).append(int(entry.name))
    return out


def tree_rss_bytes(pid: int | None = None) -> int:
    """Resident memory of a process and all its descendants, summed (0 if none)."""
    root = pid or os.getpid()
    children = _children_by_parent()
    total, stack = 0, [root]
    while stack:
        p = stack.pop()
        stack.extend(children.get(p, ()))
        try:
            with open(f"/proc/{p}/statm", encoding="ascii") as fh:
                total += int(fh.read().split()[1]) * PAGE_SIZE
        except OSError:
            continue
    return total


class RssSampler:
    """Polls the process tree's resident memory in a background thread; keeps the peak
    since the last ``reset`` (a step) and since the last ``take_line_peak`` (a line of
    progress output)."""

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self._peak = 0
        self._line_peak = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="rss-sampler", daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self) -> int:
        rss = tree_rss_bytes()
        with self._lock:
            self._peak = max(self._peak, rss)
            self._line_peak = max(self._line_peak, rss)
        return rss

    def reset(self) -> None:
        with self._lock:
            self._peak = self._line_peak = 0
        self.sample()

    def peak(self) -> int:
        self.sample()
        with self._lock:
            return self._peak

    def take_line_peak(self) -> int:
        """The peak since the previous call (then start a new window)."""
        self.sample()
        with self._lock:
            peak, self._line_peak = self._line_peak, 0
        return peak

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


class ProgressTap(io.TextIOBase):
    """Passes writes through to a stream and logs each complete line with the time since
    the start and the peak memory since the previous line: the memory of what the line
    reports (a dbt model, a method at a seed size) without instrumenting the code that
    prints it."""

    MAX_LINES = 5000

    def __init__(self, stream: io.TextIOBase, sampler: RssSampler, t0: float) -> None:
        self.stream = stream
        self.sampler = sampler
        self.t0 = t0
        self.buffer_ = ""
        self.lines: list[dict] = []

    def write(self, text: str) -> int:
        self.stream.write(text)
        self.buffer_ += text
        while "\n" in self.buffer_:
            line, self.buffer_ = self.buffer_.split("\n", 1)
            line = _ANSI.sub("", line).strip()
            if line and len(self.lines) < self.MAX_LINES:
                self.lines.append(
                    {
                        "t": round(time.perf_counter() - self.t0, 2),
                        "peak_rss_mb": round(self.sampler.take_line_peak() / MB),
                        "line": line[:200],
                    }
                )
        return len(text)

    def flush(self) -> None:
        self.stream.flush()


@dataclass
class Step:
    """One measured step of a stage."""

    stage: str
    step: str
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    rows: int | None = None
    peak_rss_mb: float = 0.0
    maxrss_self_mb: float = 0.0
    maxrss_children_mb: float = 0.0
    status: str = "ok"  # ok | skipped | failed
    note: str = ""
    details: dict = field(default_factory=dict)
    progress: list[dict] = field(default_factory=list)  # printed lines, time, peak RSS

    @property
    def rows_per_second(self) -> float | None:
        if self.rows is None or self.status != "ok" or self.seconds <= 0:
            return None
        return self.rows / self.seconds

    def as_dict(self) -> dict:
        return {**asdict(self), "rows_per_second": self.rows_per_second}


def _cpu_seconds() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _maxrss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


class Recorder:
    """Times steps, keeps their records and rewrites the run's JSON after every step (so a
    run killed midway, e.g. out of memory, still leaves what it measured)."""

    def __init__(self, sampler: RssSampler, meta: dict, json_path: Path) -> None:
        self.sampler = sampler
        self.meta = meta
        self.json_path = json_path
        self.steps: list[Step] = []
        self.stages: dict[str, dict] = {}

    @contextmanager
    def step(self, stage: str, name: str) -> Iterator[Step]:
        """Measure the body; the body may set ``rows``, ``details``, ``note`` and ``status``."""
        record = Step(stage, name)
        self.steps.append(record)
        print(f"[bench] {stage} / {name} ...", flush=True)
        self.sampler.reset()
        cpu0, t0 = _cpu_seconds(), time.perf_counter()
        tap = ProgressTap(sys.stdout, self.sampler, t0)
        try:
            with redirect_stdout(tap):
                yield record
        except BaseException as e:
            record.status = "failed"
            record.note = (f"{type(e).__name__}: {e}".splitlines() or [""])[0][:300]
            raise
        finally:
            record.seconds = time.perf_counter() - t0
            record.progress = tap.lines
            record.cpu_seconds = _cpu_seconds() - cpu0
            record.peak_rss_mb = self.sampler.peak() / MB
            record.maxrss_self_mb = _maxrss_mb(resource.RUSAGE_SELF)
            record.maxrss_children_mb = _maxrss_mb(resource.RUSAGE_CHILDREN)
            self.save()
            rate = record.rows_per_second
            print(
                f"[bench] {stage} / {name}: {record.status} in {record.seconds:.1f}s "
                f"(cpu {record.cpu_seconds:.1f}s), peak RSS {record.peak_rss_mb:,.0f} MB"
                + (f", {record.rows:,} rows" if record.rows is not None else "")
                + (f", {rate:,.0f} rows/s" if rate else "")
                + (f"; {record.note}" if record.note else ""),
                flush=True,
            )

    def save(self) -> None:
        """Write the run's JSON (atomically: a reader never sees half a file)."""
        doc = {
            **self.meta,
            "steps": [s.as_dict() for s in self.steps],
            "stages": self.stages,
        }
        self.json_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.json_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(doc, indent=2, default=str) + "\n", encoding="utf-8")
        tmp.replace(self.json_path)


def _git(*args: str) -> str:
    try:
        argv = ["git", *args]  # git from PATH, as a user runs it
        out = subprocess.run(  # noqa: S603, S607 - argv: git and fixed arguments, no shell
            argv, cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip()


def run_meta(args: dict) -> dict:
    """Where and on what a run ran: time, commit, machine, versions, load."""
    import dbt.version
    import duckdb

    mem_total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "host": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "memory_gb": round(mem_total / 1024**3, 1),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "niceness": os.nice(0),
        },
        "versions": {
            "python": sys.version.split()[0],
            "duckdb": duckdb.__version__,
            "dbt": dbt.version.__version__,
        },
        "args": args,
    }


# --- markdown ----------------------------------------------------------------------------


def _num(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def steps_markdown(steps: list[Step]) -> str:
    header = ["stage", "step", "status", "wall s", "cpu s", "rows", "rows/s", "peak RSS MB"]
    rows = [
        [
            s.stage,
            s.step,
            s.status,
            _num(s.seconds),
            _num(s.cpu_seconds),
            _num(s.rows),
            _num(s.rows_per_second, 0),
            _num(s.peak_rss_mb, 0),
        ]
        for s in steps
    ]
    return markdown_table(header, rows)
