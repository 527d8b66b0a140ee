"""The report's figures from outbox jobs in known states, from SQLite and PostgreSQL;
commune scoping; records replaced by their latest version; the figures as CSV and table."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from connectors.banks.matching import ExpectedPayment
from connectors.banks.reconcile import reconcile
from connectors.delivery import PostgresOutbox, SqliteOutbox
from connectors.report import (
    CSV_COLUMNS,
    ReconciliationCounts,
    ReportRecords,
    daily_report,
    duration,
    for_run,
    reports,
    to_csv,
    to_table,
    trend,
)
from tests.delivery.conftest import FakeClock
from tests.pg import PgTarget
from tests.report.jobs import one_day
from tests.report.world import at

DAY = date(2026, 3, 2)


def _check_day(report_day: object) -> None:
    from connectors.report import DayReport

    assert isinstance(report_day, DayReport)
    assert {"momo": 1, "vnpay": 2} == report_day.payments
    assert (3, 240.0, 600.0, 600.0) == (
        report_day.receipts,
        report_day.delay.median,
        report_day.delay.p95,
        report_day.delay.longest,
    )
    assert (1, 1, 1, 1) == (
        report_day.sms_sent,
        report_day.sms_failed,
        report_day.sms_dead,
        report_day.unknown,
    )


def test_figures_from_sqlite(tmp_path: Path) -> None:
    clock = FakeClock()
    with SqliteOutbox(tmp_path / "outbox.db", clock=clock) as outbox:
        one_day(outbox, clock, DAY)
    _check_day(daily_report(tmp_path / "outbox.db", DAY))
    before, after = reports(
        tmp_path / "outbox.db", DAY - timedelta(days=1), DAY + timedelta(days=1)
    )[::2]
    assert ({}, 0, 0) == (before.payments, before.receipts, before.unknown)
    # the unknown job still waits (a backlog); the failed SMS counts on its own day only
    assert ({}, 0, 1, 0) == (after.payments, after.receipts, after.unknown, after.sms_failed)


def test_figures_from_postgresql(pg: PgTarget) -> None:
    clock = FakeClock()
    with PostgresOutbox(pg.dsn, schema=pg.schema, clock=clock) as outbox:
        one_day(outbox, clock, DAY)
    with ReportRecords(pg.dsn, schema=pg.schema) as records:
        records.record_reconciliation(reconcile([ExpectedPayment("HS2026000001", 8_000)]), day=DAY)
    found = daily_report(pg.dsn, DAY, schema=pg.schema)
    _check_day(found)
    assert ReconciliationCounts(unpaid=1) == found.reconciliation


def test_a_commune_sees_its_own_jobs_and_records(tmp_path: Path) -> None:
    clock = FakeClock()
    db = tmp_path / "outbox.db"
    with SqliteOutbox(db, clock=clock) as outbox:
        one_day(outbox, clock, DAY, commune="ba-dinh")
        one_day(outbox, clock, DAY, commune="hoan-kiem")
        one_day(outbox, clock, DAY)  # untagged: the outbox's own commune's
    with ReportRecords(db) as records:
        short = reconcile([ExpectedPayment("HS2026000001", 8_000)])
        records.record_reconciliation(short, day=DAY, commune="ba-dinh")
        records.record_reconciliation(short, day=DAY, commune="hoan-kiem")
    everyone = daily_report(db, DAY)
    assert (9, 3) == (everyone.receipts, everyone.unknown)
    assert ReconciliationCounts(unpaid=2) == everyone.reconciliation
    _check_day(daily_report(db, DAY, commune="ba-dinh"))
    assert ReconciliationCounts(unpaid=1) == daily_report(db, DAY, commune="ba-dinh").reconciliation
    own = daily_report(db, DAY, commune="tay-ho", own_commune="tay-ho")
    _check_day(own)
    assert None is own.reconciliation
    assert 0 == daily_report(db, DAY, commune="tay-ho").receipts  # not told it is its own


def test_a_later_record_replaces_an_earlier_one(tmp_path: Path) -> None:
    clock = FakeClock()
    db = tmp_path / "outbox.db"
    SqliteOutbox(db, clock=clock).close()
    with ReportRecords(db, clock=clock) as records:
        records.record_reconciliation(reconcile([ExpectedPayment("HS2026000001", 8_000)]), day=DAY)
        records.record_reconciliation(reconcile([]), day=DAY)  # rerun after the money came
    assert ReconciliationCounts() == daily_report(db, DAY).reconciliation


def test_a_report_of_an_outbox_without_records_changes_nothing(tmp_path: Path) -> None:
    clock = FakeClock()
    db = tmp_path / "outbox.db"
    with SqliteOutbox(db, clock=clock) as outbox:
        one_day(outbox, clock, DAY)
    before = db.read_bytes()
    assert None is daily_report(db, DAY).reconciliation
    assert before == db.read_bytes()


def test_the_trend_is_the_days_ending_yesterday(tmp_path: Path) -> None:
    clock = FakeClock(at(DAY + timedelta(days=1), 7))
    with SqliteOutbox(tmp_path / "outbox.db", clock=clock) as outbox:
        one_day(outbox, clock, DAY)
    clock.now = at(DAY + timedelta(days=1), 7)
    days = trend(tmp_path / "outbox.db", days=7, clock=clock)
    assert [DAY - timedelta(days=n) for n in range(6, -1, -1)] == [r.day for r in days]
    assert [0, 0, 0, 0, 0, 0, 3] == [r.receipts for r in days]


def test_for_run_prints_and_returns_the_days_figures(tmp_path: Path) -> None:
    clock = FakeClock()
    with SqliteOutbox(tmp_path / "outbox.db", clock=clock) as outbox:
        one_day(outbox, clock, DAY)
    console = Console(record=True, width=120)
    found = for_run(tmp_path / "outbox.db", console=console, clock=clock)
    _check_day(found)
    text = console.export_text()
    assert "Operations report 2026-03-02" in text
    assert "3 (momo 1, vnpay 2)" in text
    assert "median 4 min 00 s, 95% within 10 min 00 s, longest 10 min 00 s" in text


def test_csv_has_one_row_per_day_under_its_header(tmp_path: Path) -> None:
    clock = FakeClock()
    with SqliteOutbox(tmp_path / "outbox.db", clock=clock) as outbox:
        one_day(outbox, clock, DAY)
    text = to_csv(reports(tmp_path / "outbox.db", DAY, DAY + timedelta(days=1)))
    header, first, second = text.splitlines()
    assert ",".join(CSV_COLUMNS) == header
    assert "2026-03-02,,3,momo=1;vnpay=2,3,240,600,600,1,1,1,1,,,,,,0,0,0" == first
    assert "2026-03-03,,0,,0,,,,0,0,0,1,,,,,,0,0,0" == second


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "-"), (0.4, "0 s"), (59.6, "1 min 00 s"), (3_900, "1 h 05 min"), (90_000, "1 d 1 h")],
)
def test_durations_read_as_people_say_them(seconds: float | None, text: str) -> None:
    assert text == duration(seconds)


def test_the_table_says_when_nothing_was_reconciled(tmp_path: Path) -> None:
    SqliteOutbox(tmp_path / "outbox.db").close()
    console = Console(record=True, width=120)
    console.print(to_table(daily_report(tmp_path / "outbox.db", DAY)))
    assert "not recorded" in console.export_text()
