"""The IPN handler under ASGI: the same answers and ledger effects as under WSGI (raw ASGI
and Starlette), the event loop free while the portal's `on_payment` is slow, and a
cancelled request's payment still recorded once."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from connectors.banks.base import CallbackRequest, PaymentNotification
from connectors.banks.ipn import IpnHandler
from connectors.core.webhooks import SqliteSeenStore
from tests.banks.signed import GATEWAYS, NOW, REF, momo_callback, vnpay_callback
from tests.core.servers import DRIVERS, asgi_answer, scope_for

ACCEPTED = b'{"RspCode":"00","Message":"Confirm Success"}'
DUPLICATE = b'{"RspCode":"02","Message":"Order already confirmed"}'
FORGED = b'{"RspCode":"97","Message":"Invalid signature"}'


class Portal:
    """The portal's side: orders it expects, payments recorded; `gate` can hold a payment."""

    def __init__(self) -> None:
        self.paid: list[str] = []
        self.entered = threading.Event()
        self.gate = threading.Event()
        self.gate.set()

    def expected_amount(self, ref: str) -> int | None:
        return 50_000 if ref == REF else None

    def on_payment(self, note: PaymentNotification) -> None:
        self.entered.set()
        assert self.gate.wait(10), "the test never released the payment"
        self.paid.append(note.event_key)


def handler(name: str, portal: Portal, store: Any = ":memory:") -> IpnHandler:
    return IpnHandler(
        GATEWAYS[name](),
        expected_amount=portal.expected_amount,
        on_payment=portal.on_payment,
        store=store,
        clock=lambda: NOW,
    )


def send(driver: str, ipn: IpnHandler, callback: CallbackRequest) -> tuple[int, bytes]:
    answer = DRIVERS[driver](
        ipn,
        callback.method,
        "/ipn",
        query=callback.query,
        headers=callback.headers,
        body=callback.body,
    )
    return answer.status, answer.body


@pytest.mark.parametrize("driver", sorted(DRIVERS))
def test_a_vnpay_ipn_is_confirmed_once_then_a_duplicate_and_a_forgery_changes_nothing(
    driver: str,
) -> None:
    portal = Portal()
    ipn = handler("vnpay", portal)
    callback = vnpay_callback("5000000")
    forged = CallbackRequest("GET", {**callback.query, "vnp_Amount": "100"})
    assert (200, ACCEPTED) == send(driver, ipn, callback)
    assert (200, DUPLICATE) == send(driver, ipn, callback)
    assert (200, FORGED) == send(driver, ipn, forged)
    assert [f"{REF}:paid:14422574"] == portal.paid


@pytest.mark.parametrize("driver", sorted(DRIVERS))
def test_a_momo_ipn_posted_as_json_is_answered_204_once_and_an_oversized_body_413(
    driver: str,
) -> None:
    portal = Portal()
    ipn = handler("momo", portal)
    callback = momo_callback(50_000)
    assert (204, b"") == send(driver, ipn, callback)
    assert (204, b"") == send(driver, ipn, callback)
    big = CallbackRequest("POST", {}, callback.headers, b"{" + b" " * 70_000 + b"}")
    status, body = send(driver, ipn, big)
    assert (413, b"the body is over the 65536-byte limit") == (status, body)
    assert 1 == len(portal.paid)


def _vnpay_scope(path: str = "/ipn") -> dict[str, Any]:
    return scope_for("GET", path, vnpay_callback("5000000").query, None, b"")


def test_the_event_loop_answers_a_ping_while_on_payment_is_slow() -> None:
    portal = Portal()
    portal.gate.clear()
    ipn = handler("vnpay", portal)
    request = {"type": "http.request", "body": b"", "more_body": False}

    async def go() -> tuple[bytes, bytes, list[str]]:
        slow = asyncio.create_task(asgi_answer(ipn.asgi, _vnpay_scope(), [request]))
        while not portal.entered.is_set():
            await asyncio.sleep(0.005)
        # on_payment is now blocked in its thread; the same server answers another request
        ping = await asyncio.wait_for(
            asgi_answer(ipn.asgi, scope_for("PUT", "/ipn", None, None, b""), [request]), 5
        )
        still_waiting = list(portal.paid)
        portal.gate.set()
        return (await slow).body, ping.body, still_waiting

    answered, ping, during = asyncio.run(go())
    assert (ACCEPTED, [], [f"{REF}:paid:14422574"]) == (answered, during, portal.paid)
    assert FORGED == ping  # no parameters: no signature


def test_the_event_loop_stays_free_under_starlette_too() -> None:
    import httpx2
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Mount, Route

    portal = Portal()
    portal.gate.clear()
    ipn = handler("vnpay", portal)

    async def ping(_request: Any) -> PlainTextResponse:
        return PlainTextResponse("pong")

    site = Starlette(routes=[Route("/ping", ping), Mount("/callbacks", app=ipn.asgi)])

    async def go() -> tuple[str, bytes]:
        transport = httpx2.ASGITransport(app=site)
        async with httpx2.AsyncClient(transport=transport, base_url="http://127.0.0.1") as web:
            slow = asyncio.create_task(
                web.get("/callbacks/ipn", params=vnpay_callback("5000000").query)
            )
            while not portal.entered.is_set():
                await asyncio.sleep(0.005)
            pong = (await asyncio.wait_for(web.get("/ping"), 5)).text
            portal.gate.set()
            return pong, (await slow).content

    assert ("pong", ACCEPTED) == asyncio.run(go())
    assert [f"{REF}:paid:14422574"] == portal.paid


def test_a_cancelled_request_still_records_the_payment_and_the_retry_is_a_duplicate(
    tmp_path: Any,
) -> None:
    portal = Portal()
    portal.gate.clear()
    store = SqliteSeenStore(tmp_path / "seen.db")
    ipn = handler("vnpay", portal, store)
    request = {"type": "http.request", "body": b"", "more_body": False}

    async def go() -> None:
        task = asyncio.create_task(asgi_answer(ipn.asgi, _vnpay_scope(), [request]))
        while not portal.entered.is_set():
            await asyncio.sleep(0.005)
        task.cancel()  # the gateway hung up; the server cancels the request's task
        with pytest.raises(asyncio.CancelledError):
            await task
        portal.gate.set()  # the thread was not stopped: on_payment finishes its write

    asyncio.run(go())  # asyncio.run waits for the default executor's threads to finish
    assert [f"{REF}:paid:14422574"] == portal.paid
    assert store.seen(f"{REF}:paid:14422574", namespace="vnpay")
    assert (200, DUPLICATE) == send("asgi", ipn, vnpay_callback("5000000"))
    assert 1 == len(portal.paid)
