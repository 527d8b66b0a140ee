"""Every bank adapter, built from its settings with a 2 s deadline, against a gateway that
acts and then trickles its answer one byte every 0.2 s (loopback; the whole answer would
take well over 20 s), ends the call at the deadline (issue 10, point 3): a write with
`OutcomeUnknown` carrying its reference, a read with the deadline's `ReadTimeout`.

All adapters run at once, so the test takes one deadline.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import datetime
from typing import Any

import pytest

from connectors.banks.base import PaymentRequest, RefundRequest
from connectors.banks.momo import MomoGateway, MomoGatewaySettings
from connectors.banks.payos import PayosGateway, PayosGatewaySettings
from connectors.banks.sepay import SepayTransactionsSettings
from connectors.banks.vnpay import VnpayGateway, VnpayGatewaySettings
from connectors.core import ReadTimeout, Timeouts, Transport, load_settings
from connectors.core.deadline import DeadlineAdapter
from connectors.testing import Trickle, serve
from connectors.testing.conformance.maybe_sent import check_maybe_sent, run_concurrently
from connectors.testing.simulators.banks.sepay import SepayTransactionsSimulator
from connectors.vn.time import VN_TZ
from tests.banks.gateways import (
    MOMO_ACCESS,
    MOMO_SECRET,
    PAYOS_API_KEY,
    PAYOS_CHECKSUM,
    VNPAY_SECRET,
    make_simulator,
)

DEADLINE = Timeouts(connect=1.0, read=5.0, total=2.0)  # each byte comes well within `read`
HTTP = {"connect_timeout": 1.0, "read_timeout": 5.0, "deadline": 2.0}
TOKEN = "fake-api-token-0099"


def request(order_ref: str | None) -> PaymentRequest:
    return PaymentRequest(
        dossier_code="HS-2025-000888",
        amount=50_000,
        description="Le phi HS-2025-000888",
        return_url="https://dvc.example.vn/pay/return",
        notify_url="https://dvc.example.vn/pay/ipn",
        order_ref=order_ref,
    )


@pytest.fixture
def served() -> Iterator[dict[str, tuple[Any, str]]]:
    sims: dict[str, Any] = {
        "momo": make_simulator("momo"),
        "payos": make_simulator("payos"),
        "vnpay": make_simulator("vnpay"),
        "sepay": SepayTransactionsSimulator(api_token=TOKEN, sleep=lambda _s: None),
    }
    with ExitStack() as stack:
        yield {name: (sim, stack.enter_context(serve(sim))) for name, sim in sims.items()}


def transport_of(client: Any) -> Transport:
    transport = client.transport
    assert isinstance(transport, Transport)
    return transport


def test_every_bank_adapter_ends_a_trickled_call_at_its_deadline(
    served: dict[str, tuple[Any, str]],
) -> None:
    momo_sim, momo_url = served["momo"]
    payos_sim, payos_url = served["payos"]
    vnpay_sim, vnpay_url = served["vnpay"]
    sepay_sim, sepay_url = served["sepay"]
    momo = MomoGateway.from_settings(
        load_settings(
            MomoGatewaySettings,
            base_url=momo_url,
            partner_code="MOMO",
            access_key=MOMO_ACCESS,
            secret_key=MOMO_SECRET,
            http=HTTP,
        ),
        request_ids=lambda: "REQ-TRICKLE-1",
    )
    payos = PayosGateway.from_settings(
        load_settings(
            PayosGatewaySettings,
            base_url=payos_url,
            client_id="sim-client",
            api_key=PAYOS_API_KEY,
            checksum_key=PAYOS_CHECKSUM,
            http=HTTP,
        )
    )
    vnpay = VnpayGateway.from_settings(
        load_settings(
            VnpayGatewaySettings,
            base_url=vnpay_url,
            tmn_code="HNTEST01",
            hash_secret=VNPAY_SECRET,
            http=HTTP,
        )
    )
    sepay = load_settings(SepayTransactionsSettings, base_url=sepay_url, api_token=TOKEN, http=HTTP)
    transactions = sepay.transactions()
    for client, url in [
        (momo, momo_url),
        (payos, payos_url),
        (vnpay, vnpay_url),
        (transactions, sepay_url),
    ]:
        adapter = transport_of(client).session.get_adapter(url)
        assert isinstance(adapter, DeadlineAdapter)  # the deadline holds inside an attempt
    paid_at = datetime(2025, 1, 2, 10, 15, tzinfo=VN_TZ)
    refund = RefundRequest(
        order_ref="HS2025000888",
        amount=50_000,
        original_amount=50_000,
        refund_ref="RF-TRICKLE-1",
        gateway_txn_id="14226112",
        paid_created_at=paid_at,
    )
    for sim, route in [
        (momo_sim, "create"),
        (payos_sim, "create"),
        (vnpay_sim, "transaction"),
        (sepay_sim, "transactions"),
    ]:
        sim.faults.add(route, Trickle(interval=0.2), times=2)
    calls: dict[str, Callable[[], object]] = {
        "momo-create": functools.partial(momo.create_payment, request("HS2025000888")),
        "payos-create": functools.partial(payos.create_payment, request("1735787700888")),
        "vnpay-refund": functools.partial(vnpay.refund, refund),
        "vnpay-query": functools.partial(vnpay.query, "HS2025000888", created_at=paid_at),
        "sepay-fetch": transactions.fetch,
    }
    outcomes = run_concurrently(calls)
    writes = {
        "momo-create": (momo_sim, "create", "REQ-TRICKLE-1", "order"),
        "payos-create": (payos_sim, "create", "1735787700888", "order"),
    }
    for name, (sim, route, key, kind) in writes.items():
        check_maybe_sent(
            "trickle",
            outcomes[name],
            keyed=True,
            key=key,
            requests=len(sim.requests_to(route)),
            timeouts=DEADLINE,
        )
        assert 1 == sim.ledger.count(kind), name
    check_maybe_sent(  # VNPay's refund and query share one route: two requests, one each
        "trickle",
        outcomes["vnpay-refund"],
        keyed=True,
        key="RF-TRICKLE-1",
        requests=len(vnpay_sim.requests_to("transaction")) - 1,
        timeouts=DEADLINE,
    )
    for name in ("vnpay-query", "sepay-fetch"):
        error = outcomes[name].error
        assert isinstance(error, ReadTimeout), (name, error)
        assert "2s deadline" in error.message
        assert outcomes[name].elapsed < DEADLINE.total + 2.0
    assert 2 == len(vnpay_sim.requests_to("transaction"))
    assert 1 == len(sepay_sim.requests_to("transactions"))
