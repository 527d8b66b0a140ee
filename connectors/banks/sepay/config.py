"""SePay settings for commune IT teams: from the environment (CONNECTORS_SEPAY_...) or code.

    CONNECTORS_SEPAY_WEBHOOK_HMAC_SECRET=...   # or CONNECTORS_SEPAY_WEBHOOK_API_KEY=...
    CONNECTORS_SEPAY_API_TOKEN=...             # for the reconciliation pull
    CONNECTORS_SEPAY_ACCOUNTS='["0123456789"]' # the commune's own account numbers

An unset secret is an empty `SecretStr`.
"""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from connectors.banks.sepay.transactions import DEFAULT_BASE_URL, SePayTransactions
from connectors.banks.sepay.webhook import SePayWebhook
from connectors.core.config import ProviderSettings
from connectors.core.errors import ConfigError
from connectors.core.webhooks import SeenStore

__all__ = ["SePaySettings"]


class SePaySettings(ProviderSettings):
    """Where SePay's API is, the webhook authentication, the API token, our accounts."""

    model_config = SettingsConfigDict(env_prefix="CONNECTORS_SEPAY_")

    base_url: str = DEFAULT_BASE_URL
    webhook_hmac_secret: SecretStr = SecretStr("")
    webhook_api_key: SecretStr = SecretStr("")
    api_token: SecretStr = SecretStr("")
    accounts: tuple[str, ...] = ()

    def webhook(self, *, seen: SeenStore | None = None) -> SePayWebhook:
        """The webhook receiver these settings describe (HMAC preferred when both are set)."""
        secret = self.webhook_hmac_secret.get_secret_value()
        key = self.webhook_api_key.get_secret_value()
        if secret:
            return SePayWebhook(hmac_secret=secret, seen=seen)
        if key:
            return SePayWebhook(api_key=key, seen=seen)
        raise ConfigError(
            "set CONNECTORS_SEPAY_WEBHOOK_HMAC_SECRET or CONNECTORS_SEPAY_WEBHOOK_API_KEY",
            field="webhook_hmac_secret",
        )

    def transactions(self) -> SePayTransactions:
        """The transaction-list client (needs `api_token`)."""
        return SePayTransactions.from_settings(self)
