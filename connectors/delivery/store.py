"""The outbox store interface: what a worker needs from durable storage.

`SqliteOutbox` (connectors.delivery.sqlite_store) is the embedded default and
`PostgresOutbox` (connectors.delivery.postgres) the portal's own PostgreSQL database; another
store implements this protocol with the same guarantees (the contract suite in
`tests/delivery/test_store_contract.py` runs against every store):

- `enqueue` is idempotent on the job key: the first write wins, later ones return it.
- `lease` reserves due jobs for one worker at a time, until `lease_until`; a job whose
  lease ran out (its worker died or stalled) is due again. A job whose attempt had started
  when its lease ran out comes back marked `outcome_unknown`: that attempt may have reached
  the vendor.
- `start` begins one attempt when the job's turn comes: it renews the lease, fenced (only
  for the worker still holding it), so a job's place in a batch cannot make its lease lapse.
- `complete`, `fail` and `park` succeed only for the worker still holding the lease (a
  fence), and `complete` enqueues the follow-up jobs in the same transaction.
- `resolve` records a person's decision on a job waiting for one (unknown outcome or dead).
- The per-job cost of `lease` + `start` + `complete` does not grow with the backlog.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from connectors.core.errors import ValidationError
from connectors.delivery.jobs import (
    Job,
    JobResult,
    JobState,
    NewJob,
    ResolveAction,
    check_reason,
    dump_payload,
)

__all__ = ["Enqueuer", "Failure", "OutboxChecks", "OutboxStore", "Resolution", "no_job_to_resolve"]


@runtime_checkable
class Enqueuer(Protocol):
    """Anything a job can be enqueued on: a store, or an open transaction on one.

    `SqliteOutbox` and `PostgresOutbox` themselves (a transaction of their own), an
    `OutboxTransaction` (SQLite), a `PostgresTransaction` (the portal's own connection,
    from `PostgresOutbox.joined`). What `Flow.start` takes.
    """

    def enqueue(self, job: NewJob) -> Job:
        """Store `job` (or return the one already stored under its key)."""
        ...


@runtime_checkable
class OutboxStore(Protocol):
    def enqueue(self, job: NewJob, *, not_before: float | None = None) -> Job:
        """Store `job` (or return the one already stored under its key)."""
        ...

    def lease(
        self,
        owner: str,
        *,
        limit: int,
        lease_seconds: float,
        kinds: Collection[str] | None = None,
    ) -> list[Job]:
        """Reserve up to `limit` due jobs for `owner` until now + `lease_seconds`.

        Due: pending with `next_attempt_at` reached, or leased with `lease_until` passed.
        Jobs whose lease ran out first, then pending ones, each oldest due first. Counts
        no attempt (`start` does). ValueError if `limit` or `lease_seconds` is below 1 / 0.
        """
        ...

    def start(self, job_id: int, owner: str, *, lease_seconds: float) -> Job | None:
        """Begin an attempt: renew the lease from now, count the attempt, mark it started.

        None, changing nothing, unless `owner` still holds the job's lease (it may have run
        out, as long as no other worker took the job since).
        """
        ...

    def complete(self, job_id: int, owner: str, outcome: JobResult) -> bool:
        """Mark done and enqueue its follow-ups; False if `owner` no longer holds the lease."""
        ...

    def fail(
        self,
        job_id: int,
        owner: str,
        *,
        error: str,
        retry_at: float | None,
        outcome_unknown: bool = False,
    ) -> bool:
        """Record a failed attempt: pending again at `retry_at`, or dead when it is None."""
        ...

    def park(self, job_id: int, owner: str, *, error: str) -> bool:
        """Set the job aside as `JobState.UNKNOWN` until a person resolves it; fenced."""
        ...

    def resolve(
        self,
        key: str,
        action: ResolveAction,
        *,
        reason: str,
        by: str,
        result: Mapping[str, Any] | None = None,
    ) -> Job:
        """Record a person's decision on an unknown or dead job and put it back, due now.

        `RETRY` runs it again (same key; its maximum age restarts). `DONE` stores `result`
        (default empty) and a worker records the job done with its follow-ups, without
        running it. The decision (action, reason, by, when) is appended to
        `Job.resolutions`. ValidationError if no unknown or dead job has that key, or if
        `reason` or `by` is empty.
        """
        ...

    def get(self, key: str) -> Job | None:
        """The job stored under `key`, if any."""
        ...

    def jobs(self, state: JobState | None = None, *, limit: int = 100) -> list[Job]:
        """Jobs, oldest first, optionally in one state."""
        ...

    def counts(self) -> dict[JobState, int]:
        """How many jobs are in each state (every state present, zero included)."""
        ...

    def revive(self, key: str) -> Job:
        """Put a dead job back to pending, due now, keeping its key; its maximum age restarts.

        ValidationError if no dead job has that key.
        """
        ...


@dataclass(frozen=True, slots=True)
class Resolution:
    """A person's checked decision on a job, as every store records it (`OutboxStore.resolve`).

    `result` is the canonical JSON stored with `DONE`, None with `RETRY`.
    """

    action: ResolveAction
    reason: str
    by: str
    result: str | None

    @classmethod
    def check(
        cls, action: ResolveAction, *, reason: str, by: str, result: Mapping[str, Any] | None
    ) -> Resolution:
        """The decision, checked; ValidationError if `reason` or `by` is empty, or a
        `result` comes with `RETRY`."""
        action = ResolveAction(action)
        why = check_reason(reason)
        who = check_reason(by, field_name="by")
        if action is ResolveAction.RETRY and result is not None:
            raise ValidationError("a result goes with 'done', not 'retry'", field="result")
        done = action is ResolveAction.DONE
        stored = dump_payload(result or {}, field_name="result") if done else None
        return cls(action, why, who, stored)

    @property
    def done(self) -> bool:
        """Whether the job is to be recorded done without running."""
        return self.action is ResolveAction.DONE

    def history(self, previous: str | None, at: Any) -> str:
        """The job's stored decisions (JSON, None for none) with this one, made `at`, added."""
        decision = {"action": self.action.value, "reason": self.reason, "by": self.by, "at": at}
        return json.dumps([*json.loads(previous or "[]"), decision])


