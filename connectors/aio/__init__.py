"""An async face for the calls a portal makes inside a web request (FastAPI, Starlette,
Django's async views): the same clients, run in a worker thread.

    from connectors import aio

    payments = aio.AsyncGateway(adapters.payments["payos"])
    intent = await payments.create_payment(request)        # never blocks the event loop
    report = await payments.query(intent.order_ref)
    invoices = aio.AsyncInvoices(adapters.invoices)
    document = await invoices.get("HS2026000101:receipt")

Nothing forks: each call is the sync client's own method (`asyncio.to_thread`), so the
transport, its retries, its total deadline, the idempotency keys and the error classes
are exactly those of the sync call. The call's timeout is the client's deadline
(`Timeouts.total`): the awaited call raises the same `TransportError` /
`OutcomeUnknown` when it passes.

**Cancellation.** Cancelling the awaiting task (the citizen closed the page, the server
shut down, `asyncio.timeout`/`wait_for` expired) stops the *waiting*, not the call: the
thread runs on to its answer or its deadline, and the answer is dropped. A write may
therefore have happened with nobody told. Its outcome is not lost, because every write
carries a key the portal chose and stored before awaiting: a payment's `order_ref`
(`PaymentRequest.order_ref`), an invoice's key, an SMS's request id. The portal finds it
again with a read under that key (`query(order_ref)`, `invoices.get(key)`), or simply
repeats the call with the same key, which the client de-duplicates like any retry. For work
that must happen whatever becomes of the request (receipts, SMS), enqueue it in the
durable outbox instead of awaiting it in the request.

The threads are the event loop's default executor's (at most `min(32, cpu + 4)` at once);
a server with many slow vendor calls in flight sets a bigger one
(`loop.set_default_executor`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from connectors.banks.base import FeeGateway, PaymentIntent, PaymentRequest, PaymentStatusReport
from connectors.einvoice import DocumentStatus, InvoiceProvider, IssuedDocument

__all__ = ["AsyncGateway", "AsyncInvoices", "offload"]

T = TypeVar("T")


async def offload(call: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """`call(*args, **kwargs)` in a worker thread, awaited (see the module on cancellation)."""
    return await asyncio.to_thread(call, *args, **kwargs)


class AsyncGateway:
    """A payment gateway's request-time calls, awaitable; `sync` is the client itself."""

    def __init__(self, gateway: FeeGateway) -> None:
        self.sync = gateway

    def __repr__(self) -> str:
        return f"AsyncGateway({self.sync!r})"

    async def create_payment(self, request: PaymentRequest, **options: Any) -> PaymentIntent:
        """`create_payment` in a worker thread. Set `request.order_ref` (and store it) first
        if a cancelled request must be able to find its payment again with `query`."""
        return await offload(self.sync.create_payment, request, **options)

    async def query(self, order_ref: str, **options: Any) -> PaymentStatusReport:
        """`query` (a read, retried on transient faults) in a worker thread."""
        return await offload(self.sync.query, order_ref, **options)


class AsyncInvoices:
    """An e-invoice vendor's lookups, awaitable; `sync` is the client itself."""

    def __init__(self, invoices: InvoiceProvider) -> None:
        self.sync = invoices

    def __repr__(self) -> str:
        return f"AsyncInvoices({self.sync!r})"

    async def get(self, key: str) -> IssuedDocument:
        """`get(key)`: the document issued under `key` (`NotFound` if none), in a thread."""
        return await offload(self.sync.get, key)

    async def status(self, key: str) -> DocumentStatus:
        """`status(key)`: where the document issued under `key` stands, in a thread."""
        return await offload(self.sync.status, key)
