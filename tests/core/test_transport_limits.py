"""Bounded in time and size (DESIGN.md doctrine 10), and redaction only of what is read.

A server that trickles its answer is cut off at the total deadline; an answer over the
operation's size limit is refused without being read whole; the redacted body of an event
is computed only when someone reads it; the HTTP stack's own log lines carry no secret.
"""

from __future__ import annotations

import logging
import time
import tracemalloc
from typing import Any

import pytest
import requests

from connectors.core import (
    Idempotency,
    OutcomeUnknown,
    ReadTimeout,
    Redactor,
    RequestSpec,
    ResponseEvent,
    ResponseTooLarge,
    RetryPolicy,
    Timeouts,
    Transport,
)
from connectors.core.redaction import MASK
from connectors.testing import Oversize, Trickle, mount, serve
from tests.core.test_transport_faults import IN_PROCESS_URL, call
from tests.core.vendor import LedgerVendor

MiB = 1024 * 1024


def _transport(total: float, **options: Any) -> Transport:
    return Transport(
        "ledger-vendor",
        timeouts=Timeouts(connect=1.0, read=0.5, total=total),
        retry=RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02),
        **options,
    )


@pytest.mark.parametrize("kind", ["read", "keyed", "unkeyed"])
def test_a_trickling_answer_is_cut_off_at_the_total_deadline(kind: str) -> None:
    # One byte every 50 ms: every recv is well inside the 0.5 s read timeout, and the whole
    # answer (about 150 bytes) would take more than 7 s.
    sim = LedgerVendor()
    sim.faults.add(kind, Trickle(interval=0.05))
    with serve(sim) as base_url, _transport(total=1.0) as transport:
        began = time.monotonic()
        with pytest.raises(ReadTimeout if kind == "read" else OutcomeUnknown) as raised:
            call(transport, base_url, kind)
        elapsed = time.monotonic() - began
    timeout = raised.value if kind == "read" else raised.value.__cause__
    assert isinstance(timeout, ReadTimeout)
    assert "within the 1s deadline" in timeout.message
    assert timeout.sent is True
    assert elapsed < 1.0 + 2.0  # the deadline, not the server, ended the call
    assert 1 == len(sim.requests_to(kind))  # the deadline left no time for a retry
    assert (0 if kind == "read" else 1) == sim.ledger.count(kind)


def test_the_deadline_leaves_later_calls_on_the_same_connection_pool_alone() -> None:
    sim = LedgerVendor()
    sim.faults.add("read", Trickle(interval=0.05))
    with serve(sim) as base_url, _transport(total=0.5) as transport:
        with pytest.raises(ReadTimeout):
            call(transport, base_url, "read")
        # the cut connection is not reused; fresh calls on the pool work, and keep working
        # after their own deadline would have passed
        assert {"item": "A1"} == call(transport, base_url, "read")
        time.sleep(0.6)
        assert {"item": "A1"} == call(transport, base_url, "read")


@pytest.mark.parametrize("declare_length", [True, False])
def test_a_64_mib_answer_costs_no_more_memory_than_the_limit(declare_length: bool) -> None:
    sim = LedgerVendor()
    sim.faults.add("read", Oversize(64 * MiB, declare_length=declare_length))
    with serve(sim) as base_url, _transport(total=10.0, max_response_bytes=2 * MiB) as transport:
        tracemalloc.start()
        try:
            with pytest.raises(ResponseTooLarge) as raised:
                call(transport, base_url, "read")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert 2 * MiB == raised.value.limit
    assert "over the 2,097,152-byte limit of read" in raised.value.message
    assert raised.value.retryable is False
    assert peak < 6 * MiB  # the limit, one chunk and bookkeeping; never the 64 MiB
    if declare_length:
        assert "67,108,864 bytes" in raised.value.message  # refused before reading


def test_each_call_may_carry_its_own_size_limit() -> None:
    sim = LedgerVendor()
    sim.faults.add("read", Oversize(300_000), times=2)
    spec = RequestSpec("GET", f"{IN_PROCESS_URL}/items/A1")
    with mount(sim, IN_PROCESS_URL), _transport(total=5.0, max_response_bytes=1_000) as transport:
        response = transport.request(
            spec, operation="pdf", idempotency=Idempotency.READ, max_response_bytes=400_000
        )
        assert 300_000 == len(response.content)
        with pytest.raises(ResponseTooLarge):
            transport.request(spec, operation="read", idempotency=Idempotency.READ)  # 1 KB


def test_size_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_response_bytes"):
        Transport("x", max_response_bytes=0)
    with (
        mount(LedgerVendor(), IN_PROCESS_URL),
        Transport("x") as transport,
        pytest.raises(ValueError, match="max_response_bytes"),
    ):
        transport.request(
            RequestSpec("GET", f"{IN_PROCESS_URL}/items/A1"),
            operation="read",
            idempotency=Idempotency.READ,
            max_response_bytes=0,
        )


def test_nothing_is_redacted_when_no_hook_or_log_reads_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> str:
        raise AssertionError("redacted although nobody reads it")

    monkeypatch.setattr(Redactor, "excerpt", refuse)
    monkeypatch.setattr(Redactor, "body", refuse)
    logging.getLogger("connectors.http").setLevel(logging.INFO)
    try:
        with mount(LedgerVendor(), IN_PROCESS_URL), _transport(total=5.0) as transport:
            assert {"item": "A1"} == call(transport, IN_PROCESS_URL, "read")
            seen: list[ResponseEvent] = []
            transport.on_response.append(seen.append)
            call(transport, IN_PROCESS_URL, "read")  # a hook that never reads the body
    finally:
        logging.getLogger("connectors.http").setLevel(logging.NOTSET)
    assert 200 == seen[0].status


