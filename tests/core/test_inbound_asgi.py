"""`serve_asgi`: the same receiver answers the same under ASGI as under WSGI, with the same
body refusals, reading no more than its limit, and its work off the event loop."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from connectors.core.inbound import (
    AsyncReceiving,
    HttpAnswer,
    InboundRequest,
    request_from_asgi,
    serve_asgi,
)
from connectors.core.wsgi import BodyRefused
from tests.core.servers import DRIVERS, asgi_answer, scope_for


class Echo(AsyncReceiving):
    """A receiver answering with what it received, and the thread it ran on."""

    max_body_bytes = 8
    methods: frozenset[str] | None = frozenset({"POST"})

    def __init__(self) -> None:
        self.received: list[InboundRequest] = []
        self.threads: list[str] = []

    def receive(self, request: InboundRequest) -> HttpAnswer:
        self.received.append(request)
        self.threads.append(threading.current_thread().name)
        return HttpAnswer.json(200, {"body": request.body.decode(), "sig": request.header("x-sig")})

    def refuse(self, refused: BodyRefused) -> HttpAnswer:
        return HttpAnswer.text(refused.status, "refused: " + refused.message)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        from connectors.core.inbound import serve_wsgi

        return serve_wsgi(self, environ, start_response)


@pytest.mark.parametrize("driver", sorted(DRIVERS))
def test_every_server_gives_the_receiver_the_same_request_and_sends_the_same_answer(
    driver: str,
) -> None:
    app = Echo()
    answer = DRIVERS[driver](
        app,
        "POST",
        "/hook",
        query={"a": "1", "b": "", "tên": "Hà Nội"},
        headers={"X-Sig": "v1=abc", "Content-Type": "application/json"},
        body=b'{"x":1}',
    )
    assert 200 == answer.status
    assert b'{"body": "{\\"x\\":1}", "sig": "v1=abc"}' == answer.body
    assert str(len(answer.body)) == answer.headers["Content-Length"]
    assert "application/json; charset=utf-8" == answer.headers["Content-Type"]
    request = app.received[0]
    assert ("POST", "/hook", {"a": "1", "b": "", "tên": "Hà Nội"}) == (
        request.method,
        request.path,
        dict(request.query),
    )
    assert ("v1=abc", "application/json", None) == (
        request.headers["X-Sig"],
        request.headers["Content-Type"],
        request.headers.get("Content-Length"),
    )


@pytest.mark.parametrize("driver", sorted(DRIVERS))
def test_every_server_refuses_the_same_way(driver: str) -> None:
    app = Echo()
    over = DRIVERS[driver](app, "POST", "/hook", body=b"0123456789")
    wrong_method = DRIVERS[driver](app, "GET", "/hook")
    assert (413, b"refused: the body is over the 8-byte limit") == (over.status, over.body)
    assert (405, "POST", b"") == (
        wrong_method.status,
        wrong_method.headers["Allow"],
        wrong_method.body,
    )
    assert [] == app.received


def _run(
    app: Echo, headers: list[tuple[bytes, bytes]], messages: list[dict[str, Any]], **scope: Any
) -> tuple[int, bytes, int]:
    """Serve one raw ASGI request; (status, body, how many messages were received)."""
    base = scope_for("POST", "/hook", None, None, b"")
    base["headers"] = headers
    base.update(scope)
    fed = list(messages)
    taken = [0]

    async def counted() -> dict[str, Any]:
        taken[0] += 1
        return fed.pop(0) if fed else {"type": "http.disconnect"}

    async def go() -> Any:
        return await asgi_answer(lambda s, _r, send: serve_asgi(app, s, counted, send), base, [])

    answer = asyncio.run(go())
    return answer.status, answer.body, taken[0]


def _chunks(*parts: bytes) -> list[dict[str, Any]]:
    return [
        {"type": "http.request", "body": part, "more_body": i < len(parts) - 1}
        for i, part in enumerate(parts)
    ]


def test_a_declared_length_over_the_limit_is_refused_before_any_body_message() -> None:
    status, _body, taken = _run(Echo(), [(b"content-length", b"9")], _chunks(b"012345678"))
    assert (413, 0) == (status, taken)


@pytest.mark.parametrize("value", [b"abc", b"-1", b"1e9", b"+5", "５".encode()])
def test_a_malformed_length_is_400_unread(value: bytes) -> None:
    status, _body, taken = _run(Echo(), [(b"content-length", value)], _chunks(b"x"))
    assert (400, 0) == (status, taken)


def test_a_post_without_length_or_framing_is_411() -> None:
    app = Echo()
    assert (411, 0) == _run(app, [], _chunks(b"abc"))[::2]
    assert [] == app.received


def test_a_chunked_body_is_read_in_pieces_up_to_the_limit_and_over_it_is_413() -> None:
    chunked = [(b"transfer-encoding", b"chunked")]
    app = Echo()
    assert 200 == _run(app, chunked, _chunks(b"0123", b"4567"))[0]
    assert b"01234567" == app.received[0].body
    status, _body, taken = _run(app, chunked, _chunks(b"0123", b"45678", b"never"))
    assert (413, 2) == (status, taken)
    assert 1 == len(app.received)


def test_http2_without_a_length_is_read_like_a_chunked_body() -> None:
    app = Echo()
    assert 200 == _run(app, [], _chunks(b"abc"), http_version="2")[0]
    assert b"abc" == app.received[0].body


def test_a_body_shorter_or_longer_than_declared_or_cut_by_a_disconnect_is_400() -> None:
    app = Echo()
    length = [(b"content-length", b"5")]
    assert 400 == _run(app, length, _chunks(b"abc"))[0]
    assert 400 == _run(app, length, _chunks(b"abcdef"))[0]
    cut = [{"type": "http.request", "body": b"ab", "more_body": True}]
    assert 400 == _run(app, length, cut)[0]
    assert [] == app.received


def test_the_path_is_the_one_below_the_mount_point() -> None:
    async def go() -> InboundRequest:
        scope = scope_for("GET", "/callbacks/esms/tok", None, None, b"")
        scope["root_path"] = "/callbacks"

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b""}

        return await request_from_asgi(scope, receive)

    assert "/esms/tok" == asyncio.run(go()).path


def test_lifespan_is_acknowledged_and_websockets_are_refused() -> None:
    messages = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(serve_asgi(Echo(), {"type": "lifespan"}, receive, send))
    assert ["lifespan.startup.complete", "lifespan.shutdown.complete"] == [m["type"] for m in sent]
    with pytest.raises(ValueError, match="websocket"):
        asyncio.run(serve_asgi(Echo(), {"type": "websocket"}, receive, send))


def test_the_receivers_work_runs_in_a_worker_thread() -> None:
    app = Echo()
    loop_thread = threading.current_thread().name
    answer = asyncio.run(app.receive_async(InboundRequest("POST", body=b"hi")))
    assert 200 == answer.status
    assert 1 == len(app.threads)
    assert loop_thread != app.threads[0]
