"""Pull what changed in iHanoi since a stored cursor and hand each change to the portal once.

`FeedbackSync.run_once()` lists feedback updated at or after the committed cursor (oldest
first), hands every new or changed item to the portal's handler, and commits the cursor
page by page, only after the handler returned for every item on the page. Each item is
de-duplicated by its revision (version, updated_at): a re-pulled page, or an item seen
again at the same revision, is never handed over twice; an older revision is never handed
over after a newer one.

After a crash (the process killed anywhere), the next run starts from the last committed
cursor: items handed over and recorded are skipped, the item whose handler did not finish
is handed over again, nothing is lost. The one window left is a kill *inside* the handler
after its own side effects: the item then comes again with the same
`(feedback_id, version)`, so key the portal's writes by that pair.

Listing walks keyset-style: after a page it asks again from the newest `updated_at` seen
(inclusive), so items moving between pages while the sync runs cannot be skipped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from connectors.core.closing import Closeable
from connectors.core.sqlite import SharedConnection, given_or_opened
from connectors.ihanoi.base import Feedback, FeedbackPage
from connectors.ihanoi.status import FeedbackStatus

__all__ = [
    "FeedbackSync",
    "MemorySyncState",
    "Revision",
    "SqliteSyncState",
    "SyncReport",
    "SyncState",
    "UpdateSource",
    "revision_of",
]

Revision = tuple[int, int]
"""(version, updated_at as microseconds since the epoch): larger is newer."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def revision_of(feedback: Feedback) -> Revision:
    """The comparable revision of a feedback state."""
    delta = feedback.updated_at - _EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return (feedback.version, micros)


@runtime_checkable
class UpdateSource(Protocol):
    """Anything that lists feedback updated since a moment (the iHanoi client does)."""

    def list_updated(
        self,
        since: datetime | None = None,
        *,
        status: FeedbackStatus | None = None,
        page: int = 1,
    ) -> FeedbackPage: ...


@runtime_checkable
class SyncState(Protocol):
    """Where the sync keeps its cursor and the revision handed over per feedback."""

    def cursor(self, name: str) -> datetime | None:
        """The committed cursor of sync `name`, or None before the first commit."""
        ...

    def commit_cursor(self, name: str, cursor: datetime) -> None:
        """Durably record the cursor."""
        ...

    def delivered(self, name: str, feedback_id: str) -> Revision | None:
        """The revision of `feedback_id` last handed over, or None."""
        ...

    def mark_delivered(self, name: str, feedback_id: str, revision: Revision) -> None:
        """Durably record that `revision` of `feedback_id` was handed over."""
        ...


class MemorySyncState:
    """A SyncState in memory (one process, lost on exit); thread-safe."""

    def __init__(self) -> None:
        self._cursors: dict[str, datetime] = {}
        self._delivered: dict[tuple[str, str], Revision] = {}
        self._lock = threading.Lock()

    def cursor(self, name: str) -> datetime | None:
        with self._lock:
            return self._cursors.get(name)

    def commit_cursor(self, name: str, cursor: datetime) -> None:
        with self._lock:
            self._cursors[name] = cursor

    def delivered(self, name: str, feedback_id: str) -> Revision | None:
        with self._lock:
            return self._delivered.get((name, feedback_id))

    def mark_delivered(self, name: str, feedback_id: str, revision: Revision) -> None:
        with self._lock:
            self._delivered[(name, feedback_id)] = revision


