"""The lookup contract written in docs/delivery.md: None means absent, NotFound must not escape."""

from __future__ import annotations

from collections.abc import Callable

from connectors.core import NotFound, OutcomeUnknown
from connectors.delivery import Job, JobResult, JobState, NewJob, SqliteOutbox, Task

from .conftest import FakeClock
from .test_worker import drain, make_worker

Lookup = Callable[[Job], JobResult | None]


def _drain_one(
    outbox: SqliteOutbox, clock: FakeClock, key: str, lookup: Lookup
) -> tuple[Job, list[str]]:
    """Run one job whose first answer is lost (the effect did NOT happen), then succeeds;
    return the job as stored and the keys every attempt sent."""
    sent: list[str] = []

    def run(job: Job) -> JobResult:
        sent.append(job.key)
        if len(sent) == 1:
            raise OutcomeUnknown("answer lost", idempotency_key=job.key)
        return JobResult({"number": "0000042"})

    worker = make_worker(outbox, clock, {"receipt": Task(run=run, lookup=lookup)})
    outbox.enqueue(NewJob("receipt", key))
    drain(worker, clock)
    job = outbox.get(key)
    assert job is not None
    return job, sent


def test_a_lookup_answering_none_lets_the_job_run_again_with_the_same_key(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    looked: list[str] = []

    def lookup(job: Job) -> JobResult | None:
        looked.append(job.key)
        return None  # the vendor certainly holds nothing under the key

    job, sent = _drain_one(outbox, clock, "HS2026000101:receipt", lookup)
    assert (JobState.DONE, {"number": "0000042"}) == (job.state, dict(job.result or {}))
    assert ["HS2026000101:receipt"] * 2 == sent
    assert ["HS2026000101:receipt"] == looked


def test_a_lookup_letting_not_found_escape_makes_a_dead_letter(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    def lookup(job: Job) -> JobResult | None:
        raise NotFound("no document under this key", provider="viettel")

    job, sent = _drain_one(outbox, clock, "HS2026000102:receipt", lookup)
    assert JobState.DEAD == job.state
    assert "NotFound: [viettel] no document under this key" == job.last_error
    assert ["HS2026000102:receipt"] == sent  # never sent again
