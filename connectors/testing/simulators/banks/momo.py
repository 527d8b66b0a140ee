"""MoMo simulated: create, query and refund, and the citizen who pays.

Speaks `connectors.banks.momo.wire` (never the client):

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

Route names: "create", "query", "refund", "pay_page", "complete". Ledger kinds: "order",
"payment", "refund" (keyed by requestId), "ipn".
"""

from __future__ import annotations

import itertools
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode

from connectors.banks.base import CallbackOutcome, CallbackRequest
from connectors.banks.momo import wire
from connectors.banks.momo.wire import ApiRequest, Keys
from connectors.testing.simulator import SimRequest, SimResponse
from connectors.testing.simulators.banks.base import OUTCOMES, FeeGatewaySimulator
from connectors.testing.simulators.banks.delivery import DeliveryAttempt, WSGIApp
from connectors.vn.time import now_vn, to_epoch_ms

__all__ = ["MomoGatewaySimulator", "Outcome"]

Outcome = Literal["success", "cancelled", "failed"]

_PAY_PATH = "/v2/gateway/pay"
_JSON = {"Content-Type": "application/json"}


@dataclass
class _Order:
    request: ApiRequest
    amount: int
    result_code: int = wire.INITIATED
    trans_id: int = 0
    refunds: list[dict[str, Any]] = field(default_factory=list)
    callback: CallbackRequest | None = None


