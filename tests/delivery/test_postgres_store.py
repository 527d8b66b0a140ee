"""What the PostgreSQL outbox adds to the store contract (test_store_contract.py runs that).

The database's clock, the lease plan at a large backlog, tables made once when several
servers start at once, enqueue in the caller's transaction (psycopg, Django, SQLAlchemy),
reconnection after the server drops a connection, and no secret in what it prints.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from connectors.core import ConfigError, ValidationError
from connectors.delivery import Flow, JobResult, JobState, NewJob, Step
from connectors.delivery.postgres import PostgresOutbox
from tests.pg import PgTarget, admin

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def outbox(pg: PgTarget) -> Iterator[PostgresOutbox]:
    with PostgresOutbox(pg.dsn, schema=pg.schema) as store:
        yield store


def db_now(dsn: str) -> float:
    with admin(dsn) as conn:
        return float(conn.execute("SELECT extract(epoch from clock_timestamp())").fetchone()[0])


def test_times_come_from_the_database_clock_not_the_host(
    outbox: PostgresOutbox, pg: PgTarget, monkeypatch: pytest.MonkeyPatch
) -> None:
    host = 1_000_000.0  # this host's clock is 1970-01-12: way off
    monkeypatch.setattr("connectors.delivery.postgres.time.time", lambda: host)
    before = db_now(pg.dsn)
    job = outbox.enqueue(NewJob("k", "HS-1:receipt"))
    later = outbox.enqueue(NewJob("k", "HS-2:receipt"), not_before=host + 60)
    after = db_now(pg.dsn)
    assert before <= job.created_at <= after
    assert job.created_at == job.next_attempt_at == job.retry_since
    assert before + 60 <= later.next_attempt_at <= after + 60, "a delay from the db's now"
    [leased] = outbox.lease("w", limit=5, lease_seconds=30)
    assert leased.key == "HS-1:receipt"
    assert leased.lease_until is not None
    assert before + 30 <= leased.lease_until <= db_now(pg.dsn) + 30
    assert outbox.fail(leased.id, "w", error="503", retry_at=host + 10)
    retried = outbox.get("HS-1:receipt")
    assert retried is not None
    assert after + 10 <= retried.next_attempt_at <= db_now(pg.dsn) + 10


def _fill(pg: PgTarget, outbox: PostgresOutbox, *, done: int, pending: int) -> None:
    """Store `done` finished jobs and `pending` due ones of two kinds, in bulk."""
    outbox.ready()
    table = f'"{pg.schema}".outbox_jobs'
    with admin(pg.dsn) as conn:
        conn.execute(
            f"INSERT INTO {table} (kind, key, payload, state, created_at, retry_since,"  # noqa: S608
            " next_attempt_at, finished_at, result) SELECT 'receipt', 'done-' || g, '{}',"
            " 'done', now(), now(), now(), now(), '{}' FROM generate_series(1, %s) g",
            (done,),
        )
        conn.execute(
            f"INSERT INTO {table} (kind, key, payload, state, created_at, retry_since,"  # noqa: S608
            " next_attempt_at) SELECT CASE WHEN g %% 2 = 0 THEN 'receipt' ELSE 'sms' END,"
            " 'due-' || g, '{}', 'pending', now(), now(), now() - interval '1 hour'"
            " + g * interval '1 ms' FROM generate_series(1, %s) g",
            (pending,),
        )
        conn.execute(f"ANALYZE {table}")


def _plan(pg: PgTarget, outbox: PostgresOutbox, kinds: list[str]) -> tuple[str, int]:
    """The lease's plan, and the pages its scans for due jobs read when run (rolled back)."""
    params = {"kinds": kinds, "limit": 10, "owner": "w", "seconds": 30.0, "now": None}
    with admin(pg.dsn) as conn:
        plan = "\n".join(row[0] for row in conn.execute("EXPLAIN " + outbox.queries.lease, params))
        with conn.transaction(force_rollback=True):
            analysed = conn.execute(
                "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + outbox.queries.lease, params
            ).fetchone()[0]
    scans = [
        node
        for node in analysed[0]["Plan"]["Plans"]
        if node.get("Subplan Name") in ("CTE expired", "CTE pending")
    ]
    assert 2 == len(scans), analysed
    return plan, sum(int(n["Shared Hit Blocks"]) + int(n["Shared Read Blocks"]) for n in scans)


