"""The SMS error vocabulary: one `SmsErrorCode` for every vendor's codes (spec section 9).

Each code says whether a retry can help (`retryable`) and whether another provider may be
tried (`failover_ok`). Failing over is only ever considered when the first provider
*certainly* did not accept the message; `may_fail_over` applies that rule to any exception.

Local refusals (before anything is sent) are `ValidationError`s that also carry a code:
`TemplateMismatch` (template_mismatch), `MessageTooLong` (too_long) and the recipient's
`InvalidPhoneNumber` (invalid_number).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, ClassVar

from connectors.core.codes import CodeTable
from connectors.core.deprecation import warn_deprecated
from connectors.core.errors import (
    AuthError,
    ConnectorError,
    Duplicate,
    OutcomeUnknown,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    Rejected,
    TransportError,
    ValidationError,
)
from connectors.vn.phone import InvalidPhoneNumber

__all__ = [
    "SMS_ERRORS",
    "MessageTooLong",
    "SmsErrorCode",
    "TemplateMismatch",
    "VendorCodeTable",
    "code_of",
    "common_code",
    "may_fail_over",
    "sms_error",
    "vendor_code",
]


class SmsErrorCode(enum.StrEnum):
    """Why a message was not accepted, in one vocabulary for every provider."""

    AUTH = "auth"
    IP_NOT_ALLOWED = "ip_not_allowed"
    INVALID_NUMBER = "invalid_number"
    TEMPLATE_MISMATCH = "template_mismatch"
    BRANDNAME_NOT_REGISTERED_FOR_TELCO = "brandname_not_registered_for_telco"
    DUPLICATE = "duplicate"
    QUOTA = "quota"
    RATE_LIMITED = "rate_limited"
    CONTENT_REJECTED = "content_rejected"
    TOO_LONG = "too_long"
    TEMPORARY = "temporary"
    INVALID_REQUEST = "invalid_request"
    """The request itself was malformed (a field missing or badly formatted)."""
    UNKNOWN = "unknown"
    """A vendor code this library does not know; the raw code is kept beside it."""

    @property
    def retryable(self) -> bool:
        """Whether sending the same message again later, to the same provider, can succeed."""
        return self in _RETRYABLE

    @property
    def failover_ok(self) -> bool:
        """Whether the fault is on the provider's side, so another provider may be tried.

        Never for the message's own faults (number, template, length, content) and never
        for `duplicate` (the provider already has the message).
        """
        return self in _FAILOVER_OK


_RETRYABLE = frozenset({SmsErrorCode.RATE_LIMITED, SmsErrorCode.TEMPORARY})
_FAILOVER_OK = frozenset(
    {
        SmsErrorCode.AUTH,
        SmsErrorCode.IP_NOT_ALLOWED,
        SmsErrorCode.BRANDNAME_NOT_REGISTERED_FOR_TELCO,
        SmsErrorCode.QUOTA,
        SmsErrorCode.RATE_LIMITED,
        SmsErrorCode.TEMPORARY,
    }
)

SMS_ERRORS: CodeTable[SmsErrorCode] = CodeTable(
    {
        SmsErrorCode.AUTH: AuthError,
        SmsErrorCode.IP_NOT_ALLOWED: AuthError,
        SmsErrorCode.DUPLICATE: Duplicate,
        SmsErrorCode.RATE_LIMITED: RateLimited,
        SmsErrorCode.TEMPORARY: ProviderUnavailable,
        SmsErrorCode.UNKNOWN: ProviderError,
    },
    default=Rejected,
    retryable=_RETRYABLE,
)
"""The domain's error table: auth/ip_not_allowed -> `AuthError`, duplicate -> `Duplicate`,
rate_limited -> `RateLimited`, temporary -> `ProviderUnavailable`, unknown ->
`ProviderError`, the rest (the message's own faults, quota, brandname) -> `Rejected`; only
rate_limited and temporary are worth retrying (`SmsErrorCode.retryable`)."""


def sms_error(code: SmsErrorCode, message: str, **context: Any) -> ProviderError:
    """Deprecated: use `SMS_ERRORS.error(code, message, **context)`."""
    warn_deprecated("connectors.sms.errors.sms_error", "connectors.sms.errors.SMS_ERRORS.error")
    return SMS_ERRORS.error(code, message, **context)


VendorCodes = Mapping[str, tuple[SmsErrorCode, str]]
"""A vendor's code table in its `wire.py`: raw code -> (common code, the vendor's text)."""


def common_code(table: VendorCodes, raw: str) -> SmsErrorCode:
    """The common code of vendor code `raw` (`UNKNOWN` when the table lacks it)."""
    entry = table.get(raw)
    return entry[0] if entry else SmsErrorCode.UNKNOWN


def vendor_code(table: VendorCodes, code: SmsErrorCode) -> str:
    """The first vendor code the table maps to `code` (what a simulator answers);
    `ValueError` when there is none."""
    for raw, (listed, _text) in table.items():
        if listed is code:
            return raw
    raise ValueError(f"no vendor code stands for {code}")


class VendorCodeTable:
    """A wire profile's code lookups for a vendor whose codes are one `VendorCodes` table:
    the profile names it as the class variable `errors_table`."""

    __slots__ = ()
    errors_table: ClassVar[VendorCodes]

    def code_for(self, raw: str) -> SmsErrorCode:
        """The common code of a vendor code (`UNKNOWN` if unlisted)."""
        return common_code(self.errors_table, raw)

    def answer_for(self, code: SmsErrorCode) -> str:
        """The vendor code the simulated gateway answers for `code` (first listed)."""
        return vendor_code(self.errors_table, code)


class TemplateMismatch(ValidationError):
    """The text does not match the brandname's registered template; caught before sending.

    The vendors' CONTENT_NOT_MATCH_TEMPLATE (Viettel), 146 (eSMS) and 7 (VNPT), found locally.
    """

    code = SmsErrorCode.TEMPLATE_MISMATCH


class MessageTooLong(ValidationError):
    """The text exceeds the provider's length limit; caught before sending."""

    code = SmsErrorCode.TOO_LONG


