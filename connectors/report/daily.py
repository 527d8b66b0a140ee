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

import bisect
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


_OFFSET = 7 * 3600  # GMT+7, without daylight saving since 1975
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _day_of(moment: float) -> date:
    """The Vietnamese day of a Unix time (fast: Vietnam's offset is fixed)."""
    return date.fromordinal(_EPOCH_ORDINAL + int((moment + _OFFSET) // 86_400))


@dataclass
class _Jobs:
    """What the jobs give each day, gathered in one pass over them."""

    payments: dict[date, Counter[str]] = field(default_factory=dict)
    delays: dict[date, list[float]] = field(default_factory=dict)
    sent: Counter[date] = field(default_factory=Counter)
    failed: Counter[date] = field(default_factory=Counter)
    dead: Counter[date] = field(default_factory=Counter)
    unknown_since: list[float] = field(default_factory=list)
    """Creation times of the jobs waiting for a person (a backlog from then on)."""

    @classmethod
    def gather(cls, jobs: Sequence[JobRow], scope: _Scope) -> _Jobs:
        found = cls()
        for job in jobs:
            if not scope.keeps(job.commune):
                continue
            if job.state == "unknown":
                found.unknown_since.append(job.created_at)
            fee = job.fee
            if fee is None:
                continue
            if job.kind == PAYMENT_KIND:
                found.payments.setdefault(_day_of(fee.paid_at), Counter())[fee.gateway] += 1
            finished = job.finished_at
            if is_receipt(job.kind) and job.state == "done" and finished is not None:
                delay = max(finished - fee.paid_at, 0.0)
                found.delays.setdefault(_day_of(finished), []).append(delay)
            elif is_sms(job.kind):
                if job.state == "done" and finished is not None:
                    found.sent[_day_of(finished)] += 1
                elif job.state == "dead" and finished is not None:
                    found.dead[_day_of(finished)] += 1
                elif job.state in ("pending", "leased") and job.failed:
                    found.failed[_day_of(job.created_at)] += 1
        found.unknown_since.sort()
        return found


def _one_day(
    day: date,
    jobs: _Jobs,
    recon: dict[tuple[date, str], ReconciliationCounts],
    feedback: Sequence[FeedbackRecord],
    scope: _Scope,
) -> DayReport:
    lo, hi = day_bounds(day)
    delays = jobs.delays.get(day, [])
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
        payments=dict(sorted(jobs.payments.get(day, Counter()).items())),
        receipts=len(delays),
        delay=Delay.of(delays),
        sms_sent=jobs.sent[day],
        sms_failed=jobs.failed[day],
        sms_dead=jobs.dead[day],
        unknown=bisect.bisect_left(jobs.unknown_since, hi),
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
    gathered = _Jobs.gather(jobs, scope)
    return [_one_day(day, gathered, reconciliations, feedback, scope) for day in days]