def test_a_hook_reading_the_body_gets_the_redacted_excerpt_once() -> None:
    calls: list[int] = []

    class Counting(Redactor):
        __slots__ = ()

        def excerpt(self, body: Any, content_type: str | None = None, limit: int = 500) -> str:
            calls.append(1)
            return super().excerpt(body, content_type, limit)

    seen: list[ResponseEvent] = []
    transport = Transport("ledger-vendor", redactor=Counting(), on_response=[seen.append])
    with mount(LedgerVendor(), IN_PROCESS_URL), transport:
        call(transport, IN_PROCESS_URL, "read")
    assert [] == calls
    assert '{"item": "A1"}' == seen[0].body
    assert seen[0].body == seen[0].body
    assert [1] == calls


def test_urllib3_debug_lines_carry_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    secret = "QUERY-SECRET-9f8e7d6c"
    later = "ADDED-LATER-1a2b3c4d"
    transport = _transport(total=5.0, redactor=Redactor(secret_values=[secret]))
    with serve(LedgerVendor()) as base_url, transport, caplog.at_level(logging.DEBUG):
        transport.protect(fields=["RefId"], values=[later])
        url = f"{base_url}/items/A1?ApiKey={secret}&Other={later}&RefId=plain-ref-77"
        transport.request(RequestSpec("GET", url), operation="status", idempotency=Idempotency.READ)
    stack = [r.getMessage() for r in caplog.records if r.name.startswith("urllib3")]
    assert any("/items/A1?" in line for line in stack)  # urllib3 did log the request line
    assert secret not in caplog.text
    assert later not in caplog.text
    assert f"ApiKey={MASK}" in "\n".join(stack)


def test_excerpt_of_a_large_body_redacts_only_its_start() -> None:
    secret = "S3CRET-VALUE-ABCDEFGH"
    redactor = Redactor(secret_values=[secret])
    filler = "x" * (16 * 1024 - 7)
    body = filler + secret + "y" * 1_000_000  # the window ends inside the secret
    excerpt = redactor.excerpt(body, "text/plain", limit=20_000)
    assert "S3CRET" not in excerpt
    assert excerpt.endswith("…")
    assert len(excerpt) <= 16 * 1024
    unclosed = '{"token": "' + "t" * 20_000 + '"}'
    assert "tttt" not in redactor.excerpt(unclosed, "application/json", limit=100)


def test_excerpt_at_the_default_limit_redacts_a_small_window() -> None:
    secret = "S3CRET-VALUE-ABCDEFGH"
    redactor = Redactor(secret_values=[secret])
    body = "x" * (2 * 1024 - 7) + secret + "y" * 100_000  # the 2 KiB window cuts the secret
    excerpt = redactor.excerpt(body, "text/plain")
    assert "S3CRET" not in excerpt
    assert 500 == len(excerpt)
    assert "x" * 499 + "…" == excerpt
    named = '{"note": "' + "n" * 600 + '", "token": "' + "t" * 5_000 + '"}'
    assert "tttt" not in redactor.excerpt(named, "application/json", limit=1_000)


def test_the_verdict_memory_of_a_redactor_stays_bounded() -> None:
    redactor = Redactor()
    names = [f"field{i}" for i in range(10_000)]
    text = "&".join(f"{name}=v" for name in names) + "&password=hunter22"
    assert redactor.form(text).endswith(f"&password={MASK}")
    assert not any(redactor.is_secret(name) for name in names)
    assert redactor.is_secret("Pass-Word")
    assert redactor.is_secret("soap:Password")
    assert len(redactor._verdicts) <= 4096


def test_too_large_carries_where_it_happened() -> None:
    sim = LedgerVendor()
    sim.faults.add("read", Oversize(10_000))
    with (
        mount(sim, IN_PROCESS_URL),
        _transport(total=5.0, max_response_bytes=1_000) as transport,
        pytest.raises(ResponseTooLarge) as raised,
    ):
        call(transport, IN_PROCESS_URL, "read")
    error = raised.value
    assert ("ledger-vendor", "read", 200) == (error.provider, error.operation, error.http_status)
    assert {"limit": 1_000, "sent": True, "retryable": False} == {
        key: error.context()[key] for key in ("limit", "sent", "retryable")
    }


def test_a_stack_log_line_with_a_bad_format_is_kept_and_redacted() -> None:
    secret = "FORMAT-SECRET-5566"
    transport = _transport(total=5.0, redactor=Redactor(secret_values=[secret]))
    record = logging.LogRecord(
        "urllib3.connectionpool", logging.DEBUG, __file__, 1, "%d %s", (secret,), None
    )
    with transport:
        for log_filter in logging.getLogger("urllib3.connectionpool").filters:
            assert log_filter.filter(record)
    assert secret not in record.getMessage()
    assert MASK in record.getMessage()
    assert "%d %s" in record.getMessage()  # the broken format is shown, not lost


def test_a_connection_error_without_details_counts_as_maybe_sent() -> None:
    from connectors.core.transport import _may_have_left

    assert _may_have_left(requests.ConnectionError()) is True
