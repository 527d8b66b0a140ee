"""A FastAPI portal that collects a dossier's fee with VNPay, then receipts and texts.

    POST /dossiers                       register a dossier (code, citizen, phone, fee)
    POST /dossiers/{code}/payment        create the VNPay payment: the citizen's pay URL
    GET  /dossiers/{code}/payment        ask VNPay where the payment stands
    GET  /ipn/vnpay                      VNPay's IPN (the IpnHandler, mounted as ASGI)

When VNPay's verified IPN says "paid", `on_payment` marks the dossier paid and enqueues the
receipt and the SMS (`fee_steps`) in one transaction of the portal's database (the outbox's:
an SQLite file, or PostgreSQL when `[commune] outbox` is a DSN). The worker carries them out:

    PORTAL_CONFIG=connectors.toml uvicorn portal:app     # the web portal
    connectors outbox run --tasks portal:fee_tasks --config connectors.toml

The configuration is `$PORTAL_CONFIG` (see `../connectors.example.toml`), read by
`connectors.commune.load`, secrets from the environment (CONNECTORS_VNPAY_HASH_SECRET...).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from connectors import aio
from connectors.banks import IpnHandler, PaymentNotification, PaymentRequest, PaymentStatus
from connectors.commune import Adapters, build, load
from connectors.core import PostgresSeenStore
from connectors.delivery import Citizen, FeeFlow, FeeLine, FeePaid, SqliteOutbox, fee_steps

CONFIG = Path(os.environ.get("PORTAL_CONFIG", "connectors.toml"))

SCHEMA = """CREATE TABLE IF NOT EXISTS portal_dossiers (
    code TEXT PRIMARY KEY, citizen TEXT NOT NULL, phone TEXT, fee_name TEXT NOT NULL,
    fee INTEGER NOT NULL, order_ref TEXT UNIQUE, created_at TEXT,
    paid INTEGER NOT NULL DEFAULT 0)"""


class NewDossier(BaseModel):
    code: str
    citizen: str
    phone: str | None = None
    fee_name: str
    fee: int


def fee_tasks(adapters: Adapters) -> FeeFlow:
    """The fee path over the commune's adapters (what `connectors outbox run` runs)."""
    return fee_steps(
        invoices=adapters.invoices,
        sms=adapters.sms,
        seller=adapters.config.seller,
        citizen_lookup=Dossiers(adapters).citizen,
    )


