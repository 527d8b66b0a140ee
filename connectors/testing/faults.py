"""Faults a simulator can inject into its next requests, route by route.

A fault is armed on a route for a number of requests (`times`) and consumed in order.
How a fault shows up depends on where the simulator runs:

| fault | on a loopback socket | in process (`responses`) |
|---|---|---|
| `Latency` | the answer comes late | the simulator's sleep is called |
| `Status` | that status and body, nothing processed | same |
| `Reset` | the connection is reset, nothing processed | `ConnectionError` (reset) |
| `TimeoutBeforeProcessing` | held past the client timeout, nothing processed | `ReadTimeout` |
| `TimeoutAfterCommit` | processed and recorded, then held open | processed, then `ReadTimeout` |
| `Malformed` | 200 with a garbled body, nothing processed | same |
| `TooManyRequests` | 429 with `Retry-After`, nothing processed | same |
| `CommitThenStatus` | processed and recorded, then that status and body | same |
| `Truncated` | processed; headers, the first `keep` body bytes, closed | `ChunkedEncodingError` |
| `Trickle` | processed; the answer sent one byte every `interval` seconds | `ReadTimeout` |
| `Oversize` | processed; 200 with `size` bytes of filler, streamed | same, held in memory |

The last four are the "maybe sent" faults of DESIGN.md doctrine 9 and 10: the vendor acted,
and the client cannot read (or must refuse to read) the answer.
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from dataclasses import dataclass

__all__ = [
    "CommitThenStatus",
    "Fault",
    "FaultPlan",
    "Latency",
    "Malformed",
    "Oversize",
    "Reset",
    "Status",
    "TimeoutAfterCommit",
    "TimeoutBeforeProcessing",
    "TooManyRequests",
    "Trickle",
    "Truncated",
]


@dataclass(frozen=True)
class Fault:
    """Base of the fault kinds."""

    @property
    def processes(self) -> bool:
        """Whether the simulator still processes (and records) the request."""
        return False


@dataclass(frozen=True)
class Latency(Fault):
    """Delay the answer by `seconds`, then answer normally."""

    seconds: float

    @property
    def processes(self) -> bool:
        return True


@dataclass(frozen=True)
class Status(Fault):
    """Answer with this status and body without processing."""

    code: int
    body: bytes = b""
    content_type: str = "text/plain"


@dataclass(frozen=True)
class Reset(Fault):
    """Reset the connection without an answer and without processing."""


@dataclass(frozen=True)
class TimeoutBeforeProcessing(Fault):
    """Hold the request open for `hold` seconds without processing, then drop it."""

    hold: float = 5.0


@dataclass(frozen=True)
class TimeoutAfterCommit(Fault):
    """Process and record the request, then hold it open and drop it: the client never hears."""

    hold: float = 5.0

    @property
    def processes(self) -> bool:
        return True


@dataclass(frozen=True)
class Malformed(Fault):
    """Answer 200 with a body no client can parse, without processing."""

    body: bytes = b"<<<\x00 not what you expected"
    content_type: str = "application/json"


@dataclass(frozen=True)
class TooManyRequests(Fault):
    """Answer 429 with `Retry-After: retry_after`, without processing."""

    retry_after: float = 1.0


@dataclass(frozen=True)
class CommitThenStatus(Fault):
    """Process and record the request, then answer `code` with `body` instead of the result."""

    code: int = 500
    body: bytes = b""
    content_type: str = "text/plain"

    @property
    def processes(self) -> bool:
        return True


@dataclass(frozen=True)
class Truncated(Fault):
    """Process and record the request, send the headers (with the full Content-Length) and
    only the first `keep` bytes of the body, then close the connection."""

    keep: int = 10

    @property
    def processes(self) -> bool:
        return True


@dataclass(frozen=True)
class Trickle(Fault):
    """Process and record the request, then send the whole answer (status line, headers,
    body) one byte every `interval` seconds, until done or the client hangs up."""

    interval: float = 1.0

    @property
    def processes(self) -> bool:
        return True


@dataclass(frozen=True)
class Oversize(Fault):
    """Process and record the request, then answer 200 with `size` bytes of filler.

    On a socket the filler is streamed (never held in memory), with a Content-Length when
    `declare_length`, chunked otherwise; in process it is one bytes object of `size`.
    """

    size: int = 64 * 1024 * 1024
    content_type: str = "text/xml"
    declare_length: bool = True

    @property
    def processes(self) -> bool:
        return True


class FaultPlan:
    """Faults armed per route name (or "*" for every route); thread-safe."""

    ANY = "*"

    def __init__(self) -> None:
        self._queues: dict[str, deque[Fault]] = defaultdict(deque)
        self._lock = threading.Lock()

    def add(self, route: str, fault: Fault, *, times: int = 1) -> None:
        """Arm `fault` for the next `times` requests to `route`."""
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._lock:
            self._queues[route].extend([fault] * times)

    def take(self, route: str) -> Fault | None:
        """The next fault for `route` (route-specific ones first), consumed; None if none."""
        with self._lock:
            for name in (route, self.ANY):
                queue = self._queues.get(name)
                if queue:
                    return queue.popleft()
        return None

    def clear(self) -> None:
        with self._lock:
            self._queues.clear()

    def pending(self) -> int:
        with self._lock:
            return sum(len(q) for q in self._queues.values())
