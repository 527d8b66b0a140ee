"""The SMS sent-journal in the portal's PostgreSQL database, shared by every app server.

Same contract as `SqliteJournal`: `get(key)` answers an accepted key from the journal (it
is never sent again), `put(key, result)` records an acceptance and keeps the first one
recorded for a key (``ON CONFLICT DO NOTHING``). The table ``sms_sent`` is created on
first use in the schema (default ``connectors``). Needs the `postgres` extra.
"""

from __future__ import annotations

from connectors.core.postgres import PgStore
from connectors.sms.base import SendResult
from connectors.sms.journal import JOURNAL_COLUMNS, journal_row, result_from_row

__all__ = ["PostgresJournal"]

_DDL = (
    "CREATE TABLE IF NOT EXISTS {schema}.sms_sent (key text PRIMARY KEY, provider text NOT NULL,"
    " message_id text, recipient text, carrier text, text text, segments integer,"
    " encoding text, vendor_code text, vendor_message text,"
    " at timestamptz NOT NULL DEFAULT now())",
)


class PostgresJournal(PgStore):
    """A `SentJournal` in PostgreSQL; thread-safe (a connection per thread). `dsn` names
    the database; `application_name` (default ``connectors-sms``), `connect_timeout` (s)
    and `statement_timeout` (s) tune each connection."""

    _component = "sms_journal"
    _table_name = "sms_sent"
    _ddl = _DDL
    _application_name = "connectors-sms"

    def get(self, key: str) -> SendResult | None:
        """The accepted result recorded for `key`, if any."""
        with self._using() as conn:
            row = conn.execute(
                f"SELECT {JOURNAL_COLUMNS} FROM {self._table} WHERE key = %s",  # noqa: S608
                (key,),
            ).fetchone()
        return None if row is None else result_from_row(key, row)

    def put(self, key: str, result: SendResult) -> None:
        """Record the accepted `result` of `key` (the first one recorded is kept)."""
        with self._using() as conn:
            conn.execute(
                f"INSERT INTO {self._table} (key, {JOURNAL_COLUMNS})"  # noqa: S608
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (key) DO NOTHING",
                (key, *journal_row(result)),
            )
