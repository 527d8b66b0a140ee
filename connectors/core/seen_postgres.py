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

from connectors.core.postgres import PgStore

__all__ = ["PostgresSeenStore"]

_DDL = (
    "CREATE TABLE IF NOT EXISTS {schema}.seen_events (namespace text NOT NULL,"
    " key text NOT NULL, first_seen timestamptz NOT NULL DEFAULT now(),"
    " PRIMARY KEY (namespace, key))",
)


class PostgresSeenStore(PgStore):
    """A `SeenStore` in PostgreSQL; thread-safe (a connection per thread).

    `dsn` names the database; `schema` holds the table; `application_name` (default
    ``connectors-seen``), `connect_timeout` (s) and `statement_timeout` (s) tune each
    connection.
    """

    _component = "seen"
    _table_name = "seen_events"
    _ddl = _DDL
    _application_name = "connectors-seen"

    def seen(self, key: str, *, namespace: str = "default") -> bool:
        """Whether `key` is recorded as done."""
        with self._using() as conn:
            row = conn.execute(
                f"SELECT 1 FROM {self._table} WHERE namespace = %s AND key = %s",  # noqa: S608
                (namespace, key),
            ).fetchone()
        return row is not None

    def mark_done(self, key: str, *, namespace: str = "default") -> bool:
        """Record `key` as done (committed); True if no thread, process or server had."""
        with self._using() as conn:
            cursor = conn.execute(
                f"INSERT INTO {self._table} (namespace, key) VALUES (%s, %s)"  # noqa: S608
                " ON CONFLICT (namespace, key) DO NOTHING",
                (namespace, key),
            )
            return bool(cursor.rowcount == 1)

    def discard(self, key: str, *, namespace: str = "default") -> None:
        """Forget `key` (staff reprocessing an event); no error if it was not recorded."""
        with self._using() as conn:
            conn.execute(
                f"DELETE FROM {self._table} WHERE namespace = %s AND key = %s",  # noqa: S608
                (namespace, key),
            )

    def purge(self, before: float) -> int:
        """Forget every key marked done before `before` (Unix seconds); return how many."""
        with self._using() as conn:
            cursor = conn.execute(
                f"DELETE FROM {self._table} WHERE first_seen < to_timestamp(%s)",  # noqa: S608
                (before,),
            )
            return int(cursor.rowcount)
