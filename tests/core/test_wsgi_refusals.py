"""Each refusal of an inbound body, word for word (the receivers answer with this text), and
the edges of reading a Content-Length: only spaces and tabs are trimmed (no other character,
whitespace or not), and the digit cap counts digits, leading zeros included."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from connectors.core.wsgi import BodyRefused, read_body
from tests.core.wsgi_inputs import GuardedInput, Untouchable

LIMIT = 64


def post(length: str | None = None, stream: Any = None) -> dict[str, Any]:
    environ: dict[str, Any] = {"REQUEST_METHOD": "POST"}
    if length is not None:
        environ["CONTENT_LENGTH"] = length
    if stream is not None:
        environ["wsgi.input"] = stream
    return environ


@pytest.mark.parametrize(
    ("make", "status", "message"),
    [
        (lambda: post(None, Untouchable()), 411, "the request has no Content-Length"),
        (lambda: post("5X", Untouchable()), 400, "Content-Length is not a number of bytes"),
        (lambda: post("65", Untouchable()), 413, "the body is over the 64-byte limit"),
        (lambda: post("3"), 400, "the request body is missing"),
        (
            lambda: post("10", GuardedInput(b"12345", allowed=10)),
            400,
            "the body is shorter than its Content-Length",
        ),
    ],
    ids=["no length", "letters in the length", "over the limit", "no input", "short body"],
)
def test_each_refusal_says_why_and_answers_its_status(
    make: Callable[[], dict[str, Any]], status: int, message: str
) -> None:
    with pytest.raises(BodyRefused) as caught:
        read_body(make(), limit=LIMIT)
    assert (status, message, "body") == (
        caught.value.status,
        caught.value.message,
        caught.value.field,
    )


@pytest.mark.parametrize(
    "length", ["X5", "5X", "X5X", "5\n", "\r5", "\x0b5", "5\x0c", "\xa05", "5\u2003"]
)
def test_only_spaces_and_tabs_are_trimmed_from_the_length(length: str) -> None:
    with pytest.raises(BodyRefused) as caught:
        read_body(post(length, Untouchable()), limit=LIMIT)
    assert (400, "Content-Length is not a number of bytes") == (
        caught.value.status,
        caught.value.message,
    )


def test_eighteen_digits_with_leading_zeros_are_a_small_length() -> None:
    environ = post("0" * 17 + "5", GuardedInput(b"hello", allowed=5))
    assert b"hello" == read_body(environ, limit=LIMIT)
    with pytest.raises(BodyRefused) as caught:  # nineteen: over any limit, never int()-ed
        read_body(post("0" * 18 + "5", Untouchable()), limit=LIMIT)
    assert 413 == caught.value.status


@pytest.mark.parametrize("limit", [0, -1, True, 1.5, "64"])
def test_a_limit_that_is_not_a_positive_int_is_refused_by_name(limit: Any) -> None:
    with pytest.raises(ValueError) as caught:  # noqa: PT011 - the message is asserted
        read_body({"REQUEST_METHOD": "GET"}, limit=limit)
    assert "the body limit must be a positive number of bytes" == str(caught.value)
