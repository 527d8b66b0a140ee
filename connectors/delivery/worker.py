"""The outbox worker: lease due jobs, carry them out one at a time, record what happened.

Per job, when its turn in the batch comes:

1. Start it: renew its lease (fenced: only if this worker still holds it). A job whose
   lease went to another worker while it waited is skipped, never run.
2. If an earlier attempt may have reached the vendor (`job.outcome_unknown`): with a
   `lookup`, look first (a found effect completes the job without a resend); if the task
   is `resend_safe` (the vendor de-duplicates the key), resend; otherwise park it
   (`JobState.UNKNOWN`) for a person to reconcile. Never a blind re-run.
3. Otherwise run the task with the job's own key (every replay sends the same key).
4. On success, mark the job done and enqueue its follow-ups in one transaction.
5. On failure: if this attempt may have reached the vendor (see
   `connectors.delivery.outcomes`) and the task has neither a lookup nor a resend-safe key,
   park it; on a permanent error dead-letter it at once; otherwise retry later with capped
   exponential backoff and full jitter, dead-lettering past `max_age`.

A job staff resolved as done (`resolve(key, DONE, ...)`) is recorded done with its
follow-ups (`Task.confirm`), without running it.

Store errors (a locked database, a full disk) never kill `run()`: it logs, backs off and
carries on. An outcome the store failed to record is retried until the job's lease runs
out; if it never lands, the next worker finds the attempt unfinished and looks first (or
parks the job), so the effect is not made twice.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from connectors.core.retry import RetryPolicy
from connectors.core.telemetry import outbox_job
from connectors.delivery.jobs import Job, JobResult, JobState
from connectors.delivery.outcomes import describe, is_permanent, may_have_reached_vendor
from connectors.delivery.store import OutboxStore

__all__ = ["Task", "Worker", "WorkerReport", "default_owner"]

log = logging.getLogger("connectors.delivery")

_CUT_SHORT = "an earlier attempt may have reached the vendor"

_IDLE_RUN_PATIENCE = 10
"""Consecutive failing rounds after which `run(until_idle=True)` gives up and raises."""


@dataclass(frozen=True)
class Task:
    """How to carry out one kind of job.

    `run(job)` performs the effect, sending `job.key` as the vendor's idempotency key, and
    returns its result and follow-ups. `lookup(job)` (optional) finds an effect already made
    under `job.key` and returns it as a result, or None if the vendor has none.

    `resend_safe=True` declares that the vendor de-duplicates `job.key` (a keyed write:
    resending the same key cannot make a second effect), so an attempt whose outcome is
    unknown may simply be sent again. Leave it False for a vendor without such a key
    (MobiFone smsg, an Open311 post): with no `lookup` either, such a job is parked for a
    person to reconcile instead of being re-run.

    `confirm(job, result)` (optional) gives the outcome of an effect staff confirmed
    (resolved as done) without running the job: by default `result` and no follow-ups; a
    `Flow` step returns its next step too.
    """

    run: Callable[[Job], JobResult]
    lookup: Callable[[Job], JobResult | None] | None = None
    resend_safe: bool = False
    confirm: Callable[[Job, Mapping[str, Any]], JobResult] | None = None

    @property
    def retries_unknown(self) -> bool:
        """True if an unknown outcome can be settled automatically (lookup or resend)."""
        return self.lookup is not None or self.resend_safe

    def confirmed(self, job: Job) -> JobResult:
        """The outcome of `job` as staff confirmed it (its stored result)."""
        result = dict(job.result or {})
        return self.confirm(job, result) if self.confirm is not None else JobResult(result)


@dataclass
class WorkerReport:
    """What a worker did in one call to `run_once` or `run`."""

    done: int = 0
    retried: int = 0
    dead: int = 0
    parked: int = 0
    """Set aside as `JobState.UNKNOWN`: may have reached the vendor; a person must say."""
    found_by_lookup: int = 0
    lost_lease: int = 0
    """Finished, but another worker had taken the job meanwhile: the result was not kept."""
    skipped: int = 0
    """Not run: the lease went to another worker while the job waited its turn."""
    store_errors: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.done + self.retried + self.dead + self.parked + self.lost_lease + self.skipped

    def add(self, other: WorkerReport) -> None:
        self.done += other.done
        self.retried += other.retried
        self.dead += other.dead
        self.parked += other.parked
        self.found_by_lookup += other.found_by_lookup
        self.lost_lease += other.lost_lease
        self.skipped += other.skipped
        self.store_errors += other.store_errors
        self.errors.extend(other.errors)


def default_owner() -> str:
    """A worker name unique across hosts, processes and restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Worker:
    """Runs the jobs of `store` whose kind has a task in `tasks`.

    `lease_seconds` must exceed the longest one task can take (the transport's total
    deadline, plus a lookup's): each job's lease is renewed when its turn comes, so the
    batch size does not matter. `max_age` bounds how long a job keeps being retried.
    `backoff` supplies the delays between attempts (its `max_attempts` is not used: age
    decides); `store_retry` the delays after a store error. `clock` must match the
    store's; `sleep` is how the worker waits (injectable for tests).
    """

    def __init__(
        self,
        store: OutboxStore,
        tasks: Mapping[str, Task],
        *,
        owner: str | None = None,
        lease_seconds: float = 120.0,
        batch_size: int = 10,
        max_age: float = 24 * 3600.0,
        backoff: RetryPolicy | None = None,
        store_retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not tasks:
            raise ValueError("a worker needs at least one task")
        if lease_seconds <= 0 or batch_size < 1:
            raise ValueError("lease_seconds and batch_size must be positive")
        self.store = store
        self.tasks = dict(tasks)
        self.owner = owner or default_owner()
        self.lease_seconds = lease_seconds
        self.batch_size = batch_size
        self.max_age = max_age
        self.backoff = backoff or RetryPolicy(base_delay=2.0, max_delay=600.0)
        self.store_retry = store_retry or RetryPolicy(max_delay=30.0)  # from 0.5 s
        self.clock = clock
        self.sleep = sleep

    def run_once(self) -> WorkerReport:
        """Lease one batch of due jobs and handle each in turn; empty when none is due.

        A store error while leasing propagates (nothing was taken); later ones are handled
        here and counted in `store_errors`.
        """
        report = WorkerReport()
        jobs = self.store.lease(
            self.owner,
            limit=self.batch_size,
            lease_seconds=self.lease_seconds,
            kinds=list(self.tasks),
        )
        for job in jobs:
            with outbox_job(job, report, self.clock):  # a span and metrics when telemetry is on
                handled = self._handle(job, report)
            if not handled:
                break  # the store failed: the rest of the batch waits for its lease to lapse
        return report

    def run(
        self,
        *,
        stop: threading.Event | None = None,
        until_idle: bool = False,
        poll_interval: float = 0.5,
        sleep: Callable[[float], None] | None = None,
    ) -> WorkerReport:
        """Handle jobs until `stop` is set, or (with `until_idle`) until none is due.

        A store error is logged and waited out with backoff, never raised; only with
        `until_idle`, after 10 rounds in a row that could not even lease, the last error
        is raised.
        """
        pause = sleep or self.sleep

        def wait(seconds: float) -> None:
            if stop is not None:
                stop.wait(seconds)
            else:
                pause(seconds)

        total = WorkerReport()
        failing = 0
        while stop is None or not stop.is_set():
            try:
                report = self.run_once()
            except Exception as exc:  # the store failed while leasing: nothing was taken
                failing += 1
                total.store_errors += 1
                if until_idle and failing >= _IDLE_RUN_PATIENCE:
                    raise
                log.warning("outbox store error while leasing, backing off: %s", describe(exc))
                wait(self.store_retry.backoff(failing))
                continue
            total.add(report)
            if report.store_errors:
                failing += 1
                wait(self.store_retry.backoff(failing))
                continue
            failing = 0
            if not report.handled:
                if until_idle:
                    break
                wait(poll_interval)
        return total

    # -- one job ---------------------------------------------------------------------------

    def _handle(self, job: Job, report: WorkerReport) -> bool:
        """Carry out one leased job; False if the store failed before it could start."""
        task = self.tasks[job.kind]
        try:
            started = self.store.start(job.id, self.owner, lease_seconds=self.lease_seconds)
        except Exception as exc:  # the store failed: leave the job to its lease
            report.store_errors += 1
            log.warning("job %s: could not start it, store error: %s", job.key, describe(exc))
            return False
        if started is None:
            report.skipped += 1
            log.warning("job %s: its lease went to another worker before its turn", job.key)
            return True
        job = started
        if job.confirmed_done:
            self._confirm(job, task, report)
            return True
        if job.outcome_unknown and not task.retries_unknown:
            # An attempt was cut short (its worker died or stalled past its lease).
            self._park(job, job.last_error or _CUT_SHORT, report)
            return True
        try:
            outcome = None
            if job.outcome_unknown and task.lookup is not None:
                outcome = task.lookup(job)
                if outcome is not None:
                    report.found_by_lookup += 1
                    log.info("job %s: found by lookup after an unknown outcome", job.key)
            if outcome is None:
                outcome = task.run(job)
        except Exception as exc:  # every failure is recorded on the job, none escapes
            error = describe(exc)
            report.errors.append(f"{job.key}: {error}")
            # Once an attempt may have reached the vendor, the flag stays until the job
            # completes: every later attempt looks first (or resends a de-duplicated key).
            unknown = job.outcome_unknown or may_have_reached_vendor(exc)
            if unknown and not task.retries_unknown:
                self._park(job, error, report)
            else:
                self._failed(job, exc, error, report, outcome_unknown=unknown)
            return True
        self._complete(job, outcome, report)
        return True

    def _confirm(self, job: Job, task: Task, report: WorkerReport) -> None:
        try:
            outcome = task.confirmed(job)
        except Exception as exc:  # nothing was sent: a plain failure, retried or dead
            error = describe(exc)
            report.errors.append(f"{job.key}: {error}")
            self._failed(job, exc, error, report, outcome_unknown=job.outcome_unknown)
            return
        log.info("job %s: recorded as done, as staff resolved it", job.key)
        self._complete(job, outcome, report)

    def _complete(self, job: Job, outcome: JobResult, report: WorkerReport) -> None:
        result = dict(outcome.result)
        recorded = self._record(
            job,
            report,
            lambda: self.store.complete(job.id, self.owner, outcome),
            lambda now: now.state is JobState.DONE and dict(now.result or {}) == result,
        )
        if recorded:
            report.done += 1
        elif recorded is not None:
            report.lost_lease += 1
            log.warning("job %s: lease lost before completion; another worker has it", job.key)

    def _park(self, job: Job, error: str, report: WorkerReport) -> None:
        recorded = self._record(
            job,
            report,
            lambda: self.store.park(job.id, self.owner, error=error),
            lambda now: now.state is JobState.UNKNOWN and now.last_error == error,
        )
        if recorded:
            report.parked += 1
            log.error(
                "job %s needs reconciliation: it may have reached the vendor and can be "
                "neither looked up nor resent safely (%s); resolve it with "
                "`connectors outbox resolve`",
                job.key,
                error,
            )
        elif recorded is not None:
            report.lost_lease += 1

    def _failed(
        self, job: Job, exc: Exception, error: str, report: WorkerReport, *, outcome_unknown: bool
    ) -> None:
        """Schedule a retry with backoff, or dead-letter (permanent, or past `max_age`)."""
        retry_at: float | None = self.clock() + self.backoff.backoff(job.attempts)
        if is_permanent(exc):
            retry_at = None
        elif retry_at is not None and retry_at - job.retry_since > self.max_age:
            retry_at = None
            error = f"gave up after {job.attempts} attempts over max age: {error}"
        state = JobState.DEAD if retry_at is None else JobState.PENDING
        recorded = self._record(
            job,
            report,
            lambda: self.store.fail(
                job.id,
                self.owner,
                error=error,
                retry_at=retry_at,
                outcome_unknown=outcome_unknown,
            ),
            lambda now: now.state is state and now.last_error == error,
        )
        if recorded is None:
            return
        if not recorded:
            report.lost_lease += 1
        elif retry_at is None:
            report.dead += 1
            log.error("job %s dead-lettered: %s", job.key, error)
        else:
            report.retried += 1
            log.warning("job %s attempt %d failed, retrying: %s", job.key, job.attempts, error)

    def _record(
        self,
        job: Job,
        report: WorkerReport,
        write: Callable[[], bool],
        landed: Callable[[Job], bool],
    ) -> bool | None:
        """Write what became of `job`, retrying store errors until its lease runs out.

        True if written, False if the fence refused it (another worker holds the job), None
        if the store kept failing: then the lease lapses with the attempt marked started,
        and whoever takes the job next looks first (or parks it) rather than re-running.
        """
        deadline = job.lease_until if job.lease_until is not None else self.clock()
        failures = 0
        while True:
            try:
                if write():
                    return True
            except Exception as exc:  # the store failed: keep the outcome, try again
                failures += 1
                report.store_errors += 1
                delay = self.store_retry.backoff(failures)
                if self.clock() + delay >= deadline:
                    log.error(
                        "job %s: could not record what happened before its lease ran out "
                        "(%s); the next worker will look it up or park it",
                        job.key,
                        describe(exc),
                    )
                    return None
                log.warning(
                    "job %s: recording failed (%s), retrying in %.2f s",
                    job.key,
                    describe(exc),
                    delay,
                )
                self.sleep(delay)
                continue
            if not failures:
                return False
            # An earlier try may have been written although it raised: see what is stored.
            try:
                current = self.store.get(job.key)
            except Exception:  # still failing: the fence's answer stands
                return False
            return current is not None and landed(current)
