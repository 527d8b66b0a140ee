"""PostgreSQL outbox benchmark: drain throughput with 1 and 4 workers, and enqueue in the
caller's transaction, each against a bare loop of plain statements on the same server.

    PYTHONPATH=. python benchmarks/outbox_postgres.py --dsn postgresql:///bench
        [--backlogs 10000,100000] [--workers 1,4] [--jobs 5000] [--enqueues 2000]

1. Drain: a fresh schema holds a backlog of due jobs (bulk-loaded). W worker processes,
   each a `Worker` with a no-op task (lease 10, start and complete per job, as in
   production), run until the first `--jobs` jobs are done; the wall time gives jobs/s.
   The bare loop: W processes doing INSERT then UPDATE on a plain table (each statement
   committed), the same number of pairs. The ratio is our per-job time over the bare one.
2. Enqueue in the caller's transaction: N transactions of (UPDATE a dossier, enqueue its
   job on the same connection, COMMIT) against N of (UPDATE a dossier, INSERT into a plain
   table, COMMIT).

Loopback or a local socket only; the ratios come last. No thresholds: the targets (1,000
jobs/s with 4 workers; per-job cost at 100k within 1.3x of 1k) are read off the output.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import time
import uuid
from collections.abc import Callable
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event

import psycopg

from connectors.delivery import Job, JobResult, NewJob, Task, Worker
from connectors.delivery.postgres import PostgresOutbox

KIND = "noop"


def _noop(job: Job) -> JobResult:
    return JobResult({"ok": True})


def _fill(dsn: str, schema: str, backlog: int) -> None:
    """`backlog` due jobs, bulk-loaded (as a burst of enqueues would leave them)."""
    with PostgresOutbox(dsn, schema=schema) as outbox:
        outbox.ready()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            f'INSERT INTO "{schema}".outbox_jobs (kind, key, payload, state, created_at,'  # noqa: S608
            " retry_since, next_attempt_at) SELECT %s, 'HS-' || g || ':sms',"
            " '{\"amount\": 50000}', 'pending', now(), now(),"
            " now() - interval '1 hour' + g * interval '1 us' FROM generate_series(1, %s) g",
            (KIND, backlog),
        )
        conn.execute(
            f'CREATE TABLE "{schema}".bare (id bigserial PRIMARY KEY, key text UNIQUE, state text)'
        )


def _work(
    dsn: str, schema: str, owner: str, done: Synchronized[int], target: int, go: Event
) -> None:
    with PostgresOutbox(dsn, schema=schema) as outbox:
        worker = Worker(outbox, {KIND: Task(run=_noop)}, owner=owner, batch_size=10)
        outbox.ready()
        go.wait()
        while done.value < target:
            report = worker.run_once()
            with done.get_lock():
                done.value += report.done


def _bare(
    dsn: str, schema: str, owner: str, done: Synchronized[int], target: int, go: Event
) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        insert = f"INSERT INTO \"{schema}\".bare (key, state) VALUES (%s, 'pending')"  # noqa: S608
        update = f"UPDATE \"{schema}\".bare SET state = 'done' WHERE key = %s"  # noqa: S608
        n = 0
        go.wait()
        while done.value < target:
            key = f"{owner}-{n}"
            conn.execute(insert, (key,))
            conn.execute(update, (key,))
            n += 1
            with done.get_lock():
                done.value += 1


def _run(fn: Callable[..., None], dsn: str, schema: str, workers: int, target: int) -> float:
    """Seconds for `workers` processes running `fn` to get `target` jobs done."""
    ctx = mp.get_context("spawn")
    done: Synchronized[int] = ctx.Value("q", 0)  # type: ignore[assignment]
    go = ctx.Event()
    procs = [
        ctx.Process(target=fn, args=(dsn, schema, f"w{n}", done, target, go))
        for n in range(workers)
    ]
    for proc in procs:
        proc.start()
    time.sleep(2.0)  # every process connected and waiting
    started = time.perf_counter()
    go.set()
    while done.value < target:
        time.sleep(0.005)
    elapsed = time.perf_counter() - started
    for proc in procs:
        proc.join(60)
    return elapsed


def drain(dsn: str, backlog: int, workers: int, jobs: int) -> tuple[float, float]:
    """(our jobs/s, bare pairs/s) with `workers` processes at a `backlog` of due jobs."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    try:
        _fill(dsn, schema, backlog)
        ours = _run(_work, dsn, schema, workers, jobs)
        bare = _run(_bare, dsn, schema, workers, jobs)
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    return jobs / ours, jobs / bare


