"""The worker against a simulated vendor: retries by age, lookup after unknown outcomes."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from connectors.core import RetryPolicy
from connectors.delivery import Job, JobResult, JobState, NewJob, SqliteOutbox, Task, Worker
from connectors.testing import Reset, Status, TimeoutAfterCommit, TooManyRequests, mount

from .conftest import FakeClock
from .vendor import EffectClient, EffectVendor

URL = "https://effects.vendor.test"


@pytest.fixture
def vendor() -> Iterator[EffectVendor]:
    sim = EffectVendor()
    with mount(sim, URL):
        yield sim


def make_worker(outbox: SqliteOutbox, clock: FakeClock, tasks: dict[str, Task]) -> Worker:
    return Worker(
        outbox,
        tasks,
        owner="w",
        lease_seconds=60,
        max_age=3600,
        backoff=RetryPolicy(base_delay=10, max_delay=100, rng=random.Random(7)),
        clock=clock,
    )


def drain(worker: Worker, clock: FakeClock, *, rounds: int = 50) -> None:
    """Run until nothing is pending, moving the clock past each backoff."""
    for _ in range(rounds):
        worker.run_once()
        pending = worker.store.jobs(JobState.PENDING)
        if not pending:
            return
        clock.now = max(clock.now, min(job.next_attempt_at for job in pending))
    raise AssertionError("jobs still pending")


def test_timeout_after_commit_is_resolved_by_lookup_without_a_resend(
    outbox: SqliteOutbox, clock: FakeClock, vendor: EffectVendor
) -> None:
    vendor.faults.add("create", TimeoutAfterCommit(hold=0))
    worker = make_worker(outbox, clock, {"effect": EffectClient(URL).task()})
    outbox.enqueue(NewJob("effect", "HS-1:receipt", {"amount": 50_000}))

    first = worker.run_once()
    job = outbox.get("HS-1:receipt")
    assert job is not None
    assert (1, JobState.PENDING, True) == (first.retried, job.state, job.outcome_unknown)

    drain(worker, clock)
    done = outbox.get("HS-1:receipt")
    assert done is not None
    assert JobState.DONE == done.state
    assert 1 == vendor.ledger.count("effect", "HS-1:receipt")
    assert 1 == len(vendor.requests_to("create")), "found by lookup: never sent twice"
    assert 1 == len(vendor.requests_to("lookup"))
    assert {"number": 1, "key": "HS-1:receipt"} == dict(done.result or {})


@pytest.mark.parametrize(
    "fault", [Reset(), Status(503), TooManyRequests(retry_after=0), Status(502)]
)
def test_temporary_faults_are_retried_with_the_same_key(
    outbox: SqliteOutbox, clock: FakeClock, vendor: EffectVendor, fault: object
) -> None:
    vendor.faults.add("create", fault, times=3)  # type: ignore[arg-type]
    worker = make_worker(outbox, clock, {"effect": EffectClient(URL).task()})
    outbox.enqueue(NewJob("effect", "HS-2:sms"))
    drain(worker, clock)
    assert 1 == vendor.ledger.count("effect")
    keys = {seen.header("Idempotency-Key") for seen in vendor.requests_to("create")}
    assert {"HS-2:sms"} == keys
    done = outbox.get("HS-2:sms")
    assert done is not None
    assert (JobState.DONE, 4) == (done.state, done.attempts)


def test_backoff_grows_and_uses_the_injected_clock(
    outbox: SqliteOutbox, clock: FakeClock, vendor: EffectVendor
) -> None:
    vendor.faults.add("create", Status(503), times=3)
    worker = make_worker(outbox, clock, {"effect": EffectClient(URL).task()})
    start = clock.now
    outbox.enqueue(NewJob("effect", "HS-3:receipt"))
    delays = []
    for _ in range(3):
        worker.run_once()
        job = outbox.get("HS-3:receipt")
        assert job is not None
        delays.append(job.next_attempt_at - clock.now)
        assert [] == worker.store.lease("probe", limit=1, lease_seconds=1), "not due yet"
        clock.now = job.next_attempt_at
    assert all(0 <= d <= min(100, 10 * 2**n) for n, d in enumerate(delays))
    assert clock.now > start


def test_a_permanent_error_dead_letters_at_once_with_the_vendor_message(
    outbox: SqliteOutbox, clock: FakeClock, vendor: EffectVendor
) -> None:
    worker = make_worker(outbox, clock, {"effect": EffectClient(URL).task()})
    outbox.enqueue(NewJob("effect", "HS-4:receipt", {"reject": True}))
    report = worker.run_once()
    [dead] = outbox.jobs(JobState.DEAD)
    assert (1, "HS-4:receipt") == (report.dead, dead.key)
    assert dead.last_error is not None
    assert dead.last_error.startswith("Rejected")
    assert 0 == vendor.ledger.count("effect")


def test_retries_stop_at_max_age_with_the_last_error(
    outbox: SqliteOutbox, clock: FakeClock, vendor: EffectVendor
) -> None:
    vendor.faults.add("create", Status(503), times=1000)
    worker = make_worker(outbox, clock, {"effect": EffectClient(URL).task()})
    outbox.enqueue(NewJob("effect", "HS-5:receipt"))
    for _ in range(500):
        worker.run_once()
        job = outbox.get("HS-5:receipt")
        assert job is not None
        if job.state is JobState.DEAD:
            break
        clock.now = job.next_attempt_at
    else:
        raise AssertionError("never dead-lettered")
    assert job.last_error is not None
    assert "max age" in job.last_error
    assert "503" in job.last_error
    assert clock.now - job.created_at <= 3600


def test_an_unexpected_exception_is_recorded_and_looked_up_next_time(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    calls: list[str] = []

    def run(job: Job) -> JobResult:
        calls.append("run")
        raise KeyError("number")  # e.g. a response we failed to read after the vendor acted

    def lookup(job: Job) -> JobResult | None:
        calls.append("lookup")
        return JobResult({"found": True})

    worker = make_worker(outbox, clock, {"effect": Task(run=run, lookup=lookup)})
    outbox.enqueue(NewJob("effect", "HS-6:status"))
    drain(worker, clock)
    assert ["run", "lookup"] == calls
    done = outbox.get("HS-6:status")
    assert done is not None
    assert {"found": True} == dict(done.result or {})


def test_jobs_of_unknown_kinds_are_left_for_other_workers(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    outbox.enqueue(NewJob("other", "x"))
    worker = make_worker(outbox, clock, {"effect": Task(run=lambda job: JobResult())})
    assert 0 == worker.run_once().handled
    assert 1 == outbox.counts()[JobState.PENDING]
