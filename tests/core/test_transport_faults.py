"""Every fault kind, against a read, a keyed write and a keyless write, on both runners.

Each case asserts how many requests reached the simulator, what its ledger holds, and
what the caller got: a result or a specific error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from connectors.core import (
    ConnectionFailed,
    Idempotency,
    OutcomeUnknown,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    ReadTimeout,
    RequestSpec,
    ResponseTooLarge,
    RetryPolicy,
    Timeouts,
    Transport,
    error_for_status,
)
from connectors.testing import (
    CommitThenStatus,
    Fault,
    Latency,
    Malformed,
    Oversize,
    Reset,
    Status,
    TimeoutAfterCommit,
    TimeoutBeforeProcessing,
    TooManyRequests,
    Truncated,
    mount,
    serve,
)
from tests.core.vendor import LedgerVendor

IN_PROCESS_URL = "https://vendor.sim.test"


@contextmanager
def running(sim: LedgerVendor, runner: str) -> Iterator[str]:
    if runner == "in-process":
        with mount(sim, IN_PROCESS_URL):
            yield IN_PROCESS_URL
    else:
        with serve(sim) as base_url:
            yield base_url


LIMIT = 64 * 1024  # the matrix transport's answer size limit


def make_transport(sleeps: list[float]) -> Transport:
    return Transport(
        "ledger-vendor",
        timeouts=Timeouts(connect=1.0, read=0.25, total=20.0),
        retry=RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02, sleep=sleeps.append),
        max_response_bytes=LIMIT,
    )


def call(transport: Transport, base_url: str, kind: str) -> dict[str, Any]:
    """What an adapter does: send, map an error status, parse the body."""
    if kind == "read":
        spec = RequestSpec("GET", f"{base_url}/items/A1")
        response = transport.request(spec, operation="read", idempotency=Idempotency.READ)
    elif kind == "keyed":
        spec = RequestSpec(
            "POST", f"{base_url}/keyed", headers={"Idempotency-Key": "K-1"}, json={"n": 1}
        )
        response = transport.request(
            spec, operation="keyed", idempotency=Idempotency.KEYED_WRITE, idempotency_key="K-1"
        )
    else:
        spec = RequestSpec("POST", f"{base_url}/unkeyed", json={"n": 1})
        response = transport.request(
            spec, operation="unkeyed", idempotency=Idempotency.UNKEYED_WRITE
        )
    if response.status_code >= 400:
        raise error_for_status(
            response, provider="ledger-vendor", operation=kind, redactor=transport.redactor
        )
    try:
        body: dict[str, Any] = response.json()
    except requests.JSONDecodeError:
        raise ProviderError(
            "unreadable body", code="malformed_response", provider="ledger-vendor"
        ) from None
    return body


@dataclass(frozen=True)
class Case:
    fault: Fault
    kind: str
    seen: int  # requests that reached the simulator
    ledger: int  # entries recorded for this kind (reads record nothing)
    error: type[Exception] | None  # None: the call succeeded


HOLD = 2.0  # a socket fault holds longer than the client's 0.25 s read timeout

CASES = [
    # Latency: answered late but within the timeout; nothing repeated.
    Case(Latency(0.05), "read", 1, 0, None),
    Case(Latency(0.05), "keyed", 1, 1, None),
    Case(Latency(0.05), "unkeyed", 1, 1, None),
    # A 500 is the vendor's answer: not retried, mapped to ProviderUnavailable; to a
    # keyless write it may hide an effect, so its outcome is unknown.
    Case(Status(500, b'{"error":"boom"}'), "read", 1, 0, ProviderUnavailable),
    Case(Status(500, b'{"error":"boom"}'), "keyed", 1, 0, ProviderUnavailable),
    Case(Status(500, b'{"error":"boom"}'), "unkeyed", 1, 0, OutcomeUnknown),
    # Committed, then 500: the keyed write is resent later under its key (one entry); the
    # keyless write happened and the caller is told the outcome is unknown.
    Case(CommitThenStatus(500, b'{"error":"boom"}'), "read", 1, 0, ProviderUnavailable),
    Case(CommitThenStatus(500, b'{"error":"boom"}'), "keyed", 1, 1, ProviderUnavailable),
    Case(CommitThenStatus(500, b'{"error":"boom"}'), "unkeyed", 1, 1, OutcomeUnknown),
    # Committed, then the answer is cut short: maybe sent. Retried when safe, else unknown.
    Case(Truncated(5), "read", 2, 0, None),
    Case(Truncated(5), "keyed", 2, 1, None),
    Case(Truncated(5), "unkeyed", 1, 1, OutcomeUnknown),
    # Committed, then an answer over the size limit: never read past it, never retried.
    Case(Oversize(4 * LIMIT), "read", 1, 0, ResponseTooLarge),
    Case(Oversize(4 * LIMIT), "keyed", 1, 1, OutcomeUnknown),
    Case(Oversize(4 * LIMIT), "unkeyed", 1, 1, OutcomeUnknown),
    Case(Oversize(4 * LIMIT, declare_length=False), "read", 1, 0, ResponseTooLarge),
    Case(Oversize(4 * LIMIT, declare_length=False), "unkeyed", 1, 1, OutcomeUnknown),
    # A 503 is retried for reads and keyed writes; a keyless write cannot know.
    Case(Status(503), "read", 2, 0, None),
    Case(Status(503), "keyed", 2, 1, None),
    Case(Status(503), "unkeyed", 1, 0, OutcomeUnknown),
    # A reset after the request left: retried when safe, otherwise the outcome is unknown.
    Case(Reset(), "read", 2, 0, None),
    Case(Reset(), "keyed", 2, 1, None),
    Case(Reset(), "unkeyed", 1, 0, OutcomeUnknown),
    # Timeout before processing: same, and nothing was recorded.
    Case(TimeoutBeforeProcessing(HOLD), "read", 2, 0, None),
    Case(TimeoutBeforeProcessing(HOLD), "keyed", 2, 1, None),
    Case(TimeoutBeforeProcessing(HOLD), "unkeyed", 1, 0, OutcomeUnknown),
    # Timeout after commit: the keyed retry is de-duplicated by the vendor (one entry);
    # the keyless write happened once and the caller is told the outcome is unknown.
    Case(TimeoutAfterCommit(HOLD), "read", 2, 0, None),
    Case(TimeoutAfterCommit(HOLD), "keyed", 2, 1, None),
    Case(TimeoutAfterCommit(HOLD), "unkeyed", 1, 1, OutcomeUnknown),
    # A malformed 200 is not a transport fault: no retry, the adapter's parse error.
    Case(Malformed(), "read", 1, 0, ProviderError),
    Case(Malformed(), "keyed", 1, 0, ProviderError),
    Case(Malformed(), "unkeyed", 1, 0, ProviderError),
    # 429 + Retry-After: the vendor did nothing; retried when safe, else RateLimited.
    Case(TooManyRequests(0.01), "read", 2, 0, None),
    Case(TooManyRequests(0.01), "keyed", 2, 1, None),
    Case(TooManyRequests(0.01), "unkeyed", 1, 0, RateLimited),
]


def _case_id(case: Case) -> str:
    fault = case.fault
    chunked = "-chunked" if isinstance(fault, Oversize) and not fault.declare_length else ""
    return f"{type(case.fault).__name__}{chunked}-{case.kind}"


@pytest.mark.parametrize("runner", ["in-process", "loopback"])
@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_fault_matrix(case: Case, runner: str) -> None:
    sim = LedgerVendor()
    sim.faults.add(case.kind, case.fault)
    sleeps: list[float] = []
    with running(sim, runner) as base_url, make_transport(sleeps) as transport:
        if case.error is None:
            body = call(transport, base_url, case.kind)
            assert body  # a parsed answer came back
        else:
            with pytest.raises(case.error) as raised:
                call(transport, base_url, case.kind)
            assert "ledger-vendor" == raised.value.provider  # type: ignore[attr-defined]
    assert case.seen == len(sim.requests_to(case.kind))
    assert case.ledger == sim.ledger.count(case.kind)
    assert 0 == sim.faults.pending()


@pytest.mark.parametrize("runner", ["in-process", "loopback"])
def test_retry_after_is_honoured_and_capped(runner: str) -> None:
    sim = LedgerVendor()
    sim.faults.add("read", TooManyRequests(0.5))
    sim.faults.add("read", TooManyRequests(120))
    sleeps: list[float] = []
    transport = Transport(
        "ledger-vendor",
        retry=RetryPolicy(max_attempts=3, retry_after_cap=2.0, sleep=sleeps.append),
    )
    with running(sim, runner) as base_url, transport:
        assert {"item": "A1"} == call(transport, base_url, "read")
    assert [0.5, 2.0] == sleeps
    assert 3 == len(sim.requests_to("read"))


@pytest.mark.parametrize("runner", ["in-process", "loopback"])
def test_keyed_write_exhausted_after_commit_is_outcome_unknown_with_key(runner: str) -> None:
    sim = LedgerVendor()
    sim.faults.add("keyed", TimeoutAfterCommit(HOLD), times=3)
    sleeps: list[float] = []
    with (
        running(sim, runner) as base_url,
        make_transport(sleeps) as transport,
        pytest.raises(OutcomeUnknown) as raised,
    ):
        call(transport, base_url, "keyed")
    assert "K-1" == raised.value.idempotency_key
    assert isinstance(raised.value.__cause__, ReadTimeout)
    assert 3 == len(sim.requests_to("keyed"))
    assert 1 == sim.ledger.count("keyed")  # three attempts, one effect


@pytest.mark.parametrize("runner", ["in-process", "loopback"])
def test_read_exhausted_raises_the_transport_error(runner: str) -> None:
    sim = LedgerVendor()
    sim.faults.add("read", Reset(), times=5)
    sleeps: list[float] = []
    with (
        running(sim, runner) as base_url,
        make_transport(sleeps) as transport,
        pytest.raises(ConnectionFailed) as raised,
    ):
        call(transport, base_url, "read")
    assert raised.value.sent is True
    assert 3 == len(sim.requests_to("read"))
    assert 2 == len(sleeps)
    assert all(0 <= s <= 0.02 for s in sleeps)


def test_keyless_write_is_retried_when_it_never_left() -> None:
    """Connection refused: the request never left, so even a keyless write is retried."""
    with serve(LedgerVendor()) as base_url:
        pass  # the port is closed again: connections to it are refused
    sleeps: list[float] = []
    with make_transport(sleeps) as transport, pytest.raises(ConnectionFailed) as raised:
        call(transport, base_url, "unkeyed")
    assert raised.value.sent is False
    assert 2 == len(sleeps)  # three attempts


def test_retry_budget_stops_a_retry_storm() -> None:
    from connectors.core import RetryBudget

    now = [0.0]
    sim = LedgerVendor()
    sim.faults.add("read", Status(503), times=100)
    sleeps: list[float] = []
    budget = RetryBudget(capacity=2, rate=0.0, clock=lambda: now[0])
    transport = Transport(
        "ledger-vendor",
        retry=RetryPolicy(max_attempts=5, base_delay=0.0, budget=budget, sleep=sleeps.append),
    )
    with mount(sim, IN_PROCESS_URL), transport:
        for _ in range(3):
            with pytest.raises(ProviderUnavailable):
                call(transport, IN_PROCESS_URL, "read")
    # 3 calls, 2 retries allowed in all: 5 requests, not 15.
    assert 5 == len(sim.requests_to("read"))


def test_deadline_bounds_all_attempts() -> None:
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    sim = LedgerVendor()
    sim.faults.add("read", TooManyRequests(4.0), times=10)
    transport = Transport(
        "ledger-vendor",
        timeouts=Timeouts(total=10.0),
        retry=RetryPolicy(max_attempts=10, sleep=sleep, clock=lambda: now[0]),
    )
    with mount(sim, IN_PROCESS_URL), transport, pytest.raises(RateLimited) as raised:
        call(transport, IN_PROCESS_URL, "read")
    assert 4.0 == raised.value.retry_after
    # waits of 4 s fit twice in a 10 s deadline: three attempts, then stop.
    assert 3 == len(sim.requests_to("read"))
    assert 8.0 == now[0]


def test_signer_runs_on_every_attempt_with_the_final_bytes() -> None:
    sim = LedgerVendor()
    sim.faults.add("keyed", Reset())
    signed: list[tuple[int, bytes]] = []

    def sign(prepared: requests.PreparedRequest, attempt: int) -> None:
        body = prepared.body if isinstance(prepared.body, bytes) else b""
        prepared.headers["X-Attempt"] = str(attempt)
        signed.append((attempt, body))

    sleeps: list[float] = []
    with mount(sim, IN_PROCESS_URL) as mock, make_transport(sleeps) as transport:
        transport.request(
            RequestSpec(
                "POST", f"{IN_PROCESS_URL}/keyed", headers={"Idempotency-Key": "K"}, json={"a": 1}
            ),
            operation="keyed",
            idempotency=Idempotency.KEYED_WRITE,
            idempotency_key="K",
            sign=sign,
        )
        sent_attempts = [c.request.headers["X-Attempt"] for c in mock.calls]
    assert [(1, b'{"a": 1}'), (2, b'{"a": 1}')] == signed
    assert ["1", "2"] == sent_attempts


def test_builder_makes_a_fresh_request_per_attempt() -> None:
    sim = LedgerVendor()
    sim.faults.add("read", Status(502))
    built: list[int] = []

    def build(attempt: int) -> RequestSpec:
        built.append(attempt)
        return RequestSpec("GET", f"{IN_PROCESS_URL}/items/T{attempt}")

    sleeps: list[float] = []
    with mount(sim, IN_PROCESS_URL), make_transport(sleeps) as transport:
        response = transport.request(build, operation="read", idempotency=Idempotency.READ)
    assert {"item": "T2"} == response.json()
    assert [1, 2] == built


def test_keyed_write_without_key_is_refused_before_sending() -> None:
    sim = LedgerVendor()
    sleeps: list[float] = []
    with (
        mount(sim, IN_PROCESS_URL),
        make_transport(sleeps) as transport,
        pytest.raises(ValueError, match="idempotency_key"),
    ):
        transport.request(
            RequestSpec("POST", f"{IN_PROCESS_URL}/keyed"),
            operation="keyed",
            idempotency=Idempotency.KEYED_WRITE,
        )
    assert [] == sim.seen


def test_timeouts_are_never_none() -> None:
    with pytest.raises(ValueError, match="read"):
        Timeouts(read=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="total"):
        Timeouts(total=0)


def test_user_agent_and_hooks_see_redacted_events() -> None:
    from connectors.core import Redactor, RequestEvent, ResponseEvent

    sim = LedgerVendor()
    requests_seen: list[RequestEvent] = []
    responses_seen: list[ResponseEvent] = []
    transport = Transport(
        "ledger-vendor",
        redactor=Redactor(secret_fields=["api_key"]),
        on_request=[requests_seen.append],
        on_response=[responses_seen.append],
    )
    with mount(sim, IN_PROCESS_URL) as mock, transport:
        transport.request(
            RequestSpec("GET", f"{IN_PROCESS_URL}/items/A1", params={"api_key": "SECRET-XYZ-123"}),
            operation="read",
            idempotency=Idempotency.READ,
        )
        user_agent = mock.calls[0].request.headers["User-Agent"]
    from connectors import __version__

    assert f"connectors/{__version__}" == user_agent
    assert 1 == len(requests_seen)
    assert "SECRET-XYZ-123" not in requests_seen[0].url
    assert "SECRET-XYZ-123" not in responses_seen[0].url
    assert 200 == responses_seen[0].status


def test_trust_env_false_ignores_a_proxy_set_in_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    sim = LedgerVendor()
    policy = RetryPolicy(max_attempts=1)
    with serve(sim) as base_url:
        spec = RequestSpec("GET", f"{base_url}/items/1")
        with Transport("env", retry=policy, trust_env=False) as direct:
            response = direct.request(spec, operation="read", idempotency=Idempotency.READ)
            assert 200 == response.status_code
        with Transport("env", retry=policy) as proxied, pytest.raises(ConnectionFailed):
            proxied.request(spec, operation="read", idempotency=Idempotency.READ)


def test_no_proxy_in_the_environment_bypasses_the_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.delenv("no_proxy", raising=False)
    with serve(LedgerVendor()) as base_url, Transport("env") as transport:
        spec = RequestSpec("GET", f"{base_url}/items/1")
        response = transport.request(spec, operation="read", idempotency=Idempotency.READ)
    assert 200 == response.status_code
