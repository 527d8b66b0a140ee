"""The banks domain base (`GatewayClient`): one construction convention for every client,
inputs and capabilities checked before anything is sent, every answer read and mapped
through one error table (`PAYMENT_ERRORS`), callback answers from the vendor's profile."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pytest

from connectors.banks import (
    CallbackOutcome,
    Capability,
    FeeGateway,
    HttpAnswer,
    PaymentRequest,
    RefundRequest,
    UnsupportedOperation,
)
from connectors.banks.gateway import GatewayClient
from connectors.banks.momo import MomoGateway
from connectors.banks.payos import PayosGateway
from connectors.banks.sepay import SepayTransactions
from connectors.banks.vnpay import VnpayGateway
from connectors.banks.vnpay import wire as vnpay_wire
from connectors.core import (
    AuthError,
    ConfigError,
    NotFound,
    ProviderError,
    ProviderUnavailable,
    RetryPolicy,
    Timeouts,
    Transport,
    ValidationError,
)
from connectors.core.client import ProviderClient
from connectors.providers import by_domain
from connectors.testing import Malformed, Simulator, Status, mount
from connectors.vn.time import VN_TZ
from tests.banks.gateways import (
    GATEWAYS,
    MOMO_ACCESS,
    MOMO_SECRET,
    PAYOS_API_KEY,
    PAYOS_CHECKSUM,
    URLS,
    VNPAY_SECRET,
    make_client,
    make_simulator,
)

FIELDS: dict[str, dict[str, str]] = {
    "vnpay": {"tmn_code": "HNTEST01", "hash_secret": VNPAY_SECRET},
    "momo": {"partner_code": "MOMO", "access_key": MOMO_ACCESS, "secret_key": MOMO_SECRET},
    "payos": {
        "client_id": "sim-client",
        "api_key": PAYOS_API_KEY,
        "checksum_key": PAYOS_CHECKSUM,
    },
    "sepay": {"api_token": "fake-api-token-0009"},
}
"""Every banks client's settings fields (fake credentials), besides `base_url`."""
CLIENTS = {p.name: p.client_class() for p in by_domain("payments")}
BASE_URL = "https://bank.sim.test"


def fields(name: str) -> dict[str, str]:
    return {**FIELDS[name], "base_url": BASE_URL}


def request(**changes: Any) -> PaymentRequest:
    values: dict[str, Any] = {
        "dossier_code": "HS-2025-000123",
        "order_ref": "2025000123",
        "amount": 50_000,
        "description": "Nộp lệ phí hồ sơ HS-2025-000123",
        "return_url": "https://dvc.example.vn/pay/return",
        "notify_url": "https://dvc.example.vn/pay/ipn",
    }
    return PaymentRequest(**{**values, **changes})


@contextmanager
def gateway_and_simulator(name: str, **options: Any) -> Iterator[tuple[Any, Simulator]]:
    sim = make_simulator(name)
    with mount(sim, URLS[name]):
        yield make_client(name, URLS[name], **options), sim


# -- construction ----------------------------------------------------------------------------


def test_the_registry_names_four_clients_of_one_convention() -> None:
    assert {"vnpay": VnpayGateway, "momo": MomoGateway, "payos": PayosGateway} == {
        name: cls for name, cls in CLIENTS.items() if issubclass(cls, GatewayClient)
    }
    assert SepayTransactions is CLIENTS["sepay"]
    for name, cls in CLIENTS.items():
        assert issubclass(cls, ProviderClient)
        assert name == cls.name
        entry = next(p for p in by_domain("payments") if p.name == name)
        assert entry.settings_class() is cls.settings_class


