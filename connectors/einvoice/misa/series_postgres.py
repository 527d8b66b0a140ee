"""MISA's one-writer-per-series rule across processes: a PostgreSQL advisory lock per series.

`PostgresSeriesLocks` is a `SeriesLock` for `MisaInvoice(series_locks=...)` when several
app servers or workers issue on one series. Holding a series is a transaction holding
``pg_advisory_xact_lock`` on a key derived from the series name, so the lock ends with the
transaction: released on exit, and by the server if the holder's process dies or its
connection drops. Threads of one process first queue on an in-process lock, so a waiting
thread holds no connection. With `spacing`, the time of the last write on each series is
kept in the table ``misa_series`` (created on first use) and read against the database's
clock, so the spacing holds across servers whose clocks differ.

A holder stalled inside its `with` block for longer than `hold_timeout` seconds loses the
lock (the server ends its idle transaction); the block still runs to its end. If the lock
cannot be taken (the database is down) the write is not attempted: `ConnectionFailed`
with ``sent=False``, so the outbox retries it later. Needs the `postgres` extra.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from connectors.core.errors import ConnectionFailed
from connectors.core.postgres import PgStore, advisory_key, load_psycopg
from connectors.einvoice.misa.series import SeriesLocks

__all__ = ["PostgresSeriesLocks", "series_lock_key"]

log = logging.getLogger("connectors.einvoice.misa")

_DDL = (
    "CREATE TABLE IF NOT EXISTS {schema}.misa_series (series text PRIMARY KEY,"
    " released_at timestamptz NOT NULL)",
)


def series_lock_key(series: str) -> int:
    """The advisory lock key of `series` (the same in every process and server)."""
    return advisory_key(f"connectors:misa-series:{series}")


class PostgresSeriesLocks(PgStore):
    """A lock per MISA series held in PostgreSQL, shared by every process on the database."""

    _component = "misa_series"
    _table_name = "misa_series"
    _ddl = _DDL
    _application_name = "connectors-misa-series"

    def __init__(
        self,
        dsn: str,
        *,
        spacing: float = 0.0,
        schema: str = "connectors",
        hold_timeout: float = 300.0,
        application_name: str | None = None,
        connect_timeout: int = 10,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if spacing < 0:
            raise ValueError("spacing must not be negative")
        if hold_timeout <= 0:
            raise ValueError("hold_timeout must be positive")
        self.spacing = spacing
        self._sleep = sleep
        self._local = SeriesLocks()
        super().__init__(
            dsn,
            schema=schema,
            application_name=application_name,
            connect_timeout=connect_timeout,
            statement_timeout=hold_timeout,
            idle_in_transaction_timeout=hold_timeout,
        )

    def __repr__(self) -> str:
        return f"PostgresSeriesLocks({self._connections.masked!r}, spacing={self.spacing!r})"

    @contextmanager
    def hold(self, series: str) -> Iterator[None]:
        """Hold `series` for the `with` block, after `spacing` since its last write."""
        with self.hold_all([series]):
            yield

    @contextmanager
    def hold_all(self, series: Iterable[str]) -> Iterator[None]:
        """Hold several series at once, taken in sorted order (no deadlock between batches)."""
        names = sorted(set(series))
        with self._local.hold_all(names):
            conn = self._begin(names)
            try:
                yield
            finally:
                self._end(conn, names)

    def _begin(self, names: list[str]) -> Any:
        """This thread's connection, in a transaction holding every series in `names`."""
        psycopg = load_psycopg()
        conn = None
        try:
            self._tables.ensure()
            conn = self._connections.connection()
            conn.execute("BEGIN")
            for name in names:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (series_lock_key(name),))
            if self.spacing > 0:
                row = conn.execute(
                    "SELECT max(%s::float8 - extract(epoch from clock_timestamp()"  # noqa: S608
                    f" - released_at)::float8) FROM {self._table} WHERE series = ANY(%s)",
                    (self.spacing, names),
                ).fetchone()
                wait = float(row[0]) if row and row[0] is not None else 0.0
                if wait > 0:
                    self._sleep(wait)
        except psycopg.Error as exc:
            if conn is not None:
                self._abandon(conn)
            raise ConnectionFailed(
                f"could not take the series lock in PostgreSQL: {_first_line(exc)}",
                provider="misa",
                operation="series_lock",
                sent=False,
            ) from None
        return conn

    def _end(self, conn: Any, names: list[str]) -> None:
        """Record the write time (with `spacing`) and commit, which releases the locks."""
        psycopg = load_psycopg()
        try:
            if self.spacing > 0:
                conn.execute(
                    f"INSERT INTO {self._table} (series, released_at)"
                    " SELECT unnest(%s::text[]), clock_timestamp() ON CONFLICT (series)"
                    " DO UPDATE SET released_at = EXCLUDED.released_at",
                    (names,),
                )
            conn.execute("COMMIT")
        except psycopg.Error as exc:
            # The write itself is done (or failed on its own): what failed is the release,
            # and a lost session has released the locks already.
            log.warning("series lock on %s: could not release cleanly: %s", names, exc)
            self._abandon(conn)

    def _abandon(self, conn: Any) -> None:
        try:
            if not conn.broken and not conn.closed:
                conn.execute("ROLLBACK")
                return
        except Exception:  # the connection is unusable: drop it
            log.debug("series lock: dropping an unusable connection")
        self._connections.discard(conn)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
