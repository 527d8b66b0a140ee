"""Reading an inbound WSGI body: never more than the limit, whatever Content-Length says."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.core.errors import ValidationError
from connectors.core.wsgi import (
    DEFAULT_BODY_LIMIT,
    BodyRefused,
    read_body,
    request_headers,
    request_query,
)
from tests.core.wsgi_inputs import GuardedInput, Untouchable

LIMIT = 64


def environ(
    length: str | None, stream: Any = None, method: str = "POST", **extra: Any
) -> dict[str, Any]:
    env: dict[str, Any] = {"REQUEST_METHOD": method, "wsgi.input": stream or Untouchable()}
    if length is not None:
        env["CONTENT_LENGTH"] = length
    env.update(extra)
    return env


def refused(env: dict[str, Any], limit: int = LIMIT) -> int:
    with pytest.raises(BodyRefused) as caught:
        read_body(env, limit=limit)
    assert "body" == caught.value.field
    assert caught.value.status == caught.value.http_status
    return caught.value.status


def test_a_body_within_the_limit_is_read_exactly() -> None:
    body = b'{"amount": 50000}'
    stream = GuardedInput(body + b"trailing bytes of the next request", allowed=len(body))
    assert body == read_body(environ(str(len(body)), stream), limit=LIMIT)


@pytest.mark.parametrize(("length", "status"), [(LIMIT, None), (LIMIT + 1, 413)])
def test_the_limit_is_inclusive(length: int, status: int | None) -> None:
    stream = GuardedInput(b"x" * length, allowed=LIMIT)
    env = environ(str(length), stream)
    if status is None:
        assert b"x" * LIMIT == read_body(env, limit=LIMIT)
    else:
        assert status == refused(env)
        assert 0 == stream.asked


@pytest.mark.parametrize("length", [str(10 * 2**30), "9" * 18, "9" * 19, "9" * 5000])
def test_a_huge_length_is_refused_unread(length: str) -> None:
    assert 413 == refused(environ(length))


@pytest.mark.parametrize(
    "length", ["abc", "-1", "1e9", "+5", "1.0", "0x10", "１２", "²", "12 34", "1_000"]
)
def test_a_malformed_length_is_a_bad_request_unread(length: str) -> None:
    assert 400 == refused(environ(length))


@given(st.text(min_size=1, max_size=30).filter(lambda t: not t.strip(" \t").isascii()))
def test_any_non_ascii_length_is_refused(length: str) -> None:
    assert 400 == refused(environ(length))


@given(st.from_regex(r"\A[0-9]{1,3}\Z"))
def test_any_digit_length_within_the_limit_reads_that_many_bytes(length: str) -> None:
    size = int(length)
    data = bytes(range(256)) * 2
    env = environ(length, GuardedInput(data, allowed=max(size, 0)))
    if size > 300:
        assert 413 == refused(env, limit=300)
    else:
        assert data[:size] == read_body(env, limit=300)


def test_spaces_around_the_length_are_tolerated() -> None:
    assert b"abc" == read_body(environ(" 3\t", GuardedInput(b"abc", allowed=3)), limit=LIMIT)


@pytest.mark.parametrize("length", ["0", "000"])
def test_a_zero_length_reads_nothing(length: str) -> None:
    assert b"" == read_body(environ(length), limit=LIMIT)


@pytest.mark.parametrize("method", ["GET", "get", "HEAD", "DELETE", "OPTIONS"])
@pytest.mark.parametrize("length", [None, ""])
def test_no_length_on_a_bodyless_method_is_no_body(method: str, length: str | None) -> None:
    assert b"" == read_body(environ(length, method=method), limit=LIMIT)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
def test_no_length_on_a_post_is_length_required(method: str) -> None:
    assert 411 == refused(environ(None, method=method))


def test_no_method_counts_as_get() -> None:
    assert b"" == read_body({"wsgi.input": Untouchable()}, limit=LIMIT)


def test_a_terminated_input_is_read_up_to_the_limit() -> None:
    stream = GuardedInput(b"chunked body", allowed=LIMIT + 1, chunk=5)
    env = environ(None, stream, **{"wsgi.input_terminated": True})
    assert b"chunked body" == read_body(env, limit=LIMIT)


@pytest.mark.parametrize("chunk", [7, 8, LIMIT])  # 8 and 64 fill the limit exactly
@pytest.mark.parametrize("size", [LIMIT + 1, 10 * LIMIT])
def test_a_terminated_input_over_the_limit_is_refused_after_limit_plus_one(
    size: int, chunk: int
) -> None:
    stream = GuardedInput(b"y" * size, allowed=LIMIT + 1, chunk=chunk)
    env = environ(None, stream, **{"wsgi.input_terminated": True})
    assert 413 == refused(env)
    assert LIMIT + 1 == stream.asked


def test_a_terminated_input_of_exactly_the_limit_is_accepted() -> None:
    stream = GuardedInput(b"z" * LIMIT, allowed=LIMIT + 1)
    env = environ(None, stream, **{"wsgi.input_terminated": True})
    assert b"z" * LIMIT == read_body(env, limit=LIMIT)


def test_a_body_arriving_in_small_pieces_is_assembled() -> None:
    body = bytes(range(50))
    env = environ(str(len(body)), GuardedInput(body, allowed=len(body), chunk=3))
    assert body == read_body(env, limit=LIMIT)


def test_a_body_shorter_than_its_length_is_a_bad_request() -> None:
    env = environ("10", GuardedInput(b"12345", allowed=10))
    assert 400 == refused(env)


def test_a_length_without_an_input_is_a_bad_request() -> None:
    assert 400 == refused({"REQUEST_METHOD": "POST", "CONTENT_LENGTH": "3"})


def test_an_input_returning_more_than_asked_is_cut_to_the_length() -> None:
    class Generous:
        def read(self, size: int = -1) -> bytes:
            return b"0123456789"

    assert b"0123" == read_body(environ("4", Generous()), limit=LIMIT)


def test_the_smallest_limit_is_one_byte() -> None:
    assert b"a" == read_body(environ("1", GuardedInput(b"a", allowed=1)), limit=1)


@pytest.mark.parametrize("limit", [0, -1, True, 1.5])
def test_the_limit_must_be_a_positive_int(limit: Any) -> None:
    with pytest.raises(ValueError, match="limit"):
        read_body(environ("0"), limit=limit)


def test_the_default_limit_is_64_kib() -> None:
    assert 65_536 == DEFAULT_BODY_LIMIT
    assert 413 == refused(environ("65537"), limit=DEFAULT_BODY_LIMIT)
    big = GuardedInput(b"a" * 65_536, allowed=65_536)
    assert 65_536 == len(read_body(environ("65536", big)))


def test_body_refused_is_a_validation_error() -> None:
    assert issubclass(BodyRefused, ValidationError)


def test_headers_and_query() -> None:
    env = {
        "HTTP_X_SEPAY_SIGNATURE": "sha256=ab",
        "HTTP_AUTHORIZATION": "Apikey k",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": "2",
        "QUERY_STRING": "SMSID=1&phonenumber=&y=%C4%91&y=2",
    }
    assert {
        "X-Sepay-Signature": "sha256=ab",
        "Authorization": "Apikey k",
        "Content-Type": "application/json",
    } == request_headers(env)
    assert {"SMSID": "1", "phonenumber": "", "y": "2"} == request_query(env)
    assert ({}, {}) == (request_headers({}), request_query({}))
