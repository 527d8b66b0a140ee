"""The one SQLite setup every embedded store uses."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from connectors.core.sqlite import SharedConnection, connect, given_or_opened

SCHEMA = ["CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY)"]


def test_a_file_is_wal_autocommit_and_has_its_schema(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    conn = connect(path, schema=SCHEMA, pragmas=["PRAGMA synchronous=NORMAL"])
    try:
        assert "wal" == conn.execute("PRAGMA journal_mode").fetchone()[0]
        assert 1 == conn.execute("PRAGMA synchronous").fetchone()[0]  # NORMAL
        assert conn.isolation_level is None
        conn.execute("INSERT INTO t VALUES ('x')")
    finally:
        conn.close()
    with sqlite3.connect(path) as other:  # committed without an explicit COMMIT
        assert [("x",)] == other.execute("SELECT k FROM t").fetchall()


def test_memory_stays_memory_and_any_thread_may_use_it() -> None:
    db = SharedConnection(":memory:", schema=SCHEMA)
    with db as conn:
        assert "memory" == conn.execute("PRAGMA journal_mode").fetchone()[0]

    def insert() -> None:
        with db as conn:
            conn.execute("INSERT INTO t VALUES ('from-thread')")

    worker = threading.Thread(target=insert)
    worker.start()
    worker.join()
    with db as conn:
        assert 1 == conn.execute("SELECT COUNT(*) FROM t").fetchone()[0]
    db.close()
    with pytest.raises(sqlite3.ProgrammingError), db as conn:
        conn.execute("SELECT 1")


def test_a_failing_setup_closes_the_connection(tmp_path: Path) -> None:
    path = tmp_path / "not-a-db"
    path.write_bytes(b"this is not an SQLite file" * 100)
    with pytest.raises(sqlite3.DatabaseError):
        connect(path, schema=SCHEMA)
    with pytest.raises(sqlite3.OperationalError):
        connect(tmp_path / "b.db", schema=["CREATE TABLE broken ("])


def test_a_store_is_given_or_opened_on_a_path(tmp_path: Path) -> None:
    opened: list[str] = []

    def open_file(path: str | Path) -> SharedConnection:
        opened.append(str(path))
        return SharedConnection(path, schema=SCHEMA)

    given = SharedConnection(":memory:", schema=SCHEMA)
    assert (given, None) == given_or_opened(given, SharedConnection, open_file)
    store, owned = given_or_opened(tmp_path / "s.db", SharedConnection, open_file)
    assert store is owned
    assert [str(tmp_path / "s.db")] == opened
    with pytest.raises(TypeError, match="expected a SharedConnection or a path"):
        given_or_opened(42, SharedConnection, open_file)
    given.close()
    store.close()
