"""The simulated pay pages, as a person in a browser uses them: open, press a button, come
back to the portal, and (with `auto_deliver`) the IPN reaches the portal's handler."""

from __future__ import annotations

import time
from contextlib import ExitStack
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from connectors.banks.base import PaymentNotification, PaymentRequest, PaymentStatus
from connectors.banks.ipn import IpnHandler
from connectors.core.webhooks import MemorySeenStore
from connectors.testing import serve
from tests.banks.gateways import GATEWAYS, make_client, make_simulator


def wait_for_one(items: list[PaymentNotification], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not items and time.monotonic() < deadline:
        time.sleep(0.02)


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_paying_on_the_page_returns_to_the_portal_and_delivers_the_ipn(gateway: str) -> None:
    sim = make_simulator(gateway)
    sim.auto_deliver = True
    received: list[PaymentNotification] = []
    with ExitStack() as stack:
        base_url = stack.enter_context(serve(sim))
        sim.public_url = base_url
        client = make_client(gateway, base_url)
        handler = IpnHandler(
            client,
            expected_amount=lambda _ref: 50_000,
            on_payment=received.append,
            store=MemorySeenStore(),
        )
        ipn_url = stack.enter_context(serve(handler)) + "/ipn"
        sim.ipn_url = sim.webhook_url = ipn_url
        request = PaymentRequest(
            dossier_code="HS-2025-000321",
            order_ref=None if gateway == "payos" else "HS2025000321",
            amount=50_000,
            description="Le phi HS-2025-000321",
            return_url="https://dvc.example.vn/pay/return",
            notify_url=ipn_url,
        )
        intent = client.create_payment(request)
        page = requests.get(intent.redirect_url, timeout=5)
        assert 200 == page.status_code
        assert 'value="success"' in page.text
        action = page.text.split('action="', 1)[1].split('"', 1)[0]
        hidden = dict(
            (part.split('name="')[1].split('"')[0], part.split('value="')[1].split('"')[0])
            for part in page.text.split("<input")[1:]
        )
        done = requests.post(
            base_url + action,
            data={**hidden, "outcome": "success"},
            allow_redirects=False,
            timeout=5,
        )
        wait_for_one(received)
    assert 302 == done.status_code
    location = urlsplit(done.headers["Location"])
    assert (
        "https://dvc.example.vn/pay/return"
        == f"{location.scheme}://{location.netloc}{location.path}"
    )
    back = dict(parse_qsl(location.query))
    if gateway != "payos":  # VNPay and MoMo sign the return redirect; payOS does not
        note = client.parse_notification(method="GET", query=back, body=b"", headers={})
        assert PaymentStatus.PAID == note.status
    assert [(intent.order_ref, PaymentStatus.PAID)] == [(n.order_ref, n.status) for n in received]
    assert 1 == sim.ledger.count("payment", intent.order_ref)


def test_cancelling_on_the_vnpay_page_comes_back_signed_as_cancelled() -> None:
    sim = make_simulator("vnpay")
    with serve(sim) as base_url:
        client = make_client("vnpay", base_url)
        intent = client.create_payment(
            PaymentRequest(
                dossier_code="HS1", amount=10_000, description="x", return_url="https://a.vn/r"
            )
        )
        requests.get(intent.redirect_url, timeout=5)
        done = requests.post(
            base_url + "/paymentv2/sim/complete",
            data={"vnp_TxnRef": "HS1", "outcome": "cancelled"},
            allow_redirects=False,
            timeout=5,
        )
        again = requests.post(
            base_url + "/paymentv2/sim/complete",
            data={"vnp_TxnRef": "HS1", "outcome": "success"},
            allow_redirects=False,
            timeout=5,
        )
    back = dict(parse_qsl(urlsplit(done.headers["Location"]).query))
    note = client.verify_callback(back)
    assert (PaymentStatus.CANCELLED, "24") == (note.status, note.vendor_code)
    assert 409 == again.status_code
    assert 0 == sim.ledger.count("ipn")  # auto_deliver is off by default
