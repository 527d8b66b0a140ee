"""The payOS adapter: payment links paid by VietQR transfer, status, cancel, webhook.

Fidelity: official spec for the webhook signature (payos.vn docs, vector reproduced);
derived from payOS's SDK readmes for create, status and cancel; modelled for error codes
and the webhook answer (`wire.WireProfile`). payOS offers no refund API.
"""

from __future__ import annotations

import json
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
    PaymentErrorCode,
    PaymentIntent,
    PaymentNotification,
    PaymentRequest,
    PaymentStatus,
    PaymentStatusReport,
    Refund,
    RefundRequest,
    UnsupportedOperation,
    ascii_safe,
    provider_error,
)
from connectors.banks.payos import wire
from connectors.core.config import ProviderSettings
from connectors.core.errors import ConfigError, ProviderError, SignatureError, ValidationError
from connectors.core.http_errors import error_for_status
from connectors.core.redaction import Redactor
from connectors.core.retry import Idempotency, RetryPolicy
from connectors.core.signing import constant_time_equals
from connectors.core.transport import RequestSpec, Timeouts, Transport
from connectors.vn.money import parse_amount
from connectors.vn.time import VN_TZ, now_vn, to_epoch_ms

__all__ = ["PayOS", "PayOSSettings"]


class PayOSSettings(ProviderSettings):
    """payOS settings; environment `CONNECTORS_PAYOS_CLIENT_ID`, `..._CHECKSUM_KEY`..."""

    model_config = SettingsConfigDict(env_prefix="CONNECTORS_PAYOS_")

    base_url: str = wire.PRODUCTION_BASE_URL
    client_id: str
    api_key: SecretStr
    checksum_key: SecretStr


