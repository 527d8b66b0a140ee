"""Inbound verification: timestamps, seen-stores, claim after the effect (`EventGate`) and
the "t.body" HMAC scheme."""

from __future__ import annotations

import json
import math
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from connectors.core.errors import SignatureError
from connectors.core.webhooks import (
    _KEY_LOCKS,
    EventGate,
    HmacWebhookVerifier,
    MemorySeenStore,
    SeenStore,
    SqliteSeenStore,
    check_timestamp,
)

SECRET = "whsec_9f8e7d6c5b4a39281706"
NOW = 1_735_787_460  # 2025-01-02 10:11:00 +07:00
BODY = b'{"id":"evt_001","type":"feedback.answered","data":{"code":"PAKN-2025-000123"}}'


def verifier(secret: str = SECRET, **kw: object) -> HmacWebhookVerifier:
    return HmacWebhookVerifier(secret, clock=lambda: float(NOW), provider="ihanoi", **kw)  # type: ignore[arg-type]


# -- check_timestamp -------------------------------------------------------------------


@pytest.mark.parametrize(
    "timestamp", [NOW, NOW - 300, NOW + 300, str(NOW - 10), f" {NOW} ", float(NOW) + 0.5]
)
def test_a_timestamp_within_tolerance_is_accepted(timestamp: int | float | str) -> None:
    assert math.isclose(float(str(timestamp).strip()), check_timestamp(timestamp, now=NOW))


@pytest.mark.parametrize("timestamp", [NOW - 301, NOW + 301, 0, str(NOW + 3600)])
def test_a_stale_or_future_timestamp_is_refused(timestamp: int | str) -> None:
    with pytest.raises(SignatureError, match="tolerance") as caught:
        check_timestamp(timestamp, now=NOW, provider="sepay")

    assert "sepay" == caught.value.provider


@pytest.mark.parametrize("timestamp", ["", "abc", "12e", None, True, "nan", "inf", math.inf])
def test_a_timestamp_that_is_not_a_number_is_refused(timestamp: object) -> None:
    with pytest.raises(SignatureError):
        check_timestamp(timestamp, now=NOW)  # type: ignore[arg-type]


@pytest.mark.parametrize("timestamp", [None, True, False])
def test_a_missing_or_boolean_timestamp_says_so(timestamp: object) -> None:
    with pytest.raises(SignatureError, match="missing or invalid timestamp"):
        check_timestamp(timestamp, now=1.0, tolerance=10**12)  # type: ignore[arg-type]


def test_the_clock_is_used_when_now_is_not_given() -> None:
    assert NOW + 5 == check_timestamp(NOW + 5, tolerance=10, clock=lambda: NOW + 14.0)
    with pytest.raises(SignatureError):
        check_timestamp(NOW + 5, tolerance=10, clock=lambda: NOW + 16.0)


# -- HmacWebhookVerifier ---------------------------------------------------------------


def test_sign_makes_a_v1_header_over_timestamp_dot_body() -> None:
    import hashlib
    import hmac

    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()

    assert f"v1={expected}" == verifier().sign(BODY, NOW)


def test_a_valid_signature_is_accepted() -> None:
    hook = verifier()

    hook.verify(BODY, signature_header=hook.sign(BODY, NOW), timestamp=NOW)
    hook.verify(
        BODY, signature_header=hook.sign(BODY, NOW).upper().replace("V1", "v1"), timestamp=str(NOW)
    )


def test_a_bad_signature_is_refused() -> None:
    header = verifier("another-secret-entirely").sign(BODY, NOW)

    with pytest.raises(SignatureError, match="mismatch") as caught:
        verifier().verify(BODY, signature_header=header, timestamp=NOW)
    assert "ihanoi" == caught.value.provider


def test_a_body_altered_after_signing_is_refused() -> None:
    hook = verifier()
    header = hook.sign(BODY, NOW)

    with pytest.raises(SignatureError, match="mismatch"):
        hook.verify(BODY.replace(b"000123", b"000124"), signature_header=header, timestamp=NOW)
    with pytest.raises(SignatureError, match="mismatch"):
        hook.verify(BODY + b"\n", signature_header=header, timestamp=NOW)


def test_a_timestamp_other_than_the_signed_one_is_refused() -> None:
    hook = verifier()

    with pytest.raises(SignatureError, match="mismatch"):
        hook.verify(BODY, signature_header=hook.sign(BODY, NOW), timestamp=NOW + 1)


@pytest.mark.parametrize("offset", [-301, 301, -86_400])
def test_stale_and_future_timestamps_are_refused_even_when_signed(offset: int) -> None:
    hook = verifier()
    header = hook.sign(BODY, NOW + offset)

    with pytest.raises(SignatureError, match="tolerance"):
        hook.verify(BODY, signature_header=header, timestamp=NOW + offset)


