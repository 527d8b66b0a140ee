"""The `OutboxStore` contract, run against every store kind (see `conftest.STORE_KINDS`).

Idempotent enqueue, exclusive leases, per-job start fenced to the lease holder, fenced
completion and failure, parking and staff resolution, atomic follow-ups.
"""

from __future__ import annotations

import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connectors.core import ValidationError
from connectors.delivery import (
    JobResult,
    JobState,
    NewJob,
    OutboxStore,
    Resolution,
    ResolveAction,
)

from .conftest import FakeClock, StoreKit


def lease_one(store: OutboxStore, owner: str = "w", seconds: float = 30) -> int:
    [job] = store.lease(owner, limit=1, lease_seconds=seconds)
    return job.id


def test_is_an_outbox_store(store: OutboxStore) -> None:
    assert isinstance(store, OutboxStore)


def test_enqueue_is_idempotent_on_the_key_and_first_write_wins(store: OutboxStore) -> None:
    first = store.enqueue(NewJob("issue_receipt", "HS-1:receipt", {"amount": 50_000}))
    again = store.enqueue(NewJob("issue_receipt", "HS-1:receipt", {"amount": 99}))
    assert first.id == again.id
    assert {"amount": 50_000} == dict(again.payload)
    assert 1 == store.counts()[JobState.PENDING]


def test_a_key_cannot_change_kind(store: OutboxStore) -> None:
    store.enqueue(NewJob("issue_receipt", "HS-1:receipt"))
    with pytest.raises(ValidationError) as caught:
        store.enqueue(NewJob("send_sms", "HS-1:receipt"))
    assert "key" == caught.value.field


def test_lease_takes_due_jobs_only_and_records_the_owner(
    store: OutboxStore, clock: FakeClock
) -> None:
    store.enqueue(NewJob("k", "now"))
    store.enqueue(NewJob("k", "later"), not_before=clock.now + 60)
    [leased] = store.lease("w1", limit=10, lease_seconds=120)
    assert ("now", JobState.LEASED) == (leased.key, leased.state)
    assert ("w1", clock.now + 120) == (leased.lease_owner, leased.lease_until)
    stored = store.get("now")
    assert stored is not None
    assert ("w1", clock.now + 120, 0) == (stored.lease_owner, stored.lease_until, stored.attempts)
    assert [] == store.lease("w2", limit=10, lease_seconds=30)
    clock.advance(60)
    assert ["later"] == [job.key for job in store.lease("w2", limit=10, lease_seconds=30)]


def test_lease_refuses_a_limit_or_lease_below_one(store: OutboxStore) -> None:
    store.enqueue(NewJob("k", "a"))
    with pytest.raises(ValueError, match="positive"):
        store.lease("w", limit=0, lease_seconds=30)
    with pytest.raises(ValueError, match="positive"):
        store.lease("w", limit=1, lease_seconds=0)
    assert 1 == store.counts()[JobState.PENDING], "nothing was taken"


def test_lease_filters_by_kind_and_respects_the_limit(store: OutboxStore) -> None:
    for n in range(3):
        store.enqueue(NewJob("receipt", f"r{n}"))
        store.enqueue(NewJob("sms", f"s{n}"))
    assert [] == store.lease("w", limit=5, lease_seconds=5, kinds=[])
    sms = store.lease("w", limit=2, lease_seconds=5, kinds=["sms", "absent"])
    assert ["s0", "s1"] == [job.key for job in sms]
    rest = store.lease("w", limit=10, lease_seconds=5)
    assert ["r0", "r1", "r2", "s2"] == sorted(job.key for job in rest)


def test_lease_takes_lapsed_leases_first_then_the_oldest_due(
    store: OutboxStore, clock: FakeClock
) -> None:
    store.enqueue(NewJob("b", "due-third"), not_before=clock.now + 3)
    store.enqueue(NewJob("a", "due-first"), not_before=clock.now + 1)
    store.enqueue(NewJob("a", "abandoned"))
    assert ["abandoned"] == [job.key for job in store.lease("gone", limit=1, lease_seconds=5)]
    store.enqueue(NewJob("b", "due-second"), not_before=clock.now + 2)
    clock.advance(10)
    order = [job.key for job in store.lease("w", limit=10, lease_seconds=5)]
    assert ["abandoned", "due-first", "due-second", "due-third"] == order


