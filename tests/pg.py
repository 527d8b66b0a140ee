"""PostgreSQL for the tests: the server under test, a fresh schema per test, its helpers.

The DSN comes from ``CONNECTORS_TEST_POSTGRES_DSN`` (``.ci/run`` exports it after starting
the server). Without it, or without a reachable server, a test that needs PostgreSQL is
skipped with a one-line reason; with ``CONNECTORS_REQUIRE_POSTGRES=1`` (set by CI) that is
a failure instead. ``CONNECTORS_TEST_POSTGRES_RESTART=1`` allows the one test that restarts
the server (`pg_ctlcluster 15 main restart -m immediate`): never set it where others share
the server.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

DSN_ENV = "CONNECTORS_TEST_POSTGRES_DSN"
REQUIRE_ENV = "CONNECTORS_REQUIRE_POSTGRES"
RESTART_ENV = "CONNECTORS_TEST_POSTGRES_RESTART"


@functools.cache
def _problem() -> str | None:
    """Why PostgreSQL tests cannot run here, or None if they can (checked once)."""
    dsn = os.environ.get(DSN_ENV, "").strip()
    if not dsn:
        return f"PostgreSQL tests need {DSN_ENV} (e.g. postgresql:///connectors_test)"
    try:
        import psycopg
    except ImportError:
        return "PostgreSQL tests need psycopg: pip install 'vn-public-connectors[postgres]'"
    try:
        with psycopg.connect(dsn, connect_timeout=3, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return f"PostgreSQL at {DSN_ENV} is not reachable: {first}"
    return None


def require_postgres() -> str:
    """The test server's DSN; skips the test (fails it under CI) when there is none."""
    problem = _problem()
    if problem is not None:
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but {problem}", pytrace=False)
        pytest.skip(problem)
    return os.environ[DSN_ENV].strip()


def admin(dsn: str) -> Any:
    """A fresh autocommit psycopg connection to the test database."""
    import psycopg

    return psycopg.connect(dsn, autocommit=True, connect_timeout=5)


@dataclass(frozen=True)
class PgTarget:
    """Where a test's stores live: the server's DSN and a schema no other test uses."""

    dsn: str
    schema: str


@contextmanager
def fresh_schema(dsn: str) -> Iterator[PgTarget]:
    """A schema name no test used, dropped with everything in it afterwards."""
    schema = f"test_{uuid.uuid4().hex[:16]}"
    try:
        yield PgTarget(dsn, schema)
    finally:
        with admin(dsn) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
