"""What the daily report needs that no other store keeps: reconciliation results per day,
and each citizen feedback's deadline and answer time.

The outbox knows payments, receipts and SMS; a reconciliation (`connectors.banks.reconcile`)
is computed and thrown away, and iHanoi's sync state keeps revisions, not deadlines. So the
portal records these two here, beside its outbox (the same SQLite file, or the same
PostgreSQL schema), and `connectors report` reads them:

    records = ReportRecords("outbox.db")
    records.record_reconciliation(reconcile(expected, received), day=date(2026, 3, 2))
    records.record_feedback(feedback)          # each time iHanoi says it changed

Only counts, identifiers and times are kept: no name, phone number or text.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from connectors.banks.reconcile import ReconciliationReport, RowStatus
from connectors.core.closing import Closeable
from connectors.core.postgres import (
    PgConnections,
    ensure_schema,
    is_postgres_dsn,
    qualified,
    schema_has,
)
from connectors.core.sqlite import connect
from connectors.ihanoi.base import Feedback

__all__ = ["FeedbackRecord", "ReconciliationCounts", "ReportRecords"]

_RECONCILIATION = (
    "CREATE TABLE IF NOT EXISTS {t}report_reconciliation (day TEXT NOT NULL,"
    " commune TEXT NOT NULL, underpaid INTEGER NOT NULL, unpaid INTEGER NOT NULL,"
    " unmatched INTEGER NOT NULL, overpaid INTEGER NOT NULL, paid_twice INTEGER NOT NULL,"
    " recorded_at {real} NOT NULL, PRIMARY KEY (day, commune))"
)
_FEEDBACK = (
    "CREATE TABLE IF NOT EXISTS {t}report_feedback (feedback_id TEXT PRIMARY KEY,"
    " commune TEXT NOT NULL, received_at {real}, due_at {real}, answered_at {real})"
)
_COMPONENT, _VERSION = "report", 1
_HAS_TABLES = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'report_reconciliation'"


@dataclass(frozen=True)
class ReconciliationCounts:
    """The problems one reconciliation found: dossiers short of their fee (`underpaid`),
    with nothing received (`unpaid`), money naming no dossier (`unmatched`), dossiers paid
    more than their fee (`overpaid`) or twice (`paid_twice`)."""

    underpaid: int = 0
    unpaid: int = 0
    unmatched: int = 0
    overpaid: int = 0
    paid_twice: int = 0

    @classmethod
    def of(cls, report: ReconciliationReport) -> ReconciliationCounts:
        """The counts of `report`'s rows."""
        mismatched = [row for row in report.rows if row.status is RowStatus.AMOUNT_MISMATCH]
        return cls(
            underpaid=sum(1 for row in mismatched if row.difference < 0),
            unpaid=sum(1 for row in report.rows if row.status is RowStatus.MISSING_PAYMENT),
            unmatched=sum(1 for row in report.rows if row.status is RowStatus.ORPHAN),
            overpaid=sum(1 for row in mismatched if row.difference > 0),
            paid_twice=sum(1 for row in report.rows if row.status is RowStatus.PAID_TWICE),
        )

    def add(self, other: ReconciliationCounts) -> ReconciliationCounts:
        """Both counts together (two communes of one day)."""
        return ReconciliationCounts(
            *(a + b for a, b in zip(self.values(), other.values(), strict=True))
        )

    def values(self) -> tuple[int, int, int, int, int]:
        return (self.underpaid, self.unpaid, self.unmatched, self.overpaid, self.paid_twice)


@dataclass(frozen=True)
class FeedbackRecord:
    """One feedback's times (Unix seconds): received, due, answered (None while open)."""

    feedback_id: str
    commune: str
    received_at: float | None
    due_at: float | None
    answered_at: float | None


