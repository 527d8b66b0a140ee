"""The zeep factory: shipped WSDL only, calls through our transport, faults mapped."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from connectors.core import (
    ConfigError,
    Idempotency,
    OutcomeUnknown,
    ProviderError,
    Redactor,
    Rejected,
    RetryPolicy,
    SoapClient,
    Timeouts,
    Transport,
    parse_xml,
)
from connectors.core.errors import ResponseTooLarge
from connectors.testing import (
    Oversize,
    SimRequest,
    SimResponse,
    Simulator,
    TimeoutAfterCommit,
    Truncated,
    mount,
    serve,
)

WSDL = Path(__file__).parent / "data" / "echo.wsdl"
URL = "https://echo.sim.test/ws"
NS = "http://echo.test/"
ENV = "http://schemas.xmlsoap.org/soap/envelope/"


class EchoSimulator(Simulator):
    provider = "echo"

    def __init__(self) -> None:
        super().__init__()
        self.add_route("POST", "/ws", self._echo, name="echo")

    def _echo(self, request: SimRequest) -> SimResponse:
        root = parse_xml(request.body, what="SOAP request")
        call = root.find(f"{{{ENV}}}Body/{{{NS}}}echo")
        assert call is not None
        text = call.findtext("Text") or ""
        self.ledger.record("echo", text, user=call.findtext("User"))
        if text == "teapot":
            return SimResponse.text("gateway says no; Password=pw-123456", 418)
        if text == "fault":
            return SimResponse.xml(
                f'<S:Envelope xmlns:S="{ENV}"><S:Body><S:Fault><faultcode>S:Server</faultcode>'
                "<faultstring>Check information error</faultstring></S:Fault>"
                "</S:Body></S:Envelope>",
                500,
            )
        return SimResponse.xml(
            f'<S:Envelope xmlns:S="{ENV}"><S:Body><ns2:echoResponse xmlns:ns2="{NS}">'
            f"<return>echo:{text}</return></ns2:echoResponse></S:Body></S:Envelope>"
        )


def make_client(sleeps: list[float] | None = None, url: str = URL) -> SoapClient:
    transport = Transport(
        "echo",
        timeouts=Timeouts(read=0.3),
        retry=RetryPolicy(max_attempts=2, sleep=(sleeps if sleeps is not None else []).append),
        redactor=Redactor(secret_fields=["Password"]),
    )
    return SoapClient(WSDL, transport, endpoint=url)


def test_call_goes_through_the_transport_to_the_endpoint() -> None:
    sim = EchoSimulator()
    with mount(sim, "https://echo.sim.test"):
        result = make_client().call(
            "echo", idempotency=Idempotency.READ, User="u", Password="pw-123456", Text="xin chào"
        )
    assert "echo:xin chào" == result
    assert 1 == sim.ledger.count("echo", "xin chào")


def test_call_on_a_loopback_port() -> None:
    sim = EchoSimulator()
    with serve(sim) as base_url:
        result = make_client(url=f"{base_url}/ws").call(
            "echo", idempotency=Idempotency.READ, User="u", Password="p", Text="a"
        )
    assert "echo:a" == result


def test_soap_fault_becomes_provider_error_with_vendor_text() -> None:
    sim = EchoSimulator()
    with mount(sim, "https://echo.sim.test"), pytest.raises(ProviderError) as raised:
        make_client().call(
            "echo", idempotency=Idempotency.READ, User="u", Password="p", Text="fault"
        )
    assert "Check information error" == raised.value.vendor_message
    assert "echo" == raised.value.operation


def test_http_error_without_a_soap_fault_keeps_its_status_and_redacts() -> None:
    sim = EchoSimulator()
    with mount(sim, "https://echo.sim.test"), pytest.raises(Rejected) as raised:
        make_client().call(
            "echo", idempotency=Idempotency.READ, User="u", Password="pw-123456", Text="teapot"
        )
    assert 418 == raised.value.http_status
    assert "echo" == raised.value.operation
    assert "pw-123456" not in str(raised.value.body_excerpt)
    assert "gateway says no" in str(raised.value.body_excerpt)


def test_keyless_soap_write_timing_out_after_commit_is_outcome_unknown() -> None:
    sim = EchoSimulator()
    sim.faults.add("echo", TimeoutAfterCommit(2.0))
    with mount(sim, "https://echo.sim.test"), pytest.raises(OutcomeUnknown):
        make_client().call(
            "echo", idempotency=Idempotency.UNKEYED_WRITE, User="u", Password="p", Text="once"
        )
    assert 1 == sim.ledger.count("echo")
    assert 1 == len(sim.requests_to("echo"))


def test_keyless_soap_write_answered_with_a_fault_is_outcome_unknown() -> None:
    # A SOAP fault is an HTTP 500: the server may have acted before it failed.
    sim = EchoSimulator()
    with mount(sim, "https://echo.sim.test"), pytest.raises(OutcomeUnknown) as raised:
        make_client().call(
            "echo", idempotency=Idempotency.UNKEYED_WRITE, User="u", Password="p", Text="fault"
        )
    assert 500 == raised.value.http_status
    assert 1 == sim.ledger.count("echo")


def test_keyless_soap_write_cut_short_after_commit_is_outcome_unknown() -> None:
    sim = EchoSimulator()
    sim.faults.add("echo", Truncated(20))
    with serve(sim) as base_url, pytest.raises(OutcomeUnknown):
        make_client(url=f"{base_url}/ws").call(
            "echo", idempotency=Idempotency.UNKEYED_WRITE, User="u", Password="p", Text="once"
        )
    assert 1 == sim.ledger.count("echo")
    assert 1 == len(sim.requests_to("echo"))


def test_each_soap_call_may_carry_its_own_answer_size_limit() -> None:
    sim = EchoSimulator()
    client = make_client()
    with mount(sim, "https://echo.sim.test"):
        sim.faults.add("echo", Oversize(50_000))
        with pytest.raises(ResponseTooLarge) as raised:
            client.call(
                "echo",
                idempotency=Idempotency.READ,
                max_response_bytes=10_000,
                User="u",
                Password="p",
                Text="big",
            )
        assert 10_000 == raised.value.limit
        assert "echo:small" == client.call(
            "echo", idempotency=Idempotency.READ, User="u", Password="p", Text="small"
        )


def test_keyed_soap_write_is_retried_with_the_same_key() -> None:
    sim = EchoSimulator()
    sim.faults.add("echo", TimeoutAfterCommit(2.0))
    with mount(sim, "https://echo.sim.test"):
        result = make_client().call(
            "echo",
            idempotency=Idempotency.KEYED_WRITE,
            idempotency_key="1001",
            User="u",
            Password="p",
            Text="twice",
        )
    assert "echo:twice" == result
    assert 2 == len(sim.requests_to("echo"))


def test_wsdl_that_imports_a_remote_schema_is_refused(tmp_path: Path) -> None:
    remote = WSDL.read_text().replace(
        "<types>",
        '<types><xs:schema><xs:import namespace="urn:x" '
        'schemaLocation="http://127.0.0.1:9/evil.xsd"/></xs:schema>',
    )
    wsdl = tmp_path / "remote.wsdl"
    wsdl.write_text(remote)
    with pytest.raises(ConfigError, match="refusing to fetch"):
        SoapClient(wsdl, Transport("echo"))


def test_zeep_never_logs_envelopes(caplog: pytest.LogCaptureFixture) -> None:
    sim = EchoSimulator()
    with caplog.at_level(logging.DEBUG), mount(sim, "https://echo.sim.test"):
        make_client().call(
            "echo", idempotency=Idempotency.READ, User="u", Password="pw-SECRET-77", Text="x"
        )
    zeep_records = [r.getMessage() for r in caplog.records if r.name.startswith("zeep")]
    assert [] == [m for m in zeep_records if "Envelope" in m or "HTTP Post" in m]
    assert "pw-SECRET-77" not in caplog.text
