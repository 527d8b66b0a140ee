"""One request, three servers: a receiver driven as a WSGI app, as a raw ASGI app (no
framework: the scope and messages built here), and mounted in Starlette behind its
`TestClient`; each gives the same `Answer` shape so tests compare them directly."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

__all__ = ["DRIVERS", "Answer", "asgi_call", "starlette_call", "wsgi_call"]

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Sent:
    """One request as a test sends it."""

    method: str
    path: str
    query: Mapping[str, str] | None = None
    headers: Mapping[str, str] | None = None
    body: bytes = b""


def call(server: Callable[[Any, Sent], Answer]) -> Callable[..., Answer]:
    """`server(app, Sent(...))` as `f(app, method, path, query=, headers=, body=)`."""

    def send(app: Any, method: str, path: str, **parts: Any) -> Answer:
        return server(app, Sent(method, path, **parts))

    return send


def _wsgi(app: WSGIApp, sent: Sent) -> Answer:
    method, path, query, headers, body = (
        sent.method,
        sent.path,
        sent.query,
        sent.headers,
        sent.body,
    )
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": urlencode(query or {}),
        "wsgi.input": io.BytesIO(body),
    }
    if body or method not in ("GET", "HEAD"):
        environ["CONTENT_LENGTH"] = str(len(body))
    for name, value in (headers or {}).items():
        key = name.upper().replace("-", "_")
        environ[key if key == "CONTENT_TYPE" else "HTTP_" + key] = value
    seen: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = int(status.split()[0]), dict(response_headers)

    payload = b"".join(app(environ, start_response))
    return Answer(seen["status"], seen["headers"], payload)


def scope_for(
    method: str,
    path: str,
    query: Mapping[str, str] | None,
    headers: Mapping[str, str] | None,
    body: bytes,
) -> dict[str, Any]:
    raw_headers = [(k.lower().encode(), v.encode("latin-1")) for k, v in (headers or {}).items()]
    if body or method not in ("GET", "HEAD"):
        raw_headers.append((b"content-length", str(len(body)).encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": urlencode(query or {}).encode(),
        "headers": raw_headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def asgi_answer(
    app: ASGIApp, scope: dict[str, Any], messages: list[dict[str, Any]]
) -> Answer:
    """Run `app` on `scope`, feeding it `messages` (then a disconnect); the answer sent."""
    pending = list(messages)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if pending:
            return pending.pop(0)
        await asyncio.sleep(3600)  # a client waiting for the answer
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start, body = sent[0], sent[1]
    assert "http.response.start" == start["type"]
    assert "http.response.body" == body["type"]
    headers = {k.decode().title(): v.decode("latin-1") for k, v in start["headers"]}
    return Answer(start["status"], headers, body.get("body", b""))


def _asgi(app: ASGIApp, sent: Sent) -> Answer:
    scope = scope_for(sent.method, sent.path, sent.query, sent.headers, sent.body)
    message = {"type": "http.request", "body": sent.body, "more_body": False}
    return asyncio.run(asgi_answer(app, scope, [message]))


def _starlette(app: ASGIApp, sent: Sent) -> Answer:
    from starlette.applications import Starlette
    from starlette.routing import Mount
    from starlette.testclient import TestClient

    site = Starlette(routes=[Mount("/callbacks", app=app)])
    with TestClient(site, base_url="http://127.0.0.1") as client:
        response = client.request(
            sent.method,
            "/callbacks" + sent.path,
            params=dict(sent.query or {}),
            headers=sent.headers,
            content=sent.body,
        )
    wanted = {k.title(): v for k, v in response.headers.items()}
    return Answer(response.status_code, wanted, response.content)


wsgi_call = call(_wsgi)
asgi_call = call(_asgi)
starlette_call = call(_starlette)

DRIVERS: dict[str, Callable[..., Answer]] = {
    "wsgi": lambda receiver, *a, **k: wsgi_call(receiver, *a, **k),
    "asgi": lambda receiver, *a, **k: asgi_call(receiver.asgi, *a, **k),
    "starlette": lambda receiver, *a, **k: starlette_call(receiver.asgi, *a, **k),
}
"""Call a receiver (an object with `__call__` as WSGI app and `asgi`) through each server."""
