"""Enqueue in a web framework's own transaction: Django's and SQLAlchemy's connections.

Neither framework is a dependency: each test runs where the framework happens to be
importable and is skipped otherwise (docs/deployment.md shows the same code).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from connectors.core import ValidationError
from connectors.delivery import Flow, NewJob, Step
from connectors.delivery.postgres import PostgresOutbox
from tests.pg import PgTarget, admin


@pytest.fixture
def outbox(pg: PgTarget) -> Iterator[PostgresOutbox]:
    with PostgresOutbox(pg.dsn, schema=pg.schema) as store:
        store.ready()
        with admin(pg.dsn) as conn:
            conn.execute(f'CREATE TABLE "{pg.schema}".dossiers (code text PRIMARY KEY, paid bool)')
            dossiers = f'"{pg.schema}".dossiers'
            conn.execute(f"INSERT INTO {dossiers} VALUES ('HS-1', false), ('HS-2', false)")  # noqa: S608
        yield store


def paid(pg: PgTarget) -> list[tuple[str, bool]]:
    with admin(pg.dsn) as conn:
        rows: list[tuple[str, bool]] = conn.execute(
            f'SELECT code, paid FROM "{pg.schema}".dossiers ORDER BY code'  # noqa: S608
        ).fetchall()
    return rows


FLOW = Flow("fee", [Step("receipt", run=lambda ctx: {"n": 1})])


def _django(dsn: str) -> Any:
    django = pytest.importorskip("django")
    import psycopg
    from django.conf import settings

    if not settings.configured:
        parts = psycopg.conninfo.conninfo_to_dict(dsn)
        settings.configure(
            DATABASES={
                "default": {
                    "ENGINE": "django.db.backends.postgresql",
                    "NAME": parts.get("dbname", ""),
                    "HOST": parts.get("host", ""),
                    "PORT": parts.get("port", ""),
                    "USER": parts.get("user", ""),
                    "PASSWORD": parts.get("password", ""),
                }
            },
            USE_TZ=True,
        )
        django.setup()
    from django.db import connection, transaction

    return connection, transaction


def test_django_atomic_block_commits_the_job_with_the_write(
    outbox: PostgresOutbox, pg: PgTarget
) -> None:
    connection, transaction = _django(pg.dsn)
    pay = f'UPDATE "{pg.schema}".dossiers SET paid = true WHERE code = %s'  # noqa: S608
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(pay, ["HS-1"])
            FLOW.start(outbox.joined(connection), "HS-1", {"amount": 50_000})

        def pay_then_fail() -> None:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(pay, ["HS-2"])
                outbox.enqueue(NewJob("fee_receipt", "HS-2:receipt"), connection=connection)
                raise RuntimeError("the portal failed after enqueueing")

        with pytest.raises(RuntimeError, match="portal failed"):
            pay_then_fail()
        with pytest.raises(ValidationError, match="not in a transaction"):
            outbox.enqueue(NewJob("fee_receipt", "HS-3:receipt"), connection=connection)
        with transaction.atomic():  # Django's raw psycopg connection works as well
            connection.ensure_connection()
            outbox.enqueue(NewJob("fee_receipt", "HS-4:receipt"), connection=connection.connection)
    finally:
        connection.close()
    assert [("HS-1", True), ("HS-2", False)] == paid(pg)
    keys = [job.key for job in outbox.jobs()]
    assert ["HS-1:receipt", "HS-4:receipt"] == keys


def test_sqlalchemy_transaction_commits_the_job_with_the_write(
    outbox: PostgresOutbox, pg: PgTarget
) -> None:
    sqlalchemy = pytest.importorskip("sqlalchemy")
    import psycopg
    from sqlalchemy.orm import Session

    engine = sqlalchemy.create_engine(
        "postgresql+psycopg://", creator=lambda: psycopg.connect(pg.dsn)
    )
    pay = sqlalchemy.text(
        f'UPDATE "{pg.schema}".dossiers SET paid = true WHERE code = :code'  # noqa: S608
    )
    try:
        with engine.begin() as conn:
            conn.execute(pay, {"code": "HS-1"})
            FLOW.start(outbox.joined(conn.connection), "HS-1", {"amount": 50_000})

        def pay_then_fail() -> None:
            with engine.begin() as conn:
                conn.execute(pay, {"code": "HS-2"})
                job = NewJob("fee_receipt", "HS-2:receipt")
                outbox.enqueue(job, connection=conn.connection.driver_connection)
                raise RuntimeError("the portal failed after enqueueing")

        with pytest.raises(RuntimeError, match="portal failed"):
            pay_then_fail()
        with Session(engine) as session, session.begin():
            session.execute(pay, {"code": "HS-2"})
            job = NewJob("fee_receipt", "HS-2:receipt")
            outbox.enqueue(job, connection=session.connection().connection)
    finally:
        engine.dispose()
    assert [("HS-1", True), ("HS-2", True)] == paid(pg)
    assert ["HS-1:receipt", "HS-2:receipt"] == [job.key for job in outbox.jobs()]