class SqliteSyncState(Closeable):
    """A SyncState in an SQLite file (WAL), shared by threads and processes.

    Every write is committed at once (autocommit), so what a killed process recorded is
    there on restart. Use as a context manager or call `close()`.
    """

    _SCHEMA = (
        "CREATE TABLE IF NOT EXISTS sync_cursors (name TEXT PRIMARY KEY, cursor TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS sync_delivered (name TEXT NOT NULL, feedback_id TEXT NOT NULL,"
        " version INTEGER NOT NULL, updated_us INTEGER NOT NULL,"
        " PRIMARY KEY (name, feedback_id))",
    )

    def __init__(self, path: str | Path = ":memory:", *, timeout: float = 30.0) -> None:
        self._path = str(path)
        self._db = SharedConnection(path, schema=self._SCHEMA, timeout=timeout)

    def __repr__(self) -> str:
        return f"SqliteSyncState({self._path!r})"

    def close(self) -> None:
        self._db.close()

    def cursor(self, name: str) -> datetime | None:
        with self._db as conn:
            row = conn.execute("SELECT cursor FROM sync_cursors WHERE name = ?", (name,)).fetchone()
        return None if row is None else datetime.fromisoformat(row[0])

    def commit_cursor(self, name: str, cursor: datetime) -> None:
        with self._db as conn:
            conn.execute(
                "INSERT INTO sync_cursors (name, cursor) VALUES (?, ?)"
                " ON CONFLICT(name) DO UPDATE SET cursor = excluded.cursor",
                (name, cursor.isoformat()),
            )

    def delivered(self, name: str, feedback_id: str) -> Revision | None:
        with self._db as conn:
            row = conn.execute(
                "SELECT version, updated_us FROM sync_delivered WHERE name = ? AND feedback_id = ?",
                (name, feedback_id),
            ).fetchone()
        return None if row is None else (int(row[0]), int(row[1]))

    def mark_delivered(self, name: str, feedback_id: str, revision: Revision) -> None:
        with self._db as conn:
            conn.execute(
                "INSERT INTO sync_delivered (name, feedback_id, version, updated_us)"
                " VALUES (?, ?, ?, ?) ON CONFLICT(name, feedback_id) DO UPDATE SET"
                " version = excluded.version, updated_us = excluded.updated_us",
                (name, feedback_id, revision[0], revision[1]),
            )


@dataclass(frozen=True)
class SyncReport:
    """What one run did: items handed over and skipped, pages read, the cursor now."""

    handed_over: int
    skipped: int
    pages: int
    cursor: datetime | None


class FeedbackSync(Closeable):
    """Hands every new or changed feedback to `handler` once, resuming after crashes.

    `state` is a `SyncState` or a path for a `SqliteSyncState` (":memory:" by default:
    give a file in production). `name` separates several syncs sharing one state.
    """

    def __init__(
        self,
        source: UpdateSource,
        handler: Callable[[Feedback], None],
        *,
        state: SyncState | str | Path = ":memory:",
        name: str = "ihanoi",
        status: FeedbackStatus | None = None,
        max_pages: int = 1000,
    ) -> None:
        self.source = source
        self.handler = handler
        self.state: SyncState
        self.state, self._owned = given_or_opened(state, SyncState, SqliteSyncState)
        self.name = name
        self.status = status
        self.max_pages = max_pages

    def close(self) -> None:
        """Close the SQLite state the sync opened itself (not one it was given)."""
        if self._owned is not None:
            self._owned.close()

    def run_once(self) -> SyncReport:
        """Pull and hand over everything changed since the committed cursor.

        An exception from the handler (or a kill) stops the run; what was handed over is
        recorded, the cursor stays at the last fully handled page, and the next run
        resumes from there.
        """
        since = self.state.cursor(self.name)
        page = 1
        handed = skipped = pages = 0
        while pages < self.max_pages:
            result = self.source.list_updated(since, status=self.status, page=page)
            pages += 1
            newest = since
            for item in result.items:
                if self._hand_over(item):
                    handed += 1
                else:
                    skipped += 1
                if newest is None or item.updated_at > newest:
                    newest = item.updated_at
            if newest is not None and newest != since:
                self.state.commit_cursor(self.name, newest)
            if result.next_page is None:
                break
            if newest is not None and newest != since:
                since, page = newest, 1  # keyset: ask again from the newest seen
            else:
                page = result.next_page  # the whole page sat at the cursor: move on
        return SyncReport(handed, skipped, pages, self.state.cursor(self.name))

    def _hand_over(self, item: Feedback) -> bool:
        revision = revision_of(item)
        last = self.state.delivered(self.name, item.feedback_id)
        if last is not None and revision <= last:
            return False
        self.handler(item)
        self.state.mark_delivered(self.name, item.feedback_id, revision)
        return True
