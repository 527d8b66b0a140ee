"""Fixtures for the outbox tests: a controllable clock, an outbox file, and every store kind.

`store` and `store_kit` are parametrised by store kind: the contract suite
(`test_store_contract.py`) runs once per kind, SQLite in a fresh file and PostgreSQL in a
fresh schema (skipped, with the reason, when no test server is configured: tests/pg.py).
A new store joins the suite by adding its name to `STORE_KINDS` and a branch to
`store_kit`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from connectors.delivery import OutboxStore, SqliteOutbox
from tests.pg import PgTarget

STORE_KINDS = ["sqlite", "postgres"]


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


@dataclass
class StoreKit:
    """Opens handles on one outbox, as separate processes would (each with its own connections)."""

    kind: str
    opener: Callable[[], OutboxStore]
    closers: list[Callable[[], None]] = field(default_factory=list)

    def open(self) -> OutboxStore:
        return self.opener()


@pytest.fixture(params=STORE_KINDS)
def store_kit(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock
) -> Iterator[StoreKit]:
    closers: list[Callable[[], None]] = []

    def open_sqlite() -> OutboxStore:
        store = SqliteOutbox(tmp_path / "outbox.db", clock=clock)
        closers.append(store.close)
        return store

    def open_postgres() -> OutboxStore:
        from connectors.delivery.postgres import PostgresOutbox

        store = PostgresOutbox(target.dsn, schema=target.schema, clock=clock)
        closers.append(store.close)
        return store

    if request.param == "sqlite":
        kit = StoreKit("sqlite", open_sqlite, closers)
    elif request.param == "postgres":
        target: PgTarget = request.getfixturevalue("pg")
        kit = StoreKit("postgres", open_postgres, closers)
    else:
        raise AssertionError(f"no factory for store kind {request.param!r}")
    yield kit
    for close in kit.closers:
        close()


@pytest.fixture
def store(store_kit: StoreKit) -> OutboxStore:
    return store_kit.open()
