"""The SMS domain base (`SmsClient`): one construction convention for every provider, its
transport and options, and the answer handling every provider shares."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from connectors.core import (
    AuthError,
    ConfigError,
    Duplicate,
    OutcomeUnknown,
    ProviderError,
    RateLimited,
    RequestSpec,
    RetryPolicy,
    Timeouts,
    Transport,
    ValidationError,
)
from connectors.providers import Provider, by_domain
from connectors.sms import Message, SmsErrorCode, SmsSender, SmsSettings
from connectors.sms.base import Vendor
from connectors.sms.compose import Composed
from connectors.sms.sender import Accepted, SmsClient
from connectors.testing import Malformed, SimRequest, SimResponse, Simulator, Status, mount
from tests.sms import harnesses

PROVIDERS = by_domain("sms")
IDS = [p.name for p in PROVIDERS]


def fields(name: str) -> dict[str, Any]:
    """Provider `name`'s settings fields for the test simulator."""
    vendor = harnesses.VENDORS[name]
    return {"base_url": vendor.url, "brandname": harnesses.BRAND, **vendor.credentials}


def paid(recipient: str = "0912345678") -> Message:
    return Message(recipient, template_id="paid", params=harnesses.PARAMS)


@pytest.fixture(params=PROVIDERS, ids=IDS)
def entry(request: pytest.FixtureRequest) -> Provider:
    provider: Provider = request.param
    return provider


@pytest.fixture
def sim(entry: Provider) -> Iterator[Any]:
    simulator = harnesses.simulator(entry.name)
    with mount(simulator, harnesses.VENDORS[entry.name].url):
        yield simulator


def test_every_provider_is_an_sms_client_named_as_its_record(entry: Provider) -> None:
    cls = entry.client_class()
    assert issubclass(cls, SmsClient)
    assert entry.name == cls.name == cls.vendor.name
    assert entry.settings_class() is cls.settings_class
    assert issubclass(cls.settings_class, SmsSettings)
    assert cls.secret_wire_fields == cls.vendor.secret_fields


def test_keywords_and_settings_build_the_same_client(entry: Provider, sim: Any) -> None:
    cls = entry.client_class()
    by_keywords = cls(**fields(entry.name), templates=harnesses.registry())
    settings = entry.settings_class()(**fields(entry.name))
    by_settings = cls.from_settings(settings, harnesses.registry())
    as_option = cls.from_settings(settings, templates=harnesses.registry())
    assert by_keywords.settings == by_settings.settings == as_option.settings
    first = by_keywords.send(paid(), "K-1")
    again = by_settings.send(paid("0987654321"), "K-2")
    assert isinstance(by_keywords, SmsSender)
    assert (entry.name, entry.name) == (first.provider, again.provider)
    assert 2 == sim.ledger.count("sms")


