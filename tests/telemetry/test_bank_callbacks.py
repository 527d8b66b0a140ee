"""Bank callbacks get their verdicts too: a VNPay IPN and a SePay webhook, each verified,
duplicate, forged and stale, counted once under the gateway's name."""

from __future__ import annotations

from connectors.banks import CallbackOutcome, IpnHandler, PaymentNotification
from connectors.banks.base import CallbackRequest
from connectors.banks.matching import BankTransfer
from connectors.banks.sepay import SepayWebhook
from connectors.banks.vnpay import VnpayGateway
from connectors.core import MemorySeenStore
from connectors.testing.simulators.banks.sepay import SepayTransactionsSimulator
from tests.banks.gateways import VNPAY_SECRET
from tests.banks.signed import NOW, REF, vnpay_callback
from tests.telemetry.capture import Captured

CALLBACKS = "connectors.callbacks"
SEPAY_SECRET = "sepay-telemetry-not-a-real-secret"


def _verdicts(otel: Captured) -> dict[tuple[str, str], float]:
    return {
        (p.attributes["connectors.receiver"], p.attributes["connectors.verdict"]): p.value
        for p in otel.points(CALLBACKS)
    }


def _vnpay_ipn(clock: float, handled: list[PaymentNotification]) -> IpnHandler:
    gateway = VnpayGateway(
        tmn_code="HNTEST01", hash_secret=VNPAY_SECRET, base_url="https://vnpay.sim.test"
    )
    return IpnHandler(
        gateway,
        expected_amount=lambda ref: 50_000 if ref == REF else None,
        on_payment=handled.append,
        store=MemorySeenStore(),
        clock=lambda: clock,
    )


def test_vnpay_ipns_get_each_verdict(otel: Captured) -> None:
    handled: list[PaymentNotification] = []
    genuine = vnpay_callback("5000000")
    forged = CallbackRequest(
        genuine.method, {**genuine.query, "vnp_SecureHash": "0" * 128}, genuine.headers
    )
    fresh = _vnpay_ipn(NOW, handled)
    assert CallbackOutcome.ACCEPTED == fresh.process(genuine).outcome
    assert CallbackOutcome.DUPLICATE == fresh.process(genuine).outcome
    assert CallbackOutcome.INVALID_SIGNATURE == fresh.process(forged).outcome
    two_days_later = _vnpay_ipn(NOW + 2 * 86_400, handled)
    assert CallbackOutcome.INVALID_SIGNATURE == two_days_later.process(genuine).outcome
    assert [REF] == [note.order_ref for note in handled]
    assert {
        ("vnpay", "verified"): 1,
        ("vnpay", "duplicate"): 1,
        ("vnpay", "forged"): 1,
        ("vnpay", "stale"): 1,
    } == _verdicts(otel)


def test_sepay_webhooks_get_each_verdict(otel: Captured) -> None:
    now = 1_735_787_700.0
    sim = SepayTransactionsSimulator(hmac_secret=SEPAY_SECRET, clock=lambda: now)
    request = sim.transfer(account="0123456789", amount=50_000, content="HS2025000123")
    handled: list[BankTransfer] = []
    receiver = SepayWebhook(hmac_secret=SEPAY_SECRET, clock=lambda: now)
    assert (
        CallbackOutcome.ACCEPTED
        == receiver.handle(request.body, request.headers, handled.append).outcome
    )
    assert (
        CallbackOutcome.DUPLICATE
        == receiver.handle(request.body, request.headers, handled.append).outcome
    )
    tampered = request.body.replace(b"50000", b"90000")
    assert b"90000" in tampered
    refused = receiver.handle(tampered, request.headers, handled.append)
    assert CallbackOutcome.INVALID_SIGNATURE == refused.outcome
    later = SepayWebhook(hmac_secret=SEPAY_SECRET, clock=lambda: now + 3_600)
    stale = later.handle(request.body, request.headers, handled.append)
    assert CallbackOutcome.INVALID_SIGNATURE == stale.outcome
    assert 1 == len(handled)
    assert {
        ("sepay", "verified"): 1,
        ("sepay", "duplicate"): 1,
        ("sepay", "forged"): 1,
        ("sepay", "stale"): 1,
    } == _verdicts(otel)
