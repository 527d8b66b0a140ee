"""Inbound verification shared by bank IPNs and iHanoi webhooks: time, replay, signature.

- `check_timestamp` refuses a timestamp (Unix seconds) too far from now, in either
  direction.
- A `SeenStore` de-duplicates event ids: `add_if_new` records a key atomically and says
  whether it was new; `discard` rolls the key back when processing failed, so the
  sender's retry is processed again. `MemorySeenStore` serves one process;
  `SqliteSeenStore` serves every thread and process sharing its file.
- `HmacWebhookVerifier` checks the "t.body" scheme: HMAC of `f"{timestamp}."` followed by
  the raw body bytes, sent as `v1=<hex>` (several, comma-separated, during key rotation).

Verification failures raise `SignatureError`; a caller must change no state before
verification has passed.
"""

from __future__ import annotations

import math
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

from pydantic import SecretStr

from connectors.core.errors import SignatureError
from connectors.core.signing import HashName, HmacSigner, constant_time_equals

__all__ = [
    "HmacWebhookVerifier",
    "MemorySeenStore",
    "SeenStore",
    "SqliteSeenStore",
    "check_timestamp",
]


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
        raise SignatureError(
            f"timestamp {value:.0f} is outside the {tolerance:g}s tolerance", provider=provider
        )
    return value


@runtime_checkable
class SeenStore(Protocol):
    """Remembers which event ids were already accepted, per namespace."""

    def add_if_new(self, key: str, *, namespace: str = "default") -> bool:
        """Record `key` atomically; True if it was not recorded before."""
        ...

    def seen(self, key: str, *, namespace: str = "default") -> bool:
        """Whether `key` is recorded."""
        ...

    def discard(self, key: str, *, namespace: str = "default") -> None:
        """Forget `key` (after failed processing, so a retry is processed again)."""
        ...


class MemorySeenStore:
    """An in-process SeenStore; thread-safe.

    With `max_size`, the oldest keys are evicted first (an evicted key counts as new).
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

    def add_if_new(self, key: str, *, namespace: str = "default") -> bool:
        """Record `key`; True if it was new."""
        with self._lock:
            if (namespace, key) in self._keys:
                return False
            self._keys[(namespace, key)] = None
            if self._max_size is not None and len(self._keys) > self._max_size:
                self._keys.popitem(last=False)
            return True

    def seen(self, key: str, *, namespace: str = "default") -> bool:
        """Whether `key` is recorded."""
        with self._lock:
            return (namespace, key) in self._keys

    def discard(self, key: str, *, namespace: str = "default") -> None:
        """Forget `key`; no error if it was not recorded."""
        with self._lock:
            self._keys.pop((namespace, key), None)


class SqliteSeenStore:
    """A SeenStore in an SQLite file, shared safely by threads and processes.

    One connection per store, guarded by a lock; `add_if_new` is one `INSERT OR IGNORE`,
    so exactly one caller wins each key even across processes. File databases use WAL.
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
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(
            self._path, timeout=timeout, isolation_level=None, check_same_thread=False
        )
        try:
            if self._path != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL").fetchall()
            self._conn.execute(self._SCHEMA)
        except BaseException:
            self._conn.close()
            raise

    def __repr__(self) -> str:
        return f"SqliteSeenStore({self._path!r})"

    def __enter__(self) -> SqliteSeenStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database connection; the store cannot be used afterwards."""
        with self._lock:
            self._conn.close()

    def add_if_new(self, key: str, *, namespace: str = "default") -> bool:
        """Record `key`; True if no thread or process had recorded it before."""
        with self._lock:
            cursor = self._conn.execute(
                "INSERT OR IGNORE INTO seen_events (namespace, key, first_seen) VALUES (?, ?, ?)",
                (namespace, key, self._clock()),
            )
            return cursor.rowcount == 1

    def seen(self, key: str, *, namespace: str = "default") -> bool:
        """Whether `key` is recorded."""
        with self._lock:
            row = self._conn.execute(
                "SELECT 1 FROM seen_events WHERE namespace = ? AND key = ?", (namespace, key)
            ).fetchone()
            return row is not None

    def discard(self, key: str, *, namespace: str = "default") -> None:
        """Forget `key`; no error if it was not recorded."""
        with self._lock:
            self._conn.execute(
                "DELETE FROM seen_events WHERE namespace = ? AND key = ?", (namespace, key)
            )

    def purge(self, before: float) -> int:
        """Forget every key first seen before `before` (Unix seconds); return how many."""
        with self._lock:
            cursor = self._conn.execute("DELETE FROM seen_events WHERE first_seen < ?", (before,))
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
