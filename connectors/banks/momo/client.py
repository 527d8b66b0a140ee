"""The MoMo adapter (API v2, All-in-One): create (captureWallet), IPN, query, refund.

Fidelity: official spec and samples for create and the IPN; derived from integrators'
code for query and refund; some result codes and the non-success IPN answers are guessed
(`wire.WireProfile`).
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar

import requests
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

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
    RefundStatus,
    UnsupportedOperation,
    provider_error,
)
from connectors.banks.momo import wire
from connectors.core.config import ProviderSettings
from connectors.core.errors import ConfigError, ProviderError, SignatureError, ValidationError
from connectors.core.http_errors import error_for_status
from connectors.core.redaction import Redactor
from connectors.core.retry import Idempotency, RetryPolicy
from connectors.core.signing import constant_time_equals
from connectors.core.transport import RequestSpec, Timeouts, Transport
from connectors.vn.money import parse_amount
from connectors.vn.time import from_epoch_ms, now_vn

__all__ = ["MoMo", "MoMoSettings"]

_CODE = re.compile(r"\A-?[0-9]{1,18}\Z")


class MoMoSettings(ProviderSettings):
    """MoMo settings; environment `CONNECTORS_MOMO_PARTNER_CODE`, `..._SECRET_KEY`..."""

    model_config = SettingsConfigDict(env_prefix="CONNECTORS_MOMO_")

    base_url: str = wire.SANDBOX_BASE_URL
    partner_code: str
    access_key: SecretStr
    secret_key: SecretStr
    ipn_url: str | None = None


class MoMo:
    """MoMo e-wallet gateway client (ví MoMo); thread-safe.

    - `partner_code`, `access_key`, `secret_key`: from the MoMo business portal; the keys
      are never logged nor put in an error.
    - `ipn_url`: the default IPN URL when a `PaymentRequest` has no `notify_url`.
    - `clock` (Unix seconds) and `request_ids` (fresh ids for queries) are injectable.
    """

    name: ClassVar[str] = "momo"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {
            Capability.REDIRECT,
            Capability.QR,
            Capability.QUERY,
            Capability.REFUND,
            Capability.PARTIAL_REFUND,
        }
    )

    def __init__(
        self,
        *,
        partner_code: str,
        access_key: str | SecretStr,
        secret_key: str | SecretStr,
        base_url: str = wire.SANDBOX_BASE_URL,
        ipn_url: str | None = None,
        profile: wire.WireProfile = wire.DEFAULT_PROFILE,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
        request_ids: Callable[[], str] | None = None,
    ) -> None:
        access = access_key if isinstance(access_key, SecretStr) else SecretStr(access_key)
        secret = secret_key if isinstance(secret_key, SecretStr) else SecretStr(secret_key)
        for name, value in (("access_key", access), ("secret_key", secret)):
            if not value.get_secret_value():
                raise ConfigError(f"{name} is empty", field=name)
        if not partner_code:
            raise ConfigError("partner_code is empty", field="partner_code")
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError("base_url must be an http(s) URL", field="base_url")
        self.partner_code = partner_code
        self._access = access
        self._secret = secret
        self.base_url = base_url.rstrip("/")
        self.ipn_url = ipn_url
        self.profile = profile
        self.clock = clock
        self._request_ids = request_ids or (lambda: secrets.token_hex(16))
        redactor = Redactor(
            secret_fields=["access_key", "accessKey", "secret_key", "secretKey"],
            secret_values=[access, secret],
        )
        self.transport = Transport(self.name, timeouts=timeouts, retry=retry, redactor=redactor)

    @classmethod
    def from_settings(cls, settings: MoMoSettings, **options: Any) -> MoMo:
        """A client from `MoMoSettings`."""
        return cls(
            partner_code=settings.partner_code,
            access_key=settings.access_key,
            secret_key=settings.secret_key,
            base_url=settings.base_url,
            ipn_url=settings.ipn_url,
            timeouts=settings.http.timeouts(),
            retry=settings.http.retry_policy(),
            **options,
        )

    def __repr__(self) -> str:
        return f"MoMo(partner_code={self.partner_code!r}, base_url={self.base_url!r}, keys=***)"

    def close(self) -> None:
        """Close pooled connections."""
        self.transport.close()

    def _raw(self, data: Mapping[str, object], fields: tuple[str, ...]) -> str:
        return wire.raw_signature(data, fields, self._access.get_secret_value())

    # -- create ----------------------------------------------------------------------------

    def create_body(
        self, request: PaymentRequest, *, request_id: str, extra_data: str = ""
    ) -> dict[str, Any]:
        """The signed JSON body of `/v2/gateway/api/create` (spec 3.1)."""
        order_id = request.order_ref or request.dossier_code
        if len(order_id) > 50 or not wire.ORDER_ID.match(order_id):
            raise ValidationError(
                "MoMo orderId must match [0-9a-zA-Z]([-_.]*[0-9a-zA-Z]+)*", field="order_ref"
            )
        if not self.profile.min_amount <= request.amount <= self.profile.max_amount:
            raise ValidationError(
                f"MoMo takes {self.profile.min_amount}-{self.profile.max_amount} VND",
                field="amount",
            )
        if not request_id or len(request_id) > 50:
            raise ValidationError("request_id must be 1-50 characters", field="request_id")
        ipn_url = request.notify_url or self.ipn_url
        if not ipn_url:
            raise ValidationError("MoMo needs an IPN URL (notify_url)", field="notify_url")
        body: dict[str, Any] = {
            "partnerCode": self.partner_code,
            "partnerName": self.profile.partner_name,
            "storeId": self.profile.store_id,
            "requestId": request_id,
            "amount": request.amount,
            "orderId": order_id,
            "orderInfo": request.description,
            "redirectUrl": request.return_url,
            "ipnUrl": ipn_url,
            "requestType": self.profile.request_type,
            "extraData": extra_data,
            "lang": self.profile.lang,
        }
        body["signature"] = wire.sign(self._secret, self._raw(body, wire.CREATE_FIELDS))
        return body

    def create_payment(
        self,
        request: PaymentRequest,
        *,
        client_ip: str = "127.0.0.1",
        request_id: str | None = None,
        extra_data: str = "",
    ) -> PaymentIntent:
        """Create a captureWallet payment: the pay URL and the QR content.

        A keyed write on `request_id` (made once here unless given, reused on every
        attempt): MoMo answers a repeated requestId with the first answer, so a retry
        never creates two payments. A new create for the same `orderId` is refused with
        `Duplicate` (resultCode 41).
        """
        body = self.create_body(
            request, request_id=request_id or self._request_ids(), extra_data=extra_data
        )
        created_at = now_vn(self.clock)
        answer, response = self._post(
            self.profile.create_path, body, "create", Idempotency.KEYED_WRITE, body["requestId"]
        )
        code = _int(answer.get("resultCode"))
        if code != 0:
            raise self._error(code, answer, "create", response)
        return PaymentIntent(
            gateway=self.name,
            order_ref=body["orderId"],
            dossier_code=request.dossier_code,
            amount=request.amount,
            created_at=created_at,
            expires_at=created_at + request.expires_in,
            redirect_url=str(answer.get("payUrl") or "") or None,
            qr_payload=str(answer.get("qrCodeUrl") or "") or None,
            gateway_ref=body["requestId"],
            raw=answer,
        )

    # -- IPN and redirect ------------------------------------------------------------------

    def verify_ipn(self, body: bytes | str | Mapping[str, Any]) -> PaymentNotification:
        """Verify an IPN (the raw JSON body, or the redirect's parameters) and parse it.

        Raises `SignatureError` for a missing or wrong signature, another partner code, or
        a body that is not a JSON object; `ValidationError` naming the field for a signed
        IPN without an orderId, or whose `amount` is not a whole number of VND (a JSON
        integer, or ASCII digits in the redirect's parameters) or `responseTime` not epoch
        milliseconds.
        """
        data: Any
        if isinstance(body, bytes | str):
            try:
                data = json.loads(body)
            except (ValueError, RecursionError):
                raise SignatureError(
                    "IPN body is not JSON", provider=self.name, operation="callback"
                ) from None
        else:
            data = dict(body)
        if not isinstance(data, dict):
            raise SignatureError(
                "IPN body is not a JSON object", provider=self.name, operation="callback"
            )
        given = data.get("signature")
        if not isinstance(given, str) or not given:
            raise SignatureError("signature is missing", provider=self.name, operation="callback")
        expected = wire.sign(self._secret, self._raw(data, wire.IPN_FIELDS))
        if not constant_time_equals(expected, given.lower()):
            raise SignatureError(
                "signature does not match", provider=self.name, operation="callback"
            )
        if data.get("partnerCode") != self.partner_code:
            raise SignatureError(
                "partnerCode is not ours", provider=self.name, operation="callback"
            )
        code = _int(data.get("resultCode"))
        amount = parse_amount(data.get("amount"), field="amount")
        if not isinstance(data.get("orderId"), str) or not data["orderId"]:
            raise ValidationError("orderId is missing", field="orderId", provider=self.name)
        stamp = data.get("responseTime")
        paid_at = (
            from_epoch_ms(parse_amount(stamp, field="responseTime"))
            if stamp not in (None, "")
            else None
        )
        return PaymentNotification(
            gateway=self.name,
            order_ref=str(data["orderId"]),
            amount=amount,
            status=wire.payment_status(code, self.profile.paid_codes),
            vendor_code=str(code),
            gateway_txn_id=str(data.get("transId") or "") or None,
            paid_at=paid_at,
            vendor_message=str(data.get("message") or "") or None,
            raw=data,
        )

    def parse_notification(
        self,
        *,
        method: str,
        query: Mapping[str, str],
        body: bytes,
        headers: Mapping[str, str],
    ) -> PaymentNotification:
        """The IPN (POST JSON body) or the redirect (GET parameters), verified."""
        if method.upper() == "GET" and query:
            return self.verify_ipn(query)
        return self.verify_ipn(body)

    def callback_answer(self, outcome: CallbackOutcome) -> HttpAnswer:
        """HTTP 204 No Content when accepted (spec 3.2); other statuses per the profile."""
        statuses = self.profile.ipn_statuses
        return HttpAnswer(statuses.get(outcome) or statuses[CallbackOutcome.ERROR])

    # -- query -----------------------------------------------------------------------------

    def query(self, order_ref: str, *, created_at: datetime | None = None) -> PaymentStatusReport:
        """The payment's status (`/v2/gateway/api/query`), a read; fresh requestId each time."""
        if len(order_ref) > 50 or not wire.ORDER_ID.match(order_ref):
            raise ValidationError("order_ref is not a MoMo orderId", field="order_ref")

        def build(_attempt: int) -> RequestSpec:
            body: dict[str, Any] = {
                "partnerCode": self.partner_code,
                "requestId": self._request_ids(),
                "orderId": order_ref,
                "lang": self.profile.lang,
            }
            body["signature"] = wire.sign(self._secret, self._raw(body, wire.QUERY_FIELDS))
            return RequestSpec("POST", self.base_url + self.profile.query_path, json=body)

        response = self.transport.request(build, operation="query", idempotency=Idempotency.READ)
        answer = self._json(response, "query")
        code = _int(answer.get("resultCode"))
        if code in wire.ERROR_CODES or code == 99:
            raise self._error(code, answer, "query", response)
        status = wire.payment_status(code, self.profile.paid_codes)
        refunded = sum(
            _int(item.get("amount"))
            for item in answer.get("refundTrans") or []
            if isinstance(item, dict) and _int(item.get("resultCode")) == 0
        )
        amount = _int(answer.get("amount"))
        if refunded and status is status.PAID:
            status = status.REFUNDED if refunded >= amount else status.PARTIALLY_REFUNDED
        return PaymentStatusReport(
            gateway=self.name,
            order_ref=order_ref,
            status=status,
            vendor_code=str(code),
            amount=amount,
            gateway_txn_id=str(answer.get("transId") or "") or None,
            refunded_amount=refunded,
            vendor_message=str(answer.get("message") or "") or None,
            raw=answer,
        )

    # -- refund ----------------------------------------------------------------------------

    def refund(self, request: RefundRequest) -> Refund:
        """Refund all or part of a paid payment (`/v2/gateway/api/refund`).

        `refund_ref` is both the refund's new orderId and its requestId: a keyed write
        MoMo de-duplicates, so a retry after a lost answer returns the first result and
        never refunds twice. Needs `gateway_txn_id` (MoMo transId).
        """
        if not request.gateway_txn_id or not request.gateway_txn_id.isdigit():
            raise ValidationError("MoMo needs the payment's transId", field="gateway_txn_id")
        if not wire.ORDER_ID.match(request.refund_ref):
            raise ValidationError("refund_ref must be a valid MoMo orderId", field="refund_ref")
        body: dict[str, Any] = {
            "partnerCode": self.partner_code,
            "orderId": request.refund_ref,
            "requestId": request.refund_ref,
            "amount": request.amount,
            "transId": int(request.gateway_txn_id),
            "lang": self.profile.lang,
            "description": request.reason,
        }
        body["signature"] = wire.sign(self._secret, self._raw(body, wire.REFUND_FIELDS))
        answer, response = self._post(
            self.profile.refund_path, body, "refund", Idempotency.KEYED_WRITE, request.refund_ref
        )
        code = _int(answer.get("resultCode"))
        if code != 0:
            raise self._error(code, answer, "refund", response)
        return Refund(
            gateway=self.name,
            order_ref=request.order_ref,
            refund_ref=request.refund_ref,
            amount=request.amount,
            status=RefundStatus.SUCCEEDED,
            vendor_code=str(code),
            gateway_refund_id=str(answer.get("transId") or "") or None,
            vendor_message=str(answer.get("message") or "") or None,
            raw=answer,
        )

    def cancel(self, order_ref: str, *, reason: str | None = None) -> PaymentStatusReport:
        """MoMo v2 captureWallet has no cancel for an unpaid payment: it expires."""
        raise UnsupportedOperation("MoMo offers no cancel", provider=self.name, operation="cancel")

    # -- helpers ---------------------------------------------------------------------------

    def _post(
        self, path: str, body: dict[str, Any], operation: str, idempotency: Idempotency, key: str
    ) -> tuple[dict[str, Any], requests.Response]:
        response = self.transport.request(
            RequestSpec("POST", self.base_url + path, json=body),
            operation=operation,
            idempotency=idempotency,
            idempotency_key=key,
        )
        return self._json(response, operation), response

    def _json(self, response: requests.Response, operation: str) -> dict[str, Any]:
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if isinstance(answer, dict) and "resultCode" in answer:
            return answer
        if response.status_code >= 400:
            raise error_for_status(
                response, provider=self.name, operation=operation, redactor=self.transport.redactor
            )
        raise ProviderError(
            "MoMo answered with an unreadable body",
            code="malformed_response",
            provider=self.name,
            operation=operation,
            http_status=response.status_code,
            body_excerpt=self.transport.redactor.excerpt(response.content, "application/json"),
        )

    def _error(
        self, code: int, answer: Mapping[str, Any], operation: str, response: requests.Response
    ) -> ProviderError:
        message = str(answer.get("message") or wire.RESULT_CODES.get(code, ""))
        return provider_error(
            wire.error_code(code),
            f"MoMo refused the {operation}: {code} {message}".strip(),
            provider=self.name,
            operation=operation,
            http_status=response.status_code,
            vendor_code=str(code),
            vendor_message=message or None,
            body_excerpt=self.transport.redactor.excerpt(response.content, "application/json"),
        )


def _int(value: object) -> int:
    """A result code or count as MoMo sends it (JSON int or ASCII digits); -1 if not one."""
    if isinstance(value, bool):
        return -1
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _CODE.match(value):
        return int(value)
    return -1
