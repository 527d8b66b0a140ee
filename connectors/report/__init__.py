"""The daily operations report a commune chair asks for, from what the library keeps.

For a day (yesterday in Vietnam by default) and optionally one commune: payments confirmed
by gateway, receipts issued and the payment-to-receipt delay (median, 95th percentile,
longest), SMS sent, failed and dead, unknown outcomes awaiting reconciliation,
reconciliation mismatches (underpaid, unpaid, unmatched) and feedback answered in time;
and the trend of the last 30 days as a PNG.

    from connectors.report import daily_report, trend, render_chart
    report = daily_report("outbox.db")                 # yesterday
    print(report.to_dict())
    render_chart(trend("outbox.db"), "trend.png")

Read from the outbox (SQLite or PostgreSQL) and from `ReportRecords`, where the portal
records the two things no other store keeps (reconciliation results, feedback deadlines).
`connectors report` is the command line for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from rich.console import Console

from connectors.report.chart import render_chart, render_chart_png
from connectors.report.daily import DayReport, Delay, day_bounds
from connectors.report.reading import daily_report, reports, trend, yesterday
from connectors.report.records import FeedbackRecord, ReconciliationCounts, ReportRecords
from connectors.report.render import CSV_COLUMNS, duration, to_csv, to_table
from connectors.vn.time import now_vn

__all__ = [
    "CSV_COLUMNS",
    "DayReport",
    "Delay",
    "FeedbackRecord",
    "ReconciliationCounts",
    "ReportRecords",
    "daily_report",
    "day_bounds",
    "duration",
    "for_run",
    "render_chart",
    "render_chart_png",
    "reports",
    "to_csv",
    "to_table",
    "trend",
    "yesterday",
]


def for_run(
    outbox: str | Path,
    *,
    console: Console | None = None,
    day: date | None = None,
    clock: Callable[[], float] = time.time,
) -> DayReport:
    """The report of a run that just happened (the demo's): the figures of `day` (default
    today in Vietnam) in `outbox`, printed as a table on `console` when given; returns
    them."""
    report = daily_report(outbox, day or now_vn(clock).date())
    if console is not None:
        console.print(to_table(report))
    return report
