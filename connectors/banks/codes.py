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

from connectors.core import errors
from connectors.core.codes import CodeTable

__all__ = ["MALFORMED", "PAYMENT_ERRORS", "PaymentErrorCode", "Refusal"]

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
        **dict.fromkeys((PaymentErrorCode.AUTH, PaymentErrorCode.BAD_SIGNATURE), errors.AuthError),
        PaymentErrorCode.NOT_FOUND: errors.NotFound,
        PaymentErrorCode.DUPLICATE: errors.Duplicate,
        PaymentErrorCode.RATE_LIMITED: errors.RateLimited,
        PaymentErrorCode.TEMPORARY: errors.ProviderUnavailable,
        PaymentErrorCode.UNKNOWN: errors.ProviderError,
    },
    default=errors.Rejected,
)
"""The domain's error table: a bad request, an invalid amount and a refused refund are
`Rejected`; `UNKNOWN` is a plain `ProviderError`; only `TEMPORARY` and `RATE_LIMITED` are
worth retrying (their classes' own default)."""


class Refusal(NamedTuple):
    """A gateway's "no", read from its answer by the provider's `wire.py`."""

    code: PaymentErrorCode
    vendor_code: str
    vendor_message: str | None = None

    def error(self, *, title: str, operation: str, **context: Any) -> errors.ProviderError:
        """The core error for this refusal (`PAYMENT_ERRORS`; the caller raises it), the
        vendor's raw answer kept. `title` names the gateway in the message ("VNPay refused
        the query: 91 ..."); `context` is passed on (provider, http_status, body_excerpt).
        """
        text = f"{title} refused the {operation}: {self.vendor_code} {self.vendor_message or ''}"
        context.update(vendor_code=self.vendor_code, vendor_message=self.vendor_message)
        return PAYMENT_ERRORS.error(self.code, text.strip(), operation=operation, **context)
