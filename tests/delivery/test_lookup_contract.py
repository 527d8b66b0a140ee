"""The lookup contract written in docs/delivery.md: None means absent, NotFound must not escape."""

from __future__ import annotations

from connectors.core import NotFound, OutcomeUnknown
from connectors.delivery import Job, JobResult, JobState, NewJob, SqliteOutbox, Task

from .conftest import FakeClock
from .test_worker import drain, make_worker


def _unknown_then_ok(keys: list[str]) -> Task:
    """A write whose first answer is lost (the effect did NOT happen), then succeeds."""

    def run(job: Job) -> JobResult:
        keys.append(job.key)
        if len(keys) == 1:
            raise OutcomeUnknown("answer lost", idempotency_key=job.key)
        return JobResult({"number": "0000042"})

    return Task(run=run)


def test_a_lookup_answering_none_lets_the_job_run_again_with_the_same_key(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    keys: list[str] = []
    looked: list[str] = []

    def lookup(job: Job) -> JobResult | None:
        looked.append(job.key)
        return None  # the vendor certainly holds nothing under the key

    task = _unknown_then_ok(keys)
    worker = make_worker(outbox, clock, {"receipt": Task(run=task.run, lookup=lookup)})
    outbox.enqueue(NewJob("receipt", "HS2026000101:receipt"))
    drain(worker, clock)
    job = outbox.get("HS2026000101:receipt")
    assert job is not None
    assert (JobState.DONE, {"number": "0000042"}) == (job.state, dict(job.result or {}))
    assert ["HS2026000101:receipt"] * 2 == keys
    assert ["HS2026000101:receipt"] == looked


def test_a_lookup_letting_not_found_escape_makes_a_dead_letter(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    keys: list[str] = []

    def lookup(job: Job) -> JobResult | None:
        raise NotFound("no document under this key", provider="viettel")

    task = _unknown_then_ok(keys)
    worker = make_worker(outbox, clock, {"receipt": Task(run=task.run, lookup=lookup)})
    outbox.enqueue(NewJob("receipt", "HS2026000102:receipt"))
    drain(worker, clock)
    job = outbox.get("HS2026000102:receipt")
    assert job is not None
    assert JobState.DEAD == job.state
    assert "NotFound: [viettel] no document under this key" == job.last_error
    assert ["HS2026000102:receipt"] == keys  # never sent again
