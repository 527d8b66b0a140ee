"""The outbox in the portal's PostgreSQL database: shared by every app server and worker.

A portal enqueues in its own transaction, on its own connection, so the business write
and the job it causes are committed together or not at all:

    with conn.transaction():                       # psycopg 3
        conn.execute("UPDATE dossiers SET paid = true WHERE code = %s", (code,))
        outbox.enqueue(NewJob("issue_receipt", f"{code}:receipt"), connection=conn)

`joined(conn)` gives the same as an object with `enqueue` (what `Flow.start` takes).
Django's connection and SQLAlchemy's work as well: see docs/deployment.md.

Guarantees, as `SqliteOutbox`'s: a key is unique for ever (``ON CONFLICT DO NOTHING``);
workers lease with ``FOR UPDATE SKIP LOCKED``, so several never take one job; start,
completion, failure and parking are fenced to the lease holder; a lease that lapses
during an attempt brings the job back marked outcome-unknown. Every time is the
database's clock (hosts' clocks differ); times a caller passes (`not_before`,
`retry_at`) are read against this host's clock as delays from now. Tables are created on
first use, in a schema of their own (default ``connectors``).

A lost connection (server restart, failover, `pg_terminate_backend`) raises psycopg's
`OperationalError` from the call in progress; the next call opens a new connection. The
worker logs such errors, backs off and carries on. Needs the `postgres` extra.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from typing import Any

from connectors.core.errors import ConfigError, ValidationError
from connectors.core.postgres import PgStore, schema_has, text_for_postgres
from connectors.delivery.jobs import (
    Job,
    JobResult,
    JobState,
    NewJob,
    dump_payload,
    job_from_row,
)
from connectors.delivery.postgres_queries import OutboxQueries
from connectors.delivery.postgres_schema import COMPONENT, DDL, TABLE, VERSION
from connectors.delivery.store import Failure, OutboxChecks, Resolution, no_job_to_resolve

__all__ = ["PostgresOutbox", "PostgresTransaction"]


def _autocommitting(connection: Any) -> bool:
    """True if a statement on `connection` would be committed at once (no transaction).

    Knows psycopg 3 and 2 connections, Django's connection wrapper and SQLAlchemy's pooled
    DB-API connection; anything else is trusted to be in a transaction.
    """
    target = getattr(connection, "driver_connection", None) or connection
    if hasattr(target, "in_atomic_block") and callable(getattr(target, "get_autocommit", None)):
        return bool(target.get_autocommit())  # Django: autocommit outside atomic()
    if not getattr(target, "autocommit", False):
        return False  # the driver opens a transaction that its owner commits
    status = getattr(getattr(target, "info", None), "transaction_status", None)  # psycopg 3
    if status is None and callable(getattr(target, "get_transaction_status", None)):
        status = target.get_transaction_status()  # psycopg 2
    return status is not None and int(status) == 0  # idle: no transaction open


class PostgresTransaction:
    """Enqueueing on one open connection and transaction, which its owner commits.

    `connection` is a psycopg connection (3, or 2), Django's `django.db.connection` or
    SQLAlchemy's DB-API connection, to the outbox's database. Nothing here commits or
    rolls back: a rollback of the caller's transaction leaves no job.
    """

    def __init__(self, store: PostgresOutbox, connection: Any) -> None:
        self.store = store
        self.connection = connection

    def __repr__(self) -> str:
        return f"PostgresTransaction({self.store!r})"

    def enqueue(self, job: NewJob, *, not_before: float | None = None) -> Job:
        """Store `job` unless its key is already stored; return the stored job.

        The first write of a key wins; a different `kind` under an existing key raises
        ValidationError (and leaves the caller's transaction usable). A job another open
        transaction is enqueueing under the same key waits for that transaction.
        ValidationError, before anything is sent, if `connection` is in autocommit mode
        outside a transaction (the job would be committed alone).
        """
        if _autocommitting(self.connection):
            raise ValidationError(
                "this connection is not in a transaction: the job would be committed on its "
                "own; enqueue inside the portal's transaction (psycopg: conn.transaction(), "
                "Django: transaction.atomic(), SQLAlchemy: session.begin())",
                field="connection",
            )
        self.store.ready()
        params = self.store.enqueue_params(job, not_before)
        cursor = self.connection.cursor()
        try:
            cursor.execute(self.store.queries.enqueue, params)
            row = cursor.fetchone()
            if row is None:
                cursor.execute(self.store.queries.job_by_key, {"key": job.key})
                row = cursor.fetchone()
        finally:
            cursor.close()
        if row is None:  # pragma: no cover - deleted between the two statements
            raise RuntimeError(f"job {job.key!r} vanished while being enqueued")
        stored = job_from_row(row)
        if stored.kind != job.kind:
            raise ValidationError(
                f"job key {job.key!r} is already used by a {stored.kind!r} job", field="key"
            )
        return stored


class PostgresOutbox(OutboxChecks, PgStore):
    """The `OutboxStore` in a PostgreSQL database (schema `schema`, table ``outbox_jobs``).

    `dsn` is a libpq connection string (``postgresql://user@host/db`` or key=value pairs;
    keep the password in ``PGPASSWORD`` or ``~/.pgpass``, never in code). Each thread gets
    its own connection. With `create=False` the outbox must already exist (what the CLI
    uses): ConfigError and nothing created otherwise. `clock` is for tests only: by
    default every time comes from the database. `application_name` (default
    ``connectors-outbox``) shows in ``pg_stat_activity``.
    """

    _component = COMPONENT
    _table_name = TABLE
    _version = VERSION
    _ddl = DDL
    _application_name = "connectors-outbox"

    def __init__(
        self,
        dsn: str,
        *,
        schema: str = "connectors",
        create: bool = True,
        clock: Callable[[], float] | None = None,
        application_name: str | None = None,
        connect_timeout: int = 10,
        statement_timeout: float = 30.0,
    ) -> None:
        super().__init__(
            dsn,
            schema=schema,
            application_name=application_name,
            connect_timeout=connect_timeout,
            statement_timeout=statement_timeout,
        )
        self.queries = OutboxQueries(self.schema)
        self._test_clock = clock
        if not create:
            if not schema_has(self._connections, self.schema, TABLE):
                self._connections.close()
                raise ConfigError(
                    f"no outbox in schema {self.schema} at {self._connections.masked}",
                    field="dsn",
                )
            self._tables.found()

    # -- plumbing ------------------------------------------------------------------------

    def clock(self) -> float:
        """This host's time (or the test clock): what `not_before` and `retry_at` are read
        against. Stored times are the database's."""
        return self._test_clock() if self._test_clock is not None else time.time()

    def _now(self) -> float | None:
        """The time to bind as ``%(now)s``: None (the database's clock) unless testing."""
        return self._test_clock() if self._test_clock is not None else None

    def ready(self) -> None:
        """Create the outbox's schema and tables if they are missing (once per store)."""
        self._tables.ensure()

    def enqueue_params(self, job: NewJob, not_before: float | None) -> dict[str, Any]:
        """The bound values of an enqueue of `job`, due at `not_before` (this host's time)."""
        delay = 0.0 if not_before is None else not_before - self.clock()
        return {
            "kind": job.kind,
            "key": job.key,
            "payload": dump_payload(job.payload),
            "delay": delay,
            "now": self._now(),
        }

    # -- enqueue -------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[PostgresTransaction]:
        """A transaction on this store's own connection, committed on success.

        For enqueueing several jobs at once; a portal records its own writes in its own
        transaction and enqueues there (`joined`, or `enqueue(..., connection=...)`).
        """
        with self._transaction() as conn:
            yield PostgresTransaction(self, conn)

    def joined(self, connection: Any) -> PostgresTransaction:
        """Enqueue on the caller's open `connection` and transaction (see the class)."""
        return PostgresTransaction(self, connection)

    def enqueue(
        self, job: NewJob, *, not_before: float | None = None, connection: Any = None
    ) -> Job:
        """Store `job` (or return the one stored under its key).

        With `connection`, in the caller's open transaction, which commits it (or rolls
        it back: then no job); without, in a transaction of its own, committed here.
        """
        if connection is not None:
            return self.joined(connection).enqueue(job, not_before=not_before)
        with self.transaction() as tx:
            return tx.enqueue(job, not_before=not_before)

    # -- the worker's side ---------------------------------------------------------------

    def _lease(
        self, owner: str, limit: int, lease_seconds: float, kinds: Collection[str] | None
    ) -> list[Job]:
        # One statement, atomic on its own (a transaction of its own in autocommit).
        with self._using() as conn:
            if kinds is None:
                wanted = [row[0] for row in conn.execute(self.queries.kinds)]
            else:
                wanted = sorted(set(kinds))
            if not wanted:
                return []
            rows = conn.execute(
                self.queries.lease,
                {
                    "kinds": wanted,
                    "limit": limit,
                    "owner": text_for_postgres(owner),
                    "seconds": float(lease_seconds),
                    "now": self._now(),
                },
            ).fetchall()
        rows.sort(key=lambda row: (row[0], row[1], row[2]))
        return [job_from_row(row[2:]) for row in rows]

    def _start(self, job_id: int, owner: str, lease_seconds: float) -> Job | None:
        values = {
            "id": job_id,
            "owner": text_for_postgres(owner),
            "seconds": float(lease_seconds),
            "now": self._now(),
        }
        with self._using() as conn:
            row = conn.execute(self.queries.start, values).fetchone()
        return None if row is None else job_from_row(row)

    def complete(self, job_id: int, owner: str, outcome: JobResult) -> bool:
        result = dump_payload(outcome.result, field_name="result")
        values = {
            "id": job_id,
            "owner": text_for_postgres(owner),
            "result": result,
            "now": self._now(),
        }
        if not outcome.follow_ups:  # one statement: no explicit transaction to pay for
            with self._using() as conn:
                return bool(conn.execute(self.queries.mark_done, values).rowcount)
        with self.transaction() as tx:
            if not tx.connection.execute(self.queries.mark_done, values).rowcount:
                return False
            for follow_up in outcome.follow_ups:
                tx.enqueue(follow_up)
        return True

    def _fail(self, job_id: int, owner: str, failure: Failure) -> bool:
        values = {
            "id": job_id,
            "owner": text_for_postgres(owner),
            "state": failure.state.value,
            "error": text_for_postgres(failure.error),
            "unknown": bool(failure.outcome_unknown),
            "delay": None if failure.retry_at is None else failure.retry_at - self.clock(),
            "now": self._now(),
        }
        with self._using() as conn:
            return bool(conn.execute(self.queries.mark_failed, values).rowcount)

    def park(self, job_id: int, owner: str, *, error: str) -> bool:
        values = {
            "id": job_id,
            "owner": text_for_postgres(owner),
            "error": text_for_postgres(error),
        }
        with self._using() as conn:
            return bool(conn.execute(self.queries.park, values).rowcount)

    # -- staff's side --------------------------------------------------------------------

    def _resolve(self, key: str, decision: Resolution) -> Job:
        with self._transaction() as conn:
            found = conn.execute(
                self.queries.resolutions, {"key": key, "now": self._now()}
            ).fetchone()
            if found is None:
                raise no_job_to_resolve(key)
            history, at = found
            row = conn.execute(
                self.queries.resolve,
                {
                    "key": key,
                    "history": decision.history(history, at),
                    "result": decision.result,
                    "done": decision.done,
                    "now": self._now(),
                },
            ).fetchone()
        return job_from_row(row)

    def revive(self, key: str) -> Job:
        with self._using() as conn:
            row = conn.execute(self.queries.revive, {"key": key, "now": self._now()}).fetchone()
        if row is None:
            raise ValidationError(f"no dead job with key {key!r}", field="key")
        return job_from_row(row)

    def get(self, key: str) -> Job | None:
        with self._using() as conn:
            row = conn.execute(self.queries.job_by_key, {"key": key}).fetchone()
        return None if row is None else job_from_row(row)

    def jobs(self, state: JobState | None = None, *, limit: int = 100) -> list[Job]:
        with self._using() as conn:
            if state is None:
                rows = conn.execute(self.queries.jobs, {"limit": limit}).fetchall()
            else:
                values = {"state": JobState(state).value, "limit": limit}
                rows = conn.execute(self.queries.jobs_in_state, values).fetchall()
        return [job_from_row(row) for row in rows]

    def counts(self) -> dict[JobState, int]:
        with self._using() as conn:
            found = dict(conn.execute(self.queries.counts).fetchall())
        return {state: int(found.get(state.value, 0)) for state in JobState}
