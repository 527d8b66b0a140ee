"""One request at a time per invoice series (MISA's numbering rule, spec einvoice.md 2.4).

MISA numbers invoices of a series in the order it receives them and answers concurrent
requests on one series with `InvoiceNumberNotCotinuous` or `InvoiceDuplicated`. The client
therefore holds a lock per series around every write, and can space writes on one series
by `spacing` seconds (MISA suggests ~3 s under load). `SeriesLocks` are per process; with
several app servers or workers issuing on one series, use `PostgresSeriesLocks`
(connectors.einvoice.misa.series_postgres): an advisory lock in the portal's database.
Both are a `SeriesLock`, what `MisaInvoice(series_locks=...)` takes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Protocol, runtime_checkable

__all__ = ["SeriesLock", "SeriesLocks"]


@runtime_checkable
class SeriesLock(Protocol):
    """One writer at a time per invoice series, for the `with` block."""

    def hold(self, series: str) -> AbstractContextManager[None]:
        """Hold `series` (waiting for whoever holds it)."""
        ...

    def hold_all(self, series: Iterable[str]) -> AbstractContextManager[None]:
        """Hold several series at once, taken in sorted order (no deadlock)."""
        ...


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
