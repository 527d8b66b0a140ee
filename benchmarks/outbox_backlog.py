"""Outbox backlog benchmark: does a job cost the same with 1k, 10k or 100k jobs waiting?

    PYTHONPATH=. python benchmarks/outbox_backlog.py [--backlogs 1000,10000,100000]
        [--jobs N] [--rounds R]

For each backlog size, a fresh SQLite outbox file holds that many due jobs. One round
times N jobs taken the way the worker takes them (a lease of 10 for its kinds, then
`start` and `complete` per job) against N bare INSERT + UPDATE pairs (each committed,
WAL, the same pragmas, a plain `sqlite3` connection) on a plain table in the same file.
Between rounds, untimed, N new jobs are enqueued so the backlog stays the same. The
per-job ratio (ours / bare) of each round is kept; the median over the rounds is printed
per backlog, and last the median ratio of each backlog to the 1k one (the target: 100k
within 1.3x of 1k). Local files only; no thresholds.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from contextlib import closing
from itertools import count
from pathlib import Path

from connectors.delivery import JobResult, NewJob, SqliteOutbox

BATCH = 10
KINDS = ["noop"]  # as a worker passes its task kinds


def fill(outbox: SqliteOutbox, keys: count[int], n: int) -> None:
    with outbox.transaction() as tx:
        for _ in range(n):
            tx.enqueue(NewJob("noop", f"HS-{next(keys):09d}:sms", {"amount": 50_000}))


def ours(outbox: SqliteOutbox, n: int) -> float:
    """Seconds per job to lease, start and complete `n` jobs, as a worker does."""
    started = time.perf_counter()
    left = n
    while left:
        for job in outbox.lease("bench", limit=min(BATCH, left), lease_seconds=120, kinds=KINDS):
            outbox.start(job.id, "bench", lease_seconds=120)
            outbox.complete(job.id, "bench", JobResult({"ok": True}))
            left -= 1
    return (time.perf_counter() - started) / n


def bare(conn: sqlite3.Connection, keys: count[int], n: int) -> float:
    """Seconds per job for a plain INSERT then UPDATE, each committed, in the same file."""
    started = time.perf_counter()
    for _ in range(n):
        key = f"bare-{next(keys)}"
        conn.execute("INSERT INTO bare (key, state) VALUES (?, 'pending')", (key,))
        conn.execute("UPDATE bare SET state = 'done' WHERE key = ?", (key,))
    return (time.perf_counter() - started) / n


def measure(backlog: int, jobs: int, rounds: int) -> tuple[float, float, float]:
    """Median per-job seconds (ours, bare) and the median of the per-round ratios."""
    with (
        tempfile.TemporaryDirectory() as folder,
        SqliteOutbox(Path(folder) / "outbox.db") as outbox,
        closing(sqlite3.connect(outbox.path, isolation_level=None)) as conn,
    ):
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE bare (id INTEGER PRIMARY KEY, key TEXT UNIQUE, state TEXT)")
        keys, bare_keys = count(), count()
        fill(outbox, keys, backlog)
        ours(outbox, jobs)  # warm up, then top up
        fill(outbox, keys, jobs)
        samples: list[tuple[float, float]] = []
        for _ in range(rounds):
            base = bare(conn, bare_keys, jobs)
            mine = ours(outbox, jobs)
            samples.append((mine, base))
            fill(outbox, keys, jobs)
    return (
        statistics.median(m for m, _ in samples),
        statistics.median(b for _, b in samples),
        statistics.median(m / b for m, b in samples),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backlogs", default="1000,10000,100000")
    parser.add_argument("--jobs", type=int, default=300, help="jobs per round")
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    backlogs = [int(size) for size in args.backlogs.split(",")]
    print(f"{'backlog':>9}{'ours us/job':>14}{'bare us/job':>14}{'ratio':>8}")
    ratios = {}
    for backlog in backlogs:
        mine, base, ratio = measure(backlog, args.jobs, args.rounds)
        ratios[backlog] = ratio
        print(f"{backlog:>9}{mine * 1e6:>14.1f}{base * 1e6:>14.1f}{ratio:>8.2f}")
    first = backlogs[0]
    print()
    print(f"median ratio (ours / bare insert+update) per backlog, against {first}:")
    for backlog in backlogs:
        ratio = ratios[backlog]
        print(f"  {backlog:>7}: {ratio:.2f}x bare, {ratio / ratios[first]:.2f}x the {first} one")


if __name__ == "__main__":
    main()
