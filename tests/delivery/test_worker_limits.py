"""The worker's two time limits at their exact edges: a retry due exactly `max_age` after the
run of retries began is still made, and a store error whose backoff would end exactly when
the lease does is the last one waited for. Waits are their ceilings here (no jitter)."""

from __future__ import annotations

import random

import pytest

from connectors.core import ConnectionFailed, RetryPolicy
from connectors.delivery import Job, JobResult, JobState, NewJob, SqliteOutbox, Task, Worker

from .conftest import FakeClock
from .flaky import FlakyStore


class Ceiling(random.Random):
    """Full jitter without the jitter: every wait is its ceiling."""

    def uniform(self, a: float, b: float) -> float:
        return b


def fixed(delay: float) -> RetryPolicy:
    return RetryPolicy(base_delay=delay, max_delay=delay, rng=Ceiling())


def refused(job: Job) -> JobResult:
    raise ConnectionFailed("connection refused", sent=False)  # certainly not sent: retried


@pytest.mark.parametrize(
    ("max_age", "state"), [(600.0, JobState.PENDING), (599.999, JobState.DEAD)]
)
def test_a_retry_due_exactly_at_max_age_is_still_made(
    outbox: SqliteOutbox, clock: FakeClock, max_age: float, state: JobState
) -> None:
    outbox.enqueue(NewJob("sms", "HS-1:sms"))
    worker = Worker(
        outbox,
        {"sms": Task(run=refused)},
        owner="w",
        max_age=max_age,
        backoff=fixed(600.0),
        clock=clock,
        sleep=clock.advance,
    )
    report = worker.run_once()
    job = outbox.get("HS-1:sms")
    assert job is not None
    assert (state, state is JobState.DEAD) == (job.state, bool(report.dead))
    if state is JobState.PENDING:
        assert (clock.now + 600.0, 1) == (job.next_attempt_at, report.retried)


def test_the_last_store_error_waited_for_is_the_one_whose_wait_ends_with_the_lease(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    outbox.enqueue(NewJob("sms", "HS-1:sms"))
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock.advance(seconds)

    flaky = FlakyStore(outbox, before={"complete": set(range(1, 10))})
    worker = Worker(
        flaky,  # type: ignore[arg-type]
        {"sms": Task(run=lambda job: JobResult({"sent": True}))},
        owner="w",
        lease_seconds=60,
        store_retry=fixed(20.0),
        clock=clock,
        sleep=sleep,
    )
    report = worker.run_once()
    # Errors at +0 s and +20 s are waited out (20 s each); the one at +40 s would wait
    # until +60 s, when the lease ends: the worker leaves the job to the next one.
    assert ([20.0, 20.0], 3, 3) == (waits, report.store_errors, flaky.calls["complete"])
    job = outbox.get("HS-1:sms")
    assert job is not None
    assert (JobState.LEASED, "w") == (job.state, job.lease_owner)
