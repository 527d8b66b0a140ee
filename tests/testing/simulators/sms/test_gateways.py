"""The SMS simulators' own rules, driven with raw requests in each vendor's wire format (no
adapter in between), and their place in the catalogue."""

from __future__ import annotations

import functools
import json
from typing import Any

import pytest
import requests

from connectors.providers import by_domain
from connectors.sms.esms.wire import SendBody, send_body
from connectors.sms.mobifone.wire import SESSION_EXPIRED, SID_NOT_PASSED, login_form
from connectors.sms.viettel.wire import MtCall, call_fields
from connectors.sms.vnpt.wire import DEFAULT_PROFILE as VNPT
from connectors.sms.vnpt.wire import SendRequest, send_request
from connectors.testing import mount
from connectors.testing.simulators.sms import SmsSimulator
from tests.sms import harnesses

URL = "https://gateway.sim.test"
post = functools.partial(requests.post, timeout=5)
get = functools.partial(requests.get, timeout=5)
NUMBER = "84912345678"
TEXT = "Ho so HS-1 da thanh toan 50.000 dong. Ma tra cuu bien lai: BL-77"


@pytest.mark.parametrize("entry", by_domain("sms"), ids=lambda e: e.name)
def test_each_simulator_is_named_after_its_provider(entry: Any) -> None:
    sim = entry.make_simulator()
    assert isinstance(sim, SmsSimulator)
    assert entry.name == sim.provider == type(sim).vendor.name


# -- MobiFone ------------------------------------------------------------------------------


def test_mobifone_sessions_on_the_wire() -> None:
    sim = harnesses.mobifone_sim()
    send = {"sender": harnesses.BRAND, "recipient": NUMBER, "content": TEXT}
    with mount(sim, URL):
        refused = post(f"{URL}/smsg/login.jsp", data=login_form("x", "y", sim.profile))
        no_sid = post(f"{URL}/smsg/send.jsp", data=send)
        stale = post(f"{URL}/smsg/send.jsp", data={**send, "sid": "not-a-session"})
        login = post(
            f"{URL}/smsg/login.jsp", data=login_form("portal-test", "fake-password-1", sim.profile)
        )
        sent = post(f"{URL}/smsg/send.jsp", data={**send, "sid": login.json()["sid"]})
    assert {"status": "401", "message": "AuthenticationFailed"} == refused.json()
    assert (401, SID_NOT_PASSED) == (no_sid.status_code, no_sid.text)
    assert (401, SESSION_EXPIRED) == (stale.status_code, stale.text)
    assert {"status": "200", "message": "Sent"} == sent.json()
    assert [("0912345678", TEXT)] == [(e.data["recipient"], e.data["text"]) for e in sim.sent()]


# -- Viettel -------------------------------------------------------------------------------


def ws_cp_mt(sim: Any, **changes: Any) -> requests.Response:
    call = MtCall(
        user="smsbrand_test",
        password="fake-password-2",
        cp_code="CP-TEST",
        request_id="123456789012345",
        receiver=NUMBER,
        brandname=harnesses.BRAND,
        command_code="bulksms",
        content=TEXT,
    )
    fields = {**call_fields(call), **changes}
    params = "".join(f"<{k}>{v}</{k}>" for k, v in fields.items())
    envelope = (
        '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>'
        f'<ns:wsCpMt xmlns:ns="http://impl.bulkSms.ws/">{params}</ns:wsCpMt></S:Body></S:Envelope>'
    )
    with mount(sim, URL):
        return post(f"{URL}/bulkapi", data=envelope.encode())


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"CPCode": ""}, "Authenticate: Cp_code: NULL_OR_BLANK"),
        ({"CPCode": "OTHER"}, "Authenticate: CP_CODE_NOT_FOUND"),
        ({"Password": "wrong"}, "Authenticate: WRONG_INFORMATION_AUTHENTICATE"),
        ({"RequestID": "abc"}, "Check RequestID: REQUEST_ID_NOT_NUMBER"),
        ({"ReceiverID": "0912345678", "UserID": "0912345678"}, "Length of ReceiverID is invalid."),
        ({"UserID": "84987654321"}, "UserID_NOT_EQUAL_ReceiverID"),
        ({"CommandCode": "other"}, "Check CommandCode: COMMAND_CODE_ERROR"),
        ({"Content": "casino tonight"}, "Check Content: MSG_ERROR_CONTAIN_BLACKLIST"),
        ({"ServiceID": "NOBRAND"}, "Check ServiceID: ALIAS_INVALID:TELCO=VN"),
        ({}, "Insert MT_QUEUE: OK"),
    ],
)
def test_viettel_checks_in_the_order_of_its_error_list(changes: dict[str, str], text: str) -> None:
    sim = harnesses.viettel_sim()
    answer = ws_cp_mt(sim, **changes)
    assert f"<message>{text}</message>" in answer.text
    assert (1 if text.startswith("Insert") else 0) == sim.ledger.count("sms")


