"""The SQLite outbox beside a busy writer: opening a current file takes no write lock (a
portal starts while a worker is mid-transaction), and `busy_timeout` is how long a write
waits for another process's lock before "database is locked"."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from connectors.delivery import NewJob, SqliteOutbox


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Another process's open write transaction on the outbox file."""
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            other.execute("ROLLBACK")


def test_a_current_outbox_opens_and_reads_while_another_process_writes(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    with SqliteOutbox(path) as first:
        stored = first.enqueue(NewJob("sms", "HS-1:sms"))
    with writing(path), SqliteOutbox(path, busy_timeout=0.1) as second:
        assert stored == second.get("HS-1:sms")


def test_a_write_waits_busy_timeout_for_another_process_then_says_locked(
    tmp_path: Path,
) -> None:
    path = tmp_path / "outbox.db"
    with SqliteOutbox(path, busy_timeout=0.3) as outbox, writing(path):
        began = time.monotonic()
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            outbox.enqueue(NewJob("sms", "HS-1:sms"))
        waited = time.monotonic() - began
    assert 0.25 <= waited < 3.0, waited  # not sqlite3's 5 s, nor the default 30 s
    with SqliteOutbox(path) as outbox:
        assert outbox.get("HS-1:sms") is None
