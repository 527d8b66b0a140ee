"""What every gateway simulator shares (`FeeGatewaySimulator`): the vendor's delivery
schedule, delivering a paid order's callback, the pay page; and that a simulator reads the
vendor's messages through the provider's `wire.py` (VNPay's amounts through
`from_wire_amount`, the only place that divides by 100)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
import requests

from connectors.banks.vnpay import wire
from connectors.testing import mount
from connectors.testing.simulators.banks import (
    FeeGatewaySimulator,
    MomoGatewaySimulator,
    PayosGatewaySimulator,
    VnpayGatewaySimulator,
)
from connectors.testing.simulators.banks.base import checkout_page
from connectors.testing.simulators.banks.delivery import DeliveryAttempt
from tests.banks.gateways import (
    GATEWAYS,
    MOMO_ACCESS,
    MOMO_SECRET,
    PAYOS_API_KEY,
    PAYOS_CHECKSUM,
    VNPAY_SECRET,
    make_simulator,
)

URL = "https://vnpay.sim.test"


def test_each_simulator_keeps_its_vendors_delivery_schedule() -> None:
    sims: list[FeeGatewaySimulator] = [
        VnpayGatewaySimulator(hash_secret=VNPAY_SECRET),
        MomoGatewaySimulator(access_key=MOMO_ACCESS, secret_key=MOMO_SECRET),
        PayosGatewaySimulator(api_key=PAYOS_API_KEY, checksum_key=PAYOS_CHECKSUM),
    ]
    assert [(10, 300.0), (3, 60.0), (3, 60.0)] == [(s.ipn_attempts, s.ipn_interval) for s in sims]
    quick = MomoGatewaySimulator(
        access_key=MOMO_ACCESS, secret_key=MOMO_SECRET, ipn_attempts=2, ipn_interval=0.5
    )
    assert (2, 0.5) == (quick.ipn_attempts, quick.ipn_interval)


@pytest.mark.parametrize("gateway", GATEWAYS)
def test_an_unknown_order_cannot_be_paid_nor_delivered(gateway: str) -> None:
    sim = make_simulator(gateway)
    with pytest.raises(KeyError):
        sim.pay("HS404")
    with pytest.raises(KeyError):
        sim.deliver_ipn("HS404", to="http://127.0.0.1:9/ipn")
    assert 0 == len(sim.ledger)


def test_a_delivery_stops_when_the_portal_acknowledges() -> None:
    answers = iter([(500, b"busy"), (200, b'{"RspCode":"99"}'), (200, b'{"RspCode":"00"}')])
    sleeps: list[float] = []
    sim = VnpayGatewaySimulator(hash_secret=VNPAY_SECRET, sleep=sleeps.append)

    def portal(environ: dict[str, object], start_response: object) -> list[bytes]:
        status, body = next(answers)
        start_response(f"{status} X", [])  # type: ignore[operator]
        return [body]

    with mount(sim, URL):
        requests.get(pay_url(), timeout=5)
    sim.pay("HS1")
    attempts = sim.deliver_ipn("HS1", to=portal)
    assert [500, 200, 200] == [a.status for a in attempts]
    assert [300.0, 300.0] == sleeps
    assert [500, 200, 200] == [e.data["status"] for e in sim.ledger.entries("ipn")]
    assert DeliveryAttempt(200, b'{"RspCode":"00"}') == attempts[-1]


def pay_url(amount: str = "5000000") -> str:
    params = {
        "vnp_Amount": amount,
        "vnp_Command": "pay",
        "vnp_CreateDate": "20250102101500",
        "vnp_OrderInfo": "Le phi HS1",
        "vnp_ReturnUrl": "https://dvc.example.vn/return",
        "vnp_TmnCode": "HNTEST01",
        "vnp_TxnRef": "HS1",
        "vnp_Version": "2.1.0",
    }
    signed = wire.signed(params, VNPAY_SECRET)
    return f"{URL}{wire.DEFAULT_PROFILE.pay_path}?{urlencode(signed)}"


@pytest.mark.parametrize(
    ("amount", "registered"),
    [("5000000", 50_000), ("5000050", None), ("50000.00", None), ("-100", None), ("", None)],
)
def test_vnpay_reads_amounts_through_the_wire(amount: str, registered: int | None) -> None:
    sim = VnpayGatewaySimulator(hash_secret=VNPAY_SECRET, clock=lambda: 1_735_787_700.0)
    with mount(sim, URL):
        page = requests.get(pay_url(amount), allow_redirects=False, timeout=5)
    if registered is None:
        assert "/paymentv2/Payment/Error.html?code=03" == page.headers["Location"]
        assert {} == sim.orders
    else:
        assert 200 == page.status_code
        assert registered == sim.orders["HS1"].amount == wire.from_wire_amount(amount)


def test_the_pay_page_has_one_button_per_outcome_and_escapes_what_it_shows() -> None:
    page = checkout_page("VNPay <HS1>", ["50000 VND", "a & b"], "/pay", {"order": 'x"y'})
    assert 3 == page.count('name="outcome"')
    assert "VNPay &lt;HS1&gt;" in page
    assert "a &amp; b" in page
    assert 'value="x&quot;y"' in page
