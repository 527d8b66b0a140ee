"""One vocabulary for what e-invoice vendors answer, and the core error each becomes.

Every vendor result code (VNPT ``ERR:13``, Viettel ``INVOICE_NOT_FOUND``, MISA
``DuplicateRefID``...) maps onto a `ResultCode` in its provider's `wire.py`; `INVOICE_ERRORS`
(a `connectors.core.codes.CodeTable`) says which core error each one raises (`Duplicate`,
`Rejected`, `NotFound`, `AuthError`, `ProviderUnavailable`): its `code` is the `ResultCode`
value and its `vendor_code` / `vendor_message` keep the raw answer.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

from connectors.core.codes import CodeTable
from connectors.core.deprecation import warn_deprecated
from connectors.core.errors import (
    AuthError,
    Duplicate,
    NotFound,
    ProviderError,
    ProviderUnavailable,
    Rejected,
)

__all__ = [
    "ERROR_CLASSES",
    "INVOICE_ERRORS",
    "Refusal",
    "ResultCode",
    "VendorCode",
    "error_for_code",
    "refusal_error",
]


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


INVOICE_ERRORS: CodeTable[ResultCode] = CodeTable(
    {
        ResultCode.DUPLICATE: Duplicate,
        ResultCode.NOT_FOUND: NotFound,
        ResultCode.AUTH: AuthError,
        ResultCode.TEMPORARY: ProviderUnavailable,
    },
    default=Rejected,
)
"""The domain's error table: invalid data, certificate and wrong-state refusals are
`Rejected`; only `TEMPORARY` is worth retrying (the class's own default)."""

ERROR_CLASSES: Mapping[ResultCode, type[ProviderError]] = MappingProxyType(
    {code: INVOICE_ERRORS.error_class(code) for code in ResultCode}
)
"""Which core error each result code raises (read from `INVOICE_ERRORS`)."""


@dataclass(frozen=True)
class VendorCode:
    """One row of a vendor's code table: its common meaning and a short English text."""

    code: ResultCode
    meaning: str


class Refusal(NamedTuple):
    """A vendor's "no", read from its answer by the provider's `wire.py`."""

    code: ResultCode
    vendor_code: str
    vendor_message: str | None = None


def refusal_error(
    refusal: Refusal, *, provider: str, operation: str, **context: Any
) -> ProviderError:
    """The core error for `refusal` (the caller raises it), keeping the vendor's raw answer.

    `context` is passed on (http_status, request_id, body_excerpt).
    """
    text = f"{provider} refused {operation}: {refusal.vendor_code}"
    if refusal.vendor_message:
        text += f" ({refusal.vendor_message})"
    return INVOICE_ERRORS.error(
        refusal.code,
        text,
        provider=provider,
        operation=operation,
        vendor_code=refusal.vendor_code,
        vendor_message=refusal.vendor_message,
        **context,
    )


def error_for_code(
    code: ResultCode,
    *,
    provider: str,
    operation: str,
    vendor_code: str,
    vendor_message: str | None = None,
    **context: Any,
) -> ProviderError:
    """Deprecated: use `refusal_error(Refusal(code, vendor_code, vendor_message), ...)`."""
    warn_deprecated(
        "connectors.einvoice.codes.error_for_code", "connectors.einvoice.codes.refusal_error"
    )
    return refusal_error(
        Refusal(code, vendor_code, vendor_message),
        provider=provider,
        operation=operation,
        **context,
    )
