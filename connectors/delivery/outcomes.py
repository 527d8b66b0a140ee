"""How the worker reads a failed attempt: may it have reached the vendor, may it be retried.

"May have reached the vendor" (the effect may exist) is decided from what the attempt
raised:

- `OutcomeUnknown`: the adapter says so (an unkeyed write whose answer was lost).
- `TransportError` with `.sent` true: the request may have left (a read timeout, a reset or
  a truncated answer after the bytes were written). With `.sent` false (connection
  refused, connect timeout, a login that failed first) nothing reached the vendor.
- Any exception that is not the library's (`ConnectorError`): a bug or a response the task
  failed to read; nothing tells whether it came before or after the vendor acted.

A `ProviderError` is the vendor's own answer and made no effect unless the adapter says
otherwise (adapters turn an ambiguous answer to an unkeyed write into `OutcomeUnknown`).
`ValidationError`, `SignatureError` and `ConfigError`, and a vendor "no" that is not
retryable, are permanent: retrying cannot help.
"""

from __future__ import annotations

from connectors.core.errors import (
    ConfigError,
    ConnectorError,
    OutcomeUnknown,
    ProviderError,
    SignatureError,
    TransportError,
    ValidationError,
)

__all__ = ["describe", "is_permanent", "may_have_reached_vendor"]

_PERMANENT: tuple[type[ConnectorError], ...] = (ValidationError, SignatureError, ConfigError)
_MAX_DESCRIPTION = 500


def may_have_reached_vendor(exc: BaseException) -> bool:
    """True if the attempt that raised `exc` may have made its effect at the vendor."""
    if isinstance(exc, OutcomeUnknown):
        return True
    if isinstance(exc, TransportError):
        return bool(exc.sent)
    return not isinstance(exc, ConnectorError)


def is_permanent(exc: BaseException) -> bool:
    """True if retrying cannot help: bad input or configuration, or a final vendor "no"."""
    if isinstance(exc, _PERMANENT):
        return True
    return isinstance(exc, ProviderError) and not exc.retryable


def describe(exc: BaseException) -> str:
    """`Type: message`, at most 500 characters (our errors' messages are redacted)."""
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= _MAX_DESCRIPTION else text[: _MAX_DESCRIPTION - 3] + "..."
