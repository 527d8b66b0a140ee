"""Pull the account's transactions from SePay, for reconciliation (đối soát định kỳ).

Webhooks can be lost (an endpoint down past SePay's retries); SePay advises a periodic pull
of the transaction list to catch up. `SePayTransactions.fetch` reads
`GET {base_url}/v2/transactions` page by page (a read: retried on transient faults) and
returns `BankTransfer`s, the same type the webhook gives, ready for `reconcile`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from connectors.banks.matching import BankTransfer, TransferDirection
from connectors.banks.sepay.wire import PROVIDER, WIRE, WireProfile, format_time, transfer_from_item
from connectors.core.errors import ConfigError, ProviderError, ValidationError
from connectors.core.http_errors import error_for_status
from connectors.core.redaction import Redactor
from connectors.core.retry import Idempotency, RetryPolicy
from connectors.core.transport import RequestSpec, Timeouts, Transport

if TYPE_CHECKING:
    from connectors.banks.sepay.config import SePaySettings

__all__ = ["DEFAULT_BASE_URL", "PAGE_LIMIT", "SePayTransactions"]

DEFAULT_BASE_URL = "https://userapi.sepay.vn"
PAGE_LIMIT = 16 * 1024 * 1024
"""The largest page of the transaction list read (16 MiB: thousands of transactions);
a larger answer raises `ResponseTooLarge` (ask for smaller pages: `WireProfile.page_size`)."""
_MAX_PAGES = 1000


class SePayTransactions:
    """A client for SePay's transaction list; thread-safe; the token never leaves logs.

    Given a caller's `transport`, the client adds its token to that transport's redactor
    (`timeouts` and `retry` are then the transport's own).
    """

    provider = PROVIDER

    def __init__(
        self,
        *,
        api_token: str | SecretStr,
        base_url: str = DEFAULT_BASE_URL,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        transport: Transport | None = None,
        profile: WireProfile = WIRE,
    ) -> None:
        token = api_token.get_secret_value() if isinstance(api_token, SecretStr) else api_token
        if not token:
            raise ValidationError("api_token is empty", field="api_token")
        self._token = token
        self.base_url = base_url.rstrip("/")
        self.profile = profile
        if transport is not None:  # a caller's transport: mask the token there too
            transport.protect(values=[token])
        self.transport = transport or Transport(
            PROVIDER,
            timeouts=timeouts or Timeouts(connect=5.0, read=20.0, total=60.0),
            retry=retry,
            redactor=Redactor(secret_values=[token]),
        )

    @classmethod
    def from_settings(cls, settings: SePaySettings, /, **options: Any) -> SePayTransactions:
        """The transaction-list client of `SePaySettings` (needs its `api_token`)."""
        if not settings.api_token.get_secret_value():
            raise ConfigError("set CONNECTORS_SEPAY_API_TOKEN", field="api_token")
        values: dict[str, Any] = {
            "timeouts": settings.http.timeouts(),
            "retry": settings.http.retry_policy(),
            **options,
        }
        return cls(api_token=settings.api_token, base_url=settings.base_url, **values)

    def __repr__(self) -> str:
        return f"SePayTransactions(base_url={self.base_url!r}, api_token=***)"

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
        params: dict[str, str] = {
            "per_page": str(self.profile.page_size),
            "transaction_date_sort": "asc",
        }
        if since is not None:
            params["transaction_date_from"] = format_time(since, self.profile)
        if until is not None:
            params["transaction_date_to"] = format_time(until, self.profile)
        if account is not None:
            params["account_number"] = account
        if direction is not None:
            params["transfer_type"] = TransferDirection(direction).value
        found: list[BankTransfer] = []
        for page in range(1, _MAX_PAGES + 1):
            data, has_more = self._page({**params, "page": str(page)})
            found.extend(data)
            if not has_more:
                return found
        raise ProviderError(
            f"more than {_MAX_PAGES} pages: narrow the date range",
            provider=PROVIDER,
            operation="list_transactions",
        )

    def _page(self, params: dict[str, str]) -> tuple[list[BankTransfer], bool]:
        spec = RequestSpec(
            "GET",
            self.base_url + self.profile.transactions_path,
            params=params,
            headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"},
        )
        operation = "list_transactions"
        response = self.transport.request(
            spec,
            operation=operation,
            idempotency=Idempotency.READ,
            max_response_bytes=PAGE_LIMIT,
        )
        if response.status_code != 200:
            raise error_for_status(
                response, provider=PROVIDER, operation=operation, redactor=self.transport.redactor
            )
        try:
            body: Any = json.loads(response.content.decode("utf-8"))
            items = body["data"]
            has_more = bool(body.get("meta", {}).get("pagination", {}).get("has_more", False))
            if not isinstance(items, list):
                raise TypeError("data is not a list")
            return [transfer_from_item(item, self.profile) for item in items], has_more
        except (ValueError, KeyError, TypeError, AttributeError, ValidationError) as exc:
            raise ProviderError(
                f"malformed transaction list ({type(exc).__name__})",
                provider=PROVIDER,
                operation=operation,
                http_status=response.status_code,
                body_excerpt=self.transport.redactor.excerpt(response.content, "application/json"),
            ) from None