class Dossiers:
    """The portal's own table, in the outbox's database (so one transaction holds both)."""

    def __init__(self, adapters: Adapters) -> None:
        self.outbox = adapters.outbox
        self.postgres = not isinstance(self.outbox, SqliteOutbox)
        with self.transaction() as tx:
            self.execute(tx, SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """A transaction on the outbox's database: `tx.connection` for our SQL, and
        `tx` itself to enqueue on."""
        with self.outbox.transaction() as tx:
            yield tx

    def execute(self, tx: Any, sql: str, *args: Any) -> Any:
        return tx.connection.execute(sql.replace("?", "%s") if self.postgres else sql, args)

    def one(self, sql: str, *args: Any) -> Any:
        with self.transaction() as tx:
            return self.execute(tx, sql, *args).fetchone()

    def created(self, code: str, created_at: datetime) -> None:
        """When the payment was created (VNPay's query needs it)."""
        with self.transaction() as tx:
            sql = "UPDATE portal_dossiers SET created_at = ? WHERE code = ?"
            self.execute(tx, sql, created_at.isoformat(), code)

    def citizen(self, code: str) -> Citizen:
        """The payer as the table holds them when a step runs (`FeePaid.citizen` is the
        dossier code here)."""
        name, phone = self.one("SELECT citizen, phone FROM portal_dossiers WHERE code = ?", code)
        return Citizen(name=name, phone=phone)


class Portal:
    """The portal: its table, the VNPay gateway (sync and async faces), the IPN handler."""

    def __init__(self, adapters: Adapters) -> None:
        self.adapters = adapters
        self.dossiers = Dossiers(adapters)
        self.fees = fee_tasks(adapters)
        self.vnpay = aio.AsyncGateway(adapters.payments["vnpay"])
        outbox = adapters.config.outbox
        seen: Any = (
            PostgresSeenStore(outbox) if self.dossiers.postgres else CONFIG.with_name("seen.db")
        )
        self.ipn = IpnHandler(
            self.vnpay.sync,
            expected_amount=self.expected_amount,
            on_payment=self.on_payment,
            store=seen,
        )

    def expected_amount(self, order_ref: str) -> int | None:
        found = self.dossiers.one("SELECT fee FROM portal_dossiers WHERE order_ref = ?", order_ref)
        return None if found is None else int(found[0])

    def on_payment(self, notification: PaymentNotification) -> None:
        """A verified, amount-checked IPN: record it and enqueue the follow-up, once."""
        if notification.status is not PaymentStatus.PAID:
            return
        with self.dossiers.transaction() as tx:
            row = self.dossiers.execute(
                tx,
                "SELECT code, fee_name, fee FROM portal_dossiers WHERE order_ref = ?",
                notification.order_ref,
            ).fetchone()
            self.dossiers.execute(tx, "UPDATE portal_dossiers SET paid = 1 WHERE code = ?", row[0])
            fee = FeePaid.from_notification(
                notification, dossier_code=row[0], lines=[FeeLine(row[1], row[2])], citizen=row[0]
            )
            self.fees.start(tx, fee)  # keys "<code>:receipt", "<code>:sms": enqueued once


def create_app(config_path: Path = CONFIG) -> FastAPI:
    """The portal's FastAPI app over the configuration at `config_path`."""
    adapters = build(load(config_path))
    portal = Portal(adapters)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        portal.ipn.close()
        close_store = getattr(portal.ipn.store, "close", None)
        if callable(close_store):  # a PostgresSeenStore given to the handler
            close_store()
        adapters.close()

    app = FastAPI(lifespan=lifespan)
    app.state.portal = portal
    app.add_route("/ipn/vnpay", portal.ipn.asgi)  # verification and on_payment off the loop

    @app.post("/dossiers", status_code=201)
    async def register(dossier: NewDossier) -> dict[str, str]:
        await aio.offload(_register, portal, dossier)
        return {"code": dossier.code}

    @app.post("/dossiers/{code}/payment")
    async def pay(code: str, return_url: str = "https://portal.example/paid") -> dict[str, Any]:
        found = await aio.offload(portal.dossiers.one, _FEE, code)
        if found is None:
            raise HTTPException(404, "no such dossier")
        request = PaymentRequest(
            dossier_code=code,
            amount=int(found[0]),
            description=f"Le phi ho so {code}",
            return_url=return_url,
            order_ref=code,  # stored before the call: a cancelled request finds it by query
        )
        intent = await portal.vnpay.create_payment(request)
        await aio.offload(portal.dossiers.created, code, intent.created_at)
        return {"order_ref": intent.order_ref, "pay_url": intent.redirect_url}

    @app.get("/dossiers/{code}/payment")
    async def payment_status(code: str) -> dict[str, str]:
        found = await aio.offload(portal.dossiers.one, _CREATED, code)
        if found is None or found[0] is None:
            raise HTTPException(404, "no payment for this dossier")
        report = await portal.vnpay.query(code, created_at=datetime.fromisoformat(found[0]))
        return {"order_ref": code, "status": report.status.value}

    return app


_FEE = "SELECT fee FROM portal_dossiers WHERE code = ?"
_CREATED = "SELECT created_at FROM portal_dossiers WHERE code = ?"


def _register(portal: Portal, dossier: NewDossier) -> None:
    with portal.dossiers.transaction() as tx:
        portal.dossiers.execute(
            tx,
            "INSERT INTO portal_dossiers (code, citizen, phone, fee_name, fee, order_ref)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            dossier.code,
            dossier.citizen,
            dossier.phone,
            dossier.fee_name,
            dossier.fee,
            dossier.code,
        )


if os.environ.get("PORTAL_CONFIG"):  # `PORTAL_CONFIG=connectors.toml uvicorn portal:app`
    app = create_app()
