"""Bounded callback bodies at the IPN handler: refused over the limit without reading, and a
missing or malformed Content-Length never makes it read blindly."""

from __future__ import annotations

import io
from typing import Any

import pytest
import requests

from connectors.banks.base import CallbackOutcome, CallbackRequest
from connectors.banks.ipn import IpnHandler, request_from_wsgi
from connectors.core.wsgi import BodyRefused
from connectors.testing import serve
from tests.banks.signed import (
    GATEWAYS,
    NOW,
    REF,
    momo_callback,
    payos_callback,
    vnpay_callback,
)
from tests.core.wsgi_inputs import GuardedInput, Untouchable


class Spy:
    def __init__(self, gateway: str, limit: int = 1024) -> None:
        self.client = GATEWAYS[gateway]()
        self.calls: list[object] = []
        self.handler = IpnHandler(
            self.client,
            expected_amount=lambda _r: 50_000,
            on_payment=self.calls.append,
            max_body_bytes=limit,
            clock=lambda: NOW,
        )

    def wsgi(self, environ: dict[str, Any]) -> tuple[str, dict[str, str], bytes]:
        captured: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]]) -> None:
            captured.update(status=status, headers=dict(headers))

        body = b"".join(self.handler(environ, start_response))
        assert str(len(body)) == captured["headers"]["Content-Length"]
        return captured["status"], captured["headers"], body


def post(length: str | None, stream: Any, **extra: Any) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/ipn",
        "CONTENT_TYPE": "application/json",
        "wsgi.input": stream,
        **extra,
    }
    if length is not None:
        environ["CONTENT_LENGTH"] = length
    return environ


@pytest.mark.parametrize("gateway", ["vnpay", "momo", "payos"])
@pytest.mark.parametrize("length", ["1025", str(10 * 2**30), "9" * 5000])
def test_a_body_over_the_limit_is_refused_with_413_unread(gateway: str, length: str) -> None:
    spy = Spy(gateway)
    status, headers, body = spy.wsgi(post(length, Untouchable()))
    assert ("413 Payload Too Large", "text/plain; charset=utf-8") == (
        status,
        headers["Content-Type"],
    )
    assert b"the body is over the 1024-byte limit" == body
    assert [] == spy.calls


@pytest.mark.parametrize("length", ["abc", "-1", "1e9", "１２", "+5"])
def test_a_malformed_length_is_400_unread(length: str) -> None:
    spy = Spy("momo")
    status, _headers, body = spy.wsgi(post(length, Untouchable()))
    assert ("400 Bad Request", b"Content-Length is not a number of bytes") == (status, body)


def test_a_post_without_a_length_is_411_unread() -> None:
    status, _headers, _body = Spy("payos").wsgi(post(None, Untouchable()))
    assert "411 Length Required" == status


def test_a_chunked_post_is_read_up_to_the_limit_only() -> None:
    stream = GuardedInput(b"{" * 5000, allowed=1025, chunk=100)
    status, _h, _b = Spy("payos").wsgi(post(None, stream, **{"wsgi.input_terminated": True}))
    assert "413 Payload Too Large" == status
    assert 1025 == stream.given


@pytest.mark.parametrize("gateway", ["momo", "payos"])
def test_a_body_at_the_limit_is_processed(gateway: str) -> None:
    callback = momo_callback(50_000) if gateway == "momo" else payos_callback(50_000)
    spy = Spy(gateway, limit=len(callback.body))
    stream = GuardedInput(callback.body, allowed=len(callback.body))
    status, _h, _b = spy.wsgi(post(str(len(callback.body)), stream))
    assert status.startswith(str(spy.client.callback_answer(CallbackOutcome.ACCEPTED).status))
    assert 1 == len(spy.calls)

    refused = Spy(gateway, limit=len(callback.body) - 1)
    status, _h, _b = refused.wsgi(post(str(len(callback.body)), Untouchable()))
    assert ("413 Payload Too Large", []) == (status, refused.calls)