class MomoGatewaySimulator(FeeGatewaySimulator):
    """A MoMo partner account simulated (one partner code and key pair)."""

    provider = wire.NAME
    title = wire.VENDOR.title

    def __init__(
        self,
        *,
        partner_code: str = "MOMO",
        access_key: str,
        secret_key: str,
        public_url: str = "https://test-payment.momo.vn",
        profile: wire.WireProfile = wire.DEFAULT_PROFILE,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.partner_code = partner_code
        self._keys = Keys(partner_code, access_key, secret_key)
        self.public_url = public_url.rstrip("/")
        self.profile = profile
        self.orders: dict[str, _Order] = {}
        self._answers: dict[str, tuple[str, dict[str, Any]]] = {}
        self._tokens: dict[str, str] = {}
        self._trans_ids = itertools.count(4088878653)
        self.add_route("POST", profile.create_path, self._create, name="create")
        self.add_route("POST", profile.query_path, self._query, name="query")
        self.add_route("POST", profile.refund_path, self._refund, name="refund")
        self.add_route("GET", _PAY_PATH, self._pay_page, name="pay_page")
        self.add_route("POST", _PAY_PATH, self._complete, name="complete")

    def _now_ms(self) -> int:
        return to_epoch_ms(now_vn(self.clock))

    # -- the citizen -------------------------------------------------------------------

    def pay(
        self, order_ref: str, *, outcome: str = "success", amount: int | None = None
    ) -> CallbackRequest:
        """The citizen confirms (or declines) in the MoMo app; returns the signed IPN."""
        with self._lock:
            order = self.orders[order_ref]
            if order.result_code != wire.INITIATED:
                raise ValueError(f"order {order_ref} is already {order.result_code}")
            order.result_code = wire.PAY_OUTCOMES[outcome][0]
            order.trans_id = next(self._trans_ids)
            body = wire.ipn(
                self._keys,
                order.request,
                amount=order.amount if amount is None else amount,
                trans_id=order.trans_id,
                outcome=outcome,
                now_ms=self._now_ms(),
            )
            raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
            order.callback = CallbackRequest("POST", {}, _JSON, raw, "/momo/ipn")
            self.ledger.record("payment", order_ref, outcome=outcome, trans_id=order.trans_id)
            return order.callback

    def tamper(self, callback: CallbackRequest, *, amount: int) -> CallbackRequest:
        """`callback` with another amount and the original signature (a forgery)."""
        raw = wire.with_amount(callback.json(), amount)
        return CallbackRequest(callback.method, callback.query, callback.headers, raw)

    def _callback(self, order_ref: str) -> CallbackRequest | None:
        return self.orders[order_ref].callback

    def _ipn_target(self, order_ref: str) -> str | WSGIApp | None:
        return self.orders[order_ref].request.ipn_url

    def _acknowledged(self, attempt: DeliveryAttempt) -> bool:
        return attempt.status == self.profile.answer(CallbackOutcome.ACCEPTED).status

    # -- API ---------------------------------------------------------------------------

    def _read(self, request: SimRequest, fields: tuple[str, ...]) -> ApiRequest | SimResponse:
        """The request, or MoMo's refusal of it."""
        try:
            body = request.json()
        except ValueError:
            body = None
        found, code = wire.read_request(body, self._keys, fields)
        if code is None and found is not None:
            return found
        return self._refuse(found, code or wire.BAD_FORMAT)

    def _refuse(self, request: ApiRequest | None, code: int) -> SimResponse:
        answer = wire.refusal_answer(
            request, code, partner_code=self.partner_code, now_ms=self._now_ms()
        )
        return SimResponse.json(answer, 400)

    def _keyed(
        self,
        request: SimRequest,
        fields: tuple[str, ...],
        write: Callable[[ApiRequest], dict[str, Any] | SimResponse],
    ) -> SimResponse:
        """A keyed write: a repeated requestId gets its first answer again (40 when its
        signature differs); otherwise `write` makes the answer, remembered."""
        found = self._read(request, fields)
        if isinstance(found, SimResponse):
            return found
        with self._lock:
            previous = self._answers.get(found.request_id)
            if previous is not None:
                same = previous[0] == found.signature
                return (
                    SimResponse.json(previous[1])
                    if same
                    else self._refuse(found, wire.DUPLICATE_REQUEST)
                )
            answer = write(found)
            if isinstance(answer, SimResponse):
                return answer
            self._answers[found.request_id] = (found.signature, answer)
        return SimResponse.json(answer)

    def _create(self, request: SimRequest) -> SimResponse:
        return self._keyed(request, wire.CREATE_FIELDS, self._create_order)

    def _create_order(self, found: ApiRequest) -> dict[str, Any] | SimResponse:
        amount, code = found.amount, self._create_problem(found)
        if code is not None or not isinstance(amount, int):
            return self._refuse(found, code or wire.BAD_FORMAT)
        self.orders[found.order_id] = _Order(found, amount)
        token = secrets.token_urlsafe(12)
        self._tokens[token] = found.order_id
        self.ledger.record("order", found.order_id, amount=amount, request_id=found.request_id)
        return wire.create_answer(
            found,
            partner_code=self.partner_code,
            amount=amount,
            pay_url=f"{self.public_url}{_PAY_PATH}?t={token}",
            token=token,
            now_ms=self._now_ms(),
        )

    def _create_problem(self, found: ApiRequest) -> int | None:
        amount = found.amount
        if not wire.ORDER_REF.match(found.order_id):
            return wire.BAD_ORDER
        if not isinstance(amount, int) or isinstance(amount, bool):
            return wire.BAD_FORMAT
        if not self.profile.min_amount <= amount <= self.profile.max_amount:
            return wire.AMOUNT_OUT_OF_RANGE
        if found.request_type != self.profile.request_type or not found.ipn_url:
            return wire.BAD_FORMAT
        if found.order_id in self.orders:
            return wire.DUPLICATE_ORDER
        return None

    def _query(self, request: SimRequest) -> SimResponse:
        found = self._read(request, wire.QUERY_FIELDS)
        if isinstance(found, SimResponse):
            return found
        with self._lock:
            order = self.orders.get(found.order_id)
            if order is None:
                return self._refuse(found, wire.BAD_ORDER)
            answer = wire.query_answer(
                found,
                partner_code=self.partner_code,
                order_id=order.request.order_id,
                amount=order.amount,
                trans_id=order.trans_id,
                code=order.result_code,
                extra_data=order.request.extra_data,
                refunds=order.refunds,
                now_ms=self._now_ms(),
            )
        return SimResponse.json(answer)

    def _refund(self, request: SimRequest) -> SimResponse:
        return self._keyed(request, wire.REFUND_FIELDS, self._refund_order)

    def _refund_order(self, found: ApiRequest) -> dict[str, Any] | SimResponse:
        paid = [o for o in self.orders.values() if o.trans_id and o.trans_id == found.trans_id]
        if not paid:
            return self._refuse(found, wire.BAD_ORDER)
        order, amount = paid[0], found.amount
        refunded = sum(r["amount"] for r in order.refunds)
        if (
            order.result_code != wire.PAID
            or not isinstance(amount, int)
            or not 0 < amount <= order.amount - refunded
        ):
            return self._refuse(found, wire.REFUND_FAILED)
        answer, entry = wire.refund_answer(
            found,
            partner_code=self.partner_code,
            amount=amount,
            trans_id=next(self._trans_ids),
            now_ms=self._now_ms(),
        )
        order.refunds.append(entry)
        ref = order.request.order_id
        self.ledger.record("refund", found.request_id, order_id=ref, amount=amount)
        return answer

    # -- pay page ----------------------------------------------------------------------

    def _pay_page(self, request: SimRequest) -> SimResponse:
        order_id = self._tokens.get(request.args().get("t", ""))
        if order_id is None:
            return SimResponse.text("unknown payment", 404)
        order = self.orders[order_id]
        lines = [f"{order.amount} VND", order.request.order_info]
        return self.checkout(order_id, lines, _PAY_PATH, {wire.ORDER_FIELD: order_id})

    def _complete(self, request: SimRequest) -> SimResponse:
        """The citizen's button: pay, then back to redirectUrl with the signed fields."""
        form = request.form()
        order_id, outcome = form.get(wire.ORDER_FIELD, ""), form.get("outcome", "")
        if outcome not in OUTCOMES or order_id not in self.orders:
            return SimResponse.text("unknown order or outcome", 400)
        redirect_url = self.orders[order_id].request.redirect_url

        def back(callback: CallbackRequest) -> str:
            query = {k: str(v) for k, v in callback.json().items()}
            return f"{redirect_url}?{urlencode(query)}"

        return self._finish(order_id, outcome, back)
