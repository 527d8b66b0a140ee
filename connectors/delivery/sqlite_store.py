"""The embedded outbox: one SQLite file in WAL mode, safe across threads and processes.

A portal records its business event and the job that must follow it in one transaction:

    with outbox.transaction() as tx:
        tx.connection.execute("UPDATE dossiers SET paid = 1 WHERE code = ?", (code,))
        tx.enqueue(NewJob("issue_receipt", f"{code}:receipt", {"dossier": code}))

Either both are stored or neither is. Each thread gets its own connection; writes take
SQLite's write lock up front (`BEGIN IMMEDIATE`), so two workers never lease one job.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from connectors.core.errors import ValidationError
from connectors.delivery.jobs import Job, JobResult, JobState, NewJob, dump_payload

__all__ = ["OutboxTransaction", "SqliteOutbox"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    key TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    retry_since REAL NOT NULL,
    next_attempt_at REAL NOT NULL,
    lease_owner TEXT,
    lease_until REAL,
    last_error TEXT,
    outcome_unknown INTEGER NOT NULL DEFAULT 0,
    result TEXT,
    finished_at REAL
);
CREATE INDEX IF NOT EXISTS outbox_jobs_due ON outbox_jobs (state, next_attempt_at);
"""

# Every query below is built from these constants and "?" placeholders only; values are
# always bound, never interpolated (hence the S608 waivers).
_SELECT = (
    "SELECT id, kind, key, payload, state, attempts, created_at, retry_since, next_attempt_at,"
    " lease_owner, lease_until, last_error, outcome_unknown, result FROM outbox_jobs"
)
_DUE = "((state = 'pending' AND next_attempt_at <= ?) OR (state = 'leased' AND lease_until <= ?))"


def _job(row: tuple[Any, ...]) -> Job:
    return Job(
        id=row[0],
        kind=row[1],
        key=row[2],
        payload=json.loads(row[3]),
        state=JobState(row[4]),
        attempts=row[5],
        created_at=row[6],
        retry_since=row[7],
        next_attempt_at=row[8],
        lease_owner=row[9],
        lease_until=row[10],
        last_error=row[11],
        outcome_unknown=bool(row[12]),
        result=None if row[13] is None else json.loads(row[13]),
    )


class OutboxTransaction:
    """One open transaction: the portal's own writes and the jobs they cause."""

    def __init__(self, connection: sqlite3.Connection, clock: Callable[[], float]) -> None:
        self.connection = connection
        self._clock = clock

    def enqueue(self, job: NewJob, *, not_before: float | None = None) -> Job:
        """Store `job` unless its key is already stored; return the stored job.

        The first write of a key wins (a payment notification that arrives twice enqueues
        one receipt). A different `kind` under an existing key is a programming error and
        raises ValidationError.
        """
        now = self._clock()
        self.connection.execute(
            "INSERT INTO outbox_jobs"
            " (kind, key, payload, state, created_at, retry_since, next_attempt_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
            (
                job.kind,
                job.key,
                dump_payload(job.payload),
                JobState.PENDING,
                now,
                now,
                not_before or now,
            ),
        )
        row = self.connection.execute(_SELECT + " WHERE key = ?", (job.key,)).fetchone()
        stored = _job(row)
        if stored.kind != job.kind:
            raise ValidationError(
                f"job key {job.key!r} is already used by a {stored.kind!r} job", field="key"
            )
        return stored