def test_viettel_answers_an_unreadable_call_with_a_fault() -> None:
    sim = harnesses.viettel_sim()
    with mount(sim, URL):
        answer = post(f"{URL}/bulkapi", data=b"<not-soap/>")
    assert 500 == answer.status_code
    assert "<faultstring>Check information error</faultstring>" in answer.text


# -- VNPT ----------------------------------------------------------------------------------


def send_sms_list(sim: Any, body: Any) -> dict[str, str]:
    with mount(sim, URL):
        answer = post(f"{URL}/smsbn/api", json=body)
    rply: dict[str, str] = answer.json()["RPLY"]
    return rply


def vnpt_request(**changes: Any) -> SendRequest:
    values: dict[str, Any] = {
        "reqid": "100000000000001",
        "label_id": harnesses.VNPT_LABEL_ID,
        "contract_id": "HD-1",
        "template_id": harnesses.VNPT_TEMPLATE_ID,
        "params": ("HS-1", "50.000", "BL-77"),
        "msisdn": NUMBER,
        "agent_id": "AG-TEST",
        "api_user": "api-test",
        "api_pass": "fake-password-3",
        "username": "u",
        "accented": False,
    }
    return SendRequest(**{**values, **changes})


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"nothing": 1}, "-1"),
        (send_request(vnpt_request(api_pass="wrong"), VNPT), "1"),
        (send_request(vnpt_request(agent_id="AG-X"), VNPT), "15"),
        (send_request(vnpt_request(label_id="9"), VNPT), "14"),
        (send_request(vnpt_request(params=("only one",)), VNPT), "7"),
        (send_request(vnpt_request(msisdn="84912345678,84987654321"), VNPT), "23"),
        (send_request(vnpt_request(accented=True, msisdn="84987654321"), VNPT), "25"),
        (send_request(vnpt_request(), VNPT), "0"),
    ],
)
def test_vnpt_answers_each_refusal_with_its_code(body: Any, error: str) -> None:
    sim = harnesses.vnpt_sim()
    assert error == send_sms_list(sim, body)["ERROR"]
    assert (1 if error == "0" else 0) == sim.ledger.count("sms")


def test_vnpt_refuses_a_request_id_used_before() -> None:
    sim = harnesses.vnpt_sim()
    body = send_request(vnpt_request(), VNPT)
    assert ["0", "33"] == [send_sms_list(sim, body)["ERROR"] for _ in range(2)]
    assert [TEXT] == [e.data["text"] for e in sim.sent()]


# -- eSMS ----------------------------------------------------------------------------------


def esms_send(sim: Any, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "api_key": "fake-api-key-4",
        "secret_key": "fake-secret-key-4",
        "phone": "0912345678",
        "content": TEXT,
        "brandname": harnesses.BRAND,
        "sms_type": "2",
        "unicode": False,
        "sandbox": False,
        "request_id": "R-1",
    }
    body = send_body(SendBody(**{**values, **changes}))
    with mount(sim, URL):
        answer: dict[str, Any] = post(
            f"{URL}/MainService.svc/json/SendMultipleMessage_V4_post_json/", json=body
        ).json()
    return answer


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"secret_key": "wrong"}, "101"),
        ({"brandname": "NOBRAND"}, "104"),
        ({"phone": "12345"}, "108"),
        ({"content": "Noi dung khac"}, "146"),
        ({"request_id": "x" * 51}, "110"),
    ],
)
def test_esms_answers_each_refusal_with_its_code(changes: dict[str, Any], code: str) -> None:
    sim = harnesses.esms_sim()
    assert code == esms_send(sim, **changes)["CodeResult"]
    assert 0 == sim.ledger.count("sms")


def test_esms_status_of_a_message_then_of_an_unknown_one() -> None:
    sim = harnesses.esms_sim()
    sms_id = esms_send(sim)["SMSID"]
    sim.complete(sms_id)
    query = {"ApiKey": "fake-api-key-4", "SecretKey": "fake-secret-key-4"}
    with mount(sim, URL):
        known = get(f"{URL}/MainService.svc/json/GetSendStatus", params={**query, "RefId": sms_id})
        unknown = get(f"{URL}/MainService.svc/json/GetSendStatus", params={**query, "RefId": "x"})
        refused = get(f"{URL}/MainService.svc/json/GetSendStatus", params={"RefId": sms_id})
    assert {"CodeResponse": "100", "SMSID": sms_id, "SendStatus": 5, "SendSuccess": 1} == {
        k: known.json()[k] for k in ("CodeResponse", "SMSID", "SendStatus", "SendSuccess")
    }
    assert ({"CodeResponse": "105"}, {"CodeResponse": "101"}) == (unknown.json(), refused.json())
    assert "R-1" == json.loads(json.dumps(sim.report_fields(sms_id)))["RequestId"]