def test_the_lease_walks_the_partial_indexes_whatever_the_backlog(
    outbox: PostgresOutbox, pg: PgTarget
) -> None:
    _fill(pg, outbox, done=60_000, pending=40_000)
    plan, big = _plan(pg, outbox, ["receipt", "sms"])
    assert "Index Scan using outbox_jobs_pending" in plan
    assert "Index Scan using outbox_jobs_leased" in plan
    assert "Seq Scan" not in plan, plan
    assert "Bitmap" not in plan, plan
    with admin(pg.dsn) as conn:
        conn.execute(f'TRUNCATE "{pg.schema}".outbox_jobs')
    _fill(pg, outbox, done=500, pending=500)
    _, small = _plan(pg, outbox, ["receipt", "sms"])
    # An index descent per kind and state, then 10 rows: a level deeper at 100k rows.
    assert big <= small + 8, (small, big)


def test_kinds_are_found_by_skipping_through_the_indexes(
    outbox: PostgresOutbox, pg: PgTarget
) -> None:
    _fill(pg, outbox, done=20_000, pending=20_000)
    with admin(pg.dsn) as conn:
        plan = "\n".join(row[0] for row in conn.execute("EXPLAIN " + outbox.queries.kinds))
    assert "Seq Scan" not in plan, plan
    taken = outbox.lease("w", limit=4, lease_seconds=30)
    assert ["due-1", "due-2", "due-3", "due-4"] == [job.key for job in taken], "oldest due first"


def test_tables_are_created_once_when_many_servers_start_at_once(pg: PgTarget) -> None:
    stores = [PostgresOutbox(pg.dsn, schema=pg.schema) for _ in range(8)]
    barrier = threading.Barrier(len(stores))
    errors: list[BaseException] = []

    def start(store: PostgresOutbox, n: int) -> None:
        barrier.wait()
        try:
            store.enqueue(NewJob("k", f"server-{n}"))
        except BaseException as exc:  # collected: the assertion names it
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(s, n)) for n, s in enumerate(stores)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert [] == errors
        assert 8 == stores[0].counts()[JobState.PENDING]
        with admin(pg.dsn) as conn:
            versions = conn.execute(
                f'SELECT component, version FROM "{pg.schema}".schema_versions'  # noqa: S608
            ).fetchall()
        assert [("outbox", 1)] == versions
    finally:
        for store in stores:
            store.close()


def test_an_outbox_at_its_version_takes_no_lock_when_opened(
    outbox: PostgresOutbox, pg: PgTarget
) -> None:
    outbox.enqueue(NewJob("k", "HS-1:receipt"))
    with admin(pg.dsn) as holder, holder.transaction():
        # A long transaction holds a write lock on the table, as a busy portal does.
        holder.execute(f'LOCK TABLE "{pg.schema}".outbox_jobs IN ROW EXCLUSIVE MODE')
        other = PostgresOutbox(pg.dsn, schema=pg.schema, statement_timeout=2)
        try:
            assert "HS-2:receipt" == other.enqueue(NewJob("k", "HS-2:receipt")).key
        finally:
            other.close()


def test_without_create_a_missing_outbox_is_a_config_error_and_nothing_is_made(
    pg: PgTarget,
) -> None:
    with pytest.raises(ConfigError) as caught:
        PostgresOutbox(pg.dsn, schema=pg.schema, create=False)
    assert f"no outbox in schema {pg.schema}" in str(caught.value)
    with admin(pg.dsn) as conn:
        found = conn.execute(
            "SELECT count(*) FROM pg_namespace WHERE nspname = %s", (pg.schema,)
        ).fetchone()
    assert (0,) == found


@pytest.mark.parametrize("schema", ["Connectors", "a-b", "x;drop", "", "1abc", "a" * 64])
def test_a_schema_name_must_be_a_plain_identifier(schema: str) -> None:
    with pytest.raises(ValidationError) as caught:
        PostgresOutbox("postgresql://127.0.0.1:1/none", schema=schema)
    assert "schema" == caught.value.field


def test_a_malformed_dsn_is_a_config_error_that_does_not_echo_it() -> None:
    with pytest.raises(ConfigError) as caught:
        PostgresOutbox("host=db password=hunter2-secret 'unterminated")
    assert "hunter2" not in str(caught.value)
    assert "dsn" == caught.value.field


def test_its_repr_and_connection_errors_never_show_the_password() -> None:
    dsn = "postgresql://portal:hunter2-secret@127.0.0.1:1/portal"
    store = PostgresOutbox(dsn, connect_timeout=2)
    assert "hunter2" not in repr(store)
    assert "portal:***@127.0.0.1:1/portal" in repr(store)
    with pytest.raises(Exception) as caught:  # noqa: PT011 - psycopg's own error
        store.counts()
    assert "hunter2" not in str(caught.value)


