"""Outbox backlog benchmark: does a job cost the same with 1k, 10k or 100k jobs waiting?

    python -m benchmarks.outbox_backlog [--backlogs 1000,10000,100000]
        [--jobs N] [--rounds R] [--store sqlite|postgres --dsn postgresql:///bench]

For each backlog size, a fresh outbox (an SQLite file, or a PostgreSQL schema) holds that
many due jobs. One round times N jobs taken the way the worker takes them (a lease of 10
for its kinds, then `start` and `complete` per job) against N bare INSERT + UPDATE pairs,
each committed, on a plain table in the same file or database (SQLite: WAL, the same
pragmas, a plain `sqlite3` connection; PostgreSQL: a plain psycopg connection). Between
rounds, untimed, N new jobs are enqueued so the backlog stays the same. The per-job ratio
(ours / bare) of each round is kept; the median over the rounds is printed per backlog,
and last the median ratio of each backlog to the 1k one (the target: 100k within 1.3x of
1k). Local files or a local server only; no thresholds.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from itertools import count
from pathlib import Path
from typing import Any

from benchmarks.harness import Chart, Outcome, Row, Series
from connectors.delivery import JobResult, NewJob, SqliteOutbox
from connectors.delivery.postgres import PostgresOutbox

Outbox = SqliteOutbox | PostgresOutbox

BATCH = 10
KINDS = ["noop"]  # as a worker passes its task kinds


def fill(outbox: Outbox, keys: count[int], n: int) -> None:
    with outbox.transaction() as tx:
        for _ in range(n):
            tx.enqueue(NewJob("noop", f"HS-{next(keys):09d}:sms", {"amount": 50_000}))


def ours(outbox: Outbox, n: int) -> float:
    """Seconds per job to lease, start and complete `n` jobs, as a worker does."""
    started = time.perf_counter()
    left = n
    while left:
        for job in outbox.lease("bench", limit=min(BATCH, left), lease_seconds=120, kinds=KINDS):
            outbox.start(job.id, "bench", lease_seconds=120)
            outbox.complete(job.id, "bench", JobResult({"ok": True}))
            left -= 1
    return (time.perf_counter() - started) / n


Bare = Callable[["count[int]", int], float]


def timed_pairs(execute: Callable[[str, tuple[Any, ...]], object], mark: str) -> Bare:
    """Seconds per job for a plain INSERT then UPDATE, each committed (`mark`: "?" or "%s")."""
    insert = f"INSERT INTO bare (key, state) VALUES ({mark}, 'pending')"  # noqa: S608
    update = f"UPDATE bare SET state = 'done' WHERE key = {mark}"  # noqa: S608

    def run(keys: count[int], n: int) -> float:
        started = time.perf_counter()
        for _ in range(n):
            key = f"bare-{next(keys)}"
            execute(insert, (key,))
            execute(update, (key,))
        return (time.perf_counter() - started) / n

    return run


@contextmanager
def sqlite_pair() -> Iterator[tuple[Outbox, Bare]]:
    """An SQLite outbox file and the bare loop on a plain table in the same file."""
    with (
        tempfile.TemporaryDirectory() as folder,
        SqliteOutbox(Path(folder) / "outbox.db") as outbox,
        closing(sqlite3.connect(outbox.path, isolation_level=None)) as conn,
    ):
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE bare (id INTEGER PRIMARY KEY, key TEXT UNIQUE, state TEXT)")
        yield outbox, timed_pairs(conn.execute, "?")


@contextmanager
def postgres_pair(dsn: str) -> Iterator[tuple[Outbox, Bare]]:
    """A PostgreSQL outbox in a fresh schema and the bare loop on a plain table beside it."""
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    try:
        with (
            PostgresOutbox(dsn, schema=schema) as outbox,
            psycopg.connect(dsn, autocommit=True) as conn,
        ):
            outbox.ready()
            conn.execute(f"SET search_path = {schema}")
            conn.execute(
                "CREATE TABLE bare (id bigserial PRIMARY KEY, key text UNIQUE, state text)"
            )
            yield outbox, timed_pairs(conn.execute, "%s")
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def measure_backlog(
    pair: Callable[[], Any], backlog: int, jobs: int, rounds: int
) -> tuple[float, float, float]:
    """Median per-job seconds (ours, bare) and the median of the per-round ratios."""
    with pair() as (outbox, bare):
        keys, bare_keys = count(), count()
        fill(outbox, keys, backlog)
        ours(outbox, jobs)  # warm up, then top up
        fill(outbox, keys, jobs)
        samples: list[tuple[float, float]] = []
        for _ in range(rounds):
            base = bare(bare_keys, jobs)
            mine = ours(outbox, jobs)
            samples.append((mine, base))
            fill(outbox, keys, jobs)
    return (
        statistics.median(m for m, _ in samples),
        statistics.median(b for _, b in samples),
        statistics.median(m / b for m, b in samples),
    )


def measure(quick: bool = False) -> Outcome:
    """The SQLite outbox at 1k, 10k and 100k jobs waiting: the row at 100k and the chart."""
    jobs, rounds = (100, 3) if quick else (300, 9)
    ours_series, bare_series = Series("outbox job (lease, start, complete)"), Series("bare pair")
    ratios = {}
    for backlog in (1000, 10_000, 100_000):
        mine, base, ratio = measure_backlog(sqlite_pair, backlog, jobs, rounds)
        ours_series.points.append((backlog, mine * 1e6))
        bare_series.points.append((backlog, base * 1e6))
        ratios[backlog] = ratio
    detail = (
        f"{ours_series.points[-1][1]:.0f} µs per job at 100k, {ours_series.points[0][1]:.0f} µs "
        f"at 1k ({ratios[1000]:.2f}x bare); 100k costs {ratios[100_000] / ratios[1000]:.2f}x "
        "the 1k per-job ratio (SQLite)"
    )
    row = Row(
        "outbox.backlog_100k",
        "outbox per-job cost at 100k backlog",
        ratios[100_000],
        "flat (100k within 1.3x of 1k)",
        detail,
    )
    chart = Chart(
        "outbox_backlog",
        "Outbox (SQLite): cost per job by backlog",
        "jobs waiting",
        "µs per job",
        [ours_series, bare_series],
    )
    return Outcome([row], [chart])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backlogs", default="1000,10000,100000")
    parser.add_argument("--jobs", type=int, default=300, help="jobs per round")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--dsn", help="with --store postgres: the server to use")
    args = parser.parse_args()
    if args.store == "postgres" and not args.dsn:
        parser.error("--store postgres needs --dsn")
    backlogs = [int(size) for size in args.backlogs.split(",")]
    print(f"{args.store}: {'backlog':>9}{'ours us/job':>14}{'bare us/job':>14}{'ratio':>8}")
    ratios = {}
    for backlog in backlogs:
        pair = sqlite_pair if args.store == "sqlite" else (lambda: postgres_pair(args.dsn))
        mine, base, ratio = measure_backlog(pair, backlog, args.jobs, args.rounds)
        ratios[backlog] = ratio
        indent = " " * (len(args.store) + 2)
        print(f"{indent}{backlog:>9}{mine * 1e6:>14.1f}{base * 1e6:>14.1f}{ratio:>8.2f}")
    first = backlogs[0]
    print()
    print(f"median ratio (ours / bare insert+update) per backlog, against {first}:")
    for backlog in backlogs:
        ratio = ratios[backlog]
        print(f"  {backlog:>7}: {ratio:.2f}x bare, {ratio / ratios[first]:.2f}x the {first} one")


if __name__ == "__main__":
    main()
