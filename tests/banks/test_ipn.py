"""The IPN handler: verification first, order and amount checks, exactly-once dispatch,
and the exact answer each gateway expects; as a plain function and as a WSGI app."""

from __future__ import annotations

import io
import itertools
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.banks.base import (
    CallbackOutcome,
    CallbackRequest,
    PaymentNotification,
    PaymentRequest,
    PaymentStatus,
)
from connectors.banks.ipn import IpnHandler, request_from_wsgi
from connectors.banks.vnpay import VnpayGateway
from connectors.core.webhooks import MemorySeenStore, SqliteSeenStore
from connectors.testing import mount, serve
from connectors.testing.simulators.banks.vnpay import VnpayGatewaySimulator
from tests.banks.gateways import VNPAY_SECRET

URL = "https://vnpay.sim.test"
_refs = itertools.count(1)

VNPAY_ANSWERS = {
    CallbackOutcome.ACCEPTED: b'{"RspCode":"00","Message":"Confirm Success"}',
    CallbackOutcome.ORDER_NOT_FOUND: b'{"RspCode":"01","Message":"Order not found"}',
    CallbackOutcome.DUPLICATE: b'{"RspCode":"02","Message":"Order already confirmed"}',
    CallbackOutcome.AMOUNT_MISMATCH: b'{"RspCode":"04","Message":"invalid amount"}',
    CallbackOutcome.INVALID_SIGNATURE: b'{"RspCode":"97","Message":"Invalid signature"}',
    CallbackOutcome.MALFORMED: b'{"RspCode":"99","Message":"Input data required"}',
    CallbackOutcome.ERROR: b'{"RspCode":"99","Message":"Unknow error"}',
}


class Portal:
    def __init__(self, expected: dict[str, int], failures: int = 0) -> None:
        self.expected = expected
        self.received: list[PaymentNotification] = []
        self.failures = failures
        self.lock = threading.Lock()

    def expected_amount(self, ref: str) -> int | None:
        return self.expected.get(ref)

    def on_payment(self, note: PaymentNotification) -> None:
        with self.lock:
            if self.failures:
                self.failures -= 1
                raise RuntimeError("database down")
            self.received.append(note)


@pytest.fixture
def sim() -> Iterator[VnpayGatewaySimulator]:
    simulator = VnpayGatewaySimulator(hash_secret=VNPAY_SECRET, sleep=lambda _s: None)
    with mount(simulator, URL):
        yield simulator


@pytest.fixture
def vnpay() -> VnpayGateway:
    return VnpayGateway(tmn_code="HNTEST01", hash_secret=VNPAY_SECRET, base_url=URL)


def paid(
    sim: VnpayGatewaySimulator,
    vnpay: VnpayGateway,
    amount: int = 50_000,
    amount_reported: int | None = None,
) -> dict[str, str]:
    """A citizen pays a fresh order at the simulated VNPay; the signed IPN parameters."""
    ref = f"HS{next(_refs):08d}"
    request = PaymentRequest(
        dossier_code=ref, amount=amount, description="Le phi", return_url="https://a.vn/r"
    )
    assert 200 == requests.get(vnpay.payment_url(request), timeout=5).status_code
    return dict(sim.pay(ref, amount=amount_reported).query)


def test_vnpay_answers_are_exact(vnpay: VnpayGateway) -> None:
    assert set(CallbackOutcome) == set(VNPAY_ANSWERS)
    for outcome, body in VNPAY_ANSWERS.items():
        answer = vnpay.callback_answer(outcome)
        assert (200, body) == (answer.status, answer.body)
        assert (("Content-Type", "application/json"),) == answer.headers


def test_plain_function_confirms_once_then_says_already_confirmed(
    sim: VnpayGatewaySimulator, vnpay: VnpayGateway
) -> None:
    params = paid(sim, vnpay)
    portal = Portal({params["vnp_TxnRef"]: 50_000})
    handler = IpnHandler(
        vnpay, expected_amount=portal.expected_amount, on_payment=portal.on_payment
    )
    first = handler.handle(method="GET", query=params)
    second = handler.handle(method="get", query=params)
    assert VNPAY_ANSWERS[CallbackOutcome.ACCEPTED] == first.body
    assert VNPAY_ANSWERS[CallbackOutcome.DUPLICATE] == second.body
    assert [params["vnp_TxnRef"]] == [n.order_ref for n in portal.received]


