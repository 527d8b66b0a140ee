"""The IPN/webhook handler a portal mounts in any web framework.

One `IpnHandler` per gateway. For every inbound callback it:

1. refuses a body over `max_body_bytes` (64 KiB by default) with 413, unread when it
   comes through the WSGI app;
2. verifies it (`FeeGateway.parse_notification`); a callback failing verification changes
   no state and reaches no portal code; one that is genuine but malformed (an amount that
   is not ASCII digits...) is refused with the gateway's answer for bad data;
3. looks the order up (`expected_amount(order_ref) -> int | None`, None: unknown order),
   then refuses a stale callback (older than `max_age`) as it refuses a bad signature;
4. compares the amounts as integers (whole VND);
5. answers a callback whose `event_key` is already done in the `SeenStore` (SQLite by
   default) as a duplicate, without calling the portal;
6. otherwise calls the portal's `on_payment(notification)` and marks the event done only
   once it has returned (claim after the effect): if it raises, or the process dies
   inside it, nothing is marked and the gateway's next delivery calls it again;
7. answers exactly what the gateway expects for that outcome (`callback_answer`): VNPay's
   `RspCode` JSON, MoMo's 204, payOS's success body.

`on_payment` must therefore be idempotent on `notification.event_key`: it runs again after
a crash that came after its commit, and two processes may run it for the same event at the
same time (within one handler, deliveries of one event are serialised). Make its write
conditional in the portal's own transaction, e.g. `UPDATE dossiers SET paid = 1 WHERE
order_ref = ? AND paid = 0` and enqueue the follow-up work only when a row changed, or
enqueue it under a key derived from the event (the outbox ignores a key it already holds).

The order of checks is the one VNPay's official demos use (checksum, order, amount, already
confirmed). Use it as a plain function (`handle(method=..., query=..., headers=..., body=...)`
returns an `HttpAnswer`) or as a WSGI app (the handler itself is one). `handle` and
`process` never raise for anything a sender can send.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from connectors.banks.base import (
    CallbackOutcome,
    CallbackRequest,
    FeeGateway,
    HttpAnswer,
    PaymentNotification,
    StaleCallback,
)
from connectors.core.errors import SignatureError, ValidationError
from connectors.core.inbound import (
    AsyncReceiving,
    InboundRequest,
    request_from_wsgi,
    serve_wsgi,
)
from connectors.core.telemetry import callback_refused
from connectors.core.webhooks import EventGate, SeenStore, SqliteSeenStore
from connectors.core.wsgi import DEFAULT_BODY_LIMIT, BodyRefused
from connectors.vn.time import now_vn

__all__ = ["IpnHandler", "IpnResult", "request_from_wsgi"]

_log = logging.getLogger("connectors.banks.ipn")

ExpectedAmount = Callable[[str], int | None]
OnPayment = Callable[[PaymentNotification], None]
OnRejected = Callable[[PaymentNotification, CallbackOutcome], None]

_PLAIN = (("Content-Type", "text/plain; charset=utf-8"),)


@dataclass(frozen=True, slots=True)
class IpnResult:
    """What the handler did with one callback: the outcome, the answer sent, and the
    verified notification (None when verification failed)."""

    outcome: CallbackOutcome
    answer: HttpAnswer
    notification: PaymentNotification | None = None
    error: str | None = None


class IpnHandler(AsyncReceiving):
    """Verifies, de-duplicates and dispatches one gateway's callbacks; thread-safe.

    - `expected_amount(order_ref)`: the amount (whole VND) the portal expects for that
      order, or None if it knows no such order.
    - `on_payment(notification)`: the portal's code, called for each payment outcome until
      it has once returned (check `notification.status`: cancelled and failed payments are
      notified too). It must be idempotent on `notification.event_key` (see the module):
      after a crash inside it, the next delivery calls it again.
    - `store`: a `SeenStore`, or a path for an `SqliteSeenStore` (":memory:" by default,
      which forgets on restart: give a file path in production).
    - `on_rejected(notification, outcome)`: optional; told about verified callbacks the
      handler refused (unknown order, amount mismatch) so someone can look at them: the
      money may have moved anyway (VNPay does not reverse a payment answered `04`).
    - `max_age`: a verified callback whose payment time is older than this is refused as
      stale (`StaleCallback`); None disables the check. VNPay retries for about 50 minutes.
    - `max_body_bytes`: larger bodies are refused with 413 (unread by the WSGI app).

    A `KeyboardInterrupt` or `SystemExit` inside `on_payment` propagates (nothing is marked
    done); any other exception from the portal's code is logged and answered as `ERROR`.
    """

    def __init__(
        self,
        gateway: FeeGateway,
        *,
        expected_amount: ExpectedAmount,
        on_payment: OnPayment,
        store: SeenStore | str | Path = ":memory:",
        on_rejected: OnRejected | None = None,
        max_age: timedelta | None = timedelta(days=1),
        max_body_bytes: int = DEFAULT_BODY_LIMIT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if isinstance(max_body_bytes, bool) or not isinstance(max_body_bytes, int):
            raise ValueError("max_body_bytes must be a positive int")
        if max_body_bytes < 1:
            raise ValueError("max_body_bytes must be a positive int")
        self.gateway = gateway
        self.expected_amount = expected_amount
        self.on_payment = on_payment
        self.on_rejected = on_rejected
        self.max_age = max_age
        self.max_body_bytes = max_body_bytes
        self.clock = clock
        self._owned: SqliteSeenStore | None = None
        if isinstance(store, SeenStore):
            self.store: SeenStore = store
        else:
            self._owned = SqliteSeenStore(store, clock=clock)
            self.store = self._owned
        self._gate = EventGate(self.store, namespace=gateway.name)

    def __repr__(self) -> str:
        return f"IpnHandler(gateway={self.gateway.name!r}, store={self.store!r})"

    def close(self) -> None:
        """Close the SQLite store the handler opened itself (a given store is left open)."""
        if self._owned is not None:
            self._owned.close()

    def __enter__(self) -> IpnHandler:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- plain-function entry points ---------------------------------------------------------

    def handle(
        self,
        *,
        method: str,
        query: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> HttpAnswer:
        """Process one callback and return the HTTP answer to send back to the gateway."""
        request = CallbackRequest(method.upper(), dict(query or {}), dict(headers or {}), body)
        return self.process(request).answer

    def handle_request(self, request: CallbackRequest) -> HttpAnswer:
        """`handle` for a `CallbackRequest` (what simulators deliver)."""
        return self.process(request).answer

    def process(self, request: CallbackRequest) -> IpnResult:
        """Process one callback; the full `IpnResult` (outcome, answer, notification)."""
        if len(request.body) > self.max_body_bytes:
            refused = BodyRefused(
                f"the body is over the {self.max_body_bytes}-byte limit", status=413
            )
            return self._refused(refused)
        try:
            notification = self.gateway.parse_notification(
                method=request.method.upper(),
                query=request.query,
                body=request.body,
                headers=request.headers,
            )
        except SignatureError as exc:
            _log.warning("%s callback refused: %s", self.gateway.name, exc.message)
            callback_refused(self.gateway.name, exc)
            return self._result(CallbackOutcome.INVALID_SIGNATURE, None, exc.message)
        except ValidationError as exc:
            _log.warning("%s callback malformed: %s", self.gateway.name, exc.message)
            return self._result(CallbackOutcome.MALFORMED, None, exc.message)
        except Exception as exc:
            _log.warning("%s callback unreadable: %s", self.gateway.name, type(exc).__name__)
            return self._result(CallbackOutcome.ERROR, None, type(exc).__name__)
        return self._dispatch(notification)

    # -- WSGI ------------------------------------------------------------------------------

    methods: frozenset[str] | None = None
    """Any method: VNPay calls the IPN URL with GET, MoMo and payOS POST."""

    def receive(self, request: InboundRequest) -> HttpAnswer:
        """`handle_request` under the name every receiver has (`connectors.core.inbound`)."""
        return self.handle_request(request)

    def refuse(self, refused: BodyRefused) -> HttpAnswer:
        """The answer to a body refused before reading (413, 411 or 400)."""
        return self._refused(refused).answer

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """The handler as a WSGI app: mount it at the notify URL."""
        return serve_wsgi(self, environ, start_response)

    # -- steps -----------------------------------------------------------------------------

    def _check_age(self, notification: PaymentNotification) -> None:
        if self.max_age is None or notification.paid_at is None:
            return
        age: timedelta = now_vn(self.clock) - notification.paid_at
        if age > self.max_age:
            raise StaleCallback(
                f"callback for {notification.order_ref} is {age} old (limit {self.max_age})",
                provider=self.gateway.name,
                operation="callback",
            )

    def _dispatch(self, notification: PaymentNotification) -> IpnResult:
        ref = notification.order_ref
        try:
            expected = self.expected_amount(ref)
        except Exception as exc:
            _log.exception("%s expected_amount(%s) failed", self.gateway.name, ref)
            return self._result(CallbackOutcome.ERROR, notification, type(exc).__name__)
        if expected is None:
            return self._rejected(CallbackOutcome.ORDER_NOT_FOUND, notification)
        try:
            self._check_age(notification)
        except StaleCallback as exc:
            _log.warning("%s callback refused: %s", self.gateway.name, exc.message)
            callback_refused(self.gateway.name, exc)
            return self._result(CallbackOutcome.INVALID_SIGNATURE, notification, exc.message)
        if isinstance(expected, bool) or not isinstance(expected, int):
            _log.error("%s expected_amount(%s) is not an int", self.gateway.name, ref)
            return self._result(CallbackOutcome.ERROR, notification, "expected amount not int")
        if notification.amount != expected:
            return self._rejected(CallbackOutcome.AMOUNT_MISMATCH, notification)
        try:
            ran = self._gate.run(notification.event_key, lambda: self.on_payment(notification))
        except Exception as exc:
            _log.exception("%s payment %s not handled; left for the retry", self.gateway.name, ref)
            return self._result(CallbackOutcome.ERROR, notification, type(exc).__name__)
        if not ran:
            return self._result(CallbackOutcome.DUPLICATE, notification)
        return self._result(CallbackOutcome.ACCEPTED, notification)

    def _rejected(self, outcome: CallbackOutcome, notification: PaymentNotification) -> IpnResult:
        _log.warning("%s callback for %s: %s", self.gateway.name, notification.order_ref, outcome)
        if self.on_rejected is not None:
            try:
                self.on_rejected(notification, outcome)
            except Exception:
                _log.exception("%s on_rejected failed", self.gateway.name)
        return self._result(outcome, notification)

    def _refused(self, exc: BodyRefused) -> IpnResult:
        _log.warning("%s callback refused: %s", self.gateway.name, exc.message)
        answer = HttpAnswer(exc.status, _PLAIN, exc.message.encode("utf-8"))
        return IpnResult(CallbackOutcome.MALFORMED, answer, None, exc.message)

    def _result(
        self,
        outcome: CallbackOutcome,
        notification: PaymentNotification | None,
        error: str | None = None,
    ) -> IpnResult:
        return IpnResult(outcome, self._answer(outcome), notification, error)

    def _answer(self, outcome: CallbackOutcome) -> HttpAnswer:
        try:
            return self.gateway.callback_answer(outcome)
        except Exception:
            _log.exception("%s has no answer for %s", self.gateway.name, outcome)
        if outcome is not CallbackOutcome.ERROR:
            return self._answer(CallbackOutcome.ERROR)
        return HttpAnswer(500, _PLAIN, b"error")
