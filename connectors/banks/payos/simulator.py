"""payOS simulated: payment links, status, cancel, webhook registration, the payer.

- `POST /v2/payment-requests`: client id and API key (401), signature (201), description
  length (20), orderCode already used (231) [U codes].
- `GET /v2/payment-requests/{ref}` and `POST .../{ref}/cancel`.
- `POST /confirm-webhook`: registers `webhook_url`.
- `GET /web/{paymentLinkId}` (the checkoutUrl) shows one button per outcome; pressing one
  pays or cancels and redirects to returnUrl/cancelUrl (with `auto_deliver`, the webhook
  goes to `webhook_url` in the background).
- `pay(order_ref)`: the citizen transfers the money; returns the signed webhook (POST JSON)
  as a `CallbackRequest`; `deliver_ipn(order_ref)` POSTs it to the webhook URL until a 2xx.
  `pay(..., outcome="cancelled")` cancels the link and returns the browser's (unsigned)
  redirect to cancelUrl: payOS sends no webhook for it.

Everything it signs goes through `wire.data_string`, as payOS's SDKs sign: null fields
(`counterAccountName` of a webhook, the nulls of a link's transactions) as empty text,
the objects of a list with their keys sorted.

Ledger kinds: "order", "payment", "cancel", "ipn".
"""

from __future__ import annotations

import binascii
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
from connectors.banks.payos import wire
from connectors.core.signing import constant_time_equals
from connectors.testing.simulator import SimRequest, SimResponse, Simulator
from connectors.vn.time import now_vn

__all__ = ["Outcome", "PayOSSimulator"]

Outcome = Literal["success", "cancelled"]


@dataclass
class _Link:
    order_code: int
    link_id: str
    amount: int
    description: str
    return_url: str
    cancel_url: str
    created_at: str
    status: str = "PENDING"
    transactions: list[dict[str, Any]] = field(default_factory=list)
    callback: CallbackRequest | None = None