def test_the_tolerance_is_configurable() -> None:
    hook = verifier(tolerance=3600)

    hook.verify(BODY, signature_header=hook.sign(BODY, NOW - 3000), timestamp=NOW - 3000)


@pytest.mark.parametrize("header", [None, "", "   "])
def test_a_missing_header_is_refused(header: str | None) -> None:
    with pytest.raises(SignatureError, match="missing signature"):
        verifier().verify(BODY, signature_header=header, timestamp=NOW)


@pytest.mark.parametrize("timestamp", [None, "", " "])
def test_a_missing_timestamp_is_refused(timestamp: str | None) -> None:
    hook = verifier()

    with pytest.raises(SignatureError, match="missing timestamp"):
        hook.verify(BODY, signature_header=hook.sign(BODY, NOW), timestamp=timestamp)


@pytest.mark.parametrize("header", ["abc", "v0=abcd", "v1=", "t=1,v2=ab", ",,"])
def test_a_malformed_header_is_refused(header: str) -> None:
    with pytest.raises(SignatureError, match="malformed"):
        verifier().verify(BODY, signature_header=header, timestamp=NOW)


def test_a_non_numeric_timestamp_is_refused_even_when_signed() -> None:
    hook = verifier()
    header = "v1=" + hook._signer.sign(b"soon." + BODY)

    with pytest.raises(SignatureError, match="not a number"):
        hook.verify(BODY, signature_header=header, timestamp="soon")


def test_any_of_several_signatures_may_match_during_rotation() -> None:
    old, new = verifier("old-secret-2024"), verifier("new-secret-2025")
    header = f"{old.sign(BODY, NOW)}, {new.sign(BODY, NOW)}"

    old.verify(BODY, signature_header=header, timestamp=NOW)
    new.verify(BODY, signature_header=header, timestamp=NOW)
    with pytest.raises(SignatureError, match="mismatch"):
        verifier().verify(BODY, signature_header=header, timestamp=NOW)


def test_unknown_schemes_in_the_header_are_ignored() -> None:
    hook = verifier()
    header = f"t={NOW},v0=deadbeef,{hook.sign(BODY, NOW)}"

    hook.verify(BODY, signature_header=header, timestamp=NOW)


def test_sha512_and_secretstr_secrets_work() -> None:
    hook = HmacWebhookVerifier(SecretStr(SECRET), algorithm="sha512", clock=lambda: NOW)

    assert 3 + 128 == len(hook.sign(BODY, NOW))
    hook.verify(BODY, signature_header=hook.sign(BODY, NOW), timestamp=NOW)


def test_the_verifier_repr_hides_the_secret() -> None:
    assert SECRET not in repr(verifier())


# -- seen stores -----------------------------------------------------------------------

Store = MemorySeenStore | SqliteSeenStore


