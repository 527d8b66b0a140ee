"""A MISA meInvoice session: settings, the bearer token, and JSON POSTs read into errors.

The token comes from ``POST /auth/token`` with ``appid``, ``taxcode``, ``username`` and
``password``; it is kept for `WireProfile.token_refresh_seconds` and renewed at once when
MISA answers ``TokenExpiredCode`` or ``InvalidToken`` (the request is then sent once more:
MISA refused it before doing anything).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import requests
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from connectors.core.config import ProviderSettings
from connectors.core.deprecation import moved
from connectors.core.errors import ProviderError
from connectors.core.retry import Idempotency, RetryPolicy
from connectors.core.transport import RequestSpec, Transport
from connectors.einvoice.client import TokenCache, read_json
from connectors.einvoice.misa.wire import (
    DEFAULT_PROFILE,
    TOKEN_CODES,
    VENDOR,
    Call,
    WireProfile,
    auth_headers,
    login_call,
    refusal_of,
    token_of,
)
from connectors.einvoice.provider import MALFORMED
from connectors.vn.taxcode import TaxCode

__all__ = ["PROVIDER", "MisaInvoiceSettings", "MisaSession"]

PROVIDER = VENDOR.name


class MisaInvoiceSettings(ProviderSettings):
    """MISA meInvoice settings; environment prefix ``CONNECTORS_MISA_``.

    `base_url` ends with ``/api/integration`` (sandbox by default); `app_id` is issued by
    MISA to the integrator; `tax_code` is the seller's MST; `username`/`password` the
    commune's meInvoice account.
    """

    model_config = SettingsConfigDict(env_prefix="CONNECTORS_MISA_")

    base_url: str = "https://testapi.meinvoice.vn/api/integration"
    app_id: SecretStr
    tax_code: TaxCode
    username: str
    password: SecretStr


class MisaSession:
    """Token cache and JSON POSTs for one MISA account; thread-safe."""

    def __init__(
        self,
        settings: MisaInvoiceSettings,
        transport: Transport,
        *,
        profile: WireProfile = DEFAULT_PROFILE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.transport = transport
        self.profile = profile
        self._tokens = TokenCache(self._login, clock=clock)

    def token(self, *, force: bool = False) -> str:
        """The bearer token, logging in when there is none, it is old, or `force`."""
        return self._tokens.get(force=force)

    def _login(self) -> tuple[str, float]:
        settings = self.settings
        call = login_call(
            settings.app_id.get_secret_value(),
            settings.tax_code,
            settings.username,
            settings.password.get_secret_value(),
            self.profile,
        )
        response = self.transport.request(
            RequestSpec("POST", settings.base_url + call.path, json=call.json),
            operation=call.operation,
            idempotency=Idempotency.READ,
        )
        token = token_of(self._read(response, call.operation))
        if token is None:
            raise ProviderError(
                "MISA login answered without a token",
                provider=PROVIDER,
                operation="login",
                code=MALFORMED,
            )
        return token, self.profile.token_refresh_seconds

    def post(
        self,
        operation: str,
        path: str,
        *,
        json: Any,
        idempotency: Idempotency,
        params: Mapping[str, Any] | None = None,
        key: str | None = None,
        retry: RetryPolicy | None = None,
        max_response_bytes: int | None = None,
    ) -> dict[str, Any]:
        """POST JSON with the bearer token; the body of a successful answer.

        A token MISA calls expired is renewed and the request sent once more. Errors: the
        HTTP status mapped (`error_for_status`), a non-JSON body (`malformed_response`), or
        ``success: false`` / an ``errorCode`` mapped onto `ResultCode`.
        """
        for attempt in (1, 2):
            token = self.token(force=attempt == 2)
            response = self.transport.request(
                RequestSpec(
                    "POST",
                    self.settings.base_url + path,
                    params=params,
                    headers=auth_headers(token, self.settings.tax_code),
                    json=json,
                ),
                operation=operation,
                idempotency=idempotency,
                idempotency_key=key,
                retry=retry,
                max_response_bytes=max_response_bytes,
            )
            try:
                return self._read(response, operation)
            except ProviderError as exc:
                if attempt == 1 and exc.vendor_code in TOKEN_CODES:
                    continue
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def send(self, call: Call, **options: Any) -> dict[str, Any]:
        """`post` one `wire.Call`; `options` are `post`'s (`idempotency`, `key`...)."""
        return self.post(call.operation, call.path, json=call.json, params=call.params, **options)

    def _read(self, response: requests.Response, operation: str) -> dict[str, Any]:
        return read_json(
            response,
            operation,
            provider=PROVIDER,
            title="MISA",
            redactor=self.transport.redactor,
            refusal_of=refusal_of,
        )


__getattr__ = moved(__name__, {"MisaSettings": "connectors.einvoice.misa:MisaInvoiceSettings"})
