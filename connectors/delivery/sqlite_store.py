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
import json
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from connectors.core.errors import ValidationError
from connectors.delivery.jobs import (
    Job,
    JobResult,
    JobState,
    NewJob,
    Resolution,
    ResolveAction,
    check_reason,
    dump_payload,
)
from connectors.delivery.sqlite_schema import SELECT_JOB, check_existing_outbox, upgrade

__all__ = ["OutboxTransaction", "SqliteOutbox"]

# Every query below is built from constants and "?" placeholders only; values are always
# bound, never interpolated (hence the S608 waivers).
# INDEXED BY: whatever the statistics say (or lack), these walk the partial indexes.
_EXPIRED = (
    "SELECT id, 0, lease_until FROM outbox_jobs INDEXED BY outbox_jobs_leased"
    " WHERE state = 'leased' AND kind = ? AND lease_until <= ? ORDER BY lease_until LIMIT ?"
)
_PENDING = (
    "SELECT id, 1, next_attempt_at FROM outbox_jobs INDEXED BY outbox_jobs_pending"
    " WHERE state = 'pending' AND kind = ? AND next_attempt_at <= ?"
    " ORDER BY next_attempt_at LIMIT ?"
)
# The next kind after "?" with a job in that state (the state is a literal so that the
# partial index applies).
_NEXT_KIND = tuple(
    f"SELECT kind FROM outbox_jobs INDEXED BY outbox_jobs_{state}"  # noqa: S608
    f" WHERE state = '{state}' AND kind > ? ORDER BY kind LIMIT 1"
    for state in ("pending", "leased")
)
_KINDS_PER_QUERY = 50
# Taking a job whose attempt had started (its worker died or stalled past its lease):
# that attempt may have reached the vendor, so the job is marked for a lookup first.
_TAKE = (
    "UPDATE outbox_jobs SET state = 'leased', lease_owner = ?, lease_until = ?,"
    " outcome_unknown = CASE WHEN started_at IS NULL THEN outcome_unknown ELSE 1 END,"
    " last_error = CASE WHEN started_at IS NULL THEN last_error"
    " ELSE 'the lease of ' || lease_owner || ' ran out during an attempt:"
    " the effect may exist' END,"
    " started_at = NULL WHERE id = ?"
)
_FENCE = "WHERE id = ? AND state = 'leased' AND lease_owner = ?"


def _job(row: tuple[Any, ...]) -> Job:
    resolutions = tuple(
        Resolution(ResolveAction(item["action"]), item["reason"], item["by"], item["at"])
        for item in json.loads(row[15] or "[]")
    )
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
        started_at=row[14],
        resolutions=resolutions,
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
        row = self.connection.execute(SELECT_JOB + " WHERE key = ?", (job.key,)).fetchone()
        stored = _job(row)
        if stored.kind != job.kind:
            raise ValidationError(
                f"job key {job.key!r} is already used by a {stored.kind!r} job", field="key"
            )
        return stored


