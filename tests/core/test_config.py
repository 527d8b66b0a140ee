"""Settings: env prefixes, SecretStr, one ConfigError naming the fields."""

from __future__ import annotations

import pytest
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from connectors.core import ConfigError, ProviderSettings, Timeouts, load_settings


class DemoSettings(ProviderSettings):
    model_config = SettingsConfigDict(env_prefix="CONNECTORS_DEMO_")
    tmn_code: str
    hash_secret: SecretStr


def test_values_come_from_the_environment_with_the_provider_prefix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CONNECTORS_DEMO_TMN_CODE", "HNTEST01")
    monkeypatch.setenv("CONNECTORS_DEMO_HASH_SECRET", "s3cr3t-value-42")
    monkeypatch.setenv("CONNECTORS_DEMO_HTTP__READ_TIMEOUT", "12.5")
    settings = load_settings(DemoSettings, base_url="https://sandbox.example.vn/")
    assert "HNTEST01" == settings.tmn_code
    assert "s3cr3t-value-42" == settings.hash_secret.get_secret_value()
    assert "https://sandbox.example.vn" == settings.base_url
    assert Timeouts(connect=5.0, read=12.5, total=60.0) == settings.http.timeouts()
    assert "s3cr3t-value-42" not in repr(settings)
    assert "s3cr3t-value-42" not in str(settings)


def test_config_error_names_every_bad_field_and_its_variable_but_no_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CONNECTORS_DEMO_TMN_CODE", raising=False)
    monkeypatch.delenv("CONNECTORS_DEMO_HASH_SECRET", raising=False)
    with pytest.raises(ConfigError) as raised:
        load_settings(DemoSettings, base_url="ftp://leaky-host-value")
    text = str(raised.value)
    assert "base_url (CONNECTORS_DEMO_BASE_URL)" in text
    assert "tmn_code (CONNECTORS_DEMO_TMN_CODE)" in text
    assert "hash_secret (CONNECTORS_DEMO_HASH_SECRET)" in text
    assert "leaky-host-value" not in text
    assert "base_url" == raised.value.field


def test_http_settings_are_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONNECTORS_DEMO_HTTP__CONNECT_TIMEOUT", "0")
    with pytest.raises(ConfigError, match=r"http\.connect_timeout"):
        load_settings(DemoSettings, base_url="https://x.vn", tmn_code="T", hash_secret="s")


def test_redactor_masks_declared_secret_fields_and_values() -> None:
    settings = load_settings(
        DemoSettings, base_url="https://x.vn", tmn_code="T", hash_secret="very-secret-99"
    )
    assert ["hash_secret"] == DemoSettings.secret_field_names()
    redactor = settings.redactor()
    out = redactor.text("the key is very-secret-99 ok")
    assert "very-secret-99" not in out


class OptionalSecretSettings(ProviderSettings):
    model_config = SettingsConfigDict(env_prefix="CONNECTORS_OPTSECRET_")

    token: SecretStr
    webhook_secret: SecretStr | None = None


def test_optional_secrets_are_declared_and_masked() -> None:
    settings = load_settings(
        OptionalSecretSettings,
        base_url="https://x.test",
        token="tok-fake-1",
        webhook_secret="whsec-fake-2",
    )
    assert ["token", "webhook_secret"] == OptionalSecretSettings.secret_field_names()
    masked = settings.redactor().text("sent whsec-fake-2 and tok-fake-1")
    assert "whsec-fake-2" not in masked
    assert "tok-fake-1" not in masked
