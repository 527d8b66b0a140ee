"""The PostgreSQL outbox's smaller promises: opening an existing outbox without creating,
the name its sessions show, a delay given with the caller's connection, short leases, the
order of a batch, and a lost lease refusing a completion that brings follow-ups."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from connectors.core import ConfigError
from connectors.delivery import JobResult, JobState, NewJob
from connectors.delivery.postgres import PostgresOutbox
from tests.delivery.conftest import FakeClock
from tests.pg import PgTarget, admin


@pytest.fixture
def outbox(pg: PgTarget, clock: FakeClock) -> Iterator[PostgresOutbox]:
    with PostgresOutbox(pg.dsn, schema=pg.schema, clock=clock) as store:
        yield store


def test_an_existing_outbox_opens_without_create_and_a_missing_one_names_the_dsn(
    outbox: PostgresOutbox, pg: PgTarget
) -> None:
    stored = outbox.enqueue(NewJob("receipt", "HS-1:receipt"))
    with PostgresOutbox(pg.dsn, schema=pg.schema, create=False) as existing:
        assert stored == existing.get("HS-1:receipt")
    with pytest.raises(ConfigError) as caught:
        PostgresOutbox(pg.dsn, schema=f"{pg.schema}_none", create=False)
    assert "dsn" == caught.value.field


def sessions_on(pg: PgTarget) -> list[str]:
    """The application names of the other sessions whose last statement named the schema."""
    with admin(pg.dsn) as conn:
        rows = conn.execute(
            "SELECT application_name FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
            " AND strpos(query, %s) > 0 ORDER BY application_name",
            (f'"{pg.schema}"',),
        ).fetchall()
    return [row[0] for row in rows]


def test_its_sessions_are_named_in_pg_stat_activity(pg: PgTarget) -> None:
    with PostgresOutbox(pg.dsn, schema=pg.schema) as default:
        default.counts()
        assert ["connectors-outbox"] == sessions_on(pg)
    with PostgresOutbox(pg.dsn, schema=pg.schema, application_name="portal-worker-2") as named:
        named.counts()
        assert ["portal-worker-2"] == sessions_on(pg)


def test_a_delay_holds_for_a_job_enqueued_on_the_callers_connection(
    outbox: PostgresOutbox, pg: PgTarget, clock: FakeClock
) -> None:
    outbox.ready()
    with admin(pg.dsn) as conn, conn.transaction():
        job = outbox.enqueue(NewJob("sms", "HS-1:sms"), not_before=clock.now + 60, connection=conn)
    assert (clock.now, clock.now + 60) == (job.created_at, job.next_attempt_at)
    assert [] == outbox.lease("w", limit=5, lease_seconds=30)
    clock.advance(60)
    assert ["HS-1:sms"] == [j.key for j in outbox.lease("w", limit=5, lease_seconds=30)]


def test_a_lease_may_be_shorter_than_a_second(outbox: PostgresOutbox, clock: FakeClock) -> None:
    outbox.enqueue(NewJob("sms", "HS-1:sms"))
    [leased] = outbox.lease("w", limit=1, lease_seconds=0.5)
    assert ("w", clock.now + 0.5) == (leased.lease_owner, leased.lease_until)
    with pytest.raises(ValueError, match=r"^limit and lease_seconds must be positive$"):
        outbox.lease("w", limit=1, lease_seconds=0)


def test_jobs_due_at_the_same_instant_are_leased_in_the_order_they_were_enqueued(
    outbox: PostgresOutbox,
) -> None:
    keys = ["HS-3:sms", "HS-1:receipt", "HS-2:status", "HS-0:receipt"]
    for key in keys:  # one instant (the test clock), kinds out of alphabetical order
        outbox.enqueue(NewJob(key.split(":")[1], key))
    assert keys == [job.key for job in outbox.lease("w", limit=10, lease_seconds=30)]


def test_a_lost_lease_refuses_a_completion_with_follow_ups(
    outbox: PostgresOutbox, clock: FakeClock
) -> None:
    outbox.enqueue(NewJob("receipt", "HS-1:receipt"))
    [job] = outbox.lease("w1", limit=1, lease_seconds=30)
    clock.advance(31)
    [again] = outbox.lease("w2", limit=1, lease_seconds=30)
    late = JobResult({"code": "R1"}, follow_ups=[NewJob("sms", "HS-1:sms")])
    assert (job.id, False) == (again.id, outbox.complete(job.id, "w1", late))
    assert outbox.get("HS-1:sms") is None
    assert outbox.complete(again.id, "w2", late)
    assert {JobState.DONE: 1, JobState.PENDING: 1} == {
        state: n for state, n in outbox.counts().items() if n
    }