@pytest.fixture(params=["memory", "sqlite-memory", "sqlite-file"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        yield MemorySeenStore()
        return
    path = ":memory:" if request.param == "sqlite-memory" else tmp_path / "seen.db"
    with SqliteSeenStore(path) as sqlite_store:
        yield sqlite_store


def test_a_key_is_marked_done_once(store: Store) -> None:
    assert not store.seen("evt_001")
    assert [True, False, False] == [store.mark_done("evt_001") for _ in range(3)]
    assert store.seen("evt_001")
    assert not store.seen("evt_002")


def test_namespaces_are_separate(store: Store) -> None:
    assert store.mark_done("TXN1", namespace="vnpay")
    assert store.mark_done("TXN1", namespace="momo")
    assert not store.seen("TXN1")
    assert store.seen("TXN1", namespace="momo")


def test_discard_lets_staff_reprocess_an_event(store: Store) -> None:
    store.mark_done("evt_001")
    store.mark_done("evt_001", namespace="other")

    store.discard("evt_001")
    store.discard("never-added")

    assert (False, True) == (store.seen("evt_001"), store.seen("evt_001", namespace="other"))
    assert store.mark_done("evt_001")


def test_every_store_meets_the_protocol(store: Store) -> None:
    assert isinstance(store, SeenStore)


def test_the_protocol_is_seen_and_mark_done_only() -> None:
    class Minimal:
        def seen(self, key: str, *, namespace: str = "default") -> bool:
            return False

        def mark_done(self, key: str, *, namespace: str = "default") -> bool:
            return True

    class NoMark:
        def seen(self, key: str, *, namespace: str = "default") -> bool:
            return False

    assert isinstance(Minimal(), SeenStore)
    assert not isinstance(NoMark(), SeenStore)


def hammer(stores: list[Store], keys: list[str], threads_per_store: int = 4) -> list[str]:
    """Threads race to mark every key; return the keys each win was for."""
    wins: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(stores) * threads_per_store)

    def worker(target: Store) -> None:
        barrier.wait()
        for key in keys:
            if target.mark_done(key):
                with lock:
                    wins.append(key)

    threads = [
        threading.Thread(target=worker, args=(target,))
        for target in stores
        for _ in range(threads_per_store)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return wins


def test_threads_sharing_a_store_win_each_key_once(store: Store) -> None:
    keys = [f"evt_{n:04d}" for n in range(300)]

    wins = hammer([store], keys, threads_per_store=8)

    assert sorted(keys) == sorted(wins)


def test_two_sqlite_stores_on_one_file_see_each_other(tmp_path: Path) -> None:
    path = tmp_path / "seen.db"
    with SqliteSeenStore(path) as first, SqliteSeenStore(str(path)) as second:
        assert first.mark_done("evt_001", namespace="sepay")
        assert second.seen("evt_001", namespace="sepay")
        assert not second.mark_done("evt_001", namespace="sepay")
        second.discard("evt_001", namespace="sepay")
        assert not first.seen("evt_001", namespace="sepay")


def test_threads_on_separate_sqlite_connections_win_each_key_once(tmp_path: Path) -> None:
    keys = [f"evt_{n:04d}" for n in range(200)]
    path = tmp_path / "seen.db"
    with SqliteSeenStore(path) as first, SqliteSeenStore(path) as second:
        wins = hammer([first, second], keys, threads_per_store=3)

    assert sorted(keys) == sorted(wins)


_PROCESS_SCRIPT = """
import json, sys
from connectors.core.webhooks import SqliteSeenStore
with SqliteSeenStore(sys.argv[1]) as store:
    print(json.dumps([k for k in sys.argv[2:] if store.mark_done(k)]))
"""


def test_processes_sharing_a_file_win_each_key_once(tmp_path: Path) -> None:
    keys = [f"evt_{n:04d}" for n in range(200)]
    path = str(tmp_path / "seen.db")
    SqliteSeenStore(path).close()  # create the schema before the race
    command = [sys.executable, "-c", _PROCESS_SCRIPT, path, *keys]
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, cwd=Path(__file__).parents[2])  # noqa: S603
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=60)[0] for process in processes]

    wins = [key for output in outputs for key in json.loads(output)]
    assert [0, 0, 0] == [process.returncode for process in processes]
    assert sorted(keys) == sorted(wins)


def test_a_sqlite_file_uses_wal_and_keeps_keys_across_reopening(tmp_path: Path) -> None:
    path = tmp_path / "seen.db"
    with SqliteSeenStore(path) as store:
        store.mark_done("evt_001")

    with SqliteSeenStore(path) as reopened:
        assert reopened.seen("evt_001")
    connection = sqlite3.connect(path)
    try:
        assert "wal" == connection.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        connection.close()


def test_a_memory_sqlite_store_stays_in_memory() -> None:
    with SqliteSeenStore() as store, store._db as conn:
        assert "memory" == conn.execute("PRAGMA journal_mode").fetchone()[0]
        assert "SqliteSeenStore(':memory:')" == repr(store)


def test_sqlite_purge_forgets_keys_done_before_the_cutoff() -> None:
    times = iter([100.0, 200.0, 300.0])
    clock: Callable[[], float] = lambda: next(times)  # noqa: E731
    with SqliteSeenStore(clock=clock) as store:
        for key in ("a", "b", "c"):
            store.mark_done(key)

        assert 1 == store.purge(before=200.0)  # strictly before: "b" at 200.0 stays
        assert 1 == store.purge(before=250.0)
        assert [False, False, True] == [store.seen(key) for key in ("a", "b", "c")]


def test_a_sqlite_store_closes_at_the_end_of_its_with_block() -> None:
    with SqliteSeenStore() as store:
        store.mark_done("evt_001")
    with pytest.raises(sqlite3.ProgrammingError):
        store.seen("evt_001")


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "seen.db"
    path.write_bytes(b"this is not an SQLite database, just text" * 100)
    with pytest.raises(sqlite3.DatabaseError):
        SqliteSeenStore(path)


def test_a_closed_sqlite_store_cannot_be_used() -> None:
    store = SqliteSeenStore()
    store.close()

    with pytest.raises(sqlite3.ProgrammingError):
        store.mark_done("evt_001")


def test_memory_store_evicts_the_oldest_beyond_max_size() -> None:
    store = MemorySeenStore(max_size=2)
    for key in ("a", "b", "c"):
        store.mark_done(key)

    assert 2 == len(store)
    assert [False, True, True] == [store.seen(key) for key in ("a", "b", "c")]
    assert store.mark_done("a")
    assert "MemorySeenStore(max_size=2)" == repr(store)


