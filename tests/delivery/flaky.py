"""A store wrapper that fails on chosen calls, as a full disk or a locked database would."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from typing import Any

from connectors.delivery import OutboxStore


class FlakyStore:
    """Delegates to `inner`; call n (1-based) of a method listed in `before` raises before
    reaching the store, one listed in `after` raises once the store has done the work (the
    caller cannot tell it happened). `error` makes the exception."""

    def __init__(
        self,
        inner: OutboxStore,
        *,
        before: Mapping[str, Collection[int]] | None = None,
        after: Mapping[str, Collection[int]] | None = None,
        error: Callable[[], Exception] = lambda: sqlite3.OperationalError("disk I/O error"),
    ) -> None:
        self.inner = inner
        self.before = dict(before or {})
        self.after = dict(after or {})
        self.error = error
        self.calls: Counter[str] = Counter()
        self.raised: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        target = getattr(self.inner, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            n = self.calls[name]
            if n in self.before.get(name, ()):
                self.raised[name] += 1
                raise self.error()
            result = target(*args, **kwargs)
            if n in self.after.get(name, ()):
                self.raised[name] += 1
                raise self.error()
            return result

        return call
