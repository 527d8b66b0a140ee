"""Reading the outbox for a report: the jobs of a time window, from SQLite or PostgreSQL.

One query per report, whatever the number of days: the jobs created or finished in the
window, and every job still open (pending, leased, or waiting for reconciliation). The
filter runs in the database; only the rows it keeps are read into Python, and only the
fee jobs' payloads are parsed. The outbox is opened read-only (SQLite) or only read
(PostgreSQL): a report changes nothing in it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connectors.core.errors import ConfigError
from connectors.core.postgres import PgConnections, is_postgres_dsn, qualified, schema_has
from connectors.report.events import FeeFacts, commune_of, fee_facts, is_receipt, is_sms

__all__ = ["LATE_CONFIRMATION", "JobRow", "read_jobs"]

LATE_CONFIRMATION = 2 * 86_400.0
"""How long after a payment its confirmation may still reach the portal (a gateway
retrying its IPN, a bank webhook held back): jobs created this long after the window are
read too, so a payment made late in a day and confirmed the next still counts for its day."""

_COLUMNS = "id, kind, state, created_at, finished_at, attempts, last_error, payload"
_WHERE = (
    "(created_at >= {lo} AND created_at < {late})"
    " OR (finished_at >= {lo} AND finished_at < {hi})"
    " OR state IN ('pending', 'leased', 'unknown')"
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


def _sqlite_rows(path: Path, lo: float, hi: float) -> list[JobRow]:
    if not path.is_file():
        raise ConfigError(f"no outbox at {path}", field="db")
    query = f"SELECT {_COLUMNS} FROM outbox_jobs WHERE " + _WHERE.format(  # noqa: S608
        lo=":lo", late=":late", hi=":hi"
    )
    uri = f"{path.resolve().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True, timeout=30.0)) as conn:
        try:
            rows = conn.execute(query, {"lo": lo, "hi": hi, "late": hi + LATE_CONFIRMATION})
            return [_row(values) for values in rows]
        except sqlite3.OperationalError as exc:
            raise ConfigError(f"{path} holds no outbox: {exc}", field="db") from None


def _epoch(column: str) -> str:
    return f"extract(epoch from {column})::float8"


def _postgres_rows(dsn: str, schema: str, lo: float, hi: float) -> list[JobRow]:
    table = qualified(schema, "outbox_jobs")
    columns = (
        f"id, kind, state, {_epoch('created_at')}, {_epoch('finished_at')}, attempts,"
        " last_error, payload::text"
    )
    moment = "to_timestamp(%({})s::float8)"
    where = _WHERE.format(
        lo=moment.format("lo"), late=moment.format("late"), hi=moment.format("hi")
    )
    query = f"SELECT {columns} FROM {table} WHERE {where}"  # noqa: S608 - checked schema
    connections = PgConnections(dsn, application_name="connectors-report")
    try:
        if not schema_has(connections, schema, "outbox_jobs"):
            raise ConfigError(f"no outbox in schema {schema} at {connections.masked}", field="db")
        with connections.using() as conn:
            found = conn.execute(query, {"lo": lo, "hi": hi, "late": hi + LATE_CONFIRMATION})
            return [_row(values) for values in found.fetchall()]
    finally:
        connections.close()


def read_jobs(db: str | Path, lo: float, hi: float, *, schema: str = "connectors") -> list[JobRow]:
    """The jobs of the outbox `db` (an SQLite file or a ``postgresql://`` URL) created or
    finished in ``[lo, hi)`` (Unix seconds), those created up to `LATE_CONFIRMATION` after,
    and every job still open. ConfigError when there is no outbox there."""
    where = str(db)
    if is_postgres_dsn(where):
        return _postgres_rows(where, schema, lo, hi)
    return _sqlite_rows(Path(where), lo, hi)
