"""The MoMo adapter: `MomoGateway`, a `GatewayClient` for MoMo's API v2 (All-in-One).

Create (captureWallet), IPN, query, refund. Fidelity: official spec and samples for create
and the IPN; derived from integrators' code for query and refund; some result codes and
the non-success IPN answers are guessed (`wire.WireProfile`). Every name MoMo uses on the
wire is in `connectors.banks.momo.wire`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from connectors.banks import base
from connectors.banks.gateway import GatewayClient
from connectors.banks.momo import wire
from connectors.banks.momo.wire import Keys, WireProfile
from connectors.core.deprecation import moved
from connectors.core.errors import ValidationError
from connectors.core.on_first_use import OnFirstUse
from connectors.core.retry import Idempotency

if TYPE_CHECKING:  # settings (pydantic-settings) and HTTP load with the first client
    from connectors.banks.momo.settings import MomoGatewaySettings
    from connectors.core.transport import RequestSpec

__all__ = ["MomoGateway"]


class MomoGateway(GatewayClient["MomoGatewaySettings", WireProfile]):
    """MoMo e-wallet gateway client (ví MoMo); thread-safe.

    Construction: `MomoGateway(partner_code=..., access_key=..., secret_key=...)`,
    `MomoGateway.from_settings(settings)` or `MomoGateway.from_env()`; options `transport`
    (or `timeouts`, `retry`), `profile`, `clock` (Unix seconds) and `request_ids` (fresh
    ids for queries). The keys are never logged nor put in an error.
    """

    vendor = wire.VENDOR
    if TYPE_CHECKING:
        settings_class = MomoGatewaySettings
    else:
        settings_class = OnFirstUse("connectors.banks.momo.settings:MomoGatewaySettings")
    default_profile = wire.DEFAULT_PROFILE

    def __init__(self, settings: MomoGatewaySettings | None = None, /, **options: Any) -> None:
        super().__init__(settings, **options)
        self._keys = Keys(
            self.settings.partner_code, self.settings.access_key, self.settings.secret_key
        )

    @property
    def partner_code(self) -> str:
        """The partner code."""
        return self.settings.partner_code

    @property
    def ipn_url(self) -> str | None:
        """The IPN URL used when a request has none."""
        return self.settings.ipn_url

    # -- create ----------------------------------------------------------------------------

    def _check_request(self, request: base.PaymentRequest) -> None:
        if not wire.ORDER_REF.match(request.order_ref or request.dossier_code):
            raise ValidationError(
                "MoMo orderId must match [0-9a-zA-Z]([-_.]*[0-9a-zA-Z]+)*", field="order_ref"
            )
        if not (request.notify_url or self.ipn_url):
            raise ValidationError("MoMo needs an IPN URL (notify_url)", field="notify_url")

    def create_body(
        self, request: base.PaymentRequest, *, request_id: str, extra_data: str = ""
    ) -> dict[str, Any]:
        """The signed JSON body of a captureWallet create (spec 3.1)."""
        request = self._checked_request(request)
        if not request_id or len(request_id) > 50:
            raise ValidationError("request_id must be 1-50 characters", field="request_id")
        return wire.create_body(
            self._keys,
            request_id=request_id,
            amount=request.amount,
            order_id=request.order_ref or request.dossier_code,
            order_info=request.description,
            redirect_url=request.return_url,
            ipn_url=request.notify_url or self.ipn_url or "",
            extra_data=extra_data,
            profile=self.profile,
        )

    def _create(
        self,
        request: base.PaymentRequest,
        *,
        client_ip: str,
        created_at: datetime,
        request_id: str | None = None,
        **options: Any,
    ) -> base.PaymentIntent:
        """Create a captureWallet payment: the pay URL and the QR content.

        A keyed write on `request_id` (made once here unless given, reused on every
        attempt): MoMo answers a repeated request id with the first answer, so a retry
        never creates two payments. A new create for the same order is refused with
        `Duplicate`. Options: `request_id`, `extra_data`.
        """
        key = request_id or self._request_ids()
        body = self.create_body(request, request_id=key, **options)
        answer = self._post(self.profile.create_path, body, "create", key)
        ref = request.order_ref or request.dossier_code
        return self._intent(request, created_at, ref, gateway_ref=key, **wire.created(answer))

    # -- IPN and redirect ------------------------------------------------------------------

    def verify_ipn(self, body: bytes | str | Mapping[str, Any]) -> base.PaymentNotification:
        """Verify an IPN (the raw JSON body, or the redirect's parameters) and parse it.

        Raises `SignatureError` for a missing or wrong signature, another partner code, or
        a body that is not a JSON object; `ValidationError` naming the field for a signed
        IPN without an order id, or whose amount is not a whole number of VND (a JSON
        integer, or ASCII digits in the redirect's parameters) or whose response time is
        not epoch milliseconds.
        """
        data = self._callback_object(body, "IPN body")
        problem = wire.ipn_problem(data, self._keys)
        if problem is not None:
            raise self._forged(problem)
        return wire.notification(data, self.profile.paid_codes)

    def _notification(
        self, method: str, query: Mapping[str, str], body: bytes, headers: Mapping[str, str]
    ) -> base.PaymentNotification:
        """The IPN (POST JSON body) or the redirect (GET parameters), verified."""
        return self.verify_ipn(query if method == "GET" and query else body)

    # -- query and refund ------------------------------------------------------------------

    def _query(
        self, order_ref: str, created_at: datetime | None, **options: Any
    ) -> base.PaymentStatusReport:
        """The payment's status, a read; a fresh request id each attempt."""
        self._no_options("query", options)

        def build(_attempt: int) -> RequestSpec:
            from connectors.core.transport import RequestSpec

            body = wire.query_body(
                self._keys, request_id=self._request_ids(), order_id=order_ref, profile=self.profile
            )
            return RequestSpec("POST", self.base_url + self.profile.query_path, json=body)

        response = self.transport.request(build, operation="query", idempotency=Idempotency.READ)
        answer = self._answer(
            response, "query", lambda body, status: wire.read_answer(body, status, query=True)
        )
        return wire.query_report(answer, order_ref, self.profile.paid_codes)

    def _refund(self, request: base.RefundRequest) -> base.Refund:
        """Refund all or part of a paid payment (needs its `gateway_txn_id`).

        `refund_ref` is both the refund's new order id and its request id: a keyed write
        MoMo de-duplicates, so a retry after a lost answer returns the first result and
        never refunds twice.
        """
        if not request.gateway_txn_id or not request.gateway_txn_id.isdigit():
            raise ValidationError("MoMo needs the payment's transId", field="gateway_txn_id")
        if not wire.ORDER_ID.match(request.refund_ref):
            raise ValidationError("refund_ref must be a valid MoMo orderId", field="refund_ref")
        body = wire.refund_body(self._keys, request, profile=self.profile)
        answer = self._post(self.profile.refund_path, body, "refund", request.refund_ref)
        return wire.refund_result(answer, request)

    def _post(self, path: str, body: dict[str, Any], operation: str, key: str) -> dict[str, Any]:
        """One keyed write (`key` is MoMo's request id) and its answer."""
        from connectors.core.transport import RequestSpec

        response = self.transport.request(
            RequestSpec("POST", self.base_url + path, json=body),
            operation=operation,
            idempotency=Idempotency.KEYED_WRITE,
            idempotency_key=key,
        )
        return self._answer(response, operation, wire.read_answer)


__getattr__ = moved(
    __name__,
    {
        "MoMo": "connectors.banks.momo.client:MomoGateway",
        "MoMoSettings": "connectors.banks.momo.settings:MomoGatewaySettings",
    },
)
