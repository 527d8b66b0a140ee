"""One vocabulary for what e-invoice vendors answer, and the core error each becomes.

Every vendor result code (VNPT ``ERR:13``, Viettel ``INVOICE_NOT_FOUND``, MISA
``DuplicateRefID``...) maps onto a `ResultCode`; the error raised is the matching core error
(`Duplicate`, `Rejected`, `NotFound`, `AuthError`, `ProviderUnavailable`) whose `code` is the
`ResultCode` value and whose `vendor_code` / `vendor_message` keep the raw answer.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connectors.core.errors import (
    AuthError,
    Duplicate,
    NotFound,
    ProviderError,
    ProviderUnavailable,
    Rejected,
)

__all__ = ["ERROR_CLASSES", "ResultCode", "VendorCode", "error_for_code"]


class ResultCode(enum.StrEnum):
    """The common meaning of a vendor's refusal."""

    DUPLICATE = "duplicate"
    """The idempotency key (or the invoice number) was already used."""
    INVALID_DATA = "invalid_data"
    """The document, template, symbol or a parameter is wrong: fix the input."""
    CERTIFICATE = "certificate"
    """The signing certificate is missing, expired, not registered or mismatched."""
    NOT_FOUND = "not_found"
    """No document under that key."""
    AUTH = "auth"
    """Credentials, permissions, token or IP whitelist refused."""
    TEMPORARY = "temporary"
    """A vendor-side fault worth retrying later."""
    WRONG_STATE = "wrong_state"
    """The document's status does not allow the action (already cancelled, replaced...)."""


ERROR_CLASSES: Mapping[ResultCode, type[ProviderError]] = {
    ResultCode.DUPLICATE: Duplicate,
    ResultCode.INVALID_DATA: Rejected,
    ResultCode.CERTIFICATE: Rejected,
    ResultCode.NOT_FOUND: NotFound,
    ResultCode.AUTH: AuthError,
    ResultCode.TEMPORARY: ProviderUnavailable,
    ResultCode.WRONG_STATE: Rejected,
}
"""Which core error each result code raises."""


@dataclass(frozen=True)
class VendorCode:
    """One row of a vendor's code table: its common meaning and a short English text."""

    code: ResultCode
    meaning: str


def error_for_code(
    code: ResultCode,
    *,
    provider: str,
    operation: str,
    vendor_code: str,
    vendor_message: str | None = None,
    **context: Any,
) -> ProviderError:
    """The core error for `code` (the caller raises it), keeping the vendor's raw answer."""
    cls = ERROR_CLASSES[code]
    text = f"{provider} refused {operation}: {vendor_code}"
    if vendor_message:
        text += f" ({vendor_message})"
    return cls(
        text,
        code=code.value,
        provider=provider,
        operation=operation,
        vendor_code=vendor_code,
        vendor_message=vendor_message,
        **context,
    )
