"""A token bucket, used for the per-client retry budget and per-provider send rates."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

__all__ = ["TokenBucket"]

_EPSILON = 1e-9
"""Tokens short by less than this count as there: float refills (0.1 s x 10/s) can fall
short by one ulp forever, and a waiter would then sleep a zero-length shortfall in a loop."""


class TokenBucket:
    """Holds up to `capacity` tokens, refilled at `rate` tokens per second.

    Thread-safe. `clock` (monotonic seconds) and `sleep` are injectable so tests and
    benchmarks control time.
    """

    def __init__(
        self,
        capacity: float,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if capacity <= 0 or rate < 0:
            raise ValueError("capacity must be > 0 and rate >= 0")
        self.capacity = float(capacity)
        self.rate = float(rate)
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(capacity)
        self._stamp = clock()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self._clock()
        elapsed = max(0.0, now - self._stamp)
        self._stamp = now
        self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)

    @property
    def tokens(self) -> float:
        """Tokens available now."""
        with self._lock:
            self._refill()
            return self._tokens

    def try_acquire(self, cost: float = 1.0) -> bool:
        """Take `cost` tokens if they are there; never waits."""
        with self._lock:
            self._refill()
            if self._tokens >= cost - _EPSILON:
                self._tokens = max(0.0, self._tokens - cost)
                return True
            return False

    def acquire(self, cost: float = 1.0) -> float:
        """Take `cost` tokens, sleeping until they are there; returns the seconds waited."""
        if cost > self.capacity:
            raise ValueError("cost exceeds the bucket's capacity")
        if self.rate == 0:
            raise ValueError("a bucket that never refills cannot be waited on")
        waited = 0.0
        while True:
            with self._lock:
                self._refill()
                if self._tokens >= cost - _EPSILON:
                    self._tokens = max(0.0, self._tokens - cost)
                    return waited
                shortfall = (cost - self._tokens) / self.rate
            self._sleep(shortfall)
            waited += shortfall