class PayOSSimulator(Simulator):
    """A payOS payment channel simulated (client id, API key, checksum key)."""

    provider = "payos"

    def __init__(
        self,
        *,
        client_id: str = "sim-client",
        api_key: str,
        checksum_key: str,
        public_url: str = "https://pay.payos.vn",
        webhook_url: str | WSGIApp | None = None,
        account_number: str = "0123456789",
        bank_bin: str = "970432",
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
        self.client_id = client_id
        self._api_key = api_key
        self._checksum = checksum_key
        self.public_url = public_url.rstrip("/")
        self.webhook_url = webhook_url
        self.account_number = account_number
        self.bank_bin = bank_bin
        self.ipn_attempts = ipn_attempts
        self.ipn_interval = ipn_interval
        self.ipn_timeout = ipn_timeout
        self.profile = profile
        self.clock = clock
        self.links: dict[str, _Link] = {}
        self._lock = threading.RLock()
        self._references = itertools.count(1001)
        self.add_route("POST", profile.create_path, self._create, name="create")
        self.add_route("GET", profile.info_path, self._info, name="info")
        self.add_route("POST", profile.cancel_path, self._cancel, name="cancel")
        self.add_route("POST", profile.confirm_webhook_path, self._confirm, name="confirm")
        self.add_route("GET", "/web/{link_id}", self._pay_page, name="pay_page")
        self.add_route("POST", "/web/{link_id}", self._complete, name="complete")

    def _now(self) -> str:
        return now_vn(self.clock).strftime("%Y-%m-%d %H:%M:%S")

    def _signed(self, data: dict[str, Any]) -> SimResponse:
        signature = wire.sign(self._checksum, wire.data_string(data))
        return SimResponse.json(
            {"code": "00", "desc": "success", "data": data, "signature": signature}
        )

    def _refuse(self, code: str, desc: str, status: int = 200) -> SimResponse:
        return SimResponse.json({"code": code, "desc": desc, "data": None}, status)

    # -- the payer ---------------------------------------------------------------------

    def pay(
        self, order_ref: str, *, outcome: Outcome = "success", amount: int | None = None
    ) -> CallbackRequest:
        """The citizen transfers (or gives up); returns what payOS then sends.

        `amount` overrides what payOS reports, to test a mismatch. `KeyError` for an
        unknown orderCode, `ValueError` if the link is no longer pending.
        """
        with self._lock:
            link = self.links[order_ref]
            if link.status != "PENDING":
                raise ValueError(f"link {order_ref} is {link.status}")
            if outcome == "cancelled":
                link.status = "CANCELLED"
                self.ledger.record("payment", order_ref, outcome=outcome)
                query = {
                    "code": "00",
                    "id": link.link_id,
                    "cancel": "true",
                    "status": "CANCELLED",
                    "orderCode": order_ref,
                }
                return CallbackRequest("GET", query, {}, b"", "/payos/cancel")
            reference = f"FT{next(self._references):08d}"
            when = self._now()
            data: dict[str, Any] = {
                "orderCode": link.order_code,
                "amount": link.amount if amount is None else amount,
                "description": link.description,
                "accountNumber": self.account_number,
                "reference": reference,
                "transactionDateTime": when,
                "currency": "VND",
                "paymentLinkId": link.link_id,
                "code": "00",
                "desc": "Thành công",
                "counterAccountBankId": "",
                "counterAccountBankName": "",
                "counterAccountName": None,
                "counterAccountNumber": None,
                "virtualAccountName": "",
                "virtualAccountNumber": "",
            }
            link.status = "PAID"
            link.transactions.append(  # keys unsorted and nulls kept, as payOS sends them
                {
                    "reference": reference,
                    "amount": data["amount"],
                    "accountNumber": self.account_number,
                    "description": link.description,
                    "transactionDateTime": when,
                    "counterAccountBankId": "",
                    "counterAccountBankName": None,
                    "counterAccountName": None,
                    "counterAccountNumber": None,
                    "virtualAccountName": None,
                    "virtualAccountNumber": None,
                }
            )
            payload = {
                "code": "00",
                "desc": "success",
                "success": True,
                "data": data,
                "signature": wire.sign(self._checksum, wire.data_string(data)),
            }
            raw = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            link.callback = CallbackRequest(
                "POST", {}, {"Content-Type": "application/json"}, raw, "/payos/webhook"
            )
            self.ledger.record("payment", order_ref, outcome=outcome, reference=reference)
            return link.callback

    def tamper(self, callback: CallbackRequest, *, amount: int) -> CallbackRequest:
        """`callback` with another amount and the original signature (a forgery)."""
        payload = callback.json()
        payload["data"] = {**payload["data"], "amount": amount}
        raw = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return CallbackRequest(callback.method, callback.query, callback.headers, raw)

    def deliver_ipn(
        self, order_ref: str, *, to: str | WSGIApp | None = None
    ) -> list[DeliveryAttempt]:
        """POST the link's webhook to `to` (default `webhook_url`) until a 2xx answer."""
        target = to if to is not None else self.webhook_url
        if target is None:
            raise ValueError("no webhook URL confirmed for this channel")
        callback = self.links[order_ref].callback
        if callback is None:
            raise ValueError(f"link {order_ref} has not been paid")

        def done(attempt: DeliveryAttempt) -> bool:
            self.ledger.record("ipn", order_ref, status=attempt.status)
            return attempt.status is not None and 200 <= attempt.status < 300

        return deliver(
            callback,
            target,
            done=done,
            max_attempts=self.ipn_attempts,
            interval=self.ipn_interval,
            sleep=self.sleep,
            timeout=self.ipn_timeout,
        )

    # -- API ---------------------------------------------------------------------------

    def _authorised(self, request: SimRequest) -> bool:
        return request.header("x-client-id") == self.client_id and constant_time_equals(
            request.header("x-api-key") or "", self._api_key
        )

    def _create(self, request: SimRequest) -> SimResponse:
        if not self._authorised(request):
            return self._refuse("401", "Unauthorized", 401)
        try:
            body = request.json()
        except ValueError:
            return self._refuse("20", "Invalid JSON")
        if not isinstance(body, dict):
            return self._refuse("20", "Invalid JSON")
        expected = wire.sign(self._checksum, wire.data_string(body, wire.CREATE_FIELDS))
        if not constant_time_equals(expected, str(body.get("signature", ""))):
            return self._refuse("201", "Signature invalid")
        code, amount = body.get("orderCode"), body.get("amount")
        description = str(body.get("description", ""))
        if (
            not isinstance(code, int)
            or not isinstance(amount, int)
            or not 0 < code <= wire.MAX_ORDER_CODE
            or amount <= 0
            or not 0 < len(description) <= self.profile.max_description
        ):
            return self._refuse("20", "Invalid parameters")
        with self._lock:
            if str(code) in self.links:
                return self._refuse("231", "Order already exists")
            link = _Link(
                order_code=code,
                link_id=secrets.token_hex(16),
                amount=amount,
                description=description,
                return_url=str(body.get("returnUrl", "")),
                cancel_url=str(body.get("cancelUrl", "")),
                created_at=now_vn(self.clock).isoformat(),
            )
            self.links[str(code)] = link
            self.ledger.record("order", str(code), amount=amount)
        return self._signed(
            {
                "bin": self.bank_bin,
                "accountNumber": self.account_number,
                "accountName": "UBND PHUONG MO PHONG",
                "amount": amount,
                "description": description,
                "orderCode": code,
                "currency": "VND",
                "paymentLinkId": link.link_id,
                "status": "PENDING",
                "checkoutUrl": f"{self.public_url}/web/{link.link_id}",
                "qrCode": _vietqr(self.bank_bin, self.account_number, amount, description),
            }
        )

    def _find(self, ref: str) -> _Link | None:
        return self.links.get(ref) or next(
            (link for link in self.links.values() if link.link_id == ref), None
        )

    def _info_data(self, link: _Link) -> dict[str, Any]:
        paid = sum(t["amount"] for t in link.transactions)
        return {
            "id": link.link_id,
            "orderCode": link.order_code,
            "amount": link.amount,
            "amountPaid": paid,
            "amountRemaining": max(link.amount - paid, 0),
            "status": link.status,
            "createdAt": link.created_at,
            "transactions": list(link.transactions),
            "cancellationReason": None,
            "canceledAt": None,
        }

    def _info(self, request: SimRequest) -> SimResponse:
        if not self._authorised(request):
            return self._refuse("401", "Unauthorized", 401)
        with self._lock:
            link = self._find(request.path_params["ref"])
            if link is None:
                return self._refuse("101", "Payment link not found")
            return self._signed(self._info_data(link))

    def _cancel(self, request: SimRequest) -> SimResponse:
        if not self._authorised(request):
            return self._refuse("401", "Unauthorized", 401)
        with self._lock:
            link = self._find(request.path_params["ref"])
            if link is None:
                return self._refuse("101", "Payment link not found")
            if link.status == "PENDING":
                link.status = "CANCELLED"
                self.ledger.record("cancel", str(link.order_code))
            elif link.status != "CANCELLED":
                return self._refuse("20", f"Payment link is {link.status}")
            return self._signed(self._info_data(link))

    def _confirm(self, request: SimRequest) -> SimResponse:
        if not self._authorised(request):
            return self._refuse("401", "Unauthorized", 401)
        try:
            url = request.json().get("webhookUrl")
        except (ValueError, AttributeError):
            url = None
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            return self._refuse("20", "Invalid webhook URL")
        self.webhook_url = url
        return SimResponse.json({"code": "00", "desc": "success", "data": {"webhookUrl": url}})

    # -- checkout page ------------------------------------------------------------------

    def _pay_page(self, request: SimRequest) -> SimResponse:
        link = self._find(request.path_params["link_id"])
        if link is None:
            return SimResponse.text("unknown payment link", 404)
        page = checkout_page(
            f"payOS {link.order_code}",
            [f"{link.amount} VND", link.description, f"{self.bank_bin} {self.account_number}"],
            f"/web/{link.link_id}",
            {},
        )
        return SimResponse.text(page, content_type="text/html")

    def _complete(self, request: SimRequest) -> SimResponse:
        """The payer's button: transfer (webhook) or give up, then back to the portal."""
        link = self._find(request.path_params["link_id"])
        outcome = request.form().get("outcome", "")
        if link is None or outcome not in ("success", "cancelled", "failed"):
            return SimResponse.text("unknown link or outcome", 400)
        ref = str(link.order_code)
        try:
            self.pay(ref, outcome="success" if outcome == "success" else "cancelled")
        except ValueError as exc:
            return SimResponse.text(str(exc), 409)
        if outcome == "success" and self.auto_deliver and self.webhook_url is not None:
            in_background(lambda: self.deliver_ipn(ref))
        paid = outcome == "success"
        query = {
            "code": "00",
            "id": link.link_id,
            "cancel": "false" if paid else "true",
            "status": link.status,
            "orderCode": ref,
        }
        target = link.return_url if paid else link.cancel_url
        return SimResponse(302, b"", {"Location": f"{target}?{urlencode(query)}"})


def _tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def _vietqr(bank_bin: str, account: str, amount: int, purpose: str) -> str:
    """A NAPAS VietQR payload (EMVCo TLV, CRC-16/CCITT-FALSE) for the simulated link."""
    beneficiary = _tlv("00", bank_bin) + _tlv("01", account)
    merchant = _tlv("00", "A000000727") + _tlv("01", beneficiary) + _tlv("02", "QRIBFTTA")
    body = (
        _tlv("00", "01")
        + _tlv("01", "12")
        + _tlv("38", merchant)
        + _tlv("53", "704")
        + _tlv("54", str(amount))
        + _tlv("58", "VN")
        + _tlv("62", _tlv("08", purpose))
        + "6304"
    )
    return body + f"{binascii.crc_hqx(body.encode('utf-8'), 0xFFFF):04X}"
