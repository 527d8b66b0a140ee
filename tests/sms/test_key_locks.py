"""`KeyLocks`: one key at a time, different keys side by side, nothing kept afterwards."""

from __future__ import annotations

import threading

from connectors.sms.journal import KeyLocks


def test_a_key_held_makes_another_holder_of_it_wait() -> None:
    locks = KeyLocks()
    entered = threading.Event()
    with locks.hold("HS1:sms"):
        thread = threading.Thread(target=lambda: _enter(locks, "HS1:sms", entered))
        thread.start()
        assert not entered.wait(0.2)
    thread.join(5)
    assert entered.is_set()


def test_different_keys_never_wait_for_each_other() -> None:
    locks = KeyLocks()
    keys = [f"HS{i}:sms" for i in range(200)]  # many more than any stripe count
    entered = threading.Event()
    with locks.hold(keys[0]):
        for key in keys[1:]:
            thread = threading.Thread(target=lambda k=key: _enter(locks, k, entered))
            thread.start()
            thread.join(5)
            assert entered.is_set(), key
            entered.clear()


def test_a_released_key_is_forgotten() -> None:
    locks = KeyLocks()
    with locks.hold("HS1:sms"), locks.hold("HS2:sms"):
        assert 2 == len(locks)
    assert 0 == len(locks)


def _enter(locks: KeyLocks, key: str, entered: threading.Event) -> None:
    with locks.hold(key):
        entered.set()