def _seconds(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


class ReportRecords(Closeable):
    """The report's own records in the outbox's database (`db`: an SQLite file or a
    ``postgresql://`` URL; `schema` for PostgreSQL). Thread-safe; `close()` when done.

    With `create=False` (what the report uses) nothing is created: records that were never
    written read as none.
    """

    def __init__(
        self,
        db: str | Path,
        *,
        schema: str = "connectors",
        create: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._where = str(db)
        self._schema = schema
        self._clock = clock
        self._lock = threading.Lock()
        self._pg: PgConnections | None = None
        self._sqlite: sqlite3.Connection | None = None
        self._recorded = True  # False: opened to read, and nothing was ever recorded
        if is_postgres_dsn(self._where):
            self._pg = PgConnections(self._where, application_name="connectors-report")
            if not create:
                self._recorded = schema_has(self._pg, schema, "report_reconciliation")
            else:
                ddl = [
                    statement.format(t="{schema}.", real="float8")
                    for statement in (_RECONCILIATION, _FEEDBACK)
                ]
                ensure_schema(self._pg, schema, _COMPONENT, _VERSION, ddl)
        elif create:
            tables = [s.format(t="", real="REAL") for s in (_RECONCILIATION, _FEEDBACK)]
            self._sqlite = connect(self._where, schema=tables)
        elif Path(self._where).is_file():
            uri = f"{Path(self._where).resolve().as_uri()}?mode=ro"
            self._sqlite = connect(uri, uri=True)
            found = self._sqlite.execute(_HAS_TABLES).fetchone()
            self._recorded = found is not None
        else:
            self._recorded = False

    def __repr__(self) -> str:
        return f"ReportRecords({self._where if self._pg is None else self._pg.masked!r})"

    def close(self) -> None:
        """Close the connection(s)."""
        if self._sqlite is not None:
            self._sqlite.close()
        if self._pg is not None:
            self._pg.close()

    def _table(self, name: str) -> str:
        return name if self._pg is None else qualified(self._schema, name)

    @contextmanager
    def _execute(self) -> Iterator[Callable[[str, dict[str, Any]], list[tuple[Any, ...]]]]:
        """A function running one statement (named ``%(x)s`` parameters) and its rows."""
        if not self._recorded:
            yield lambda _sql, _params: []
            return
        if self._pg is not None:
            with self._pg.using() as conn:

                def run_pg(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
                    cursor = conn.execute(sql, params)
                    return list(cursor.fetchall()) if cursor.description else []

                yield run_pg
            return
        lite = self._sqlite
        with self._lock:

            def run_sqlite(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
                if lite is None:
                    return []
                statement = sql.replace("%(", ":").replace(")s", "")
                return lite.execute(statement, params).fetchall()

            yield run_sqlite

    # -- writing ---------------------------------------------------------------------------

    def record_reconciliation(
        self, report: ReconciliationReport, *, day: date, commune: str = ""
    ) -> ReconciliationCounts:
        """Keep the problem counts of `report`, the reconciliation of `day` (its latest
        run replaces an earlier one of the same day and commune). Returns them."""
        counts = ReconciliationCounts.of(report)
        table = self._table("report_reconciliation")
        names = ("underpaid", "unpaid", "unmatched", "overpaid", "paid_twice")
        values = dict(zip(names, counts.values(), strict=True))
        sql = (
            f"INSERT INTO {table} (day, commune, {', '.join(names)}, recorded_at) VALUES"  # noqa: S608
            f" (%(day)s, %(commune)s, {', '.join(f'%({n})s' for n in names)}, %(at)s)"
            " ON CONFLICT (day, commune) DO UPDATE SET "
            + ", ".join(f"{n} = excluded.{n}" for n in (*names, "recorded_at"))
        )
        with self._execute() as run:
            run(sql, {"day": day.isoformat(), "commune": commune, "at": self._clock(), **values})
        return counts

    def record_feedback(self, feedback: Feedback, *, commune: str = "") -> None:
        """Keep `feedback`'s times: received, due, and answered once it is closed (its
        `resolved_at`, else now). A later state of the same feedback replaces them."""
        answered = None
        if feedback.status.is_closed:
            answered = _seconds(feedback.resolved_at) or self._clock()
        received = _seconds(feedback.received_at or feedback.submitted_at)
        table = self._table("report_feedback")
        sql = (
            f"INSERT INTO {table} (feedback_id, commune, received_at, due_at, answered_at)"  # noqa: S608
            " VALUES (%(id)s, %(commune)s, %(received)s, %(due)s, %(answered)s)"
            " ON CONFLICT (feedback_id) DO UPDATE SET commune = excluded.commune,"
            " received_at = excluded.received_at, due_at = excluded.due_at,"
            " answered_at = excluded.answered_at"
        )
        params = {
            "id": feedback.feedback_id,
            "commune": commune,
            "received": received,
            "due": _seconds(feedback.due_at),
            "answered": answered,
        }
        with self._execute() as run:
            run(sql, params)

    # -- reading ---------------------------------------------------------------------------

    def reconciliations(
        self, first: date, last: date
    ) -> dict[tuple[date, str], ReconciliationCounts]:
        """The counts recorded for each (day, commune) from `first` to `last` included."""
        table = self._table("report_reconciliation")
        sql = (
            f"SELECT day, commune, underpaid, unpaid, unmatched, overpaid, paid_twice"  # noqa: S608
            f" FROM {table} WHERE day >= %(first)s AND day <= %(last)s"
        )
        with self._execute() as run:
            rows = run(sql, {"first": first.isoformat(), "last": last.isoformat()})
        return {
            (date.fromisoformat(row[0]), row[1]): ReconciliationCounts(*map(int, row[2:]))
            for row in rows
        }

    def feedback(self, since: float) -> list[FeedbackRecord]:
        """Every feedback still open, or answered at or after `since` (Unix seconds)."""
        table = self._table("report_feedback")
        sql = (
            f"SELECT feedback_id, commune, received_at, due_at, answered_at FROM {table}"  # noqa: S608
            " WHERE answered_at IS NULL OR answered_at >= %(since)s"
        )
        with self._execute() as run:
            rows = run(sql, {"since": since})
        return [FeedbackRecord(str(r[0]), str(r[1]), r[2], r[3], r[4]) for r in rows]
