"""reconcile_and_query: a payment whose IPN never came is found by asking the gateway."""

from __future__ import annotations

from datetime import timedelta

from connectors.banks.base import PaymentRequest
from connectors.banks.matching import ExpectedPayment
from connectors.banks.reconcile import RowStatus, reconcile
from connectors.banks.reconcile_query import reconcile_and_query
from connectors.core.errors import ConnectorError
from connectors.testing import Status

from .gateways import make_client, make_simulator, open_in_browser, running


def test_lapsed_payment_is_queried_and_found_paid() -> None:
    sim = make_simulator("vnpay")
    with running(sim, "vnpay", "in-process") as base_url:
        vnpay = make_client("vnpay", base_url)
        intent = vnpay.create_payment(
            PaymentRequest(
                dossier_code="HS2026000301",
                amount=30_000,
                description="HS2026000301 le phi",
                return_url="https://portal.example/return",
            )
        )
        open_in_browser(intent)
        sim.pay(intent.order_ref)  # paid at VNPay; the IPN is never delivered
        expected = [
            ExpectedPayment(
                "HS2026000301",
                30_000,
                order_refs=(intent.order_ref,),
                expires_at=intent.expires_at,
            )
        ]
        later = intent.expires_at + timedelta(minutes=1)
        before = reconcile(expected, as_of=later)
        assert ("HS2026000301",) == before.to_query
        assert RowStatus.MISSING_PAYMENT == before.row_for("HS2026000301").status

        queried: list[str] = []

        def query(payment: ExpectedPayment):  # type: ignore[no-untyped-def]
            queried.append(payment.dossier_code)
            return vnpay.query(payment.order_refs[0], created_at=intent.created_at)

        after = reconcile_and_query(expected, query=query, as_of=later)
    assert ["HS2026000301"] == queried
    assert RowStatus.OK == after.row_for("HS2026000301").status
    assert 30_000 == after.totals.received


def test_a_failing_query_leaves_the_row_and_is_reported() -> None:
    sim = make_simulator("vnpay")
    with running(sim, "vnpay", "in-process") as base_url:
        vnpay = make_client("vnpay", base_url)
        intent = vnpay.create_payment(
            PaymentRequest(
                dossier_code="HS2026000302",
                amount=10_000,
                description="HS2026000302 le phi",
                return_url="https://portal.example/return",
            )
        )
        open_in_browser(intent)
        sim.faults.add("transaction", Status(503), times=10)
        expected = [
            ExpectedPayment(
                "HS2026000302", 10_000, order_refs=(intent.order_ref,), expires_at=intent.expires_at
            )
        ]
        errors: list[str] = []

        def query(payment: ExpectedPayment):  # type: ignore[no-untyped-def]
            return vnpay.query(payment.order_refs[0], created_at=intent.created_at)

        def on_error(payment: ExpectedPayment, exc: ConnectorError) -> None:
            errors.append(f"{payment.dossier_code}: {type(exc).__name__}")

        report = reconcile_and_query(
            expected,
            query=query,
            as_of=intent.expires_at + timedelta(minutes=1),
            on_error=on_error,
        )
    assert ["HS2026000302: ProviderUnavailable"] == errors
    assert RowStatus.MISSING_PAYMENT == report.row_for("HS2026000302").status
