"""MobiFone smsg: the exact form fields on the wire, sessions and re-login, failures."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs

import pytest

from connectors.core import (
    AuthError,
    ConnectionFailed,
    OutcomeUnknown,
    ProviderError,
    load_settings,
)
from connectors.sms import (
    Brandname,
    Message,
    SmsErrorCode,
    Template,
    TemplateRegistry,
    may_fail_over,
)
from connectors.sms.mobifone import MobifoneSms, MobifoneSmsSettings
from connectors.testing import Malformed, Reset, Status, mount, serve
from connectors.testing.simulators.sms import MobifoneSmsSimulator
from connectors.vn import InvalidPhoneNumber
from tests.sms import harnesses
from tests.sms.harnesses import BRAND, MOBIFONE_URL, PAID, PARAMS


def form(body: object) -> dict[str, list[str]]:
    text = body.decode() if isinstance(body, bytes) else str(body)
    return parse_qs(text)


def paid(key: str = "HS-1") -> Message:
    return Message("0912345678", template_id="paid", params={**PARAMS, "dossier": key})


def test_login_then_send_exact_fields_on_the_wire() -> None:
    sim = harnesses.mobifone_sim()
    with mount(sim, MOBIFONE_URL) as mock:
        harnesses.mobifone_sender(MOBIFONE_URL).send(paid(), "HS-1:sms")
        login, send = list(mock.calls)
    assert f"{MOBIFONE_URL}/smsg/login.jsp" == login.request.url
    assert "POST" == login.request.method
    expected_login = {"userName": ["portal-test"], "password": ["fake-password-1"],
                      "bindMode": ["T"]}  # fmt: skip
    assert expected_login == form(login.request.body)
    assert f"{MOBIFONE_URL}/smsg/send.jsp" == send.request.url
    fields = form(send.request.body)
    assert [next(iter(sim.sessions))] == fields["sid"]
    assert {"sender": [BRAND], "recipient": ["84912345678"]} == {
        k: fields[k] for k in ("sender", "recipient")
    }
    assert ["Ho so HS-1 da thanh toan 50.000 dong. Ma tra cuu bien lai: BL-77"] == fields["content"]
    assert "enCoding" not in fields


def test_accented_text_goes_to_send_2_with_ucs2() -> None:
    accented = "Hồ sơ {ma} đã được tiếp nhận"
    sim = MobifoneSmsSimulator(brandnames=[BRAND], templates={BRAND: [accented]})
    registry = TemplateRegistry(
        [Brandname(BRAND, accented=True)], [Template("received", accented, BRAND, accented=True)]
    )
    with mount(sim, MOBIFONE_URL) as mock:
        sender = MobifoneSms(
            base_url=MOBIFONE_URL,
            username="portal-test",
            password="fake-password-1",
            templates=registry,
            brandname=BRAND,
        )
        result = sender.send(
            Message("0912345678", template_id="received", params={"ma": "HS-9"}), "K"
        )
        send = list(mock.calls)[1]
    assert ("UCS-2", 1) == (result.encoding, result.segments)
    assert f"{MOBIFONE_URL}/smsg/send_2.jsp" == send.request.url
    assert ["ALPHA_UCS2"] == form(send.request.body)["enCoding"]
    assert [True] == [e.data["unicode"] for e in sim.sent()]
    assert ["Hồ sơ HS-9 đã được tiếp nhận"] == [e.data["text"] for e in sim.sent()]


def test_session_is_reused_then_renewed_after_its_lifetime() -> None:
    now = [1000.0]
    sim = MobifoneSmsSimulator(brandnames=[BRAND], templates={BRAND: [PAID]}, clock=lambda: now[0])
    with mount(sim, MOBIFONE_URL):
        sender = harnesses.mobifone_sender(MOBIFONE_URL, clock=lambda: now[0])
        sender.send(paid("HS-1"), "K-1")
        sender.send(paid("HS-2"), "K-2")
        assert 1 == len(sim.requests_to("login"))
        now[0] += 301  # past the 300 s session lifetime, on both sides
        sender.send(paid("HS-3"), "K-3")
    assert 2 == len(sim.requests_to("login"))
    assert 3 == len(sim.requests_to("send"))  # no 401 round trip: renewed before sending
    assert 3 == sim.ledger.count("sms")


@pytest.mark.parametrize(
    "answer",
    [
        Status(401, b"SidNotPassed"),
        Status(401, b"SessionExpired"),
        Status(200, b'{"status": "401", "message": "NotLoggedIn"}', "application/json"),
    ],
    ids=["SidNotPassed", "SessionExpired", "NotLoggedIn"],
)
def test_lost_session_is_renewed_and_the_message_sent_once(answer: Status) -> None:
    sim = harnesses.mobifone_sim()
    sim.faults.add("send", answer)
    with mount(sim, MOBIFONE_URL):
        result = harnesses.mobifone_sender(MOBIFONE_URL).send(paid(), "K")
    assert result.accepted
    assert 2 == len(sim.requests_to("login"))
    assert 2 == len(sim.requests_to("send"))
    assert 1 == sim.ledger.count("sms")


def test_a_fresh_session_refused_again_is_an_auth_error_without_a_third_try() -> None:
    sim = harnesses.mobifone_sim()
    sim.faults.add("send", Status(401, b"SessionExpired"), times=2)
    with mount(sim, MOBIFONE_URL), pytest.raises(AuthError) as raised:
        harnesses.mobifone_sender(MOBIFONE_URL).send(paid(), "K")
    assert 401 == raised.value.http_status
    assert 2 == len(sim.requests_to("send"))
    assert 0 == sim.ledger.count("sms")


def test_refused_login_is_auth_error_and_nothing_is_sent() -> None:
    sim = MobifoneSmsSimulator(brandnames=[BRAND], templates={BRAND: [PAID]}, password="other-pw")
    with mount(sim, MOBIFONE_URL), pytest.raises(ProviderError) as raised:
        harnesses.mobifone_sender(MOBIFONE_URL).send(paid(), "K")
    assert (SmsErrorCode.AUTH.value, "login") == (raised.value.code, raised.value.operation)
    assert ("401", "AuthenticationFailed") == (
        raised.value.vendor_code,
        raised.value.vendor_message,
    )
    assert [] == sim.requests_to("send")


def test_unreadable_send_reply_is_outcome_unknown() -> None:
    sim = harnesses.mobifone_sim()
    sim.faults.add("send", Malformed())
    with mount(sim, MOBIFONE_URL), pytest.raises(OutcomeUnknown) as raised:
        harnesses.mobifone_sender(MOBIFONE_URL).send(paid(), "HS-1:sms")
    assert "HS-1:sms" == raised.value.idempotency_key


def test_brandname_not_declared_for_the_telco() -> None:
    sim = MobifoneSmsSimulator(brandnames={BRAND: ["mobifone"]}, templates={BRAND: [PAID]})
    with mount(sim, MOBIFONE_URL), pytest.raises(ProviderError) as raised:
        harnesses.mobifone_sender(MOBIFONE_URL).send(paid(), "K")  # a VinaPhone number
    assert SmsErrorCode.BRANDNAME_NOT_REGISTERED_FOR_TELCO.value == raised.value.code
    assert "SenderNotRegistered" == raised.value.vendor_message


def test_secrets_never_reach_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    sim = harnesses.mobifone_sim()
    with caplog.at_level(logging.DEBUG), mount(sim, MOBIFONE_URL):
        harnesses.mobifone_sender(MOBIFONE_URL).send(paid(), "K")
    assert "mobifone" in caplog.text
    assert "fake-password-1" not in caplog.text
    assert next(iter(sim.sessions)) not in caplog.text


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONNECTORS_MOBIFONE_BASE_URL", MOBIFONE_URL)
    monkeypatch.setenv("CONNECTORS_MOBIFONE_USERNAME", "portal-test")
    monkeypatch.setenv("CONNECTORS_MOBIFONE_PASSWORD", "fake-password-1")
    monkeypatch.setenv("CONNECTORS_MOBIFONE_BRANDNAME", BRAND)
    settings = load_settings(MobifoneSmsSettings)
    assert "fake-password-1" not in repr(settings)
    sim = harnesses.mobifone_sim()
    with mount(sim, MOBIFONE_URL):
        sender = MobifoneSms.from_settings(settings, harnesses.registry())
        assert sender.send(paid(), "K").accepted


def test_demo_scenario_one_sms_per_paid_dossier_on_loopback() -> None:
    """What the end-to-end demo does, against the simulator served on 127.0.0.1."""
    sim = harnesses.mobifone_sim()
    paid_dossiers = [
        ("HS-001", "0912345678"),
        ("HS-002", "0987654321"),
        ("HS-003", "024 3826 1234"),
    ]
    with serve(sim) as base_url:
        sender = harnesses.mobifone_sender(base_url)
        results, refused = [], []
        for dossier, phone in paid_dossiers:
            try:
                message = Message(
                    phone,
                    template_id="paid",
                    params={"dossier": dossier, "amount": "50.000", "code": f"BL-{dossier}"},
                )
            except InvalidPhoneNumber as exc:
                refused.append((dossier, exc.field))
                continue
            results.append(sender.send(message, f"{dossier}:sms"))
            results.append(sender.send(message, f"{dossier}:sms"))  # a replay: no second SMS
    assert [("HS-003", "recipient")] == refused
    assert [False, True, False, True] == [r.duplicate for r in results]
    expected = [
        ("0912345678", "Ho so HS-001 da thanh toan 50.000 dong. Ma tra cuu bien lai: BL-HS-001"),
        ("0987654321", "Ho so HS-002 da thanh toan 50.000 dong. Ma tra cuu bien lai: BL-HS-002"),
    ]
    assert expected == [(e.data["recipient"], e.data["text"]) for e in sim.sent()]


def test_login_that_never_answers_means_nothing_was_sent() -> None:
    sim = harnesses.mobifone_sim()
    sim.faults.add("login", Reset(), times=3)  # every attempt of the (retried) login
    with mount(sim, MOBIFONE_URL), pytest.raises(ConnectionFailed) as raised:
        harnesses.mobifone_sender(MOBIFONE_URL).send(paid(), "K")
    assert (False, "login") == (raised.value.sent, raised.value.operation)
    assert may_fail_over(raised.value) is True
    assert 3 == len(sim.requests_to("login"))
    assert [] == sim.requests_to("send")
