"""Messages are validated when built; results and public names."""

from __future__ import annotations

import importlib

import pytest

from connectors.core import ConfigError, ValidationError
from connectors.sms import Message, SendResult, SendStatus, SmsErrorCode, SmsSender
from connectors.sms.base import message_from
from connectors.sms.providers import sender_from_env
from connectors.testing import mount
from connectors.vn import InvalidPhoneNumber, parse_phone
from tests.sms import harnesses


@pytest.mark.parametrize(
    "spelling", ["0912345678", "+84 912 345 678", "84912345678", "(+84) 91 234 5678"]
)
def test_recipient_in_any_spelling(spelling: str) -> None:
    assert parse_phone("0912345678") == Message(spelling, "x").recipient


@pytest.mark.parametrize("bad", ["02438261234", "1900123456", "+1 415 555 0100", "", "abc", 12])
def test_bad_recipient_names_the_field(bad: object) -> None:
    with pytest.raises(InvalidPhoneNumber) as raised:
        Message(bad, "x")  # type: ignore[arg-type]
    assert "recipient" == raised.value.field
    if isinstance(bad, str) and len(bad) > 3:
        assert bad not in raised.value.message  # personal data is not repeated


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "text"),
        ({"text": "x", "template_id": "paid"}, "text"),
        ({"text": "   "}, "text"),
        ({"template_id": ""}, "template_id"),
        ({"text": "x", "params": {"a": "1"}}, "params"),
        ({"text": "x", "brandname": "UBND-X"}, "brandname"),
        ({"text": "x", "accented": "yes"}, "accented"),
        ({"text": "x", "idempotency_key": ""}, "idempotency_key"),
        ({"text": "x", "idempotency_key": "a\nb"}, "idempotency_key"),
    ],
)
def test_bad_message_names_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Message("0912345678", **kwargs)  # type: ignore[arg-type]
    assert field == raised.value.field


def test_message_from_a_mapping() -> None:
    message = message_from({"recipient": "0912345678", "text": "x", "idempotency_key": "k"})
    assert ("0912345678", "k") == (message.recipient.national, message.idempotency_key)
    with pytest.raises(ValidationError) as raised:
        message_from({"recipient": "0912345678", "txt": "x"})
    assert "message" == raised.value.field


def test_every_sender_is_an_sms_sender() -> None:
    senders = [
        harnesses.mobifone_sender(harnesses.MOBIFONE_URL),
        harnesses.viettel_sender(harnesses.VIETTEL_URL),
        harnesses.vnpt_sender(harnesses.VNPT_URL),
        harnesses.esms_sender(harnesses.ESMS_URL),
    ]
    assert ["mobifone", "viettel", "vnpt", "esms"] == [s.name for s in senders]
    assert all(isinstance(s, SmsSender) for s in senders)


def test_result_from_a_validation_error_is_rejected() -> None:
    try:
        Message("0243826123", "x")
    except InvalidPhoneNumber as exc:
        result = SendResult.from_error(exc, provider="p", idempotency_key="k")
    assert (SendStatus.REJECTED, SmsErrorCode.INVALID_NUMBER, False, False) == (
        result.status,
        result.code,
        result.retryable,
        result.failover_ok,
    )


@pytest.mark.parametrize(
    "module",
    [
        "connectors.sms",
        "connectors.sms.mobifone",
        "connectors.sms.viettel",
        "connectors.sms.vnpt",
        "connectors.sms.esms",
        "connectors.sms.providers",
        "connectors.sms.sender",
        "connectors.sms.errors",
        "connectors.sms.mobifone.wire",
        "connectors.sms.viettel.wire",
        "connectors.sms.vnpt.wire",
        "connectors.sms.esms.wire",
        "connectors.testing.conformance.sms",
        "connectors.testing.simulators.sms",
        "connectors.testing.simulators.sms.base",
        "connectors.testing.simulators.sms.mobifone",
        "connectors.testing.simulators.sms.viettel",
        "connectors.testing.simulators.sms.vnpt",
        "connectors.testing.simulators.sms.esms",
    ],
)
def test_public_names_are_importable(module: str) -> None:
    loaded = importlib.import_module(module)
    names = loaded.__all__
    assert sorted(names) == sorted(set(names))
    for name in names:
        assert getattr(loaded, name) is not None


def test_sender_from_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONNECTORS_ESMS_API_KEY", "fake-api-key-4")
    monkeypatch.setenv("CONNECTORS_ESMS_SECRET_KEY", "fake-secret-key-4")
    monkeypatch.setenv("CONNECTORS_ESMS_BRANDNAME", harnesses.BRAND)
    monkeypatch.setenv("CONNECTORS_ESMS_SANDBOX", "true")
    sim = harnesses.esms_sim()
    with mount(sim, harnesses.ESMS_URL):
        sender = sender_from_env("esms", harnesses.registry(), base_url=harnesses.ESMS_URL)
        sender.send(Message("0912345678", template_id="paid", params=harnesses.PARAMS), "K")
    assert [True] == [e.data["sandbox"] for e in sim.sent()]
    with pytest.raises(ConfigError) as raised:
        sender_from_env("viettel", harnesses.registry(), base_url=harnesses.VIETTEL_URL)
    assert "CONNECTORS_VIETTEL_USER" in raised.value.message
    with pytest.raises(ConfigError):
        sender_from_env("speedsms", harnesses.registry())
