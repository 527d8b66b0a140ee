"""Reading the outbox for a report: the jobs of a time window, from SQLite or PostgreSQL.

Two indexed reads per report, whatever the number of days. Job ids grow with their
creation time, so binary searches on the primary key find the jobs created from `LOOKBACK`
before the window to `LATE_CONFIRMATION` after it; one range read of those keeps the ones
created or finished in the window (and those still open); the state index adds the open
jobs created outside that range (pending, leased, or waiting for reconciliation). Only
the rows kept are read into Python. The outbox is opened read-only (SQLite) or only read
(PostgreSQL): a
report changes nothing in it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors.core.errors import ConfigError
from connectors.core.postgres import PgConnections, is_postgres_dsn, qualified, schema_has
from connectors.report.events import FeeFacts, commune_of, fee_facts, is_receipt, is_sms

__all__ = ["LATE_CONFIRMATION", "LOOKBACK", "JobRow", "read_jobs"]

LATE_CONFIRMATION = 2 * 86_400.0
"""How long after a payment its confirmation may still reach the portal (a gateway
retrying its IPN, a bank webhook held back): jobs created this long after the window are
read too, so a payment made late in a day and confirmed the next still counts for its day."""

LOOKBACK = 35 * 86_400.0
"""How long before the window a job finished in it may have been created (a dead letter
retried weeks later, a job staff resolved late): older ones are not read."""

_OPEN = "state IN ('pending', 'leased', 'unknown')"
_IN_WINDOW = (
    "id >= {p[start]} AND id < {p[end]} AND ((created_at >= {t[lo]} AND created_at < {t[late]})"
    " OR (finished_at >= {t[lo]} AND finished_at < {t[hi]}) OR " + _OPEN + ")"
)
_OPEN_ELSEWHERE = _OPEN + " AND (id < {p[start]} OR id >= {p[end]})"

Rows = Callable[[str, dict[str, Any]], list[Sequence[Any]]]


@dataclass(frozen=True)
class _Dialect:
    """How one database spells a table, a bound value, a bound time and a selected time."""

    table: str
    param: Callable[[str], str]
    moment: Callable[[str], str]
    seconds: Callable[[str], str]
    payload: str

    def columns(self) -> str:
        created, finished = self.seconds("created_at"), self.seconds("finished_at")
        return f"id, kind, state, {created}, {finished}, attempts, last_error, {self.payload}"

    def format(self, template: str) -> str:
        names = ("start", "end", "lo", "hi", "late", "mid")
        return template.format(
            p={n: self.param(n) for n in names}, t={n: self.moment(n) for n in names}
        )


_SQLITE = _Dialect("outbox_jobs", lambda n: f":{n}", lambda n: f":{n}", lambda c: c, "payload")


def _postgres(schema: str) -> _Dialect:
    return _Dialect(
        qualified(schema, "outbox_jobs"),
        lambda n: f"%({n})s",
        lambda n: f"to_timestamp(%({n})s::float8)",
        lambda c: f"extract(epoch from {c})::float8",
        "payload::text",
    )


@dataclass(frozen=True)
class JobRow:
    """What the report needs of one job. Times are Unix seconds."""

    id: int
    kind: str
    state: str
    created_at: float
    finished_at: float | None
    attempts: int
    failed: bool
    """Its last attempt failed (it has a last error)."""
    fee: FeeFacts | None
    """The fee facts, for receipt and SMS jobs."""
    commune: str | None
    """The commune the job's event names, if any."""


def _row(values: Sequence[Any]) -> JobRow:
    job_id, kind, state, created, finished, attempts, last_error, payload = values
    document = json.loads(payload) if isinstance(payload, str) else payload
    if not isinstance(document, dict):
        document = {}
    fee = fee_facts(document, float(created)) if is_receipt(kind) or is_sms(kind) else None
    return JobRow(
        id=int(job_id),
        kind=str(kind),
        state=str(state),
        created_at=float(created),
        finished_at=None if finished is None else float(finished),
        attempts=int(attempts),
        failed=bool(last_error),
        fee=fee,
        commune=commune_of(document),
    )


def _first_created(rows: Rows, dialect: _Dialect, since: float) -> int:
    """The smallest job id created at or after `since` (ids grow with creation time): a
    binary search on the primary key, a few dozen indexed reads."""
    table = dialect.table
    # min and max apart: together they are a scan (SQLite optimises one alone)
    low = rows(f"SELECT min(id) FROM {table}", {})[0][0]  # noqa: S608
    high = rows(f"SELECT max(id) FROM {table}", {})[0][0]  # noqa: S608
    if low is None or high is None:
        return 0
    left, right = int(low), int(high) + 1
    probe = dialect.format(
        f"SELECT id, {dialect.seconds('created_at')} FROM {table}"  # noqa: S608
        " WHERE id >= {p[mid]} ORDER BY id LIMIT 1"
    )
    while left < right:
        middle = (left + right) // 2
        found = rows(probe, {"mid": middle})
        if not found or float(found[0][1]) >= since:
            right = middle
        else:
            left = int(found[0][0]) + 1
    return left


def _read(rows: Rows, dialect: _Dialect, lo: float, hi: float) -> list[JobRow]:
    late = hi + LATE_CONFIRMATION
    start = _first_created(rows, dialect, lo - LOOKBACK)
    end = _first_created(rows, dialect, late)
    select = f"SELECT {dialect.columns()} FROM {dialect.table} WHERE "  # noqa: S608
    params = {"start": start, "end": end, "lo": lo, "hi": hi, "late": late}
    found = rows(dialect.format(select + _IN_WINDOW), params)
    found += rows(dialect.format(select + _OPEN_ELSEWHERE), {"start": start, "end": end})
    return [_row(values) for values in found]


def _sqlite_rows(path: Path, lo: float, hi: float) -> list[JobRow]:
    if not path.is_file():
        raise ConfigError(f"no outbox at {path}", field="db")
    uri = f"{path.resolve().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True, timeout=30.0)) as conn:

        def rows(sql: str, params: dict[str, Any]) -> list[Sequence[Any]]:
            return conn.execute(sql, params).fetchall()

        try:
            return _read(rows, _SQLITE, lo, hi)
        except sqlite3.OperationalError as exc:
            raise ConfigError(f"{path} holds no outbox: {exc}", field="db") from None


def _postgres_rows(dsn: str, schema: str, lo: float, hi: float) -> list[JobRow]:
    connections = PgConnections(dsn, application_name="connectors-report")
    try:
        if not schema_has(connections, schema, "outbox_jobs"):
            raise ConfigError(f"no outbox in schema {schema} at {connections.masked}", field="db")
        with connections.using() as conn:

            def rows(sql: str, params: dict[str, Any]) -> list[Sequence[Any]]:
                return list(conn.execute(sql, params).fetchall())

            return _read(rows, _postgres(schema), lo, hi)
    finally:
        connections.close()


def read_jobs(db: str | Path, lo: float, hi: float, *, schema: str = "connectors") -> list[JobRow]:
    """The jobs of the outbox `db` (an SQLite file or a ``postgresql://`` URL) created or
    finished in ``[lo, hi)`` (Unix seconds; created at most `LOOKBACK` before), those
    created up to `LATE_CONFIRMATION` after, and every job still open. ConfigError when
    there is no outbox there."""
    where = str(db)
    if is_postgres_dsn(where):
        return _postgres_rows(where, schema, lo, hi)
    return _sqlite_rows(Path(where), lo, hi)
