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
`__call__` is that. `serve_asgi(receiver, scope, receive, send)` is the whole ASGI app, with
the same method check, the same body refusals (`connectors.core.asgi`) and the same
answers; a receiver's `asgi` method is that (mount `receiver.asgi` in Starlette, FastAPI,
Django's ASGI router or any ASGI server). A framework with its own request object builds
an `InboundRequest` itself (`InboundRequest(method, query, headers, body)`), calls
`receive` (sync views) or `await receive_async` (async views), and copies the `HttpAnswer`
back.

Under ASGI the receiver's work (verification, the seen-store's writes, the portal's own
callback such as `on_payment`) runs in a worker thread (`asyncio.to_thread`, the event
loop's default executor), never on the event loop: a slow database or portal callback holds
one thread, not the server. If the awaiting task is cancelled (the sender hung up, the
server shuts down), the thread is not: the receiver's work runs to its end and its writes
stand (claim after the effect); only the answer is lost, so the sender's next delivery is
answered as a duplicate without running the portal's code again.
"""

from __future__ import annotations

import asyncio
import http
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from connectors.core.asgi import (
    ASGIReceive,
    ASGISend,
    Scope,
    read_asgi_body,
    scope_headers,
    scope_path,
    scope_query,
)
from connectors.core.wsgi import (
    DEFAULT_BODY_LIMIT,
    BodyRefused,
    read_body,
    request_headers,
    request_query,
)

__all__ = [
    "AsgiApp",
    "AsyncReceiving",
    "HttpAnswer",
    "InboundRequest",
    "Receiver",
    "receive_in_thread",
    "request_from_asgi",
    "request_from_wsgi",
    "serve_asgi",
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


def _not_allowed(receiver: Receiver, method: str) -> HttpAnswer | None:
    allowed = receiver.methods
    if allowed is not None and method not in allowed:
        return HttpAnswer(405, (("Allow", ", ".join(sorted(allowed))),))
    return None


def serve_wsgi(
    receiver: Receiver, environ: dict[str, Any], start_response: Callable[..., Any]
) -> Iterable[bytes]:
    """Answer one WSGI request with `receiver`: method check, bounded body, receive."""
    method = str(environ.get("REQUEST_METHOD", "GET")).upper()
    answer = _not_allowed(receiver, method)
    if answer is None:
        try:
            request = request_from_wsgi(environ, max_body_bytes=receiver.max_body_bytes)
        except BodyRefused as refused:
            answer = receiver.refuse(refused)
        else:
            answer = receiver.receive(request)
    headers = [*answer.headers, ("Content-Length", str(len(answer.body)))]
    start_response(f"{answer.status} {_reason(answer.status)}", headers)
    return [answer.body]


async def request_from_asgi(
    scope: Scope, receive: ASGIReceive, *, max_body_bytes: int = DEFAULT_BODY_LIMIT
) -> InboundRequest:
    """An `InboundRequest` from an ASGI HTTP scope, its body received within `max_body_bytes`.

    Raises `BodyRefused` (`.status` 400, 411 or 413) as `request_from_wsgi` does.
    """
    return InboundRequest(
        method=str(scope.get("method", "GET")).upper(),
        query=scope_query(scope),
        headers=scope_headers(scope),
        body=await read_asgi_body(scope, receive, limit=max_body_bytes),
        path=scope_path(scope),
    )


async def receive_in_thread(receiver: Receiver, request: InboundRequest) -> HttpAnswer:
    """`receiver.receive(request)` in a worker thread, awaited without blocking the loop.

    Cancelling the awaiting task does not stop the thread: the receiver's work runs to its
    end (see the module docstring).
    """
    return await asyncio.to_thread(receiver.receive, request)


async def serve_asgi(
    receiver: Receiver, scope: Scope, receive: ASGIReceive, send: ASGISend
) -> None:
    """Answer one ASGI request with `receiver`: method check, bounded body, receive.

    The receiver's `receive` runs in a worker thread (`receive_in_thread`). A `lifespan`
    scope (the receiver mounted as a server's only app) is acknowledged; other scope types
    (websocket) are refused with `ValueError`, as ASGI asks of an app that does not serve
    them.
    """
    kind = scope.get("type")
    if kind == "lifespan":
        await _lifespan(receive, send)
        return
    if kind != "http":
        raise ValueError(f"a receiver serves HTTP, not {kind!r}")
    method = str(scope.get("method", "GET")).upper()
    answer = _not_allowed(receiver, method)
    if answer is None:
        try:
            request = await request_from_asgi(
                scope, receive, max_body_bytes=receiver.max_body_bytes
            )
        except BodyRefused as refused:
            answer = receiver.refuse(refused)
        else:
            answer = await receive_in_thread(receiver, request)
    headers = [*answer.headers, ("Content-Length", str(len(answer.body)))]
    await send(
        {
            "type": "http.response.start",
            "status": answer.status,
            "headers": [
                (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers
            ],
        }
    )
    await send({"type": "http.response.body", "body": answer.body})


async def _lifespan(receive: ASGIReceive, send: ASGISend) -> None:
    while True:
        message = await receive()
        if message.get("type") == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message.get("type") == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


class AsgiApp:
    """A receiver as an ASGI app (`serve_asgi`); an object, not a function, so that
    Starlette's `Route(path, receiver.asgi)` and FastAPI's `app.add_route` take it as an
    app of its own rather than as a request handler."""

    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver

    def __repr__(self) -> str:
        return f"AsgiApp({self.receiver!r})"

    async def __call__(self, scope: Scope, receive: ASGIReceive, send: ASGISend) -> None:
        """Answer one request (see `serve_asgi`)."""
        await serve_asgi(self.receiver, scope, receive, send)


class AsyncReceiving:
    """The ASGI app and the async entry point of a receiver (a mixin every receiver has).

    `await receiver.receive_async(request)` is `receive` run in a worker thread (for an
    async view that built its own `InboundRequest`); `receiver.asgi` is the receiver as an
    ASGI app: `app.add_route("/ipn/vnpay", handler.asgi)` (FastAPI, Starlette: the exact
    path, any method), `app.mount("/ipn", handler.asgi)`, or any ASGI server.
    """

    async def receive_async(self: Receiver, request: InboundRequest) -> HttpAnswer:
        """`receive` in a worker thread: never blocks the event loop."""
        return await receive_in_thread(self, request)

    @property
    def asgi(self: Receiver) -> AsgiApp:
        """The receiver as an ASGI app (`serve_asgi`): mount it where the sender posts."""
        return AsgiApp(self)
