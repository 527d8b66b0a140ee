"""payOS simulated: payment links, status, cancel, webhook registration, the payer.

Speaks `connectors.banks.payos.wire` (never the client):

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

Route names: "create", "info", "cancel", "confirm", "pay_page", "complete". Ledger kinds:
"order", "payment", "cancel", "ipn".
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
from collections.abc import Callable
from typing import Any, Literal
from urllib.parse import urlencode

from connectors.banks.base import CallbackRequest
from connectors.banks.payos import wire
from connectors.banks.payos.wire import Link
from connectors.banks.vietqr import build_vietqr
from connectors.core.signing import constant_time_equals
from connectors.testing.simulator import SimRequest, SimResponse
from connectors.testing.simulators.banks.base import OUTCOMES, FeeGatewaySimulator
from connectors.testing.simulators.banks.delivery import DeliveryAttempt, WSGIApp
from connectors.vn.time import now_vn

__all__ = ["Outcome", "PayosGatewaySimulator"]

Outcome = Literal["success", "cancelled"]

_JSON = {"Content-Type": "application/json"}
_NOT_IN_QR = re.compile(r"[^A-Za-z0-9 ._-]")


class PayosGatewaySimulator(FeeGatewaySimulator):
    """A payOS payment channel simulated (client id, API key, checksum key).

    `webhook_url` is where webhooks go (also set by a confirm-webhook call);
    `account_number` and `bank_bin` the account its VietQR codes pay into.
    """

    provider = wire.NAME
    title = wire.VENDOR.title

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
        profile: wire.WireProfile = wire.DEFAULT_PROFILE,
        **options: Any,
    ) -> None:
        super().__init__(ipn_url=webhook_url, **options)
        self.client_id = client_id
        self._api_key = api_key
        self._checksum = checksum_key
        self.public_url = public_url.rstrip("/")
        self.account_number = account_number
        self.bank_bin = bank_bin
        self.profile = profile
        self.links: dict[str, Link] = {}
        self._callbacks: dict[str, CallbackRequest] = {}
        self._references = itertools.count(1001)
        self.add_route("POST", profile.create_path, self._create, name="create")
        self.add_route("GET", profile.info_path, self._info, name="info")
        self.add_route("POST", profile.cancel_path, self._cancel, name="cancel")
        self.add_route("POST", profile.confirm_webhook_path, self._confirm, name="confirm")
        self.add_route("GET", "/web/{link_id}", self._pay_page, name="pay_page")
        self.add_route("POST", "/web/{link_id}", self._complete, name="complete")

    @property
    def webhook_url(self) -> str | WSGIApp | None:
        """Where webhooks go (the channel's confirmed webhook URL)."""
        return self.ipn_url

    @webhook_url.setter
    def webhook_url(self, value: str | WSGIApp | None) -> None:
        self.ipn_url = value

    def _answer(self, data: dict[str, Any]) -> SimResponse:
        return SimResponse.json(wire.signed_answer(data, self._checksum))

    def _refuse(self, code: str, desc: str, status: int = 200) -> SimResponse:
        return SimResponse.json(wire.refusal_answer(code, desc), status)

    # -- the payer ---------------------------------------------------------------------

    def pay(
        self, order_ref: str, *, outcome: str = "success", amount: int | None = None
    ) -> CallbackRequest:
        """The citizen transfers (or gives up); returns what payOS then sends."""
        with self._lock:
            link = self.links[order_ref]
            if link.status != wire.PENDING:
                raise ValueError(f"link {order_ref} is {link.status}")
            if outcome == "cancelled":
                link.status = wire.CANCELLED
                self.ledger.record("payment", order_ref, outcome=outcome)
                query = wire.return_query(link, paid=False)
                return CallbackRequest("GET", query, {}, b"", "/payos/cancel")
            reference = f"FT{next(self._references):08d}"
            payload, transaction = wire.webhook(
                link,
                amount=link.request.amount if amount is None else amount,
                reference=reference,
                when=now_vn(self.clock),
                account_number=self.account_number,
                checksum_key=self._checksum,
            )
            link.status = wire.PAID
            link.transactions.append(transaction)
            raw = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            callback = CallbackRequest("POST", {}, _JSON, raw, "/payos/webhook")
            self._callbacks[order_ref] = callback
            self.ledger.record("payment", order_ref, outcome=outcome, reference=reference)
            return callback

    def tamper(self, callback: CallbackRequest, *, amount: int) -> CallbackRequest:
        """`callback` with another amount and the original signature (a forgery)."""
        raw = wire.with_amount(callback.json(), amount)
        return CallbackRequest(callback.method, callback.query, callback.headers, raw)

    def _callback(self, order_ref: str) -> CallbackRequest | None:
        if order_ref not in self.links:
            raise KeyError(order_ref)
        return self._callbacks.get(order_ref)

    def _acknowledged(self, attempt: DeliveryAttempt) -> bool:
        return attempt.status is not None and 200 <= attempt.status < 300

    # -- API ---------------------------------------------------------------------------

    def _authorised(self, request: SimRequest) -> bool:
        client_id, api_key = wire.credentials(request.header)
        return client_id == self.client_id and constant_time_equals(api_key, self._api_key)

    def _create(self, request: SimRequest) -> SimResponse:
        if not self._authorised(request):
            return self._refuse(wire.UNAUTHORIZED, "Unauthorized", 401)
        try:
            body = request.json()
        except ValueError:
            body = None
        found = wire.check_create(body, self._checksum, self.profile)
        if isinstance(found, tuple):
            return self._refuse(*found)
        ref = str(found.order_code)
        with self._lock:
            if ref in self.links:
                return self._refuse(wire.DUPLICATE_ORDER, "Order already exists")
            link = Link(found, secrets.token_hex(16), now_vn(self.clock).isoformat())
            self.links[ref] = link
            self.ledger.record("order", ref, amount=found.amount)
        purpose = _NOT_IN_QR.sub(" ", found.description).strip() or None
        qr = build_vietqr(
            bin=self.bank_bin, account=self.account_number, amount=found.amount, purpose=purpose
        )
        checkout_url = f"{self.public_url}/web/{link.link_id}"
        return self._answer(
            wire.created_link(
                link,
                bank_bin=self.bank_bin,
                account_number=self.account_number,
                checkout_url=checkout_url,
                qr_code=qr,
            )
        )

    def _find(self, ref: str) -> Link | None:
        return self.links.get(ref) or next(
            (link for link in self.links.values() if link.link_id == ref), None
        )

    def _with_link(self, request: SimRequest, act: Callable[[Link], SimResponse]) -> SimResponse:
        """`act` on the link a status or cancel call names (401, 101 otherwise)."""
        if not self._authorised(request):
            return self._refuse(wire.UNAUTHORIZED, "Unauthorized", 401)
        with self._lock:
            link = self._find(request.path_params["ref"])
            if link is None:
                return self._refuse(wire.NOT_FOUND, "Payment link not found")
            return act(link)

    def _info(self, request: SimRequest) -> SimResponse:
        return self._with_link(request, lambda link: self._answer(wire.link_info(link)))

    def _cancel(self, request: SimRequest) -> SimResponse:
        def cancel(link: Link) -> SimResponse:
            if link.status == wire.PENDING:
                link.status = wire.CANCELLED
                self.ledger.record("cancel", str(link.request.order_code))
            elif link.status != wire.CANCELLED:
                return self._refuse(wire.BAD_REQUEST, f"Payment link is {link.status}")
            return self._answer(wire.link_info(link))

        return self._with_link(request, cancel)

    def _confirm(self, request: SimRequest) -> SimResponse:
        if not self._authorised(request):
            return self._refuse(wire.UNAUTHORIZED, "Unauthorized", 401)
        try:
            url = wire.webhook_url(request.json())
        except ValueError:
            url = None
        if url is None:
            return self._refuse(wire.BAD_REQUEST, "Invalid webhook URL")
        self.webhook_url = url
        return SimResponse.json(wire.confirmed(url))

    # -- checkout page ------------------------------------------------------------------

    def _pay_page(self, request: SimRequest) -> SimResponse:
        link = self._find(request.path_params["link_id"])
        if link is None:
            return SimResponse.text("unknown payment link", 404)
        found = link.request
        lines = [f"{found.amount} VND", found.description, f"{self.bank_bin} {self.account_number}"]
        return self.checkout(str(found.order_code), lines, f"/web/{link.link_id}", {})

    def _complete(self, request: SimRequest) -> SimResponse:
        """The payer's button: transfer (webhook) or give up, then back to the portal."""
        link = self._find(request.path_params["link_id"])
        outcome = request.form().get("outcome", "")
        if link is None or outcome not in OUTCOMES:
            return SimResponse.text("unknown link or outcome", 400)
        paid = outcome == "success"
        target = link.request.return_url if paid else link.request.cancel_url

        def back(_callback: CallbackRequest) -> str:
            return f"{target}?{urlencode(wire.return_query(link, paid=paid))}"

        return self._finish(str(link.request.order_code), outcome if paid else "cancelled", back)