def test_start_counts_an_attempt_and_renews_the_lease_only_for_its_holder(
    store: OutboxStore, clock: FakeClock
) -> None:
    store.enqueue(NewJob("k", "HS-1:sms"))
    job_id = lease_one(store, "w1", 30)
    assert store.start(job_id, "w2", lease_seconds=30) is None, "not the holder"
    clock.advance(25)
    started = store.start(job_id, "w1", lease_seconds=30)
    assert started is not None
    assert (1, clock.now + 30, clock.now, "w1") == (
        started.attempts,
        started.lease_until,
        started.started_at,
        started.lease_owner,
    )
    clock.advance(20)  # past the first lease, within the renewed one: nobody may take it
    assert [] == store.lease("w2", limit=1, lease_seconds=30)


def test_start_after_the_lease_lapsed_works_unless_another_worker_took_the_job(
    store: OutboxStore, clock: FakeClock
) -> None:
    store.enqueue(NewJob("k", "a"))
    store.enqueue(NewJob("k", "b"))
    first, second = (job.id for job in store.lease("slow", limit=2, lease_seconds=10))
    clock.advance(11)
    started = store.start(first, "slow", lease_seconds=10)
    assert started is not None, "lapsed, but nobody took it: still the holder's"
    [taken] = store.lease("fast", limit=5, lease_seconds=10)
    assert second == taken.id
    assert store.start(second, "slow", lease_seconds=10) is None
    before = store.get("b")
    assert before is not None
    assert ("fast", 0) == (before.lease_owner, before.attempts), "the refused start changed nothing"


def test_a_lease_that_lapses_during_an_attempt_marks_the_outcome_unknown(
    store: OutboxStore, clock: FakeClock
) -> None:
    store.enqueue(NewJob("k", "in-flight"))
    store.enqueue(NewJob("k", "waiting"))
    in_flight, _ = (job.id for job in store.lease("doomed", limit=2, lease_seconds=10))
    assert store.start(in_flight, "doomed", lease_seconds=10) is not None
    clock.advance(11)
    taken = {job.key: job for job in store.lease("survivor", limit=5, lease_seconds=10)}
    assert taken["in-flight"].outcome_unknown
    assert taken["in-flight"].last_error is not None
    assert "doomed" in taken["in-flight"].last_error
    assert taken["in-flight"].started_at is None
    assert not taken["waiting"].outcome_unknown, "never started: nothing reached the vendor"
    assert taken["waiting"].last_error is None


def test_complete_fail_and_park_are_fenced_to_the_lease_holder(
    store: OutboxStore, clock: FakeClock
) -> None:
    job = store.enqueue(NewJob("k", "HS-1:sms"))
    lease_one(store, "dead-worker")
    clock.advance(31)
    [again] = store.lease("w2", limit=1, lease_seconds=30)
    assert job.id == again.id
    assert not store.complete(job.id, "dead-worker", JobResult({"late": True}))
    assert not store.fail(job.id, "dead-worker", error="late", retry_at=None)
    assert not store.park(job.id, "dead-worker", error="late")
    stored = store.get("HS-1:sms")
    assert stored is not None
    assert (JobState.LEASED, "w2", None) == (stored.state, stored.lease_owner, stored.last_error)
    assert store.complete(job.id, "w2", JobResult({"id": 7}))
    done = store.get("HS-1:sms")
    assert done is not None
    assert (JobState.DONE, {"id": 7}, None) == (
        done.state,
        dict(done.result or {}),
        done.lease_owner,
    )
    assert not store.complete(job.id, "w2", JobResult({"id": 8})), "done is final"
    assert not store.fail(job.id, "w2", error="x", retry_at=None)


def test_complete_enqueues_follow_ups_in_the_same_transaction(store: OutboxStore) -> None:
    job = store.enqueue(NewJob("receipt", "HS-1:receipt"))
    store.enqueue(NewJob("other", "HS-1:sms"))  # the follow-up's key is taken by another kind
    lease_one(store)
    with pytest.raises(ValidationError):
        store.complete(job.id, "w", JobResult({"n": 1}, [NewJob("sms", "HS-1:sms")]))
    stored = store.get("HS-1:receipt")
    assert stored is not None
    assert (JobState.LEASED, None) == (stored.state, stored.result), "rolled back"
    follow_ups = [NewJob("sms", "HS-1:status"), NewJob("sms", "HS-1:extra", {"n": 2})]
    assert store.complete(job.id, "w", JobResult({"n": 1}, follow_ups))
    stored_follow_ups = [store.get(key) for key in ("HS-1:status", "HS-1:extra")]
    assert [(JobState.PENDING, {}), (JobState.PENDING, {"n": 2})] == [
        (job.state, dict(job.payload)) for job in stored_follow_ups if job is not None
    ]


