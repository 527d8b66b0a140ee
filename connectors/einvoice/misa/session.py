"""A MISA meInvoice session: settings, the bearer token, and JSON POSTs read into errors.

The token comes from ``POST /auth/token`` with ``appid``, ``taxcode``, ``username`` and
``password``; it is kept for `MisaProfile.token_refresh_seconds` and renewed at once when
MISA answers ``TokenExpiredCode`` or ``InvalidToken`` (the request is then sent once more:
MISA refused it before doing anything).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from connectors.core.config import ProviderSettings
from connectors.core.errors import ProviderError
from connectors.core.http_errors import error_for_status, request_id_of
from connectors.core.retry import Idempotency, RetryPolicy
from connectors.core.transport import RequestSpec, Transport
from connectors.einvoice.codes import Refusal, refusal_error
from connectors.einvoice.misa.wire import DEFAULT_PROFILE, MisaProfile, result_code_of
from connectors.vn.taxcode import TaxCode

__all__ = ["PROVIDER", "MisaSession", "MisaSettings"]

PROVIDER = "misa"
_TOKEN_CODES = frozenset({"TokenExpiredCode", "InvalidToken"})


class MisaSettings(ProviderSettings):
    """MISA meInvoice settings; environment prefix ``CONNECTORS_MISA_``.

    `base_url` ends with ``/api/integration`` (sandbox by default); `app_id` is issued by
    MISA to the integrator; `tax_code` is the seller's MST; `username`/`password` the
    commune's meInvoice account.
    """

    model_config = SettingsConfigDict(
        env_prefix="CONNECTORS_MISA_", env_nested_delimiter="__", extra="forbid", frozen=True
    )

    base_url: str = "https://testapi.meinvoice.vn/api/integration"
    app_id: SecretStr
    tax_code: TaxCode
    username: str
    password: SecretStr


class MisaSession:
    """Token cache and JSON POSTs for one MISA account; thread-safe."""

    def __init__(
        self,
        settings: MisaSettings,
        transport: Transport,
        *,
        profile: MisaProfile = DEFAULT_PROFILE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.transport = transport
        self.profile = profile
        self._clock = clock
        self._token_lock = threading.Lock()
        self._token: str | None = None
        self._token_at = 0.0

    def token(self, *, force: bool = False) -> str:
        """The bearer token, logging in when there is none, it is old, or `force`."""
        with self._token_lock:
            fresh = self._clock() - self._token_at < self.profile.token_refresh_seconds
            if self._token is not None and fresh and not force:
                return self._token
            settings = self.settings
            response = self.transport.request(
                RequestSpec(
                    "POST",
                    settings.base_url + self.profile.token_path,
                    json={
                        "appid": settings.app_id.get_secret_value(),
                        "taxcode": settings.tax_code,
                        "username": settings.username,
                        "password": settings.password.get_secret_value(),
                    },
                ),
                operation="login",
                idempotency=Idempotency.READ,
            )
            body = self._read(response, "login")
            token = body.get("data")
            if not isinstance(token, str) or not token:
                raise ProviderError(
                    "MISA login answered without a token",
                    provider=PROVIDER,
                    operation="login",
                    code="malformed_response",
                )
            self._token, self._token_at = token, self._clock()
            return token

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
                    headers={
                        "Authorization": f"Bearer {token}",
                        "CompanyTaxCode": self.settings.tax_code,
                    },
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
                if attempt == 1 and exc.vendor_code in _TOKEN_CODES:
                    continue
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _read(self, response: requests.Response, operation: str) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        code = body.get("errorCode") if isinstance(body, dict) else None
        if response.status_code >= 400 and not code:
            raise error_for_status(
                response, provider=PROVIDER, operation=operation, redactor=self.transport.redactor
            )
        if not isinstance(body, dict):
            raise ProviderError(
                f"MISA answered {operation} with a body that is not JSON",
                provider=PROVIDER,
                operation=operation,
                code="malformed_response",
                http_status=response.status_code,
                request_id=request_id_of(response.headers),
                body_excerpt=self.transport.redactor.excerpt(
                    response.content, response.headers.get("Content-Type")
                ),
            )
        if body.get("success") is False or code:
            vendor_code = str(code or "Unknown")
            raise refusal_error(
                Refusal(
                    result_code_of(vendor_code),
                    vendor_code,
                    _text(body.get("descriptionErrorCode")),
                ),
                provider=PROVIDER,
                operation=operation,
                http_status=response.status_code,
                request_id=request_id_of(response.headers),
            )
        return body


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)
