"""One shape for every inbound receiver: the request as received, the answer to send, and
the adapter that serves a receiver as a WSGI app.

A receiver (bank IPNs, SePay transfers, iHanoi webhooks, eSMS delivery reports) is an
object with

- `max_body_bytes`: the largest body it reads (`read_body` refuses more, unread);
- `methods`: the HTTP methods it answers (None: any), others get 405;
- `receive(request) -> HttpAnswer`: verify, de-duplicate, hand over, answer; never raises;
- `refuse(refused) -> HttpAnswer`: the answer for a body refused before reading (413, 411,
  400), in the sender's own format.

`serve_wsgi(receiver, environ, start_response)` is then the whole WSGI app; a receiver's
`__call__` is that. A framework without WSGI mounting builds an `InboundRequest` itself
(`InboundRequest(method, query, headers, body)`) and copies the `HttpAnswer` back.
"""

from __future__ import annotations

import http
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from connectors.core.wsgi import (
    DEFAULT_BODY_LIMIT,
    BodyRefused,
    read_body,
    request_headers,
    request_query,
)

__all__ = [
    "HttpAnswer",
    "InboundRequest",
    "Receiver",
    "request_from_wsgi",
    "serve_wsgi",
]

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@dataclass(frozen=True, slots=True)
class InboundRequest:
    """An inbound request as the portal's web server received it.

    `method` ("GET" for a VNPay IPN, "POST" for most webhooks), the decoded `query`
    parameters, the `headers` (names as HTTP spells them), the raw `body` bytes exactly as
    received (verify those, not a re-serialised copy), and the `path`.
    """

    method: str
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    path: str = "/"

    def json(self) -> Any:
        """The body parsed as JSON (`ValueError` if it is not)."""
        return json.loads(self.body)

    def header(self, name: str, default: str | None = None) -> str | None:
        """A header by name, whatever its case."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return default


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    """An HTTP answer to send back: status, headers and body bytes."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    @classmethod
    def text(cls, status: int, text: str) -> HttpAnswer:
        """A plain-text answer (UTF-8)."""
        return cls(status, (("Content-Type", "text/plain; charset=utf-8"),), text.encode())

    @classmethod
    def json(cls, status: int, document: Any) -> HttpAnswer:
        """A JSON answer (UTF-8, not escaped)."""
        body = json.dumps(document, ensure_ascii=False).encode()
        return cls(status, (("Content-Type", "application/json; charset=utf-8"),), body)


class Receiver(Protocol):
    """What `serve_wsgi` needs from a receiver (see the module docstring)."""

    @property
    def max_body_bytes(self) -> int: ...

    @property
    def methods(self) -> frozenset[str] | None: ...

    def receive(self, request: InboundRequest) -> HttpAnswer: ...

    def refuse(self, refused: BodyRefused) -> HttpAnswer: ...


def request_from_wsgi(
    environ: Mapping[str, Any], *, max_body_bytes: int = DEFAULT_BODY_LIMIT
) -> InboundRequest:
    """An `InboundRequest` from a WSGI environ, its body read within `max_body_bytes`.

    Raises `BodyRefused` (`.status` 400, 411 or 413) for a body over the limit (unread), a
    malformed or missing length, or a short body.
    """
    return InboundRequest(
        method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
        query=request_query(environ),
        headers=request_headers(environ),
        body=read_body(environ, limit=max_body_bytes),
        path=str(environ.get("PATH_INFO", "/")),
    )


# Fixed here: Python's own phrases change between versions (413 is "Request Entity Too
# Large" in 3.11, "Content Too Large" in 3.13).
_REASONS = {413: "Payload Too Large", 422: "Unprocessable Entity"}


def _reason(status: int) -> str:
    if status in _REASONS:
        return _REASONS[status]
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error" if status >= 400 else "OK"


def serve_wsgi(
    receiver: Receiver, environ: dict[str, Any], start_response: Callable[..., Any]
) -> Iterable[bytes]:
    """Answer one WSGI request with `receiver`: method check, bounded body, receive."""
    method = str(environ.get("REQUEST_METHOD", "GET")).upper()
    allowed = receiver.methods
    if allowed is not None and method not in allowed:
        answer = HttpAnswer(405, (("Allow", ", ".join(sorted(allowed))),))
    else:
        try:
            request = request_from_wsgi(environ, max_body_bytes=receiver.max_body_bytes)
        except BodyRefused as refused:
            answer = receiver.refuse(refused)
        else:
            answer = receiver.receive(request)
    headers = [*answer.headers, ("Content-Length", str(len(answer.body)))]
    start_response(f"{answer.status} {_reason(answer.status)}", headers)
    return [answer.body]