def test_memory_store_at_exactly_max_size_keeps_everything() -> None:
    store = MemorySeenStore(max_size=2)
    store.mark_done("a")
    store.mark_done("b")
    assert [True, True] == [store.seen("a"), store.seen("b")]


@pytest.mark.parametrize("size", [0, -1])
def test_memory_store_refuses_a_useless_max_size(size: int) -> None:
    with pytest.raises(ValueError, match="max_size"):
        MemorySeenStore(max_size=size)


def test_memory_store_of_one_key_keeps_the_latest() -> None:
    store = MemorySeenStore(max_size=1)
    store.mark_done("a")
    store.mark_done("b")
    assert (False, True, 1) == (store.seen("a"), store.seen("b"), len(store))


# -- EventGate: claim after the effect -------------------------------------------------


class Boom(Exception):
    pass


@pytest.mark.parametrize("error", [Boom("db down"), KeyboardInterrupt(), SystemExit(1)])
def test_a_failed_effect_marks_nothing_and_the_next_delivery_runs_it(
    store: Store, error: BaseException
) -> None:
    gate = EventGate(store, namespace="vnpay")
    calls: list[str] = []

    def effect() -> None:
        calls.append("run")
        if len(calls) == 1:
            raise error

    with pytest.raises(type(error)):
        gate.run("evt_001", effect)
    assert not store.seen("evt_001", namespace="vnpay")

    assert gate.run("evt_001", effect)
    assert not gate.run("evt_001", effect)
    assert ["run", "run"] == calls
    assert store.seen("evt_001", namespace="vnpay")
    assert not store.seen("evt_001")  # marked in the gate's namespace only


def test_the_effect_runs_before_the_key_is_marked(store: Store) -> None:
    gate = EventGate(store, namespace="sepay")
    during: list[bool] = []

    assert gate.run("92704", lambda: during.append(store.seen("92704", namespace="sepay")))
    assert [False] == during
    assert store.seen("92704", namespace="sepay")


def test_a_failing_store_propagates_and_the_effect_may_run_again() -> None:
    class FlakyStore(MemorySeenStore):
        fail_mark = True

        def mark_done(self, key: str, *, namespace: str = "default") -> bool:
            if self.fail_mark:
                self.fail_mark = False
                raise sqlite3.OperationalError("disk I/O error")
            return super().mark_done(key, namespace=namespace)

    store = FlakyStore()
    gate = EventGate(store)
    calls: list[int] = []

    with pytest.raises(sqlite3.OperationalError):
        gate.run("k", lambda: calls.append(1))
    assert gate.run("k", lambda: calls.append(2))
    assert [1, 2] == calls  # the effect ran again: it must be idempotent on the key


def test_concurrent_deliveries_wait_for_the_first_and_run_the_effect_once(
    store: Store,
) -> None:
    gate = EventGate(store, namespace="momo")
    started = threading.Event()
    release = threading.Event()
    calls: list[str] = []
    results: list[bool] = []

    def slow() -> None:
        calls.append("run")
        started.set()
        assert release.wait(10)

    first = threading.Thread(target=lambda: results.append(gate.run("evt", slow)))
    first.start()
    assert started.wait(10)
    others = [
        threading.Thread(target=lambda: results.append(gate.run("evt", slow))) for _ in range(5)
    ]
    for thread in others:
        thread.start()
    release.set()
    for thread in [first, *others]:
        thread.join()

    assert ["run"] == calls
    assert [True] + [False] * 5 == sorted(results, reverse=True)
    assert 0 == len(_KEY_LOCKS)  # no lock left behind


def test_two_gates_on_one_store_serialise_too(tmp_path: Path) -> None:
    path = tmp_path / "seen.db"
    with SqliteSeenStore(path) as one, SqliteSeenStore(path) as two:
        gates = [EventGate(one, namespace="ihanoi"), EventGate(two, namespace="ihanoi")]
        barrier = threading.Barrier(8)
        calls: list[int] = []
        lock = threading.Lock()

        def effect() -> None:
            with lock:
                calls.append(1)

        def deliver(n: int) -> None:
            barrier.wait()
            gates[n % 2].run("evt-1", effect)

        threads = [threading.Thread(target=deliver, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert [1] == calls


def test_other_keys_are_not_held_up_by_a_slow_one() -> None:
    gate = EventGate(MemorySeenStore())
    inside = threading.Event()
    release = threading.Event()

    def slow() -> None:
        inside.set()
        assert release.wait(10)

    thread = threading.Thread(target=gate.run, args=("slow", slow))
    thread.start()
    assert inside.wait(10)
    assert gate.run("fast", lambda: None)  # does not wait for "slow"
    assert 1 == len(_KEY_LOCKS)
    release.set()
    thread.join()
    assert 0 == len(_KEY_LOCKS)
    assert "EventGate(store=MemorySeenStore(max_size=None), namespace='default')" == repr(gate)
