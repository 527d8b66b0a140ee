"""What is particular to the SQLite outbox: transactions shared with the portal, the file,
upgrades of older files, and a lease query that walks its indexes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from connectors.core import ConfigError, ValidationError
from connectors.delivery import JobState, NewJob, SqliteOutbox
from connectors.delivery.sqlite_queries import DUE_EXPIRED, DUE_PENDING, NEXT_KIND

from .conftest import FakeClock


def test_event_and_job_commit_together_or_not_at_all(outbox: SqliteOutbox) -> None:
    with outbox.transaction() as tx:
        tx.connection.execute("CREATE TABLE dossiers (code TEXT PRIMARY KEY, paid INTEGER)")

    def record_then_fail() -> None:
        with outbox.transaction() as tx:
            tx.connection.execute("INSERT INTO dossiers VALUES ('HS-1', 1)")
            tx.enqueue(NewJob("issue_receipt", "HS-1:receipt"))
            raise RuntimeError("the portal failed after recording")

    with pytest.raises(RuntimeError):
        record_then_fail()
    assert outbox.get("HS-1:receipt") is None
    with outbox.transaction() as tx:
        assert [] == tx.connection.execute("SELECT * FROM dossiers").fetchall()


def test_a_commit_that_fails_keeps_nothing_and_the_store_stays_usable(
    outbox: SqliteOutbox,
) -> None:
    # A deferred foreign key is checked at COMMIT, which then fails and leaves SQLite's
    # transaction open: the store must roll it back, not wedge the connection.
    outbox._conn().execute("PRAGMA foreign_keys = ON")
    with outbox.transaction() as tx:
        tx.connection.execute("CREATE TABLE citizens (id INTEGER PRIMARY KEY)")
        tx.connection.execute(
            "CREATE TABLE dossiers (code TEXT PRIMARY KEY, citizen INTEGER"
            " REFERENCES citizens (id) DEFERRABLE INITIALLY DEFERRED)"
        )

    def record_an_orphan() -> None:
        with outbox.transaction() as tx:
            tx.connection.execute("INSERT INTO dossiers VALUES ('HS-1', 42)")
            tx.enqueue(NewJob("issue_receipt", "HS-1:receipt"))

    with pytest.raises(sqlite3.IntegrityError):
        record_an_orphan()
    assert outbox.get("HS-1:receipt") is None
    outbox.enqueue(NewJob("issue_receipt", "HS-2:receipt"))
    assert 1 == outbox.counts()[JobState.PENDING]


def test_in_memory_database_is_refused() -> None:
    with pytest.raises(ValidationError, match="lost with the process"):
        SqliteOutbox(":memory:")


def plan(outbox: SqliteOutbox, sql: str, args: tuple[object, ...]) -> list[str]:
    return [row[3] for row in outbox._conn().execute("EXPLAIN QUERY PLAN " + sql, args)]


def assert_walks(steps: list[str], index: str, search: str) -> None:
    """One search of `index` on `search`: no scan of the table, no sort of what it found."""
    assert 1 == len(steps), steps
    assert steps[0].startswith("SEARCH outbox_jobs USING "), steps
    assert steps[0].endswith(f"INDEX {index} ({search})"), steps


@pytest.mark.parametrize("analyzed", [False, True], ids=["no-statistics", "analyzed"])
def test_the_lease_query_walks_the_partial_indexes_in_order(
    outbox: SqliteOutbox, clock: FakeClock, analyzed: bool
) -> None:
    with outbox.transaction() as tx:
        for n in range(2000):
            tx.enqueue(NewJob("sms" if n % 2 else "receipt", f"job-{n}"))
    outbox.lease("w", limit=500, lease_seconds=30)
    if analyzed:  # whatever the planner learns of the table, the plan stays
        outbox._conn().execute("ANALYZE")
    expired = plan(outbox, DUE_EXPIRED, ("sms", clock.now, 10))
    assert_walks(expired, "outbox_jobs_leased", "kind=? AND lease_until<?")
    pending = plan(outbox, DUE_PENDING, ("sms", clock.now, 10))
    assert_walks(pending, "outbox_jobs_pending", "kind=? AND next_attempt_at<?")
    for query, index in zip(NEXT_KIND, ("pending", "leased"), strict=True):
        assert_walks(plan(outbox, query, ("",)), f"outbox_jobs_{index}", "kind>?")


FIRST_VERSION = """
CREATE TABLE outbox_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, key TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL, retry_since REAL NOT NULL, next_attempt_at REAL NOT NULL,
    lease_owner TEXT, lease_until REAL, last_error TEXT,
    outcome_unknown INTEGER NOT NULL DEFAULT 0, result TEXT, finished_at REAL
);
CREATE INDEX outbox_jobs_due ON outbox_jobs (state, next_attempt_at);
INSERT INTO outbox_jobs (kind, key, payload, state, attempts, created_at, retry_since,
    next_attempt_at) VALUES ('sms', 'HS-1:sms', '{"n": 1}', 'pending', 2, 1.0, 1.0, 1.0);
