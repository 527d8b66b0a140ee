"""The worker against a failing store: it logs, backs off and carries on; nothing is lost,
nothing is done twice, and an outcome the store failed to record is recorded later."""

from __future__ import annotations

import random
import sqlite3
from collections import Counter

import pytest

from connectors.core import RetryPolicy
from connectors.delivery import Job, JobResult, JobState, NewJob, SqliteOutbox, Task, Worker

from .conftest import FakeClock
from .flaky import FlakyStore


class Vendor:
    """Counts effects by key, with no de-duplication of its own: a second run is a second
    effect. Its lookup finds what it made."""

    def __init__(self) -> None:
        self.effects: Counter[str] = Counter()

    def run(self, job: Job) -> JobResult:
        self.effects[job.key] += 1
        return JobResult({"number": sum(self.effects.values()), "key": job.key})

    def lookup(self, job: Job) -> JobResult | None:
        return JobResult({"key": job.key, "found": True}) if self.effects[job.key] else None


class Sleeper:
    """Stands for time.sleep: records each wait and moves the fake clock by it."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(seconds)


def make_worker(store: object, clock: FakeClock, task: Task, sleeper: Sleeper) -> Worker:
    return Worker(
        store,  # type: ignore[arg-type]
        {"sms": task},
        owner="w",
        lease_seconds=60,
        backoff=RetryPolicy(base_delay=10, max_delay=100, rng=random.Random(3)),
        store_retry=RetryPolicy(base_delay=1, max_delay=8, rng=random.Random(5)),
        clock=clock,
        sleep=sleeper,
    )


def enqueue(outbox: SqliteOutbox, n: int) -> list[str]:
    keys = [f"HS-{i}:sms" for i in range(n)]
    for key in keys:
        outbox.enqueue(NewJob("sms", key))
    return keys


@pytest.mark.parametrize(
    "message", ["disk I/O error", "database is locked", "database or disk is full"]
)
def test_store_errors_while_leasing_are_waited_out(
    outbox: SqliteOutbox, clock: FakeClock, message: str
) -> None:
    keys = enqueue(outbox, 25)
    flaky = FlakyStore(
        outbox, before={"lease": {1, 2, 4}}, error=lambda: sqlite3.OperationalError(message)
    )
    vendor, sleeper = Vendor(), Sleeper(clock)
    report = make_worker(flaky, clock, Task(run=vendor.run), sleeper).run(until_idle=True)
    assert {key: 1 for key in keys} == dict(vendor.effects)
    assert (25, 3) == (report.done, report.store_errors)
    assert 3 == len(sleeper.waits), "backed off after each failure"
    assert {JobState.DONE: 25} == {s: n for s, n in outbox.counts().items() if n}


def test_a_completion_the_store_failed_to_record_is_recorded_later_not_rerun(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    keys = enqueue(outbox, 3)
    flaky = FlakyStore(outbox, before={"complete": {1, 2, 3}})
    vendor, sleeper = Vendor(), Sleeper(clock)
    report = make_worker(flaky, clock, Task(run=vendor.run), sleeper).run(until_idle=True)
    assert {key: 1 for key in keys} == dict(vendor.effects), "the effect happened once"
    assert (3, 3, 0) == (report.done, report.store_errors, report.lost_lease)
    first = outbox.get(keys[0])
    assert first is not None
    assert (JobState.DONE, {"number": 1, "key": keys[0]}) == (first.state, dict(first.result or {}))


def test_a_completion_written_although_the_store_raised_counts_as_done(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    [key] = enqueue(outbox, 1)
    flaky = FlakyStore(outbox, after={"complete": {1}})
    vendor, sleeper = Vendor(), Sleeper(clock)
    report = make_worker(flaky, clock, Task(run=vendor.run), sleeper).run(until_idle=True)
    assert (1, 0, 1) == (report.done, report.lost_lease, vendor.effects[key])
    assert 2 == flaky.calls["complete"], "the retry was refused by the fence: already done"


@pytest.mark.parametrize(
    ("method", "error", "state"),
    [
        ("fail", OSError("reset"), JobState.PENDING),
        ("park", KeyError("status"), JobState.UNKNOWN),
    ],
)
def test_a_failure_the_store_failed_to_record_is_recorded_later(
    outbox: SqliteOutbox, clock: FakeClock, method: str, error: Exception, state: JobState
) -> None:
    [key] = enqueue(outbox, 1)

    def run(job: Job) -> JobResult:
        raise error

    flaky = FlakyStore(outbox, before={method: {1}})
    lookup = (lambda job: None) if state is JobState.PENDING else None
    report = make_worker(flaky, clock, Task(run=run, lookup=lookup), Sleeper(clock)).run_once()
    assert 1 == report.store_errors
    job = outbox.get(key)
    assert job is not None
    assert (state, True) == (job.state, job.outcome_unknown)
    assert (job.last_error or "").startswith(type(error).__name__)


def test_an_outcome_never_recorded_within_the_lease_is_looked_up_by_the_next_worker(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    [key] = enqueue(outbox, 1)
    broken = FlakyStore(outbox, before={"complete": set(range(1, 1000))})
    vendor, sleeper = Vendor(), Sleeper(clock)
    task = Task(run=vendor.run, lookup=vendor.lookup)
    report = make_worker(broken, clock, task, sleeper).run_once()
    assert (0, 0) == (report.done, report.lost_lease)
    assert sum(sleeper.waits) <= 60, "gave up when the lease ran out"
    clock.advance(60)
    survivor = make_worker(outbox, clock, task, sleeper)
    survivor.owner = "survivor"
    again = survivor.run_once()
    assert (1, 1, 1) == (again.done, again.found_by_lookup, vendor.effects[key])
    job = outbox.get(key)
    assert job is not None
    assert (JobState.DONE, {"key": key, "found": True}) == (job.state, dict(job.result or {}))


def test_an_outcome_never_recorded_without_a_lookup_is_parked_by_the_next_worker(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    [key] = enqueue(outbox, 1)
    broken = FlakyStore(outbox, before={"complete": set(range(1, 1000))})
    vendor, sleeper = Vendor(), Sleeper(clock)
    make_worker(broken, clock, Task(run=vendor.run), sleeper).run_once()
    clock.advance(60)
    survivor = make_worker(outbox, clock, Task(run=vendor.run), sleeper)
    survivor.owner = "survivor"
    assert 1 == survivor.run_once().parked
    assert 1 == vendor.effects[key], "not run again"


def test_a_store_error_when_a_job_starts_leaves_the_batch_to_its_lease(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    keys = enqueue(outbox, 5)
    flaky = FlakyStore(outbox, before={"start": {3}})
    vendor, sleeper = Vendor(), Sleeper(clock)
    worker = make_worker(flaky, clock, Task(run=vendor.run), sleeper)
    first = worker.run_once()
    assert (2, 1) == (first.done, first.store_errors)
    assert 3 == outbox.counts()[JobState.LEASED]
    clock.advance(60)
    worker.run(until_idle=True)
    assert {key: 1 for key in keys} == dict(vendor.effects)
    assert 5 == outbox.counts()[JobState.DONE]


def test_an_idle_run_gives_up_on_a_store_that_never_answers(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    enqueue(outbox, 1)
    broken = FlakyStore(outbox, before={"lease": set(range(1, 100))})
    sleeper = Sleeper(clock)
    with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
        make_worker(broken, clock, Task(run=Vendor().run), sleeper).run(until_idle=True)
    assert (10, 9) == (broken.calls["lease"], len(sleeper.waits))
