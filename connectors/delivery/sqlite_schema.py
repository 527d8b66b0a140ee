"""The SQLite outbox's tables, indexes and upgrades, and the checks before opening a file.

The lease query walks two partial indexes in order, so its cost is O(log n) in the number
of stored jobs, whatever the backlog:

- ``outbox_jobs_pending (kind, next_attempt_at) WHERE state = 'pending'``
- ``outbox_jobs_leased (kind, lease_until) WHERE state = 'leased'``

``outbox_jobs_state (state)`` serves `counts()` and the listings by state. A file made
by an earlier version is upgraded in place when opened (columns added, indexes replaced).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from connectors.core.errors import ConfigError
from connectors.delivery.sqlite_queries import BEGIN, COMMIT, ROLLBACK

__all__ = ["check_existing_outbox", "upgrade"]

_TABLE = """
CREATE TABLE IF NOT EXISTS outbox_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    key TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    retry_since REAL NOT NULL,
    next_attempt_at REAL NOT NULL,
    lease_owner TEXT,
    lease_until REAL,
    last_error TEXT,
    outcome_unknown INTEGER NOT NULL DEFAULT 0,
    result TEXT,
    finished_at REAL,
    started_at REAL,
    resolutions TEXT
)
"""

# Columns added since the first version, with their definitions (for ALTER TABLE).
_ADDED_COLUMNS = {"started_at": "REAL", "resolutions": "TEXT"}

_INDEXES = (
    "CREATE INDEX IF NOT EXISTS outbox_jobs_pending ON outbox_jobs (kind, next_attempt_at)"
    " WHERE state = 'pending'",
    "CREATE INDEX IF NOT EXISTS outbox_jobs_leased ON outbox_jobs (kind, lease_until)"
    " WHERE state = 'leased'",
    "CREATE INDEX IF NOT EXISTS outbox_jobs_state ON outbox_jobs (state)",
    "DROP INDEX IF EXISTS outbox_jobs_due",
)

# What sqlite_master lists for a current table (besides the key's autoindex), and the
# first version's index, which made the lease query scan and sort every due row.
_CURRENT = {"outbox_jobs", "outbox_jobs_pending", "outbox_jobs_leased", "outbox_jobs_state"}
_OLD = "outbox_jobs_due"

_HEADER = b"SQLite format 3\x00"
_HAS_TABLE = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'outbox_jobs'"
_INDEX_NAMES = "SELECT name FROM sqlite_master WHERE tbl_name = 'outbox_jobs'"
_TABLE_INFO = "PRAGMA table_info(outbox_jobs)"


def _columns(conn: sqlite3.Connection) -> set[str]:
    return {row[1] for row in conn.execute(_TABLE_INFO)}


def upgrade(conn: sqlite3.Connection) -> None:
    """Create the outbox table and indexes, or bring an earlier version's up to date.

    Runs in one immediate transaction, so processes opening the file at once agree. Does
    nothing (and writes nothing) when the file is already current.
    """
    current = _columns(conn)
    indexes = {row[0] for row in conn.execute(_INDEX_NAMES)}
    if set(_ADDED_COLUMNS) <= current and _CURRENT <= indexes and _OLD not in indexes:
        return
    conn.execute(BEGIN)
    try:
        conn.execute(_TABLE)
        present = _columns(conn)
        for name, definition in _ADDED_COLUMNS.items():
            if name not in present:
                conn.execute(f"ALTER TABLE outbox_jobs ADD COLUMN {name} {definition}")
        for statement in _INDEXES:
            conn.execute(statement)
        conn.execute(COMMIT)
    except BaseException:
        if conn.in_transaction:
            conn.execute(ROLLBACK)
        raise


def check_existing_outbox(path: Path) -> None:
    """ConfigError unless `path` is an SQLite file holding an outbox (nothing is created).

    Tells apart a missing path, a directory, an empty file, a file that is not SQLite and
    an SQLite database without the outbox table.
    """
    if not path.exists():
        raise ConfigError(f"no outbox at {path}", field="path")
    if path.is_dir():
        raise ConfigError(f"{path} is a directory, not an outbox file", field="path")
    try:
        with path.open("rb") as file:
            header = file.read(len(_HEADER))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}", field="path") from None
    if not header:
        raise ConfigError(f"{path} is empty, not an outbox", field="path")
    if header != _HEADER:
        raise ConfigError(f"{path} is not an SQLite database", field="path")
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            found = conn.execute(_HAS_TABLE).fetchone()
    except sqlite3.Error as exc:
        raise ConfigError(f"cannot read {path} as an outbox: {exc}", field="path") from None
    if found is None:
        raise ConfigError(f"{path} is an SQLite database without an outbox", field="path")
