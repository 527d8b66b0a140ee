"""The outbox worker: lease due jobs, carry them out, record what happened.

Per job:

1. If the last attempt may have reached the vendor (`job.outcome_unknown`) and the task
   can look its effect up, look first: a found effect completes the job without a resend.
2. Otherwise run the task with the job's own key (every replay sends the same key).
3. On success, mark the job done and enqueue its follow-ups in one transaction.
4. On a temporary failure (network, 5xx, 429, `OutcomeUnknown`, a vendor error marked
   retryable, or an unexpected exception) schedule a retry with capped exponential backoff
   and full jitter; past `max_age` since the retries began, dead-letter with the last error.
5. On a permanent failure (bad input, failed verification, a vendor "no" that is not
   retryable, bad configuration) dead-letter at once.

A worker that dies mid-job loses nothing: its lease runs out and another worker takes the
job, sending the same key.
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

from connectors.core.errors import (
    ConfigError,
    ConnectorError,
    OutcomeUnknown,
    ProviderError,
    SignatureError,
    TransportError,
    ValidationError,
)
from connectors.core.retry import RetryPolicy
from connectors.delivery.jobs import Job, JobResult
from connectors.delivery.store import OutboxStore

__all__ = ["Task", "Worker", "WorkerReport", "default_owner"]

log = logging.getLogger("connectors.delivery")

_PERMANENT: tuple[type[ConnectorError], ...] = (ValidationError, SignatureError, ConfigError)


@dataclass(frozen=True)
class Task:
    """How to carry out one kind of job.

    `run(job)` performs the effect, sending `job.key` as the vendor's idempotency key, and
    returns its result and follow-ups. `lookup(job)` (optional) finds an effect already made
    under `job.key` and returns it as a result, or None if the vendor has none.
    """

    run: Callable[[Job], JobResult]
    lookup: Callable[[Job], JobResult | None] | None = None


@dataclass
class WorkerReport:
    """What a worker did in one call to `run_once` or `run`."""

    done: int = 0
    retried: int = 0
    dead: int = 0
    found_by_lookup: int = 0
    lost_lease: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.done + self.retried + self.dead + self.lost_lease

    def add(self, other: WorkerReport) -> None:
        self.done += other.done
        self.retried += other.retried
        self.dead += other.dead
        self.found_by_lookup += other.found_by_lookup
        self.lost_lease += other.lost_lease
        self.errors.extend(other.errors)


def default_owner() -> str:
    """A worker name unique across hosts, processes and restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _describe(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= 500 else text[:497] + "..."


def _is_permanent(exc: BaseException) -> bool:
    if isinstance(exc, _PERMANENT):
        return True
    return isinstance(exc, ProviderError) and not exc.retryable


class Worker:
    """Runs the jobs of `store` whose kind has a task in `tasks`.

    `lease_seconds` must exceed the longest a task can take (the transport's total
    deadline); `max_age` bounds how long a job keeps being retried. `backoff` supplies the
    delays (its `max_attempts` is not used: age decides). `clock` must match the store's.
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
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not tasks:
            raise ValueError("a worker needs at least one task")
        self.store = store
        self.tasks = dict(tasks)
        self.owner = owner or default_owner()
        self.lease_seconds = lease_seconds
        self.batch_size = batch_size
        self.max_age = max_age
        self.backoff = backoff or RetryPolicy(base_delay=2.0, max_delay=600.0)
        self.clock = clock

    def run_once(self) -> WorkerReport:
        """Lease one batch of due jobs and handle each; an empty report when none is due."""
        report = WorkerReport()
        jobs = self.store.lease(
            self.owner,
            limit=self.batch_size,
            lease_seconds=self.lease_seconds,
            kinds=list(self.tasks),
        )
        for job in jobs:
            self._handle(job, report)
        return report

    def run(
        self,
        *,
        stop: threading.Event | None = None,
        until_idle: bool = False,
        poll_interval: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> WorkerReport:
        """Handle jobs until `stop` is set, or (with `until_idle`) until none is due."""
        total = WorkerReport()
        while stop is None or not stop.is_set():
            report = self.run_once()
            total.add(report)
            if not report.handled:
                if until_idle:
                    break
                if stop is not None:
                    stop.wait(poll_interval)
                else:
                    sleep(poll_interval)
        return total

    def _handle(self, job: Job, report: WorkerReport) -> None:
        task = self.tasks[job.kind]
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
            self._failed(job, exc, report)
            return
        if self.store.complete(job.id, self.owner, outcome):
            report.done += 1
        else:
            report.lost_lease += 1
            log.warning("job %s: lease lost before completion; another worker has it", job.key)

    def _failed(self, job: Job, exc: Exception, report: WorkerReport) -> None:
        error = _describe(exc)
        report.errors.append(f"{job.key}: {error}")
        # Sticky until the job completes: once an attempt may have reached the vendor, every
        # later attempt looks first. An exception that is not ours may have come after the
        # vendor acted (a response we failed to read), so it counts as unknown too.
        unknown = (
            job.outcome_unknown
            or isinstance(exc, OutcomeUnknown)
            or (isinstance(exc, TransportError) and exc.sent)
            or not isinstance(exc, ConnectorError)
        )
        now = self.clock()
        retry_at: float | None = now + self.backoff.backoff(max(job.attempts, 1))
        if _is_permanent(exc):
            retry_at = None
        elif retry_at is not None and retry_at - job.retry_since > self.max_age:
            retry_at = None
            error = f"gave up after {job.attempts} attempts over max age: {error}"
        if not self.store.fail(
            job.id, self.owner, error=error, retry_at=retry_at, outcome_unknown=unknown
        ):
            report.lost_lease += 1
        elif retry_at is None:
            report.dead += 1
            log.error("job %s dead-lettered: %s", job.key, error)
        else:
            report.retried += 1
            log.warning("job %s attempt %d failed, retrying: %s", job.key, job.attempts, error)
