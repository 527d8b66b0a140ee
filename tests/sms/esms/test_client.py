"""eSMS: the JSON on the wire, sandbox, RequestId, delivery reports by poll."""

from __future__ import annotations

import hashlib
import json

import pytest

from connectors.core import OutcomeUnknown
from connectors.sms import DeliveryStatus, Message, SmsErrorCode
from connectors.testing import mount
from tests.sms import harnesses
from tests.sms.harnesses import BRAND, ESMS_URL, PARAMS

TOKEN = "fake-callback-token-0123456789"


def paid(recipient: str = "0912345678", dossier: str = "HS-1") -> Message:
    return Message(recipient, template_id="paid", params={**PARAMS, "dossier": dossier})


def test_request_on_the_wire() -> None:
    sim = harnesses.esms_sim()
    with mount(sim, ESMS_URL) as mock:
        sender = harnesses.esms_sender(ESMS_URL, callback_url="https://portal.test/dlr/x")
        result = sender.send(paid(), "HS-1:sms")
        (call,) = list(mock.calls)
    assert f"{ESMS_URL}/MainService.svc/json/SendMultipleMessage_V4_post_json/" == call.request.url
    assert {
        "ApiKey": "fake-api-key-4",
        "SecretKey": "fake-secret-key-4",
        "Phone": "0912345678",
        "Content": "Ho so HS-1 da thanh toan 50.000 dong. Ma tra cuu bien lai: BL-77",
        "Brandname": BRAND,
        "SmsType": "2",
        "IsUnicode": "0",
        "Sandbox": "0",
        "RequestId": "HS-1:sms",
        "CallbackUrl": "https://portal.test/dlr/x",
    } == json.loads(call.request.body)
    assert (sim.sent()[0].key, "100") == (result.provider_message_id, result.vendor_code)


def test_long_key_becomes_a_50_character_request_id() -> None:
    key = "dossier/" + "x" * 80
    sim = harnesses.esms_sim()
    with mount(sim, ESMS_URL):
        harnesses.esms_sender(ESMS_URL).send(paid(), key)
    assert [hashlib.sha256(key.encode()).hexdigest()[:50]] == [
        e.data["request_id"] for e in sim.sent()
    ]


def test_sandbox_is_accepted_but_never_delivered() -> None:
    sim = harnesses.esms_sim()
    with mount(sim, ESMS_URL):
        result = harnesses.esms_sender(ESMS_URL, sandbox=True).send(paid(), "K")
    assert result.accepted
    assert [True] == [e.data["sandbox"] for e in sim.sent()]
    assert [] == sim.complete()


def test_still_processing_is_outcome_unknown() -> None:
    sim = harnesses.esms_sim()
    sim.force(SmsErrorCode.UNKNOWN)  # eSMS 199: request already processing
    with mount(sim, ESMS_URL), pytest.raises(OutcomeUnknown) as raised:
        harnesses.esms_sender(ESMS_URL).send(paid(), "HS-1:sms")
    assert ("HS-1:sms", "199") == (raised.value.idempotency_key, raised.value.vendor_code)


def test_delivery_status_poll() -> None:
    sim = harnesses.esms_sim()
    with mount(sim, ESMS_URL) as mock:
        sender = harnesses.esms_sender(ESMS_URL)
        result = sender.send(paid(), "K")
        assert result.provider_message_id is not None
        before = sender.delivery_status(result.provider_message_id)
        sim.complete(result.provider_message_id)
        after = sender.delivery_status(result.provider_message_id)
        poll_url = list(mock.calls)[1].request.url
    assert (DeliveryStatus.UNKNOWN, False) == (before.status, before.final)
    assert (DeliveryStatus.DELIVERED, True) == (after.status, after.final)
    assert f"RefId={result.provider_message_id}" in poll_url
