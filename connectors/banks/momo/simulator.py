"""MoMo simulated: create, query and refund, and the citizen who pays.

- `POST /v2/gateway/api/create`: partner, signature (13), format (20), amount (22),
  orderId (42); a repeated requestId gets the first answer again (idempotent), an
  orderId already used under another requestId gets 41.
- `POST /v2/gateway/api/query`: the order's resultCode, amount, transId, refundTrans.
- `POST /v2/gateway/api/refund`: keyed by requestId (the first answer is replayed),
  refunds up to the paid amount, 1080 otherwise.
- `GET /v2/gateway/pay?t=...` (the payUrl) shows one button per outcome; pressing one pays
  and redirects to redirectUrl (and, with `auto_deliver`, sends the IPN in the background).
- `pay(order_ref, outcome=...)` returns the signed IPN (POST JSON) as a `CallbackRequest`;
  `deliver_ipn(order_ref)` POSTs it to the order's ipnUrl until it hears 204.

Ledger kinds: "order", "payment", "refund" (keyed by requestId), "ipn".
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode

from connectors.banks.base import CallbackRequest
from connectors.banks.ipn_delivery import (
    DeliveryAttempt,
    WSGIApp,
    checkout_page,
    deliver,
    in_background,
)
from connectors.banks.momo import wire
from connectors.core.signing import constant_time_equals
from connectors.testing.simulator import SimRequest, SimResponse, Simulator
from connectors.vn.time import now_vn, to_epoch_ms

__all__ = ["MoMoSimulator", "Outcome"]

Outcome = Literal["success", "cancelled", "failed"]

_PAY_PATH = "/v2/gateway/pay"

_OUTCOMES: dict[str, tuple[int, str]] = {
    "success": (0, "Successful."),
    "cancelled": (1006, "Transaction denied by user."),
    "failed": (1001, "Insufficient funds."),
}


@dataclass
class _Order:
    order_id: str
    request_id: str
    amount: int
    order_info: str
    ipn_url: str
    redirect_url: str
    extra_data: str
    result_code: int = 1000
    trans_id: int = 0
    refunds: list[dict[str, Any]] = field(default_factory=list)
    callback: CallbackRequest | None = None


class MoMoSimulator(Simulator):
    """A MoMo partner account simulated (one partner code and key pair)."""

    provider = "momo"

    def __init__(
        self,
        *,
        partner_code: str = "MOMO",
        access_key: str,
        secret_key: str,
        public_url: str = "https://test-payment.momo.vn",
        ipn_attempts: int = 3,
        ipn_timeout: float = 15.0,
        ipn_interval: float = 60.0,
        profile: wire.WireProfile = wire.DEFAULT_PROFILE,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        auto_deliver: bool = False,
    ) -> None:
        super().__init__(sleep=sleep)
        self.auto_deliver = auto_deliver
        self.partner_code = partner_code
        self._access = access_key
        self._secret = secret_key
        self.public_url = public_url.rstrip("/")
        self.ipn_attempts = ipn_attempts
        self.ipn_interval = ipn_interval
        self.ipn_timeout = ipn_timeout
        self.profile = profile
        self.clock = clock
        self.orders: dict[str, _Order] = {}
        self._answers: dict[str, tuple[str, dict[str, Any]]] = {}
        self._tokens: dict[str, str] = {}
        self._lock = threading.RLock()
        self._trans_ids = itertools.count(4088878653)
        self.add_route("POST", profile.create_path, self._create, name="create")
        self.add_route("POST", profile.query_path, self._query, name="query")
        self.add_route("POST", profile.refund_path, self._refund, name="refund")
        self.add_route("GET", _PAY_PATH, self._pay_page, name="pay_page")
        self.add_route("POST", _PAY_PATH, self._complete, name="complete")

    def _sign(self, data: dict[str, Any], fields: tuple[str, ...]) -> str:
        return wire.sign(self._secret, wire.raw_signature(data, fields, self._access))

    def _now_ms(self) -> int:
        return to_epoch_ms(now_vn(self.clock))

    # -- the citizen -------------------------------------------------------------------

    def pay(
        self, order_ref: str, *, outcome: Outcome = "success", amount: int | None = None
    ) -> CallbackRequest:
        """The citizen confirms (or declines) in the MoMo app; returns the signed IPN.

        `amount` overrides what MoMo reports, to test a mismatch. `KeyError` for an
        unknown order, `ValueError` if it was already completed.
        """
        with self._lock:
            order = self.orders[order_ref]
            if order.result_code != 1000:
                raise ValueError(f"order {order_ref} is already {order.result_code}")
            code, message = _OUTCOMES[outcome]
            order.result_code = code
            order.trans_id = next(self._trans_ids)
            body: dict[str, Any] = {
                "partnerCode": self.partner_code,
                "orderId": order.order_id,
                "requestId": order.request_id,
                "amount": order.amount if amount is None else amount,
                "orderInfo": order.order_info,
                "orderType": "momo_wallet",
                "transId": order.trans_id,
                "resultCode": code,
                "message": message,
                "payType": "qr",
                "responseTime": self._now_ms(),
                "extraData": order.extra_data,
            }
            body["signature"] = self._sign(body, wire.IPN_FIELDS)
            raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
            order.callback = CallbackRequest(
                "POST", {}, {"Content-Type": "application/json"}, raw, "/momo/ipn"
            )
            self.ledger.record("payment", order_ref, outcome=outcome, trans_id=order.trans_id)
            return order.callback

    def tamper(self, callback: CallbackRequest, *, amount: int) -> CallbackRequest:
        """`callback` with another amount and the original signature (a forgery)."""
        body = {**callback.json(), "amount": amount}
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return CallbackRequest(callback.method, callback.query, callback.headers, raw)

    def deliver_ipn(
        self, order_ref: str, *, to: str | WSGIApp | None = None
    ) -> list[DeliveryAttempt]:
        """POST the order's IPN to `to` (default its ipnUrl) until the answer is 204."""
        order = self.orders[order_ref]
        if order.callback is None:
            raise ValueError(f"order {order_ref} has not been paid")

        def done(attempt: DeliveryAttempt) -> bool:
            self.ledger.record("ipn", order_ref, status=attempt.status)
            return attempt.status == 204

        return deliver(
            order.callback,
            to if to is not None else order.ipn_url,
            done=done,
            max_attempts=self.ipn_attempts,
            interval=self.ipn_interval,
            sleep=self.sleep,
            timeout=self.ipn_timeout,
        )

    # -- API ---------------------------------------------------------------------------

    def _body(self, request: SimRequest) -> dict[str, Any] | None:
        try:
            body = request.json()
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def _refuse(self, body: dict[str, Any] | None, code: int, status: int = 400) -> SimResponse:
        return SimResponse.json(
            {
                "partnerCode": self.partner_code,
                "orderId": (body or {}).get("orderId"),
                "requestId": (body or {}).get("requestId"),
                "resultCode": code,
                "message": wire.RESULT_CODES.get(code, "error"),
                "responseTime": self._now_ms(),
            },
            status,
        )

    def _check(self, body: dict[str, Any] | None, fields: tuple[str, ...]) -> int | None:
        if body is None:
            return 20
        if body.get("partnerCode") != self.partner_code:
            return 11
        given = str(body.get("signature", ""))
        if not constant_time_equals(self._sign(body, fields), given):
            return 13
        return None

    def _replay(self, body: dict[str, Any]) -> SimResponse | None:
        request_id = str(body.get("requestId", ""))
        previous = self._answers.get(request_id)
        if previous is None:
            return None
        if previous[0] != body.get("signature"):
            return self._refuse(body, 40)
        return SimResponse.json(previous[1])

    def _create(self, request: SimRequest) -> SimResponse:
        body = self._body(request)
        code = self._check(body, wire.CREATE_FIELDS)
        if code or body is None:
            return self._refuse(body, code or 20)
        with self._lock:
            replay = self._replay(body)
            if replay is not None:
                return replay
            order_id = str(body.get("orderId", ""))
            amount = body.get("amount")
            if not wire.ORDER_ID.match(order_id) or len(order_id) > 50:
                return self._refuse(body, 42)
            if not isinstance(amount, int) or isinstance(amount, bool):
                return self._refuse(body, 20)
            if not self.profile.min_amount <= amount <= self.profile.max_amount:
                return self._refuse(body, 22)
            if body.get("requestType") != self.profile.request_type or not body.get("ipnUrl"):
                return self._refuse(body, 20)
            if order_id in self.orders:
                return self._refuse(body, 41)
            request_id = str(body["requestId"])
            self.orders[order_id] = _Order(
                order_id=order_id,
                request_id=request_id,
                amount=amount,
                order_info=str(body.get("orderInfo", "")),
                ipn_url=str(body["ipnUrl"]),
                redirect_url=str(body.get("redirectUrl", "")),
                extra_data=str(body.get("extraData", "")),
            )
            token = secrets.token_urlsafe(12)
            self._tokens[token] = order_id
            answer = {
                "partnerCode": self.partner_code,
                "orderId": order_id,
                "requestId": request_id,
                "amount": amount,
                "responseTime": self._now_ms(),
                "message": "Thành công.",
                "resultCode": 0,
                "payUrl": f"{self.public_url}{_PAY_PATH}?t={token}",
                "deeplink": f"momo://app?action=payWithApp&t={token}",
                "qrCodeUrl": f"momo://app?action=payWithApp&isScanQR=true&t={token}",
            }
            self._answers[request_id] = (str(body["signature"]), answer)
            self.ledger.record("order", order_id, amount=amount, request_id=request_id)
        return SimResponse.json(answer)

    def _query(self, request: SimRequest) -> SimResponse:
        body = self._body(request)
        code = self._check(body, wire.QUERY_FIELDS)
        if code or body is None:
            return self._refuse(body, code or 20)
        with self._lock:
            order = self.orders.get(str(body.get("orderId")))
            if order is None:
                return self._refuse(body, 42)
            answer = {
                "partnerCode": self.partner_code,
                "orderId": order.order_id,
                "requestId": body.get("requestId"),
                "extraData": order.extra_data,
                "amount": order.amount,
                "transId": order.trans_id,
                "payType": "qr",
                "resultCode": order.result_code,
                "refundTrans": list(order.refunds),
                "message": wire.RESULT_CODES.get(order.result_code, ""),
                "responseTime": self._now_ms(),
            }
        return SimResponse.json(answer)

    def _refund(self, request: SimRequest) -> SimResponse:
        body = self._body(request)
        code = self._check(body, wire.REFUND_FIELDS)
        if code or body is None:
            return self._refuse(body, code or 20)
        with self._lock:
            replay = self._replay(body)
            if replay is not None:
                return replay
            order = next(
                (
                    o
                    for o in self.orders.values()
                    if o.trans_id and o.trans_id == body.get("transId")
                ),
                None,
            )
            if order is None:
                return self._refuse(body, 42)
            amount = body.get("amount")
            refunded = sum(r["amount"] for r in order.refunds)
            if (
                order.result_code != 0
                or not isinstance(amount, int)
                or not 0 < amount <= order.amount - refunded
            ):
                return self._refuse(body, 1080)
            trans_id = next(self._trans_ids)
            order.refunds.append(
                {
                    "orderId": body.get("orderId"),
                    "amount": amount,
                    "resultCode": 0,
                    "transId": trans_id,
                    "createdTime": self._now_ms(),
                }
            )
            answer = {
                "partnerCode": self.partner_code,
                "orderId": body.get("orderId"),
                "requestId": body.get("requestId"),
                "amount": amount,
                "transId": trans_id,
                "resultCode": 0,
                "message": "Thành công.",
                "responseTime": self._now_ms(),
            }
            self._answers[str(body.get("requestId"))] = (str(body["signature"]), answer)
            self.ledger.record(
                "refund", str(body.get("requestId")), order_id=order.order_id, amount=amount
            )
        return SimResponse.json(answer)

    # -- pay page ----------------------------------------------------------------------

    def _pay_page(self, request: SimRequest) -> SimResponse:
        order_id = self._tokens.get(request.args().get("t", ""))
        if order_id is None:
            return SimResponse.text("unknown payment", 404)
        order = self.orders[order_id]
        page = checkout_page(
            f"MoMo {order_id}",
            [f"{order.amount} VND", order.order_info],
            _PAY_PATH,
            {"orderId": order_id},
        )
        return SimResponse.text(page, content_type="text/html")

    def _complete(self, request: SimRequest) -> SimResponse:
        """The citizen's button: pay, then back to redirectUrl with the signed fields."""
        form = request.form()
        order_id, outcome = form.get("orderId", ""), form.get("outcome", "")
        if outcome not in _OUTCOMES or order_id not in self.orders:
            return SimResponse.text("unknown order or outcome", 400)
        try:
            callback = self.pay(order_id, outcome=outcome)  # type: ignore[arg-type]
        except ValueError as exc:
            return SimResponse.text(str(exc), 409)
        if self.auto_deliver:
            in_background(lambda: self.deliver_ipn(order_id))
        query = {k: str(v) for k, v in callback.json().items()}
        location = f"{self.orders[order_id].redirect_url}?{urlencode(query)}"
        return SimResponse(302, b"", {"Location": location})
