"""A day's report as a table for people, a CSV row for spreadsheets, a JSON document."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from rich.table import Table

from connectors.report.daily import DayReport

__all__ = ["CSV_COLUMNS", "duration", "to_csv", "to_table"]

CSV_COLUMNS = (
    "day",
    "commune",
    "payments",
    "payments_by_gateway",
    "receipts",
    "delay_median_s",
    "delay_p95_s",
    "delay_longest_s",
    "sms_sent",
    "sms_failed",
    "sms_dead",
    "unknown_outcomes",
    "underpaid",
    "unpaid",
    "unmatched",
    "overpaid",
    "paid_twice",
    "feedback_answered",
    "feedback_in_time",
    "feedback_overdue",
)
"""The CSV header; one row per day. `payments_by_gateway` is ``vnpay=3;momo=1``."""


def duration(seconds: float | None) -> str:
    """`seconds` for people: "45 s", "4 min 10 s", "2 h 05 min", "3 d 4 h"; "-" for None."""
    if seconds is None:
        return "-"
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"


def _row(report: DayReport) -> list[str]:
    recon = report.reconciliation
    problems = ["", "", "", "", ""] if recon is None else [str(n) for n in recon.values()]
    return [
        report.day.isoformat(),
        report.commune or "",
        str(report.payments_total),
        ";".join(f"{name}={n}" for name, n in report.payments.items()),
        str(report.receipts),
        _seconds(report.delay.median),
        _seconds(report.delay.p95),
        _seconds(report.delay.longest),
        str(report.sms_sent),
        str(report.sms_failed),
        str(report.sms_dead),
        str(report.unknown),
        *problems,
        str(report.feedback_answered),
        str(report.feedback_in_time),
        str(report.feedback_overdue),
    ]


def to_csv(reports: Sequence[DayReport]) -> str:
    """The header and one row per report (empty reconciliation cells: none recorded)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for report in reports:
        writer.writerow(_row(report))
    return out.getvalue()


def to_table(report: DayReport) -> Table:
    """The day's figures, one per line, for a terminal."""
    where = f" - {report.commune}" if report.commune else ""
    table = Table("figure", "value", title=f"Operations report {report.day.isoformat()}{where}")
    gateways = ", ".join(f"{name} {n}" for name, n in report.payments.items())
    table.add_row(
        "payments confirmed", f"{report.payments_total}" + (f" ({gateways})" if gateways else "")
    )
    table.add_row("receipts issued", str(report.receipts))
    delay = report.delay
    table.add_row(
        "payment to receipt",
        f"median {duration(delay.median)}, 95% within {duration(delay.p95)}, "
        f"longest {duration(delay.longest)}",
    )
    table.add_row(
        "SMS",
        f"{report.sms_sent} sent, {report.sms_failed} failed (to retry), {report.sms_dead} dead",
    )
    table.add_row("unknown outcomes to reconcile", str(report.unknown))
    recon = report.reconciliation
    table.add_row(
        "reconciliation",
        "not recorded"
        if recon is None
        else f"{recon.underpaid} underpaid, {recon.unpaid} unpaid, {recon.unmatched} unmatched"
        + (f", {recon.overpaid} overpaid" if recon.overpaid else "")
        + (f", {recon.paid_twice} paid twice" if recon.paid_twice else ""),
    )
    table.add_row(
        "feedback",
        f"{report.feedback_in_time} of {report.feedback_answered} answered in time, "
        f"{report.feedback_overdue} overdue",
    )
    return table
