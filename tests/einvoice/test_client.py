"""The e-invoice domain base (`InvoiceClient`): one construction convention for every vendor,
checks before anything is sent, and the session token cache."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from connectors.core import ConfigError, Transport, ValidationError
from connectors.einvoice import InvoiceProvider
from connectors.einvoice.client import InvoiceClient, TokenCache, check_reason
from connectors.providers import Provider
from connectors.testing import Simulator, mount
from connectors.testing.conformance.einvoice import sample_receipt
from tests.einvoice import vendors

HOST = "https://einvoice.sim.test"


def fields(entry: Provider) -> dict[str, Any]:
    return vendors.settings_fields(entry.name, HOST)


def quick() -> Transport:
    return vendors.transport("test", read=1.0)


@pytest.fixture(params=vendors.VENDORS, ids=[p.name for p in vendors.VENDORS])
def vendor(request: pytest.FixtureRequest) -> Provider:
    entry: Provider = request.param
    return entry


@pytest.fixture
def sim(vendor: Provider) -> Iterator[Simulator]:
    simulator: Simulator = vendor.make_simulator()
    with mount(simulator, HOST):
        yield simulator


def test_every_vendor_is_an_invoice_client_named_as_its_record(vendor: Provider) -> None:
    cls = vendor.client_class()
    assert issubclass(cls, InvoiceClient)
    assert vendor.name == cls.name
    assert vendor.settings_class() is cls.settings_class


def test_keywords_are_the_settings_fields(vendor: Provider, sim: Simulator) -> None:
    cls = vendor.client_class()
    by_keywords = cls(**fields(vendor), transport=quick())
    by_settings = cls.from_settings(vendor.settings_class()(**fields(vendor)), transport=quick())
    assert by_keywords.settings == by_settings.settings
    issued = by_keywords.issue(sample_receipt(), idempotency_key="keywords-0001")
    assert isinstance(by_keywords, InvoiceProvider)
    assert issued.number == by_settings.get("keywords-0001").number
    created = [e.key for e in sim.ledger.entries() if e.kind in ("invoice", "create")]
    assert ["keywords-0001"] == created  # one document (BKAV's ledger: "create", then "sign")
    assert vendor.name == issued.provider


def test_from_env_reads_the_vendors_variables(
    vendor: Provider, sim: Simulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings_class = vendor.settings_class()
    prefix = str(settings_class.model_config["env_prefix"])
    for name, value in fields(vendor).items():
        monkeypatch.setenv(f"{prefix}{name.upper()}", str(value))
    given = quick()
    client = vendor.client_class().from_env(transport=given)
    assert client.settings == settings_class(**fields(vendor))
    assert given is client.transport  # the option went to the client


def test_a_missing_field_is_a_config_error_naming_it(vendor: Provider) -> None:
    values = fields(vendor)
    secret = next(iter(vendor.settings_class().secret_field_names()))
    del values[secret]
    with pytest.raises(ConfigError) as raised:
        vendor.client_class()(**values)
    assert secret == raised.value.field


def test_the_repr_names_the_vendor_and_never_a_secret(vendor: Provider) -> None:
    client = vendor.client_class()(**fields(vendor))
    text = repr(client)
    assert vendor.name in text
    for secret in client.settings.secret_values():
        assert secret not in text


def test_inputs_are_checked_before_anything_is_sent(vendor: Provider, sim: Simulator) -> None:
    client = vendor.client_class()(**fields(vendor), transport=quick())
    cases = [
        (lambda: client.issue("not a document"), "doc"),  # type: ignore[arg-type]
        (lambda: client.issue(sample_receipt(), idempotency_key="has space"), "idempotency_key"),
        (lambda: client.cancel("k-000000001", "x" * 256), "reason"),
        (lambda: client.replace("k-000000001", sample_receipt(), reason=""), "reason"),
        (
            lambda: client.adjust(
                "k-000000001", sample_receipt(), reason="x", idempotency_key="k-000000001"
            ),
            "idempotency_key",
        ),
        (lambda: client.download("k-000000001", "html"), "format"),  # type: ignore[arg-type]
    ]
    for call, field in cases:
        with pytest.raises(ValidationError) as raised:
            call()
        assert field == raised.value.field
    assert [] == sim.seen


def test_a_reason_is_stripped_and_bounded() -> None:
    assert "Sai địa chỉ" == check_reason("  Sai địa chỉ \n")
    assert 255 == len(check_reason("x" * 255))
    for bad in ("", "   ", "x" * 256):
        with pytest.raises(ValidationError):
            check_reason(bad)


class Login:
    """A vendor's login: hands out numbered tokens living `lifetime` seconds."""

    def __init__(self, lifetime: float = 100.0) -> None:
        self.lifetime = lifetime
        self.calls = 0

    def __call__(self) -> tuple[str, float]:
        self.calls += 1
        return f"token-{self.calls}", self.lifetime


def test_a_token_is_kept_until_its_margin_before_the_end() -> None:
    now = [1000.0]
    login = Login(lifetime=100.0)
    tokens = TokenCache(login, clock=lambda: now[0], margin=10.0)
    assert ["token-1", "token-1"] == [tokens.get(), tokens.get()]
    now[0] += 89.9
    assert "token-1" == tokens.get()
    now[0] += 0.1  # 90 s: lifetime minus the margin
    assert "token-2" == tokens.get()
    assert "token-3" == tokens.get(force=True)
    assert 3 == login.calls


def test_concurrent_callers_share_one_login() -> None:
    login = Login()
    tokens = TokenCache(login)
    seen: list[str] = []
    threads = [threading.Thread(target=lambda: seen.append(tokens.get())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert ["token-1"] * 8 == seen
    assert 1 == login.calls
