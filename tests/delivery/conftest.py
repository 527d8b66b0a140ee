"""Fixtures for the outbox tests: a controllable clock and a fresh outbox file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors.delivery import SqliteOutbox


class FakeClock:
    """Unix seconds that move only when told to."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def outbox(tmp_path: Path, clock: FakeClock) -> Iterator[SqliteOutbox]:
    with SqliteOutbox(tmp_path / "outbox.db", clock=clock) as store:
        yield store
