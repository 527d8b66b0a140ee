"""Overhead benchmarks, as ratios against a baseline run in the same process.

    python benchmarks/overhead.py [--requests N] [--jobs N]

1. Transport: N GETs through `connectors.core.Transport` (timeouts, retry machinery,
   redacted hooks) against N plain `requests.Session` GETs, same loopback simulator; and
   again with `trust_env=False` (no proxy look-up in the environment per request).
2. Outbox: N jobs enqueued, leased, run (a no-op task) and completed by a `Worker`,
   against N bare SQLite INSERT+UPDATE pairs in WAL mode, each committed, same file system.

Only loopback traffic. Prints a table and the two ratios; no pass/fail threshold.
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests

from connectors.core import Idempotency, RequestSpec, Transport
from connectors.delivery import JobResult, NewJob, SqliteOutbox, Task, Worker
from connectors.testing import SimResponse, Simulator, serve


def timed(fn: Callable[[], None]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def bench_transport(n: int) -> tuple[float, float, float]:
    sim = Simulator()
    sim.add_route("GET", "/ping", lambda request: SimResponse.json({"ok": True}), name="ping")
    with (
        serve(sim) as base_url,
        requests.Session() as session,
        Transport("bench") as http,
        Transport("bench-no-env", trust_env=False) as direct,
    ):
        url = f"{base_url}/ping"
        session.get(url, timeout=5).json()  # warm both pools
        http.request(RequestSpec("GET", url), operation="ping", idempotency=Idempotency.READ)

        def plain() -> None:
            for _ in range(n):
                session.get(url, timeout=(5, 30)).json()

        def through(transport: Transport) -> Callable[[], None]:
            def run() -> None:
                for _ in range(n):
                    transport.request(
                        RequestSpec("GET", url), operation="ping", idempotency=Idempotency.READ
                    ).json()

            return run

        return timed(plain), timed(through(http)), timed(through(direct))


def bench_outbox(n: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as folder:
        raw = sqlite3.connect(Path(folder) / "raw.db", isolation_level=None)
        raw.execute("PRAGMA journal_mode=WAL").fetchall()
        raw.execute("PRAGMA synchronous=NORMAL")
        raw.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, key TEXT UNIQUE, state TEXT)")

        def baseline() -> None:
            for i in range(n):
                raw.execute("INSERT INTO t (key, state) VALUES (?, 'pending')", (f"k{i}",))
            for i in range(n):
                raw.execute("UPDATE t SET state = 'done' WHERE key = ?", (f"k{i}",))

        with SqliteOutbox(Path(folder) / "outbox.db") as outbox:
            worker = Worker(outbox, {"noop": Task(run=lambda job: JobResult())}, batch_size=50)

            def ours() -> None:
                for i in range(n):
                    outbox.enqueue(NewJob("noop", f"k{i}"))
                worker.run(until_idle=True)

            result = timed(baseline), timed(ours)
        raw.close()
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=2000)
    args = parser.parse_args()
    plain, ours, direct = bench_transport(args.requests)
    base, outbox = bench_outbox(args.jobs)
    print(f"{'benchmark':<28}{'baseline s':>12}{'ours s':>10}{'ratio':>8}")
    for name, baseline, measured in (
        (f"transport GET x{args.requests}", plain, ours),
        ("  same, trust_env=False", plain, direct),
        (f"outbox job x{args.jobs}", base, outbox),
    ):
        print(f"{name:<28}{baseline:>12.3f}{measured:>10.3f}{measured / baseline:>8.2f}")


if __name__ == "__main__":
    main()