def test_fail_schedules_a_retry_or_dead_letters_and_revive_restarts(
    store: OutboxStore, clock: FakeClock
) -> None:
    job = store.enqueue(NewJob("k", "HS-1:receipt"))
    store.start(lease_one(store), "w", lease_seconds=30)
    assert store.fail(job.id, "w", error="503", retry_at=clock.now + 10, outcome_unknown=True)
    pending = store.get(job.key)
    assert pending is not None
    assert (JobState.PENDING, "503", True, None, None) == (
        pending.state,
        pending.last_error,
        pending.outcome_unknown,
        pending.lease_owner,
        pending.started_at,
    )
    assert clock.now + 10 == pending.next_attempt_at
    assert [] == store.lease("w", limit=1, lease_seconds=30), "not due before retry_at"
    clock.advance(10)
    lease_one(store)
    assert store.fail(job.id, "w", error="rejected", retry_at=None)
    assert [job.key] == [j.key for j in store.jobs(JobState.DEAD)]
    clock.advance(100)
    revived = store.revive(job.key)
    assert (JobState.PENDING, clock.now, clock.now) == (
        revived.state,
        revived.retry_since,
        revived.next_attempt_at,
    )
    with pytest.raises(ValidationError, match="no dead job"):
        store.revive(job.key)


def test_a_parked_job_waits_for_a_person(store: OutboxStore, clock: FakeClock) -> None:
    job = store.enqueue(NewJob("sms", "HS-1:sms"))
    store.start(lease_one(store), "w", lease_seconds=30)
    assert store.park(job.id, "w", error="OutcomeUnknown: answer lost")
    parked = store.get(job.key)
    assert parked is not None
    assert (JobState.UNKNOWN, True, "OutcomeUnknown: answer lost", None) == (
        parked.state,
        parked.outcome_unknown,
        parked.last_error,
        parked.lease_owner,
    )
    clock.advance(10 * 24 * 3600)
    assert [] == store.lease("w", limit=10, lease_seconds=30), "never leased again by itself"
    assert 1 == store.counts()[JobState.UNKNOWN]
    assert [job.key] == [j.key for j in store.jobs(JobState.UNKNOWN)]
    with pytest.raises(ValidationError, match="no dead job"):
        store.revive(job.key)


def park(store: OutboxStore, key: str) -> int:
    job = store.enqueue(NewJob("sms", key))
    store.start(lease_one(store), "w", lease_seconds=30)
    assert store.park(job.id, "w", error="OutcomeUnknown: answer lost")
    return job.id


def test_resolve_retry_records_who_why_and_when_and_runs_again(
    store: OutboxStore, clock: FakeClock
) -> None:
    park(store, "HS-1:sms")
    clock.advance(600)
    job = store.resolve(
        "HS-1:sms", ResolveAction.RETRY, reason="  not in MobiFone's report  ", by="lan"
    )
    expected = Resolution(ResolveAction.RETRY, "not in MobiFone's report", "lan", clock.now)
    assert (JobState.PENDING, (expected,), False) == (
        job.state,
        job.resolutions,
        job.outcome_unknown,
    )
    assert (clock.now, clock.now) == (job.next_attempt_at, job.retry_since)
    assert (False, None) == (job.confirmed_done, job.result)
    [again] = store.lease("w", limit=1, lease_seconds=30)
    assert (again.key, again.resolutions) == ("HS-1:sms", (expected,))


