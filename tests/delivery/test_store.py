"""The SQLite outbox: idempotent enqueue, exclusive leases, fenced completion, atomicity."""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.core import ValidationError
from connectors.delivery import JobResult, JobState, NewJob, SqliteOutbox

from .conftest import FakeClock


def test_enqueue_is_idempotent_on_the_key_and_first_write_wins(outbox: SqliteOutbox) -> None:
    first = outbox.enqueue(NewJob("issue_receipt", "HS-1:receipt", {"amount": 50_000}))
    again = outbox.enqueue(NewJob("issue_receipt", "HS-1:receipt", {"amount": 99}))
    assert first.id == again.id
    assert {"amount": 50_000} == dict(again.payload)
    assert 1 == outbox.counts()[JobState.PENDING]


def test_a_key_cannot_change_kind(outbox: SqliteOutbox) -> None:
    outbox.enqueue(NewJob("issue_receipt", "HS-1:receipt"))
    with pytest.raises(ValidationError) as caught:
        outbox.enqueue(NewJob("send_sms", "HS-1:receipt"))
    assert "key" == caught.value.field


@pytest.mark.parametrize(
    ("kind", "key", "payload", "field"),
    [
        ("issue receipt", "k", {}, "kind"),
        ("issue_receipt", "", {}, "key"),
        ("issue_receipt", "a\nb", {}, "key"),
        ("issue_receipt", "x" * 201, {}, "key"),
        ("issue_receipt", "k", {"when": object()}, "payload"),
        ("issue_receipt", "k", {"amount": float("nan")}, "payload"),
    ],
)
def test_bad_jobs_are_refused_before_storing(
    kind: str, key: str, payload: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        NewJob(kind, key, payload)
    assert field == caught.value.field


def test_in_memory_database_is_refused() -> None:
    with pytest.raises(ValidationError, match="lost with the process"):
        SqliteOutbox(":memory:")


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


def test_lease_takes_due_jobs_only_and_counts_an_attempt(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    outbox.enqueue(NewJob("k", "now"))
    outbox.enqueue(NewJob("k", "later"), not_before=clock.now + 60)
    leased = outbox.lease("w1", limit=10, lease_seconds=120)
    assert ["now"] == [job.key for job in leased]
    assert 1 == leased[0].attempts
    assert JobState.LEASED == leased[0].state
    assert [] == outbox.lease("w2", limit=10, lease_seconds=30)
    clock.advance(60)
    assert ["later"] == [job.key for job in outbox.lease("w2", limit=10, lease_seconds=30)]


def test_lease_filters_by_kind(outbox: SqliteOutbox) -> None:
    outbox.enqueue(NewJob("receipt", "a"))
    outbox.enqueue(NewJob("sms", "b"))
    assert [] == outbox.lease("w", limit=5, lease_seconds=5, kinds=[])
    assert ["b"] == [job.key for job in outbox.lease("w", limit=5, lease_seconds=5, kinds=["sms"])]


def test_expired_lease_moves_to_another_worker_and_fences_the_first(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    job = outbox.enqueue(NewJob("k", "HS-1:sms"))
    outbox.lease("dead-worker", limit=1, lease_seconds=30)
    clock.advance(31)
    [again] = outbox.lease("w2", limit=1, lease_seconds=30)
    assert job.id == again.id
    assert 2 == again.attempts
    assert not outbox.complete(job.id, "dead-worker", JobResult({"late": True}))
    assert not outbox.fail(job.id, "dead-worker", error="late", retry_at=None)
    assert outbox.complete(job.id, "w2", JobResult({"id": 7}))
    done = outbox.get("HS-1:sms")
    assert done is not None
    assert (JobState.DONE, {"id": 7}) == (done.state, dict(done.result or {}))


def test_complete_enqueues_follow_ups_in_the_same_transaction(outbox: SqliteOutbox) -> None:
    job = outbox.enqueue(NewJob("receipt", "HS-1:receipt"))
    outbox.enqueue(NewJob("other", "HS-1:sms"))  # the follow-up's key is taken by another kind
    outbox.lease("w", limit=1, lease_seconds=30)
    with pytest.raises(ValidationError):
        outbox.complete(job.id, "w", JobResult({"n": 1}, [NewJob("sms", "HS-1:sms")]))
    stored = outbox.get("HS-1:receipt")
    assert stored is not None
    assert JobState.LEASED == stored.state, "the completion must have been rolled back"
    assert outbox.complete(job.id, "w", JobResult({"n": 1}, [NewJob("sms", "HS-1:status")]))
    assert JobState.PENDING == (outbox.get("HS-1:status") or stored).state


def test_fail_schedules_a_retry_or_dead_letters_and_revive_restarts(
    outbox: SqliteOutbox, clock: FakeClock
) -> None:
    job = outbox.enqueue(NewJob("k", "HS-1:receipt"))
    outbox.lease("w", limit=1, lease_seconds=30)
    assert outbox.fail(job.id, "w", error="503", retry_at=clock.now + 10, outcome_unknown=True)
    pending = outbox.get(job.key)
    assert pending is not None
    assert (JobState.PENDING, "503", True) == (
        pending.state,
        pending.last_error,
        pending.outcome_unknown,
    )
    assert clock.now + 10 == pending.next_attempt_at
    clock.advance(10)
    outbox.lease("w", limit=1, lease_seconds=30)
    assert outbox.fail(job.id, "w", error="rejected", retry_at=None)
    assert [job.key] == [j.key for j in outbox.jobs(JobState.DEAD)]
    clock.advance(100)
    revived = outbox.revive(job.key)
    assert (JobState.PENDING, clock.now) == (revived.state, revived.retry_since)
    with pytest.raises(ValidationError, match="no dead job"):
        outbox.revive(job.key)


def test_counts_include_every_state(outbox: SqliteOutbox) -> None:
    assert dict.fromkeys(JobState, 0) == outbox.counts()


def test_concurrent_workers_never_lease_the_same_job(tmp_path: Path) -> None:
    path = tmp_path / "outbox.db"
    with SqliteOutbox(path) as store:
        for n in range(200):
            store.enqueue(NewJob("k", f"job-{n}"))
    leased: list[str] = []
    lock = threading.Lock()

    def work(owner: str) -> None:
        with SqliteOutbox(path) as store:  # a connection per worker, as separate processes
            while batch := store.lease(owner, limit=7, lease_seconds=60):
                with lock:
                    leased.extend(job.key for job in batch)

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(f"job-{n}" for n in range(200)) == sorted(leased)


@given(
    st.lists(
        st.text(
            st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
            min_size=1,
            max_size=30,
        ),
        min_size=1,
        max_size=20,
    )
)
def test_any_printable_keys_round_trip(keys: list[str]) -> None:
    clock = FakeClock()
    with (
        tempfile.TemporaryDirectory() as folder,
        SqliteOutbox(Path(folder) / "o.db", clock=clock) as store,
    ):
        printable = [key for key in keys if key.isprintable()]
        for key in printable:
            store.enqueue(NewJob("k", key, {"key": key}))
        for key in printable:
            job = store.get(key)
            assert job is not None
            assert {"key": key} == dict(job.payload)
        assert len(set(printable)) == store.counts()[JobState.PENDING]
