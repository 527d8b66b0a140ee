"""The total deadline, enforced inside an attempt: a server that trickles cannot hold a call.

Socket timeouts bound each `recv`, not the whole answer: a server sending one byte a second
never trips a 30 s read timeout. So every attempt registers its deadline with one
process-wide watchdog thread, and the connection it sends on; when the deadline passes
before the attempt is finished, the watchdog shuts that socket down, the blocked read
fails at once, and the transport reports a `ReadTimeout` for the deadline.

`DeadlineAdapter` is the requests adapter that makes urllib3's connections report
themselves to the attempt running in the current thread (or context). The watchdog costs a
heap push per attempt and one sleeping thread per process.
"""

from __future__ import annotations

import contextlib
import contextvars
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.poolmanager import PoolManager, ProxyManager

__all__ = ["Attempt", "DeadlineAdapter", "watch"]


class Attempt:
    """One attempt's deadline and the connections it used; fired at most once."""

    __slots__ = ("_conns", "_lock", "deadline", "finished", "fired")

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.fired = False
        self.finished = False
        self._conns: list[HTTPConnection] = []
        self._lock = threading.Lock()

    def track(self, conn: HTTPConnection) -> None:
        """Remember `conn` as carrying this attempt (and cut it now if already late)."""
        with self._lock:
            conn._connectors_attempt = self  # type: ignore[attr-defined]
            self._conns.append(conn)
            late = self.fired
        if late:
            _shut(conn, self)

    def fire(self) -> None:
        """The deadline passed: shut down every socket still carrying this attempt."""
        with self._lock:
            if self.finished:
                return
            self.fired = True
            conns = list(self._conns)
        for conn in conns:
            _shut(conn, self)

    def finish(self) -> None:
        """The attempt is over (answer read or error raised): never fire."""
        with self._lock:
            self.finished = True
            for conn in self._conns:
                if getattr(conn, "_connectors_attempt", None) is self:
                    conn._connectors_attempt = None  # type: ignore[attr-defined]
            self._conns.clear()


def _shut(conn: HTTPConnection, attempt: Attempt) -> None:
    # Only while the connection still carries this attempt: once back in the pool it may
    # be carrying someone else's request.
    if getattr(conn, "_connectors_attempt", None) is not attempt:
        return
    sock = getattr(conn, "sock", None)
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            # The base method: SSLSocket.shutdown would also drop its SSL object under a
            # thread that is reading through it.
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _Watchdog:
    """One daemon thread firing attempts whose deadline has passed (a heap by deadline)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Attempt]] = []
        self._seq = itertools.count()
        self._adds = 0
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, attempt: Attempt) -> None:
        with self._cond:
            heapq.heappush(self._heap, (attempt.deadline, next(self._seq), attempt))
            self._adds += 1
            if self._adds % 1024 == 0:  # drop finished attempts now and then: O(1) amortised
                self._heap = [item for item in self._heap if not item[2].finished]
                heapq.heapify(self._heap)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="connectors-deadline", daemon=True
                )
                self._thread.start()
            elif self._heap[0][2] is attempt:
                self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._heap and self._heap[0][2].finished:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._cond.wait()
                    continue
                delay = self._heap[0][0] - time.monotonic()
                if delay > 0:
                    self._cond.wait(delay)
                    continue
                attempt = heapq.heappop(self._heap)[2]
            attempt.fire()


_watchdog = _Watchdog()
_current: contextvars.ContextVar[Attempt | None] = contextvars.ContextVar(
    "connectors_attempt", default=None
)


@contextlib.contextmanager
def watch(seconds: float) -> Iterator[Attempt]:
    """Run the block as one attempt that must end within `seconds` (monotonic clock).

    Connections made or reused in the block through a `DeadlineAdapter` are shut down
    when the time is up; `attempt.fired` then tells the caller why its read failed.
    """
    attempt = Attempt(time.monotonic() + max(seconds, 0.0))
    _watchdog.add(attempt)
    token = _current.set(attempt)
    try:
        yield attempt
    finally:
        _current.reset(token)
        attempt.finish()


class _Tracked:
    """Mixin: a connection that reports itself to the current attempt on every request."""

    def request(self, *args: Any, **kwargs: Any) -> None:
        attempt = _current.get()
        if attempt is not None:
            attempt.track(self)  # type: ignore[arg-type]
        super().request(*args, **kwargs)  # type: ignore[misc]


class _HTTPConnection(_Tracked, HTTPConnection):
    pass


class _HTTPSConnection(_Tracked, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class DeadlineAdapter(HTTPAdapter):
    """An `HTTPAdapter` whose connections the deadline watchdog can cut (see `watch`)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> PoolManager:
        manager: PoolManager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if isinstance(manager, ProxyManager):
            manager.pool_classes_by_scheme = _POOLS
        return manager
