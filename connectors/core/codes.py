"""One way to turn a vendor's answer into the error tree.

Each domain has a common vocabulary of error codes (a `StrEnum`: SMS `SmsErrorCode`,
e-invoice `ResultCode`, payments `PaymentErrorCode`) onto which every vendor's raw codes are
mapped in the provider's `wire.py`. A `CodeTable` says, once per domain, which error class
each common code raises and whether a retry may succeed:

    SMS_ERRORS = CodeTable(
        {SmsErrorCode.AUTH: AuthError, SmsErrorCode.TEMPORARY: ProviderUnavailable, ...},
        default=Rejected,
        retryable={SmsErrorCode.TEMPORARY, SmsErrorCode.RATE_LIMITED},
    )
    raise SMS_ERRORS.error(code, "MobiFone refused the message", provider="mobifone",
                           vendor_code="13", vendor_message="...")

The error keeps the vendor's raw code and message beside the common one (`code`).
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from typing import Any, Generic, TypeVar

from connectors.core.errors import ProviderError
from connectors.core.telemetry import vendor_rejection

__all__ = ["CodeTable", "vendor_code_map"]

C = TypeVar("C", bound=enum.StrEnum)


class CodeTable(Generic[C]):
    """A domain's common codes -> error classes and retryability (see the module docstring).

    `classes` maps codes to `ProviderError` subclasses (`default` for the rest);
    `retryable` lists the codes a later retry may succeed on. Codes not listed take the
    class's own default (`ProviderUnavailable` and `RateLimited` are retryable).
    """

    def __init__(
        self,
        classes: Mapping[C, type[ProviderError]],
        *,
        default: type[ProviderError] = ProviderError,
        retryable: Collection[C] | None = None,
    ) -> None:
        self._classes = dict(classes)
        self._default = default
        self._retryable = None if retryable is None else frozenset(retryable)

    def error_class(self, code: C) -> type[ProviderError]:
        """The error class `code` raises."""
        return self._classes.get(code, self._default)

    def is_retryable(self, code: C) -> bool:
        """Whether a later retry of what failed with `code` may succeed."""
        if self._retryable is None:
            return self.error_class(code).default_retryable
        return code in self._retryable

    def error(self, code: C, message: str, **context: Any) -> ProviderError:
        """The error for `code` (the caller raises it); `context` is passed on (provider,
        operation, http_status, vendor_code, vendor_message, request_id, body_excerpt)."""
        vendor_rejection(context.get("provider"), context.get("operation"), code.value)
        return self.error_class(code)(
            message, code=code.value, retryable=self.is_retryable(code), **context
        )


def vendor_code_map(table: Mapping[str, C], vendor_code: object, *, default: C) -> C:
    """The common code a vendor's raw code maps to (`default` for codes the table lacks).

    Raw codes are compared as stripped strings, so `13`, `"13"` and `" 13 "` are one code.
    """
    key = "" if vendor_code is None else str(vendor_code).strip()
    return table.get(key, default)
