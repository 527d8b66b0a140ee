"""Faults between the portal and each gateway, in process and on real loopback sockets:
a query that times out is retried; a create or refund whose answer is lost after the
gateway committed is never done twice."""

from __future__ import annotations

import pytest

from connectors.banks.base import (
    Capability,
    PaymentRequest,
    PaymentStatus,
    RefundRequest,
    RefundStatus,
)
from connectors.core.errors import OutcomeUnknown
from connectors.testing import Reset, TimeoutAfterCommit, TimeoutBeforeProcessing
from tests.banks.gateways import GATEWAYS, RUNNERS, harness_for

QUERY_ROUTE = {"vnpay": "transaction", "momo": "query", "payos": "info"}
CREATE_ROUTE = {"momo": "create", "payos": "create"}  # VNPay creates nothing server-side
REFUND_ROUTE = {"vnpay": "transaction", "momo": "refund"}
HOLD = 1.0  # longer than the clients' 0.5 s read timeout


def new_request(ref: str | None) -> PaymentRequest:
    return PaymentRequest(
        dossier_code="HS-2025-000555",
        amount=50_000,
        description="Le phi HS-2025-000555",
        return_url="https://dvc.example.vn/pay/return",
        notify_url="https://dvc.example.vn/pay/ipn",
        order_ref=ref,
    )


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("gateway", GATEWAYS)
def test_query_timing_out_is_retried(gateway: str, runner: str) -> None:
    with harness_for(gateway, runner) as h:
        intent = h.gateway.create_payment(new_request(h.order_refs()))
        h.open_payment(intent)
        h.simulator.pay(intent.order_ref)
        sim = h.simulator
        sim.faults.add(QUERY_ROUTE[gateway], TimeoutBeforeProcessing(HOLD))
        report = h.gateway.query(intent.order_ref, created_at=intent.created_at)
        assert PaymentStatus.PAID == report.status
        assert 2 == len(sim.requests_to(QUERY_ROUTE[gateway]))


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("gateway", sorted(CREATE_ROUTE))
def test_create_answer_lost_after_commit_creates_one_payment(gateway: str, runner: str) -> None:
    with harness_for(gateway, runner) as h:
        sim = h.simulator
        sim.faults.add(CREATE_ROUTE[gateway], TimeoutAfterCommit(HOLD))
        intent = h.gateway.create_payment(new_request(h.order_refs()))
        assert 1 == sim.ledger.count("order")
        assert 1 == sim.ledger.count("order", intent.order_ref)
        assert intent.redirect_url


@pytest.mark.parametrize("runner", RUNNERS)
@pytest.mark.parametrize("gateway", sorted(REFUND_ROUTE))
def test_refund_answer_lost_after_commit_refunds_once(gateway: str, runner: str) -> None:
    with harness_for(gateway, runner) as h:
        assert Capability.REFUND in h.gateway.capabilities
        intent = h.gateway.create_payment(new_request(h.order_refs()))
        h.open_payment(intent)
        callback = h.simulator.pay(intent.order_ref)
        note = h.gateway.parse_notification(
            method=callback.method, query=callback.query, body=callback.body, headers={}
        )
        sim = h.simulator
        sim.faults.add(REFUND_ROUTE[gateway], TimeoutAfterCommit(HOLD))
        refund = h.gateway.refund(
            RefundRequest(
                order_ref=intent.order_ref,
                amount=intent.amount,
                original_amount=intent.amount,
                refund_ref="RF-LOST-1",
                gateway_txn_id=note.gateway_txn_id,
                paid_created_at=intent.created_at,
            )
        )
        assert refund.status in (RefundStatus.PENDING, RefundStatus.SUCCEEDED)
        assert 1 == sim.ledger.count("refund")
        assert 2 == len(sim.requests_to(REFUND_ROUTE[gateway]))
        after = h.gateway.query(intent.order_ref, created_at=intent.created_at)
        assert PaymentStatus.REFUNDED == after.status


@pytest.mark.parametrize("gateway", sorted(REFUND_ROUTE))
def test_refund_that_never_gets_an_answer_is_outcome_unknown(gateway: str) -> None:
    with harness_for(gateway, "in-process") as h:
        intent = h.gateway.create_payment(new_request(h.order_refs()))
        h.open_payment(intent)
        callback = h.simulator.pay(intent.order_ref)
        note = h.gateway.parse_notification(
            method=callback.method, query=callback.query, body=callback.body, headers={}
        )
        sim = h.simulator
        sim.faults.add(REFUND_ROUTE[gateway], Reset(), times=3)
        with pytest.raises(OutcomeUnknown) as raised:
            h.gateway.refund(
                RefundRequest(
                    order_ref=intent.order_ref,
                    amount=intent.amount,
                    original_amount=intent.amount,
                    refund_ref="RF-LOST-2",
                    gateway_txn_id=note.gateway_txn_id,
                    paid_created_at=intent.created_at,
                )
            )
        assert ("RF-LOST-2", gateway) == (raised.value.idempotency_key, raised.value.provider)
        assert 0 == sim.ledger.count("refund")
