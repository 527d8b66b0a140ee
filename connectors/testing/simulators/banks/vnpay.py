"""VNPay simulated: pay page, querydr and refund, and the citizen who pays.

Speaks `connectors.banks.vnpay.wire` (never the client):

- `GET {pay_path}`: checks the pay URL as VNPay does (terminal, checksum, amount, expiry)
  and registers the order; an error sends the browser to `Payment/Error.html?code=NN`
  (`wire.PAY_ERRORS`).
- `POST {api_path}`: querydr and refund with their checksums and VNPay's refusal codes.
- the pay page has one button per outcome (`POST /paymentv2/sim/complete`): the payment is
  made and the browser sent back to the return URL; with `auto_deliver` the IPN goes to
  `ipn_url` on a background thread, as VNPay does.
- `pay(order_ref, outcome=...)`: the citizen completes the payment; returns the signed
  IPN/return parameters as a `CallbackRequest`. `deliver_ipn(order_ref)` sends them to the
  IPN URL (GET), repeating like VNPay until the merchant acknowledges (10 tries,
  `ipn_interval` apart).

Route names: "pay_page", "error", "transaction", "complete". Ledger kinds: "order" (pay
page accepted), "payment" (citizen paid or cancelled), "refund" (keyed by the request id),
"ipn" (one per delivery attempt).
"""

from __future__ import annotations

import html
import itertools
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from urllib.parse import urlencode

from connectors.banks.base import CallbackRequest
from connectors.banks.vnpay import wire
from connectors.banks.vnpay.wire import ApiRequest, ApiResult, PayOrder
from connectors.core.errors import ValidationError
from connectors.testing.simulator import SimRequest, SimResponse
from connectors.testing.simulators.banks.base import OUTCOMES, FeeGatewaySimulator
from connectors.testing.simulators.banks.delivery import DeliveryAttempt
from connectors.vn.time import format_compact, now_vn

__all__ = ["Outcome", "VnpayGatewaySimulator"]

Outcome = Literal["success", "cancelled", "failed"]

_COMPLETE_PATH = "/paymentv2/sim/complete"
_ERROR_PATH = "/paymentv2/Payment/Error.html"


@dataclass
class _Order(PayOrder):
    params: dict[str, str] = field(default_factory=dict)
    status: str = wire.PENDING
    transaction_no: str = ""
    pay_date: str = ""
    refunded: int = 0
    callback: CallbackRequest | None = None
    refunds: list[str] = field(default_factory=list)

    def result(self, **changes: Any) -> ApiResult:
        """The order as querydr reports it, with `changes`."""
        paid = ApiResult(
            self.txn_ref,
            self.amount,
            self.bank_code,
            self.pay_date,
            self.transaction_no,
            wire.PAYMENT,
            self.status,
            self.order_info,
        )
        return replace(paid, **changes)


