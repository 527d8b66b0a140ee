"""WSGI input streams that fail a test when read more than allowed."""

from __future__ import annotations

import io

__all__ = ["GuardedInput", "Untouchable"]


class GuardedInput:
    """A wsgi.input that fails the test if asked for more than `allowed` bytes in all
    (what it already gave plus what it is asked for); `chunk` makes reads short."""

    def __init__(self, data: bytes, allowed: int, chunk: int | None = None) -> None:
        self._data = io.BytesIO(data)
        self.allowed = allowed
        self.chunk = chunk
        self.given = 0

    @property
    def asked(self) -> int:
        return self.given

    def read(self, size: int = -1) -> bytes:
        assert size is not None, "unbounded read of wsgi.input"
        assert size >= 0, "unbounded read of wsgi.input"
        assert self.given + size <= self.allowed, (
            f"asked for {self.given + size} bytes in all, limit {self.allowed}"
        )
        data = self._data.read(min(size, self.chunk or size))
        self.given += len(data)
        return data


class Untouchable:
    def read(self, size: int = -1) -> bytes:
        raise AssertionError("wsgi.input must not be read")