def no_job_to_resolve(key: str) -> ValidationError:
    """The error `resolve` raises when no unknown or dead job has `key`."""
    return ValidationError(f"no unknown or dead job with key {key!r}", field="key")


@dataclass(frozen=True, slots=True)
class Failure:
    """A failed attempt as a store records it (`OutboxStore.fail`): the job is pending again
    at `retry_at` (this host's time), or dead when it is None."""

    error: str
    retry_at: float | None
    outcome_unknown: bool = False

    @property
    def state(self) -> JobState:
        """The job's state after the failure: `PENDING`, or `DEAD` with no retry."""
        return JobState.DEAD if self.retry_at is None else JobState.PENDING


class OutboxChecks:
    """What every outbox store does before it touches storage: the checks of `lease`,
    `start`, `fail` and `resolve` (`OutboxStore` says what each means). A store implements
    the `_lease`, `_start`, `_fail` and `_resolve` hooks on checked arguments."""

    __slots__ = ()

    def lease(
        self,
        owner: str,
        *,
        limit: int,
        lease_seconds: float,
        kinds: Collection[str] | None = None,
    ) -> list[Job]:
        """Reserve up to `limit` due jobs for `owner` (see `OutboxStore.lease`)."""
        if limit < 1 or lease_seconds <= 0:
            raise ValueError("limit and lease_seconds must be positive")
        if kinds is not None and not kinds:
            return []
        return self._lease(owner, limit, lease_seconds, kinds)

    def start(self, job_id: int, owner: str, *, lease_seconds: float) -> Job | None:
        """Begin an attempt, fenced to `owner` (see `OutboxStore.start`)."""
        if lease_seconds <= 0:
            raise ValueError("lease_seconds must be positive")
        return self._start(job_id, owner, lease_seconds)

    def fail(
        self,
        job_id: int,
        owner: str,
        *,
        error: str,
        retry_at: float | None,
        outcome_unknown: bool = False,
    ) -> bool:
        """Record a failed attempt: pending again at `retry_at`, or dead when it is None."""
        return self._fail(job_id, owner, Failure(error, retry_at, outcome_unknown))

    def resolve(
        self,
        key: str,
        action: ResolveAction,
        *,
        reason: str,
        by: str,
        result: Mapping[str, Any] | None = None,
    ) -> Job:
        """Record a person's decision on an unknown or dead job (see `OutboxStore.resolve`)."""
        decision = Resolution.check(action, reason=reason, by=by, result=result)
        return self._resolve(key, decision)

    def _lease(
        self, owner: str, limit: int, lease_seconds: float, kinds: Collection[str] | None
    ) -> list[Job]:  # pragma: no cover - implemented by each store
        raise NotImplementedError

    def _start(
        self, job_id: int, owner: str, lease_seconds: float
    ) -> Job | None:  # pragma: no cover - implemented by each store
        raise NotImplementedError

    def _fail(
        self, job_id: int, owner: str, failure: Failure
    ) -> bool:  # pragma: no cover - implemented by each store
        raise NotImplementedError

    def _resolve(
        self, key: str, decision: Resolution
    ) -> Job:  # pragma: no cover - implemented by each store
        raise NotImplementedError
