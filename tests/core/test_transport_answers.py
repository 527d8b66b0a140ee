"""What the transport keeps of an answer it refused: an answer over the size limit names the
vendor's request id (staff quote it to the vendor), whether its length was declared and
refused unread or it was cut off while streaming."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest

from connectors.core import (
    Idempotency,
    RequestSpec,
    ResponseTooLarge,
    RetryPolicy,
    Timeouts,
    Transport,
)
from connectors.testing import serve

REQUEST_ID = "req-7f3a-0042"


def big_answer(declare_length: bool) -> Callable[..., Iterable[bytes]]:
    """A WSGI app answering 200 with 100 KB and its request id."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        headers = [("Content-Type", "text/xml"), ("X-Request-Id", REQUEST_ID)]
        if declare_length:
            headers.append(("Content-Length", str(100_000)))
        start_response("200 OK", headers)
        return [b"x" * 10_000] * 10

    return app


@pytest.mark.parametrize("declare_length", [True, False], ids=["declared", "streamed"])
def test_an_answer_over_the_limit_names_the_vendors_request_id(declare_length: bool) -> None:
    with (
        serve(big_answer(declare_length)) as base_url,
        Transport(
            "ledger-vendor",
            timeouts=Timeouts(connect=1.0, read=2.0, total=10.0),
            retry=RetryPolicy(max_attempts=1),
            max_response_bytes=1_000,
        ) as transport,
        pytest.raises(ResponseTooLarge) as raised,
    ):
        transport.request(
            RequestSpec("GET", f"{base_url}/documents/D1.pdf"),
            operation="download",
            idempotency=Idempotency.READ,
        )
    error = raised.value
    assert (REQUEST_ID, 200, "download") == (error.request_id, error.http_status, error.operation)
