"""VNPay simulated: pay page, querydr and refund, and the citizen who pays.

- `GET {pay_path}`: checks the pay URL as VNPay does (terminal, checksum, amount, expiry)
  and registers the order; an error sends the browser to `Payment/Error.html?code=NN`
  (70 wrong signature, 71 unknown terminal, 72 duplicate TxnRef with other content [U]).
- `POST {api_path}`: `querydr` and `refund` with their checksums, codes 02/03/91/94/95/97.
- the pay page has one button per outcome (`POST /paymentv2/sim/complete`): the payment is
  made and the browser sent back to the return URL; with `auto_deliver` the IPN goes to
  `ipn_url` on a background thread, as VNPay does.
- `pay(order_ref, outcome=...)`: the citizen completes the payment; returns the signed
  IPN/return parameters as a `CallbackRequest`. `deliver_ipn(order_ref)` sends them to the
  IPN URL (GET), repeating like VNPay until the answer is RspCode 00 or 02 (10 tries,
  `ipn_interval` apart).

Ledger kinds: "order" (pay page accepted), "payment" (citizen paid or cancelled),
"refund" (keyed by vnp_RequestId), "ipn" (one per delivery attempt).
"""

from __future__ import annotations

import html
import itertools
import json
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
from connectors.banks.vnpay import wire
from connectors.core.signing import constant_time_equals
from connectors.testing.simulator import SimRequest, SimResponse, Simulator
from connectors.vn.time import format_compact, now_vn, parse_compact

__all__ = ["Outcome", "VNPaySimulator"]

Outcome = Literal["success", "cancelled", "failed"]

_COMPLETE_PATH = "/paymentv2/sim/complete"

_OUTCOME_CODES: dict[str, tuple[str, str]] = {
    "success": ("00", "00"),
    "cancelled": ("24", "02"),
    "failed": ("51", "02"),
}


@dataclass
class _Order:
    txn_ref: str
    amount: int
    create_date: str
    expire_date: str
    order_info: str
    return_url: str
    params: dict[str, str]
    status: str = "01"  # vnp_TransactionStatus
    transaction_no: str = ""
    pay_date: str = ""
    bank_code: str = "NCB"
    refunded: int = 0
    refund_type: str | None = None
    callback: CallbackRequest | None = None
    refunds: list[str] = field(default_factory=list)


