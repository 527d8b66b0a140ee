"""The fee-gateway conformance suite: the same checks for VNPay, MoMo, payOS and any other.

A provider's tests subclass `FeeGatewayConformance` and supply a `harness` fixture
returning a `BanksHarness`: the gateway client pointed at its simulator (mounted in process
or served on loopback), the simulator, and where the simulator should deliver callbacks.

    class TestVnpayGateway(FeeGatewayConformance):
        @pytest.fixture
        def harness(self) -> Iterator[BanksHarness]: ...

Every check runs a payment through the real client, the simulated vendor and the real
`IpnHandler`, and asserts on the notification, the handler's answer, the portal callback's
calls and the simulator's ledger.

The "maybe sent" fault matrix (`connectors.testing.conformance.maybe_sent`) runs on every
write the gateway makes server-side (create, refund, cancel, per its capabilities and
`write_routes`): the gateway acts, then answers with a 500, a cut-short, trickled or
oversize body; the effect exists once in the ledger (kinds "order", "refund", "cancel"),
the error is the table's, and sending again with the same reference adds no second effect.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

import pytest

from connectors.banks.base import (
    CallbackOutcome,
    CallbackRequest,
    Capability,
    FeeGateway,
    PaymentErrorCode,
    PaymentIntent,
    PaymentNotification,
    PaymentRequest,
    PaymentStatus,
    PaymentStatusReport,
    Refund,
    RefundRequest,
    RefundStatus,
    UnsupportedOperation,
)
from connectors.banks.ipn import IpnHandler
from connectors.core.errors import ProviderError, SignatureError
from connectors.core.transport import DEFAULT_MAX_RESPONSE_BYTES, Timeouts
from connectors.core.webhooks import MemorySeenStore
from connectors.testing.conformance.maybe_sent import (
    MATRIX_TIMEOUTS,
    MAYBE_SENT_FAULTS,
    check_maybe_sent,
    check_read,
    maybe_sent_fault,
    run_call,
)
from connectors.testing.faults import FaultPlan
from connectors.testing.simulator import Ledger, SeenRequest
from connectors.testing.simulators.banks.delivery import DeliveryAttempt

__all__ = [
    "BanksHarness",
    "FeeGatewayConformance",
    "GatewaySimulator",
    "Portal",
    "dossier_refs",
]

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class GatewaySimulator(Protocol):
    """What the suite needs from a gateway simulator."""

    ledger: Ledger
    faults: FaultPlan

    def requests_to(self, route: str) -> list[SeenRequest]:
        """Requests that reached a route of the simulator."""
        ...

    def pay(
        self, order_ref: str, *, outcome: Any = "success", amount: int | None = None
    ) -> CallbackRequest:
        """The citizen pays; the signed callback the gateway would send."""
        ...

    def tamper(self, callback: CallbackRequest, *, amount: int) -> CallbackRequest:
        """The callback with another amount, signature unchanged."""
        ...

    def deliver_ipn(
        self, order_ref: str, *, to: str | WSGIApp | None = None
    ) -> list[DeliveryAttempt]:
        """Deliver the order's callback on the vendor's retry schedule."""
        ...


def dossier_refs(prefix: str = "HS2025") -> Callable[[], str]:
    """A source of fresh order references: HS2025000001, HS2025000002..."""
    counter = itertools.count(1)
    return lambda: f"{prefix}{next(counter):06d}"


@dataclass
class BanksHarness:
    """How to run the suite against one gateway.

    - `open_payment(intent)`: what the citizen's browser does before paying (VNPay: open
      the pay URL, which is where VNPay learns of the order); default nothing.
    - `ipn_target(handler)`: where the simulator delivers callbacks for `handler`: the
      handler itself (in process) or the URL it is served at (loopback).
    - `order_refs`: fresh order references (None lets the gateway choose, as payOS does).
    - `write_routes`: the simulator route of each server-side write ("create", "refund",
      "cancel") and of "query"; an operation not listed is not run through the fault
      matrix.
    - `make_gateway(timeouts)`: a fresh gateway against the same simulator with those
      timeouts (the matrix needs a short deadline); `served`: the simulator answers on a
      loopback socket; `answer_limit`: the writes' answer size limit (bytes).
    """

    gateway: FeeGateway
    simulator: GatewaySimulator
    ipn_target: Callable[[IpnHandler], str | WSGIApp]
    open_payment: Callable[[PaymentIntent], None] = lambda _intent: None
    order_refs: Callable[[], str | None] = field(default_factory=lambda: dossier_refs())
    amount: int = 50_000
    write_routes: dict[str, str] = field(default_factory=dict)
    make_gateway: Callable[[Timeouts], FeeGateway] | None = None
    served: bool = False
    answer_limit: int = DEFAULT_MAX_RESPONSE_BYTES


@dataclass
class Portal:
    """A portal's side of the IPN: its expected amounts and what its callback received."""

    expected: dict[str, int] = field(default_factory=dict)
    received: list[PaymentNotification] = field(default_factory=list)
    failures_left: int = 0

    def expected_amount(self, order_ref: str) -> int | None:
        return self.expected.get(order_ref)

    def on_payment(self, notification: PaymentNotification) -> None:
        if self.failures_left > 0:
            self.failures_left -= 1
            raise RuntimeError("portal database unavailable")
        self.received.append(notification)


