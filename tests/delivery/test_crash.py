"""Crash tests: SIGKILL a worker in the middle of its jobs; a new worker finishes them.

The vendor de-duplicates by key, as the real ones do; what this proves is that the outbox
never loses a job and never sends one effect under two keys: the vendor's ledger ends up
with exactly the expected keys, once each, and every job's stored result is the vendor's
record for its key. The second test kills the worker while most of its batch waits its
turn (leased, not started): those jobs run normally once the lease lapses; only the one
in flight is looked up first.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from connectors.delivery import JobState, NewJob, SqliteOutbox, Worker, WorkerReport
from connectors.testing import Latency, serve

from .vendor import EffectClient, EffectVendor

ROOT = Path(__file__).resolve().parents[2]
JOBS = 1000


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def test_sigkill_mid_run_loses_nothing_and_duplicates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "outbox.db"
    keys = [f"HS-{n:04d}:receipt" for n in range(JOBS)]
    with SqliteOutbox(db) as outbox:
        with outbox.transaction() as tx:
            for n, key in enumerate(keys):
                tx.enqueue(NewJob("effect", key, {"dossier": n}))

        vendor = EffectVendor()
        vendor.faults.add("create", Latency(0.004), times=JOBS * 2)
        with serve(vendor) as base_url:
            doomed = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
                [sys.executable, "-m", "tests.delivery.crash_worker", str(db), base_url],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                wait_for(lambda: vendor.ledger.count("effect") >= JOBS // 3, 60, "progress")
            finally:
                os.kill(doomed.pid, signal.SIGKILL)
                doomed.wait(timeout=10)
            assert -signal.SIGKILL == doomed.returncode
            at_kill = outbox.counts()
            assert 0 < at_kill[JobState.DONE] < JOBS, at_kill

            survivor = Worker(
                outbox,
                {"effect": EffectClient(base_url).task()},
                owner="survivor",
                lease_seconds=3,
                batch_size=20,
            )

            def finished() -> bool:
                survivor.run_once()
                return outbox.counts()[JobState.DONE] == JOBS

            wait_for(finished, 90, "the survivor to finish")

        ledger = vendor.ledger.entries("effect")
        assert sorted(keys) == sorted(entry.key for entry in ledger), "lost or foreign keys"
        assert JOBS == len({entry.data["number"] for entry in ledger})
        by_key = {entry.key: entry.data["number"] for entry in ledger}
        done = outbox.jobs(JobState.DONE, limit=JOBS)
        assert JOBS == len(done)
        assert all(by_key[job.key] == (job.result or {})["number"] for job in done)
        sent = {seen.header("Idempotency-Key") for seen in vendor.requests_to("create")}
        assert set(keys) == sent, "every request carried its job's own key"
        assert {JobState.DONE: JOBS} == {s: c for s, c in outbox.counts().items() if c}


def test_sigkill_while_a_batch_waits_its_turn_loses_and_repeats_nothing(tmp_path: Path) -> None:
    db = tmp_path / "outbox.db"
    jobs, batch = 120, 60
    keys = [f"HS-{n:04d}:sms" for n in range(jobs)]
    with SqliteOutbox(db) as outbox:
        with outbox.transaction() as tx:
            for n, key in enumerate(keys):
                tx.enqueue(NewJob("effect", key, {"dossier": n}))

        vendor = EffectVendor()
        vendor.faults.add("create", Latency(0.03), times=jobs * 2)
        with serve(vendor) as base_url:
            doomed = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
                [
                    sys.executable,
                    "-m",
                    "tests.delivery.crash_worker",
                    str(db),
                    base_url,
                    str(batch),
                ],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                wait_for(lambda: vendor.ledger.count("effect") >= 10, 60, "progress")
            finally:
                os.kill(doomed.pid, signal.SIGKILL)
                doomed.wait(timeout=10)
            assert -signal.SIGKILL == doomed.returncode
            held = outbox.jobs(JobState.LEASED, limit=jobs)
            waiting = [job for job in held if job.started_at is None]
            assert len(waiting) >= batch // 2, "most of the batch was waiting its turn"
            assert {"doomed-worker"} == {job.lease_owner for job in held}
            assert all(job.attempts == 0 for job in waiting)
            assert len(held) - len(waiting) <= 1, "at most one job in flight"

            survivor = Worker(
                outbox,
                {"effect": EffectClient(base_url).task()},
                owner="survivor",
                lease_seconds=3,
                batch_size=20,
            )
            report = WorkerReport()

            def finished() -> bool:
                report.add(survivor.run_once())
                return outbox.counts()[JobState.DONE] == jobs

            wait_for(finished, 90, "the survivor to finish")

        ledger = vendor.ledger.entries("effect")
        assert sorted(keys) == sorted(entry.key for entry in ledger), "lost or foreign keys"
        assert {JobState.DONE: jobs} == {s: c for s, c in outbox.counts().items() if c}
        assert (0, 0) == (report.parked, report.lost_lease)
        assert report.found_by_lookup <= 1, "only the job in flight could have been made"
        by_key = {entry.key: entry.data["number"] for entry in ledger}
        done = outbox.jobs(JobState.DONE, limit=jobs)
        assert all(by_key[job.key] == (job.result or {})["number"] for job in done)
        sent = Counter(seen.header("Idempotency-Key") for seen in vendor.requests_to("create"))
        assert dict.fromkeys(keys, 1) == dict(sent), "each key sent once: waiting jobs ran once"
