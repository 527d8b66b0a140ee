"""The VNPay simulator: pay-page checks, the citizen, IPN retries on VNPay's schedule."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from connectors.banks.base import CallbackOutcome, PaymentRequest
from connectors.banks.ipn import IpnHandler
from connectors.banks.vnpay import VnpayGateway, wire
from connectors.core.webhooks import MemorySeenStore
from connectors.testing import mount, serve
from connectors.testing.simulators.banks.vnpay import VnpayGatewaySimulator
from connectors.vn.time import VN_TZ
from tests.banks.gateways import VNPAY_SECRET

URL = "https://vnpay.sim.test"
NOW = datetime(2025, 1, 2, 10, 15, tzinfo=VN_TZ)


def pay_url(ref: str = "HS1", amount: int = 50_000, secret: str = VNPAY_SECRET) -> str:
    vnpay = VnpayGateway(tmn_code="HNTEST01", hash_secret=secret, base_url=URL, clock=NOW.timestamp)
    request = PaymentRequest(
        dossier_code=ref, amount=amount, description="Le phi", return_url="https://a.vn/r"
    )
    return vnpay.payment_url(request)


def open_url(url: str) -> requests.Response:
    return requests.get(url, allow_redirects=False, timeout=5)


@pytest.fixture
def sim() -> VnpayGatewaySimulator:
    return VnpayGatewaySimulator(
        hash_secret=VNPAY_SECRET, clock=NOW.timestamp, sleep=lambda _s: None
    )


def test_pay_page_registers_the_order_once(sim: VnpayGatewaySimulator) -> None:
    with mount(sim, URL):
        assert 200 == open_url(pay_url()).status_code
        assert 200 == open_url(pay_url()).status_code  # the citizen reloads the page
    assert 1 == sim.ledger.count("order", "HS1")
    assert 50_000 == sim.orders["HS1"].amount


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda u: u.replace("HNTEST01", "HNTEST02"), "71"),
        (lambda u: u.replace("vnp_Locale=vn", "vnp_Locale=en"), "70"),
        (lambda u: u.split("&vnp_SecureHash")[0], "70"),
    ],
)
def test_pay_page_refuses_like_vnpay(sim: VnpayGatewaySimulator, mutate: object, code: str) -> None:
    with mount(sim, URL):
        response = open_url(mutate(pay_url()))  # type: ignore[operator]
    assert 302 == response.status_code
    assert f"/paymentv2/Payment/Error.html?code={code}" == response.headers["Location"]
    assert 0 == sim.ledger.count("order")


def test_pay_page_refuses_a_reused_txn_ref_with_other_content(sim: VnpayGatewaySimulator) -> None:
    with mount(sim, URL):
        open_url(pay_url(amount=50_000))
        response = open_url(pay_url(amount=60_000))
    assert response.headers["Location"].endswith("code=72")
    assert 50_000 == sim.orders["HS1"].amount


def test_expired_pay_url_is_refused(sim: VnpayGatewaySimulator) -> None:
    url = pay_url()
    sim.clock = (NOW + timedelta(minutes=16)).timestamp
    with mount(sim, URL):
        assert open_url(url).headers["Location"].endswith("code=11")


def test_pay_returns_signed_ipn_parameters(sim: VnpayGatewaySimulator) -> None:
    with mount(sim, URL):
        open_url(pay_url())
    callback = sim.pay("HS1", outcome="cancelled")
    params = dict(callback.query)
    assert ("GET", "24", "02", "5000000") == (
        callback.method,
        params["vnp_ResponseCode"],
        params["vnp_TransactionStatus"],
        params["vnp_Amount"],
    )
    assert wire.sign(VNPAY_SECRET, wire.signing_string(params)) == params["vnp_SecureHash"]
    with pytest.raises(ValueError, match="already"):
        sim.pay("HS1")
    with pytest.raises(KeyError):
        sim.pay("HS-unknown")


def test_ipn_is_retried_ten_times_five_minutes_apart_until_confirmed(
    sim: VnpayGatewaySimulator,
) -> None:
    vnpay = VnpayGateway(tmn_code="HNTEST01", hash_secret=VNPAY_SECRET, base_url=URL)
    sleeps: list[float] = []
    sim.sleep = sleeps.append
    with mount(sim, URL):
        open_url(pay_url())
    sim.pay("HS1")
    handler = IpnHandler(
        vnpay,
        expected_amount=lambda _ref: None,  # the portal does not know the order: 01
        on_payment=lambda _n: None,
        store=MemorySeenStore(),
        max_age=None,
    )
    with serve(handler) as ipn_url:
        attempts = sim.deliver_ipn("HS1", to=ipn_url + "/vnpay/ipn")
    assert 10 == len(attempts)
    assert [300.0] * 9 == sleeps
    assert {"01"} == {json.loads(a.body)["RspCode"] for a in attempts}
    assert 10 == sim.ledger.count("ipn", "HS1")


def test_ipn_stops_at_02(sim: VnpayGatewaySimulator) -> None:
    vnpay = VnpayGateway(tmn_code="HNTEST01", hash_secret=VNPAY_SECRET, base_url=URL)
    sim.ipn_url = IpnHandler(
        vnpay,
        expected_amount=lambda _ref: 50_000,
        on_payment=lambda _n: None,
        store=MemorySeenStore(),
        max_age=None,
    )
    with mount(sim, URL):
        open_url(pay_url())
    sim.pay("HS1")
    first, second = sim.deliver_ipn("HS1"), sim.deliver_ipn("HS1")
    answer = vnpay.callback_answer
    assert [answer(CallbackOutcome.ACCEPTED).body] == [a.body for a in first]
    assert [answer(CallbackOutcome.DUPLICATE).body] == [a.body for a in second]


def test_deliver_without_url_or_payment_is_refused(sim: VnpayGatewaySimulator) -> None:
    with mount(sim, URL):
        open_url(pay_url())
    with pytest.raises(ValueError, match="IPN URL"):
        sim.deliver_ipn("HS1")
    with pytest.raises(ValueError, match="not been paid"):
        sim.deliver_ipn("HS1", to="http://127.0.0.1:9/ipn")


def test_the_pay_url_carries_what_was_signed() -> None:
    params = dict(parse_qsl(urlsplit(pay_url()).query))
    assert wire.sign(VNPAY_SECRET, wire.signing_string(params)) == params["vnp_SecureHash"]
