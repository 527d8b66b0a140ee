"""Inbound verification shared by bank IPNs and iHanoi webhooks: time, replay, signature.

- `check_timestamp` refuses a timestamp (Unix seconds) too far from now, in either
  direction.
- A `SeenStore` remembers which inbound events were handled, per namespace: `seen(key)`
  and `mark_done(key)`. `MemorySeenStore` serves one process; `SqliteSeenStore` serves
  every thread and process sharing its file.
- `EventGate` runs the portal's code for an event and marks the event done only once that
  code has returned (claim after the effect): a crash, an exception, `SystemExit` or
  `KeyboardInterrupt` in between leaves the event unmarked, so the sender's next delivery
  runs it again. The portal's code must therefore be idempotent on the event key.
- `HmacWebhookVerifier` checks the "t.body" scheme: HMAC of `f"{timestamp}."` followed by
  the raw body bytes, sent as `v1=<hex>` (several, comma-separated, during key rotation).

Verification failures raise `SignatureError`; a caller must change no state before
verification has passed.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, runtime_checkable

from pydantic import SecretStr

from connectors.core.closing import Closeable
from connectors.core.errors import SignatureError
from connectors.core.signing import HashName, HmacSigner, constant_time_equals
from connectors.core.sqlite import SharedConnection
from connectors.core.telemetry import callback_verdict, counts_refusals

__all__ = [
    "EventGate",
    "HmacWebhookVerifier",
    "MemorySeenStore",
    "SeenStore",
    "SqliteSeenStore",
    "StaleTimestamp",
    "check_timestamp",
]


class StaleTimestamp(SignatureError):
    """A timestamp outside the accepted window (a replay, or a sender's clock far off)."""

    stale = True
    """Read by telemetry: the callback's verdict is "stale", not "forged"."""


def check_timestamp(
    timestamp: int | float | str | None,
    *,
    tolerance: float = 300,
    now: float | None = None,
    clock: Callable[[], float] = time.time,
    provider: str | None = None,
) -> float:
    """Return `timestamp` (Unix seconds) as a float if it is within `tolerance` of now.

    `now` defaults to `clock()`. Raises SignatureError if the timestamp is missing, not a
    finite number, or more than `tolerance` seconds in the past or in the future.
    """
    if timestamp is None or isinstance(timestamp, bool):
        raise SignatureError("missing or invalid timestamp", provider=provider)
    try:
        value = float(timestamp.strip() if isinstance(timestamp, str) else timestamp)
    except (TypeError, ValueError):
        raise SignatureError("timestamp is not a number", provider=provider) from None
    if not math.isfinite(value):
        raise SignatureError("timestamp is not a finite number", provider=provider)
    current = clock() if now is None else now
    if abs(current - value) > tolerance:
        raise StaleTimestamp(
            f"timestamp {value:.0f} is outside the {tolerance:g}s tolerance", provider=provider
        )
    return value


@runtime_checkable
class SeenStore(Protocol):
    """Remembers which inbound events were handled, per namespace.

    Two operations, both safe from several threads (and, for a shared database, several
    processes):

    - `seen(key)`: whether `key` was marked done;
    - `mark_done(key)`: record `key` as done, atomically; True if this call recorded it,
      False if it was already recorded (by another thread or process).

    A receiver calls `mark_done` only after the portal's code for the event has returned
    (see `EventGate`), never before: a claim made before the effect would turn a crash in
    between into a lost event. An implementation on the portal's own database (PostgreSQL:
    `INSERT ... ON CONFLICT DO NOTHING` and test the row count) needs nothing else.
    """

    def seen(self, key: str, *, namespace: str = "default") -> bool:
        """Whether `key` is recorded as done."""
        ...

    def mark_done(self, key: str, *, namespace: str = "default") -> bool:
        """Record `key` as done; True if it was not recorded before."""
        ...


class _KeyLocks:
    """One lock per key while some thread holds or waits for it; forgotten afterwards."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[tuple[str, str], tuple[threading.Lock, list[int]]] = {}

    def __len__(self) -> int:
        with self._guard:
            return len(self._locks)

    @contextmanager
    def holding(self, key: tuple[str, str]) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.setdefault(key, (threading.Lock(), [0]))
            users[0] += 1
        try:
            with lock:
                yield
        finally:
            with self._guard:
                users[0] -= 1
                if not users[0]:
                    del self._locks[key]


_KEY_LOCKS = _KeyLocks()
"""Shared by every gate of the process, so two receivers on one store serialise too."""


class EventGate:
    """Runs each inbound event's effect until it has once succeeded: claim after the effect.

    `run(key, effect)` returns False without calling `effect` if `key` is already marked
    done in `store` (a duplicate). Otherwise it calls `effect()` and, only once that has
    returned, marks `key` done and returns True. If `effect` raises anything
    (`KeyboardInterrupt` and `SystemExit` included) nothing is marked and the exception
    propagates; a process killed inside `effect` marks nothing either. So the sender's
    next delivery runs `effect` again: what a caller must know is that **the effect must
    be idempotent on `key`** (an `UPDATE ... WHERE paid = 0`, an insert keyed by the
    event, an outbox job keyed by it), because it may run again after a crash that came
    after its commit, and because two processes may run it at the same time.

    Within one process, deliveries of the same `namespace` and key are serialised by a
    per-key lock: a duplicate arriving while the first delivery runs waits for it, then
    is answered as a duplicate (or runs the effect itself if the first one failed).
    Errors from the store propagate too; if `mark_done` fails after the effect returned,
    the next delivery runs the effect again.
    """

    def __init__(self, store: SeenStore, *, namespace: str = "default") -> None:
        self.store = store
        self.namespace = namespace

    def __repr__(self) -> str:
        return f"EventGate(store={self.store!r}, namespace={self.namespace!r})"

    def run(self, key: str, effect: Callable[[], object]) -> bool:
        """Call `effect` unless `key` is done, then mark it done; False for a duplicate."""
        with _KEY_LOCKS.holding((self.namespace, key)):
            if self.store.seen(key, namespace=self.namespace):
                callback_verdict(self.namespace, "duplicate")  # telemetry, when on
                return False
            callback_verdict(self.namespace, "verified")  # telemetry, when on
            effect()
            self.store.mark_done(key, namespace=self.namespace)
            return True


class MemorySeenStore:
    """An in-process SeenStore; thread-safe.

    With `max_size`, the oldest keys are evicted first (an evicted key counts as not seen).
    """

    def __init__(self, max_size: int | None = None) -> None:
        if max_size is not None and max_size < 1:
            raise ValueError("max_size must be at least 1")
        self._max_size = max_size
        self._keys: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._keys)

    def __repr__(self) -> str:
        return f"MemorySeenStore(max_size={self._max_size!r})"

    def mark_done(self, key: str, *, namespace: str = "default") -> bool:
        """Record `key` as done; True if it was not recorded before."""
        with self._lock:
            if (namespace, key) in self._keys:
                return False
            self._keys[(namespace, key)] = None
            if self._max_size is not None and len(self._keys) > self._max_size:
                self._keys.popitem(last=False)
            return True

    def seen(self, key: str, *, namespace: str = "default") -> bool:
        """Whether `key` is recorded as done."""
        with self._lock:
            return (namespace, key) in self._keys

    def discard(self, key: str, *, namespace: str = "default") -> None:
        """Forget `key` (staff reprocessing an event); no error if it was not recorded."""
        with self._lock:
            self._keys.pop((namespace, key), None)


class SqliteSeenStore(Closeable):
    """A SeenStore in an SQLite file, shared safely by threads and processes.

    One connection per store, guarded by a lock; `mark_done` is one `INSERT OR IGNORE`,
    so exactly one caller records each key even across processes. File databases use WAL.
    `":memory:"` keeps the keys for the life of the store only. Call `close()` (or use
    the store as a context manager) when done.
    """

    _SCHEMA = (
        "CREATE TABLE IF NOT EXISTS seen_events ("
        " namespace TEXT NOT NULL, key TEXT NOT NULL, first_seen REAL NOT NULL,"
        " PRIMARY KEY (namespace, key))"
    )

    def __init__(
        self,
        path: str | Path = ":memory:",
        *,
        timeout: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._path = str(path)
        self._clock = clock
        self._db = SharedConnection(path, schema=[self._SCHEMA], timeout=timeout)

    def __repr__(self) -> str:
        return f"SqliteSeenStore({self._path!r})"

    def close(self) -> None:
        """Close the database connection; the store cannot be used afterwards."""
        self._db.close()

    def mark_done(self, key: str, *, namespace: str = "default") -> bool:
        """Record `key` as done (committed); True if no thread or process had before."""
        with self._db as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO seen_events (namespace, key, first_seen) VALUES (?, ?, ?)",
                (namespace, key, self._clock()),
            )
            return cursor.rowcount == 1

    def seen(self, key: str, *, namespace: str = "default") -> bool:
        """Whether `key` is recorded as done."""
        with self._db as conn:
            row = conn.execute(
                "SELECT 1 FROM seen_events WHERE namespace = ? AND key = ?", (namespace, key)
            ).fetchone()
            return row is not None

    def discard(self, key: str, *, namespace: str = "default") -> None:
        """Forget `key` (staff reprocessing an event); no error if it was not recorded."""
        with self._db as conn:
            conn.execute(
                "DELETE FROM seen_events WHERE namespace = ? AND key = ?", (namespace, key)
            )

    def purge(self, before: float) -> int:
        """Forget every key marked done before `before` (Unix seconds); return how many."""
        with self._db as conn:
            cursor = conn.execute("DELETE FROM seen_events WHERE first_seen < ?", (before,))
            return cursor.rowcount


class HmacWebhookVerifier:
    """Signs and verifies webhooks of the "t.body" scheme, with a timestamp tolerance.

    The signature is `v1=<hex HMAC>` over `f"{timestamp}."` + the raw body bytes.
    Verify the raw bytes as received, before any parsing; the timestamp is the one the
    sender sent beside the signature (Unix seconds).
    """

    scheme = "v1"

    def __init__(
        self,
        secret: str | bytes | SecretStr,
        *,
        algorithm: HashName = "sha256",
        tolerance: float = 300,
        clock: Callable[[], float] = time.time,
        provider: str | None = None,
    ) -> None:
        self._signer = HmacSigner(secret, algorithm)
        self.tolerance = tolerance
        self.clock = clock
        self.provider = provider

    def __repr__(self) -> str:
        return f"HmacWebhookVerifier(provider={self.provider!r}, secret=***)"

    @staticmethod
    def _message(body: bytes, timestamp: int | str) -> bytes:
        return f"{timestamp}.".encode() + bytes(body)

    def sign(self, body: bytes, timestamp: int) -> str:
        """The signature header value for `body` sent at `timestamp`: "v1=<hex>"."""
        return f"{self.scheme}={self._signer.sign(self._message(body, timestamp))}"

    @counts_refusals  # forged or stale, for telemetry when on (core/telemetry.py)
    def verify(
        self, body: bytes, *, signature_header: str | None, timestamp: str | int | None
    ) -> None:
        """Accept `body` if any `v1=` signature in the header matches and it is fresh.

        Raises SignatureError for a missing or malformed header or timestamp, a mismatch
        (body altered, wrong secret), or a timestamp outside the tolerance.
        """
        if not signature_header or not signature_header.strip():
            raise SignatureError("missing signature header", provider=self.provider)
        if timestamp is None or isinstance(timestamp, bool) or not str(timestamp).strip():
            raise SignatureError("missing timestamp", provider=self.provider)
        candidates = []
        for item in signature_header.split(","):
            scheme, eq, value = item.strip().partition("=")
            if eq and scheme.strip() == self.scheme and value.strip():
                candidates.append(value.strip().lower())
        if not candidates:
            raise SignatureError(
                f"malformed signature header: no {self.scheme}= signature", provider=self.provider
            )
        stamp = str(timestamp).strip()
        expected = self._signer.sign(self._message(body, stamp))
        matched = False
        for candidate in candidates:  # compare every one: no early exit
            matched |= constant_time_equals(expected, candidate)
        if not matched:
            raise SignatureError("signature mismatch", provider=self.provider)
        check_timestamp(stamp, tolerance=self.tolerance, clock=self.clock, provider=self.provider)