class SqliteOutbox:
    """The `OutboxStore` in an SQLite file (WAL). Pass `clock` to control time in tests."""

    def __init__(
        self,
        path: str | Path,
        *,
        clock: Callable[[], float] = time.time,
        busy_timeout: float = 30.0,
    ) -> None:
        if str(path) == ":memory:":
            raise ValidationError(
                "the outbox must be a file: an in-memory database is lost with the process",
                field="path",
            )
        self.path = Path(path)
        self._clock = clock
        self._busy_timeout = busy_timeout
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        conn = self._conn()
        conn.execute("PRAGMA journal_mode=WAL").fetchall()
        conn.executescript(_SCHEMA)

    def __repr__(self) -> str:
        return f"SqliteOutbox({str(self.path)!r})"

    def __enter__(self) -> SqliteOutbox:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every connection this store opened (in any thread)."""
        with self._all_lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path,
                timeout=self._busy_timeout,
                isolation_level=None,
                check_same_thread=False,
            )
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[OutboxTransaction]:
        """An immediate transaction, committed on success and rolled back on any exception."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield OutboxTransaction(conn, self._clock)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def enqueue(self, job: NewJob, *, not_before: float | None = None) -> Job:
        with self.transaction() as tx:
            return tx.enqueue(job, not_before=not_before)

    def lease(
        self,
        owner: str,
        *,
        limit: int,
        lease_seconds: float,
        kinds: Collection[str] | None = None,
    ) -> list[Job]:
        if limit < 1 or lease_seconds <= 0:
            raise ValueError("limit and lease_seconds must be positive")
        if kinds is not None and not kinds:
            return []
        now = self._clock()
        where = _DUE
        args: list[Any] = [now, now]
        if kinds is not None:
            where += f" AND kind IN ({', '.join('?' * len(kinds))})"
            args.extend(kinds)
        with self.transaction() as tx:
            ids = [
                row[0]
                for row in tx.connection.execute(
                    f"SELECT id FROM outbox_jobs WHERE {where}"  # noqa: S608
                    " ORDER BY next_attempt_at, id LIMIT ?",
                    (*args, limit),
                )
            ]
            if not ids:
                return []
            marks = ", ".join("?" * len(ids))
            tx.connection.execute(
                "UPDATE outbox_jobs SET state = 'leased', lease_owner = ?, lease_until = ?,"  # noqa: S608
                f" attempts = attempts + 1 WHERE id IN ({marks})",
                (owner, now + lease_seconds, *ids),
            )
            rows = tx.connection.execute(
                _SELECT + f" WHERE id IN ({marks}) ORDER BY id", ids
            ).fetchall()
        return [_job(row) for row in rows]

    def complete(self, job_id: int, owner: str, outcome: JobResult) -> bool:
        with self.transaction() as tx:
            updated = tx.connection.execute(
                "UPDATE outbox_jobs SET state = 'done', result = ?, lease_owner = NULL,"
                " lease_until = NULL, outcome_unknown = 0, finished_at = ?"
                " WHERE id = ? AND state = 'leased' AND lease_owner = ?",
                (dump_payload(outcome.result, field_name="result"), self._clock(), job_id, owner),
            ).rowcount
            if not updated:
                return False
            for follow_up in outcome.follow_ups:
                tx.enqueue(follow_up)
        return True

    def fail(
        self,
        job_id: int,
        owner: str,
        *,
        error: str,
        retry_at: float | None,
        outcome_unknown: bool = False,
    ) -> bool:
        state = JobState.DEAD if retry_at is None else JobState.PENDING
        with self.transaction() as tx:
            updated = tx.connection.execute(
                "UPDATE outbox_jobs SET state = ?, last_error = ?, outcome_unknown = ?,"
                " next_attempt_at = COALESCE(?, next_attempt_at), lease_owner = NULL,"
                " lease_until = NULL, finished_at = CASE WHEN ? THEN ? END"
                " WHERE id = ? AND state = 'leased' AND lease_owner = ?",
                (
                    state,
                    error,
                    int(outcome_unknown),
                    retry_at,
                    state is JobState.DEAD,
                    self._clock(),
                    job_id,
                    owner,
                ),
            ).rowcount
        return bool(updated)

    def get(self, key: str) -> Job | None:
        row = self._conn().execute(_SELECT + " WHERE key = ?", (key,)).fetchone()
        return None if row is None else _job(row)

    def jobs(self, state: JobState | None = None, *, limit: int = 100) -> list[Job]:
        sql = _SELECT
        args: tuple[Any, ...] = ()
        if state is not None:
            sql += " WHERE state = ?"
            args = (state,)
        rows = self._conn().execute(sql + " ORDER BY id LIMIT ?", (*args, limit)).fetchall()
        return [_job(row) for row in rows]

    def counts(self) -> dict[JobState, int]:
        found = dict(self._conn().execute("SELECT state, COUNT(*) FROM outbox_jobs GROUP BY state"))
        return {state: int(found.get(state.value, 0)) for state in JobState}

    def revive(self, key: str) -> Job:
        now = self._clock()
        with self.transaction() as tx:
            updated = tx.connection.execute(
                "UPDATE outbox_jobs SET state = 'pending', next_attempt_at = ?, retry_since = ?,"
                " finished_at = NULL WHERE key = ? AND state = 'dead'",
                (now, now, key),
            ).rowcount
        job = self.get(key)
        if not updated or job is None:
            raise ValidationError(f"no dead job with key {key!r}", field="key")
        return job
