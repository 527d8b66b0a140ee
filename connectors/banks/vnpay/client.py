"""The VNPay adapter: `VnpayGateway`, a `GatewayClient` for VNPay 2.1.0.

Pay URL, return/IPN verification, querydr and refund. Fidelity: official spec for the pay
URL, return URL and IPN (VNPay's pay.html); querydr and refund follow integrators' code
(hash orders agreed by several implementations). Every name VNPay uses on the wire is in
`connectors.banks.vnpay.wire`; what is guessed is in its `WireProfile`.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from connectors.banks import base
from connectors.banks.gateway import GatewayClient, check_ip
from connectors.banks.vnpay import wire
from connectors.banks.vnpay.wire import WireProfile
from connectors.core.deprecation import moved
from connectors.core.errors import ValidationError
from connectors.core.on_first_use import OnFirstUse
from connectors.core.retry import Idempotency
from connectors.vn.time import format_compact, now_vn

if TYPE_CHECKING:  # settings (pydantic-settings) and HTTP load with the first client
    from connectors.banks.vnpay.settings import VnpayGatewaySettings
    from connectors.core.transport import RequestSpec

__all__ = ["VnpayGateway"]


class VnpayGateway(GatewayClient["VnpayGatewaySettings", WireProfile]):
    """VNPay payment gateway client (cổng thanh toán VNPay); thread-safe.

    Construction: `VnpayGateway(tmn_code=..., hash_secret=..., base_url=...)`,
    `VnpayGateway.from_settings(settings)` or `VnpayGateway.from_env()`; options
    `transport` (or `timeouts`, `retry`), `profile`, `clock` (Unix seconds) and
    `request_ids` (fresh querydr ids), the last two for tests. The hash secret is never
    logged nor put in an error.
    """

    vendor = wire.VENDOR
    if TYPE_CHECKING:
        settings_class = VnpayGatewaySettings
    else:
        settings_class = OnFirstUse("connectors.banks.vnpay.settings:VnpayGatewaySettings")
    default_profile = wire.DEFAULT_PROFILE

    def _new_request_id(self) -> str:
        return f"Q{format_compact(now_vn(self.clock))}{secrets.token_hex(6)}"

    @property
    def tmn_code(self) -> str:
        """The terminal code."""
        return self.settings.tmn_code

    @property
    def pay_url(self) -> str:
        """The pay page the citizen is sent to."""
        return self.settings.pay_url or self.base_url + self.profile.pay_path

    @property
    def server_ip(self) -> str:
        """The portal's address sent with querydr and refund."""
        return self.settings.server_ip

    # -- pay -------------------------------------------------------------------------------

    def payment_params(
        self,
        request: base.PaymentRequest,
        *,
        client_ip: str,
        created_at: datetime,
        bank_code: str | None = None,
        locale: str | None = None,
        order_type: str | None = None,
    ) -> dict[str, str]:
        """The signed parameters of the pay redirect (spec 1.2), checksum last."""
        request = self._checked_request(request)
        if bank_code is not None and not (bank_code.isalnum() and 3 <= len(bank_code) <= 20):
            raise ValidationError("bank_code must be an[3,20]", field="bank_code")
        params = wire.pay_params(
            tmn_code=self.tmn_code,
            amount=request.amount,
            txn_ref=request.order_ref or request.dossier_code,
            order_info=request.description,
            return_url=request.return_url,
            client_ip=check_ip(client_ip, "client_ip"),
            created_at=created_at,
            expires_at=created_at + request.expires_in,
            bank_code=bank_code,
            locale=locale,
            order_type=order_type,
            payer=request.payer,
            profile=self.profile,
        )
        return wire.signed(params, self.settings.hash_secret, self.profile.encoder)

    def payment_url(
        self,
        request: base.PaymentRequest,
        *,
        client_ip: str = "127.0.0.1",
        created_at: datetime | None = None,
        bank_code: str | None = None,
        locale: str | None = None,
        order_type: str | None = None,
    ) -> str:
        """The pay page URL to redirect the citizen to.

        `created_at` defaults to now (GMT+7); keep it: querydr and refund need it again.
        The payment expires `request.expires_in` after it. The query string is the
        signing string itself, so what is sent is exactly what was signed.
        """
        params = self.payment_params(
            request,
            client_ip=client_ip,
            created_at=created_at or now_vn(self.clock),
            bank_code=bank_code,
            locale=locale,
            order_type=order_type,
        )
        return wire.pay_url(self.pay_url, params, self.profile.encoder)

    def _create(
        self,
        request: base.PaymentRequest,
        *,
        client_ip: str,
        created_at: datetime,
        bank_code: str | None = None,
        **options: Any,
    ) -> base.PaymentIntent:
        """The intent with the pay URL; nothing is sent (VNPay creates on redirect).
        Option: `bank_code` (the bank to pay with)."""
        url = self.payment_url(
            request, client_ip=client_ip, created_at=created_at, bank_code=bank_code, **options
        )
        ref = request.order_ref or request.dossier_code
        return self._intent(request, created_at, ref, redirect_url=url)

    # -- return URL and IPN ----------------------------------------------------------------

    def verify_callback(self, params: Mapping[str, str]) -> base.PaymentNotification:
        """Verify return-URL or IPN parameters (decoded) and parse them.

        Raises `SignatureError` when the checksum is missing or does not match (the
        amount is not read before that), or the terminal code is not this client's;
        `ValidationError` naming the amount's field when a signed amount is not VND x 100
        as ASCII digits.
        """
        problem = wire.callback_problem(
            params, secret=self.settings.hash_secret, tmn_code=self.tmn_code
        )
        if problem is not None:
            raise self._forged(problem)
        return wire.notification(params)

    def _notification(
        self, method: str, query: Mapping[str, str], body: bytes, headers: Mapping[str, str]
    ) -> base.PaymentNotification:
        """`verify_callback` on the query (GET) or, failing that, a form-encoded body."""
        return self.verify_callback(wire.callback_params(query, body))

    # -- querydr ---------------------------------------------------------------------------

    def _query(
        self,
        order_ref: str,
        created_at: datetime | None,
        *,
        order_info: str | None = None,
        transaction_no: str | None = None,
        **options: Any,
    ) -> base.PaymentStatusReport:
        """querydr: VNPay finds nothing without the payment's `created_at`. Each attempt
        has a fresh request id and creation time and is signed anew. Options:
        `order_info` (a note), `transaction_no` (VNPay's transaction number)."""
        self._no_options("query", options)
        if created_at is None:
            raise ValidationError("VNPay needs the payment's created_at", field="created_at")
        info = base.ascii_safe(order_info or f"Truy van GD {order_ref}", field_name="order_info")

        def build(_attempt: int) -> RequestSpec:
            from connectors.core.transport import RequestSpec

            body = wire.query_body(
                request_id=self._request_ids(),
                tmn_code=self.tmn_code,
                txn_ref=order_ref,
                order_info=info,
                paid_created_at=created_at,
                now=now_vn(self.clock),
                ip_addr=self.server_ip,
                transaction_no=transaction_no,
                secret=self.settings.hash_secret,
                profile=self.profile,
            )
            return RequestSpec("POST", self.base_url + self.profile.api_path, json=body)

        response = self.transport.request(build, operation="query", idempotency=Idempotency.READ)
        answer = self._answer(
            response,
            "query",
            lambda body, status: wire.read_answer(
                body, status, operation="query", secret=self.settings.hash_secret
            ),
        )
        try:
            return wire.query_report(answer, order_ref)
        except ValidationError as exc:
            raise self._malformed("query", f"VNPay answered an unreadable {exc.field}") from None

    # -- refund ----------------------------------------------------------------------------

    def _refund(self, request: base.RefundRequest) -> base.Refund:
        """Refund all or part of a paid payment.

        A keyed write on `request.refund_ref` (VNPay's request id), retried on transient
        faults; each attempt gets a fresh creation time and checksum. When a retry hears
        "duplicate request", an earlier attempt was accepted: the refund is returned
        PENDING (confirm it with `query`), never sent again under a new key.
        """
        paid_created_at = request.paid_created_at
        if paid_created_at is None:
            raise ValidationError("VNPay needs the payment's created_at", field="paid_created_at")
        attempts: list[int] = []

        def build(attempt: int) -> RequestSpec:
            from connectors.core.transport import RequestSpec

            attempts.append(attempt)
            body = wire.refund_body(
                request,
                paid_created_at=paid_created_at,
                tmn_code=self.tmn_code,
                now=now_vn(self.clock),
                ip_addr=self.server_ip,
                secret=self.settings.hash_secret,
                profile=self.profile,
            )
            return RequestSpec("POST", self.base_url + self.profile.api_path, json=body)

        response = self.transport.request(
            build,
            operation="refund",
            idempotency=Idempotency.KEYED_WRITE,
            idempotency_key=request.refund_ref,
        )
        answer = self._answer(
            response,
            "refund",
            lambda body, status: wire.read_answer(
                body,
                status,
                operation="refund",
                secret=self.settings.hash_secret,
                retried=len(attempts) > 1,
            ),
        )
        return wire.refund_result(answer, request)


__getattr__ = moved(
    __name__,
    {
        "VNPay": "connectors.banks.vnpay.client:VnpayGateway",
        "VNPaySettings": "connectors.banks.vnpay.settings:VnpayGatewaySettings",
    },
)
