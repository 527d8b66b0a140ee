"""Viettel wsCpMt: the SOAP envelope on the wire, RequestID, Viettel's own error texts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.core import OutcomeUnknown, ProviderError, parse_xml
from connectors.sms import Message, SmsErrorCode, may_fail_over
from connectors.sms.viettel import request_id_for
from connectors.sms.viettel.wire import NAMESPACE
from connectors.testing import Malformed, Status, mount, serve
from connectors.testing.simulators.sms import ViettelSmsSimulator
from tests.sms import harnesses
from tests.sms.harnesses import BRAND, PAID, PARAMS, VIETTEL_URL

ENV = "http://schemas.xmlsoap.org/soap/envelope/"
FIELDS = ["User", "Password", "CPCode", "RequestID", "UserID", "ReceiverID", "ServiceID",
          "CommandCode", "Content", "ContentType"]  # fmt: skip


def paid(recipient: str = "0912345678", **params: str) -> Message:
    return Message(recipient, template_id="paid", params={**PARAMS, **params})


def test_envelope_on_the_wire() -> None:
    sim = harnesses.viettel_sim()
    with mount(sim, VIETTEL_URL) as mock:
        harnesses.viettel_sender(VIETTEL_URL).send(paid(), "HS-1:sms")
        (call,) = list(mock.calls)
    assert f"{VIETTEL_URL}/bulkapi" == call.request.url
    assert call.request.headers["Content-Type"].startswith("text/xml")
    root = parse_xml(call.request.body, what="request")
    operation = root.find(f"{{{ENV}}}Body/{{{NAMESPACE}}}wsCpMt")
    assert operation is not None
    assert FIELDS == [child.tag for child in operation]  # unqualified, in order
    values = {child.tag: child.text for child in operation}
    assert {
        "User": "smsbrand_test",
        "Password": "fake-password-2",
        "CPCode": "CP-TEST",
        "RequestID": request_id_for("HS-1:sms"),
        "UserID": "84912345678",
        "ReceiverID": "84912345678",
        "ServiceID": BRAND,
        "CommandCode": "bulksms",
        "Content": "Ho so HS-0001 da thanh toan 50.000 dong. Ma tra cuu bien lai: BL-77",
        "ContentType": "0",
    } == values
    assert [request_id_for("HS-1:sms")] == [e.data["request_id"] for e in sim.sent()]


@given(st.text(min_size=1, max_size=200))
def test_request_id_is_numeric_and_stable(key: str) -> None:
    request_id = request_id_for(key)
    assert request_id.isascii()
    assert request_id.isdigit()
    assert not request_id.startswith("0")
    assert len(request_id) <= 15
    assert request_id == request_id_for(key)


def test_a_short_numeric_key_is_used_as_it_is() -> None:
    assert "20250701123" == request_id_for("20250701123")
    assert "0123" != request_id_for("0123")


@pytest.mark.parametrize(
    ("options", "code", "text"),
    [
        ({"password": "other-pw"}, SmsErrorCode.AUTH,
         "Authenticate: WRONG_INFORMATION_AUTHENTICATE"),
        ({"cp_code": "CP-OTHER"}, SmsErrorCode.AUTH, "Authenticate: CP_CODE_NOT_FOUND"),
        ({"brandnames": {BRAND: ["viettel"]}}, SmsErrorCode.BRANDNAME_NOT_REGISTERED_FOR_TELCO,
         "Check ServiceID: ALIAS_INVALID:TELCO=VN"),
        ({"quota": 0}, SmsErrorCode.QUOTA, "NOT_ENOUGH_BALANCE"),
    ],
)  # fmt: skip
def test_gateway_refusals_keep_viettel_text(
    options: dict[str, object], code: SmsErrorCode, text: str
) -> None:
    settings: dict[str, object] = {"brandnames": [BRAND], "templates": {BRAND: [PAID]}, **options}
    sim = ViettelSmsSimulator(**settings)  # type: ignore[arg-type]
    with mount(sim, VIETTEL_URL), pytest.raises(ProviderError) as raised:
        harnesses.viettel_sender(VIETTEL_URL).send(paid(), "K")
    assert (code.value, "0", text) == (
        raised.value.code,
        raised.value.vendor_code,
        raised.value.vendor_message,
    )
    assert 0 == sim.ledger.count("sms")


def test_blacklisted_word_is_refused_without_failover() -> None:
    sim = harnesses.viettel_sim()
    with mount(sim, VIETTEL_URL), pytest.raises(ProviderError) as raised:
        harnesses.viettel_sender(VIETTEL_URL).send(paid(code="casino"), "K")
    assert SmsErrorCode.CONTENT_REJECTED.value == raised.value.code
    assert may_fail_over(raised.value) is False


def test_same_content_within_the_window_counts_as_already_sent() -> None:
    sim = harnesses.viettel_sim()
    with mount(sim, VIETTEL_URL):
        first = harnesses.viettel_sender(VIETTEL_URL).send(paid(), "K-1")
        second = harnesses.viettel_sender(VIETTEL_URL).send(paid(), "K-2")
    assert (False, True) == (first.duplicate, second.duplicate)
    assert "Check ServiceID: DUPLICATE MESSAGE" == second.vendor_message
    assert 1 == sim.ledger.count("sms")


def test_soap_fault_is_an_explicit_temporary_refusal() -> None:
    sim = harnesses.viettel_sim()
    fault = (
        f'<S:Envelope xmlns:S="{ENV}"><S:Body><S:Fault><faultcode>S:Server</faultcode>'
        "<faultstring>Check information error</faultstring></S:Fault></S:Body></S:Envelope>"
    ).encode()
    sim.faults.add("wsCpMt", Status(500, fault, "text/xml"))
    with mount(sim, VIETTEL_URL), pytest.raises(ProviderError) as raised:
        harnesses.viettel_sender(VIETTEL_URL).send(paid(), "K")
    assert SmsErrorCode.TEMPORARY.value == raised.value.code
    assert raised.value.retryable is True
    assert "Check information error" == raised.value.vendor_message
    assert may_fail_over(raised.value) is True


def test_http_401_without_soap_is_an_auth_error() -> None:
    sim = harnesses.viettel_sim()
    sim.faults.add("wsCpMt", Status(401, b"Unauthorized"))
    with mount(sim, VIETTEL_URL), pytest.raises(ProviderError) as raised:
        harnesses.viettel_sender(VIETTEL_URL).send(paid(), "K")
    assert (SmsErrorCode.AUTH.value, 401) == (raised.value.code, raised.value.http_status)


def test_unreadable_reply_is_outcome_unknown_with_the_key() -> None:
    sim = harnesses.viettel_sim()
    sim.faults.add("wsCpMt", Malformed(content_type="text/xml"))
    with mount(sim, VIETTEL_URL), pytest.raises(OutcomeUnknown) as raised:
        harnesses.viettel_sender(VIETTEL_URL).send(paid(), "HS-1:sms")
    assert "HS-1:sms" == raised.value.idempotency_key


def test_on_loopback() -> None:
    sim = harnesses.viettel_sim()
    with serve(sim) as url:
        result = harnesses.viettel_sender(url).send(paid("0987654321"), "HS-1:sms")
    assert (True, "Insert MT_QUEUE: OK") == (result.accepted, result.vendor_message)
    assert ["0987654321"] == [e.data["recipient"] for e in sim.sent()]
