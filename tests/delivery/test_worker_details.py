"""The worker's defaults, its report, its waits and its log: what operators rely on."""

from __future__ import annotations

import logging
import random
import re
import sqlite3
import threading
import time
from collections.abc import Mapping

import pytest

from connectors.core import OutcomeUnknown, ProviderUnavailable, Rejected, RetryPolicy
from connectors.delivery import (
    Job,
    JobResult,
    JobState,
    NewJob,
    ResolveAction,
    SqliteOutbox,
    Task,
    Worker,
    WorkerReport,
    default_owner,
)

from .conftest import FakeClock
from .flaky import FlakyStore

NOOP = {"k": Task(run=lambda job: JobResult())}


def test_defaults_are_the_documented_ones(outbox: SqliteOutbox) -> None:
    worker = Worker(outbox, NOOP)
    assert (120.0, 10, 24 * 3600.0) == (worker.lease_seconds, worker.batch_size, worker.max_age)
    assert (2.0, 600.0) == (worker.backoff.base_delay, worker.backoff.max_delay)
    assert (0.5, 30.0) == (worker.store_retry.base_delay, worker.store_retry.max_delay)
    assert (time.time, time.sleep) == (worker.clock, worker.sleep)
    assert re.fullmatch(r".+:\d+:[0-9a-f]{8}", worker.owner)
    assert default_owner() != default_owner()


def test_the_worker_refuses_what_cannot_work_and_accepts_the_smallest(
    outbox: SqliteOutbox,
) -> None:
    with pytest.raises(ValueError, match=r"^a worker needs at least one task$"):
        Worker(outbox, {})
    for options in ({"lease_seconds": 0}, {"lease_seconds": -1}, {"batch_size": 0}):
        with pytest.raises(ValueError, match=r"^lease_seconds and batch_size must be positive$"):
            Worker(outbox, NOOP, **options)  # type: ignore[arg-type]
    smallest = Worker(outbox, NOOP, lease_seconds=0.5, batch_size=1)
    assert (0.5, 1) == (smallest.lease_seconds, smallest.batch_size)


def test_reports_add_up_field_by_field() -> None:
    total = WorkerReport(1, 2, 3, 4, 5, 6, 7, 8, ["a"])
    total.add(WorkerReport(10, 20, 30, 40, 50, 60, 70, 80, ["b"]))
    assert WorkerReport(11, 22, 33, 44, 55, 66, 77, 88, ["a", "b"]) == total
    assert 11 + 22 + 33 + 44 + 66 + 77 == total.handled, "lookups and store errors are not jobs"


def test_one_round_counts_every_outcome(outbox: SqliteOutbox, clock: FakeClock) -> None:
    outcomes = {
        "done": lambda job: JobResult({"ok": job.key}),
        "retry": ProviderUnavailable("503", retryable=True),
        "dead": Rejected("brandname not registered"),
        "park": OutcomeUnknown("answer lost"),
    }

    def run(job: Job) -> JobResult:
        outcome = outcomes[job.key.partition("-")[0]]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome(job)

    for name in outcomes:
        for n in (1, 2):
            outbox.enqueue(NewJob("k", f"{name}-{n}"))
    for n in (1, 2):  # two whose earlier attempt may have reached the vendor: looked up
        job = outbox.enqueue(NewJob("found", f"found-{n}"))
        outbox.lease("gone", limit=1, lease_seconds=1, kinds=["found"])
        outbox.start(job.id, "gone", lease_seconds=1)
    clock.advance(2)
    tasks = {
        "k": Task(run=run),
        "found": Task(run=run, lookup=lambda job: JobResult({"found": job.key})),
    }
    report = Worker(outbox, tasks, owner="w", batch_size=20, clock=clock).run_once()
    assert (4, 2, 2, 2, 2, 0, 0) == (
        report.done,
        report.retried,
        report.dead,
        report.parked,
        report.found_by_lookup,
        report.lost_lease,
        report.skipped,
    )
    assert [
        "dead-1: Rejected: brandname not registered",
        "dead-2: Rejected: brandname not registered",
        "park-1: OutcomeUnknown: answer lost",
        "park-2: OutcomeUnknown: answer lost",
        "retry-1: ProviderUnavailable: 503",
        "retry-2: ProviderUnavailable: 503",
    ] == sorted(report.errors)


