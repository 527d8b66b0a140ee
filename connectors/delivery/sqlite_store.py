"""The embedded outbox: one SQLite file in WAL mode, safe across threads and processes.

A portal records its business event and the job that must follow it in one transaction:

    with outbox.transaction() as tx:
        tx.connection.execute("UPDATE dossiers SET paid = 1 WHERE code = ?", (code,))
        tx.enqueue(NewJob("issue_receipt", f"{code}:receipt", {"dossier": code}))

Either both are stored or neither is. Each thread gets its own connection; writes take
SQLite's write lock up front (`BEGIN IMMEDIATE`), so two workers never lease one job. A
connection left unusable by a failed commit or rollback (disk full, I/O error) is closed
and replaced on next use.
"""

from __future__ import annotations

import heapq
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from connectors.core.closing import Closeable
from connectors.core.errors import ValidationError
from connectors.core.sqlite import connect
from connectors.delivery.jobs import (
    Job,
    JobResult,
    JobState,
    NewJob,
    dump_payload,
    job_from_row,
)
from connectors.delivery.sqlite_queries import (
    BEGIN,
    COMMIT,
    COUNTS,
    DUE_EXPIRED,
    DUE_PENDING,
    ENQUEUE,
    JOB_BY_ID,
    JOB_BY_KEY,
    JOBS,
    JOBS_IN_STATE,
    JOURNAL_MODE,
    MARK_DONE,
    MARK_FAILED,
    NEXT_KIND,
    PARK,
    RESOLUTIONS,
    RESOLVE,
    REVIVE,
    ROLLBACK,
    START,
    SYNCHRONOUS,
    TAKE,
    UNION_ALL,
)
from connectors.delivery.sqlite_schema import check_existing_outbox, upgrade
from connectors.delivery.store import Failure, OutboxChecks, Resolution, no_job_to_resolve

__all__ = ["OutboxTransaction", "SqliteOutbox"]

_KINDS_PER_QUERY = 50


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
        due = now if not_before is None else not_before
        self.connection.execute(
            ENQUEUE, (job.kind, job.key, dump_payload(job.payload), now, now, due)
        )
        row = self.connection.execute(JOB_BY_KEY, (job.key,)).fetchone()
        stored = job_from_row(row)
        if stored.kind != job.kind:
            raise ValidationError(
                f"job key {job.key!r} is already used by a {stored.kind!r} job", field="key"
            )
        return stored


