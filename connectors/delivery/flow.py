"""A small declarative flow over the outbox: ordered steps, one job per step.

Starting a flow for a subject (a dossier code) enqueues its first step under the key
``"<subject>:<step>"``. When a step's job completes, the steps that follow it are enqueued
in the same transaction, carrying the results so far; so a crash between steps loses
nothing and a replay sends the same key. A step follows the one before it unless it names
another earlier step in `Step.after` (then both run once that one is done). The fee path
is one such flow:

    payment confirmed -> receipt issued -> SMS to the citizen -> status pushed

`connectors.delivery.fee_steps` builds it, lookups included, from the commune's adapters;
`fee_flow` builds it from three steps the portal writes itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from connectors.core.errors import ValidationError
from connectors.delivery.jobs import Job, JobResult, NewJob
from connectors.delivery.store import Enqueuer
from connectors.delivery.worker import Task

__all__ = ["FEE_STEPS", "Flow", "Step", "StepContext", "fee_flow"]

FEE_STEPS = ("receipt", "sms", "status")
"""The steps of the fee path, in order."""


@dataclass(frozen=True)
class StepContext:
    """What a step sees: the subject, its idempotency key, the event and earlier results."""

    flow: str
    step: str
    subject: str
    key: str
    event: Mapping[str, Any]
    results: Mapping[str, Mapping[str, Any]]
    attempt: int


StepFn = Callable[[StepContext], Mapping[str, Any]]
LookupFn = Callable[[StepContext], Mapping[str, Any] | None]


@dataclass(frozen=True)
class Step:
    """One effect: `run` performs it with `ctx.key`; `lookup` finds one already made.

    `resend_safe=True` declares that the step's vendor de-duplicates `ctx.key` (see
    `Task.resend_safe`); with neither that nor a `lookup`, a step whose outcome is unknown
    waits for a person (`JobState.UNKNOWN`). When staff resolve it as done, the flow goes
    on to the next step with the result they recorded.

    `after` names the earlier step whose completion starts this one (None: the step just
    before it in the flow). The step then sees the results of that step and of the steps
    before it, not of a sibling that runs beside it.
    """

    name: str
    run: StepFn
    lookup: LookupFn | None = None
    resend_safe: bool = False
    after: str | None = None


class Flow:
    """Ordered steps over an outbox. Job kinds are ``"<flow>_<step>"``."""

    def __init__(self, name: str, steps: Sequence[Step]) -> None:
        names = [step.name for step in steps]
        if not steps or len(set(names)) != len(names):
            raise ValueError("a flow needs at least one step and unique step names")
        for text in (name, *names):
            if not text.isidentifier():
                raise ValueError(f"flow and step names must be identifiers: {text!r}")
        self.name = name
        self.steps = tuple(steps)
        self._next: dict[str, list[int]] = {step: [] for step in names}
        for index, step in enumerate(steps[1:], start=1):
            parent = step.after or names[index - 1]
            if parent not in names[:index]:
                raise ValueError(f"step {step.name!r} must follow an earlier step, not {parent!r}")
            self._next[parent].append(index)
        if steps[0].after is not None:
            raise ValueError(f"the first step {names[0]!r} follows no other step")

    def after(self, step: str) -> tuple[str, ...]:
        """The steps that start when `step` completes (none after the last one)."""
        return tuple(self.steps[index].name for index in self._next[step])

    def kind(self, step: str) -> str:
        return f"{self.name}_{step}"

    def key(self, subject: str, step: str) -> str:
        """The idempotency key of `step` for `subject`: stable across every replay."""
        return f"{subject}:{step}"

    def _job(
        self, index: int, subject: str, event: Mapping[str, Any], results: Mapping[str, Any]
    ) -> NewJob:
        step = self.steps[index].name
        payload = {"subject": subject, "event": dict(event), "results": dict(results)}
        return NewJob(self.kind(step), self.key(subject, step), payload)

    def start(self, target: Enqueuer, subject: str, event: Mapping[str, Any]) -> Job:
        """Enqueue the first step for `subject` (idempotent: a repeated start is a no-op).

        Pass the open transaction in which the portal records the event, so the event and
        its work are stored together: an `OutboxTransaction` (SQLite), or
        `PostgresOutbox.joined(conn)` on the portal's own PostgreSQL connection.
        """
        if not subject or ":" in subject:
            raise ValidationError("subject must be non-empty and free of ':'", field="subject")
        return target.enqueue(self._job(0, subject, event, {}))

    def tasks(self) -> dict[str, Task]:
        """The worker tasks for every step of this flow."""
        return {self.kind(step.name): self._task(step) for step in self.steps}

    def _context(self, step: Step, job: Job) -> StepContext:
        payload = job.payload
        return StepContext(
            flow=self.name,
            step=step.name,
            subject=str(payload["subject"]),
            key=job.key,
            event=payload["event"],
            results=payload["results"],
            attempt=job.attempts,
        )

    def _outcome(self, ctx: StepContext, result: Mapping[str, Any]) -> JobResult:
        results = {**ctx.results, ctx.step: dict(result)}
        follow_ups = [
            self._job(index, ctx.subject, ctx.event, results) for index in self._next[ctx.step]
        ]
        return JobResult(result=dict(result), follow_ups=follow_ups)

    def _task(self, step: Step) -> Task:
        def run(job: Job) -> JobResult:
            ctx = self._context(step, job)
            return self._outcome(ctx, step.run(ctx))

        def confirm(job: Job, result: Mapping[str, Any]) -> JobResult:
            return self._outcome(self._context(step, job), result)

        find = step.lookup
        if find is None:
            return Task(run=run, resend_safe=step.resend_safe, confirm=confirm)

        def lookup(job: Job) -> JobResult | None:
            ctx = self._context(step, job)
            found = find(ctx)
            return None if found is None else self._outcome(ctx, found)

        return Task(run=run, lookup=lookup, resend_safe=step.resend_safe, confirm=confirm)


def fee_flow(
    *,
    issue_receipt: Step,
    notify_citizen: Step,
    push_status: Step,
) -> Flow:
    """The fee path: receipt, then SMS (with the receipt's lookup code), then status."""
    steps = (issue_receipt, notify_citizen, push_status)
    if tuple(step.name for step in steps) != FEE_STEPS:
        raise ValueError(f"fee flow steps must be named {FEE_STEPS}")
    return Flow("fee", steps)