def test_a_gateway_takes_its_facts_from_its_wire() -> None:
    assert (vnpay_wire.VENDOR.title, vnpay_wire.VENDOR.capabilities) == (
        VnpayGateway.title,
        VnpayGateway.capabilities,
    )
    assert vnpay_wire.VENDOR.secret_fields == VnpayGateway.secret_wire_fields
    assert Capability.CANCEL not in VnpayGateway.capabilities
    assert {Capability.CANCEL, Capability.QR} <= PayosGateway.capabilities


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_keywords_a_settings_object_and_from_settings_agree(name: str) -> None:
    cls = CLIENTS[name]
    settings = cls.settings_class(**fields(name))
    by_keywords, positional, from_settings = (
        cls(**fields(name)),
        cls(settings),
        cls.from_settings(settings),
    )
    assert settings == by_keywords.settings == positional.settings == from_settings.settings
    assert name == by_keywords.name == by_keywords.transport.provider
    for secret in filter(None, settings.secret_values()):
        assert secret not in repr(by_keywords)


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_from_env_reads_the_clients_variables(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    cls = CLIENTS[name]
    prefix = str(cls.settings_class.model_config["env_prefix"])
    for key, value in fields(name).items():
        monkeypatch.setenv(f"{prefix}{key.upper()}", value)
    given = Transport(name)
    client = cls.from_env(transport=given)
    assert cls.settings_class(**fields(name)) == client.settings
    assert given is client.transport  # the option went to the client
    secret = max(FIELDS[name].values(), key=len)
    assert secret not in client.transport.redactor.text(f"leaked {secret}")  # masked there too


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_a_settings_object_and_fields_together_are_refused(name: str) -> None:
    cls = CLIENTS[name]
    with pytest.raises(ConfigError) as both:
        cls(cls.settings_class(**fields(name)), base_url=BASE_URL)
    assert "base_url" == both.value.field
    other = next(c for n, c in CLIENTS.items() if n != name)
    with pytest.raises(ConfigError) as wrong:
        cls(other.settings_class(**fields(other.name)))
    assert "settings" == wrong.value.field


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_timeouts_and_retry_make_the_clients_transport(name: str) -> None:
    timeouts = Timeouts(connect=0.5, read=0.7, total=3.0)
    retry = RetryPolicy(max_attempts=2)
    client = CLIENTS[name](**fields(name), timeouts=timeouts, retry=retry)
    assert (timeouts, retry) == (client.transport.timeouts, client.transport.retry)
    secret = max(FIELDS[name].values(), key=len)
    assert secret not in client.transport.redactor.text(f"leaked {secret}")


@pytest.mark.parametrize("name", GATEWAYS)
def test_a_missing_secret_is_a_config_error_naming_it(name: str) -> None:
    cls = CLIENTS[name]
    secret = cls.settings_class.secret_field_names()[0]
    with pytest.raises(ConfigError) as missing:
        cls(**{k: v for k, v in fields(name).items() if k != secret})
    assert secret == missing.value.field
    with pytest.raises(ConfigError) as empty:
        cls(**{**fields(name), secret: ""})
    assert secret == empty.value.field


def test_sepay_without_a_token_is_refused_by_how_it_was_configured() -> None:
    with pytest.raises(ValidationError) as by_keywords:
        SepayTransactions(base_url=BASE_URL)
    with pytest.raises(ConfigError) as by_settings:
        SepayTransactions.settings_class(base_url=BASE_URL).transactions()
    assert ("api_token", "api_token") == (by_keywords.value.field, by_settings.value.field)


# -- checks before anything is sent -------------------------------------------------------------


@pytest.mark.parametrize("name", GATEWAYS)
def test_inputs_are_checked_before_anything_is_sent(name: str) -> None:
    with gateway_and_simulator(name) as (gateway, sim):
        cases: list[tuple[Callable[[], object], str]] = [
            (lambda: gateway.create_payment("HS1"), "request"),
            (lambda: gateway.create_payment(request(), client_ip="portal.vn"), "client_ip"),
            (lambda: gateway.query("HS 1/2"), "order_ref"),
            (lambda: gateway.query(None), "order_ref"),
        ]
        if Capability.REFUND in gateway.capabilities:
            cases.append((lambda: gateway.refund(request()), "request"))
        if Capability.CANCEL in gateway.capabilities:
            cases.append((lambda: gateway.cancel("2025000123", reason=" !!! "), "reason"))
        for call, field in cases:
            with pytest.raises(ValidationError) as raised:
                call()
            assert field == raised.value.field
        assert ([], 0) == (sim.seen, len(sim.ledger))


@pytest.mark.parametrize("name", GATEWAYS)
def test_an_amount_outside_the_profiles_range_is_refused_before_sending(name: str) -> None:
    profile = dataclasses.replace(CLIENTS[name].default_profile, min_amount=2_000, max_amount=9_000)
    with gateway_and_simulator(name, profile=profile) as (gateway, sim):
        for amount in (1_999, 9_001):
            with pytest.raises(ValidationError) as raised:
                gateway.create_payment(request(amount=amount))
            assert "amount" == raised.value.field
        assert [] == sim.seen


@pytest.mark.parametrize("name", GATEWAYS)
def test_operations_not_offered_are_refused_before_sending(name: str) -> None:
    refund = RefundRequest(
        order_ref="2025000123", amount=50_000, original_amount=50_000, refund_ref="RF1"
    )
    with gateway_and_simulator(name) as (gateway, sim):
        calls = {
            Capability.REFUND: lambda: gateway.refund(refund),
            Capability.CANCEL: lambda: gateway.cancel("2025000123"),
        }
        for capability, call in calls.items():
            if capability in gateway.capabilities:
                continue
            with pytest.raises(UnsupportedOperation) as raised:
                call()
            assert (name, capability.value) == (raised.value.provider, raised.value.operation)
        assert ([], 0) == (sim.seen, len(sim.ledger))


def test_a_partial_refund_needs_its_capability() -> None:
    class FullRefundsOnly(VnpayGateway):
        vendor = dataclasses.replace(
            vnpay_wire.VENDOR,
            capabilities=vnpay_wire.VENDOR.capabilities - {Capability.PARTIAL_REFUND},
        )

    partial = RefundRequest(
        order_ref="HS2025000123", amount=20_000, original_amount=50_000, refund_ref="RF2"
    )
    with gateway_and_simulator("vnpay") as (_gateway, sim):
        gateway = FullRefundsOnly(**FIELDS["vnpay"], base_url=URLS["vnpay"])
        with pytest.raises(UnsupportedOperation) as raised:
            gateway.refund(partial)
    assert ("vnpay", "partial refund") == (raised.value.provider, raised.value.operation)
    assert [] == sim.seen


@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("vnpay", lambda g: g.create_payment(request(), bank="NCB")),
        ("momo", lambda g: g.create_payment(request(order_ref="HS1"), channel="app")),
        ("payos", lambda g: g.create_payment(request(), channel="app")),
        ("momo", lambda g: g.query("HS1", lang="en")),
        ("payos", lambda g: g.query("1", lang="en")),
        ("vnpay", lambda g: g.query("HS1", created_at=None, lang="en")),
    ],
)
def test_an_option_a_gateway_does_not_take_is_a_type_error(
    name: str, call: Callable[[Any], object]
) -> None:
    with gateway_and_simulator(name) as (gateway, sim), pytest.raises(TypeError):
        call(gateway)
    assert [] == sim.seen