# -- enqueue in the caller's transaction ---------------------------------------------------


def test_enqueue_joins_the_callers_transaction_and_a_rollback_leaves_no_job(
    outbox: PostgresOutbox, pg: PgTarget
) -> None:
    outbox.ready()
    with admin(pg.dsn) as conn:
        conn.execute(f'CREATE TABLE "{pg.schema}".dossiers (code text PRIMARY KEY, paid bool)')
        dossiers = f'"{pg.schema}".dossiers'
        conn.execute(f"INSERT INTO {dossiers} VALUES ('HS-1', false), ('HS-2', false)")  # noqa: S608
        pay = f'UPDATE "{pg.schema}".dossiers SET paid = true WHERE code = %s'  # noqa: S608
        with conn.transaction():
            conn.execute(pay, ("HS-1",))
            job = outbox.enqueue(NewJob("receipt", "HS-1:receipt"), connection=conn)
            assert outbox.get("HS-1:receipt") is None, "not visible before the caller commits"
        assert job == outbox.get("HS-1:receipt")

        def pay_then_fail() -> None:
            with conn.transaction():
                conn.execute(pay, ("HS-2",))
                outbox.enqueue(NewJob("receipt", "HS-2:receipt"), connection=conn)
                raise RuntimeError("the portal failed after enqueueing")

        with pytest.raises(RuntimeError, match="portal failed"):
            pay_then_fail()
        assert outbox.get("HS-2:receipt") is None
        paid = conn.execute(
            f'SELECT code, paid FROM "{pg.schema}".dossiers ORDER BY code'  # noqa: S608
        ).fetchall()
    assert [("HS-1", True), ("HS-2", False)] == paid


def test_a_flow_starts_on_the_callers_connection(outbox: PostgresOutbox, pg: PgTarget) -> None:
    flow = Flow("fee", [Step("receipt", run=lambda ctx: {"n": 1})])
    with admin(pg.dsn) as conn:
        with conn.transaction(force_rollback=True):
            flow.start(outbox.joined(conn), "HS-1", {"amount": 50_000})
        assert outbox.get("HS-1:receipt") is None
        with conn.transaction():
            started = flow.start(outbox.joined(conn), "HS-1", {"amount": 50_000})
    stored = outbox.get("HS-1:receipt")
    assert stored is not None
    assert (started.id, "fee_receipt", {"amount": 50_000}) == (
        stored.id,
        stored.kind,
        stored.payload["event"],
    )


def test_a_connection_outside_any_transaction_is_refused_before_anything_is_sent(
    outbox: PostgresOutbox, pg: PgTarget
) -> None:
    conn = admin(pg.dsn)  # autocommit, no transaction open
    with conn, pytest.raises(ValidationError, match="not in a transaction") as caught:
        outbox.enqueue(NewJob("receipt", "HS-1:receipt"), connection=conn)
    assert "connection" == caught.value.field
    assert outbox.get("HS-1:receipt") is None


def test_a_psycopg_connection_without_autocommit_is_the_callers_to_commit(
    outbox: PostgresOutbox, pg: PgTarget
) -> None:
    import psycopg

    with psycopg.connect(pg.dsn) as conn:  # autocommit off: psycopg opens a transaction
        outbox.enqueue(NewJob("receipt", "HS-1:receipt"), connection=conn)
        conn.rollback()
        assert outbox.get("HS-1:receipt") is None
        outbox.enqueue(NewJob("receipt", "HS-1:receipt"), connection=conn)
        conn.commit()
    assert outbox.get("HS-1:receipt") is not None


def test_a_kind_conflict_in_the_callers_transaction_leaves_it_usable(
    outbox: PostgresOutbox, pg: PgTarget
) -> None:
    outbox.enqueue(NewJob("receipt", "HS-1:receipt"))
    with admin(pg.dsn) as conn, conn.transaction():
        with pytest.raises(ValidationError, match="already used by a 'receipt' job"):
            outbox.enqueue(NewJob("sms", "HS-1:receipt"), connection=conn)
        outbox.enqueue(NewJob("sms", "HS-1:sms"), connection=conn)
    sms = outbox.get("HS-1:sms")
    assert sms is not None
    assert "sms" == sms.kind