def test_resolve_done_keeps_the_result_for_the_worker_and_the_history(
    store: OutboxStore, clock: FakeClock
) -> None:
    job_id = park(store, "HS-1:sms")
    first = store.resolve("HS-1:sms", ResolveAction.RETRY, reason="try again", by="lan")
    store.start(lease_one(store), "w", lease_seconds=30)
    assert store.park(job_id, "w", error="OutcomeUnknown: again")
    clock.advance(5)
    job = store.resolve(
        "HS-1:sms",
        ResolveAction.DONE,
        reason="the citizen confirmed receipt",
        by="minh",
        result={"seen": "by phone"},
    )
    assert (JobState.PENDING, {"seen": "by phone"}, True) == (
        job.state,
        dict(job.result or {}),
        job.confirmed_done,
    )
    assert [
        first.resolutions[0],
        Resolution(ResolveAction.DONE, "the citizen confirmed receipt", "minh", clock.now),
    ] == list(job.resolutions)
    store.start(lease_one(store), "w", lease_seconds=30)
    assert store.complete(job_id, "w", JobResult({"seen": "by phone"}))
    done = store.get("HS-1:sms")
    assert done is not None
    assert (JobState.DONE, 2, False) == (done.state, len(done.resolutions), done.confirmed_done)


def test_resolve_applies_to_dead_jobs_too_and_refuses_others(store: OutboxStore) -> None:
    job = store.enqueue(NewJob("k", "HS-2:receipt"))
    lease_one(store)
    store.fail(job.id, "w", error="Rejected", retry_at=None)
    resolved = store.resolve("HS-2:receipt", ResolveAction.DONE, reason="issued by hand", by="an")
    assert resolved.confirmed_done
    store.enqueue(NewJob("k", "HS-3:receipt"))
    for key in ("HS-3:receipt", "HS-2:receipt", "missing"):
        with pytest.raises(ValidationError, match="no unknown or dead job"):
            store.resolve(key, ResolveAction.RETRY, reason="why", by="an")


@pytest.mark.parametrize(
    ("reason", "by", "action", "result", "field"),
    [
        ("", "an", ResolveAction.RETRY, None, "reason"),
        ("   ", "an", ResolveAction.RETRY, None, "reason"),
        ("x" * 501, "an", ResolveAction.RETRY, None, "reason"),
        ("ok\nthen", "an", ResolveAction.RETRY, None, "reason"),
        ("ok", "", ResolveAction.RETRY, None, "by"),
        ("ok", "an", ResolveAction.RETRY, {"n": 1}, "result"),
        ("ok", "an", ResolveAction.DONE, {"n": object()}, "result"),
    ],
)
def test_resolve_refuses_bad_input_and_changes_nothing(
    store: OutboxStore,
    reason: str,
    by: str,
    action: ResolveAction,
    result: dict[str, object] | None,
    field: str,
) -> None:
    park(store, "HS-1:sms")
    with pytest.raises(ValidationError) as caught:
        store.resolve("HS-1:sms", action, reason=reason, by=by, result=result)
    assert field == caught.value.field
    job = store.get("HS-1:sms")
    assert job is not None
    assert (JobState.UNKNOWN, ()) == (job.state, job.resolutions)


def test_counts_include_every_state(store: OutboxStore) -> None:
    assert dict.fromkeys(JobState, 0) == store.counts()
    park(store, "p")
    store.enqueue(NewJob("k", "q"))
    assert {JobState.UNKNOWN: 1, JobState.PENDING: 1} == {
        state: n for state, n in store.counts().items() if n
    }


def test_jobs_lists_oldest_first_within_the_limit(store: OutboxStore) -> None:
    for n in range(101):
        store.enqueue(NewJob("k", f"job-{n}"))
    assert (100, 100) == (len(store.jobs()), len(store.jobs(JobState.PENDING))), "by default"
    assert ["job-0", "job-1"] == [job.key for job in store.jobs(limit=2)]
    assert ["job-0", "job-1", "job-2"] == [j.key for j in store.jobs(JobState.PENDING, limit=3)]
    assert [] == store.jobs(JobState.DONE)


def test_concurrent_workers_never_lease_the_same_job(store_kit: StoreKit) -> None:
    first = store_kit.open()
    for n in range(200):
        first.enqueue(NewJob("k", f"job-{n}"))
    leased: list[str] = []
    lock = threading.Lock()
    stores = [store_kit.open() for _ in range(4)]  # a handle per worker, as separate processes

    def work(store: OutboxStore, owner: str) -> None:
        while batch := store.lease(owner, limit=7, lease_seconds=60):
            with lock:
                leased.extend(job.key for job in batch)

    threads = [
        threading.Thread(target=work, args=(store, f"w{n}")) for n, store in enumerate(stores)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(f"job-{n}" for n in range(200)) == sorted(leased)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=30)
