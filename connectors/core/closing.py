"""`Closeable`: the `with` protocol for anything that holds connections and has `close()`."""

from __future__ import annotations

from typing import Self

__all__ = ["Closeable"]


class Closeable:
    """A base for objects with a `close()`: ``with obj:`` gives `obj` and closes it on
    leaving, whether the block raised or not."""

    __slots__ = ()

    def close(self) -> None:  # pragma: no cover - overridden
        """Release what this object holds."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