class SqliteOutbox(OutboxChecks, Closeable):
    """The `OutboxStore` in an SQLite file (WAL). Pass `clock` to control time in tests.

    With `create=False` the file must already hold an outbox: a missing path, a directory,
    an empty file or another kind of file raises ConfigError and nothing is created (what
    the CLI uses). A file made by an earlier version is upgraded in place.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        clock: Callable[[], float] = time.time,
        busy_timeout: float = 30.0,
        create: bool = True,
    ) -> None:
        if str(path) == ":memory:":
            raise ValidationError(
                "the outbox must be a file: an in-memory database is lost with the process",
                field="path",
            )
        self.path = Path(path)
        if not create:
            check_existing_outbox(self.path)
        self._create = create
        self._clock = clock
        self._busy_timeout = busy_timeout
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        conn = self._conn()
        conn.execute(JOURNAL_MODE).fetchall()
        upgrade(conn)

    def __repr__(self) -> str:
        return f"SqliteOutbox({str(self.path)!r})"

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
            # With create=False, mode=rw never makes a new file where the outbox should be.
            mode = "rwc" if self._create else "rw"
            conn = connect(
                f"{self.path.resolve().as_uri()}?mode={mode}",
                timeout=self._busy_timeout,
                uri=True,
                pragmas=[SYNCHRONOUS],
            )
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    def _discard(self, conn: sqlite3.Connection) -> None:
        """Forget a connection a failure left unusable; the next use opens a new one."""
        with self._all_lock:
            if conn in self._all:
                self._all.remove(conn)
        if getattr(self._local, "conn", None) is conn:
            self._local.conn = None
        with suppress(sqlite3.Error):
            conn.close()

    @contextmanager
    def transaction(self) -> Iterator[OutboxTransaction]:
        """An immediate transaction, committed on success and rolled back on any exception.

        If the commit itself fails (disk full, I/O error), nothing of it is kept and the
        error propagates; the store stays usable.
        """
        conn = self._conn()
        conn.execute(BEGIN)
        try:
            yield OutboxTransaction(conn, self._clock)
            conn.execute(COMMIT)
        except BaseException:
            try:
                if conn.in_transaction:
                    conn.execute(ROLLBACK)
            except sqlite3.Error:
                self._discard(conn)
            else:
                if conn.in_transaction:
                    self._discard(conn)
            raise

    def joined(self, connection: sqlite3.Connection) -> OutboxTransaction:
        """Enqueue on the caller's open `connection` and transaction, which its owner
        commits or rolls back (a rollback leaves no job).

        `connection` is an `sqlite3.Connection` to this outbox's file: a portal whose own
        tables are in that file, e.g. Django's `connection.connection` inside
        `transaction.atomic()`, so the business write and its jobs are one transaction.
        """
        return OutboxTransaction(connection, self._clock)

    def enqueue(self, job: NewJob, *, not_before: float | None = None) -> Job:
        with self.transaction() as tx:
            return tx.enqueue(job, not_before=not_before)

    def _kinds(self, conn: sqlite3.Connection) -> list[str]:
        """Every kind with a pending or leased job, found by skipping through the indexes."""
        found: set[str] = set()
        for query in NEXT_KIND:
            last = ""
            while row := conn.execute(query, (last,)).fetchone():
                last = row[0]
                found.add(last)
        return sorted(found)

    def _due(self, conn: sqlite3.Connection, kinds: list[str], now: float, limit: int) -> list[int]:
        """Ids of the first `limit` due jobs: expired leases first, then pending, by time."""
        candidates: list[tuple[int, float, int]] = []
        for start in range(0, len(kinds), _KINDS_PER_QUERY):
            chunk = kinds[start : start + _KINDS_PER_QUERY]
            parts: list[str] = []
            args: list[Any] = []
            for kind in chunk:
                for query in (DUE_EXPIRED, DUE_PENDING):
                    parts.append(f"SELECT * FROM ({query})")  # noqa: S608
                    args.extend((kind, now, limit))
            for job_id, rank, due in conn.execute(UNION_ALL.join(parts), args):
                candidates.append((rank, due, job_id))
        return [job_id for _, _, job_id in heapq.nsmallest(limit, candidates)]

    def _lease(
        self, owner: str, limit: int, lease_seconds: float, kinds: Collection[str] | None
    ) -> list[Job]:
        now = self._clock()
        with self.transaction() as tx:
            conn = tx.connection
            wanted = sorted(set(kinds)) if kinds is not None else self._kinds(conn)
            ids = self._due(conn, wanted, now, limit)
            for job_id in ids:
                conn.execute(TAKE, (owner, now + lease_seconds, job_id))
            rows = [conn.execute(JOB_BY_ID, (job_id,)).fetchone() for job_id in ids]
        return [job_from_row(row) for row in rows]

    def _start(self, job_id: int, owner: str, lease_seconds: float) -> Job | None:
        now = self._clock()
        with self.transaction() as tx:
            if not tx.connection.execute(START, (now + lease_seconds, now, job_id, owner)).rowcount:
                return None
            row = tx.connection.execute(JOB_BY_ID, (job_id,)).fetchone()
        return job_from_row(row)

    def complete(self, job_id: int, owner: str, outcome: JobResult) -> bool:
        result = dump_payload(outcome.result, field_name="result")
        with self.transaction() as tx:
            marked = tx.connection.execute(MARK_DONE, (result, self._clock(), job_id, owner))
            if not marked.rowcount:
                return False
            for follow_up in outcome.follow_ups:
                tx.enqueue(follow_up)
        return True

    def _fail(self, job_id: int, owner: str, failure: Failure) -> bool:
        retry_at = failure.retry_at
        finished = self._clock() if retry_at is None else None
        unknown = int(failure.outcome_unknown)
        values = (failure.state.value, failure.error, unknown, retry_at, finished, job_id, owner)
        with self.transaction() as tx:
            return bool(tx.connection.execute(MARK_FAILED, values).rowcount)

    def park(self, job_id: int, owner: str, *, error: str) -> bool:
        with self.transaction() as tx:
            return bool(tx.connection.execute(PARK, (error, job_id, owner)).rowcount)

    def _resolve(self, key: str, decision: Resolution) -> Job:
        at = self._clock()
        with self.transaction() as tx:
            row = tx.connection.execute(RESOLUTIONS, (key,)).fetchone()
            if row is None:
                raise no_job_to_resolve(key)
            history = decision.history(row[0], at)
            values = (at, at, history, decision.result, int(decision.done), key)
            tx.connection.execute(RESOLVE, values)
            row = tx.connection.execute(JOB_BY_KEY, (key,)).fetchone()
        return job_from_row(row)

    def get(self, key: str) -> Job | None:
        row = self._conn().execute(JOB_BY_KEY, (key,)).fetchone()
        return None if row is None else job_from_row(row)

    def jobs(self, state: JobState | None = None, *, limit: int = 100) -> list[Job]:
        if state is None:
            rows = self._conn().execute(JOBS, (limit,)).fetchall()
        else:
            rows = self._conn().execute(JOBS_IN_STATE, (JobState(state).value, limit)).fetchall()
        return [job_from_row(row) for row in rows]

    def counts(self) -> dict[JobState, int]:
        found = dict(self._conn().execute(COUNTS))
        return {state: int(found.get(state.value, 0)) for state in JobState}

    def revive(self, key: str) -> Job:
        now = self._clock()
        with self.transaction() as tx:
            revived = tx.connection.execute(REVIVE, (now, now, key)).rowcount
            row = tx.connection.execute(JOB_BY_KEY, (key,)).fetchone()
        if not revived:
            raise ValidationError(f"no dead job with key {key!r}", field="key")
        return job_from_row(row)
