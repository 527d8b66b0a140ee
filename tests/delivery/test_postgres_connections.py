"""Enqueueing on a caller's connection, whatever its kind: psycopg 2's, Django's wrapper and
SQLAlchemy's pooled connection, shown by small stand-ins with the attributes each really has,
over a real psycopg 3 connection (no framework needed). A connection that would commit the
job on its own is refused, with the whole explanation, before anything is sent; one in a
transaction gets the job committed (or rolled back) with the caller's own write."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from connectors.core import ValidationError
from connectors.delivery import NewJob
from connectors.delivery.postgres import PostgresOutbox
from tests.pg import PgTarget, admin

REFUSAL = (
    "this connection is not in a transaction: the job would be committed on its own; "
    "enqueue inside the portal's transaction (psycopg: conn.transaction(), "
    "Django: transaction.atomic(), SQLAlchemy: session.begin())"
)
IDLE, INTRANS = 0, 2  # psycopg 2's (and libpq's) transaction statuses


class Driver:
    """A connection of some driver, executing on a real psycopg 3 connection."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def cursor(self) -> Any:
        return self.real.cursor()


class Psycopg2(Driver):
    """psycopg 2's connection: `autocommit` and `get_transaction_status()`, no `info`."""

    def __init__(self, real: Any, *, autocommit: bool, status: int) -> None:
        super().__init__(real)
        self.autocommit = autocommit
        self.status = status

    def get_transaction_status(self) -> int:
        return self.status


class Django(Driver):
    """Django's connection wrapper: `in_atomic_block`, `get_autocommit()`, and its own
    `autocommit` flag (off inside `atomic()`); no transaction status of its own."""

    def __init__(self, real: Any, *, atomic: bool) -> None:
        super().__init__(real)
        self.in_atomic_block = atomic
        self.autocommit = not atomic

    def get_autocommit(self) -> bool:
        return self.autocommit


class Sqlalchemy:
    """SQLAlchemy's pooled DB-API connection: the driver's own as `driver_connection`."""

    def __init__(self, driver: Any) -> None:
        self.driver_connection = driver

    def cursor(self) -> Any:
        return self.driver_connection.cursor()


@pytest.fixture
def outbox(pg: PgTarget) -> Iterator[PostgresOutbox]:
    with PostgresOutbox(pg.dsn, schema=pg.schema) as store:
        yield store


@pytest.fixture
def conn(pg: PgTarget) -> Iterator[Any]:
    """A psycopg 3 connection in autocommit mode, no transaction open."""
    with admin(pg.dsn) as connection:
        yield connection


REFUSED = {
    "psycopg 2 in autocommit, idle": lambda c: Psycopg2(c, autocommit=True, status=IDLE),
    "Django outside atomic()": lambda c: Django(c, atomic=False),
    "SQLAlchemy over psycopg 3 in autocommit": Sqlalchemy,
}


@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_a_connection_that_would_commit_the_job_alone_is_refused(
    outbox: PostgresOutbox, conn: Any, kind: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        outbox.enqueue(NewJob("receipt", "HS-1:receipt"), connection=REFUSED[kind](conn))
    assert (REFUSAL, "connection") == (caught.value.message, caught.value.field)
    assert outbox.get("HS-1:receipt") is None


class Unknown(Driver):
    """A connection of a driver the outbox does not know: trusted to be in a transaction."""


class Pg8000(Driver):
    """pg8000's connection: an `autocommit` flag, and no transaction status to read (so
    trusted, as an unknown driver is)."""

    def __init__(self, real: Any, *, autocommit: bool) -> None:
        super().__init__(real)
        self.autocommit = autocommit


ACCEPTED = {
    "psycopg 2 in autocommit, in a transaction": lambda c: Psycopg2(
        c, autocommit=True, status=INTRANS
    ),
    "psycopg 2 without autocommit": lambda c: Psycopg2(c, autocommit=False, status=IDLE),
    "Django inside atomic()": lambda c: Django(c, atomic=True),
    "SQLAlchemy over psycopg 3 in a transaction": Sqlalchemy,
    "an unknown driver": Unknown,
    "pg8000 in autocommit": lambda c: Pg8000(c, autocommit=True),
}


@pytest.mark.parametrize("kind", sorted(ACCEPTED))
def test_a_connection_in_a_transaction_commits_or_rolls_back_the_job_with_it(
    outbox: PostgresOutbox, conn: Any, kind: str
) -> None:
    with conn.transaction(force_rollback=True):
        outbox.enqueue(NewJob("receipt", "HS-1:receipt"), connection=ACCEPTED[kind](conn))
    with conn.transaction():
        job = outbox.enqueue(NewJob("receipt", "HS-2:receipt"), connection=ACCEPTED[kind](conn))
        assert outbox.get("HS-2:receipt") is None, "not visible before the caller commits"
    assert (None, job) == (outbox.get("HS-1:receipt"), outbox.get("HS-2:receipt"))
