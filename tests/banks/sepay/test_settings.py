"""SePay settings from the environment, as a commune IT team sets them."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from connectors.banks.sepay import SepayTransactionsSettings
from connectors.core.config import load_settings
from connectors.core.errors import ConfigError
from connectors.testing import mount
from connectors.testing.simulators.banks.sepay import SepayTransactionsSimulator

SECRET = "fake-env-secret-0003"
TOKEN = "fake-env-token-0003"


def test_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONNECTORS_SEPAY_WEBHOOK_HMAC_SECRET", SECRET)
    monkeypatch.setenv("CONNECTORS_SEPAY_API_TOKEN", TOKEN)
    monkeypatch.setenv("CONNECTORS_SEPAY_ACCOUNTS", '["0123456789"]')
    monkeypatch.setenv("CONNECTORS_SEPAY_BASE_URL", "https://userapi.sepay.test/")
    settings = load_settings(SepayTransactionsSettings)
    assert ("0123456789",) == settings.accounts
    assert "https://userapi.sepay.test" == settings.base_url
    assert SECRET not in repr(settings)
    assert "***" in settings.redactor().text(f"secret={SECRET} token {TOKEN}")
    assert SECRET not in settings.redactor().text(f"x {SECRET} y")

    body = b'{"id":1,"transactionDate":"2025-01-02 10:15:00","accountNumber":"0123456789",'
    body += b'"content":"HS1","transferType":"in","transferAmount":1}'
    stamp = "1735787700"
    digest = hmac.new(SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    hook = settings.webhook()
    hook.clock = lambda: 1_735_787_700.0
    headers = {"X-SePay-Timestamp": stamp, "X-SePay-Signature": f"sha256={digest}"}
    assert "1" == hook.parse(body, headers).transfer_id

    sim = SepayTransactionsSimulator(api_token=TOKEN)
    sim.transfer(account="0123456789", amount=5, content="x")
    with mount(sim, settings.base_url):
        assert [5] == [t.amount for t in settings.transactions().fetch()]


def test_api_key_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONNECTORS_SEPAY_WEBHOOK_API_KEY", "fake-key-0003")
    hook = load_settings(SepayTransactionsSettings).webhook()
    hook.verify(b"{}", {"Authorization": "Apikey fake-key-0003"})


def test_missing_settings_are_config_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("WEBHOOK_HMAC_SECRET", "WEBHOOK_API_KEY", "API_TOKEN"):
        monkeypatch.delenv(f"CONNECTORS_SEPAY_{name}", raising=False)
    settings = load_settings(SepayTransactionsSettings)
    with pytest.raises(ConfigError) as webhook:
        settings.webhook()
    assert "webhook_hmac_secret" == webhook.value.field
    with pytest.raises(ConfigError) as token:
        settings.transactions()
    assert "api_token" == token.value.field
    with pytest.raises(ConfigError) as bad_url:
        load_settings(SepayTransactionsSettings, base_url="ftp://x")
    assert "base_url" == bad_url.value.field
