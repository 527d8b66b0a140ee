"""One vocabulary for what payment gateways answer, and the core error each becomes.

Every vendor result code (VNPay ``91``, MoMo ``41``, payOS ``231``...) maps onto a
`PaymentErrorCode` in its provider's `wire.py`, which reads a refusal out of an answer as a
`Refusal`. `PAYMENT_ERRORS` (a `connectors.core.codes.CodeTable`) says which core error each
common code raises (`AuthError`, `NotFound`, `Duplicate`, `Rejected`, `RateLimited`,
`ProviderUnavailable`); the error's `code` is the `PaymentErrorCode` value and its
`vendor_code` / `vendor_message` keep the raw answer.
"""

from __future__ import annotations

import enum
from typing import Any, NamedTuple

from connectors.core.codes import CodeTable
from connectors.core.errors import (
    AuthError,
    Duplicate,
    NotFound,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    Rejected,
)

__all__ = ["MALFORMED", "PAYMENT_ERRORS", "PaymentErrorCode", "Refusal", "refusal_error"]

MALFORMED = "malformed_response"
"""`ProviderError.code` of an answer that cannot be read."""


class PaymentErrorCode(enum.StrEnum):
    """The common error vocabulary: `ProviderError.code` of every gateway error."""

    AUTH = "auth"
    BAD_SIGNATURE = "bad_signature"
    BAD_REQUEST = "bad_request"
    NOT_FOUND = "not_found"
    DUPLICATE = "duplicate"
    INVALID_AMOUNT = "invalid_amount"
    REFUND_REFUSED = "refund_refused"
    RATE_LIMITED = "rate_limited"
    TEMPORARY = "temporary"
    UNKNOWN = "unknown"


PAYMENT_ERRORS: CodeTable[PaymentErrorCode] = CodeTable(
    {
        PaymentErrorCode.AUTH: AuthError,
        PaymentErrorCode.BAD_SIGNATURE: AuthError,
        PaymentErrorCode.BAD_REQUEST: Rejected,
        PaymentErrorCode.NOT_FOUND: NotFound,
        PaymentErrorCode.DUPLICATE: Duplicate,
        PaymentErrorCode.INVALID_AMOUNT: Rejected,
        PaymentErrorCode.REFUND_REFUSED: Rejected,
        PaymentErrorCode.RATE_LIMITED: RateLimited,
        PaymentErrorCode.TEMPORARY: ProviderUnavailable,
    },
    default=ProviderError,
)
"""The domain's error table: only `TEMPORARY` and `RATE_LIMITED` are worth retrying (their
classes' own default); `UNKNOWN` is a plain `ProviderError`."""


class Refusal(NamedTuple):
    """A gateway's "no", read from its answer by the provider's `wire.py`."""

    code: PaymentErrorCode
    vendor_code: str
    vendor_message: str | None = None


def refusal_error(refusal: Refusal, *, title: str, operation: str, **context: Any) -> ProviderError:
    """The core error for `refusal` (the caller raises it), keeping the vendor's raw answer.

    `title` names the gateway in the message ("VNPay refused the query: 91 ..."); `context`
    is passed on (provider, http_status, request_id, body_excerpt).
    """
    text = f"{title} refused the {operation}: {refusal.vendor_code} {refusal.vendor_message or ''}"
    return PAYMENT_ERRORS.error(
        refusal.code,
        text.strip(),
        operation=operation,
        vendor_code=refusal.vendor_code,
        vendor_message=refusal.vendor_message,
        **context,
    )