def test_a_vnpay_get_without_a_length_is_processed() -> None:
    query = "&".join(f"{k}={v}" for k, v in vnpay_callback("5000000").query.items())
    environ = {"REQUEST_METHOD": "GET", "QUERY_STRING": query, "wsgi.input": Untouchable()}
    spy = Spy("vnpay")
    status, _h, body = spy.wsgi(environ)
    assert ("200 OK", b'{"RspCode":"00","Message":"Confirm Success"}') == (status, body)
    assert [REF] == [n.order_ref for n in spy.calls]  # type: ignore[attr-defined]


def test_the_plain_function_refuses_a_big_body_before_verifying() -> None:
    class NoParse:
        name = "vnpay"

        def parse_notification(self, **_kw: Any) -> Any:
            raise AssertionError("must not be parsed")

    handler = IpnHandler(
        NoParse(),  # type: ignore[arg-type]
        expected_amount=lambda _r: 1,
        on_payment=lambda _n: None,
        max_body_bytes=10,
    )
    result = handler.process(CallbackRequest("POST", {}, {}, b"x" * 11))
    assert (CallbackOutcome.MALFORMED, 413) == (result.outcome, result.answer.status)
    assert "the body is over the 10-byte limit" == result.error
    assert 413 == handler.handle(method="post", body=b"y" * 11).status
    assert CallbackOutcome.INVALID_SIGNATURE != result.outcome


def test_request_from_wsgi_uses_the_limit() -> None:
    environ = post("6", io.BytesIO(b"abcdef"))
    assert b"abcdef" == request_from_wsgi(environ, max_body_bytes=6).body
    with pytest.raises(BodyRefused) as caught:
        request_from_wsgi(post("6", Untouchable()), max_body_bytes=5)
    assert 413 == caught.value.status


def test_over_loopback_a_large_post_gets_413() -> None:
    spy = Spy("momo")
    with serve(spy.handler) as base:
        big = requests.post(base + "/ipn", data=b"x" * 2000, timeout=5)
        ok = requests.post(base + "/ipn", data=momo_callback(50_000).body, timeout=5)
    assert (413, 204) == (big.status_code, ok.status_code)
    assert 1 == len(spy.calls)


@pytest.mark.parametrize(
    ("gateway", "amount", "expected", "status_line"),
    [
        ("momo", 50_000, 50_000, "204 No Content"),
        ("momo", 50_000, None, "404 Not Found"),
        ("momo", 40_000, 50_000, "400 Bad Request"),
        ("payos", 50_000, 50_000, "200 OK"),
        ("vnpay", 50_000, None, "200 OK"),
    ],
)
def test_the_wsgi_status_line_names_the_status(
    gateway: str, amount: int, expected: int | None, status_line: str
) -> None:
    callback = {
        "momo": lambda: momo_callback(amount),
        "payos": lambda: payos_callback(amount),
        "vnpay": lambda: vnpay_callback(str(amount * 100)),
    }[gateway]()
    handler = IpnHandler(
        GATEWAYS[gateway](),
        expected_amount=lambda _r: expected,
        on_payment=lambda _n: None,
        clock=lambda: NOW,
    )
    environ = {
        "REQUEST_METHOD": callback.method,
        "QUERY_STRING": "&".join(f"{k}={v}" for k, v in callback.query.items()),
        "CONTENT_LENGTH": str(len(callback.body)),
        "wsgi.input": io.BytesIO(callback.body),
    }
    statuses: list[str] = []
    b"".join(handler(environ, lambda status, _headers: statuses.append(status)))
    assert [status_line] == statuses


def test_a_failing_portal_over_wsgi_is_500_internal_server_error() -> None:
    def fail(_n: object) -> None:
        raise RuntimeError("db down")

    handler = IpnHandler(
        GATEWAYS["payos"](), expected_amount=lambda _r: 50_000, on_payment=fail, clock=lambda: NOW
    )
    body = payos_callback(50_000).body
    environ = {
        "REQUEST_METHOD": "POST",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    statuses: list[str] = []
    b"".join(handler(environ, lambda status, _headers: statuses.append(status)))
    assert ["500 Internal Server Error"] == statuses