def code_of(exc: BaseException) -> SmsErrorCode | None:
    """The vocabulary code an exception stands for, or None (transport faults, unknown)."""
    if isinstance(exc, InvalidPhoneNumber):
        return SmsErrorCode.INVALID_NUMBER
    if isinstance(exc, TemplateMismatch | MessageTooLong):
        return exc.code
    if isinstance(exc, ValidationError):
        return SmsErrorCode.INVALID_REQUEST
    if isinstance(exc, ProviderError):
        try:
            return SmsErrorCode(exc.code)
        except ValueError:
            return _BY_CLASS.get(type(exc), SmsErrorCode.UNKNOWN)
    return None


_BY_CLASS: dict[type[ProviderError], SmsErrorCode] = {
    AuthError: SmsErrorCode.AUTH,
    RateLimited: SmsErrorCode.RATE_LIMITED,
    ProviderUnavailable: SmsErrorCode.TEMPORARY,
    Duplicate: SmsErrorCode.DUPLICATE,
}


def may_fail_over(exc: BaseException) -> bool:
    """Whether another provider may be tried after `exc`, without risking a second SMS.

    - `OutcomeUnknown`: never (the first provider may have accepted the message).
    - `TransportError`: only when the request certainly never left (`sent` is False).
    - `ProviderError`: when its code is provider-side (`failover_ok`); a `temporary` code
      also needs an explicit vendor answer (`vendor_code`): a bare HTTP 5xx may hide an
      accepted message.
    - Anything else (bad input, template mismatch, invalid number): never.
    """
    if isinstance(exc, OutcomeUnknown):
        return False
    if isinstance(exc, TransportError):
        return not exc.sent
    if isinstance(exc, ProviderError):
        code = code_of(exc)
        if code is None or not code.failover_ok:
            return False
        if code is SmsErrorCode.TEMPORARY:
            return exc.vendor_code is not None
        return True
    if isinstance(exc, ConnectorError):
        return False
    return False