def enqueue(dsn: str, n: int, rounds: int) -> tuple[float, float, float]:
    """Median seconds per transaction (ours, bare) and the median per-round ratio."""
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    samples: list[tuple[float, float]] = []
    try:
        with PostgresOutbox(dsn, schema=schema) as outbox, psycopg.connect(dsn) as conn:
            outbox.ready()
            conn.execute(f'CREATE TABLE "{schema}".dossiers (code text PRIMARY KEY, paid bool)')
            conn.execute(
                f'CREATE TABLE "{schema}".bare (id bigserial PRIMARY KEY,'
                " key text UNIQUE, payload json, state text)"
            )
            conn.execute(
                f"INSERT INTO \"{schema}\".dossiers SELECT 'HS-' || g, false"  # noqa: S608
                " FROM generate_series(0, %s) g",
                (n * (rounds + 1),),
            )
            conn.commit()
            pay = f'UPDATE "{schema}".dossiers SET paid = true WHERE code = %s'  # noqa: S608
            plain = (
                f'INSERT INTO "{schema}".bare (key, payload, state)'  # noqa: S608
                " VALUES (%s, %s::json, 'pending')"
            )
            codes = iter(range(n * (rounds + 1)))
            for round_ in range(rounds + 1):
                started = time.perf_counter()
                for _ in range(n):
                    code = f"HS-{next(codes)}"
                    with conn.transaction():
                        conn.execute(pay, (code,))
                        job = NewJob("fee_receipt", f"{code}:receipt", {"dossier": code})
                        outbox.enqueue(job, connection=conn)
                mine = (time.perf_counter() - started) / n
                started = time.perf_counter()
                for m in range(n):
                    with conn.transaction():
                        conn.execute(pay, (f"HS-{m}",))
                        conn.execute(plain, (f"bare-{round_}-{m}", '{"dossier": "x"}'))
                base = (time.perf_counter() - started) / n
                if round_:  # the first round warms up
                    samples.append((mine, base))
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    return (
        statistics.median(m for m, _ in samples),
        statistics.median(b for _, b in samples),
        statistics.median(m / b for m, b in samples),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--backlogs", default="10000,100000")
    parser.add_argument("--workers", default="1,4")
    parser.add_argument("--jobs", type=int, default=5000, help="jobs drained per run")
    parser.add_argument("--enqueues", type=int, default=2000, help="transactions per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    backlogs = [int(size) for size in args.backlogs.split(",")]
    counts = [int(n) for n in args.workers.split(",")]
    print(f"{'backlog':>9}{'workers':>9}{'ours jobs/s':>13}{'bare pairs/s':>14}{'ratio':>8}")
    results = {}
    for backlog in backlogs:
        for workers in counts:
            ours, bare = drain(args.dsn, backlog, workers, args.jobs)
            results[backlog, workers] = (ours, bare)
            print(f"{backlog:>9}{workers:>9}{ours:>13.0f}{bare:>14.0f}{bare / ours:>8.2f}")
    mine, base, ratio = enqueue(args.dsn, args.enqueues, args.rounds)
    print()
    print(
        f"enqueue in the caller's transaction: {mine * 1e6:.0f} us/transaction,"
        f" bare {base * 1e6:.0f} us"
    )
    print()
    print("ratios (per-job time: ours / bare):")
    for (backlog, workers), (ours, bare) in results.items():
        print(
            f"  drain, {workers} worker(s), {backlog:>6} backlog: {bare / ours:.2f}x bare,"
            f" {ours:.0f} jobs/s"
        )
    first = backlogs[0]
    for workers in counts:
        for backlog in backlogs[1:]:
            slower = results[first, workers][0] / results[backlog, workers][0]
            print(
                f"  drain, {workers} worker(s): per-job time at {backlog} is {slower:.2f}x"
                f" that at {first}"
            )
    print(f"  enqueue in the caller's transaction: {ratio:.2f}x bare")


if __name__ == "__main__":
    main()
