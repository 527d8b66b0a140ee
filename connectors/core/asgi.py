"""Reading an inbound ASGI request (a callback or webhook) safely: bounded body, headers, query.

The ASGI twin of `connectors.core.wsgi`, with the same refusals so a receiver answers the
same whichever server runs it:

- a `Content-Length` over the limit is refused (413) before a single body message is
  received; a malformed one is refused (400);
- a missing one means no body for GET/HEAD/DELETE/OPTIONS; for other methods the body is
  received until it ends or passes `limit` bytes (a 413) when the server says it frames the body
  itself (`Transfer-Encoding: chunked`, or HTTP/2 and later, which have no length to
  send), and refused with 411 otherwise, as a WSGI server without `wsgi.input_terminated`;
- a body shorter than its `Content-Length`, or a client that hangs up before the body's
  end (`http.disconnect`), is refused (400); so is one longer than it declared.

Headers come out named as HTTP spells them ("X-Signature"), repeated ones joined with
", ", and without `Content-Length` (WSGI keeps it out of the headers too); the query is
decoded as `request_query` decodes a WSGI query string; the path is the one below the
mount point (`root_path` removed, as WSGI's `PATH_INFO`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from connectors.core.wsgi import (
    BODYLESS_METHODS,
    DEFAULT_BODY_LIMIT,
    BodyRefused,
    declared_length,
    request_query,
)

__all__ = [
    "ASGIReceive",
    "ASGISend",
    "Scope",
    "read_asgi_body",
    "scope_headers",
    "scope_path",
    "scope_query",
]

Scope = MutableMapping[str, Any]
ASGIReceive = Callable[[], Awaitable[MutableMapping[str, Any]]]
ASGISend = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def scope_headers(scope: Scope) -> dict[str, str]:
    """The request's headers from an ASGI scope, named as `request_headers` names them."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers") or ():
        name = bytes(raw_name).decode("latin-1").title()
        if name == "Content-Length":
            continue
        value = bytes(raw_value).decode("latin-1")
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def scope_query(scope: Scope) -> dict[str, str]:
    """The decoded query parameters of an ASGI scope (as `request_query` decodes them)."""
    raw = bytes(scope.get("query_string") or b"").decode("latin-1")
    return request_query({"QUERY_STRING": raw})


def scope_path(scope: Scope) -> str:
    """The path below the mount point (`root_path` removed), "/" when nothing is left."""
    path = str(scope.get("path") or "/")
    root = str(scope.get("root_path") or "")
    if root and path.startswith(root):
        path = path[len(root) :]
    return path or "/"


def _raw_header(scope: Scope, name: bytes) -> str | None:
    for raw_name, raw_value in scope.get("headers") or ():
        if bytes(raw_name).lower() == name:
            return bytes(raw_value).decode("latin-1").strip(" \t")
    return None


def _framed_by_server(scope: Scope) -> bool:
    encoding = _raw_header(scope, b"transfer-encoding")
    if encoding is not None and "chunked" in encoding.lower():
        return True
    return str(scope.get("http_version", "1.1")) not in ("1.0", "1.1")


async def read_asgi_body(
    scope: Scope, receive: ASGIReceive, *, limit: int = DEFAULT_BODY_LIMIT
) -> bytes:
    """The request body received through `receive`, at most `limit` bytes.

    `BodyRefused` (400, 411 or 413; see the module) otherwise. Nothing is received when
    the declared length already refuses the body.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError("the body limit must be a positive number of bytes")
    method = str(scope.get("method", "GET")).upper()
    raw = _raw_header(scope, b"content-length")
    if not raw:
        if _framed_by_server(scope):
            return await _receive_up_to(receive, limit, limit, None)
        if method in BODYLESS_METHODS:
            return b""
        raise BodyRefused("the request has no Content-Length", status=411)
    length = declared_length(raw, limit)
    return await _receive_up_to(receive, length, limit, length)


async def _receive_up_to(
    receive: ASGIReceive, most: int, limit: int, declared: int | None
) -> bytes:
    parts: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message.get("type") == "http.disconnect":
            raise BodyRefused("the client left before the body's end", status=400)
        chunk = bytes(message.get("body") or b"")
        more = bool(message.get("more_body", False))
        size += len(chunk)
        if size > most:
            if declared is None:
                raise BodyRefused(f"the body is over the {limit}-byte limit", status=413)
            raise BodyRefused("the body is longer than its Content-Length", status=400)
        parts.append(chunk)
    if declared is not None and size < declared:
        raise BodyRefused("the body is shorter than its Content-Length", status=400)
    return b"".join(parts)
