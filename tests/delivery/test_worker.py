"""The worker against a simulated vendor: retries by age, lookup after unknown outcomes."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping

import pytest

from connectors.core import (
    ConnectionFailed,
    ConnectTimeout,
    OutcomeUnknown,
    ProviderUnavailable,
    RateLimited,
    ReadTimeout,
    Rejected,
    RetryPolicy,
    ValidationError,
)
from connectors.delivery import (
    Job,
    JobResult,
    JobState,
    NewJob,
    ResolveAction,
    SqliteOutbox,
    Task,
    Worker,
)
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


# -- unknown outcomes: parked, never re-run blindly -----------------------------------------


class Attempts:
    """A task whose every attempt raises the next of `errors` (then succeeds), counting runs."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.runs: list[str] = []

    def __call__(self, job: Job) -> JobResult:
        self.runs.append(job.key)
        if self.errors:
            raise self.errors.pop(0)
        return JobResult({"sent": job.key})


def run_a_long_time(worker: Worker, clock: FakeClock, rounds: int = 20) -> None:
    """Run the worker again and again while days go by."""
    for _ in range(rounds):
        worker.run_once()
        clock.advance(6 * 3600)


@pytest.mark.parametrize(
    "error",
    [
        OutcomeUnknown("answer lost after MobiFone accepted", idempotency_key="HS-7:sms"),
        ReadTimeout("no answer within 1 s", sent=True),
        ConnectionFailed("reset after the request was written", sent=True),
        KeyError("status"),  # a response the task failed to read after the vendor acted
    ],
    ids=["OutcomeUnknown", "ReadTimeout", "reset-after-send", "unexpected"],
)
def test_an_attempt_that_may_have_reached_the_vendor_is_parked_never_rerun(
    outbox: SqliteOutbox, clock: FakeClock, error: Exception
) -> None:
    task = Attempts(error)
    worker = make_worker(outbox, clock, {"sms": Task(run=task)})
    outbox.enqueue(NewJob("sms", "HS-7:sms"))
    first = worker.run_once()
    run_a_long_time(worker, clock)
    assert ["HS-7:sms"] == task.runs, "never run a second time"
    assert (1, 0, 0) == (first.parked, first.retried, first.dead)
    job = outbox.get("HS-7:sms")
    assert job is not None
    assert (JobState.UNKNOWN, True) == (job.state, job.outcome_unknown)
    assert job.last_error is not None
    assert job.last_error.startswith(type(error).__name__)


@pytest.mark.parametrize(
    ("error", "state"),
    [
        (ConnectTimeout("no connection within 1 s"), JobState.DONE),
        (ConnectionFailed("connection refused", sent=False), JobState.DONE),
        (ProviderUnavailable("503", retryable=True), JobState.DONE),
        (RateLimited("429"), JobState.DONE),
        (ValidationError("bad phone", field="phone"), JobState.DEAD),
        (Rejected("brandname not registered"), JobState.DEAD),
    ],
    ids=["connect-timeout", "refused", "503", "429", "invalid", "rejected"],
)
def test_an_attempt_that_certainly_made_no_effect_is_retried_or_dead_lettered(
    outbox: SqliteOutbox, clock: FakeClock, error: Exception, state: JobState
) -> None:
    task = Attempts(error)
    worker = make_worker(outbox, clock, {"sms": Task(run=task)})
    outbox.enqueue(NewJob("sms", "HS-8:sms"))
    report = worker.run_once()
    assert 0 == report.parked
    run_a_long_time(worker, clock)
    job = outbox.get("HS-8:sms")
    assert job is not None
    assert (state, False) == (job.state, job.outcome_unknown)
    assert len(task.runs) == (2 if state is JobState.DONE else 1)


def test_a_resend_safe_task_resends_the_same_key_after_an_unknown_outcome(
    outbox: SqliteOutbox, clock: FakeClock, vendor: EffectVendor
) -> None:
    vendor.faults.add("create", TimeoutAfterCommit(hold=0))
    client = EffectClient(URL)
    task = Task(run=lambda job: JobResult(client.create(job.key, {})), resend_safe=True)
    worker = make_worker(outbox, clock, {"effect": task})
    outbox.enqueue(NewJob("effect", "HS-9:receipt"))
    drain(worker, clock)
    done = outbox.get("HS-9:receipt")
    assert done is not None
    assert (JobState.DONE, 2) == (done.state, done.attempts)
    assert 1 == vendor.ledger.count("effect", "HS-9:receipt"), "the vendor kept one effect"
    keys = [seen.header("Idempotency-Key") for seen in vendor.requests_to("create")]
    assert ["HS-9:receipt", "HS-9:receipt"] == keys


