"""The VNPay adapter: pay URL, return/IPN verification, querydr and refund (API 2.1.0).

Fidelity: official spec for the pay URL, return URL and IPN (VNPay's pay.html); querydr
and refund follow integrators' code (hash orders agreed by several implementations).
See `wire.WireProfile` for what is guessed.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import parse_qsl

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
    ascii_safe,
    provider_error,
)
from connectors.banks.vnpay import wire
from connectors.core.config import ProviderSettings
from connectors.core.errors import (
    ConfigError,
    ProviderError,
    SignatureError,
    ValidationError,
)
from connectors.core.http_errors import error_for_status
from connectors.core.redaction import Redactor
from connectors.core.retry import Idempotency, RetryPolicy
from connectors.core.signing import constant_time_equals
from connectors.core.transport import RequestSpec, Timeouts, Transport
from connectors.vn.time import format_compact, now_vn, parse_compact

__all__ = ["VNPay", "VNPaySettings"]

_TMN = "vnp_TmnCode"
_TRUSTED_CODES = frozenset({"00", "94"})
_TXN_REF = re.compile(r"\A[A-Za-z0-9._-]{1,100}\Z")


class VNPaySettings(ProviderSettings):
    """VNPay settings; environment `CONNECTORS_VNPAY_TMN_CODE`, `..._HASH_SECRET`..."""

    model_config = SettingsConfigDict(env_prefix="CONNECTORS_VNPAY_")

    base_url: str = wire.SANDBOX_BASE_URL
    tmn_code: str
    hash_secret: SecretStr
    pay_url: str | None = None
    server_ip: str = "127.0.0.1"


class VNPay:
    """VNPay payment gateway client (cổng thanh toán VNPay); thread-safe.

    - `tmn_code`: the terminal code (vnp_TmnCode); `hash_secret`: the HMAC key, never
      logged nor put in an error.
    - `base_url`: host of `merchant_webapi` (querydr/refund); `pay_url`: the full pay page
      URL (default `base_url` + `profile.pay_path`; production uses another host).
    - `server_ip`: sent as vnp_IpAddr on querydr/refund.
    - `clock` (Unix seconds) and `request_ids` (fresh querydr ids) are injectable for tests.
    """

    name: ClassVar[str] = "vnpay"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.REDIRECT, Capability.QUERY, Capability.REFUND, Capability.PARTIAL_REFUND}
    )

    def __init__(
        self,
        *,
        tmn_code: str,
        hash_secret: str | SecretStr,
        base_url: str = wire.SANDBOX_BASE_URL,
        pay_url: str | None = None,
        server_ip: str = "127.0.0.1",
        profile: wire.WireProfile = wire.DEFAULT_PROFILE,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
        request_ids: Callable[[], str] | None = None,
    ) -> None:
        secret = hash_secret if isinstance(hash_secret, SecretStr) else SecretStr(hash_secret)
        if not secret.get_secret_value():
            raise ConfigError("hash_secret is empty", field="hash_secret")
        if not isinstance(tmn_code, str) or not tmn_code.isalnum() or len(tmn_code) > 20:
            raise ConfigError("tmn_code must be alphanumeric (an[8])", field="tmn_code")
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError("base_url must be an http(s) URL", field="base_url")
        self.tmn_code = tmn_code
        self._secret = secret
        self.base_url = base_url.rstrip("/")
        self.pay_url = pay_url or self.base_url + profile.pay_path
        self.server_ip = _ip(server_ip, "server_ip")
        self.profile = profile
        self.clock = clock
        self._request_ids = request_ids or _random_request_id
        redactor = Redactor(
            secret_fields=["hash_secret", "vnp_SecureHash"],
            secret_values=[secret],
        )
        self.transport = Transport(self.name, timeouts=timeouts, retry=retry, redactor=redactor)

    @classmethod
    def from_settings(cls, settings: VNPaySettings, **options: Any) -> VNPay:
        """A client from `VNPaySettings` (timeouts and retries from `settings.http`)."""
        return cls(
            tmn_code=settings.tmn_code,
            hash_secret=settings.hash_secret,
            base_url=settings.base_url,
            pay_url=settings.pay_url,
            server_ip=settings.server_ip,
            timeouts=settings.http.timeouts(),
            retry=settings.http.retry_policy(),
            **options,
        )

    def __repr__(self) -> str:
        return f"VNPay(tmn_code={self.tmn_code!r}, base_url={self.base_url!r}, hash_secret=***)"

    def close(self) -> None:
        """Close pooled connections."""
        self.transport.close()

    # -- pay -------------------------------------------------------------------------------

    def payment_params(
        self,
        request: PaymentRequest,
        *,
        client_ip: str,
        created_at: datetime,
        bank_code: str | None = None,
        locale: str | None = None,
        order_type: str | None = None,
    ) -> dict[str, str]:
        """The signed `vnp_*` parameters of the pay redirect (spec 1.2), hash last."""
        amount = request.amount
        if amount > self.profile.max_amount:
            raise ValidationError("amount exceeds VNPay's vnp_Amount n[12]", field="amount")
        if bank_code is not None and not (bank_code.isalnum() and 3 <= len(bank_code) <= 20):
            raise ValidationError("bank_code must be an[3,20]", field="bank_code")
        params = {
            "vnp_Version": self.profile.version,
            "vnp_Command": "pay",
            _TMN: self.tmn_code,
            "vnp_Amount": wire.to_wire_amount(amount),
            "vnp_CreateDate": format_compact(created_at),
            "vnp_CurrCode": self.profile.currency,
            "vnp_IpAddr": _ip(client_ip, "client_ip"),
            "vnp_Locale": locale or self.profile.locale,
            "vnp_OrderInfo": request.description,
            "vnp_OrderType": order_type or self.profile.order_type,
            "vnp_ReturnUrl": request.return_url,
            "vnp_ExpireDate": format_compact(created_at + request.expires_in),
            "vnp_TxnRef": request.order_ref or request.dossier_code,
        }
        if bank_code:
            params["vnp_BankCode"] = bank_code
        params.update(_bill_fields(request))
        data = wire.signing_string(params, self.profile.encoder)
        params["vnp_SecureHash"] = wire.sign(self._secret, data)
        return params

    def payment_url(
        self,
        request: PaymentRequest,
        *,
        client_ip: str = "127.0.0.1",
        created_at: datetime | None = None,
        bank_code: str | None = None,
        locale: str | None = None,
        order_type: str | None = None,
    ) -> str:
        """The pay page URL to redirect the citizen to (`vnp_Command=pay`).

        `created_at` defaults to now (GMT+7); keep it: querydr and refund need it again.
        `vnp_ExpireDate` is `created_at + request.expires_in`. The query string is the
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
        data = wire.signing_string(params, self.profile.encoder)
        return f"{self.pay_url}?{data}&vnp_SecureHash={params['vnp_SecureHash']}"

    def create_payment(
        self,
        request: PaymentRequest,
        *,
        client_ip: str = "127.0.0.1",
        bank_code: str | None = None,
    ) -> PaymentIntent:
        """A payment intent with the pay URL; nothing is sent (VNPay creates on redirect)."""
        created_at = now_vn(self.clock)
        url = self.payment_url(
            request, client_ip=client_ip, created_at=created_at, bank_code=bank_code
        )
        return PaymentIntent(
            gateway=self.name,
            order_ref=request.order_ref or request.dossier_code,
            dossier_code=request.dossier_code,
            amount=request.amount,
            created_at=created_at,
            expires_at=created_at + request.expires_in,
            redirect_url=url,
        )

    # -- return URL and IPN ----------------------------------------------------------------

    def verify_callback(self, params: Mapping[str, str]) -> PaymentNotification:
        """Verify return-URL or IPN parameters (decoded) and parse them.

        Raises `SignatureError` when `vnp_SecureHash` is missing or does not match (the
        amount is not read before that), or the terminal code is not this client's;
        `ValidationError(field="vnp_Amount")` when a signed amount is not VND x 100 as
        ASCII digits.
        """
        given = params.get("vnp_SecureHash")
        if not given:
            raise SignatureError(
                "vnp_SecureHash is missing", provider=self.name, operation="callback"
            )
        candidates = {wire.signing_string(params, enc) for enc in ("java", "python")}
        matched = False
        for data in candidates:  # each is checked: no early exit
            matched |= constant_time_equals(wire.sign(self._secret, data), given.lower())
        if not matched:
            raise SignatureError(
                "vnp_SecureHash does not match", provider=self.name, operation="callback"
            )
        if params.get(_TMN) != self.tmn_code:
            raise SignatureError(
                "vnp_TmnCode is not this terminal's", provider=self.name, operation="callback"
            )
        ref = params.get("vnp_TxnRef", "")
        if not ref:
            raise SignatureError("vnp_TxnRef is missing", provider=self.name, operation="callback")
        response_code = params.get("vnp_ResponseCode", "")
        status_code = params.get("vnp_TransactionStatus", "")
        pay_date = params.get("vnp_PayDate")
        try:
            paid_at = parse_compact(pay_date) if pay_date else None
        except ValidationError:
            raise SignatureError(
                "vnp_PayDate is not yyyyMMddHHmmss", provider=self.name, operation="callback"
            ) from None
        return PaymentNotification(
            gateway=self.name,
            order_ref=ref,
            amount=wire.from_wire_amount(params.get("vnp_Amount", ""), provider=self.name),
            status=wire.payment_status(response_code, status_code),
            vendor_code=response_code,
            gateway_txn_id=params.get("vnp_TransactionNo") or None,
            paid_at=paid_at,
            vendor_message=wire.PAY_RESPONSE_CODES.get(response_code),
            raw=dict(params),
        )

    def parse_notification(
        self,
        *,
        method: str,
        query: Mapping[str, str],
        body: bytes,
        headers: Mapping[str, str],
    ) -> PaymentNotification:
        """`verify_callback` on the query (GET) or, failing that, a form-encoded body."""
        params = dict(query)
        if "vnp_SecureHash" not in params and body:
            params = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        return self.verify_callback(params)

    def callback_answer(self, outcome: CallbackOutcome) -> HttpAnswer:
        """HTTP 200 with `{"RspCode": "..", "Message": ".."}` (spec 1.4)."""
        messages = self.profile.ipn_messages
        code, message = messages.get(outcome) or messages[CallbackOutcome.ERROR]
        body = f'{{"RspCode":"{code}","Message":"{message}"}}'.encode()
        return HttpAnswer(200, (("Content-Type", "application/json"),), body)

    # -- querydr ---------------------------------------------------------------------------

    def query(
        self,
        order_ref: str,
        *,
        created_at: datetime | None = None,
        order_info: str | None = None,
        transaction_no: str | None = None,
    ) -> PaymentStatusReport:
        """The payment's status (`vnp_Command=querydr`), a read retried on transient faults.

        `created_at` is the payment's `PaymentIntent.created_at` (vnp_TransactionDate):
        VNPay finds nothing without it. Each attempt has a fresh vnp_RequestId and
        vnp_CreateDate and is signed anew.
        """
        if created_at is None:
            raise ValidationError("VNPay needs the payment's created_at", field="created_at")
        if not _TXN_REF.match(order_ref):
            raise ValidationError("order_ref is not a vnp_TxnRef", field="order_ref")
        info = ascii_safe(order_info or f"Truy van GD {order_ref}", field_name="order_info")
        transaction_date = format_compact(created_at)

        def build(_attempt: int) -> RequestSpec:
            body = {
                "vnp_RequestId": self._request_ids(),
                "vnp_Version": self.profile.version,
                "vnp_Command": "querydr",
                _TMN: self.tmn_code,
                "vnp_TxnRef": order_ref,
                "vnp_OrderInfo": info,
                "vnp_TransactionDate": transaction_date,
                "vnp_CreateDate": format_compact(now_vn(self.clock)),
                "vnp_IpAddr": self.server_ip,
            }
            if transaction_no:
                body["vnp_TransactionNo"] = transaction_no
            data = wire.joined(body, wire.QUERY_HASH_FIELDS)
            body["vnp_SecureHash"] = wire.sign(self._secret, data)
            return RequestSpec("POST", self.base_url + self.profile.api_path, json=body)

        response = self.transport.request(build, operation="query", idempotency=Idempotency.READ)
        answer = self._answer(response, "query", wire.QUERY_RESPONSE_HASH_FIELDS)
        code = str(answer.get("vnp_ResponseCode", ""))
        if code != "00":
            raise self._api_error(code, answer, "query", response)
        status_code = str(answer.get("vnp_TransactionStatus", ""))
        pay_date = answer.get("vnp_PayDate")
        amount = answer.get("vnp_Amount")
        txn_type = answer.get("vnp_TransactionType")
        status = wire.query_status(status_code, str(txn_type) if txn_type else None)
        try:
            amount_vnd = wire.from_wire_amount(str(amount)) if amount not in (None, "") else None
        except ValidationError:
            raise ProviderError(
                "VNPay answered an unreadable vnp_Amount",
                code="malformed_response",
                provider=self.name,
                operation="query",
                http_status=response.status_code,
            ) from None
        return PaymentStatusReport(
            gateway=self.name,
            order_ref=order_ref,
            status=status,
            vendor_code=status_code,
            amount=amount_vnd,
            gateway_txn_id=str(answer.get("vnp_TransactionNo") or "") or None,
            paid_at=parse_compact(str(pay_date)) if pay_date else None,
            vendor_message=wire.TRANSACTION_STATUSES.get(status_code),
            raw=answer,
        )

    # -- refund ----------------------------------------------------------------------------

    def refund(self, request: RefundRequest) -> Refund:
        """Refund all (`vnp_TransactionType=02`) or part (`03`) of a paid payment.

        A keyed write on `request.refund_ref` (vnp_RequestId), retried on transient
        faults; each attempt gets a fresh vnp_CreateDate and signature. When a retry hears
        "94 duplicate request", an earlier attempt was accepted: the refund is returned
        PENDING (confirm it with `query`), never sent again under a new key.
        """
        paid_created_at = request.paid_created_at
        if paid_created_at is None:
            raise ValidationError("VNPay needs the payment's created_at", field="paid_created_at")
        attempts: list[int] = []
        amount = wire.to_wire_amount(request.amount)
        txn_type = "03" if request.is_partial else "02"

        def build(attempt: int) -> RequestSpec:
            attempts.append(attempt)
            body = {
                "vnp_RequestId": request.refund_ref,
                "vnp_Version": self.profile.version,
                "vnp_Command": "refund",
                _TMN: self.tmn_code,
                "vnp_TransactionType": txn_type,
                "vnp_TxnRef": request.order_ref,
                "vnp_Amount": amount,
                "vnp_TransactionNo": request.gateway_txn_id or "0",
                "vnp_TransactionDate": format_compact(paid_created_at),
                "vnp_CreateBy": request.requested_by,
                "vnp_CreateDate": format_compact(now_vn(self.clock)),
                "vnp_IpAddr": self.server_ip,
                "vnp_OrderInfo": request.reason,
            }
            data = wire.joined(body, wire.REFUND_HASH_FIELDS)
            body["vnp_SecureHash"] = wire.sign(self._secret, data)
            return RequestSpec("POST", self.base_url + self.profile.api_path, json=body)

        response = self.transport.request(
            build,
            operation="refund",
            idempotency=Idempotency.KEYED_WRITE,
            idempotency_key=request.refund_ref,
        )
        answer = self._answer(response, "refund", wire.REFUND_RESPONSE_HASH_FIELDS)
        code = str(answer.get("vnp_ResponseCode", ""))
        if code == "94" and len(attempts) > 1:
            return Refund(
                gateway=self.name,
                order_ref=request.order_ref,
                refund_ref=request.refund_ref,
                amount=request.amount,
                status=RefundStatus.PENDING,
                vendor_code=code,
                vendor_message="accepted on an earlier attempt; confirm with query",
                raw=answer,
            )
        if code != "00":
            raise self._api_error(code, answer, "refund", response)
        return Refund(
            gateway=self.name,
            order_ref=request.order_ref,
            refund_ref=request.refund_ref,
            amount=request.amount,
            status=RefundStatus.PENDING
            if str(answer.get("vnp_TransactionStatus")) == "05"
            else RefundStatus.SUCCEEDED,
            vendor_code=code,
            gateway_refund_id=str(answer.get("vnp_TransactionNo") or "") or None,
            vendor_message=str(answer.get("vnp_Message") or "") or None,
            raw=answer,
        )

    def cancel(self, order_ref: str, *, reason: str | None = None) -> PaymentStatusReport:
        """VNPay has no cancel: an unpaid payment expires at vnp_ExpireDate."""
        raise UnsupportedOperation("VNPay offers no cancel", provider=self.name, operation="cancel")

    # -- helpers ---------------------------------------------------------------------------

    def _answer(
        self, response: requests.Response, operation: str, hash_fields: tuple[str, ...]
    ) -> dict[str, Any]:
        if response.status_code >= 400:
            raise error_for_status(
                response, provider=self.name, operation=operation, redactor=self.transport.redactor
            )
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise ProviderError(
                "VNPay answered with an unreadable body",
                code="malformed_response",
                provider=self.name,
                operation=operation,
                http_status=response.status_code,
                body_excerpt=self.transport.redactor.excerpt(response.content, "application/json"),
            )
        given = answer.get("vnp_SecureHash")
        code = str(answer.get("vnp_ResponseCode", ""))
        # Answers that lead to a result are trusted only when signed; a refusal is raised
        # as it is (a wrong hash secret makes VNPay's refusal fail our check too).
        if code in _TRUSTED_CODES:
            expected = wire.sign(self._secret, wire.joined(answer, hash_fields))
            if not constant_time_equals(expected, str(given or "").lower()):
                raise SignatureError(
                    "VNPay's answer failed its checksum", provider=self.name, operation=operation
                )
        return answer

    def _api_error(
        self, code: str, answer: Mapping[str, Any], operation: str, response: requests.Response
    ) -> ProviderError:
        common = wire.api_error_code(code)
        message = str(answer.get("vnp_Message") or wire.API_CODES.get(code, (None, ""))[1])
        return provider_error(
            common,
            f"VNPay refused the {operation}: {code} {message}".strip(),
            provider=self.name,
            operation=operation,
            http_status=response.status_code,
            vendor_code=code,
            vendor_message=message or None,
            body_excerpt=self.transport.redactor.excerpt(response.content, "application/json"),
        )


def _ip(value: str, field_name: str) -> str:
    try:
        return str(ipaddress.ip_address(value))
    except (ValueError, TypeError):
        raise ValidationError(f"{field_name} must be an IP address", field=field_name) from None


def _random_request_id() -> str:
    return f"Q{format_compact(now_vn())}{secrets.token_hex(6)}"


def _bill_fields(request: PaymentRequest) -> dict[str, str]:
    """The payer's phone and e-mail as optional `vnp_Bill_*` fields (spec 1.2)."""
    payer = request.payer
    fields: dict[str, str] = {}
    if payer is None:
        return fields
    if payer.phone:
        digits = "".join(ch for ch in payer.phone if ch.isdigit())
        if not 9 <= len(digits) <= 15:
            raise ValidationError("payer phone must have 9-15 digits", field="payer.phone")
        fields["vnp_Bill_Mobile"] = digits
    if payer.email:
        email = payer.email.strip()
        if email.count("@") != 1 or any(ch.isspace() for ch in email) or len(email) > 100:
            raise ValidationError("payer email is not an address", field="payer.email")
        fields["vnp_Bill_Email"] = email
    return fields