@pytest.mark.parametrize(
    ("change", "outcome"),
    [
        ({"vnp_SecureHash": "00"}, CallbackOutcome.INVALID_SIGNATURE),
        ({"vnp_Amount": "100"}, CallbackOutcome.INVALID_SIGNATURE),
        ({}, CallbackOutcome.ORDER_NOT_FOUND),
    ],
)
def test_refusals_change_no_state(
    sim: VnpayGatewaySimulator,
    vnpay: VnpayGateway,
    change: dict[str, str],
    outcome: CallbackOutcome,
) -> None:
    params = {**paid(sim, vnpay), **change}
    portal = Portal({})
    store = SqliteSeenStore()
    handler = IpnHandler(
        vnpay, expected_amount=portal.expected_amount, on_payment=portal.on_payment, store=store
    )
    result = handler.handle(method="GET", query=params)
    assert VNPAY_ANSWERS[outcome] == result.body
    assert [] == portal.received
    assert not store.seen(
        f"{params['vnp_TxnRef']}:paid:{params['vnp_TransactionNo']}", namespace="vnpay"
    )


def test_missing_parameters_are_an_invalid_signature(vnpay: VnpayGateway) -> None:
    handler = IpnHandler(vnpay, expected_amount=lambda _r: 1, on_payment=lambda _n: None)
    assert VNPAY_ANSWERS[CallbackOutcome.INVALID_SIGNATURE] == handler.handle(method="GET").body


@settings(max_examples=25)
@given(expected=st.integers(min_value=1, max_value=10**9), reported=st.integers(1, 10**9))
def test_amounts_are_compared_as_integers(expected: int, reported: int) -> None:
    simulator = VnpayGatewaySimulator(hash_secret=VNPAY_SECRET)
    vnpay = VnpayGateway(tmn_code="HNTEST01", hash_secret=VNPAY_SECRET, base_url=URL)
    with mount(simulator, URL):
        params = paid(simulator, vnpay, amount=expected, amount_reported=reported)
    portal = Portal({params["vnp_TxnRef"]: expected})
    handler = IpnHandler(
        vnpay, expected_amount=portal.expected_amount, on_payment=portal.on_payment
    )
    result = handler.process(CallbackRequest("GET", params))
    if expected == reported:
        assert CallbackOutcome.ACCEPTED == result.outcome
        assert [reported] == [n.amount for n in portal.received]
    else:
        assert CallbackOutcome.AMOUNT_MISMATCH == result.outcome
        assert VNPAY_ANSWERS[CallbackOutcome.AMOUNT_MISMATCH] == result.answer.body
        assert [] == portal.received


def test_portal_failure_leaves_the_event_for_the_retry(
    sim: VnpayGatewaySimulator, vnpay: VnpayGateway
) -> None:
    params = paid(sim, vnpay)
    portal = Portal({params["vnp_TxnRef"]: 50_000}, failures=1)
    store = MemorySeenStore()
    handler = IpnHandler(
        vnpay, expected_amount=portal.expected_amount, on_payment=portal.on_payment, store=store
    )
    first = handler.process(CallbackRequest("GET", params))
    assert (CallbackOutcome.ERROR, "RuntimeError") == (first.outcome, first.error)
    assert VNPAY_ANSWERS[CallbackOutcome.ERROR] == first.answer.body
    assert 0 == len(store)
    assert (
        VNPAY_ANSWERS[CallbackOutcome.ACCEPTED] == handler.handle(method="GET", query=params).body
    )
    assert 1 == len(portal.received)


@pytest.mark.parametrize("lookup", [lambda _r: 50_000.0, lambda _r: 1 / 0])
def test_a_broken_lookup_is_an_error_not_a_refusal(
    sim: VnpayGatewaySimulator, vnpay: VnpayGateway, lookup: object
) -> None:
    params = paid(sim, vnpay)
    received: list[PaymentNotification] = []
    handler = IpnHandler(vnpay, expected_amount=lookup, on_payment=received.append)  # type: ignore[arg-type]
    assert VNPAY_ANSWERS[CallbackOutcome.ERROR] == handler.handle(method="GET", query=params).body
    assert [] == received