class FeeGatewayConformance:
    """The checks every `FeeGateway` passes against its simulator (supply `harness`)."""

    # -- helpers ---------------------------------------------------------------------------

    def _create(self, h: BanksHarness, amount: int | None = None) -> PaymentIntent:
        ref = h.order_refs()
        request = PaymentRequest(
            dossier_code="HS-2025-000123",
            amount=amount or h.amount,
            description="Nộp lệ phí hồ sơ HS-2025-000123",
            return_url="https://dvc.example.vn/pay/return",
            notify_url="https://dvc.example.vn/pay/ipn",
            order_ref=ref,
        )
        intent = h.gateway.create_payment(request)
        h.open_payment(intent)
        return intent

    def _handler(
        self, h: BanksHarness, portal: Portal, **options: Any
    ) -> tuple[IpnHandler, MemorySeenStore]:
        store = MemorySeenStore()
        handler = IpnHandler(
            h.gateway,
            expected_amount=portal.expected_amount,
            on_payment=portal.on_payment,
            store=store,
            **options,
        )
        return handler, store

    # -- the checks ------------------------------------------------------------------------

    def test_create_payment(self, harness: BanksHarness) -> None:
        intent = self._create(harness)
        assert harness.gateway.name == intent.gateway
        assert harness.amount == intent.amount
        assert timedelta(minutes=15) == intent.expires_at - intent.created_at
        assert timedelta(hours=7) == intent.created_at.utcoffset()
        if Capability.REDIRECT in harness.gateway.capabilities:
            assert intent.redirect_url
        if Capability.QR in harness.gateway.capabilities:
            assert intent.qr_payload
        assert 1 == harness.simulator.ledger.count("order", intent.order_ref)

    def test_paid_callback_verifies_into_the_notification(self, harness: BanksHarness) -> None:
        intent = self._create(harness)
        callback = harness.simulator.pay(intent.order_ref)
        note = harness.gateway.parse_notification(
            method=callback.method, query=callback.query, body=callback.body, headers={}
        )
        assert (harness.gateway.name, intent.order_ref) == (note.gateway, note.order_ref)
        assert (intent.amount, PaymentStatus.PAID) == (note.amount, note.status)
        assert note.gateway_txn_id
        assert note.paid_at is not None
        assert timedelta(hours=7) == note.paid_at.utcoffset()

    def test_forged_callback_is_refused_and_changes_nothing(self, harness: BanksHarness) -> None:
        intent = self._create(harness)
        portal = Portal({intent.order_ref: intent.amount})
        handler, store = self._handler(harness, portal)
        genuine = harness.simulator.pay(intent.order_ref)
        forged = harness.simulator.tamper(genuine, amount=intent.amount - 1_000)
        with pytest.raises(SignatureError):
            harness.gateway.parse_notification(
                method=forged.method, query=forged.query, body=forged.body, headers={}
            )
        result = handler.process(forged)
        assert CallbackOutcome.INVALID_SIGNATURE == result.outcome
        assert harness.gateway.callback_answer(CallbackOutcome.INVALID_SIGNATURE) == result.answer
        assert [] == portal.received
        assert 0 == len(store)

    def test_ipn_delivered_three_times_reaches_the_portal_once(self, harness: BanksHarness) -> None:
        intent = self._create(harness)
        portal = Portal({intent.order_ref: intent.amount})
        handler, _store = self._handler(harness, portal)
        harness.simulator.pay(intent.order_ref)
        target = harness.ipn_target(handler)
        answers = [harness.simulator.deliver_ipn(intent.order_ref, to=target) for _ in range(3)]
        accepted = harness.gateway.callback_answer(CallbackOutcome.ACCEPTED)
        duplicate = harness.gateway.callback_answer(CallbackOutcome.DUPLICATE)
        assert [1, 1, 1] == [len(a) for a in answers]  # each delivery stopped at once
        assert [accepted.status, duplicate.status, duplicate.status] == [
            a[0].status for a in answers
        ]
        assert [accepted.body, duplicate.body, duplicate.body] == [a[0].body for a in answers]
        assert [intent.order_ref] == [n.order_ref for n in portal.received]
        assert PaymentStatus.PAID == portal.received[0].status

    def test_portal_crash_is_retried_by_the_gateway(self, harness: BanksHarness) -> None:
        intent = self._create(harness)
        portal = Portal({intent.order_ref: intent.amount}, failures_left=1)
        handler, store = self._handler(harness, portal)
        harness.simulator.pay(intent.order_ref)
        attempts = harness.simulator.deliver_ipn(intent.order_ref, to=harness.ipn_target(handler))
        error = harness.gateway.callback_answer(CallbackOutcome.ERROR)
        accepted = harness.gateway.callback_answer(CallbackOutcome.ACCEPTED)
        assert [(error.status, error.body), (accepted.status, accepted.body)] == [
            (a.status, a.body) for a in attempts
        ]
        assert 1 == len(portal.received)
        assert 1 == len(store)

    def test_wrong_amount_is_refused(self, harness: BanksHarness) -> None:
        intent = self._create(harness)
        portal = Portal({intent.order_ref: intent.amount})
        rejected: list[CallbackOutcome] = []
        handler, store = self._handler(
            harness, portal, on_rejected=lambda _n, outcome: rejected.append(outcome)
        )
        callback = harness.simulator.pay(intent.order_ref, amount=intent.amount + 1_000)
        result = handler.process(callback)
        assert CallbackOutcome.AMOUNT_MISMATCH == result.outcome
        assert harness.gateway.callback_answer(CallbackOutcome.AMOUNT_MISMATCH) == result.answer
        assert [CallbackOutcome.AMOUNT_MISMATCH] == rejected
        assert ([], 0) == (portal.received, len(store))

    def test_unknown_order_is_refused(self, harness: BanksHarness) -> None:
        intent = self._create(harness)
        portal = Portal({})
        handler, store = self._handler(harness, portal)
        result = handler.process(harness.simulator.pay(intent.order_ref))
        assert CallbackOutcome.ORDER_NOT_FOUND == result.outcome
        assert harness.gateway.callback_answer(CallbackOutcome.ORDER_NOT_FOUND) == result.answer
        assert ([], 0) == (portal.received, len(store))

    def test_stale_callback_is_refused(self, harness: BanksHarness) -> None:
        intent = self._create(harness)
        portal = Portal({intent.order_ref: intent.amount})
        callback = harness.simulator.pay(intent.order_ref)
        later = intent.created_at.timestamp() + 2 * 86_400
        handler, store = self._handler(harness, portal, clock=lambda: later)
        result = handler.process(callback)
        assert CallbackOutcome.INVALID_SIGNATURE == result.outcome
        assert ([], 0) == (portal.received, len(store))

    def test_query_agrees_with_the_payment(self, harness: BanksHarness) -> None:
        intent = self._create(harness)
        before = harness.gateway.query(intent.order_ref, created_at=intent.created_at)
        assert PaymentStatus.PENDING == before.status
        callback = harness.simulator.pay(intent.order_ref)
        note = harness.gateway.parse_notification(
            method=callback.method, query=callback.query, body=callback.body, headers={}
        )
        after = harness.gateway.query(intent.order_ref, created_at=intent.created_at)
        assert (PaymentStatus.PAID, intent.amount) == (after.status, after.amount)
        assert note.gateway_txn_id == after.gateway_txn_id

    def test_refund_where_declared(self, harness: BanksHarness) -> None:
        intent = self._create(harness)
        request = self._refund_request(harness, intent, prefix="RF")
        if Capability.REFUND not in harness.gateway.capabilities:
            with pytest.raises(UnsupportedOperation):
                harness.gateway.refund(request)
            assert 0 == harness.simulator.ledger.count("refund")
            return
        refund = harness.gateway.refund(request)
        assert refund.status in (RefundStatus.PENDING, RefundStatus.SUCCEEDED)
        assert (intent.amount, request.refund_ref) == (refund.amount, refund.refund_ref)
        assert 1 == harness.simulator.ledger.count("refund", request.refund_ref)
        after = harness.gateway.query(intent.order_ref, created_at=intent.created_at)
        assert PaymentStatus.REFUNDED == after.status

    def test_partial_refund_where_declared(self, harness: BanksHarness) -> None:
        if Capability.PARTIAL_REFUND not in harness.gateway.capabilities:
            pytest.skip(f"{harness.gateway.name} declares no partial refund")
        intent = self._create(harness)
        callback = harness.simulator.pay(intent.order_ref)
        note = harness.gateway.parse_notification(
            method=callback.method, query=callback.query, body=callback.body, headers={}
        )
        refund = harness.gateway.refund(
            RefundRequest(
                order_ref=intent.order_ref,
                amount=20_000,
                original_amount=intent.amount,
                refund_ref=f"RP{intent.order_ref}",
                gateway_txn_id=note.gateway_txn_id,
                paid_created_at=intent.created_at,
            )
        )
        assert 20_000 == refund.amount
        after = harness.gateway.query(intent.order_ref, created_at=intent.created_at)
        assert PaymentStatus.PARTIALLY_REFUNDED == after.status

    def test_cancel_where_declared(self, harness: BanksHarness) -> None:
        intent = self._create(harness)
        if Capability.CANCEL not in harness.gateway.capabilities:
            with pytest.raises(UnsupportedOperation):
                harness.gateway.cancel(intent.order_ref)
            return
        report = harness.gateway.cancel(intent.order_ref, reason="Cong dan huy")
        assert PaymentStatus.CANCELLED == report.status
        again = harness.gateway.cancel(intent.order_ref)
        assert PaymentStatus.CANCELLED == again.status

    # -- "maybe sent": the gateway acted, the answer is spoilt ------------------------------

    @pytest.mark.parametrize("fault", MAYBE_SENT_FAULTS)
    @pytest.mark.parametrize("operation", ["create", "refund", "cancel"])
    def test_maybe_sent_write_has_one_effect(
        self, harness: BanksHarness, operation: str, fault: str
    ) -> None:
        h = harness
        route = h.write_routes.get(operation)
        if route is None:
            pytest.skip(f"{h.gateway.name} makes no server-side {operation} (write_routes)")
        if fault == "trickle" and not (h.served and h.make_gateway is not None):
            pytest.skip("trickles need a served simulator and make_gateway (a short deadline)")
        gateway = h.make_gateway(MATRIX_TIMEOUTS) if h.make_gateway else h.gateway
        kind = {"create": "order", "refund": "refund", "cancel": "cancel"}[operation]
        request = intent = refund = None
        if operation == "create":
            request = PaymentRequest(
                dossier_code="HS-2025-000777",
                amount=h.amount,
                description="Nộp lệ phí hồ sơ HS-2025-000777",
                return_url="https://dvc.example.vn/pay/return",
                notify_url="https://dvc.example.vn/pay/ipn",
                order_ref=h.order_refs(),
            )
        else:
            intent = self._create(h)
        if intent is not None and operation == "refund":
            refund = self._refund_request(h, intent)
        h.simulator.faults.add(route, maybe_sent_fault(fault, answer_limit=h.answer_limit))
        before = len(h.simulator.requests_to(route))
        outcome = run_call(_write(gateway, request, intent, refund))
        # create: the key is the gateway's own (MoMo requestId, payOS orderCode)
        key = refund.refund_ref if refund else intent.order_ref if intent else None
        check_maybe_sent(
            fault,
            outcome,
            keyed=True,  # every gateway write carries the vendor's reference
            key=key,
            requests=len(h.simulator.requests_to(route)) - before,
            answer_limit=h.answer_limit,
        )
        entries = h.simulator.ledger.entries(kind)
        assert 1 == len(entries)  # the one effect, whatever the answer
        # Sending again under the same reference never adds a second effect.
        if request is not None:
            request = dataclasses.replace(request, order_ref=entries[0].key)
        again = run_call(_write(gateway, request, intent, refund))
        assert again.error is None or (
            isinstance(again.error, ProviderError)
            and again.error.code == PaymentErrorCode.DUPLICATE.value
        ), f"sending again under the same reference failed: {again.error!r}"
        if isinstance(again.result, PaymentIntent):
            assert entries[0].key == again.result.order_ref
        assert 1 == h.simulator.ledger.count(kind)

    @pytest.mark.parametrize("fault", MAYBE_SENT_FAULTS)
    def test_query_under_a_spoilt_answer(self, harness: BanksHarness, fault: str) -> None:
        h = harness
        route = h.write_routes.get("query")
        if route is None:
            pytest.skip(f"no query route named for {h.gateway.name} (write_routes['query'])")
        if fault == "trickle" and not (h.served and h.make_gateway is not None):
            pytest.skip("trickles need a served simulator and make_gateway (a short deadline)")
        gateway = h.make_gateway(MATRIX_TIMEOUTS) if h.make_gateway else h.gateway
        intent = self._create(h)
        h.simulator.pay(intent.order_ref)
        h.simulator.faults.add(route, maybe_sent_fault(fault, answer_limit=h.answer_limit))
        before = len(h.simulator.requests_to(route))
        outcome = run_call(lambda: gateway.query(intent.order_ref, created_at=intent.created_at))
        check_read(
            fault,
            outcome,
            requests=len(h.simulator.requests_to(route)) - before,
            answer_limit=h.answer_limit,
        )
        if outcome.error is None:
            assert PaymentStatus.PAID == outcome.result.status

    def _refund_request(
        self, h: BanksHarness, intent: PaymentIntent, *, prefix: str = "RM"
    ) -> RefundRequest:
        """Pay `intent` in the simulator and ask to refund all of it (ref `prefix` + order)."""
        callback = h.simulator.pay(intent.order_ref)
        note = h.gateway.parse_notification(
            method=callback.method, query=callback.query, body=callback.body, headers={}
        )
        return RefundRequest(
            order_ref=intent.order_ref,
            amount=intent.amount,
            original_amount=intent.amount,
            refund_ref=f"{prefix}{intent.order_ref}",
            gateway_txn_id=note.gateway_txn_id,
            paid_created_at=intent.created_at,
        )


def _write(
    gateway: FeeGateway,
    request: PaymentRequest | None,
    intent: PaymentIntent | None,
    refund: RefundRequest | None,
) -> Callable[[], PaymentIntent | Refund | PaymentStatusReport]:
    """The write under test: a create of `request`, a refund, or a cancel of `intent`."""
    if request is not None:
        return lambda: gateway.create_payment(request)
    if refund is not None:
        return lambda: gateway.refund(refund)
    assert intent is not None
    return lambda: gateway.cancel(intent.order_ref, reason="Cong dan huy")