class VNPaySimulator(Simulator):
    """A VNPay terminal simulated (one `tmn_code`, one `hash_secret`)."""

    provider = "vnpay"

    def __init__(
        self,
        *,
        tmn_code: str = "HNTEST01",
        hash_secret: str,
        ipn_url: str | WSGIApp | None = None,
        ipn_timeout: float = 15.0,
        ipn_interval: float = 300.0,
        ipn_attempts: int = 10,
        profile: wire.WireProfile = wire.DEFAULT_PROFILE,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        auto_deliver: bool = False,
    ) -> None:
        super().__init__(sleep=sleep)
        self.auto_deliver = auto_deliver
        self.tmn_code = tmn_code
        self._secret = hash_secret
        self.ipn_url = ipn_url
        self.ipn_interval = ipn_interval
        self.ipn_timeout = ipn_timeout
        self.ipn_attempts = ipn_attempts
        self.profile = profile
        self.clock = clock
        self.orders: dict[str, _Order] = {}
        self._request_ids: set[str] = set()
        self._lock = threading.RLock()
        self._numbers = itertools.count(14422574)
        self.add_route("GET", profile.pay_path, self._pay_page, name="pay_page")
        self.add_route("GET", "/paymentv2/Payment/Error.html", self._error_page, name="error")
        self.add_route("POST", profile.api_path, self._transaction, name="transaction")
        self.add_route("POST", _COMPLETE_PATH, self._complete, name="complete")

    # -- the citizen -------------------------------------------------------------------

    def pay(
        self, order_ref: str, *, outcome: Outcome = "success", amount: int | None = None
    ) -> CallbackRequest:
        """The citizen finishes at VNPay; returns the signed IPN/return parameters.

        `amount` (whole VND) overrides what VNPay reports, to test a mismatch. Raises
        `KeyError` for an order the pay page never accepted, `ValueError` if already done.
        """
        with self._lock:
            order = self.orders[order_ref]
            if order.status != "01":
                raise ValueError(f"order {order_ref} is already {order.status}")
            response_code, status = _OUTCOME_CODES[outcome]
            number = str(next(self._numbers))
            pay_date = format_compact(now_vn(self.clock))
            params = {
                "vnp_Amount": wire.to_wire_amount(order.amount if amount is None else amount),
                "vnp_BankCode": order.bank_code,
                "vnp_BankTranNo": f"VNP{number}",
                "vnp_CardType": "ATM",
                "vnp_OrderInfo": order.order_info,
                "vnp_PayDate": pay_date,
                "vnp_ResponseCode": response_code,
                "vnp_TmnCode": self.tmn_code,
                "vnp_TransactionNo": number,
                "vnp_TransactionStatus": status,
                "vnp_TxnRef": order_ref,
            }
            params["vnp_SecureHash"] = wire.sign(
                self._secret, wire.signing_string(params, self.profile.encoder)
            )
            order.status = status
            order.transaction_no = number
            order.pay_date = pay_date
            order.callback = CallbackRequest("GET", params, {}, b"", "/vnpay/ipn")
            self.ledger.record("payment", order_ref, outcome=outcome, transaction_no=number)
            return order.callback

    def tamper(self, callback: CallbackRequest, *, amount: int) -> CallbackRequest:
        """`callback` with another amount and the original signature (a forgery)."""
        query = {**callback.query, "vnp_Amount": wire.to_wire_amount(amount)}
        return CallbackRequest(callback.method, query, callback.headers, callback.body)

    def deliver_ipn(
        self, order_ref: str, *, to: str | WSGIApp | None = None
    ) -> list[DeliveryAttempt]:
        """GET the order's IPN to `to` (default `ipn_url`) until RspCode 00/02, 10 tries."""
        target = to if to is not None else self.ipn_url
        if target is None:
            raise ValueError("no IPN URL registered for this terminal")
        callback = self.orders[order_ref].callback
        if callback is None:
            raise ValueError(f"order {order_ref} has not been paid")

        def done(attempt: DeliveryAttempt) -> bool:
            self.ledger.record("ipn", order_ref, status=attempt.status, body=attempt.text())
            try:
                return json.loads(attempt.body).get("RspCode") in ("00", "02")
            except (ValueError, AttributeError):
                return False

        return deliver(
            callback,
            target,
            done=done,
            max_attempts=self.ipn_attempts,
            interval=self.ipn_interval,
            sleep=self.sleep,
            timeout=self.ipn_timeout,
        )

    # -- pay page --------------------------------------------------------------------------

    def _pay_page(self, request: SimRequest) -> SimResponse:
        params = request.args()
        code = self._check_pay(params)
        if code:
            return SimResponse(302, b"", {"Location": f"/paymentv2/Payment/Error.html?code={code}"})
        ref = params["vnp_TxnRef"]
        with self._lock:
            existing = self.orders.get(ref)
            if existing is not None:
                same = {k: v for k, v in existing.params.items() if k != "vnp_SecureHash"}
                now = {k: v for k, v in params.items() if k != "vnp_SecureHash"}
                if same != now:
                    return SimResponse(
                        302, b"", {"Location": "/paymentv2/Payment/Error.html?code=72"}
                    )
            else:
                self.orders[ref] = _Order(
                    txn_ref=ref,
                    amount=int(params["vnp_Amount"]) // 100,
                    create_date=params["vnp_CreateDate"],
                    expire_date=params.get("vnp_ExpireDate", ""),
                    order_info=params["vnp_OrderInfo"],
                    return_url=params["vnp_ReturnUrl"],
                    params=params,
                    bank_code=params.get("vnp_BankCode") or "NCB",
                )
                self.ledger.record("order", ref, amount=int(params["vnp_Amount"]) // 100)
        page = checkout_page(
            f"VNPay {ref}",
            [f"{int(params['vnp_Amount']) // 100} VND", params["vnp_OrderInfo"]],
            _COMPLETE_PATH,
            {"vnp_TxnRef": ref},
        )
        return SimResponse.text(page, content_type="text/html")

    def _complete(self, request: SimRequest) -> SimResponse:
        """The citizen's button on the pay page: pay, then back to the return URL."""
        form = request.form()
        ref, outcome = form.get("vnp_TxnRef", ""), form.get("outcome", "")
        if outcome not in _OUTCOME_CODES or ref not in self.orders:
            return SimResponse.text("unknown order or outcome", 400)
        try:
            callback = self.pay(ref, outcome=outcome)  # type: ignore[arg-type]
        except ValueError as exc:
            return SimResponse.text(str(exc), 409)
        if self.auto_deliver and self.ipn_url is not None:
            in_background(lambda: self.deliver_ipn(ref))
        location = f"{self.orders[ref].return_url}?{urlencode(dict(callback.query))}"
        return SimResponse(302, b"", {"Location": location})

    def _check_pay(self, params: dict[str, str]) -> str | None:
        if params.get("vnp_TmnCode") != self.tmn_code:
            return "71"
        expected = wire.sign(self._secret, wire.signing_string(params, self.profile.encoder))
        if not constant_time_equals(expected, params.get("vnp_SecureHash", "")):
            return "70"
        required = ("vnp_Amount", "vnp_CreateDate", "vnp_OrderInfo", "vnp_ReturnUrl", "vnp_TxnRef")
        amount = params.get("vnp_Amount", "")
        if any(not params.get(k) for k in required) or not amount.isdigit() or int(amount) % 100:
            return "03"
        expire = params.get("vnp_ExpireDate")
        if expire and parse_compact(expire) < now_vn(self.clock):
            return "11"
        return None

    def _error_page(self, request: SimRequest) -> SimResponse:
        code = html.escape(request.args().get("code", ""))
        return SimResponse.text(f"<p>Loi giao dich: {code}</p>", content_type="text/html")

    # -- merchant_webapi -------------------------------------------------------------------

    def _transaction(self, request: SimRequest) -> SimResponse:
        try:
            body = request.json()
        except ValueError:
            return self._api(None, "99", "Input data required", {})
        if not isinstance(body, dict):
            return self._api(None, "99", "Input data required", {})
        command = body.get("vnp_Command")
        if command == "querydr":
            return self._querydr(body)
        if command == "refund":
            return self._refund(body)
        return self._api(body, "03", "Invalid command", {})

    def _authenticate(self, body: dict[str, Any], fields: tuple[str, ...]) -> str | None:
        expected = wire.sign(self._secret, wire.joined(body, fields))
        if not constant_time_equals(expected, str(body.get("vnp_SecureHash", ""))):
            return "97"
        if body.get("vnp_TmnCode") != self.tmn_code:
            return "02"
        request_id = str(body.get("vnp_RequestId", ""))
        if not request_id:
            return "03"
        with self._lock:
            if request_id in self._request_ids:
                return "94"
            self._request_ids.add(request_id)
        return None

    def _querydr(self, body: dict[str, Any]) -> SimResponse:
        code = self._authenticate(body, wire.QUERY_HASH_FIELDS)
        if code:
            return self._api(body, code, "Query failed", {}, wire.QUERY_RESPONSE_HASH_FIELDS)
        with self._lock:
            order = self.orders.get(str(body.get("vnp_TxnRef")))
            if order is None or order.create_date != body.get("vnp_TransactionDate"):
                return self._api(
                    body, "91", "Transaction not found", {}, wire.QUERY_RESPONSE_HASH_FIELDS
                )
            status = order.status
            txn_type = "01"
            if order.refunded:
                status, txn_type = "05", order.refund_type or "02"
            fields = {
                "vnp_TxnRef": order.txn_ref,
                "vnp_Amount": wire.to_wire_amount(order.amount),
                "vnp_BankCode": order.bank_code,
                "vnp_PayDate": order.pay_date,
                "vnp_TransactionNo": order.transaction_no,
                "vnp_TransactionType": txn_type,
                "vnp_TransactionStatus": status,
                "vnp_OrderInfo": order.order_info,
                "vnp_PromotionCode": "",
                "vnp_PromotionAmount": "",
            }
        return self._api(body, "00", "QueryDR Success", fields, wire.QUERY_RESPONSE_HASH_FIELDS)

    def _refund(self, body: dict[str, Any]) -> SimResponse:
        fields_hash = wire.REFUND_RESPONSE_HASH_FIELDS
        code = self._authenticate(body, wire.REFUND_HASH_FIELDS)
        if code:
            return self._api(body, code, "Refund failed", {}, fields_hash)
        amount_text = str(body.get("vnp_Amount", ""))
        txn_type = body.get("vnp_TransactionType")
        if not amount_text.isdigit() or int(amount_text) % 100 or txn_type not in ("02", "03"):
            return self._api(body, "03", "Invalid format", {}, fields_hash)
        amount = int(amount_text) // 100
        with self._lock:
            order = self.orders.get(str(body.get("vnp_TxnRef")))
            if order is None or order.create_date != body.get("vnp_TransactionDate"):
                return self._api(body, "91", "Transaction not found", {}, fields_hash)
            remaining = order.amount - order.refunded
            if order.status != "00" or amount <= 0 or amount > remaining:
                return self._api(body, "95", "Refund refused", {}, fields_hash)
            if txn_type == "02" and amount != remaining:
                return self._api(body, "03", "Full refund must equal the amount", {}, fields_hash)
            order.refunded += amount
            order.refund_type = "02" if order.refunded == order.amount else "03"
            number = str(next(self._numbers))
            request_id = str(body["vnp_RequestId"])
            order.refunds.append(request_id)
            self.ledger.record(
                "refund",
                request_id,
                txn_ref=order.txn_ref,
                amount=amount,
                created_by=body.get("vnp_CreateBy"),
            )
            fields = {
                "vnp_TxnRef": order.txn_ref,
                "vnp_Amount": amount_text,
                "vnp_BankCode": order.bank_code,
                "vnp_PayDate": format_compact(now_vn(self.clock)),
                "vnp_TransactionNo": number,
                "vnp_TransactionType": txn_type,
                "vnp_TransactionStatus": "05",
                "vnp_OrderInfo": str(body.get("vnp_OrderInfo", "")),
            }
        return self._api(body, "00", "Refund success", fields, fields_hash)

    def _api(
        self,
        body: dict[str, Any] | None,
        code: str,
        message: str,
        fields: dict[str, str],
        hash_fields: tuple[str, ...] = wire.REFUND_RESPONSE_HASH_FIELDS,
    ) -> SimResponse:
        answer: dict[str, str] = {
            "vnp_ResponseId": f"R{next(self._numbers)}",
            "vnp_Command": str((body or {}).get("vnp_Command", "")),
            "vnp_ResponseCode": code,
            "vnp_Message": message,
            "vnp_TmnCode": self.tmn_code,
            **fields,
        }
        answer["vnp_SecureHash"] = wire.sign(self._secret, wire.joined(answer, hash_fields))
        return SimResponse.json(answer)
