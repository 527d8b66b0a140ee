"""The inbound seen-store in the portal's PostgreSQL database, shared by every app server.

A `SeenStore` (connectors.core.webhooks): `seen(key)` says whether an inbound event (an IPN,
a webhook) was handled, `mark_done(key)` records it once handled and answers True only for
the one call, in any thread, process or server, that recorded it (``INSERT ... ON CONFLICT
DO NOTHING``). Mark an event only after the portal's code for it has returned (claim after
the effect, DESIGN doctrine 11): the receivers do. A gateway retrying its callback at
another app server is then answered as a duplicate there too. The table ``seen_events`` is
created on first use in the schema (default ``connectors``); `first_seen` is the database's
clock. Needs the `postgres` extra.
"""

from __future__ import annotations

import threading

from connectors.core.postgres import PgConnections, check_schema_name, ensure_schema, qualified

__all__ = ["PostgresSeenStore"]

_DDL = (
    "CREATE TABLE IF NOT EXISTS {schema}.seen_events (namespace text NOT NULL,"
    " key text NOT NULL, first_seen timestamptz NOT NULL DEFAULT now(),"
    " PRIMARY KEY (namespace, key))",
)


class PostgresSeenStore:
    """A `SeenStore` in PostgreSQL; thread-safe (a connection per thread)."""

    def __init__(
        self,
        dsn: str,
        *,
        schema: str = "connectors",
        application_name: str = "connectors-seen",
        connect_timeout: int = 10,
        statement_timeout: float = 10.0,
    ) -> None:
        self.schema = check_schema_name(schema)
        self._table = qualified(self.schema, "seen_events")
        self._connections = PgConnections(
            dsn,
            application_name=application_name,
            connect_timeout=connect_timeout,
            statement_timeout=statement_timeout,
        )
        self._ready = False
        self._ready_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"PostgresSeenStore({self._connections.masked!r}, schema={self.schema!r})"

    def __enter__(self) -> PostgresSeenStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every connection this store opened."""
        self._connections.close()

    def _ensure(self) -> None:
        if not self._ready:
            with self._ready_lock:
                if not self._ready:
                    ensure_schema(self._connections, self.schema, "seen", 1, _DDL)
                    self._ready = True

    def seen(self, key: str, *, namespace: str = "default") -> bool:
        """Whether `key` is recorded as done."""
        self._ensure()
        with self._connections.using() as conn:
            row = conn.execute(
                f"SELECT 1 FROM {self._table} WHERE namespace = %s AND key = %s",  # noqa: S608
                (namespace, key),
            ).fetchone()
        return row is not None

    def mark_done(self, key: str, *, namespace: str = "default") -> bool:
        """Record `key` as done (committed); True if no thread, process or server had."""
        self._ensure()
        with self._connections.using() as conn:
            cursor = conn.execute(
                f"INSERT INTO {self._table} (namespace, key) VALUES (%s, %s)"  # noqa: S608
                " ON CONFLICT (namespace, key) DO NOTHING",
                (namespace, key),
            )
            return cursor.rowcount == 1

    def discard(self, key: str, *, namespace: str = "default") -> None:
        """Forget `key` (staff reprocessing an event); no error if it was not recorded."""
        self._ensure()
        with self._connections.using() as conn:
            conn.execute(
                f"DELETE FROM {self._table} WHERE namespace = %s AND key = %s",  # noqa: S608
                (namespace, key),
            )

    def purge(self, before: float) -> int:
        """Forget every key marked done before `before` (Unix seconds); return how many."""
        self._ensure()
        with self._connections.using() as conn:
            cursor = conn.execute(
                f"DELETE FROM {self._table} WHERE first_seen < to_timestamp(%s)",  # noqa: S608
                (before,),
            )
            return cursor.rowcount