def test_two_jobs_whose_lease_went_elsewhere_are_both_skipped(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    ran: list[str] = []

    def slow(job: Job) -> JobResult:
        ran.append(job.key)
        clock.advance(35)  # each within its own lease; the batch's lease (60 s) lapses
        if job.key == "b":
            outbox.lease("other", limit=10, lease_seconds=60)
        return JobResult()

    for key in ("a", "b", "c", "d"):
        outbox.enqueue(NewJob("k", key))
    worker = Worker(outbox, {"k": Task(run=slow)}, owner="w", lease_seconds=60, clock=clock)
    report = worker.run_once()
    assert (["a", "b"], 2, 2) == (ran, report.done, report.skipped)


def hand_over(outbox: SqliteOutbox, kind: str, key: str, *, park: bool) -> None:
    """Enqueue a job and start it under a worker that then vanishes (or parks it first)."""
    job = outbox.enqueue(NewJob(kind, key))
    outbox.lease("gone", limit=1, lease_seconds=1, kinds=[kind])
    outbox.start(job.id, "gone", lease_seconds=1)
    if park:
        outbox.park(job.id, "gone", error="OutcomeUnknown: lost")
        outbox.resolve(key, ResolveAction.DONE, reason="seen at the vendor", by="an")


def test_two_parks_and_two_confirmations_in_one_batch(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    for key in ("u1", "u2", "c1", "c2"):  # a kind each, so that each is handed over itself
        hand_over(outbox, f"kind_{key}", key, park=key.startswith("c"))
    clock.advance(2)
    ran: list[str] = []

    def run(job: Job) -> JobResult:
        ran.append(job.key)
        return JobResult()

    tasks = {f"kind_{key}": Task(run=run) for key in ("u1", "u2", "c1", "c2")}
    report = Worker(outbox, tasks, owner="w", clock=clock).run_once()
    assert ([], 2, 2) == (ran, report.parked, report.done)
    assert ["u1", "u2"] == [job.key for job in outbox.jobs(JobState.UNKNOWN)]


class RecordingEvent(threading.Event):
    """A stop event that records how long the worker asked to wait, and stops it after
    `rounds` waits."""

    def __init__(self, rounds: int) -> None:
        super().__init__()
        self.rounds = rounds
        self.waits: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        if len(self.waits) >= self.rounds:
            self.set()
        return self.is_set()


def test_a_service_waits_on_its_stop_event_between_polls(outbox: SqliteOutbox) -> None:
    stop = RecordingEvent(rounds=3)
    Worker(outbox, NOOP).run(stop=stop)
    assert [0.5, 0.5, 0.5] == stop.waits, "polls every 0.5 s until stopped, never returns idle"


def test_store_errors_back_off_on_the_stop_event_with_growing_waits(
    outbox: SqliteOutbox,
) -> None:
    flaky = FlakyStore(outbox, before={"lease": {1, 2, 3}})
    stop = RecordingEvent(rounds=4)
    worker = Worker(
        flaky,  # type: ignore[arg-type]
        NOOP,
        store_retry=RetryPolicy(base_delay=1, max_delay=100, rng=random.Random(9)),
    )
    report = worker.run(stop=stop, poll_interval=7)
    expected = random.Random(9)
    backoffs = [expected.uniform(0, 2 ** (n - 1)) for n in (1, 2, 3)]
    assert [*backoffs, 7] == stop.waits
    assert 3 == report.store_errors


class Sleeper:
    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.clock.advance(seconds)


def test_a_failing_recording_is_retried_with_growing_waits(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    outbox.enqueue(NewJob("k", "HS-1:sms"))
    flaky = FlakyStore(outbox, before={"complete": {1, 2, 3}})
    sleeper = Sleeper(clock)
    worker = Worker(
        flaky,  # type: ignore[arg-type]
        NOOP,
        owner="w",
        lease_seconds=60,
        store_retry=RetryPolicy(base_delay=1, max_delay=4, rng=random.Random(4)),
        clock=clock,
        sleep=sleeper,
    )
    report = worker.run_once()
    expected = random.Random(4)
    assert [expected.uniform(0, min(4, 2 ** (n - 1))) for n in (1, 2, 3)] == sleeper.waits
    assert (1, 3) == (report.done, report.store_errors)


def test_a_store_error_in_a_round_backs_off_and_the_run_goes_on(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    for n in range(25):
        outbox.enqueue(NewJob("k", f"HS-{n}:sms"))
    flaky = FlakyStore(outbox, before={"complete": {1}})
    sleeper = Sleeper(clock)
    worker = Worker(flaky, NOOP, owner="w", clock=clock, sleep=sleeper)  # type: ignore[arg-type]
    report = worker.run(until_idle=True)
    assert (25, 1) == (report.done, report.store_errors)
    assert 2 == len(sleeper.waits), "one wait to record again, one before the next round"


def test_a_recording_retried_after_the_lease_was_lost_counts_as_lost(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    outbox.enqueue(NewJob("k", "HS-1:sms"))

    def overslept(seconds: float) -> None:  # the process was paused far past the lease
        clock.advance(120)
        [taken] = outbox.lease("other", limit=1, lease_seconds=60)
        outbox.start(taken.id, "other", lease_seconds=60)

    flaky = FlakyStore(outbox, before={"complete": {1}})
    worker = Worker(
        flaky,  # type: ignore[arg-type]
        NOOP,
        owner="w",
        lease_seconds=60,
        clock=clock,
        sleep=overslept,
    )
    report = worker.run_once()
    assert (0, 1) == (report.done, report.lost_lease)
    job = outbox.get("HS-1:sms")
    assert job is not None
    assert (JobState.LEASED, "other") == (job.state, job.lease_owner)


@pytest.mark.parametrize(
    ("method", "error", "lookup", "state", "field"),
    [
        ("fail", ProviderUnavailable("503", retryable=True), None, JobState.PENDING, "retried"),
        ("fail", Rejected("no"), None, JobState.DEAD, "dead"),
        ("park", OutcomeUnknown("lost"), None, JobState.UNKNOWN, "parked"),
    ],
)
def test_a_failure_written_although_the_store_raised_counts_once(
    outbox: SqliteOutbox,
    clock: FakeClock,
    method: str,
    error: Exception,
    lookup: object,
    state: JobState,
    field: str,
) -> None:
    outbox.enqueue(NewJob("k", "HS-1:sms"))

    def run(job: Job) -> JobResult:
        raise error

    flaky = FlakyStore(outbox, after={method: {1}})
    worker = Worker(
        flaky,  # type: ignore[arg-type]
        {"k": Task(run=run)},
        owner="w",
        clock=clock,
        sleep=Sleeper(clock),
    )
    report = worker.run_once()
    counts = {"retried": report.retried, "dead": report.dead, "parked": report.parked}
    assert {**dict.fromkeys(counts, 0), field: 1} == counts
    assert (0, 1, 2) == (report.lost_lease, report.store_errors, flaky.calls[method])
    job = outbox.get("HS-1:sms")
    assert job is not None
    assert state == job.state


def test_a_park_refused_by_the_fence_is_a_lost_lease_and_one_never_recorded_is_neither(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    def overrun(job: Job) -> JobResult:
        clock.advance(61)
        [taken] = outbox.lease("other", limit=1, lease_seconds=60)
        outbox.start(taken.id, "other", lease_seconds=60)
        raise OutcomeUnknown("answer lost")

    outbox.enqueue(NewJob("k", "HS-1:sms"))
    fenced = Worker(outbox, {"k": Task(run=overrun)}, owner="w", lease_seconds=60, clock=clock)
    first = fenced.run_once()
    assert (0, 1) == (first.parked, first.lost_lease)

    def lost(job: Job) -> JobResult:
        raise OutcomeUnknown("answer lost")

    outbox.enqueue(NewJob("k", "HS-2:sms"))
    broken = FlakyStore(outbox, before={"park": set(range(1, 100))})
    worker = Worker(
        broken,  # type: ignore[arg-type]
        {"k": Task(run=lost)},
        owner="w2",
        lease_seconds=60,
        clock=clock,
        sleep=Sleeper(clock),
    )
    report = worker.run_once()
    assert (0, 0) == (report.parked, report.lost_lease)
    assert report.store_errors > 1


def test_a_confirmation_that_fails_is_retried_or_dead_lettered_never_parked(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    failures: list[Exception] = [ProviderUnavailable("db busy"), Rejected("follow-up refused")]

    def confirm(job: Job, result: Mapping[str, object]) -> JobResult:
        raise failures.pop(0)

    ran: list[str] = []

    def run(job: Job) -> JobResult:
        ran.append(job.key)
        return JobResult()

    task = Task(run=run, confirm=confirm)
    job = outbox.enqueue(NewJob("k", "HS-1:sms"))
    outbox.lease("gone", limit=1, lease_seconds=1)
    outbox.start(job.id, "gone", lease_seconds=1)
    outbox.park(job.id, "gone", error="OutcomeUnknown")
    outbox.resolve("HS-1:sms", ResolveAction.DONE, reason="seen", by="an", result={"n": 1})
    worker = Worker(outbox, {"k": task}, owner="w", clock=clock)
    first = worker.run_once()
    assert (1, ["HS-1:sms: ProviderUnavailable: db busy"]) == (first.retried, first.errors)
    pending = outbox.get("HS-1:sms")
    assert pending is not None
    assert (JobState.PENDING, True, "ProviderUnavailable: db busy") == (
        pending.state,
        pending.confirmed_done,
        pending.last_error,
    )
    clock.now = pending.next_attempt_at
    assert 1 == worker.run_once().dead
    assert [] == ran, "never run"


def test_without_confirm_the_staff_result_is_the_result(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    job = outbox.enqueue(NewJob("k", "HS-1:sms"))
    outbox.lease("gone", limit=1, lease_seconds=1)
    outbox.start(job.id, "gone", lease_seconds=1)
    outbox.park(job.id, "gone", error="OutcomeUnknown")
    outbox.resolve("HS-1:sms", ResolveAction.DONE, reason="seen", by="an", result={"n": 1})
    assert 1 == Worker(outbox, NOOP, owner="w", clock=clock).run_once().done
    done = outbox.get("HS-1:sms")
    assert done is not None
    assert (JobState.DONE, {"n": 1}) == (done.state, dict(done.result or {}))


def test_what_the_worker_logs(
    outbox: SqliteOutbox, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    def run(job: Job) -> JobResult:
        errors = {
            "retry": ProviderUnavailable("503", retryable=True),
            "dead": Rejected("no"),
            "park": OutcomeUnknown("lost"),
        }
        if job.key in errors:
            raise errors[job.key]
        return JobResult()

    for key in ("retry", "dead", "park", "ok", "found"):
        outbox.enqueue(NewJob("k", key))
    found = outbox.get("found")
    assert found is not None
    flaky = FlakyStore(outbox, before={"complete": {1}})
    worker = Worker(
        flaky,  # type: ignore[arg-type]
        {"k": Task(run=run)},
        owner="w",
        clock=clock,
        sleep=Sleeper(clock),
        store_retry=RetryPolicy(base_delay=0, max_delay=0),
    )
    with caplog.at_level(logging.INFO, logger="connectors.delivery"):
        worker.run_once()
    messages = [(record.levelname, record.getMessage()) for record in caplog.records]
    assert ("WARNING", "job retry attempt 1 failed, retrying: ProviderUnavailable: 503") in [
        (level, re.sub(r"\[[^]]*\] ", "", text)) for level, text in messages
    ]
    texts = "\n".join(f"{level} {text}" for level, text in messages)
    assert re.search(r"ERROR job dead dead-lettered: Rejected: .*no", texts)
    assert re.search(
        r"ERROR job park needs reconciliation: it may have reached the vendor and can be "
        r"neither looked up nor resent safely \(OutcomeUnknown: .*lost\); resolve it with "
        r"`connectors outbox resolve`",
        texts,
    )
    assert re.search(
        r"WARNING job ok: recording failed \(OperationalError: disk I/O error\), "
        r"retrying in 0\.00 s",
        texts,
    )


def test_what_the_worker_logs_about_leases_and_the_store(
    outbox: SqliteOutbox, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    for key in ("a", "b"):
        outbox.enqueue(NewJob("k", key))
    flaky = FlakyStore(outbox, before={"lease": {1}, "start": {2}})
    worker = Worker(flaky, NOOP, owner="w", clock=clock, sleep=Sleeper(clock))  # type: ignore[arg-type]
    with caplog.at_level(logging.INFO, logger="connectors.delivery"):
        worker.run(until_idle=True)
        clock.advance(121)
        outbox.lease("w", limit=5, lease_seconds=5)
        job = outbox.get("b")
        assert job is not None
        clock.advance(6)
        outbox.lease("other", limit=5, lease_seconds=60)
        worker._handle(job, WorkerReport())
    texts = [record.getMessage() for record in caplog.records]
    assert (
        "outbox store error while leasing, backing off: OperationalError: disk I/O error" in texts
    )
    assert "job b: could not start it, store error: OperationalError: disk I/O error" in texts
    assert "job b: its lease went to another worker before its turn" in texts


def test_what_the_worker_logs_when_it_gives_up_recording(
    outbox: SqliteOutbox, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    outbox.enqueue(NewJob("k", "HS-1:sms"))
    broken = FlakyStore(
        outbox,
        before={"complete": set(range(1, 100))},
        error=lambda: sqlite3.OperationalError("database is locked"),
    )
    worker = Worker(broken, NOOP, owner="w", clock=clock, sleep=Sleeper(clock))  # type: ignore[arg-type]
    with caplog.at_level(logging.INFO, logger="connectors.delivery"):
        worker.run_once()
    assert (
        "job HS-1:sms: could not record what happened before its lease ran out "
        "(OperationalError: database is locked); the next worker will look it up or park it"
    ) == caplog.records[-1].getMessage()
    assert "ERROR" == caplog.records[-1].levelname


def test_the_backoff_grows_with_failing_rounds_and_starts_again_after_a_clean_one(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    for key in ("a", "b", "c"):
        outbox.enqueue(NewJob("k", key))
    flaky = FlakyStore(outbox, before={"start": {1, 2, 4}})
    waits: list[float] = []

    def sleep(seconds: float) -> None:  # long enough for an unstarted lease to lapse
        waits.append(seconds)
        clock.advance(10)

    worker = Worker(
        flaky,  # type: ignore[arg-type]
        NOOP,
        owner="w",
        lease_seconds=1,
        batch_size=1,
        store_retry=RetryPolicy(base_delay=1, max_delay=100, rng=random.Random(11)),
        clock=clock,
        sleep=sleep,
    )
    report = worker.run(until_idle=True)
    assert (3, 3) == (report.done, report.store_errors)
    expected = random.Random(11)
    # two failing rounds in a row (1st, 2nd), a clean one, then a failing one (1st again)
    assert [expected.uniform(0, ceiling) for ceiling in (1, 2, 1)] == waits


def test_every_store_error_of_a_round_is_counted(outbox: SqliteOutbox, clock: FakeClock) -> None:
    for key in ("a", "b"):
        outbox.enqueue(NewJob("k", key))
    flaky = FlakyStore(outbox, before={"complete": {1}, "start": {2}})
    worker = Worker(flaky, NOOP, owner="w", clock=clock, sleep=Sleeper(clock))  # type: ignore[arg-type]
    report = worker.run_once()
    assert (1, 2) == (report.done, report.store_errors)


def test_several_lost_leases_in_one_round_are_all_counted(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    behaviours = {
        "complete": lambda: JobResult(),
        "fail": ProviderUnavailable("503", retryable=True),
        "park": OutcomeUnknown("answer lost"),
    }
    for name in behaviours:
        for n in (1, 2):
            outbox.enqueue(NewJob(name, f"{name}-{n}"))

    def overrun(job: Job) -> JobResult:
        clock.advance(61)  # past its own lease: another worker takes it meanwhile
        [taken] = outbox.lease("other", limit=1, lease_seconds=600, kinds=[job.kind])
        outbox.start(taken.id, "other", lease_seconds=600)
        outcome = behaviours[job.kind]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome()

    tasks = {name: Task(run=overrun) for name in behaviours}
    worker = Worker(outbox, tasks, owner="w", lease_seconds=60, batch_size=2, clock=clock)
    for name in behaviours:
        worker.tasks = {name: tasks[name]}
        report = worker.run_once()
        assert (2, 0, 0, 0, 0) == (
            report.lost_lease,
            report.done,
            report.retried,
            report.parked,
            report.skipped,
        ), name


def test_a_recording_whose_check_also_fails_is_counted_as_lost(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    outbox.enqueue(NewJob("k", "HS-1:sms"))

    def overslept(seconds: float) -> None:
        clock.advance(120)
        [taken] = outbox.lease("other", limit=1, lease_seconds=60)
        outbox.start(taken.id, "other", lease_seconds=60)

    flaky = FlakyStore(outbox, before={"complete": {1}, "get": {1}})
    worker = Worker(
        flaky,  # type: ignore[arg-type]
        NOOP,
        owner="w",
        lease_seconds=60,
        clock=clock,
        sleep=overslept,
    )
    report = worker.run_once()
    assert (0, 1, 1) == (report.done, report.lost_lease, flaky.raised["get"])


def test_what_the_worker_logs_about_lookups_confirmations_and_lost_leases(
    outbox: SqliteOutbox, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    hand_over(outbox, "found", "f1", park=False)
    hand_over(outbox, "confirmed", "c1", park=True)
    outbox.enqueue(NewJob("late", "l1"))
    clock.advance(2)

    def overrun(job: Job) -> JobResult:
        clock.advance(121)
        [taken] = outbox.lease("other", limit=1, lease_seconds=600, kinds=["late"])
        outbox.start(taken.id, "other", lease_seconds=600)
        return JobResult()

    tasks = {
        "found": Task(run=overrun, lookup=lambda job: JobResult({"found": True})),
        "confirmed": Task(run=overrun),
        "late": Task(run=overrun),
    }
    with caplog.at_level(logging.INFO, logger="connectors.delivery"):
        Worker(outbox, tasks, owner="w", clock=clock).run_once()
    logged = [(record.levelname, record.getMessage()) for record in caplog.records]
    assert [
        ("INFO", "job f1: found by lookup after an unknown outcome"),
        ("INFO", "job c1: recorded as done, as staff resolved it"),
        ("WARNING", "job l1: lease lost before completion; another worker has it"),
    ] == logged