def test_a_job_whose_worker_died_mid_attempt_is_parked_not_rerun(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    outbox.enqueue(NewJob("sms", "HS-10:sms"))
    [job] = outbox.lease("doomed", limit=1, lease_seconds=60)
    assert outbox.start(job.id, "doomed", lease_seconds=60) is not None  # then SIGKILL
    clock.advance(61)
    task = Attempts()
    report = make_worker(outbox, clock, {"sms": Task(run=task)}).run_once()
    assert ([], 1) == (task.runs, report.parked)
    parked = outbox.get("HS-10:sms")
    assert parked is not None
    assert JobState.UNKNOWN == parked.state
    assert "doomed" in (parked.last_error or "")


def test_a_job_whose_worker_died_mid_attempt_is_looked_up_first(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    outbox.enqueue(NewJob("effect", "HS-11:receipt"))
    [job] = outbox.lease("doomed", limit=1, lease_seconds=60)
    outbox.start(job.id, "doomed", lease_seconds=60)
    clock.advance(61)
    task = Attempts()
    found = Task(run=task, lookup=lambda job: JobResult({"found": job.key}))
    report = make_worker(outbox, clock, {"effect": found}).run_once()
    assert ([], 1, 1) == (task.runs, report.found_by_lookup, report.done)


def test_staff_resolution_done_completes_without_running_and_retry_runs_again(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    task = Attempts(OutcomeUnknown("lost"), OutcomeUnknown("lost again"))
    follow = NewJob("status", "HS-12:status", {"after": "sms"})
    confirmed: list[dict[str, object]] = []

    def confirm(job: Job, result: Mapping[str, object]) -> JobResult:
        confirmed.append(dict(result))
        return JobResult(result, [follow])

    worker = make_worker(outbox, clock, {"sms": Task(run=task, confirm=confirm)})
    outbox.enqueue(NewJob("sms", "HS-12:sms"))
    worker.run_once()
    outbox.resolve("HS-12:sms", ResolveAction.RETRY, reason="not in the sent report", by="lan")
    assert 1 == worker.run_once().parked, "the retry's outcome is unknown too: parked again"
    outbox.resolve(
        "HS-12:sms", ResolveAction.DONE, reason="in the sent report", by="lan", result={"id": 3}
    )
    report = worker.run_once()
    assert (1, 2) == (report.done, len(task.runs)), "done: recorded, not run"
    assert [{"id": 3}] == confirmed
    done = outbox.get("HS-12:sms")
    assert done is not None
    assert (JobState.DONE, {"id": 3}) == (done.state, dict(done.result or {}))
    assert [ResolveAction.RETRY, ResolveAction.DONE] == [r.action for r in done.resolutions]
    status = outbox.get("HS-12:status")
    assert status is not None
    assert (JobState.PENDING, {"after": "sms"}) == (status.state, dict(status.payload))


# -- leases: per job, when its turn comes ----------------------------------------------------


def test_a_job_whose_lease_went_to_another_worker_before_its_turn_is_skipped(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    ran: list[tuple[str, str]] = []

    def slow(job: Job) -> JobResult:
        ran.append(("w", job.key))
        clock.advance(35)  # each within its own lease, but the batch's lease lapses
        if job.key == "b":
            taken = outbox.lease("other", limit=10, lease_seconds=60)
            ran.extend(("other", j.key) for j in taken)
        return JobResult()

    for key in "abcd":
        outbox.enqueue(NewJob("k", key))
    worker = make_worker(outbox, clock, {"k": Task(run=slow)})
    worker.batch_size = 3
    report = worker.run_once()
    assert [("w", "a"), ("w", "b"), ("other", "c"), ("other", "d")] == ran
    assert (2, 1) == (report.done, report.skipped)
    leased = {job.key: (job.lease_owner, job.attempts) for job in outbox.jobs(JobState.LEASED)}
    assert {"c": ("other", 0), "d": ("other", 0)} == leased, "c was left to the other worker"


def test_a_lease_lost_after_fail_is_counted(outbox: SqliteOutbox, clock: FakeClock) -> None:
    def overrun(job: Job) -> JobResult:
        clock.advance(61)
        [taken] = outbox.lease("other", limit=1, lease_seconds=60)
        outbox.start(taken.id, "other", lease_seconds=60)
        raise ProviderUnavailable("503", retryable=True)

    outbox.enqueue(NewJob("k", "HS-13:status"))
    report = make_worker(outbox, clock, {"k": Task(run=overrun)}).run_once()
    assert (1, 0, 0) == (report.lost_lease, report.retried, report.dead)
    job = outbox.get("HS-13:status")
    assert job is not None
    assert (JobState.LEASED, "other") == (job.state, job.lease_owner)
    assert "the lease of w ran out during an attempt" in (job.last_error or "")


def test_a_lease_lost_before_completion_is_counted_and_the_result_not_kept(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    def overrun(job: Job) -> JobResult:
        clock.advance(61)
        [taken] = outbox.lease("other", limit=1, lease_seconds=60)
        outbox.start(taken.id, "other", lease_seconds=60)
        return JobResult({"late": True})

    outbox.enqueue(NewJob("k", "HS-14:status"))
    report = make_worker(outbox, clock, {"k": Task(run=overrun)}).run_once()
    assert (1, 0) == (report.lost_lease, report.done)
    job = outbox.get("HS-14:status")
    assert job is not None
    assert (JobState.LEASED, None) == (job.state, job.result)


def test_the_worker_refuses_a_lease_or_batch_below_one(outbox: SqliteOutbox) -> None:
    tasks = {"k": Task(run=lambda job: JobResult())}
    for options in ({"lease_seconds": 0}, {"batch_size": 0}):
        with pytest.raises(ValueError, match="positive"):
            Worker(outbox, tasks, **options)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one task"):
        Worker(outbox, {})