class VnpayGatewaySimulator(FeeGatewaySimulator):
    """A VNPay terminal simulated (one `tmn_code`, one `hash_secret`)."""

    provider = wire.NAME
    title = wire.VENDOR.title
    ipn_schedule = (10, 300.0)

    def __init__(
        self,
        *,
        tmn_code: str = "HNTEST01",
        hash_secret: str,
        profile: wire.WireProfile = wire.DEFAULT_PROFILE,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.tmn_code = tmn_code
        self._secret = hash_secret
        self.profile = profile
        self.orders: dict[str, _Order] = {}
        self._request_ids: set[str] = set()
        self._numbers = itertools.count(14422574)
        self.add_route("GET", profile.pay_path, self._pay_page, name="pay_page")
        self.add_route("GET", _ERROR_PATH, self._error_page, name="error")
        self.add_route("POST", profile.api_path, self._transaction, name="transaction")
        self.add_route("POST", _COMPLETE_PATH, self._complete, name="complete")

    # -- the citizen -------------------------------------------------------------------

    def pay(
        self, order_ref: str, *, outcome: str = "success", amount: int | None = None
    ) -> CallbackRequest:
        """The citizen finishes at VNPay; returns the signed IPN/return parameters."""
        with self._lock:
            held = self.orders[order_ref]
            if held.status != wire.PENDING:
                raise ValueError(f"order {order_ref} is already {held.status}")
            number = str(next(self._numbers))
            paid_at = now_vn(self.clock)
            params = wire.callback(
                held,
                outcome=outcome,
                amount=held.amount if amount is None else amount,
                transaction_no=number,
                pay_date=paid_at,
                tmn_code=self.tmn_code,
                secret=self._secret,
                encoder=self.profile.encoder,
            )
            held.status = wire.PAY_OUTCOMES[outcome][1]
            held.transaction_no = number
            held.pay_date = format_compact(paid_at)
            held.callback = CallbackRequest("GET", params, {}, b"", "/vnpay/ipn")
            self.ledger.record("payment", order_ref, outcome=outcome, transaction_no=number)
            return held.callback

    def tamper(self, callback: CallbackRequest, *, amount: int) -> CallbackRequest:
        """`callback` with another amount and the original signature (a forgery)."""
        query = wire.with_amount(callback.query, amount)
        return CallbackRequest(callback.method, query, callback.headers, callback.body)

    def _callback(self, order_ref: str) -> CallbackRequest | None:
        return self.orders[order_ref].callback

    def _acknowledged(self, attempt: DeliveryAttempt) -> bool:
        return wire.ipn_acknowledged(attempt.body)

    # -- pay page --------------------------------------------------------------------------

    def _pay_page(self, request: SimRequest) -> SimResponse:
        params = request.args()
        found = wire.check_pay(
            params,
            tmn_code=self.tmn_code,
            secret=self._secret,
            now=now_vn(self.clock),
            encoder=self.profile.encoder,
        )
        if isinstance(found, str):
            return _to_error(found)
        ref = found.txn_ref
        with self._lock:
            existing = self.orders.get(ref)
            if existing is not None and not wire.same_pay(existing.params, params):
                return _to_error(wire.PAY_ERRORS["changed"])
            if existing is None:
                self.orders[ref] = _Order(**vars(found), params=params)
                self.ledger.record("order", ref, amount=found.amount)
        lines = [f"{found.amount} VND", found.order_info]
        return self.checkout(ref, lines, _COMPLETE_PATH, {wire.ORDER_FIELD: ref})

    def _complete(self, request: SimRequest) -> SimResponse:
        """The citizen's button on the pay page: pay, then back to the return URL."""
        form = request.form()
        ref, outcome = form.get(wire.ORDER_FIELD, ""), form.get("outcome", "")
        if outcome not in OUTCOMES or ref not in self.orders:
            return SimResponse.text("unknown order or outcome", 400)
        return_url = self.orders[ref].return_url
        return self._finish(ref, outcome, lambda back: f"{return_url}?{urlencode(back.query)}")

    def _error_page(self, request: SimRequest) -> SimResponse:
        code = html.escape(request.args().get("code", ""))
        return SimResponse.text(f"<p>Loi giao dich: {code}</p>", content_type="text/html")

    # -- merchant_webapi -------------------------------------------------------------------

    def _transaction(self, request: SimRequest) -> SimResponse:
        try:
            body = request.json()
        except ValueError:
            body = None
        found = wire.read_api_request(body, secret=self._secret)
        if found is None:
            return self._api(None, wire.OTHER_ERROR, "Input data required")
        if found.command not in ("querydr", "refund"):
            return self._api(found, wire.BAD_FORMAT, "Invalid command")
        refused = self._authenticate(found)
        if refused is not None:
            failed = "Query failed" if found.command == "querydr" else "Refund failed"
            return self._api(found, refused, failed)
        if found.command == "querydr":
            return self._querydr(found)
        return self._refund(found)

    def _authenticate(self, request: ApiRequest) -> str | None:
        if not request.signed:
            return wire.BAD_CHECKSUM
        if request.tmn_code != self.tmn_code:
            return wire.BAD_TERMINAL
        if not request.request_id:
            return wire.BAD_FORMAT
        with self._lock:
            if request.request_id in self._request_ids:
                return wire.DUPLICATE_REQUEST
            self._request_ids.add(request.request_id)
        return None

    def _held(self, request: ApiRequest) -> _Order | None:
        held = self.orders.get(request.txn_ref)
        if held is None or held.create_date != request.transaction_date:
            return None
        return held

    def _querydr(self, request: ApiRequest) -> SimResponse:
        with self._lock:
            held = self._held(request)
            if held is None:
                return self._api(request, wire.NOT_FOUND, "Transaction not found")
            result = held.result()
            if held.refunded:
                full = held.refunded == held.amount
                kind = wire.FULL_REFUND if full else wire.PARTIAL_REFUND
                result = held.result(transaction_type=kind, transaction_status=wire.REFUNDING)
        return self._api(request, wire.OK, "QueryDR Success", result)

    def _refund(self, request: ApiRequest) -> SimResponse:
        try:
            amount = wire.from_wire_amount(request.amount)
        except ValidationError:
            amount = None
        full = request.transaction_type == wire.FULL_REFUND
        if amount is None or request.transaction_type not in (
            wire.FULL_REFUND,
            wire.PARTIAL_REFUND,
        ):
            return self._api(request, wire.BAD_FORMAT, "Invalid format")
        with self._lock:
            held = self._held(request)
            if held is None:
                return self._api(request, wire.NOT_FOUND, "Transaction not found")
            remaining = held.amount - held.refunded
            if held.status != wire.PAID or not 0 < amount <= remaining:
                return self._api(request, wire.REFUND_REFUSED, "Refund refused")
            if full and amount != remaining:
                return self._api(request, wire.BAD_FORMAT, "Full refund must equal the amount")
            held.refunded += amount
            held.refunds.append(request.request_id)
            number = str(next(self._numbers))
            self.ledger.record(
                "refund",
                request.request_id,
                txn_ref=request.txn_ref,
                amount=amount,
                created_by=request.create_by,
            )
            result = held.result(
                amount=amount,
                pay_date=format_compact(now_vn(self.clock)),
                transaction_no=number,
                transaction_type=request.transaction_type,
                transaction_status=wire.REFUNDING,
                order_info=request.order_info,
            )
        return self._api(request, wire.OK, "Refund success", result)

    def _api(
        self, request: ApiRequest | None, code: str, message: str, result: ApiResult | None = None
    ) -> SimResponse:
        answer = wire.api_answer(
            request,
            code=code,
            message=message,
            tmn_code=self.tmn_code,
            response_id=f"R{next(self._numbers)}",
            secret=self._secret,
            result=result,
        )
        return SimResponse.json(answer)


def _to_error(code: str) -> SimResponse:
    return SimResponse(302, b"", {"Location": f"{_ERROR_PATH}?code={code}"})
