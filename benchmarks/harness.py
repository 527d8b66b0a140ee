"""What every benchmark row shares: paired timing, medians, rows and their printing.

A row compares this library with a baseline doing the same work with nothing of ours
(a plain `requests.Session`, a bare RSA signature, `import requests`...). Both run in the
same process, interleaved round by round (or as paired whole processes for imports), so
a loaded machine slows both alike; the ratio of each round is kept and the median of the
ratios is the figure. No thresholds: the target is printed beside the figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent
"""The repository root: whole-process runs start there so they import this checkout."""


@dataclass(frozen=True)
class Pair:
    """Median seconds of ours and of the baseline, and the median of the per-round ratios."""

    ours: float
    base: float
    ratio: float


@dataclass(frozen=True)
class Row:
    """One line of the performance table."""

    key: str
    """Stable id, e.g. "transport.small_get"."""
    label: str
    """What is measured, as the table says it."""
    ratio: float
    """Median ratio ours / baseline."""
    target: str
    """The issue's target, as text ("<= 1.10x")."""
    detail: str = ""
    """Absolute figures behind the ratio."""
    limit: float | None = None
    """The target as a number, when it is a bound on the ratio."""

    @property
    def met(self) -> bool | None:
        """Whether the ratio is within `limit` (None when the target is not a bound)."""
        return None if self.limit is None else self.ratio <= self.limit


@dataclass
class Series:
    """One line of a chart: cost (y) against size (x)."""

    name: str
    points: list[tuple[float, float]] = field(default_factory=list)


@dataclass
class Chart:
    """A chart of cost against size, written as a PNG by `run_all`."""

    key: str
    title: str
    x_label: str
    y_label: str
    series: list[Series]
    log_y: bool = False
    """A log scale for the cost too: linear growth then draws a straight line of slope 1."""


@dataclass
class Outcome:
    """What one benchmark script measured."""

    rows: list[Row]
    charts: list[Chart] = field(default_factory=list)


Clock = Callable[[], float]

CPU: Clock = time.process_time
"""CPU seconds of this process (all its threads): what the work costs, whatever else the
machine runs. The default for in-process rows."""
WALL: Clock = time.perf_counter
"""Elapsed seconds: for rows whose cost is waiting (a database, a thread pool's throughput)."""


def timed(fn: Callable[[], object], clock: Clock = WALL) -> float:
    """Seconds `fn()` took on `clock`."""
    start = clock()
    fn()
    return clock() - start


def alternate(ours: Callable[[], T], base: Callable[[], T], rounds: int) -> list[tuple[T, T]]:
    """`rounds` pairs (ours, base), the order of the two flipped every round."""
    samples: list[tuple[T, T]] = []
    for number in range(rounds):
        if number % 2:
            mine = ours()
            samples.append((mine, base()))
        else:
            theirs = base()
            samples.append((ours(), theirs))
    return samples


def medians(samples: Sequence[tuple[float, float]]) -> Pair:
    """Median of ours, of the baseline, and of the per-round ratios."""
    return Pair(
        ours=statistics.median(m for m, _ in samples),
        base=statistics.median(b for _, b in samples),
        ratio=statistics.median(m / b for m, b in samples),
    )


def paired(
    ours: Callable[[], object],
    base: Callable[[], object],
    *,
    rounds: int,
    warmup: int = 1,
    clock: Clock = CPU,
) -> Pair:
    """Time `ours` and `base` alternately for `rounds` rounds on `clock`."""
    for _ in range(warmup):
        base()
        ours()
    return medians(alternate(lambda: timed(ours, clock), lambda: timed(base, clock), rounds))


def repeat(fn: Callable[[], object], times: int) -> Callable[[], None]:
    """`fn` called `times` times, as one timed unit."""

    def run() -> None:
        for _ in range(times):
            fn()

    return run


@dataclass(frozen=True)
class ProcessRun:
    """One whole-process run: wall and CPU seconds, peak resident memory (MiB)."""

    seconds: float
    cpu: float
    max_rss_mib: float


def run_process(code: str, *args: str) -> ProcessRun:
    """Run `python -c code args...` in a fresh interpreter at the repository root."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    child = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed code
        [sys.executable, "-c", code, *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"benchmark process failed ({status}): {code} {args}")
    return ProcessRun(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


@dataclass(frozen=True)
class ProcessPair:
    """Paired whole-process runs: medians of CPU and wall seconds, and of peak MiB."""

    cpu: Pair
    wall: Pair
    ours_mib: float
    base_mib: float


def paired_processes(ours: str, base: str, *, runs: int, args: Sequence[str] = ()) -> ProcessPair:
    """Whole-process pairs of `ours` and `base` code (`args` given to `ours` only).

    The ratio that counts is CPU time (user + system, from the child's own accounting),
    which a loaded machine barely moves; wall time is kept beside it.
    """
    run_process(base)  # warm the file cache
    run_process(ours, *args)
    samples = alternate(lambda: run_process(ours, *args), lambda: run_process(base), runs)
    return ProcessPair(
        cpu=medians([(m.cpu, b.cpu) for m, b in samples]),
        wall=medians([(m.seconds, b.seconds) for m, b in samples]),
        ours_mib=statistics.median(m.max_rss_mib for m, _ in samples),
        base_mib=statistics.median(b.max_rss_mib for _, b in samples),
    )


def print_rows(rows: Sequence[Row]) -> None:
    """The rows as a table, then the median ratio of each row, last."""
    width = max(len(row.label) for row in rows) + 2
    for row in rows:
        print(f"{row.label:<{width}}{row.detail}")
    print()
    for row in rows:
        verdict = {True: "met", False: "NOT met", None: ""}[row.met]
        print(f"median ratio {row.key}: {row.ratio:.2f}x (target {row.target}) {verdict}".rstrip())


def run_script(measure: Callable[[bool], Outcome], doc: str | None) -> None:
    """A row script's command line: `--quick` for fewer rounds; the rows, ratios last."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds, smaller sizes")
    print_rows(measure(parser.parse_args().quick).rows)


def fmt_seconds(seconds: float) -> str:
    """`seconds` in the unit that reads best (s, ms or µs)."""
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"
