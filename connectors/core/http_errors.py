"""Turning an HTTP answer into the error tree, with a redacted body excerpt."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

from connectors.core.errors import (
    AuthError,
    Duplicate,
    NotFound,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    Rejected,
)
from connectors.core.redaction import Redactor
from connectors.core.retry import parse_retry_after

__all__ = ["error_for_status", "error_for_status_code", "request_id_of"]

_REQUEST_ID_HEADERS = ("X-Request-Id", "Request-Id", "X-Correlation-Id", "X-Amzn-Trace-Id")


def request_id_of(headers: Mapping[str, str]) -> str | None:
    """The vendor's request id from the usual response headers, if any."""
    for name in _REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


def error_for_status(
    response: requests.Response,
    *,
    provider: str,
    operation: str,
    redactor: Redactor,
    message: str | None = None,
    vendor_code: str | None = None,
    vendor_message: str | None = None,
) -> ProviderError:
    """The `ProviderError` subclass for an HTTP error status (the caller raises it).

    401/403 -> AuthError, 404 -> NotFound, 409 -> Duplicate, 429 -> RateLimited (with
    `retry_after`), 5xx -> ProviderUnavailable, other 4xx -> Rejected.
    """
    return error_for_status_code(
        response.status_code,
        response.content,
        headers=response.headers,
        provider=provider,
        operation=operation,
        redactor=redactor,
        message=message,
        vendor_code=vendor_code,
        vendor_message=vendor_message,
    )


def error_for_status_code(
    status: int,
    body: bytes | str,
    *,
    provider: str,
    operation: str,
    redactor: Redactor,
    headers: Mapping[str, str] | None = None,
    message: str | None = None,
    vendor_code: str | None = None,
    vendor_message: str | None = None,
) -> ProviderError:
    """`error_for_status` when there is no `requests.Response` (e.g. zeep's TransportError)."""
    headers = headers or {}
    fields: dict[str, Any] = {
        "provider": provider,
        "operation": operation,
        "http_status": status,
        "vendor_code": vendor_code,
        "vendor_message": vendor_message,
        "request_id": request_id_of(headers),
        "body_excerpt": redactor.excerpt(body, headers.get("Content-Type")),
    }
    text = message or f"{provider} answered HTTP {status}"
    if status in (401, 403):
        return AuthError(text, **fields)
    if status == 404:
        return NotFound(text, **fields)
    if status == 409:
        return Duplicate(text, **fields)
    if status == 429:
        retry_after = parse_retry_after(headers.get("Retry-After"))
        return RateLimited(text, retry_after=retry_after, **fields)
    if status >= 500:
        return ProviderUnavailable(text, **fields)
    return Rejected(text, **fields)
