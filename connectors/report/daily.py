"""The figures of one day (Vietnam time), computed from the outbox's jobs and the report's
records; several days from one read.

| figure | counted from |
|---|---|
| payments confirmed, by gateway | fee flows started, by the event's payment time |
| receipts issued, payment-to-receipt delay | receipt jobs done that day: done minus paid |
| SMS sent / dead | SMS jobs done / dead-lettered that day |
| SMS failed | SMS jobs of that day whose last attempt failed, still to be retried now |
| unknown outcomes awaiting reconciliation | jobs of any kind waiting for a person now |
| reconciliation mismatches | the reconciliation recorded for that day (`ReportRecords`) |
| feedback answered in time | feedback answered that day by its deadline (`ReportRecords`) |

Two figures describe the outbox as it is now, the outbox keeping no history of attempts:
SMS failed (the day's SMS jobs still waiting for a retry: sent or dead later, they count
there instead) and unknown outcomes (every job created by the end of the day still
waiting for a person: a backlog).
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from connectors.report.events import PAYMENT_KIND, is_receipt, is_sms
from connectors.report.records import FeedbackRecord, ReconciliationCounts
from connectors.report.source import JobRow
from connectors.vn.time import VN_TZ

__all__ = ["DayReport", "Delay", "day_bounds", "day_reports"]


def day_bounds(day: date) -> tuple[float, float]:
    """The Unix seconds where `day` starts and ends in Vietnam (GMT+7)."""
    start = datetime.combine(day, time(0), tzinfo=VN_TZ)
    return start.timestamp(), (start + timedelta(days=1)).timestamp()


@dataclass(frozen=True)
class Delay:
    """Payment-to-receipt delays of one day's receipts, in seconds (None without any)."""

    count: int = 0
    median: float | None = None
    p95: float | None = None
    """95th percentile, nearest rank: 95 % of receipts came at least this fast."""
    longest: float | None = None

    @classmethod
    def of(cls, delays: Sequence[float]) -> Delay:
        if not delays:
            return cls()
        ordered = sorted(delays)
        rank = max(math.ceil(0.95 * len(ordered)) - 1, 0)
        return cls(len(ordered), statistics.median(ordered), ordered[rank], ordered[-1])


@dataclass(frozen=True)
class DayReport:
    """The figures of one day for one commune (None: every commune of the outbox)."""

    day: date
    commune: str | None
    payments: dict[str, int] = field(default_factory=dict)
    """Payments confirmed that day, by gateway."""
    receipts: int = 0
    delay: Delay = Delay()
    sms_sent: int = 0
    sms_failed: int = 0
    sms_dead: int = 0
    unknown: int = 0
    reconciliation: ReconciliationCounts | None = None
    """None when no reconciliation was recorded for the day."""
    feedback_answered: int = 0
    feedback_in_time: int = 0
    feedback_overdue: int = 0
    """Still unanswered at the end of the day, past their deadline."""

    @property
    def payments_total(self) -> int:
        return sum(self.payments.values())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: times in seconds, the day as ISO 8601."""
        recon = self.reconciliation
        return {
            "day": self.day.isoformat(),
            "commune": self.commune,
            "payments": {"total": self.payments_total, "by_gateway": dict(self.payments)},
            "receipts": {
                "issued": self.receipts,
                "delay_seconds": {
                    "median": self.delay.median,
                    "p95": self.delay.p95,
                    "longest": self.delay.longest,
                },
            },
            "sms": {"sent": self.sms_sent, "failed": self.sms_failed, "dead": self.sms_dead},
            "unknown_outcomes": self.unknown,
            "reconciliation": None
            if recon is None
            else {
                "underpaid": recon.underpaid,
                "unpaid": recon.unpaid,
                "unmatched": recon.unmatched,
                "overpaid": recon.overpaid,
                "paid_twice": recon.paid_twice,
            },
            "feedback": {
                "answered": self.feedback_answered,
                "answered_in_time": self.feedback_in_time,
                "overdue": self.feedback_overdue,
            },
        }


@dataclass(frozen=True)
class _Scope:
    """Which jobs and records belong to the report: a commune, or all of them."""

    commune: str | None
    own: str | None
    """The outbox's own commune: untagged jobs and records are its."""

    def keeps(self, tagged: str | None) -> bool:
        if self.commune is None:
            return True
        found = tagged or self.own
        return found == self.commune


def _in(moment: float | None, lo: float, hi: float) -> bool:
    return moment is not None and lo <= moment < hi


def _one_day(
    day: date,
    jobs: Sequence[JobRow],
    recon: dict[tuple[date, str], ReconciliationCounts],
    feedback: Sequence[FeedbackRecord],
    scope: _Scope,
) -> DayReport:
    lo, hi = day_bounds(day)
    payments: Counter[str] = Counter()
    delays: list[float] = []
    sent = failed = dead = unknown = 0
    for job in jobs:
        fee = job.fee
        if not scope.keeps(job.commune):
            continue
        if job.state == "unknown" and job.created_at < hi:
            unknown += 1
        if fee is None:
            continue
        finished_today = _in(job.finished_at, lo, hi)
        if job.kind == PAYMENT_KIND and _in(fee.paid_at, lo, hi):
            payments[fee.gateway] += 1
        if is_receipt(job.kind) and job.state == "done" and finished_today:
            delays.append(max((job.finished_at or 0.0) - fee.paid_at, 0.0))
        elif is_sms(job.kind):
            sent += job.state == "done" and finished_today
            dead += job.state == "dead" and finished_today
            open_failing = job.state in ("pending", "leased") and job.failed
            failed += open_failing and _in(job.created_at, lo, hi)
    found = [
        counts
        for (when, commune), counts in recon.items()
        if when == day and scope.keeps(commune or None)
    ]
    total = None
    for counts in found:
        total = counts if total is None else total.add(counts)
    answered = in_time = overdue = 0
    for item in feedback:
        if not scope.keeps(item.commune or None):
            continue
        if _in(item.answered_at, lo, hi):
            answered += 1
            in_time += item.due_at is None or (item.answered_at or 0.0) <= item.due_at
        still_open = item.answered_at is None or item.answered_at >= hi
        overdue += still_open and item.due_at is not None and item.due_at < hi
    return DayReport(
        day=day,
        commune=scope.commune,
        payments=dict(sorted(payments.items())),
        receipts=len(delays),
        delay=Delay.of(delays),
        sms_sent=sent,
        sms_failed=failed,
        sms_dead=dead,
        unknown=unknown,
        reconciliation=total,
        feedback_answered=answered,
        feedback_in_time=in_time,
        feedback_overdue=overdue,
    )


def day_reports(
    days: Iterable[date],
    jobs: Sequence[JobRow],
    reconciliations: dict[tuple[date, str], ReconciliationCounts],
    feedback: Sequence[FeedbackRecord],
    *,
    commune: str | None = None,
    own_commune: str | None = None,
) -> list[DayReport]:
    """The report of each of `days` from what was read for their window."""
    scope = _Scope(commune, own_commune)
    return [_one_day(day, jobs, reconciliations, feedback, scope) for day in days]
