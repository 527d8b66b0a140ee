"""`SePayTransactions` on a caller's plain `Transport`: the API token stays out of every log
line (ours and urllib3's), exception, repr, body excerpt and hook event; and a page over
the list's answer limit is refused without being read whole."""

from __future__ import annotations

import logging
import socket

import pytest

from connectors.banks.sepay import SepayTransactions
from connectors.banks.sepay.transactions import PAGE_LIMIT
from connectors.core import (
    ConnectorError,
    RequestEvent,
    ResponseEvent,
    ResponseTooLarge,
    RetryPolicy,
    Timeouts,
    Transport,
)
from connectors.testing import Malformed, Oversize, Reset, Status, serve
from connectors.testing.simulators.banks.sepay import SepayTransactionsSimulator

TOKEN = "fake-api-token-0077"
ACCOUNT = "0123456789"


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens: connection refused


def test_the_token_never_leaks_through_a_callers_transport(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sim = SepayTransactionsSimulator(api_token=TOKEN, sleep=lambda _s: None)
    sim.transfer(account=ACCOUNT, amount=50_000, content="HS2025000123")
    requests_seen: list[RequestEvent] = []
    responses_seen: list[ResponseEvent] = []
    transport = Transport(
        "x",
        timeouts=Timeouts(connect=1.0, read=1.0, total=5.0),
        retry=RetryPolicy(max_attempts=2, base_delay=0.0, max_delay=0.0, sleep=lambda _s: None),
        on_request=[requests_seen.append],
        on_response=[responses_seen.append],
    )
    echo = f"echo token={TOKEN} Bearer {TOKEN}".encode()
    errors: list[ConnectorError] = []
    with (
        caplog.at_level(logging.DEBUG, "connectors"),
        caplog.at_level(logging.DEBUG, "urllib3"),
        serve(sim) as base_url,
    ):
        client = SepayTransactions(api_token=TOKEN, base_url=base_url, transport=transport)
        assert 1 == len(client.fetch())
        for fault, times in ((Status(401, echo), 1), (Malformed(echo), 1), (Reset(), 2)):
            sim.faults.add("transactions", fault, times=times)
            with pytest.raises(ConnectorError) as raised:
                client.fetch()
            errors.append(raised.value)
        down = SepayTransactions(api_token=TOKEN, base_url=closed_port_url(), transport=transport)
        with pytest.raises(ConnectorError) as raised:
            down.fetch()
        errors.append(raised.value)
    assert any(r.name.startswith("urllib3") for r in caplog.records)
    assert 7 == len(requests_seen) == len(responses_seen)  # 1 + 1 + 1 + 2 + 2 attempts
    parts = [caplog.text, repr(client), repr(transport)]
    parts += [r.getMessage() for r in caplog.records]
    parts += [f"{e.url} {dict(e.headers)} {e.body}" for e in requests_seen]
    parts += [f"{e.url} {e.body} {e.error}" for e in responses_seen]
    parts += [f"{e} {e!r} {e.context()} {e.body_excerpt}" for e in errors]
    assert TOKEN not in "\n".join(parts)


def test_a_page_over_the_list_limit_is_refused() -> None:
    sim = SepayTransactionsSimulator(api_token=TOKEN, sleep=lambda _s: None)
    sim.faults.add("transactions", Oversize(PAGE_LIMIT + 1, content_type="application/json"))
    with serve(sim) as base_url:
        client = SepayTransactions(
            api_token=TOKEN,
            base_url=base_url,
            retry=RetryPolicy(max_attempts=3, base_delay=0.0, max_delay=0.0),
        )
        with pytest.raises(ResponseTooLarge) as raised:
            client.fetch()
    assert PAGE_LIMIT == raised.value.limit
    assert "list_transactions" == raised.value.operation
    assert 1 == len(sim.requests_to("transactions"))  # the same answer again: not retried
