"""When to retry, and how long to wait: DESIGN.md doctrine 3 as data.

An operation is classified by its `Idempotency` before anything is sent:

- `READ`: safe to repeat; retried on connect errors, timeouts, 429 and 502/503/504.
- `KEYED_WRITE`: a write carrying the vendor's idempotency key (VNPT `fkey`, Viettel
  `transactionUuid`, SMS request ids...), made once per logical operation and reused on every
  attempt; retried like a read.
- `UNKEYED_WRITE`: a write the vendor cannot de-duplicate; retried only when the request
  certainly never left (connection refused, connect timeout).

Waits are capped exponential backoff with full jitter; a `Retry-After` header is honoured
up to `retry_after_cap`; every retry spends a token from the client's `RetryBudget`, so an
outage does not become a retry storm.
"""

from __future__ import annotations

import enum
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

from connectors.core.ratelimit import TokenBucket

__all__ = [
    "RETRYABLE_STATUSES",
    "Idempotency",
    "RetryBudget",
    "RetryPolicy",
    "parse_retry_after",
]

#: HTTP statuses worth another attempt for reads and keyed writes.
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})


class Idempotency(enum.Enum):
    """How safe an operation is to repeat."""

    READ = "read"
    KEYED_WRITE = "keyed_write"
    UNKEYED_WRITE = "unkeyed_write"

    @property
    def is_write(self) -> bool:
        return self is not Idempotency.READ


class RetryBudget(TokenBucket):
    """A per-client token bucket: each retry costs one token.

    The defaults allow a burst of 10 retries and refill one every two seconds, so a client
    facing a dead vendor settles at about one retry per two seconds across all its calls.
    """

    def __init__(
        self,
        capacity: float = 10.0,
        rate: float = 0.5,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(capacity, rate, clock=clock)


@dataclass(frozen=True)
class RetryPolicy:
    """Attempts, backoff and the injectable clock, sleep and randomness.

    `max_attempts` counts the first try. The wait before retry n (n = 1, 2, ...) is
    uniform in [0, min(max_delay, base_delay * 2**(n-1))] (full jitter), unless the
    vendor sent `Retry-After`, which is honoured up to `retry_after_cap`.
    """

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    retry_after_cap: float = 30.0
    budget: RetryBudget | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    rng: random.Random = field(default_factory=random.Random)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < 0 or self.retry_after_cap < 0:
            raise ValueError("delays must not be negative")

    @classmethod
    def no_retries(cls) -> RetryPolicy:
        """A policy that tries once."""
        return cls(max_attempts=1)

    def backoff(self, retry_number: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry `retry_number` (1-based)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.retry_after_cap)
        ceiling = min(self.max_delay, self.base_delay * (2 ** (retry_number - 1)))
        return self.rng.uniform(0.0, ceiling)

    def spend_budget(self) -> bool:
        """Take a token for one retry; False when the budget is exhausted."""
        return True if self.budget is None else self.budget.try_acquire()


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a `Retry-After` header (delta-seconds or an HTTP date); None if absent."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)
