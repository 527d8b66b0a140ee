"""MoMo payment API v2 on the wire: raw signature strings, result codes, profile.

Shared by the client and the simulator (specs/payments.md section 3). A signature is
HMAC-SHA256(secretKey, rawSignature) in lowercase hex, where rawSignature is `k=v` pairs
joined by `&` in a fixed, alphabetical field order per endpoint, values raw (no URL
encoding) and UTF-8. `accessKey` is the merchant's own key, never a body field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import SecretStr

from connectors.banks.base import CallbackOutcome, PaymentErrorCode, PaymentStatus
from connectors.core.signing import HmacSigner

__all__ = [
    "CREATE_FIELDS",
    "DEFAULT_PROFILE",
    "ERROR_CODES",
    "IPN_FIELDS",
    "ORDER_ID",
    "QUERY_FIELDS",
    "REFUND_FIELDS",
    "RESULT_CODES",
    "SANDBOX_BASE_URL",
    "WireProfile",
    "error_code",
    "payment_status",
    "raw_signature",
    "sign",
]

SANDBOX_BASE_URL = "https://test-payment.momo.vn"
"""Sandbox host [V]; production is https://payment.momo.vn."""

ORDER_ID = re.compile(r"\A[0-9a-zA-Z]([-_.]*[0-9a-zA-Z]+)*\Z")
"""`orderId` pattern from MoMo's token-pay page [V]; at most 50 characters."""

CREATE_FIELDS = (
    "accessKey",
    "amount",
    "extraData",
    "ipnUrl",
    "orderId",
    "orderInfo",
    "partnerCode",
    "redirectUrl",
    "requestId",
    "requestType",
)
"""rawSignature order of `/v2/gateway/api/create` (spec 3.1) [V]."""

IPN_FIELDS = (
    "accessKey",
    "amount",
    "extraData",
    "message",
    "orderId",
    "orderInfo",
    "orderType",
    "partnerCode",
    "payType",
    "requestId",
    "responseTime",
    "resultCode",
    "transId",
)
"""rawSignature order of the IPN and redirect (spec 3.2) [V]."""

QUERY_FIELDS = ("accessKey", "orderId", "partnerCode", "requestId")
"""rawSignature order of `/v2/gateway/api/query` (spec 3.3) [S]."""

REFUND_FIELDS = (
    "accessKey",
    "amount",
    "description",
    "orderId",
    "partnerCode",
    "requestId",
    "transId",
)
"""rawSignature order of `/v2/gateway/api/refund` (spec 3.3) [S]."""


@dataclass(frozen=True)
class WireProfile:
    """MoMo details that are guessed or deployment-specific, in one place.

    - `min_amount`/`max_amount`: 1,000-50,000,000 VND for captureWallet [U].
    - `ipn_statuses`: the HTTP status answered per outcome; 204 on success is [V], the
      statuses for refusals are [U] (anything but 204 makes MoMo treat it as not received).
    - `paid_codes`: resultCodes meaning "paid"; 9000 (authorised) counts for a 1-step
      capture [V].
    """

    create_path: str = "/v2/gateway/api/create"
    query_path: str = "/v2/gateway/api/query"
    refund_path: str = "/v2/gateway/api/refund"
    request_type: str = "captureWallet"
    lang: str = "vi"
    partner_name: str = "Cong dich vu cong"
    store_id: str = "DVC"
    min_amount: int = 1_000
    max_amount: int = 50_000_000
    paid_codes: frozenset[int] = frozenset({0, 9000})
    ipn_statuses: Mapping[CallbackOutcome, int] = field(
        default_factory=lambda: {
            CallbackOutcome.ACCEPTED: 204,
            CallbackOutcome.DUPLICATE: 204,
            CallbackOutcome.ORDER_NOT_FOUND: 404,
            CallbackOutcome.AMOUNT_MISMATCH: 400,
            CallbackOutcome.INVALID_SIGNATURE: 400,
            CallbackOutcome.MALFORMED: 400,
            CallbackOutcome.ERROR: 500,
        }
    )


DEFAULT_PROFILE = WireProfile()


def raw_signature(data: Mapping[str, object], fields: tuple[str, ...], access_key: str) -> str:
    """`k=v&k=v...` over `fields` in order, raw values, `accessKey` from the merchant."""
    values = {**data, "accessKey": access_key}
    return "&".join(f"{k}={_text(values.get(k))}" for k in fields)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def sign(secret: str | SecretStr, raw: str) -> str:
    """HMAC-SHA256 of the UTF-8 raw signature, lowercase hex."""
    return HmacSigner(secret, "sha256").sign(raw)


RESULT_CODES: Mapping[int, str] = {
    0: "success",
    9000: "authorised",
    8000: "waiting for the user to confirm again",
    7000: "processing",
    7002: "processing at the payment provider",
    1000: "initiated, waiting for the user",
    10: "maintenance",
    11: "access denied",
    12: "unsupported API version",
    13: "merchant authentication failed",
    20: "bad format request",
    21: "invalid amount",
    22: "amount out of range",
    40: "duplicate requestId",
    41: "duplicate orderId",
    42: "invalid orderId or not found",
    43: "conflicting transaction",
    99: "unknown error",
    1001: "insufficient funds",
    1002: "rejected by issuer",
    1003: "cancelled",
    1004: "over limit",
    1005: "URL or QR expired",
    1006: "user declined",
    1007: "account inactive",
    1017: "cancelled by partner",
    1026: "promotion restriction",
    1080: "refund failed",
    1081: "refund rejected",
}
"""resultCode table (spec 3.4): 0-20 and 1000-9000 [V], the rest [U]."""

ERROR_CODES: Mapping[int, PaymentErrorCode] = {
    10: PaymentErrorCode.TEMPORARY,
    11: PaymentErrorCode.AUTH,
    12: PaymentErrorCode.BAD_REQUEST,
    13: PaymentErrorCode.BAD_SIGNATURE,
    20: PaymentErrorCode.BAD_REQUEST,
    21: PaymentErrorCode.INVALID_AMOUNT,
    22: PaymentErrorCode.INVALID_AMOUNT,
    40: PaymentErrorCode.DUPLICATE,
    41: PaymentErrorCode.DUPLICATE,
    42: PaymentErrorCode.NOT_FOUND,
    43: PaymentErrorCode.DUPLICATE,
    1080: PaymentErrorCode.REFUND_REFUSED,
    1081: PaymentErrorCode.REFUND_REFUSED,
}


def error_code(result_code: int) -> PaymentErrorCode:
    """The common error code for a refusing resultCode."""
    return ERROR_CODES.get(result_code, PaymentErrorCode.UNKNOWN)


def payment_status(
    result_code: int, paid_codes: frozenset[int] = DEFAULT_PROFILE.paid_codes
) -> PaymentStatus:
    """The common status of a payment's resultCode (IPN, redirect or query)."""
    if result_code in paid_codes:
        return PaymentStatus.PAID
    if result_code in (1000, 7000, 7002, 8000, 9000):
        return PaymentStatus.PENDING
    if result_code in (1003, 1006, 1017):
        return PaymentStatus.CANCELLED
    if result_code == 1005:
        return PaymentStatus.EXPIRED
    return PaymentStatus.FAILED