class SqliteOutbox:
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
        conn.execute("PRAGMA journal_mode=WAL").fetchall()
        upgrade(conn)

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
            target: str | Path = self.path
            if not self._create:  # never make a new file where the outbox should be
                target = f"{self.path.resolve().as_uri()}?mode=rw"
            conn = sqlite3.connect(
                target,
                timeout=self._busy_timeout,
                isolation_level=None,
                check_same_thread=False,
                uri=not self._create,
            )
            conn.execute("PRAGMA synchronous=NORMAL")
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
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield OutboxTransaction(conn, self._clock)
            conn.execute("COMMIT")
        except BaseException:
            try:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            except sqlite3.Error:
                self._discard(conn)
            else:
                if conn.in_transaction:
                    self._discard(conn)
            raise

    def enqueue(self, job: NewJob, *, not_before: float | None = None) -> Job:
        with self.transaction() as tx:
            return tx.enqueue(job, not_before=not_before)

    def _kinds(self, conn: sqlite3.Connection) -> list[str]:
        """Every kind with a pending or leased job, found by skipping through the indexes."""
        found: set[str] = set()
        for query in _NEXT_KIND:
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
                for query in (_EXPIRED, _PENDING):
                    parts.append(f"SELECT * FROM ({query})")  # noqa: S608
                    args.extend((kind, now, limit))
            for job_id, rank, due in conn.execute(" UNION ALL ".join(parts), args):
                candidates.append((rank, due, job_id))
        return [job_id for _, _, job_id in heapq.nsmallest(limit, candidates)]

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
        with self.transaction() as tx:
            conn = tx.connection
            wanted = sorted(set(kinds)) if kinds is not None else self._kinds(conn)
            ids = self._due(conn, wanted, now, limit)
            for job_id in ids:
                conn.execute(_TAKE, (owner, now + lease_seconds, job_id))
            rows = [conn.execute(SELECT_JOB + " WHERE id = ?", (i,)).fetchone() for i in ids]
        return [_job(row) for row in rows]

    def start(self, job_id: int, owner: str, *, lease_seconds: float) -> Job | None:
        if lease_seconds <= 0:
            raise ValueError("lease_seconds must be positive")
        now = self._clock()
        with self.transaction() as tx:
            updated = tx.connection.execute(
                "UPDATE outbox_jobs SET lease_until = ?, started_at = ?,"  # noqa: S608
                f" attempts = attempts + 1 {_FENCE}",
                (now + lease_seconds, now, job_id, owner),
            ).rowcount
            if not updated:
                return None
            row = tx.connection.execute(SELECT_JOB + " WHERE id = ?", (job_id,)).fetchone()
        return _job(row)

    def complete(self, job_id: int, owner: str, outcome: JobResult) -> bool:
        with self.transaction() as tx:
            updated = tx.connection.execute(
                "UPDATE outbox_jobs SET state = 'done', result = ?, lease_owner = NULL,"  # noqa: S608
                " lease_until = NULL, started_at = NULL, outcome_unknown = 0,"
                f" finished_at = ? {_FENCE}",
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
                "UPDATE outbox_jobs SET state = ?, last_error = ?, outcome_unknown = ?,"  # noqa: S608
                " next_attempt_at = COALESCE(?, next_attempt_at), lease_owner = NULL,"
                " lease_until = NULL, started_at = NULL,"
                f" finished_at = CASE WHEN ? THEN ? END {_FENCE}",
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

    def park(self, job_id: int, owner: str, *, error: str) -> bool:
        with self.transaction() as tx:
            updated = tx.connection.execute(
                "UPDATE outbox_jobs SET state = 'unknown', last_error = ?, outcome_unknown = 1,"  # noqa: S608
                f" lease_owner = NULL, lease_until = NULL, started_at = NULL {_FENCE}",
                (error, job_id, owner),
            ).rowcount
        return bool(updated)

    def resolve(
        self,
        key: str,
        action: ResolveAction,
        *,
        reason: str,
        by: str,
        result: Mapping[str, Any] | None = None,
    ) -> Job:
        action = ResolveAction(action)
        decision = {
            "action": action.value,
            "reason": check_reason(reason),
            "by": check_reason(by, field_name="by"),
            "at": self._clock(),
        }
        if action is ResolveAction.RETRY and result is not None:
            raise ValidationError("a result goes with 'done', not 'retry'", field="result")
        stored = dump_payload(result or {}, field_name="result")
        with self.transaction() as tx:
            row = tx.connection.execute(
                "SELECT resolutions FROM outbox_jobs"
                " WHERE key = ? AND state IN ('unknown', 'dead')",
                (key,),
            ).fetchone()
            if row is None:
                raise ValidationError(f"no unknown or dead job with key {key!r}", field="key")
            history = [*json.loads(row[0] or "[]"), decision]
            tx.connection.execute(
                "UPDATE outbox_jobs SET state = 'pending', next_attempt_at = ?, retry_since = ?,"
                " finished_at = NULL, resolutions = ?,"
                " result = CASE WHEN ? THEN ? ELSE result END,"
                " outcome_unknown = CASE WHEN ? THEN 0 ELSE outcome_unknown END"
                " WHERE key = ?",
                (
                    decision["at"],
                    decision["at"],
                    json.dumps(history, ensure_ascii=False),
                    action is ResolveAction.DONE,
                    stored,
                    action is ResolveAction.RETRY,
                    key,
                ),
            )
            row = tx.connection.execute(SELECT_JOB + " WHERE key = ?", (key,)).fetchone()
        return _job(row)

    def get(self, key: str) -> Job | None:
        row = self._conn().execute(SELECT_JOB + " WHERE key = ?", (key,)).fetchone()
        return None if row is None else _job(row)

    def jobs(self, state: JobState | None = None, *, limit: int = 100) -> list[Job]:
        sql = SELECT_JOB
        args: tuple[Any, ...] = ()
        if state is not None:
            sql += " WHERE state = ?"
            args = (JobState(state).value,)
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