"""


def test_a_file_of_the_first_version_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    with sqlite3.connect(path) as conn:
        conn.executescript(FIRST_VERSION)
    with SqliteOutbox(path) as outbox:
        indexes = {
            row[0]
            for row in outbox._conn().execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            )
        }
        assert {"outbox_jobs_pending", "outbox_jobs_leased", "outbox_jobs_state"} == indexes
        [job] = outbox.lease("w", limit=5, lease_seconds=30)
        assert ("HS-1:sms", {"n": 1}, 2, ()) == (
            job.key,
            dict(job.payload),
            job.attempts,
            job.resolutions,
        )
        started = outbox.start(job.id, "w", lease_seconds=30)
        assert started is not None
        assert 3 == started.attempts
    with SqliteOutbox(path) as again:  # a second open finds it current
        assert 1 == again.counts()[JobState.LEASED]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "no outbox at"),
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: p.write_bytes(b""), "is empty"),
        (lambda p: p.write_bytes(b"PK\x03\x04 not a database at all" * 40), "not an SQLite"),
        (
            lambda p: sqlite3.connect(p).execute("CREATE TABLE portal (x)").connection.commit(),
            "without an outbox",
        ),
    ],
    ids=["missing", "directory", "empty", "garbage", "other-database"],
)
def test_opening_without_create_refuses_what_is_not_an_outbox_and_creates_nothing(
    tmp_path: Path, make: object, message: str
) -> None:
    path = tmp_path / "outbox.db"
    make(path)  # type: ignore[operator]
    before = sorted(p.name for p in tmp_path.iterdir())
    contents = path.read_bytes() if path.is_file() else None
    with pytest.raises(ConfigError, match=message) as caught:
        SqliteOutbox(path, create=False)
    assert "path" == caught.value.field
    assert before == sorted(p.name for p in tmp_path.iterdir()), "no file created"
    assert contents == (path.read_bytes() if path.is_file() else None), "nothing written"


def test_opening_without_create_uses_an_existing_outbox(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    with SqliteOutbox(path) as outbox:
        outbox.enqueue(NewJob("k", "a"))
    with SqliteOutbox(path, create=False) as outbox:
        assert 1 == outbox.counts()[JobState.PENDING]


def test_in_memory_refusal_names_the_path() -> None:
    with pytest.raises(ValidationError) as caught:
        SqliteOutbox(":memory:")
    assert ("path", True) == (caught.value.field, str(caught.value).startswith("the outbox"))


def test_a_closed_outbox_opens_again_on_next_use(outbox: SqliteOutbox) -> None:
    outbox.enqueue(NewJob("k", "a"))
    outbox.close()
    assert 1 == outbox.counts()[JobState.PENDING]


class BrokenRollback:
    """A connection whose ROLLBACK fails, as on a disk that just failed."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.closed = False

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
        if sql == "ROLLBACK":
            raise sqlite3.OperationalError("disk I/O error")
        return self.conn.execute(sql, *args)

    def close(self) -> None:
        self.closed = True
        self.conn.close()


def test_a_connection_whose_rollback_failed_is_replaced(outbox: SqliteOutbox) -> None:
    broken = BrokenRollback(outbox._conn())
    outbox._local.conn = broken
    outbox._all.append(broken)  # type: ignore[arg-type]

    def record_then_fail() -> None:
        with outbox.transaction() as tx:
            tx.enqueue(NewJob("k", "HS-1:receipt"))
            raise RuntimeError("the portal failed")

    with pytest.raises(RuntimeError):
        record_then_fail()
    assert broken.closed
    assert broken not in outbox._all
    assert outbox.get("HS-1:receipt") is None, "closing rolled the transaction back"
    outbox.enqueue(NewJob("k", "HS-2:receipt"))
    assert 1 == outbox.counts()[JobState.PENDING]


def test_a_partly_upgraded_file_is_finished(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    with SqliteOutbox(path) as outbox:
        outbox.enqueue(NewJob("k", "a"))
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE INDEX outbox_jobs_due ON outbox_jobs (state, next_attempt_at)")
        conn.execute("DROP INDEX outbox_jobs_leased")
    conn.close()
    with SqliteOutbox(path) as outbox:
        names = {
            row[0]
            for row in outbox._conn().execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            )
        }
        assert {"outbox_jobs_pending", "outbox_jobs_leased", "outbox_jobs_state"} == names


def test_an_upgrade_that_fails_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE VIEW outbox_jobs AS SELECT 1 AS x")
    conn.close()
    with pytest.raises(sqlite3.OperationalError, match="Cannot add a column to a view"):
        SqliteOutbox(path)
    with sqlite3.connect(path) as conn:
        assert [("outbox_jobs", "view")] == conn.execute(
            "SELECT name, type FROM sqlite_master"
        ).fetchall()
    conn.close()


def test_unreadable_and_damaged_files_are_refused_by_name(tmp_path: Path) -> None:
    damaged = tmp_path / "outbox.db"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    with pytest.raises(
        ConfigError, match=r"cannot read .* as an outbox: file is not a database"
    ) as caught:
        SqliteOutbox(damaged, create=False)
    assert "path" == caught.value.field
    unreadable = Path("/proc/self/mem")  # exists, is not a directory, fails on read (Linux)
    if not unreadable.exists():
        pytest.skip("no /proc/self/mem here")
    with pytest.raises(
        ConfigError, match=r"^cannot read /proc/self/mem: Input/output error$"
    ) as caught:
        SqliteOutbox(unreadable, create=False)
    assert "path" == caught.value.field


def test_repr_names_the_file(tmp_path: Path) -> None:
    with SqliteOutbox(tmp_path / "outbox.db") as outbox:
        assert f"SqliteOutbox({str(tmp_path / 'outbox.db')!r})" == repr(outbox)


def test_an_outbox_opened_without_create_never_makes_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    SqliteOutbox(path).close()
    outbox = SqliteOutbox(path, create=False)
    outbox.close()
    for name in ("outbox.db", "outbox.db-wal", "outbox.db-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    with pytest.raises(sqlite3.OperationalError, match="unable to open database file"):
        outbox.counts()  # a fresh connection, after the file went away
    assert [] == list(tmp_path.iterdir())