def test_two_transactions_enqueueing_one_key_make_one_job(
    outbox: PostgresOutbox, pg: PgTarget
) -> None:
    with admin(pg.dsn) as first, admin(pg.dsn) as second:
        with first.transaction():
            mine = outbox.enqueue(NewJob("receipt", "HS-1:receipt", {"by": 1}), connection=first)
            result: list[Any] = []

            def other() -> None:  # waits for `first` to commit, then finds its job
                with second.transaction():
                    job = NewJob("receipt", "HS-1:receipt", {"by": 2})
                    result.append(outbox.enqueue(job, connection=second))

            thread = threading.Thread(target=other)
            thread.start()
            time.sleep(0.2)
            assert thread.is_alive(), "the second insert waits on the first transaction"
        thread.join(10)
    assert [mine.id] == [job.id for job in result]
    assert {"by": 1} == dict(result[0].payload)
    assert 1 == outbox.counts()[JobState.PENDING]


# -- connections ---------------------------------------------------------------------------


def _terminate(dsn: str, application_name: str) -> int:
    with admin(dsn) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = %s AND pid <> pg_backend_pid()",
            (application_name,),
        ).fetchall()
    return len(rows)


def test_a_dropped_connection_raises_once_and_the_next_call_reconnects(pg: PgTarget) -> None:
    import psycopg

    name = f"conn-test-{pg.schema}"
    with PostgresOutbox(pg.dsn, schema=pg.schema, application_name=name) as store:
        job = store.enqueue(NewJob("k", "HS-1:receipt"))
        assert 1 == _terminate(pg.dsn, name)
        with pytest.raises(psycopg.OperationalError):
            store.lease("w", limit=1, lease_seconds=30)
        [leased] = store.lease("w", limit=1, lease_seconds=30)
        assert job.id == leased.id
        assert 1 == _terminate(pg.dsn, name)
        follow_up = JobResult({"n": 1}, [NewJob("k", "HS-1:sms")])  # in a transaction
        with pytest.raises(psycopg.OperationalError):
            store.complete(job.id, "w", follow_up)
        assert store.complete(job.id, "w", follow_up)
        assert 1 == _terminate(pg.dsn, name)
        with pytest.raises(psycopg.OperationalError), store.transaction() as tx:
            tx.enqueue(NewJob("k", "HS-2:receipt"))
        assert "HS-2:receipt" == store.enqueue(NewJob("k", "HS-2:receipt")).key
        assert {JobState.DONE: 1, JobState.PENDING: 2} == {
            state: n for state, n in store.counts().items() if n
        }


def test_a_stalled_transaction_loses_its_row_locks(pg: PgTarget) -> None:
    """A worker stopped inside a transaction (SIGSTOP, a debugger) cannot hold rows for
    ever: the session's idle-in-transaction limit ends it."""
    from connectors.core.postgres import PgConnections

    with PostgresOutbox(pg.dsn, schema=pg.schema) as store:
        store.enqueue(NewJob("k", "HS-1:receipt"))
        stalled = PgConnections(pg.dsn, idle_in_transaction_timeout=0.5)
        try:
            conn = stalled.connection()
            conn.execute("BEGIN")
            conn.execute(
                f'SELECT id FROM "{pg.schema}".outbox_jobs FOR UPDATE'  # noqa: S608
            )
            assert [] == store.lease("w", limit=1, lease_seconds=30), "locked: skipped"
            time.sleep(1.0)
            assert ["HS-1:receipt"] == [j.key for j in store.lease("w", limit=1, lease_seconds=30)]
        finally:
            stalled.close()


# -- the extra is optional -----------------------------------------------------------------


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_a_plain_import_never_imports_psycopg() -> None:
    done = _python(
        "import sys, connectors, connectors.delivery, connectors.core, connectors.sms,"
        " connectors.einvoice, connectors.cli.app\n"
        "from connectors.delivery import PostgresOutbox\n"
        "print('psycopg' in sys.modules)"
    )
    assert ("False", "") == (done.stdout.strip(), done.stderr.strip())


def test_without_psycopg_a_postgres_store_names_the_extra() -> None:
    done = _python(
        "import sys\n"
        "sys.modules['psycopg'] = None\n"
        "from connectors.delivery import PostgresOutbox\n"
        "try:\n"
        "    PostgresOutbox('postgresql://127.0.0.1/db')\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, exc.field, exc)\n"
    )
    assert (
        "ConfigError postgres PostgreSQL support needs psycopg 3: "
        "pip install 'vn-public-connectors[postgres]'"
    ) == done.stdout.strip()
