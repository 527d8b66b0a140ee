"""The sender's journal of accepted messages, by idempotency key.

It is what makes `send` idempotent on providers without a request id (MobiFone smsg) and
saves a round trip on the others: a key already accepted is answered from the journal,
never sent again. `MemoryJournal` serves one process; `SqliteJournal` survives restarts
and is shared by every process using its file (the durable outbox replays with the same
keys); `PostgresJournal` (connectors.sms.journal_postgres) is shared by every app server
on the portal's PostgreSQL database. A journal records acceptances; it is not a lock
between processes sending the same key at the same moment (the providers with a request
id de-duplicate those).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from connectors.core.sqlite import SharedConnection
from connectors.sms.base import SendResult, SendStatus
from connectors.vn.phone import VnPhone

__all__ = [
    "JOURNAL_COLUMNS",
    "KeyLocks",
    "MemoryJournal",
    "SentJournal",
    "SqliteJournal",
    "journal_row",
    "result_from_row",
]

JOURNAL_COLUMNS = (
    "provider, message_id, recipient, carrier, text, segments, encoding, "
    "vendor_code, vendor_message"
)
"""What a journal keeps of an accepted result, in the order of `journal_row`."""


def journal_row(result: SendResult) -> tuple[object, ...]:
    """The values of `JOURNAL_COLUMNS` for an accepted `result`."""
    recipient = result.recipient
    return (
        result.provider,
        result.provider_message_id,
        recipient.national if recipient else None,
        recipient.carrier if recipient else None,
        result.text,
        result.segments,
        result.encoding,
        result.vendor_code,
        result.vendor_message,
    )


def result_from_row(key: str, row: Sequence[Any]) -> SendResult:
    """The accepted result of `key` from a row of `JOURNAL_COLUMNS`."""
    provider, message_id, national, carrier, text, segments, encoding, code, message = row
    return SendResult(
        provider=provider,
        status=SendStatus.ACCEPTED,
        idempotency_key=key,
        recipient=VnPhone(national, carrier) if national else None,
        provider_message_id=message_id,
        vendor_code=code,
        vendor_message=message,
        segments=segments,
        encoding=encoding,
        text=text,
    )


@runtime_checkable
class SentJournal(Protocol):
    """Remembers the accepted result of each idempotency key."""

    def get(self, key: str) -> SendResult | None:
        """The accepted result recorded for `key`, if any."""
        ...

    def put(self, key: str, result: SendResult) -> None:
        """Record the accepted `result` of `key`."""
        ...


class MemoryJournal:
    """An in-process journal; thread-safe. With `max_size`, the oldest keys go first."""

    def __init__(self, max_size: int | None = 1_000_000) -> None:
        if max_size is not None and max_size < 1:
            raise ValueError("max_size must be at least 1")
        self._max_size = max_size
        self._results: OrderedDict[str, SendResult] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._results)

    def get(self, key: str) -> SendResult | None:
        with self._lock:
            return self._results.get(key)

    def put(self, key: str, result: SendResult) -> None:
        with self._lock:
            self._results[key] = result
            if self._max_size is not None and len(self._results) > self._max_size:
                self._results.popitem(last=False)


class SqliteJournal:
    """A journal in a SQLite file (WAL mode); thread-safe, shared between processes.

    The first acceptance recorded for a key is kept.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._db = SharedConnection(self.path, schema=[_JOURNAL_SCHEMA])

    def __repr__(self) -> str:
        return f"SqliteJournal({str(self.path)!r})"

    def close(self) -> None:
        self._db.close()

    def get(self, key: str) -> SendResult | None:
        with self._db as conn:
            row = conn.execute(
                f"SELECT {JOURNAL_COLUMNS} FROM sms_sent WHERE key = ?",  # noqa: S608 - constant
                (key,),
            ).fetchone()
        return None if row is None else result_from_row(key, row)

    def put(self, key: str, result: SendResult) -> None:
        with self._db as conn:
            conn.execute(
                "INSERT OR IGNORE INTO sms_sent VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (key, *journal_row(result), time.time()),
            )


_JOURNAL_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS sms_sent (key TEXT PRIMARY KEY, provider TEXT, "
    "message_id TEXT, recipient TEXT, carrier TEXT, text TEXT, segments INTEGER, "
    "encoding TEXT, vendor_code TEXT, vendor_message TEXT, at REAL)"
)


class KeyLocks:
    """A lock per idempotency key: two threads sending the same key never both reach the
    provider, and sends under different keys never wait for each other (a lock is kept
    only while some thread holds or waits for its key, so memory stays flat)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._entries: dict[str, _KeyEntry] = {}

    def __len__(self) -> int:
        """How many keys are held or waited for now."""
        return len(self._entries)

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        """Hold `key`'s lock for the `with` block."""
        with self._guard:
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = _KeyEntry()
            entry.users += 1
        try:
            with entry.lock:
                yield
        finally:
            with self._guard:
                entry.users -= 1
                if entry.users == 0:
                    del self._entries[key]


class _KeyEntry:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users = 0
