"""The base of every payment-gateway client: what `FeeGateway` asks, written once.

A gateway's client subclasses `GatewayClient` (on `connectors.core.client.ProviderClient`:
settings declared once, keywords + `from_settings` + `from_env`) and implements its
vendor's steps, each after the base has checked its inputs:

- `_create(request, client_ip=..., created_at=..., **options)`: the payment intent (a pay
  URL and/or QR payload), built with `_intent`;
- `_notification(method, query, body, headers)`: a callback verified and parsed;
- `_query(order_ref, created_at, **options)`, `_refund(request)`, `_cancel(order_ref,
  reason)`: for the operations its `capabilities` declare.

The base checks every input before anything is sent (a `ValidationError` naming the field:
the request, the amount against the profile's range, the client IP, the order reference,
the refund), refuses an operation the gateway does not declare (`UnsupportedOperation`),
reads the vendor's JSON answers (`_answer`: a refusal becomes the domain's error through
`connectors.banks.codes.PAYMENT_ERRORS`, an error status its HTTP error, anything else
unreadable is malformed) and answers callbacks as the vendor's profile says
(`WireProfile.answer`). Money is whole VND here; each vendor's scaling and every name it
uses on the wire live in its provider's `wire.py`.
"""

from __future__ import annotations

import ipaddress
import json
import re
import secrets
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

from connectors.banks.base import (
    CallbackOutcome,
    Capability,
    HttpAnswer,
    PaymentIntent,
    PaymentNotification,
    PaymentRequest,
    PaymentStatusReport,
    Refund,
    RefundRequest,
    UnsupportedOperation,
    Vendor,
    ascii_safe,
)
from connectors.banks.codes import MALFORMED, Refusal
from connectors.core.client import ProviderClient
from connectors.core.errors import ProviderError, SignatureError, ValidationError
from connectors.core.retry import RetryPolicy
from connectors.vn.time import now_vn

if TYPE_CHECKING:  # settings and HTTP (requests) load with the first client or call
    import requests

    from connectors.core.config import ProviderSettings
    from connectors.core.transport import Timeouts, Transport

__all__ = ["AnswerReader", "GatewayClient", "GatewayProfile", "check_ip", "tune_transport"]

S = TypeVar("S", bound="ProviderSettings")


class GatewayProfile(Protocol):
    """What the base reads from a vendor's `wire.WireProfile`."""

    @property
    def min_amount(self) -> int:
        """The smallest amount (whole VND) the gateway takes."""
        ...

    @property
    def max_amount(self) -> int | None:
        """The largest amount (whole VND) the gateway takes; None: no limit known."""
        ...

    def answer(self, outcome: CallbackOutcome) -> HttpAnswer:
        """The HTTP answer the gateway expects for a callback's `outcome`."""
        ...


P = TypeVar("P", bound=GatewayProfile)

AnswerReader = Callable[[Any, int], "dict[str, Any] | Refusal | None"]
"""Reads a decoded answer body (None when not JSON) and its HTTP status: the answer to go
on with, the vendor's `Refusal`, or None when it is not the vendor's answer at all."""


def tune_transport(
    client: ProviderClient[Any], timeouts: Timeouts | None, retry: RetryPolicy | None
) -> None:
    """Give `client` a new transport with `timeouts` and `retry` when either is given (the
    settings' `http` for the other), masking its secrets as its own did."""
    if timeouts is None and retry is None:
        return
    from connectors.core.transport import Transport

    client.transport.close()
    http = client.settings.http
    client.transport = Transport(
        client.name,
        timeouts=timeouts or http.timeouts(),
        retry=retry or http.retry_policy(),
        redactor=client.settings.redactor(*client.secret_wire_fields),
    )


def check_ip(value: object, field_name: str) -> str:
    """`value` as a normalised IP address; `ValidationError(field=field_name)` otherwise."""
    try:
        return str(ipaddress.ip_address(value))  # type: ignore[arg-type]
    except (ValueError, TypeError):
        raise ValidationError(f"{field_name} must be an IP address", field=field_name) from None


