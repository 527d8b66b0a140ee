"""The SMS sent-journal in the portal's PostgreSQL database, shared by every app server.

Same contract as `SqliteJournal`: `get(key)` answers an accepted key from the journal (it
is never sent again), `put(key, result)` records an acceptance and keeps the first one
recorded for a key (``ON CONFLICT DO NOTHING``). The table ``sms_sent`` is created on
first use in the schema (default ``connectors``). Needs the `postgres` extra.
"""

from __future__ import annotations

from connectors.core.postgres import PgConnections, SchemaOnce, check_schema_name, qualified
from connectors.sms.base import SendResult
from connectors.sms.journal import JOURNAL_COLUMNS, journal_row, result_from_row

__all__ = ["PostgresJournal"]

_DDL = (
    "CREATE TABLE IF NOT EXISTS {schema}.sms_sent (key text PRIMARY KEY, provider text NOT NULL,"
    " message_id text, recipient text, carrier text, text text, segments integer,"
    " encoding text, vendor_code text, vendor_message text,"
    " at timestamptz NOT NULL DEFAULT now())",
)


class PostgresJournal:
    """A `SentJournal` in PostgreSQL; thread-safe (a connection per thread). `dsn` names
    the database; `application_name`, `connect_timeout` (s) and `statement_timeout` (s)
    tune each connection."""

    def __init__(
        self,
        dsn: str,
        *,
        schema: str = "connectors",
        application_name: str = "connectors-sms",
        connect_timeout: int = 10,
        statement_timeout: float = 10.0,
    ) -> None:
        connections = PgConnections(
            dsn,
            application_name=application_name,
            connect_timeout=connect_timeout,
            statement_timeout=statement_timeout,
        )
        self._connections = connections
        self.schema = check_schema_name(schema)
        self._table = qualified(self.schema, "sms_sent")
        self._tables = SchemaOnce(connections, self.schema, "sms_journal", 1, _DDL)

    def __repr__(self) -> str:
        return f"PostgresJournal({self._connections.masked!r}, schema={self.schema!r})"

    def close(self) -> None:
        """Close every connection this journal opened."""
        self._connections.close()

    def get(self, key: str) -> SendResult | None:
        """The accepted result recorded for `key`, if any."""
        self._tables.ensure()
        with self._connections.using() as conn:
            row = conn.execute(
                f"SELECT {JOURNAL_COLUMNS} FROM {self._table} WHERE key = %s",  # noqa: S608
                (key,),
            ).fetchone()
        return None if row is None else result_from_row(key, row)

    def put(self, key: str, result: SendResult) -> None:
        """Record the accepted `result` of `key` (the first one recorded is kept)."""
        self._tables.ensure()
        with self._connections.using() as conn:
            conn.execute(
                f"INSERT INTO {self._table} (key, {JOURNAL_COLUMNS})"  # noqa: S608
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (key) DO NOTHING",
                (key, *journal_row(result)),
            )