class PayOS:
    """payOS payment-link client; thread-safe.

    - `client_id`, `api_key`, `checksum_key`: from the payOS payment channel (kênh thanh
      toán); the keys are never logged nor put in an error.
    - `order_codes`: makes a numeric orderCode when a `PaymentRequest` has no `order_ref`
      (default: milliseconds since the epoch x 1000 + 3 random digits).
    """

    name: ClassVar[str] = "payos"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.REDIRECT, Capability.QR, Capability.QUERY, Capability.CANCEL}
    )

    def __init__(
        self,
        *,
        client_id: str,
        api_key: str | SecretStr,
        checksum_key: str | SecretStr,
        base_url: str = wire.PRODUCTION_BASE_URL,
        profile: wire.WireProfile = wire.DEFAULT_PROFILE,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
        order_codes: Callable[[], int] | None = None,
    ) -> None:
        key = api_key if isinstance(api_key, SecretStr) else SecretStr(api_key)
        checksum = checksum_key if isinstance(checksum_key, SecretStr) else SecretStr(checksum_key)
        for name, value in (("api_key", key), ("checksum_key", checksum)):
            if not value.get_secret_value():
                raise ConfigError(f"{name} is empty", field=name)
        if not client_id:
            raise ConfigError("client_id is empty", field="client_id")
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError("base_url must be an http(s) URL", field="base_url")
        self.client_id = client_id
        self._api_key = key
        self._checksum = checksum
        self.base_url = base_url.rstrip("/")
        self.profile = profile
        self.clock = clock
        self._order_codes = order_codes or self._default_order_code
        redactor = Redactor(
            secret_fields=["x-api-key", "api_key", "checksum_key", "checksumKey"],
            secret_values=[key, checksum],
        )
        self.transport = Transport(self.name, timeouts=timeouts, retry=retry, redactor=redactor)

    @classmethod
    def from_settings(cls, settings: PayOSSettings, **options: Any) -> PayOS:
        """A client from `PayOSSettings`."""
        return cls(
            client_id=settings.client_id,
            api_key=settings.api_key,
            checksum_key=settings.checksum_key,
            base_url=settings.base_url,
            timeouts=settings.http.timeouts(),
            retry=settings.http.retry_policy(),
            **options,
        )

    def __repr__(self) -> str:
        return f"PayOS(client_id={self.client_id!r}, base_url={self.base_url!r}, keys=***)"

    def close(self) -> None:
        """Close pooled connections."""
        self.transport.close()

    def _default_order_code(self) -> int:
        return to_epoch_ms(now_vn(self.clock)) * 1000 + secrets.randbelow(1000)

    def _headers(self) -> dict[str, str]:
        return {"x-client-id": self.client_id, "x-api-key": self._api_key.get_secret_value()}

    # -- create ----------------------------------------------------------------------------

    def create_body(self, request: PaymentRequest, *, order_code: int) -> dict[str, Any]:
        """The signed JSON body of a payment-link create."""
        cancel_url = request.return_url
        description = ascii_safe(request.description, max_length=self.profile.max_description)
        body: dict[str, Any] = {
            "orderCode": order_code,
            "amount": request.amount,
            "description": description,
            "cancelUrl": cancel_url,
            "returnUrl": request.return_url,
            "expiredAt": int((now_vn(self.clock) + request.expires_in).timestamp()),
        }
        payer = request.payer
        if payer is not None:
            for key, value in (
                ("buyerName", payer.name),
                ("buyerPhone", payer.phone),
                ("buyerEmail", payer.email),
            ):
                if value:
                    body[key] = value
        body["signature"] = wire.sign(self._checksum, wire.data_string(body, wire.CREATE_FIELDS))
        return body

    def create_payment(
        self, request: PaymentRequest, *, client_ip: str = "127.0.0.1"
    ) -> PaymentIntent:
        """Create a payment link: the checkout URL and the VietQR payload to render.

        `order_ref` must be digits (payOS's orderCode); without one a code is made. A
        keyed write on the orderCode: payOS refuses a second link for it (231), so when
        a retry hears 231 the existing link is fetched instead (lookup-before-retry).
        """
        order_code = self._order_code(request)
        body = self.create_body(request, order_code=order_code)
        created_at = now_vn(self.clock)
        attempts: list[int] = []

        def build(attempt: int) -> RequestSpec:
            attempts.append(attempt)
            url = self.base_url + self.profile.create_path
            return RequestSpec("POST", url, headers=self._headers(), json=body)

        response = self.transport.request(
            build,
            operation="create",
            idempotency=Idempotency.KEYED_WRITE,
            idempotency_key=str(order_code),
        )
        answer = self._json(response, "create")
        code = str(answer.get("code"))
        if code == "231" and len(attempts) > 1:
            data = self._info(str(order_code))
        elif code != "00":
            raise self._error(code, answer, "create", response)
        else:
            data = self._data(answer, "create")
        if int(data.get("amount", -1)) != request.amount:
            raise ProviderError(
                "payOS holds a link for this orderCode with another amount",
                code=PaymentErrorCode.DUPLICATE.value,
                provider=self.name,
                operation="create",
            )
        link_id = str(data.get("paymentLinkId") or data.get("id") or "")
        return PaymentIntent(
            gateway=self.name,
            order_ref=str(order_code),
            dossier_code=request.dossier_code,
            amount=request.amount,
            created_at=created_at,
            expires_at=created_at + request.expires_in,
            redirect_url=str(data.get("checkoutUrl") or "")
            or self.profile.checkout_url.format(link_id=link_id),
            qr_payload=str(data.get("qrCode") or "") or None,
            gateway_ref=link_id or None,
            raw=data,
        )

    def _order_code(self, request: PaymentRequest) -> int:
        if request.order_ref is None:
            return self._order_codes()
        ref = request.order_ref
        if not ref.isdigit() or not 0 < int(ref) <= wire.MAX_ORDER_CODE:
            raise ValidationError("payOS order_ref must be a positive integer", field="order_ref")
        return int(ref)

    # -- webhook ---------------------------------------------------------------------------

    def verify_webhook(self, body: bytes | str | Mapping[str, Any]) -> PaymentNotification:
        """Verify a webhook (the raw JSON body) and parse it (spec 4.3).

        Raises `SignatureError` for a body that is not JSON, a missing `data` object or
        signature, or a signature that does not match; `ValidationError` naming the field
        when the signed `amount` is not a JSON integer of at most 15 digits or `orderCode`
        not a positive integer payOS could have made.
        """
        payload: Any
        if isinstance(body, bytes | str):
            try:
                payload = json.loads(body)
            except (ValueError, RecursionError):
                raise SignatureError(
                    "webhook body is not JSON", provider=self.name, operation="callback"
                ) from None
        else:
            payload = dict(body)
        if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
            raise SignatureError(
                "webhook has no data object", provider=self.name, operation="callback"
            )
        given = payload.get("signature")
        if not isinstance(given, str) or not given:
            raise SignatureError(
                "webhook signature is missing", provider=self.name, operation="callback"
            )
        data: dict[str, Any] = payload["data"]
        expected = wire.sign(self._checksum, wire.data_string(data))
        if not constant_time_equals(expected, given.lower()):
            raise SignatureError(
                "webhook signature does not match", provider=self.name, operation="callback"
            )
        amount = parse_amount(data.get("amount"), field="amount", text=False)
        order_code = parse_amount(
            data.get("orderCode"), field="orderCode", max_digits=16, text=False
        )
        if not 0 < order_code <= wire.MAX_ORDER_CODE:
            raise ValidationError("orderCode is out of range", field="orderCode")
        code = str(data.get("code", payload.get("code", "")))
        return PaymentNotification(
            gateway=self.name,
            order_ref=str(order_code),
            amount=amount,
            status=PaymentStatus.PAID if code == "00" else PaymentStatus.FAILED,
            vendor_code=code,
            gateway_txn_id=str(data.get("reference") or "") or None,
            paid_at=_paid_at(data.get("transactionDateTime")),
            vendor_message=str(data.get("desc") or "") or None,
            raw=payload,
        )

    def parse_notification(
        self,
        *,
        method: str,
        query: Mapping[str, str],
        body: bytes,
        headers: Mapping[str, str],
    ) -> PaymentNotification:
        """`verify_webhook` on the raw body."""
        return self.verify_webhook(body)

    def callback_answer(self, outcome: CallbackOutcome) -> HttpAnswer:
        """200 and a small JSON body when accepted; see `WireProfile.webhook_answers`."""
        answers = self.profile.webhook_answers
        status, body = answers.get(outcome) or answers[CallbackOutcome.ERROR]
        return HttpAnswer(status, (("Content-Type", "application/json"),), body)

    # -- status and cancel -----------------------------------------------------------------

    def query(self, order_ref: str, *, created_at: datetime | None = None) -> PaymentStatusReport:
        """The payment link's status (GET), a read retried on transient faults."""
        return self._report(order_ref, self._info(order_ref))

    def cancel(self, order_ref: str, *, reason: str | None = None) -> PaymentStatusReport:
        """Cancel an unpaid payment link; cancelling again is harmless (a keyed write)."""
        url = self.base_url + self.profile.cancel_path.format(ref=_ref(order_ref))
        body = {"cancellationReason": ascii_safe(reason or "Huy ho so", field_name="reason")}
        response = self.transport.request(
            RequestSpec("POST", url, headers=self._headers(), json=body),
            operation="cancel",
            idempotency=Idempotency.KEYED_WRITE,
            idempotency_key=order_ref,
        )
        answer = self._json(response, "cancel")
        code = str(answer.get("code"))
        if code != "00":
            raise self._error(code, answer, "cancel", response)
        return self._report(order_ref, self._data(answer, "cancel"))

    def refund(self, request: RefundRequest) -> Refund:
        """payOS has no refund API: refund by bank transfer outside payOS."""
        raise UnsupportedOperation("payOS offers no refund", provider=self.name, operation="refund")

    # -- helpers ---------------------------------------------------------------------------

    def _info(self, order_ref: str) -> dict[str, Any]:
        url = self.base_url + self.profile.info_path.format(ref=_ref(order_ref))
        response = self.transport.request(
            RequestSpec("GET", url, headers=self._headers()),
            operation="query",
            idempotency=Idempotency.READ,
        )
        answer = self._json(response, "query")
        code = str(answer.get("code"))
        if code != "00":
            raise self._error(code, answer, "query", response)
        return self._data(answer, "query")

    def _report(self, order_ref: str, data: Mapping[str, Any]) -> PaymentStatusReport:
        vendor_status = str(data.get("status", ""))
        transactions = data.get("transactions") or []
        last = transactions[-1] if transactions and isinstance(transactions[-1], dict) else {}
        amount = data.get("amount")
        return PaymentStatusReport(
            gateway=self.name,
            order_ref=order_ref,
            status=wire.STATUSES.get(vendor_status, PaymentStatus.UNKNOWN),
            vendor_code=vendor_status,
            amount=amount if isinstance(amount, int) else None,
            gateway_txn_id=str(last.get("reference") or "") or None,
            paid_at=_paid_at(last.get("transactionDateTime")),
            raw=dict(data),
        )

    def _json(self, response: requests.Response, operation: str) -> dict[str, Any]:
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if isinstance(answer, dict) and "code" in answer:
            return answer
        if response.status_code >= 400:
            raise error_for_status(
                response, provider=self.name, operation=operation, redactor=self.transport.redactor
            )
        raise ProviderError(
            "payOS answered with an unreadable body",
            code="malformed_response",
            provider=self.name,
            operation=operation,
            http_status=response.status_code,
            body_excerpt=self.transport.redactor.excerpt(response.content, "application/json"),
        )

    def _data(self, answer: Mapping[str, Any], operation: str) -> dict[str, Any]:
        data = answer.get("data")
        if not isinstance(data, dict):
            raise ProviderError(
                "payOS answered without data", code="malformed_response", provider=self.name
            )
        given = answer.get("signature")
        if given is not None:
            expected = wire.sign(self._checksum, wire.data_string(data))
            if not constant_time_equals(expected, str(given).lower()):
                raise SignatureError(
                    "payOS's answer failed its signature", provider=self.name, operation=operation
                )
        return data

    def _error(
        self, code: str, answer: Mapping[str, Any], operation: str, response: requests.Response
    ) -> ProviderError:
        message = str(answer.get("desc") or "")
        return provider_error(
            wire.ERROR_CODES.get(code, PaymentErrorCode.UNKNOWN),
            f"payOS refused the {operation}: {code} {message}".strip(),
            provider=self.name,
            operation=operation,
            http_status=response.status_code,
            vendor_code=code,
            vendor_message=message or None,
            body_excerpt=self.transport.redactor.excerpt(response.content, "application/json"),
        )


def _ref(order_ref: str) -> str:
    if not order_ref.replace("-", "").isalnum():
        raise ValidationError("order_ref must be an orderCode or link id", field="order_ref")
    return order_ref


def _paid_at(value: object) -> datetime | None:
    """payOS writes "YYYY-MM-DD HH:MM:SS" in GMT+7."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=VN_TZ)
    except ValueError:
        return None
