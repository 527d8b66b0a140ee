"""Routing by carrier and the failover matrix: which faults fail over, which never do."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.core import ConfigError, OutcomeUnknown, ProviderError, ValidationError
from connectors.sms import FailoverExhausted, Message, RoutingSender, SendStatus, SmsErrorCode
from connectors.sms.errors import may_fail_over
from connectors.testing import (
    CommitThenStatus,
    Fault,
    Status,
    TimeoutAfterCommit,
    TooManyRequests,
    serve,
)
from connectors.testing.simulators.sms import MobifoneSmsSimulator, ViettelSmsSimulator
from tests.sms import harnesses
from tests.sms.harnesses import PARAMS

C = SmsErrorCode


@dataclass
class Pair:
    a: MobifoneSmsSimulator
    b: ViettelSmsSimulator
    a_url: str
    b_url: str

    def router(self, a_url: str | None = None) -> RoutingSender:
        return RoutingSender(
            {
                "mobifone": harnesses.mobifone_sender(a_url or self.a_url),
                "viettel": harnesses.viettel_sender(self.b_url),
            },
            default=["mobifone", "viettel"],
            routes={"viettel": ["viettel", "mobifone"]},
        )


@pytest.fixture
def pair() -> Iterator[Pair]:
    a, b = harnesses.mobifone_sim(), harnesses.viettel_sim()
    with serve(a) as a_url, serve(b) as b_url:
        yield Pair(a, b, a_url, b_url)


def paid(recipient: str = "0912345678") -> Message:
    return Message(recipient, template_id="paid", params=PARAMS)


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens: connection refused


@pytest.mark.parametrize(
    "code",
    [C.AUTH, C.IP_NOT_ALLOWED, C.QUOTA, C.BRANDNAME_NOT_REGISTERED_FOR_TELCO, C.TEMPORARY,
     C.RATE_LIMITED],
)  # fmt: skip
def test_provider_side_refusal_fails_over_to_b(pair: Pair, code: SmsErrorCode) -> None:
    pair.a.force(code)
    result = pair.router().send(paid(), "HS-1:sms")
    assert ("viettel", ("mobifone",)) == (result.provider, result.tried)
    assert (0, 1) == (pair.a.ledger.count("sms"), pair.b.ledger.count("sms"))


@pytest.mark.parametrize(
    "code", [C.INVALID_NUMBER, C.TEMPLATE_MISMATCH, C.CONTENT_REJECTED, C.TOO_LONG]
)
def test_message_side_refusal_never_fails_over(pair: Pair, code: SmsErrorCode) -> None:
    pair.a.force(code)
    with pytest.raises(ProviderError) as raised:
        pair.router().send(paid(), "HS-1:sms")
    assert (code.value, "mobifone") == (raised.value.code, raised.value.provider)
    assert [] == pair.b.requests_to("wsCpMt")
    assert 0 == pair.b.ledger.count("sms")


def test_provider_down_fails_over(pair: Pair) -> None:
    result = pair.router(a_url=closed_port_url()).send(paid(), "HS-1:sms")
    assert ("viettel", ("mobifone",)) == (result.provider, result.tried)
    assert 1 == pair.b.ledger.count("sms")


def test_too_many_requests_fails_over(pair: Pair) -> None:
    pair.a.faults.add("send", TooManyRequests(1.0))
    result = pair.router().send(paid(), "HS-1:sms")
    assert "viettel" == result.provider


@pytest.mark.parametrize(
    "fault",
    [TimeoutAfterCommit(5.0), Status(500, b"oops"), Status(503, b"busy")],
    ids=["timeout-after-commit", "http-500", "http-503"],
)
def test_maybe_accepted_never_fails_over(pair: Pair, fault: Fault) -> None:
    pair.a.faults.add("send", fault)
    with pytest.raises(OutcomeUnknown) as raised:
        pair.router().send(paid(), "HS-1:sms")
    assert "HS-1:sms" == raised.value.idempotency_key
    assert [] == pair.b.requests_to("wsCpMt")  # B never asked: no second SMS
    processed = 1 if isinstance(fault, TimeoutAfterCommit) else 0
    assert processed == pair.a.ledger.count("sms")


def test_outcome_unknown_is_reported_in_a_batch(pair: Pair) -> None:
    pair.a.faults.add("send", TimeoutAfterCommit(5.0))
    message = Message("0912345678", template_id="paid", params=PARAMS, idempotency_key="HS-7:sms")
    batch = pair.router().send_many([message])
    assert [SendStatus.UNKNOWN] == [r.status for r in batch.results]
    assert batch.results[0].failover_ok is False
    assert "HS-7:sms" == batch.results[0].idempotency_key


def test_carrier_table_routes_viettel_numbers_through_viettel(pair: Pair) -> None:
    router = pair.router()
    viettel_number = router.send(paid("0987654321"), "K-1")
    vinaphone_number = router.send(paid("0912345678"), "K-2")
    assert ("viettel", "mobifone") == (viettel_number.provider, vinaphone_number.provider)
    assert ["0987654321"] == [e.data["recipient"] for e in pair.b.sent()]
    assert ["0912345678"] == [e.data["recipient"] for e in pair.a.sent()]


def test_a_key_that_failed_over_is_not_sent_to_a_later(pair: Pair) -> None:
    router = pair.router()
    pair.a.force(C.QUOTA)
    router.send(paid(), "HS-1:sms")
    again = router.send(paid(), "HS-1:sms")
    assert (True, "viettel") == (again.duplicate, again.provider)
    assert 1 == len(pair.a.requests_to("send"))
    assert (0, 1) == (pair.a.ledger.count("sms"), pair.b.ledger.count("sms"))


def test_every_provider_refusing_raises_failover_exhausted(pair: Pair) -> None:
    pair.a.force(C.AUTH)
    pair.b.force(C.QUOTA)
    with pytest.raises(FailoverExhausted) as raised:
        pair.router().send(paid(), "HS-1:sms")
    assert ["mobifone", "viettel"] == list(raised.value.errors)
    assert C.QUOTA.value == raised.value.code
    assert 0 == pair.a.ledger.count("sms") + pair.b.ledger.count("sms")


def test_router_makes_a_key_and_needs_known_providers(pair: Pair) -> None:
    result = pair.router().send(paid())
    assert result.idempotency_key is not None
    assert 32 == len(result.idempotency_key)
    with pytest.raises(ValidationError) as raised:
        pair.router().send(paid(), "")
    assert "idempotency_key" == raised.value.field
    with pytest.raises(ConfigError):
        RoutingSender({"mobifone": harnesses.mobifone_sender(pair.a_url)}, default=["vnpt"])


FORCEABLE = [c for c in SmsErrorCode if c not in (C.DUPLICATE, C.UNKNOWN)]


@settings(max_examples=40)
@given(a_codes=st.lists(st.sampled_from(FORCEABLE), max_size=2),
       b_codes=st.lists(st.sampled_from(FORCEABLE), max_size=1))  # fmt: skip
def test_never_more_than_one_sms_whatever_the_providers_answer(
    a_codes: list[SmsErrorCode], b_codes: list[SmsErrorCode]
) -> None:
    a, b = harnesses.mobifone_sim(), harnesses.viettel_sim()
    for code in a_codes:
        a.force(code)
    for code in b_codes:
        b.force(code)
    with serve(a) as a_url, serve(b) as b_url:
        router = RoutingSender(
            {
                "mobifone": harnesses.mobifone_sender(a_url),
                "viettel": harnesses.viettel_sender(b_url),
            },
            default=["mobifone", "viettel"],
        )
        message = Message("0912345678", template_id="paid", params=PARAMS, idempotency_key="K")
        outcome = router.send_many([message]).results[0]
        after_first = a.ledger.count("sms") + b.ledger.count("sms")
        asked_b = len(b.requests_to("wsCpMt")) > 0
        replay = router.send_many([message]).results[0]
    assert (1 if outcome.accepted else 0) == after_first
    first = a_codes[0] if a_codes else None
    assert asked_b is (first is not None and first.failover_ok)
    if outcome.accepted:  # a replay of an accepted key sends nothing
        assert replay.duplicate is True
        assert after_first == a.ledger.count("sms") + b.ledger.count("sms")
    assert a.ledger.count("sms") + b.ledger.count("sms") <= 1


def test_an_unrecognised_soap_fault_after_commit_never_fails_over(pair: Pair) -> None:
    """Viettel answers with SOAP faults; one it does not document may come after it took the
    message, so it is no explicit refusal: the router must not try MobiFone."""
    fault = (
        '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body><S:Fault>'
        "<faultcode>S:Server</faultcode><faultstring>java.lang.NullPointerException"
        "</faultstring></S:Fault></S:Body></S:Envelope>"
    )
    pair.b.faults.add("wsCpMt", CommitThenStatus(500, fault.encode(), "text/xml"))
    with pytest.raises(ProviderError) as raised:
        pair.router().send(paid("0987654321"), "HS-9:sms")
    assert may_fail_over(raised.value) is False
    assert 1 == pair.b.ledger.count("sms")
    assert [] == pair.a.requests_to("send")  # MobiFone never asked: no second SMS
