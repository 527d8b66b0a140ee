"""One read of the outbox and the records for a run of days, and the reports of each."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from connectors.report.daily import DayReport, day_bounds, day_reports
from connectors.report.records import ReportRecords
from connectors.report.source import read_jobs
from connectors.vn.time import now_vn

__all__ = ["daily_report", "reports", "trend", "yesterday"]


def yesterday(clock: Callable[[], float] = time.time) -> date:
    """The day before today, in Vietnam."""
    return now_vn(clock).date() - timedelta(days=1)


def reports(
    db: str | Path,
    first: date,
    last: date,
    *,
    commune: str | None = None,
    own_commune: str | None = None,
    schema: str = "connectors",
) -> list[DayReport]:
    """The report of every day from `first` to `last` (included), oldest first.

    `db` is the outbox (an SQLite file or a ``postgresql://`` URL, `schema` for the
    latter); its `ReportRecords` are read from the same place. `commune` keeps one
    commune's jobs and records; untagged ones are `own_commune`'s (the outbox's own).
    """
    if last < first:
        raise ValueError("the last day comes before the first")
    lo, _ = day_bounds(first)
    _, hi = day_bounds(last)
    jobs = read_jobs(db, lo, hi, schema=schema)
    with ReportRecords(db, schema=schema, create=False) as records:
        reconciliations = records.reconciliations(first, last)
        feedback = records.feedback(lo)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return day_reports(
        days, jobs, reconciliations, feedback, commune=commune, own_commune=own_commune
    )


def daily_report(
    db: str | Path,
    day: date | None = None,
    *,
    commune: str | None = None,
    own_commune: str | None = None,
    schema: str = "connectors",
    clock: Callable[[], float] = time.time,
) -> DayReport:
    """The report of `day` (default: yesterday in Vietnam); see `reports`."""
    when = day or yesterday(clock)
    [found] = reports(db, when, when, commune=commune, own_commune=own_commune, schema=schema)
    return found


def trend(
    db: str | Path,
    last: date | None = None,
    *,
    days: int = 30,
    commune: str | None = None,
    own_commune: str | None = None,
    schema: str = "connectors",
    clock: Callable[[], float] = time.time,
) -> list[DayReport]:
    """The reports of the `days` days ending with `last` (default: yesterday)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    end = last or yesterday(clock)
    start = end - timedelta(days=days - 1)
    return reports(db, start, end, commune=commune, own_commune=own_commune, schema=schema)
