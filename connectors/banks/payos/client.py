"""The payOS adapter: `PayosGateway`, a `GatewayClient` for payOS payment links.

Payment links paid by VietQR transfer, their status, cancel, and the webhook. Fidelity:
official spec for the webhook signature (payos.vn docs, vector reproduced); derived from
payOS's SDK readmes for create, status and cancel; modelled for error codes and the
webhook answer (`wire.WireProfile`). payOS offers no refund API. Every name payOS uses on
the wire is in `connectors.banks.payos.wire`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from connectors.banks import base
from connectors.banks.codes import PaymentErrorCode
from connectors.banks.gateway import GatewayClient
from connectors.banks.payos import wire
from connectors.banks.payos.wire import WireProfile
from connectors.core.deprecation import moved
from connectors.core.errors import ProviderError, ValidationError
from connectors.core.on_first_use import OnFirstUse
from connectors.core.retry import Idempotency
from connectors.vn.time import now_vn, to_epoch_ms

if TYPE_CHECKING:  # settings (pydantic-settings) and HTTP load with the first client
    from connectors.banks.payos.settings import PayosGatewaySettings
    from connectors.core.transport import RequestSpec

__all__ = ["PayosGateway"]


class PayosGateway(GatewayClient["PayosGatewaySettings", WireProfile]):
    """payOS payment-link client; thread-safe.

    Construction: `PayosGateway(client_id=..., api_key=..., checksum_key=...)`,
    `PayosGateway.from_settings(settings)` or `PayosGateway.from_env()`; options
    `transport` (or `timeouts`, `retry`), `profile`, `clock` and `order_codes` (makes a
    numeric orderCode when a `PaymentRequest` has no `order_ref`; default: milliseconds
    since the epoch x 1000 + 3 random digits). The keys are never logged nor put in an
    error.
    """

    vendor = wire.VENDOR
    if TYPE_CHECKING:
        settings_class = PayosGatewaySettings
    else:
        settings_class = OnFirstUse("connectors.banks.payos.settings:PayosGatewaySettings")
    default_profile = wire.DEFAULT_PROFILE

    def __init__(
        self,
        settings: PayosGatewaySettings | None = None,
        /,
        *,
        order_codes: Callable[[], int] | None = None,
        **options: Any,
    ) -> None:
        super().__init__(settings, **options)
        self._order_codes = order_codes or self._default_order_code

    @property
    def client_id(self) -> str:
        """The payment channel's client id."""
        return self.settings.client_id

    def _default_order_code(self) -> int:
        return to_epoch_ms(now_vn(self.clock)) * 1000 + secrets.randbelow(1000)

    def _headers(self) -> dict[str, str]:
        return wire.auth_headers(self.client_id, self.settings.api_key)

    # -- create ----------------------------------------------------------------------------

    def _check_request(self, request: base.PaymentRequest) -> None:
        ref = request.order_ref
        if ref is not None and not (ref.isdigit() and 0 < int(ref) <= wire.MAX_ORDER_CODE):
            raise ValidationError("payOS order_ref must be a positive integer", field="order_ref")

    def create_body(self, request: base.PaymentRequest, *, order_code: int) -> dict[str, Any]:
        """The signed JSON body of a payment-link create."""
        request = self._checked_request(request)
        description = base.ascii_safe(request.description, max_length=self.profile.max_description)
        return wire.create_body(
            order_code=order_code,
            amount=request.amount,
            description=description,
            return_url=request.return_url,
            cancel_url=request.return_url,
            expires_at=now_vn(self.clock) + request.expires_in,
            payer=request.payer,
            checksum_key=self.settings.checksum_key,
        )

    def _create(
        self, request: base.PaymentRequest, *, client_ip: str, created_at: datetime, **options: Any
    ) -> base.PaymentIntent:
        """Create a payment link: the checkout URL and the VietQR payload to render.

        `order_ref` must be digits (payOS's orderCode); without one a code is made. A
        keyed write on the orderCode: payOS refuses a second link for it, so when a retry
        hears that refusal the existing link is fetched instead (lookup-before-retry).
        """
        self._no_options("create_payment", options)
        code = int(request.order_ref) if request.order_ref else self._order_codes()
        body = self.create_body(request, order_code=code)
        attempts: list[int] = []

        def build(attempt: int) -> RequestSpec:
            from connectors.core.transport import RequestSpec

            attempts.append(attempt)
            url = self.base_url + self.profile.create_path
            return RequestSpec("POST", url, headers=self._headers(), json=body)

        response = self.transport.request(
            build,
            operation="create",
            idempotency=Idempotency.KEYED_WRITE,
            idempotency_key=str(code),
        )
        answer = self._answer(
            response,
            "create",
            lambda body, status: wire.read_answer(body, status, duplicate_ok=len(attempts) > 1),
        )
        data = self._info(str(code)) if wire.is_duplicate(answer) else self._data(answer, "create")
        link = wire.link_fields(data, self.profile)
        if link.pop("amount") != request.amount:
            raise ProviderError(
                "payOS holds a link for this orderCode with another amount",
                code=PaymentErrorCode.DUPLICATE.value,
                provider=self.name,
                operation="create",
            )
        return self._intent(request, created_at, str(code), **link)

    # -- webhook ---------------------------------------------------------------------------

    def verify_webhook(self, body: bytes | str | Mapping[str, Any]) -> base.PaymentNotification:
        """Verify a webhook (the raw JSON body) and parse it (spec 4.3).

        Raises `SignatureError` for a body that is not JSON, a missing data object or
        signature, or a signature that does not match; `ValidationError` naming the field
        when the signed amount is not a JSON integer of at most 15 digits or the order
        code not a positive integer payOS could have made.
        """
        payload = self._callback_object(body, "webhook body")
        problem = wire.webhook_problem(payload, self.settings.checksum_key)
        if problem is not None:
            raise self._forged(problem)
        return wire.notification(payload)

    def _notification(
        self, method: str, query: Mapping[str, str], body: bytes, headers: Mapping[str, str]
    ) -> base.PaymentNotification:
        """`verify_webhook` on the raw body."""
        return self.verify_webhook(body)

    # -- status and cancel -----------------------------------------------------------------

    def _query(
        self, order_ref: str, created_at: datetime | None, **options: Any
    ) -> base.PaymentStatusReport:
        """The payment link's status (GET), a read retried on transient faults."""
        self._no_options("query", options)
        return wire.report(order_ref, self._info(order_ref))

    def _cancel(self, order_ref: str, reason: str | None) -> base.PaymentStatusReport:
        """Cancel an unpaid payment link; cancelling again is harmless (a keyed write)."""
        from connectors.core.transport import RequestSpec

        url = self.base_url + self.profile.cancel_path.format(ref=order_ref)
        response = self.transport.request(
            RequestSpec(
                "POST", url, headers=self._headers(), json=wire.cancel_body(reason or "Huy ho so")
            ),
            operation="cancel",
            idempotency=Idempotency.KEYED_WRITE,
            idempotency_key=order_ref,
        )
        answer = self._answer(response, "cancel", wire.read_answer)
        return wire.report(order_ref, self._data(answer, "cancel"))

    # -- helpers ---------------------------------------------------------------------------

    def _info(self, order_ref: str) -> dict[str, Any]:
        from connectors.core.transport import RequestSpec

        url = self.base_url + self.profile.info_path.format(ref=self._checked_ref(order_ref))
        response = self.transport.request(
            RequestSpec("GET", url, headers=self._headers()),
            operation="query",
            idempotency=Idempotency.READ,
        )
        return self._data(self._answer(response, "query", wire.read_answer), "query")

    def _data(self, answer: Mapping[str, Any], operation: str) -> dict[str, Any]:
        try:
            return wire.answer_data(answer, self.settings.checksum_key, operation)
        except ValidationError as exc:
            raise self._malformed(operation, exc.message) from None


__getattr__ = moved(
    __name__,
    {
        "PayOS": "connectors.banks.payos.client:PayosGateway",
        "PayOSSettings": "connectors.banks.payos.settings:PayosGatewaySettings",
    },
)
