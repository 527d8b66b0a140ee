"""The errors every adapter raises.

```
ConnectorError
├── ConfigError                 missing or invalid settings
├── ValidationError             bad input, caught before sending (also a ValueError)
├── SignatureError              an inbound message failed verification
├── TransportError              network level; .retryable, .sent (did the request leave?)
│   ├── ConnectTimeout          the connection was never made: nothing left
│   ├── ReadTimeout             the request left, no answer came in time
│   ├── ConnectionFailed        refused (nothing left), reset or cut short (may have left)
│   └── ResponseTooLarge        the answer passed the operation's size limit; reading stopped
├── ProviderError               the vendor answered "no"; .code, .vendor_code, .vendor_message
│   ├── AuthError               credentials, IP whitelist, token
│   ├── RateLimited             429 or a vendor quota; .retry_after
│   ├── Rejected                the vendor refused the content of the request
│   ├── NotFound                the referenced object does not exist
│   ├── Duplicate               the idempotency key or reference was already used
│   └── ProviderUnavailable     5xx, maintenance: a temporary vendor-side fault
└── OutcomeUnknown              it may or may not have happened; .idempotency_key to reconcile with
```

Every error carries the provider, the operation, the HTTP status, the vendor's code and
message, the request id and a *redacted* excerpt of the response body. Adapters must pass
the body through their `Redactor` before handing it to an error (the transport does).
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "AuthError",
    "ConfigError",
    "ConnectTimeout",
    "ConnectionFailed",
    "ConnectorError",
    "Duplicate",
    "NotFound",
    "OutcomeUnknown",
    "ProviderError",
    "ProviderUnavailable",
    "RateLimited",
    "ReadTimeout",
    "Rejected",
    "ResponseTooLarge",
    "SignatureError",
    "TransportError",
    "ValidationError",
]

_EXCERPT_LIMIT = 500


class ConnectorError(Exception):
    """Base of every error this library raises."""

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        operation: str | None = None,
        http_status: int | None = None,
        vendor_code: str | None = None,
        vendor_message: str | None = None,
        request_id: str | None = None,
        body_excerpt: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.provider = provider
        self.operation = operation
        self.http_status = http_status
        self.vendor_code = vendor_code
        self.vendor_message = vendor_message
        self.request_id = request_id
        self.body_excerpt = body_excerpt[:_EXCERPT_LIMIT] if body_excerpt else body_excerpt

    def context(self) -> dict[str, Any]:
        """The structured fields, for logs and JSON output (already redacted)."""
        return {
            "error": type(self).__name__,
            "message": self.message,
            "provider": self.provider,
            "operation": self.operation,
            "http_status": self.http_status,
            "vendor_code": self.vendor_code,
            "vendor_message": self.vendor_message,
            "request_id": self.request_id,
        }

    def __str__(self) -> str:
        where = ".".join(p for p in (self.provider, self.operation) if p)
        parts = [f"[{where}] {self.message}" if where else self.message]
        if self.http_status is not None:
            parts.append(f"http_status={self.http_status}")
        if self.vendor_code is not None:
            parts.append(f"vendor_code={self.vendor_code!r}")
        if self.request_id is not None:
            parts.append(f"request_id={self.request_id}")
        return " ".join(parts)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class ConfigError(ConnectorError):
    """Settings are missing or invalid; `field` names the setting."""

    def __init__(self, message: str, *, field: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.field = field


class ValidationError(ConnectorError, ValueError):
    """Bad input, refused before anything was sent; `field` names the offending input."""

    def __init__(self, message: str, *, field: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.field = field

    def context(self) -> dict[str, Any]:
        return {**super().context(), "field": self.field}


class SignatureError(ConnectorError):
    """An inbound message (callback, webhook, response) failed verification."""


class TransportError(ConnectorError):
    """A network-level failure.

    `sent` says whether the request may have reached the vendor (False only when it
    certainly did not); `retryable` whether retrying is safe for a read or a keyed write.
    """

    default_sent: ClassVar[bool] = True

    def __init__(
        self,
        message: str,
        *,
        sent: bool | None = None,
        retryable: bool = True,
        **kw: Any,
    ) -> None:
        super().__init__(message, **kw)
        self.sent = self.default_sent if sent is None else sent
        self.retryable = retryable

    def context(self) -> dict[str, Any]:
        return {**super().context(), "sent": self.sent, "retryable": self.retryable}


class ConnectTimeout(TransportError):
    """No connection within the connect timeout: the request never left."""

    default_sent: ClassVar[bool] = False


class ReadTimeout(TransportError):
    """The request left but no answer came within the read timeout or the deadline."""


class ConnectionFailed(TransportError):
    """Connection refused (`sent=False`) or reset or aborted mid-exchange (`sent=True`)."""


class ResponseTooLarge(TransportError):
    """The answer was larger than the operation's `limit` (bytes); reading stopped there.

    The request left (the vendor may have acted) and retrying would fetch the same answer:
    `sent` is True and `retryable` False, so a write ends as `OutcomeUnknown`.
    """

    def __init__(self, message: str, *, limit: int, **kw: Any) -> None:
        super().__init__(message, sent=True, retryable=False, **kw)
        self.limit = limit

    def context(self) -> dict[str, Any]:
        return {**super().context(), "limit": self.limit}


class ProviderError(ConnectorError):
    """The vendor answered and said no.

    `code` is the common vocabulary of the domain (e.g. "auth", "duplicate",
    "template_mismatch"); `vendor_code` and `vendor_message` keep the raw answer.
    """

    default_code: ClassVar[str] = "provider_error"
    default_retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        retryable: bool | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(message, **kw)
        self.code = code or self.default_code
        self.retryable = self.default_retryable if retryable is None else retryable

    def context(self) -> dict[str, Any]:
        return {**super().context(), "code": self.code, "retryable": self.retryable}


class AuthError(ProviderError):
    """Credentials, signature key, IP whitelist or token refused."""

    default_code: ClassVar[str] = "auth"


class RateLimited(ProviderError):
    """Too many requests; `retry_after` is the vendor's hint in seconds, if any."""

    default_code: ClassVar[str] = "rate_limited"
    default_retryable: ClassVar[bool] = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class Rejected(ProviderError):
    """The vendor refused the request's content (invalid data, template mismatch...)."""

    default_code: ClassVar[str] = "rejected"


class NotFound(ProviderError):
    """The referenced payment, document or message does not exist at the vendor."""

    default_code: ClassVar[str] = "not_found"


class Duplicate(ProviderError):
    """The key or reference was already used (with the same or a conflicting body)."""

    default_code: ClassVar[str] = "duplicate"


class ProviderUnavailable(ProviderError):
    """A temporary vendor-side fault (5xx, maintenance)."""

    default_code: ClassVar[str] = "temporary"
    default_retryable: ClassVar[bool] = True


class OutcomeUnknown(ConnectorError):
    """The operation may or may not have happened at the vendor.

    Reconcile with `idempotency_key` (look the operation up by it) before doing anything
    else; never repeat the operation under a new key.
    """

    def __init__(self, message: str, *, idempotency_key: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.idempotency_key = idempotency_key

    def context(self) -> dict[str, Any]:
        return {**super().context(), "idempotency_key": self.idempotency_key}
