"""The SQLite connection every embedded store opens the same way.

The outbox, the seen-store, the SMS journal and the iHanoi sync state each keep a small
SQLite file shared by the threads and processes of one host. They all need the same setup:
autocommit (the store issues its own `BEGIN` when it needs a transaction), usable from any
thread, a busy timeout, WAL for a file (readers never block the writer), and their schema,
with the connection closed again if any of that fails.

    db = SharedConnection("seen.db", schema=["CREATE TABLE IF NOT EXISTS ..."])
    with db as conn:                      # one thread at a time
        conn.execute("INSERT OR IGNORE ...", (...))
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["SharedConnection", "connect", "given_or_opened"]

T = TypeVar("T")

MEMORY = ":memory:"


def connect(
    path: str | Path,
    *,
    schema: Sequence[str] = (),
    timeout: float = 30.0,
    uri: bool = False,
    pragmas: Sequence[str] = (),
) -> sqlite3.Connection:
    """An autocommit connection any thread may use (serialise it yourself), WAL for a file,
    `pragmas` then `schema` statements run; closed again if any of that fails."""
    conn = sqlite3.connect(
        str(path), timeout=timeout, isolation_level=None, check_same_thread=False, uri=uri
    )
    try:
        if str(path) != MEMORY:
            conn.execute("PRAGMA journal_mode=WAL").fetchall()
        for statement in (*pragmas, *schema):
            conn.execute(statement)
    except BaseException:
        conn.close()
        raise
    return conn


class SharedConnection:
    """One connection shared by a store's threads, one at a time (`with db as conn:`).

    `path` may be ":memory:" (the data lives as long as the object). Closing it makes every
    later use fail with `sqlite3.ProgrammingError`.
    """

    def __init__(
        self, path: str | Path, *, schema: Sequence[str] = (), timeout: float = 30.0
    ) -> None:
        self.path = str(path)
        self._lock = threading.Lock()
        self._conn = connect(path, schema=schema, timeout=timeout)

    def __enter__(self) -> sqlite3.Connection:
        self._lock.acquire()
        return self._conn

    def __exit__(self, *exc_info: object) -> None:
        self._lock.release()

    def close(self) -> None:
        """Close the connection (waits for the thread using it)."""
        with self._lock:
            self._conn.close()


def given_or_opened(
    value: object, kind: Any, open_file: Callable[[str | Path], T]
) -> tuple[Any, T | None]:
    """A store argument taken as it is, or opened: `value` itself when it is a `kind`
    already (the caller's: never closed here), else `open_file(value)` (a path), returned
    twice: the store to use, and the one the caller owns and closes (None for a given one).
    """
    if isinstance(value, kind):
        return value, None
    if not isinstance(value, str | Path):
        raise TypeError(f"expected a {getattr(kind, '__name__', kind)} or a path")
    opened = open_file(value)
    return opened, opened
