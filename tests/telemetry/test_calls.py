"""A span and the call metrics per vendor call: outcome, attempts, HTTP status, domain."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from opentelemetry.trace import SpanKind, StatusCode

from connectors.core import (
    ConnectionFailed,
    Idempotency,
    OutcomeUnknown,
    RequestSpec,
    RetryPolicy,
    Timeouts,
    Transport,
)
from connectors.core.codes import CodeTable
from connectors.core.errors import Rejected
from connectors.einvoice.codes import ResultCode
from connectors.testing import (
    CommitThenStatus,
    SimRequest,
    SimResponse,
    Simulator,
    Status,
    mount,
)
from tests.telemetry.capture import Captured

URL = "https://vendor.sim.test"
CALLS = "connectors.vendor.calls"


class Vendor(Simulator):
    provider = "vendor"

    def __init__(self) -> None:
        super().__init__()
        self.add_route("POST", "/send", self._send, name="send")
        self.add_route("POST", "/refuse", self._refuse, name="refuse")

    def _send(self, request: SimRequest) -> SimResponse:
        self.ledger.record("sent", request.text())
        return SimResponse.json({"ok": True})

    def _refuse(self, request: SimRequest) -> SimResponse:
        return SimResponse.json({"error": "no"}, 400)


@pytest.fixture
def vendor() -> Iterator[Vendor]:
    sim = Vendor()
    with mount(sim, URL):
        yield sim


def _transport() -> Transport:
    return Transport(
        "vendor",
        timeouts=Timeouts(connect=1, read=1, total=5),
        retry=RetryPolicy(max_attempts=3, sleep=lambda _s: None),
    )


def test_an_ok_call_is_one_client_span_with_its_facts(vendor: Vendor, otel: Captured) -> None:
    with _transport() as transport:
        response = transport.request(
            RequestSpec("POST", f"{URL}/send", json={"x": 1}),
            operation="send",
            idempotency=Idempotency.KEYED_WRITE,
            idempotency_key="K-1",
        )
    assert 200 == response.status_code
    [span] = otel.spans()
    assert "vendor send" == span.name
    assert SpanKind.CLIENT == span.kind
    assert {
        "connectors.domain": "other",
        "connectors.provider": "vendor",
        "connectors.operation": "send",
        "connectors.idempotency": "keyed_write",
        "connectors.attempts": 1,
        "connectors.outcome": "ok",
        "http.response.status_code": 200,
    } == dict(span.attributes or {})
    assert StatusCode.UNSET == span.status.status_code
    assert 1 == otel.total(CALLS, **{"connectors.outcome": "ok"})
    assert 1 == otel.total("connectors.vendor.call.duration", **{"connectors.provider": "vendor"})
    assert 0 == otel.total("connectors.vendor.retries")


def test_retries_are_counted_and_an_answer_of_400_is_rejected(
    vendor: Vendor, otel: Captured
) -> None:
    vendor.faults.add("send", Status(503), times=2)
    with _transport() as transport:
        transport.request(
            RequestSpec("POST", f"{URL}/send"), operation="send", idempotency=Idempotency.READ
        )
        refused = transport.request(
            RequestSpec("POST", f"{URL}/refuse"), operation="refuse", idempotency=Idempotency.READ
        )
    assert 400 == refused.status_code
    sent, rejected = otel.spans()
    assert (3, "ok", 200) == (
        sent.attributes["connectors.attempts"],
        sent.attributes["connectors.outcome"],
        sent.attributes["http.response.status_code"],
    )
    assert ("rejected", 400) == (
        rejected.attributes["connectors.outcome"],
        rejected.attributes["http.response.status_code"],
    )
    assert 2 == otel.total("connectors.vendor.retries", **{"connectors.operation": "send"})
    assert 1 == otel.total(CALLS, **{"connectors.outcome": "rejected"})


def test_an_unkeyed_write_whose_answer_is_lost_is_unknown(vendor: Vendor, otel: Captured) -> None:
    vendor.faults.add("send", CommitThenStatus(502))
    with _transport() as transport, pytest.raises(OutcomeUnknown):
        transport.request(
            RequestSpec("POST", f"{URL}/send"),
            operation="send",
            idempotency=Idempotency.UNKEYED_WRITE,
        )
    [span] = otel.spans()
    assert ("unknown", 1, 502, "OutcomeUnknown") == (
        span.attributes["connectors.outcome"],
        span.attributes["connectors.attempts"],
        span.attributes["http.response.status_code"],
        span.attributes["error.type"],
    )
    assert (StatusCode.ERROR, "OutcomeUnknown") == (
        span.status.status_code,
        span.status.description,
    )
    assert 1 == otel.total("connectors.vendor.unknown_outcomes", **{"connectors.operation": "send"})
    assert 1 == len(vendor.ledger)  # the vendor did act: hence "unknown"


def test_a_refused_connection_is_a_transport_error(otel: Captured) -> None:
    transport = Transport(
        "vendor",
        timeouts=Timeouts(connect=0.5, read=0.5, total=2),
        retry=RetryPolicy(max_attempts=2, sleep=lambda _s: None),
    )
    with transport, pytest.raises(ConnectionFailed):
        transport.request(
            RequestSpec("GET", "http://127.0.0.1:9/none"),
            operation="read",
            idempotency=Idempotency.READ,
        )
    [span] = otel.spans()
    assert ("transport_error", 2) == (
        span.attributes["connectors.outcome"],
        span.attributes["connectors.attempts"],
    )
    assert "http.response.status_code" not in span.attributes
    assert 1 == otel.total(CALLS, **{"connectors.outcome": "transport_error"})


def test_a_domain_error_table_counts_the_vendors_refusals(otel: Captured) -> None:
    table: CodeTable[ResultCode] = CodeTable({}, default=Rejected)
    error = table.error(
        ResultCode.INVALID_DATA, "no", provider="viettel", operation="issue", vendor_code="E1"
    )
    assert isinstance(error, Rejected)
    [point] = otel.points("connectors.vendor.rejections")
    assert {
        "connectors.provider": "viettel",
        "connectors.operation": "issue",
        "connectors.code": ResultCode.INVALID_DATA.value,
    } == point.attributes


def test_nothing_is_recorded_once_disabled(vendor: Vendor, otel: Captured) -> None:
    from connectors.core import telemetry

    telemetry.disable()
    assert not telemetry.enabled()
    with _transport() as transport:
        transport.request(
            RequestSpec("POST", f"{URL}/send"), operation="send", idempotency=Idempotency.READ
        )
    assert [] == otel.spans()
    assert [] == otel.points()
