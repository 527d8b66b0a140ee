"""The one receiver shape: an inbound request, an answer, and the WSGI adapter."""

from __future__ import annotations

import io
from typing import Any

from connectors.core.inbound import HttpAnswer, InboundRequest, serve_wsgi
from connectors.core.wsgi import BodyRefused


class Echo:
    """A receiver answering with what it received."""

    max_body_bytes = 8
    methods: frozenset[str] | None = frozenset({"POST"})

    def __init__(self) -> None:
        self.received: list[InboundRequest] = []

    def receive(self, request: InboundRequest) -> HttpAnswer:
        self.received.append(request)
        return HttpAnswer.json(200, {"body": request.body.decode(), "sig": request.header("x-sig")})

    def refuse(self, refused: BodyRefused) -> HttpAnswer:
        return HttpAnswer.text(refused.status, "refused: " + refused.message)


def _call(app: Echo, method: str, body: bytes, **extra: Any) -> tuple[str, dict[str, str], bytes]:
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": "/hook",
        "QUERY_STRING": "a=1&b=",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "HTTP_X_SIG": "v1=abc",
        **extra,
    }
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        seen["status"], seen["headers"] = status, dict(headers)

    payload = b"".join(serve_wsgi(app, environ, start_response))
    return seen["status"], seen["headers"], payload


def test_a_request_reaches_the_receiver_as_received() -> None:
    app = Echo()
    status, headers, body = _call(app, "post", b'{"x":1}')
    assert "200 OK" == status
    assert b'{"body": "{\\"x\\":1}", "sig": "v1=abc"}' == body
    assert str(len(body)) == headers["Content-Length"]
    assert "application/json; charset=utf-8" == headers["Content-Type"]
    request = app.received[0]
    assert ("POST", "/hook", {"a": "1", "b": ""}) == (request.method, request.path, request.query)
    assert {"x": 1} == request.json()


def test_a_method_the_receiver_does_not_take_is_405_with_allow() -> None:
    app = Echo()
    status, headers, body = _call(app, "GET", b"")
    assert ("405 Method Not Allowed", "POST", b"") == (status, headers["Allow"], body)
    assert [] == app.received


def test_a_body_over_the_limit_is_refused_in_the_receivers_words_unread() -> None:
    app = Echo()
    status, _headers, body = _call(app, "POST", b"0123456789")
    assert "413 Payload Too Large" == status
    assert body.startswith(b"refused: ")
    assert [] == app.received


def test_any_method_when_the_receiver_takes_any() -> None:
    app = Echo()
    app.methods = None
    assert "200 OK" == _call(app, "GET", b"")[0]


def test_answers_have_their_content_types() -> None:
    assert (("Content-Type", "text/plain; charset=utf-8"),) == HttpAnswer.text(200, "ok").headers
    assert "Xin chào".encode() == HttpAnswer.text(200, "Xin chào").body
    assert b'{"a": "\xc4\x91"}' == HttpAnswer.json(200, {"a": "đ"}).body
    assert "default" == InboundRequest("GET").header("missing", "default")