class GatewayClient(ProviderClient[S], Generic[S, P], ABC):
    """Implements `FeeGateway` over a vendor's steps (see the module docstring).

    Options beside the settings fields: `transport` (a caller's, made to mask the
    secrets too), or `timeouts` and `retry` for a new one; `profile` (the vendor's
    `wire.WireProfile`, the class's `default_profile` when None); `clock` (seconds since
    the epoch; dates payments); `request_ids` (fresh request ids, for tests). Thread-safe.
    """

    vendor: ClassVar[Vendor] = Vendor("gateway", "the gateway", frozenset())
    """The gateway's facts (its `wire.VENDOR`): `name`, `title`, `capabilities`,
    `order_ref_pattern` and `secret_wire_fields` follow it."""
    title: ClassVar[str] = "the gateway"
    """The gateway's name in messages ("VNPay")."""
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    """The optional operations this gateway offers."""
    order_ref_pattern: ClassVar[re.Pattern[str]] = vendor.order_ref
    """What the gateway takes as an order reference to query or cancel."""
    default_profile: ClassVar[Any] = None
    """The vendor's `wire.DEFAULT_PROFILE`."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        vendor = cls.__dict__.get("vendor")
        if isinstance(vendor, Vendor):
            cls.name, cls.title, cls.capabilities = vendor.name, vendor.title, vendor.capabilities
            cls.order_ref_pattern = vendor.order_ref
            cls.secret_wire_fields = vendor.secret_fields

    def __init__(
        self,
        settings: S | None = None,
        /,
        *,
        transport: Transport | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        profile: P | None = None,
        clock: Callable[[], float] = time.time,
        request_ids: Callable[[], str] | None = None,
        **fields: Any,
    ) -> None:
        super().__init__(settings, transport=transport, **fields)
        if transport is None:
            tune_transport(self, timeouts, retry)
        self.profile: P = self.default_profile if profile is None else profile
        self.clock = clock
        self._request_ids = request_ids or self._new_request_id

    @property
    def base_url(self) -> str:
        """The gateway's API host (the settings' `base_url`)."""
        return self.settings.base_url

    # -- a vendor's steps ----------------------------------------------------------------

    @abstractmethod
    def _create(
        self, request: PaymentRequest, *, client_ip: str, created_at: datetime, **options: Any
    ) -> PaymentIntent:
        """Create the payment for a checked `request` (see `_intent`)."""

    @abstractmethod
    def _notification(
        self, method: str, query: Mapping[str, str], body: bytes, headers: Mapping[str, str]
    ) -> PaymentNotification:
        """Verify and parse one callback (`SignatureError`, `ValidationError`)."""

    def _new_request_id(self) -> str:
        """A fresh request id for a read (a query); 32 hex digits by default."""
        return secrets.token_hex(16)

    def _check_request(self, request: PaymentRequest) -> None:
        """The vendor's own limits on a payment request (`ValidationError` naming the
        field, before anything is sent); none by default."""

    def _query(
        self, order_ref: str, created_at: datetime | None, **options: Any
    ) -> PaymentStatusReport:
        """The payment's status (gateways declaring `Capability.QUERY`)."""
        raise self._unsupported("query")

    def _refund(self, request: RefundRequest) -> Refund:
        """Refund a paid payment (gateways declaring `Capability.REFUND`)."""
        raise self._unsupported("refund")

    def _cancel(self, order_ref: str, reason: str | None) -> PaymentStatusReport:
        """Cancel an unpaid payment (gateways declaring `Capability.CANCEL`)."""
        raise self._unsupported("cancel")

    # -- FeeGateway ----------------------------------------------------------------------

    def create_payment(
        self, request: PaymentRequest, *, client_ip: str = "127.0.0.1", **options: Any
    ) -> PaymentIntent:
        """Create a payment: a pay URL and/or QR payload, and its expiry.

        `client_ip` is the citizen's address; `options` are the gateway's own (see its
        `_create`). Every input is checked before anything is sent.
        """
        request = self._checked_request(request)
        ip = check_ip(client_ip, "client_ip")
        return self._create(request, client_ip=ip, created_at=now_vn(self.clock), **options)

    def parse_notification(
        self,
        *,
        method: str,
        query: Mapping[str, str],
        body: bytes,
        headers: Mapping[str, str],
    ) -> PaymentNotification:
        """Verify and parse an inbound callback; `SignatureError` if it is not genuine,
        `ValidationError` naming the field if genuine but malformed. Changes no state."""
        return self._notification(method.upper(), query, body, headers)

    def callback_answer(self, outcome: CallbackOutcome) -> HttpAnswer:
        """The exact HTTP answer the gateway expects for `outcome` (its profile's)."""
        return self.profile.answer(outcome)

    def query(
        self, order_ref: str, *, created_at: datetime | None = None, **options: Any
    ) -> PaymentStatusReport:
        """The payment's status at the gateway (a read: retried on transient faults).

        `created_at` is the payment's `PaymentIntent.created_at` (some gateways need it).
        """
        self._require(Capability.QUERY, "query")
        return self._query(self._checked_ref(order_ref), created_at, **options)

    def refund(self, request: RefundRequest) -> Refund:
        """Refund all or part of a paid payment (a keyed write on `request.refund_ref`)."""
        self._require(Capability.REFUND, "refund")
        if not isinstance(request, RefundRequest):
            raise ValidationError("request must be a RefundRequest", field="request")
        if request.is_partial:
            self._require(Capability.PARTIAL_REFUND, "partial refund")
        return self._refund(request)

    def cancel(self, order_ref: str, *, reason: str | None = None) -> PaymentStatusReport:
        """Cancel an unpaid payment; `reason` is made ASCII-safe."""
        self._require(Capability.CANCEL, "cancel")
        ref = self._checked_ref(order_ref)
        return self._cancel(
            ref, None if reason is None else ascii_safe(reason, field_name="reason")
        )

    # -- checks --------------------------------------------------------------------------

    def _checked_request(self, request: object) -> PaymentRequest:
        """`request` within the gateway's limits, or `ValidationError` before sending."""
        if not isinstance(request, PaymentRequest):
            raise ValidationError("request must be a PaymentRequest", field="request")
        low, high = self.profile.min_amount, self.profile.max_amount
        if request.amount < low or (high is not None and request.amount > high):
            top = "" if high is None else f"-{high}"
            raise ValidationError(f"{self.title} takes {low}{top} VND", field="amount")
        self._check_request(request)
        return request

    def _checked_ref(self, order_ref: object) -> str:
        if not isinstance(order_ref, str) or not self.order_ref_pattern.match(order_ref):
            raise ValidationError(
                f"order_ref is not a {self.title} order reference", field="order_ref"
            )
        return order_ref

    def _require(self, capability: Capability, operation: str) -> None:
        if capability not in self.capabilities:
            raise self._unsupported(operation)

    def _no_options(self, operation: str, options: Mapping[str, Any]) -> None:
        """`TypeError` naming the options a vendor's step does not take."""
        if options:
            raise TypeError(f"{type(self).__name__}.{operation} got {', '.join(sorted(options))}")

    def _unsupported(self, operation: str) -> UnsupportedOperation:
        return UnsupportedOperation(
            f"{self.title} offers no {operation}", provider=self.name, operation=operation
        )

    # -- for the vendor's steps ----------------------------------------------------------

    def _intent(
        self,
        request: PaymentRequest,
        created_at: datetime,
        order_ref: str,
        **links: Any,
    ) -> PaymentIntent:
        """The intent for `request` under `order_ref`, expiring `request.expires_in` after
        `created_at`; `links` are `redirect_url`, `qr_payload`, `gateway_ref`, `raw`."""
        return PaymentIntent(
            gateway=self.name,
            order_ref=order_ref,
            dossier_code=request.dossier_code,
            amount=request.amount,
            created_at=created_at,
            expires_at=created_at + request.expires_in,
            **links,
        )

    def _answer(
        self, response: requests.Response, operation: str, read: AnswerReader
    ) -> dict[str, Any]:
        """The vendor's JSON answer, or its error.

        `read(body, http_status)` (the vendor's `wire.py`) says what the answer is: the
        answer to go on with, a `Refusal` (raised as the domain's error), or None (not the
        vendor's answer: an HTTP error status raises its error, anything else is
        malformed). Every error carries the HTTP status and a redacted body excerpt.
        """
        try:
            body = response.json()
        except ValueError:  # requests' JSONDecodeError too
            body = None
        found = read(body, response.status_code)
        if isinstance(found, Refusal):
            raise found.error(title=self.title, operation=operation, **self._context(response))
        if found is not None:
            return found
        if response.status_code >= 400:
            from connectors.core.http_errors import error_for_status

            raise error_for_status(
                response, provider=self.name, operation=operation, redactor=self.transport.redactor
            )
        raise self._malformed(operation, f"{self.title} answered with an unreadable body", response)

    def _malformed(
        self, operation: str, message: str, response: requests.Response | None = None
    ) -> ProviderError:
        """The error of an answer that cannot be read (code ``malformed_response``)."""
        context = {"provider": self.name} if response is None else self._context(response)
        return ProviderError(message, code=MALFORMED, operation=operation, **context)

    def _context(self, response: requests.Response) -> dict[str, Any]:
        return {
            "provider": self.name,
            "http_status": response.status_code,
            "body_excerpt": self.transport.redactor.excerpt(response.content, "application/json"),
        }

    def _forged(self, message: str, operation: str = "callback") -> SignatureError:
        """The error of a callback (or an answer) that fails verification."""
        return SignatureError(message, provider=self.name, operation=operation)

    def _callback_object(self, body: bytes | str | Mapping[str, Any], what: str) -> dict[str, Any]:
        """A JSON callback body (or already decoded fields) as an object; anything else is
        refused as not genuine (`SignatureError`: "`what` is not JSON")."""
        data: Any
        if isinstance(body, bytes | str):
            try:
                data = json.loads(body)
            except (ValueError, RecursionError):
                raise self._forged(f"{what} is not JSON") from None
        else:
            data = dict(body)
        if not isinstance(data, dict):
            raise self._forged(f"{what} is not a JSON object")
        return data