def test_from_env_reads_the_providers_variables(
    entry: Provider, sim: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_class = entry.settings_class()
    prefix = str(settings_class.model_config["env_prefix"])
    for name, value in fields(entry.name).items():
        text = value if isinstance(value, str) else json.dumps(value)
        monkeypatch.setenv(f"{prefix}{name.upper()}", text)
    given = Transport("caller", retry=harnesses.fast_retry())
    client = entry.client_class().from_env(templates=harnesses.registry(), transport=given)
    assert client.settings == settings_class(**fields(entry.name))
    assert given is client.transport  # the options went to the client
    assert client.send(paid(), "K-env").accepted


def test_keywords_never_read_the_environment(
    entry: Provider, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = str(entry.settings_class().model_config["env_prefix"])
    monkeypatch.setenv(f"{prefix}BRANDNAME", "FROMENV")
    client = entry.client_class()(**fields(entry.name), templates=harnesses.registry())
    assert harnesses.BRAND == client.brandname


def test_a_missing_field_is_a_config_error_naming_it(entry: Provider) -> None:
    values = fields(entry.name)
    secret = entry.settings_class().secret_field_names()[0]
    del values[secret]
    with pytest.raises(ConfigError) as raised:
        entry.client_class()(**values, templates=harnesses.registry())
    assert secret == raised.value.field
    assert str(entry.settings_class().model_config["env_prefix"]) in raised.value.message


def test_settings_and_fields_together_are_refused(entry: Provider) -> None:
    settings = entry.settings_class()(**fields(entry.name))
    with pytest.raises(ConfigError, match="not both") as raised:
        entry.client_class()(settings, base_url="https://other.test", templates=None)
    assert "base_url" == raised.value.field


def test_another_providers_settings_are_refused() -> None:
    viettel = harnesses.VENDORS["viettel"].client.settings_class(**fields("viettel"))
    with pytest.raises(ConfigError, match="needs MobifoneSmsSettings") as raised:
        harnesses.VENDORS["mobifone"].client(viettel, templates=harnesses.registry())
    assert "settings" == raised.value.field


def test_a_bad_brandname_is_refused_when_the_settings_load() -> None:
    with pytest.raises(ConfigError) as raised:
        harnesses.mobifone_sender(harnesses.MOBIFONE_URL, brandname="UBND-X")
    assert "brandname" == raised.value.field


def test_a_brandname_the_registry_lacks_is_refused_before_anything_is_sent() -> None:
    with pytest.raises(ValidationError) as raised:
        harnesses.mobifone_sender(harnesses.MOBIFONE_URL, brandname="OTHERBRAND")
    assert "brandname" == raised.value.field


def test_templates_must_be_a_registry() -> None:
    with pytest.raises(ValidationError) as raised:
        harnesses.mobifone_sender(harnesses.MOBIFONE_URL, templates={"paid": harnesses.PAID})
    assert "templates" == raised.value.field


def test_timeouts_and_retry_make_a_transport_of_its_own_masking_the_secrets() -> None:
    timeouts = Timeouts(connect=0.5, read=0.25, total=3.0)
    retry = RetryPolicy(max_attempts=2)
    client = harnesses.esms_sender(harnesses.ESMS_URL, timeouts=timeouts, retry=retry)
    assert (timeouts, retry) == (client.transport.timeouts, client.transport.retry)
    assert "esms" == client.transport.provider
    masked = client.transport.redactor.text(
        '{"ApiKey": "x", "SecretKey": "y"} fake-api-key-4 fake-secret-key-4'
    )
    assert "fake-api-key-4" not in masked
    assert "fake-secret-key-4" not in masked
    assert '"x"' not in masked


def test_without_options_the_transport_follows_the_settings_http() -> None:
    http = {"connect_timeout": 1.5, "read_timeout": 2.5, "deadline": 7.0, "max_attempts": 2}
    client = harnesses.VENDORS["vnpt"].client(
        **fields("vnpt"), http=http, templates=harnesses.registry()
    )
    assert Timeouts(connect=1.5, read=2.5, total=7.0) == client.transport.timeouts
    assert 2 == client.transport.retry.max_attempts


def test_provider_is_a_deprecated_name_for_name() -> None:
    client = harnesses.viettel_sender(harnesses.VIETTEL_URL)
    with pytest.warns(DeprecationWarning, match="ViettelSms.provider is deprecated"):
        assert "viettel" == client.provider


def test_the_repr_names_the_provider_and_hides_the_secrets() -> None:
    client = harnesses.vnpt_sender(harnesses.VNPT_URL)
    assert "VnptSms(name='vnpt', base_url='https://vnpt.sim.test')" == repr(client)


# -- what the base does for a provider's steps --------------------------------------------


class Echo(SmsClient[SmsSettings, Any]):
    """A provider whose `_submit` is scripted by the test."""

    vendor = Vendor("echo", "Echo", secret_fields=("Token",))
    settings_class = SmsSettings
    default_profile = harnesses.VENDORS["esms"].client.default_profile

    def _submit(self, composed: Composed, key: str) -> Accepted:
        raise AssertionError("not used")


def echo() -> Echo:
    return Echo(base_url="https://echo.test", templates=harnesses.registry())


def test_a_subclass_takes_its_name_and_secret_fields_from_its_vendor() -> None:
    assert ("echo", ("Token",)) == (Echo.name, Echo.secret_wire_fields)


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        (SmsErrorCode.AUTH, AuthError),
        (SmsErrorCode.RATE_LIMITED, RateLimited),
        (SmsErrorCode.QUOTA, ProviderError),
        (SmsErrorCode.UNKNOWN, ProviderError),
    ],
)
def test_settle_raises_the_domain_error_keeping_the_raw_answer(
    code: SmsErrorCode, cls: type[ProviderError]
) -> None:
    answer = Accepted("id-1", "77", "raw text")
    with pytest.raises(cls) as raised:
        echo()._settle(code, answer, "send", request_id="R-1")
    error = raised.value
    assert not isinstance(error, Duplicate)
    assert (code.value, "77", "raw text", "echo", "send", "R-1") == (
        error.code,
        error.vendor_code,
        error.vendor_message,
        error.provider,
        error.operation,
        error.request_id,
    )
    assert "Echo refused the message: 77 raw text" == error.message
    assert code.retryable is error.retryable


