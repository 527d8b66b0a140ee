"""Viettel's wire module: the call the client makes (zeep, from the shipped WSDL) is the
call the simulator reads."""

from __future__ import annotations

from connectors.sms import Message
from connectors.sms.viettel.wire import (
    DEFAULT_PROFILE,
    OK_MESSAGE,
    MtCall,
    call_of,
    fault_xml,
    refusal_text,
    reply_xml,
    request_id_for,
)
from connectors.testing import mount
from tests.sms import harnesses

CALL = MtCall(
    user="smsbrand_test",
    password="fake-password-2",
    cp_code="CP-TEST",
    request_id=request_id_for("HS-1:sms"),
    receiver="84912345678",
    brandname=harnesses.BRAND,
    command_code="bulksms",
    content="Ho so HS-0001 da thanh toan 50.000 dong. Ma tra cuu bien lai: BL-77",
    user_id="84912345678",
)
CHECKS = {"user": CALL.user, "password": CALL.password, "cp_code": CALL.cp_code}


def test_the_call_the_client_sends_reads_back() -> None:
    message = Message("0912345678", template_id="paid", params=harnesses.PARAMS)
    with mount(harnesses.viettel_sim(), harnesses.VIETTEL_URL) as mock:
        harnesses.viettel_sender(harnesses.VIETTEL_URL).send(message, "HS-1:sms")
        (call,) = list(mock.calls)
    assert CALL == call_of(call.request.body)


def test_replies_and_faults() -> None:
    assert f"<message>{OK_MESSAGE}</message><result>1</result>" in reply_xml(OK_MESSAGE, 1)
    assert "<message>a &lt;b&gt;</message>" in reply_xml("a <b>", 0)
    assert "<faultstring>Check information error</faultstring>" in fault_xml()
    assert call_of(b"<not-soap/>") is None
    assert call_of(b"not xml at all") is None


def test_a_good_call_passes_every_check_and_a_bad_one_names_the_first_fault() -> None:
    assert refusal_text(CALL, **CHECKS, profile=DEFAULT_PROFILE) is None
    blank = MtCall(**{**CALL.__dict__, "cp_code": "", "request_id": ""})
    assert "Authenticate: Cp_code: NULL_OR_BLANK" == refusal_text(blank, **CHECKS)
    unknown = MtCall(**{**CALL.__dict__, "request_id": ""})
    assert "Check RequestID: NULL_OR_BLANK" == refusal_text(unknown, **CHECKS)
