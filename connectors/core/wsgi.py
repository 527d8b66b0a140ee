"""Reading an inbound WSGI request (a callback or webhook) safely: bounded body, headers, query.

Every receiver (bank IPNs, SePay, iHanoi webhooks, eSMS delivery reports) reads its request
through `read_body`, which never asks the server for more than the receiver's limit:

- a `Content-Length` over the limit is refused (413) before a single byte is read;
- a malformed one (`"abc"`, `"-1"`, `"1e9"`, `"+5"`, full-width digits) is refused (400);
- a missing one means no body for GET/HEAD/DELETE/OPTIONS, and 411 for other methods,
  unless the server says the input is terminated (`wsgi.input_terminated`, chunked uploads
  in gunicorn/mod_wsgi): then at most `limit + 1` bytes are read and more is a 413;
- a body shorter than its `Content-Length` (the client hung up) is refused (400).

Refusals raise `BodyRefused`, whose `status` is the HTTP status to answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from connectors.core.errors import ValidationError

__all__ = [
    "BODYLESS_METHODS",
    "DEFAULT_BODY_LIMIT",
    "BodyRefused",
    "declared_length",
    "read_body",
    "request_headers",
    "request_query",
]

DEFAULT_BODY_LIMIT = 64 * 1024
"""The default size limit of a callback body, in bytes (vendors send a few hundred)."""

_LENGTH = re.compile(r"\A[0-9]+\Z")
_MAX_LENGTH_DIGITS = 18  # anything longer is over any limit; never int() a huge string
BODYLESS_METHODS = frozenset({"GET", "HEAD", "DELETE", "OPTIONS"})
"""Methods whose request has no body when it declares no length."""
_CHUNK = 64 * 1024


class BodyRefused(ValidationError):
    """An inbound body refused before (or instead of) reading it; `status` is the answer.

    400 for a malformed or short body, 411 when a body's length is missing, 413 when it is
    over the receiver's limit.
    """

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message, field="body", http_status=status)
        self.status = status


def _check_limit(limit: int) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError("the body limit must be a positive number of bytes")


def read_body(environ: Mapping[str, Any], *, limit: int = DEFAULT_BODY_LIMIT) -> bytes:
    """The request body, at most `limit` bytes; `BodyRefused` otherwise (see the module)."""
    _check_limit(limit)
    method = str(environ.get("REQUEST_METHOD", "GET")).upper()
    raw = str(environ.get("CONTENT_LENGTH") or "").strip(" \t")
    stream = environ.get("wsgi.input")
    if not raw:
        if environ.get("wsgi.input_terminated") and stream is not None:
            return _read_terminated(stream, limit)
        if method in BODYLESS_METHODS:
            return b""
        raise BodyRefused("the request has no Content-Length", status=411)
    length = declared_length(raw, limit)
    if not length:
        return b""
    if stream is None:
        raise BodyRefused("the request body is missing", status=400)
    parts: list[bytes] = []
    remaining = length
    while remaining:
        chunk = stream.read(min(remaining, _CHUNK))
        if not chunk:
            raise BodyRefused("the body is shorter than its Content-Length", status=400)
        parts.append(chunk[:remaining])
        remaining -= len(parts[-1])
    return b"".join(parts)


def declared_length(raw: str, limit: int) -> int:
    """A `Content-Length` value as an int: 400 if it is not ASCII digits, 413 over `limit`."""
    if not _LENGTH.match(raw):
        raise BodyRefused("Content-Length is not a number of bytes", status=400)
    if len(raw) > _MAX_LENGTH_DIGITS or int(raw) > limit:
        raise BodyRefused(f"the body is over the {limit}-byte limit", status=413)
    return int(raw)


def _read_terminated(stream: Any, limit: int) -> bytes:
    parts: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(min(_CHUNK, limit + 1 - size))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    if size > limit:
        raise BodyRefused(f"the body is over the {limit}-byte limit", status=413)
    return b"".join(parts)


def request_headers(environ: Mapping[str, Any]) -> dict[str, str]:
    """The request's headers, names as HTTP spells them ("X-Signature", "Content-Type")."""
    headers = {
        key[5:].replace("_", "-").title(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = str(environ["CONTENT_TYPE"])
    return headers


def request_query(environ: Mapping[str, Any]) -> dict[str, str]:
    """The decoded query parameters (blank values kept; a repeated name keeps the last)."""
    return dict(parse_qsl(str(environ.get("QUERY_STRING", "")), keep_blank_values=True))