# -- answers and errors --------------------------------------------------------------------------

REFUSALS = {  # a refusal each vendor may answer a query with, and the error it becomes
    "vnpay": ({"vnp_ResponseCode": "91", "vnp_Message": "not found"}, NotFound, "91"),
    "momo": ({"resultCode": 11, "message": "access denied"}, AuthError, "11"),
    "payos": ({"code": "101", "desc": "link not found"}, NotFound, "101"),
}
ROUTES = {"vnpay": "transaction", "momo": "query", "payos": "info"}


def query(gateway: Any) -> object:
    return gateway.query("2025000123", created_at=datetime(2025, 1, 2, 10, 15, tzinfo=VN_TZ))


@pytest.mark.parametrize("name", GATEWAYS)
def test_a_refusal_becomes_the_tables_error_with_the_raw_answer(name: str) -> None:
    body, error, vendor_code = REFUSALS[name]
    with gateway_and_simulator(name) as (gateway, sim):
        sim.faults.add(ROUTES[name], Status(200, json.dumps(body).encode(), "application/json"))
        with pytest.raises(error) as raised:
            query(gateway)
    assert (name, "query", vendor_code, 200) == (
        raised.value.provider,
        raised.value.operation,
        raised.value.vendor_code,
        raised.value.http_status,
    )
    assert raised.value.code in {"not_found", "auth"}
    assert raised.value.vendor_message in raised.value.message
    assert vendor_code in (raised.value.body_excerpt or "")


@pytest.mark.parametrize("name", GATEWAYS)
def test_an_error_status_without_the_vendors_answer_is_its_http_error(name: str) -> None:
    with gateway_and_simulator(name) as (gateway, sim):
        sim.faults.add(ROUTES[name], Status(401, b"<html>denied</html>", "text/html"))
        with pytest.raises(AuthError) as denied:
            query(gateway)
        sim.faults.add(ROUTES[name], Status(503, b"busy", "text/plain"), times=3)
        with pytest.raises(ProviderUnavailable) as busy:
            query(gateway)
    assert (401, 503) == (denied.value.http_status, busy.value.http_status)
    assert 4 == len(sim.requests_to(ROUTES[name]))  # the 503 read was retried


@pytest.mark.parametrize("name", GATEWAYS)
def test_an_unreadable_answer_is_malformed(name: str) -> None:
    with gateway_and_simulator(name) as (gateway, sim):
        sim.faults.add(ROUTES[name], Malformed(b"not json at all"))
        with pytest.raises(ProviderError) as raised:
            query(gateway)
    assert ("malformed_response", name, 200) == (
        raised.value.code,
        raised.value.provider,
        raised.value.http_status,
    )


@pytest.mark.parametrize("name", GATEWAYS)
def test_callback_answers_come_from_the_profile(name: str) -> None:
    gateway: FeeGateway = make_client(name, URLS[name])
    profile = CLIENTS[name].default_profile
    for outcome in CallbackOutcome:
        assert profile.answer(outcome) == gateway.callback_answer(outcome)
    assert isinstance(gateway.callback_answer(CallbackOutcome.ACCEPTED), HttpAnswer)
    assert 200 <= gateway.callback_answer(CallbackOutcome.ACCEPTED).status < 300
