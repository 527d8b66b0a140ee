"""Pull the account's transactions from SePay, for reconciliation (đối soát định kỳ).

Webhooks can be lost (an endpoint down past SePay's retries); SePay advises a periodic pull
of the transaction list to catch up. `SepayTransactions.fetch` reads the list page by page
(a read: retried on transient faults) and returns `BankTransfer`s, the same type the
webhook gives, ready for `reconcile`. `SepayTransactionsSettings` also describe the
webhook receiver (`webhook()`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from connectors.banks.gateway import tune_transport
from connectors.banks.matching import BankTransfer, TransferDirection
from connectors.banks.sepay import wire
from connectors.banks.sepay.webhook import SepayWebhook
from connectors.banks.sepay.wire import DEFAULT_BASE_URL, WireProfile
from connectors.core.client import ProviderClient
from connectors.core.config import HttpSettings, ProviderSettings
from connectors.core.deprecation import moved, warn_deprecated
from connectors.core.errors import ConfigError, ProviderError, ValidationError
from connectors.core.http_errors import error_for_status
from connectors.core.retry import Idempotency, RetryPolicy
from connectors.core.transport import RequestSpec, Timeouts, Transport
from connectors.core.webhooks import SeenStore

__all__ = ["DEFAULT_BASE_URL", "PAGE_LIMIT", "SepayTransactions", "SepayTransactionsSettings"]

PAGE_LIMIT = 16 * 1024 * 1024
"""The largest page of the transaction list read (16 MiB: thousands of transactions);
a larger answer raises `ResponseTooLarge` (ask for smaller pages: `WireProfile.page_size`)."""
_MAX_PAGES = 1000
_OPERATION = "list_transactions"


class SepayTransactionsSettings(ProviderSettings):
    """SePay settings for commune IT teams: from the environment or code.

        CONNECTORS_SEPAY_WEBHOOK_HMAC_SECRET=...   # or CONNECTORS_SEPAY_WEBHOOK_API_KEY=...
        CONNECTORS_SEPAY_API_TOKEN=...             # for the reconciliation pull
        CONNECTORS_SEPAY_ACCOUNTS='["0123456789"]' # the commune's own account numbers

    An unset secret is an empty `SecretStr`; the transaction list reads 20 s at most.
    """

    model_config = SettingsConfigDict(env_prefix="CONNECTORS_SEPAY_")

    base_url: str = DEFAULT_BASE_URL
    http: HttpSettings = HttpSettings(read_timeout=20.0)
    webhook_hmac_secret: SecretStr = SecretStr("")
    webhook_api_key: SecretStr = SecretStr("")
    api_token: SecretStr = SecretStr("")
    accounts: tuple[str, ...] = ()

    def webhook(self, *, seen: SeenStore | None = None) -> SepayWebhook:
        """The webhook receiver these settings describe (HMAC preferred when both are set)."""
        secret = self.webhook_hmac_secret.get_secret_value()
        key = self.webhook_api_key.get_secret_value()
        if secret:
            return SepayWebhook(hmac_secret=secret, seen=seen)
        if key:
            return SepayWebhook(api_key=key, seen=seen)
        raise ConfigError(
            "set CONNECTORS_SEPAY_WEBHOOK_HMAC_SECRET or CONNECTORS_SEPAY_WEBHOOK_API_KEY",
            field="webhook_hmac_secret",
        )

    def transactions(self, **options: Any) -> SepayTransactions:
        """The transaction-list client (needs `api_token`)."""
        return SepayTransactions.from_settings(self, **options)


class SepayTransactions(ProviderClient[SepayTransactionsSettings]):
    """A client for SePay's transaction list; thread-safe; the token never leaves logs.

    Construction: `SepayTransactions(api_token=..., base_url=...)` (an empty token is a
    `ValidationError`), `SepayTransactions.from_settings(settings)` or
    `SepayTransactions.from_env()` (a `ConfigError` naming `CONNECTORS_SEPAY_API_TOKEN`);
    options `transport` (a caller's, made to mask the token too), or `timeouts` and `retry`
    for a new one, and `profile`.
    """

    name = wire.NAME
    settings_class = SepayTransactionsSettings

    def __init__(
        self,
        settings: SepayTransactionsSettings | None = None,
        /,
        *,
        transport: Transport | None = None,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        profile: WireProfile = wire.DEFAULT_PROFILE,
        **fields: Any,
    ) -> None:
        by_keywords = settings is None
        super().__init__(settings, transport=transport, **fields)
        if not self.settings.api_token.get_secret_value():
            self.transport.close()
            if by_keywords:
                raise ValidationError("api_token is empty", field="api_token")
            raise ConfigError("set CONNECTORS_SEPAY_API_TOKEN", field="api_token")
        if transport is None:
            tune_transport(self, timeouts, retry)
        self.profile = profile

    @property
    def provider(self) -> str:
        """Deprecated: `name`."""
        warn_deprecated("SepayTransactions.provider", "SepayTransactions.name")
        return self.name

    def fetch(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        account: str | None = None,
        direction: TransferDirection | None = None,
    ) -> list[BankTransfer]:
        """Every transaction between `since` and `until` (aware datetimes, inclusive), oldest
        first, optionally for one `account` and one `direction`.

        Raises `ProviderError` subclasses for error answers (`AuthError` for a bad token),
        `TransportError` when SePay cannot be reached after retries.
        """
        params = wire.list_params(
            since=since, until=until, account=account, direction=direction, profile=self.profile
        )
        found: list[BankTransfer] = []
        for page in range(1, _MAX_PAGES + 1):
            data, has_more = self._page({**params, "page": str(page)})
            found.extend(data)
            if not has_more:
                return found
        raise ProviderError(
            f"more than {_MAX_PAGES} pages: narrow the date range",
            provider=self.name,
            operation=_OPERATION,
        )

    def _page(self, params: dict[str, str]) -> tuple[list[BankTransfer], bool]:
        spec = RequestSpec(
            "GET",
            self.settings.base_url + self.profile.transactions_path,
            params=params,
            headers=wire.list_headers(self.settings.api_token.get_secret_value()),
        )
        response = self.transport.request(
            spec, operation=_OPERATION, idempotency=Idempotency.READ, max_response_bytes=PAGE_LIMIT
        )
        redactor = self.transport.redactor
        if response.status_code != 200:
            raise error_for_status(
                response, provider=self.name, operation=_OPERATION, redactor=redactor
            )
        try:
            return wire.read_page(response.content, self.profile)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ProviderError(
                f"malformed transaction list ({type(exc).__name__})",
                provider=self.name,
                operation=_OPERATION,
                http_status=response.status_code,
                body_excerpt=redactor.excerpt(response.content, "application/json"),
            ) from None


__getattr__ = moved(
    __name__, {"SePayTransactions": "connectors.banks.sepay.transactions:SepayTransactions"}
)