def test_sqlite_store_survives_a_restart(
    sim: VnpayGatewaySimulator, vnpay: VnpayGateway, tmp_path: Path
) -> None:
    params = paid(sim, vnpay)
    portal = Portal({params["vnp_TxnRef"]: 50_000})
    path = tmp_path / "ipn.sqlite3"
    for _ in range(2):  # the portal restarts between the deliveries
        handler = IpnHandler(
            vnpay, expected_amount=portal.expected_amount, on_payment=portal.on_payment, store=path
        )
        with handler:
            handler.handle(method="GET", query=params)
    assert 1 == len(portal.received)


def test_concurrent_deliveries_reach_the_portal_once(
    sim: VnpayGatewaySimulator, vnpay: VnpayGateway
) -> None:
    params = paid(sim, vnpay)
    portal = Portal({params["vnp_TxnRef"]: 50_000})
    handler = IpnHandler(
        vnpay, expected_amount=portal.expected_amount, on_payment=portal.on_payment
    )
    barrier = threading.Barrier(8)
    bodies: list[bytes] = []

    def deliver() -> None:
        barrier.wait()
        bodies.append(handler.handle(method="GET", query=params).body)

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert 1 == len(portal.received)
    assert [VNPAY_ANSWERS[CallbackOutcome.ACCEPTED]] + [
        VNPAY_ANSWERS[CallbackOutcome.DUPLICATE]
    ] * 7 == sorted(bodies, key=lambda b: b != VNPAY_ANSWERS[CallbackOutcome.ACCEPTED])


def test_rejected_callbacks_are_reported(sim: VnpayGatewaySimulator, vnpay: VnpayGateway) -> None:
    params = paid(sim, vnpay, amount_reported=40_000)
    seen: list[tuple[str, CallbackOutcome]] = []
    handler = IpnHandler(
        vnpay,
        expected_amount=lambda _r: 50_000,
        on_payment=lambda _n: None,
        on_rejected=lambda n, o: seen.append((n.order_ref, o)),
    )
    handler.handle(method="GET", query=params)
    assert [(params["vnp_TxnRef"], CallbackOutcome.AMOUNT_MISMATCH)] == seen


def test_wsgi_app_on_loopback(vnpay: VnpayGateway) -> None:
    sim = VnpayGatewaySimulator(hash_secret=VNPAY_SECRET)
    with mount(sim, URL):  # the citizen pays; then real sockets for the IPN
        params = paid(sim, vnpay)
    portal = Portal({params["vnp_TxnRef"]: 50_000})
    handler = IpnHandler(
        vnpay, expected_amount=portal.expected_amount, on_payment=portal.on_payment
    )
    with serve(handler) as base_url:
        sim.ipn_url = f"{base_url}/vnpay/ipn"
        attempts = sim.deliver_ipn(params["vnp_TxnRef"])
        replay = requests.get(f"{base_url}/vnpay/ipn", params=params, timeout=5)
    assert [(200, VNPAY_ANSWERS[CallbackOutcome.ACCEPTED])] == [
        (a.status, a.body) for a in attempts
    ]
    assert (200, "application/json") == (replay.status_code, replay.headers["Content-Type"])
    assert {"RspCode": "02", "Message": "Order already confirmed"} == replay.json()
    assert PaymentStatus.PAID == portal.received[0].status


def test_request_from_wsgi_reads_everything() -> None:
    body = b'{"a": 1}'
    environ = {
        "REQUEST_METHOD": "post",
        "QUERY_STRING": "x=1&y=%C4%91&z=",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_X_SIGNATURE": "abc",
        "PATH_INFO": "/ipn",
        "wsgi.input": io.BytesIO(body),
    }
    request = request_from_wsgi(environ)
    assert ("POST", "/ipn", body) == (request.method, request.path, request.body)
    assert {"x": "1", "y": "đ", "z": ""} == dict(request.query)
    assert {"X-Signature": "abc", "Content-Type": "application/json"} == dict(request.headers)
