"""Outbox jobs: a span per job the worker handles, its outcome, dead letters, delays."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from connectors.core.telemetry.state import Instruments, active

__all__ = ["outbox_job"]

# -- outbox jobs (connectors.delivery.worker) ----------------------------------------------

_TALLIED = ("done", "retried", "dead", "parked", "skipped", "lost_lease")
_OUTCOME = {"retried": "retry", "parked": "unknown"}


class _NoJobSpan:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        return None


_NO_JOB_SPAN = _NoJobSpan()


class _JobSpan:
    """One job's span and metrics; the outcome is read off the worker's report."""

    def __init__(self, instruments: Instruments, job: Any, report: Any, clock: Callable[[], float]):
        self.instruments = instruments
        self.job = job
        self.report = report
        self.clock = clock
        self.before = self._tally()
        self.began = 0.0
        self.span: Any = None
        self.scope: Any = None

    def _tally(self) -> tuple[int, ...]:
        return tuple(int(getattr(self.report, name, 0)) for name in (*_TALLIED, "found_by_lookup"))

    def __enter__(self) -> None:
        kind = str(self.job.kind)
        self.span = self.instruments.tracer.start_span(
            f"outbox {kind}",
            attributes={
                "connectors.job.kind": kind,
                "connectors.job.id": int(self.job.id),
                "connectors.job.attempt": int(self.job.attempts) + 1,
            },
        )
        self.scope = self.instruments.trace.use_span(self.span, end_on_exit=False)
        self.scope.__enter__()
        self.began = time.perf_counter()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        elapsed = time.perf_counter() - self.began
        after = self._tally()
        changed = [name for name, a, b in zip(_TALLIED, self.before, after, strict=False) if b > a]
        outcome = _OUTCOME.get(changed[0], changed[0]) if changed else "store_error"
        if exc is not None:
            outcome = "error"
            self.span.set_attribute("error.type", type(exc).__name__)
            self.span.set_status(self.instruments.trace.StatusCode.ERROR, type(exc).__name__)
        job_kind = str(self.job.kind)
        self.span.set_attribute("connectors.outcome", outcome)
        self.span.set_attribute("connectors.job.found_by_lookup", after[-1] > self.before[-1])
        self.scope.__exit__(kind, exc, traceback)
        self.span.end()
        instruments = self.instruments
        attributes = {"connectors.job.kind": job_kind}
        measured = {**attributes, "connectors.outcome": outcome}
        instruments.jobs.add(1, measured)
        instruments.job_duration.record(elapsed, measured)
        if outcome == "dead":
            instruments.dead_letters.add(1, attributes)
        elif outcome == "unknown":
            instruments.unknown_jobs.add(1, attributes)
        elif outcome == "done" and job_kind in instruments.receipt_kinds:
            delay = self.clock() - float(self.job.created_at)
            instruments.payment_to_receipt.record(max(delay, 0.0), attributes)


def outbox_job(job: Any, report: Any, clock: Callable[[], float]) -> Any:
    """A context around one job the worker handles: its span and metrics when on.

    `job` is the leased `Job`, `report` the worker's `WorkerReport` (its counters before
    and after tell the outcome), `clock` the store's clock (a receipt job's age when done
    is the payment-to-receipt delay). A shared no-op context when telemetry is off.
    """
    instruments = active()
    if instruments is None:
        return _NO_JOB_SPAN
    return _JobSpan(instruments, job, report, clock)