@given(
    st.lists(
        st.text(
            st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
            min_size=1,
            max_size=30,
        ),
        min_size=1,
        max_size=20,
        unique=True,
    )
)
def test_any_printable_keys_round_trip(store_kit: StoreKit, keys: list[str]) -> None:
    store = store_kit.open()
    printable = [key for key in keys if key.isprintable()]
    for key in printable:
        store.enqueue(NewJob("k", key, {"key": key}))
    for key in printable:
        job = store.get(key)
        assert job is not None
        assert {"key": key} == dict(job.payload)


def test_lease_without_kinds_takes_every_kind(store: OutboxStore) -> None:
    for kind in ("A_first", "Zeta", "receipt", "sms"):  # upper case sorts before lower
        store.enqueue(NewJob(kind, f"{kind}-1"))
    taken = store.lease("w", limit=10, lease_seconds=5)
    assert ["A_first-1", "Zeta-1", "receipt-1", "sms-1"] == sorted(job.key for job in taken)


def test_bad_arguments_are_refused_with_their_reason(store: OutboxStore) -> None:
    job = store.enqueue(NewJob("k", "HS-1:receipt"))
    with pytest.raises(ValueError, match=r"^limit and lease_seconds must be positive$"):
        store.lease("w", limit=1, lease_seconds=-1)
    lease_one(store)
    with pytest.raises(ValueError, match=r"^lease_seconds must be positive$"):
        store.start(job.id, "w", lease_seconds=0)
    started = store.start(job.id, "w", lease_seconds=0.5)
    assert started is not None
    with pytest.raises(ValidationError) as caught:
        store.complete(job.id, "w", JobResult({"when": object()}))
    assert "result" == caught.value.field
    with pytest.raises(ValidationError, match="already used by a 'k' job"):
        store.enqueue(NewJob("other", "HS-1:receipt"))


def test_times_are_kept_apart(store: OutboxStore, clock: FakeClock) -> None:
    job = store.enqueue(NewJob("k", "HS-1:receipt"))
    assert (clock.now, clock.now, None) == (job.created_at, job.retry_since, job.finished_at)
    created = clock.now
    store.start(lease_one(store), "w", lease_seconds=30)
    clock.advance(5)
    assert store.fail(job.id, "w", error="503", retry_at=clock.now + 5)
    pending = store.get(job.key)
    assert pending is not None
    assert (False, None) == (pending.outcome_unknown, pending.finished_at)
    clock.advance(5)
    lease_one(store)
    assert store.fail(job.id, "w", error="Rejected", retry_at=None)
    dead = store.get(job.key)
    assert dead is not None
    assert (clock.now, clock.now) == (dead.finished_at, dead.next_attempt_at), "as scheduled"
    clock.advance(100)
    revived = store.revive(job.key)
    assert (created, clock.now, None) == (
        revived.created_at,
        revived.retry_since,
        revived.finished_at,
    )
    lease_one(store)
    clock.advance(1)
    assert store.complete(job.id, "w", JobResult())
    done = store.get(job.key)
    assert done is not None
    assert (created, clock.now) == (done.created_at, done.finished_at)


def test_missing_keys_are_refused_naming_the_key(store: OutboxStore) -> None:
    for call in (
        lambda: store.revive("HS-9:sms"),
        lambda: store.resolve("HS-9:sms", ResolveAction.RETRY, reason="why", by="an"),
    ):
        with pytest.raises(ValidationError) as caught:
            call()
        assert ("key", True) == (caught.value.field, "'HS-9:sms'" in str(caught.value))
    park(store, "HS-1:sms")
    with pytest.raises(ValidationError, match=r"^a result goes with 'done', not 'retry'$"):
        store.resolve("HS-1:sms", ResolveAction.RETRY, reason="r", by="an", result={"n": 1})


def test_a_resolution_keeps_unicode_reasons(store: OutboxStore) -> None:
    park(store, "HS-1:sms")
    job = store.resolve(
        "HS-1:sms", ResolveAction.DONE, reason="Đã gửi, xem báo cáo MobiFone", by="Lan"
    )
    assert "Đã gửi, xem báo cáo MobiFone" == job.resolutions[0].reason
    assert {} == job.result
