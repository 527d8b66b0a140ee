"""What the outbox holds: jobs, their states, and what a handler gives back.

A job is one effect that must happen exactly once at a vendor (issue a receipt, send an
SMS, push a status). Its `key` is derived from the business event (dossier code + step,
e.g. ``"HS-2026-000123:receipt"``) and is the idempotency key every attempt sends, so a
vendor never sees two different keys for one effect.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from connectors.core.errors import ValidationError

__all__ = [
    "Job",
    "JobResult",
    "JobState",
    "NewJob",
    "Resolution",
    "ResolveAction",
    "check_key",
    "check_reason",
    "dump_payload",
    "job_from_row",
]

_MAX_KEY = 200
_MAX_REASON = 500


class JobState(enum.StrEnum):
    """Where a job is in its life."""

    PENDING = "pending"
    """Waiting for its `next_attempt_at`."""
    LEASED = "leased"
    """A worker holds it until `lease_until`; after that, any worker may take it."""
    DONE = "done"
    """The effect happened; `result` holds what the vendor returned."""
    DEAD = "dead"
    """Given up: a permanent error, or retries ran past the maximum age. Never retried
    automatically; `connectors outbox retry` puts it back."""
    UNKNOWN = "unknown"
    """Needs reconciliation: an attempt may have reached the vendor, and the task can
    neither look the effect up nor resend safely. Never run again until a person says
    whether the effect exists (`connectors outbox resolve KEY done|retry --reason ...`)."""


class ResolveAction(enum.StrEnum):
    """What a person decided about a job waiting for them (unknown outcome or dead)."""

    DONE = "done"
    """The effect exists at the vendor: record it (with the result given, if any) and go on
    to what follows, without running the job again."""
    RETRY = "retry"
    """The effect does not exist: run the job again, with the same key."""


def check_key(key: str) -> str:
    """Return `key` if it can identify an effect (non-empty, printable, at most 200 chars)."""
    if not isinstance(key, str) or not key or len(key) > _MAX_KEY or not key.isprintable():
        raise ValidationError(
            f"job key must be 1-{_MAX_KEY} printable characters, got {key!r}", field="key"
        )
    return key


def check_reason(text: str, *, field_name: str = "reason") -> str:
    """Return `text` stripped if it can be recorded as who/why (1-500 printable characters)."""
    stripped = text.strip() if isinstance(text, str) else ""
    if not stripped or len(stripped) > _MAX_REASON or not stripped.isprintable():
        raise ValidationError(
            f"{field_name} must be 1-{_MAX_REASON} printable characters", field=field_name
        )
    return stripped


def dump_payload(payload: Mapping[str, Any], *, field_name: str = "payload") -> str:
    """`payload` as canonical JSON; ValidationError if it is not JSON-serialisable."""
    try:
        return json.dumps(dict(payload), sort_keys=True, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            f"{field_name} must be JSON-serialisable: {exc}", field=field_name
        ) from None


@dataclass(frozen=True)
class NewJob:
    """A job to enqueue: which handler runs it, its idempotency key and its input."""

    kind: str
    key: str
    payload: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.kind or not self.kind.isidentifier():
            raise ValidationError(
                f"job kind must be an identifier, got {self.kind!r}", field="kind"
            )
        check_key(self.key)
        dump_payload(self.payload)


@dataclass(frozen=True)
class Resolution:
    """A person's decision on a job: what, why, who, and when (Unix seconds, store clock)."""

    action: ResolveAction
    reason: str
    by: str
    at: float


@dataclass(frozen=True)
class Job:
    """A job as stored. Times are Unix seconds from the store's clock."""

    id: int
    kind: str
    key: str
    payload: Mapping[str, Any]
    state: JobState
    attempts: int
    created_at: float
    retry_since: float
    """When the current run of retries began (creation, or the last revival from dead)."""
    next_attempt_at: float
    lease_owner: str | None = None
    lease_until: float | None = None
    last_error: str | None = None
    outcome_unknown: bool = False
    """An earlier attempt may have reached the vendor: look the effect up before retrying."""
    result: Mapping[str, Any] | None = None
    started_at: float | None = None
    """When the attempt under way began (set while a worker runs the job, else None). A
    lease that runs out while this is set means the attempt's outcome is unknown."""
    resolutions: tuple[Resolution, ...] = ()
    """Every decision staff recorded on this job, oldest first."""
    finished_at: float | None = None
    """When it became done or dead (None while it may still run)."""

    @property
    def confirmed_done(self) -> bool:
        """True when staff resolved the job as done and a worker has still to record it."""
        return (
            self.state in (JobState.PENDING, JobState.LEASED)
            and bool(self.resolutions)
            and self.resolutions[-1].action is ResolveAction.DONE
        )


@dataclass(frozen=True)
class JobResult:
    """What a handler returns: the vendor's answer and the jobs that follow from it.

    The store marks the job done and enqueues `follow_ups` in one transaction, so a crash
    can never leave the effect recorded without its next step, or the reverse.
    """

    result: Mapping[str, Any] = field(default_factory=dict)
    follow_ups: Sequence[NewJob] = ()


def job_from_row(row: Sequence[Any]) -> Job:
    """A `Job` from a stored row, columns in this order (both stores select them so).

    id, kind, key, payload (JSON text), state, attempts, created_at, retry_since,
    next_attempt_at, lease_owner, lease_until, last_error, outcome_unknown, result (JSON
    text or None), started_at, resolutions (JSON text or None), finished_at; times in Unix
    seconds.
    """
    resolutions = tuple(
        Resolution(ResolveAction(item["action"]), item["reason"], item["by"], item["at"])
        for item in json.loads(row[15] or "[]")
    )
    return Job(
        id=row[0],
        kind=row[1],
        key=row[2],
        payload=json.loads(row[3]),
        state=JobState(row[4]),
        attempts=row[5],
        created_at=row[6],
        retry_since=row[7],
        next_attempt_at=row[8],
        lease_owner=row[9],
        lease_until=row[10],
        last_error=row[11],
        outcome_unknown=bool(row[12]),
        result=None if row[13] is None else json.loads(row[13]),
        started_at=row[14],
        resolutions=resolutions,
        finished_at=row[16],
    )
