"""The IPN/webhook handler a portal mounts in any web framework.

One `IpnHandler` per gateway. For every inbound callback it:

1. verifies it (`FeeGateway.parse_notification`); a callback failing verification changes
   no state and reaches no portal code;
2. looks the order up (`expected_amount(order_ref) -> int | None`, None: unknown order),
   then refuses a stale callback (older than `max_age`) as it refuses a bad signature;
3. compares the amounts as integers (whole VND);
4. de-duplicates on the notification's `event_key` in a `SeenStore` (SQLite by default),
   claimed atomically, so concurrent or repeated deliveries call the portal once;
5. calls the portal's `on_payment(notification)`; if it raises, the key is released again
   so the gateway's next retry is processed;
6. answers exactly what the gateway expects for that outcome (`callback_answer`): VNPay's
   `RspCode` JSON, MoMo's 204, payOS's success body.

The order of checks is the one VNPay's official demos use (checksum, order, amount, already
confirmed). Use it as a plain function (`handle(method=..., query=..., headers=..., body=...)`
returns an `HttpAnswer`) or as a WSGI app (the handler itself is one).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from connectors.banks.base import (
    CallbackOutcome,
    CallbackRequest,
    FeeGateway,
    HttpAnswer,
    PaymentNotification,
    StaleCallback,
)
from connectors.core.errors import SignatureError
from connectors.core.webhooks import SeenStore, SqliteSeenStore
from connectors.vn.time import now_vn

__all__ = ["IpnHandler", "IpnResult", "request_from_wsgi"]

_log = logging.getLogger("connectors.banks.ipn")

ExpectedAmount = Callable[[str], int | None]
OnPayment = Callable[[PaymentNotification], None]
OnRejected = Callable[[PaymentNotification, CallbackOutcome], None]

_REASONS = {200: "OK", 204: "No Content", 400: "Bad Request", 404: "Not Found"}


@dataclass(frozen=True, slots=True)
class IpnResult:
    """What the handler did with one callback: the outcome, the answer sent, and the
    verified notification (None when verification failed)."""

    outcome: CallbackOutcome
    answer: HttpAnswer
    notification: PaymentNotification | None = None
    error: str | None = None


class IpnHandler:
    """Verifies, de-duplicates and dispatches one gateway's callbacks; thread-safe.

    - `expected_amount(order_ref)`: the amount (whole VND) the portal expects for that
      order, or None if it knows no such order.
    - `on_payment(notification)`: the portal's code, called once per payment outcome
      (check `notification.status`: cancelled and failed payments are notified too).
    - `store`: a `SeenStore`, or a path for an `SqliteSeenStore` (":memory:" by default,
      which forgets on restart: give a file path in production).
    - `on_rejected(notification, outcome)`: optional; told about verified callbacks the
      handler refused (unknown order, amount mismatch) so someone can look at them: the
      money may have moved anyway (VNPay does not reverse a payment answered `04`).
    - `max_age`: a verified callback whose payment time is older than this is refused as
      stale (`StaleCallback`); None disables the check. VNPay retries for about 50 minutes.
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
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.gateway = gateway
        self.expected_amount = expected_amount
        self.on_payment = on_payment
        self.on_rejected = on_rejected
        self.max_age = max_age
        self.clock = clock
        self._owned: SqliteSeenStore | None = None
        if isinstance(store, SeenStore):
            self.store: SeenStore = store
        else:
            self._owned = SqliteSeenStore(store, clock=clock)
            self.store = self._owned

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
        try:
            notification = self.gateway.parse_notification(
                method=request.method.upper(),
                query=request.query,
                body=request.body,
                headers=request.headers,
            )
        except SignatureError as exc:
            _log.warning("%s callback refused: %s", self.gateway.name, exc.message)
            return self._result(CallbackOutcome.INVALID_SIGNATURE, None, exc.message)
        except Exception as exc:
            _log.warning("%s callback unreadable: %s", self.gateway.name, type(exc).__name__)
            return self._result(CallbackOutcome.ERROR, None, type(exc).__name__)
        return self._dispatch(notification)

    # -- WSGI ------------------------------------------------------------------------------

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        """The handler as a WSGI app: mount it at the notify URL."""
        answer = self.handle_request(request_from_wsgi(environ))
        reason = _REASONS.get(answer.status, "Error" if answer.status >= 400 else "OK")
        headers = [*answer.headers, ("Content-Length", str(len(answer.body)))]
        start_response(f"{answer.status} {reason}", headers)
        return [answer.body]

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
            return self._result(CallbackOutcome.INVALID_SIGNATURE, notification, exc.message)
        if isinstance(expected, bool) or not isinstance(expected, int):
            _log.error("%s expected_amount(%s) is not an int", self.gateway.name, ref)
            return self._result(CallbackOutcome.ERROR, notification, "expected amount not int")
        if notification.amount != expected:
            return self._rejected(CallbackOutcome.AMOUNT_MISMATCH, notification)
        key, namespace = notification.event_key, self.gateway.name
        if not self.store.add_if_new(key, namespace=namespace):
            return self._result(CallbackOutcome.DUPLICATE, notification)
        try:
            self.on_payment(notification)
        except Exception as exc:
            self.store.discard(key, namespace=namespace)
            _log.exception("%s on_payment(%s) failed; left for the retry", self.gateway.name, ref)
            return self._result(CallbackOutcome.ERROR, notification, type(exc).__name__)
        return self._result(CallbackOutcome.ACCEPTED, notification)

    def _rejected(self, outcome: CallbackOutcome, notification: PaymentNotification) -> IpnResult:
        _log.warning("%s callback for %s: %s", self.gateway.name, notification.order_ref, outcome)
        if self.on_rejected is not None:
            try:
                self.on_rejected(notification, outcome)
            except Exception:
                _log.exception("%s on_rejected failed", self.gateway.name)
        return self._result(outcome, notification)

    def _result(
        self,
        outcome: CallbackOutcome,
        notification: PaymentNotification | None,
        error: str | None = None,
    ) -> IpnResult:
        return IpnResult(outcome, self.gateway.callback_answer(outcome), notification, error)


def request_from_wsgi(environ: Mapping[str, Any]) -> CallbackRequest:
    """A `CallbackRequest` from a WSGI environ (reads the body)."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    headers = {
        key[5:].replace("_", "-").title(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = str(environ["CONTENT_TYPE"])
    query = dict(parse_qsl(str(environ.get("QUERY_STRING", "")), keep_blank_values=True))
    return CallbackRequest(
        method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
        query=query,
        headers=headers,
        body=body,
        path=str(environ.get("PATH_INFO", "/")),
    )
