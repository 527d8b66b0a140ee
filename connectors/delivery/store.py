"""The outbox store interface: what a worker needs from durable storage.

`SqliteOutbox` (connectors.delivery.sqlite_store) is the embedded default; a server
database can replace it by implementing this protocol with the same guarantees:

- `enqueue` is idempotent on the job key: the first write wins, later ones return it.
- `lease` hands each due job to one worker at a time, until `lease_until`; a job whose
  lease ran out (its worker died) is due again.
- `complete` and `fail` succeed only for the worker still holding the lease (a fence), and
  `complete` enqueues the follow-up jobs in the same transaction.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol, runtime_checkable

from connectors.delivery.jobs import Job, JobResult, JobState, NewJob

__all__ = ["OutboxStore"]


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
        """Take up to `limit` due jobs for `owner`, counting an attempt for each."""
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
