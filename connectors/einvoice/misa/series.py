"""One request at a time per invoice series (MISA's numbering rule, spec einvoice.md 2.4).

MISA numbers invoices of a series in the order it receives them and answers concurrent
requests on one series with `InvoiceNumberNotCotinuous` or `InvoiceDuplicated`. The client
therefore holds a lock per series around every write, and can space writes on one series
by `spacing` seconds (MISA suggests ~3 s under load). The locks are per process: run one
worker per series, or give each terminal its own series, when several processes issue.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager

__all__ = ["SeriesLocks"]


class SeriesLocks:
    """A lock per series key (e.g. ``"0100109106/1/C25TAA"``), created on first use."""

    def __init__(
        self,
        *,
        spacing: float = 0.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if spacing < 0:
            raise ValueError("spacing must not be negative")
        self.spacing = spacing
        self._clock = clock
        self._sleep = sleep
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}

    def _lock(self, series: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(series, threading.Lock())

    @contextmanager
    def hold(self, series: str) -> Iterator[None]:
        """Hold `series` for the `with` block, after `spacing` since its last release."""
        lock = self._lock(series)
        with lock:
            last = self._last.get(series)
            if last is not None and self.spacing > 0:
                wait = self.spacing - (self._clock() - last)
                if wait > 0:
                    self._sleep(wait)
            try:
                yield
            finally:
                self._last[series] = self._clock()

    @contextmanager
    def hold_all(self, series: Iterable[str]) -> Iterator[None]:
        """Hold several series at once, taken in sorted order (no deadlock between batches)."""
        with ExitStack() as stack:
            for name in sorted(set(series)):
                stack.enter_context(self.hold(name))
            yield
