"""VNPT send_sms_list: the JSON on the wire, templates by id, DATACODING, REQID."""

from __future__ import annotations

import json

import pytest

from connectors.core import ProviderError, ValidationError
from connectors.sms import (
    Brandname,
    Message,
    SmsErrorCode,
    Template,
    TemplateMismatch,
    TemplateRegistry,
)
from connectors.sms.keys import numeric_request_id
from connectors.sms.vnpt import VnptSms
from connectors.testing import mount, serve
from connectors.testing.simulators.sms import VnptSmsSimulator
from tests.sms import harnesses
from tests.sms.harnesses import (
    BRAND,
    PAID,
    PARAMS,
    VNPT_LABEL_ID,
    VNPT_TEMPLATE_ID,
    VNPT_URL,
)


def paid(recipient: str = "0912345678") -> Message:
    return Message(recipient, template_id="paid", params=PARAMS)


def test_request_on_the_wire() -> None:
    sim = harnesses.vnpt_sim()
    with mount(sim, VNPT_URL) as mock:
        harnesses.vnpt_sender(VNPT_URL).send(paid(), "HS-1:sms")
        (call,) = list(mock.calls)
    assert f"{VNPT_URL}/smsbn/api" == call.request.url
    assert {
        "RQST": {
            "name": "send_sms_list",
            "REQID": numeric_request_id("HS-1:sms", 15),
            "LABELID": VNPT_LABEL_ID,
            "CONTRACTTYPEID": "1",
            "CONTRACTID": "HD-1",
            "TEMPLATEID": VNPT_TEMPLATE_ID,
            "PARAMS": [
                {"NUM": "1", "CONTENT": "HS-0001"},
                {"NUM": "2", "CONTENT": "50.000"},
                {"NUM": "3", "CONTENT": "BL-77"},
            ],
            "SCHEDULETIME": "",
            "MOBILELIST": "84912345678",
            "ISTELCOSUB": "0",
            "AGENTID": "AG-TEST",
            "APIUSER": "api-test",
            "APIPASS": "fake-password-3",
            "USERNAME": "portal-user",
            "DATACODING": "0",
        }
    } == json.loads(call.request.body)
    # The gateway built the same text from its own copy of the template.
    assert ["Ho so HS-0001 da thanh toan 50.000 dong. Ma tra cuu bien lai: BL-77"] == [
        e.data["text"] for e in sim.sent()
    ]


def test_plain_text_is_sent_as_the_template_it_matches() -> None:
    sim = harnesses.vnpt_sim()
    text = "Ho so HS-9 da thanh toan 20.000 dong. Ma tra cuu bien lai: Q-1"
    with mount(sim, VNPT_URL) as mock:
        harnesses.vnpt_sender(VNPT_URL).send(Message("0912345678", text), "K")
        body = json.loads(next(iter(mock.calls)).request.body)
    assert ["HS-9", "20.000", "Q-1"] == [p["CONTENT"] for p in body["RQST"]["PARAMS"]]
    assert [text] == [e.data["text"] for e in sim.sent()]


def accented_setup() -> tuple[VnptSmsSimulator, TemplateRegistry]:
    text = "Hồ sơ {ma} đã được tiếp nhận"
    sim = VnptSmsSimulator(
        brandnames=[BRAND], labels={VNPT_LABEL_ID: BRAND}, templates={"7001": (VNPT_LABEL_ID, text)}
    )
    registry = TemplateRegistry(
        [Brandname(BRAND, accented=True)],
        [Template("received", text, BRAND, accented=True, vendor_ids={"vnpt": "7001"})],
    )
    return sim, registry


def accented_sender(registry: TemplateRegistry) -> VnptSms:
    return VnptSms(
        base_url=VNPT_URL,
        agent_id="AG-TEST",
        api_user="api-test",
        api_pass="fake-password-3",
        username="portal-user",
        contract_id="HD-1",
        labels={BRAND: VNPT_LABEL_ID},
        templates=registry,
        brandname=BRAND,
    )


def test_accented_text_uses_datacoding_8_for_vinaphone() -> None:
    sim, registry = accented_setup()
    message = Message("0912345678", template_id="received", params={"ma": "HS-9"})
    with mount(sim, VNPT_URL) as mock:
        result = accented_sender(registry).send(message, "K")
        body = json.loads(next(iter(mock.calls)).request.body)
    assert ("8", "UCS-2") == (body["RQST"]["DATACODING"], result.encoding)
    assert ["Hồ sơ HS-9 đã được tiếp nhận"] == [e.data["text"] for e in sim.sent()]


def test_accented_text_to_another_network_is_refused_before_sending() -> None:
    sim, registry = accented_setup()
    message = Message("0987654321", template_id="received", params={"ma": "HS-9"})
    with mount(sim, VNPT_URL), pytest.raises(ValidationError) as raised:
        accented_sender(registry).send(message, "K")
    assert "accented" == raised.value.field
    assert [] == sim.seen


def test_template_without_a_vnpt_id_is_refused_before_sending() -> None:
    registry = TemplateRegistry([Brandname(BRAND)], [Template("paid", PAID, BRAND)])
    sim = harnesses.vnpt_sim()
    with mount(sim, VNPT_URL), pytest.raises(TemplateMismatch) as raised:
        harnesses.vnpt_sender(VNPT_URL, templates=registry).send(paid(), "K")
    assert "template_id" == raised.value.field
    assert [] == sim.seen


def test_gateway_template_out_of_sync_is_error_7() -> None:
    sim = VnptSmsSimulator(brandnames=[BRAND], labels={VNPT_LABEL_ID: BRAND}, templates={})
    with mount(sim, VNPT_URL), pytest.raises(ProviderError) as raised:
        harnesses.vnpt_sender(VNPT_URL).send(paid(), "K")
    assert (SmsErrorCode.TEMPLATE_MISMATCH.value, "7") == (
        raised.value.code,
        raised.value.vendor_code,
    )


@pytest.mark.parametrize(
    ("options", "error", "code"),
    [
        ({"api_pass": "other-pw"}, "1", SmsErrorCode.AUTH),
        ({"agent_id": "AG-OTHER"}, "15", SmsErrorCode.AUTH),
        ({"labels": {"9999": BRAND}}, "14", SmsErrorCode.BRANDNAME_NOT_REGISTERED_FOR_TELCO),
        ({"brandnames": {BRAND: ["viettel"]}}, "25",
         SmsErrorCode.BRANDNAME_NOT_REGISTERED_FOR_TELCO),
        ({"quota": 0}, "20", SmsErrorCode.QUOTA),
    ],
)  # fmt: skip
def test_gateway_refusals(options: dict[str, object], error: str, code: SmsErrorCode) -> None:
    settings: dict[str, object] = {
        "brandnames": [BRAND],
        "labels": {VNPT_LABEL_ID: BRAND},
        "templates": {VNPT_TEMPLATE_ID: (VNPT_LABEL_ID, PAID)},
        **options,
    }
    sim = VnptSmsSimulator(**settings)  # type: ignore[arg-type]
    with mount(sim, VNPT_URL), pytest.raises(ProviderError) as raised:
        harnesses.vnpt_sender(VNPT_URL).send(paid(), "K")
    assert (code.value, error) == (raised.value.code, raised.value.vendor_code)
    assert 0 == sim.ledger.count("sms")


def test_on_loopback() -> None:
    sim = harnesses.vnpt_sim()
    with serve(sim) as url:
        result = harnesses.vnpt_sender(url).send(paid(), "HS-1:sms")
    assert ("0", "success") == (result.vendor_code, result.vendor_message)
    assert 1 == sim.ledger.count("sms")