def test_settle_takes_a_duplicate_as_accepted() -> None:
    answer = Accepted("id-1", "124", "Request exist")
    assert Accepted("id-1", "124", "Request exist", duplicate=True) == echo()._settle(
        SmsErrorCode.DUPLICATE, answer, "send"
    )


class Gateway(Simulator):
    """Answers every POST /send with `body`."""

    def __init__(self, body: bytes) -> None:
        super().__init__()
        self.body = body
        self.add_route("POST", "/send", self._send, name="send")

    def _send(self, _request: SimRequest) -> SimResponse:
        return SimResponse(200, self.body, {"Content-Type": "application/json"})


def read_code(body: bytes) -> str:
    return str(json.loads(body)["code"])


def keyed(body: bytes) -> str:
    spec = RequestSpec("POST", "https://echo.test/send", json={})
    with mount(Gateway(body), "https://echo.test"):
        return echo()._keyed_answer(spec, "K-1", "send", read_code)


def test_keyed_answer_reads_the_body() -> None:
    assert "0" == keyed(b'{"code": 0}')


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"other": 1}'])
def test_keyed_answer_the_reader_cannot_read_is_outcome_unknown(body: bytes) -> None:
    with pytest.raises(OutcomeUnknown) as raised:
        keyed(body)
    error = raised.value
    assert ("K-1", "echo", "send", 200) == (
        error.idempotency_key,
        error.provider,
        error.operation,
        error.http_status,
    )
    assert "Echo answered send with an unreadable body; send again with the same key" in str(
        error.message
    )


@pytest.mark.parametrize("fault", [Malformed(b"{not json"), Status(200, b"[]")])
def test_an_unreadable_keyed_answer_is_outcome_unknown_with_the_key(fault: object) -> None:
    sim = harnesses.esms_sim()
    sim.faults.add("send", fault)  # type: ignore[arg-type]
    with mount(sim, harnesses.ESMS_URL), pytest.raises(OutcomeUnknown) as raised:
        harnesses.esms_sender(harnesses.ESMS_URL).send(paid(), "K-unreadable")
    error = raised.value
    assert ("K-unreadable", "esms", "send") == (
        error.idempotency_key,
        error.provider,
        error.operation,
    )
    assert "send again with the same key to reconcile" in error.message


def test_an_http_error_status_of_a_keyed_send_is_its_error() -> None:
    sim = harnesses.vnpt_sim()
    sim.faults.add("send_sms_list", Status(401, b"denied"))
    with mount(sim, harnesses.VNPT_URL), pytest.raises(AuthError) as raised:
        harnesses.vnpt_sender(harnesses.VNPT_URL).send(paid(), "K-401")
    assert (401, "vnpt", "send_sms_list") == (
        raised.value.http_status,
        raised.value.provider,
        raised.value.operation,
    )
    assert 0 == sim.ledger.count("sms")
