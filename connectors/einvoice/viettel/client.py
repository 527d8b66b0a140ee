"""The Viettel S-Invoice adapter: `ViettelInvoice`, an `InvoiceClient` over REST.

Fidelity: derived from integrators' code (Odoo ``l10n_vn_edi_viettel``); guessed details are
in `connectors.einvoice.viettel.wire.WireProfile`.

- Login ``POST /auth/login`` once; the token is cached until shortly before ``expires_in``
  and sent as the ``access_token`` cookie. A 401 (token refused before anything was done)
  logs in again and resends once. Viettel's HTTP 500 ``GENERAL`` also means an expired
  token, but a 500 can come after the invoice was created: on ``createInvoice`` it logs in
  again and then looks the invoice up by ``transactionUuid`` before any resend.
- `issue` sends ``createInvoice`` with the caller's key as ``transactionUuid`` (10-36
  characters). When the answer is lost or ambiguous, it calls
  ``searchInvoiceByTransactionUuid`` before any resend and returns the invoice found: a
  timeout or a 5xx never issues twice.
- The search answer's ``status`` is the payment status (Odoo reads it so), not whether the
  invoice was cancelled: `status` reports ``issued`` or ``pending`` unless the profile names
  a field that tells more.
- Dates are epoch milliseconds (``invoiceIssuedDate``), shown in GMT+7.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from connectors.core.config import ProviderSettings
from connectors.core.deprecation import moved
from connectors.core.errors import AuthError, ConnectorError, NotFound, ValidationError
from connectors.core.http_errors import request_id_of
from connectors.core.retry import Idempotency, RetryPolicy
from connectors.core.transport import RequestSpec
from connectors.einvoice.client import InvoiceClient, Related, TokenCache
from connectors.einvoice.models import Invoice, Receipt
from connectors.einvoice.provider import DocumentStatus, DownloadFormat, IssuedDocument
from connectors.einvoice.viettel import wire
from connectors.einvoice.viettel.wire import (
    ADJUSTMENT_OF,
    ADJUSTMENT_ORIGINAL,
    DEFAULT_PROFILE,
    WireProfile,
    api_request,
    cancel_form,
    created_document,
    file_bytes,
    file_request,
    found_document,
    invoice_payload,
    issued_date_ms,
    login_body,
    nested_zip_xml,
    original_of,
    refusal_of,
    search_form,
    token_of,
)
from connectors.vn.taxcode import TaxCode
from connectors.vn.time import now_vn

__all__ = ["ViettelInvoice", "ViettelInvoiceSettings"]


class ViettelInvoiceSettings(ProviderSettings):
    """Viettel S-Invoice settings; environment prefix ``CONNECTORS_VIETTEL_SINVOICE_``.

    `base_url` is the host, required: Viettel's production host is
    ``https://api-vinvoice.viettel.vn`` and a test account comes with its own host, so no
    default could be right for both (a forgotten setting must not issue real invoices); the
    API prefix is in the wire profile. `username` is usually the seller's MST;
    `supplier_tax_code` the MST the invoices are issued under.
    """

    model_config = SettingsConfigDict(env_prefix="CONNECTORS_VIETTEL_SINVOICE_")

    base_url: str
    username: str
    password: SecretStr
    supplier_tax_code: TaxCode


class ViettelInvoice(InvoiceClient[ViettelInvoiceSettings, WireProfile]):
    """Issue, look up, cancel, replace, adjust and download through Viettel S-Invoice.

    Construction: `ViettelInvoice(username=..., password=..., supplier_tax_code=...)`,
    `ViettelInvoice.from_settings(settings)` or `ViettelInvoice.from_env()`; options
    `transport`, `profile` (`wire.WireProfile`), `clock` (also ages the token). Thread-safe.
    """

    vendor = wire.VENDOR
    settings_class = ViettelInvoiceSettings
    default_profile = DEFAULT_PROFILE

    def __init__(self, settings: ViettelInvoiceSettings | None = None, /, **options: Any) -> None:
        super().__init__(settings, **options)
        self._tokens = TokenCache(
            self._login, clock=self._clock, margin=self.profile.token_refresh_margin
        )

    # -- Viettel's steps -----------------------------------------------------------------

    def _create(
        self, doc: Invoice | Receipt, key: str, operation: str, related: Related | None
    ) -> IssuedDocument:
        """``createInvoice`` with ``transactionUuid`` = `key` (``adjustmentType`` 3 for a
        replacement, 5 for an adjustment, naming the original)."""
        issued_at = self._issued_at(doc)
        payload = invoice_payload(
            doc,
            transaction_uuid=key,
            issued_at=issued_at,
            profile=self.profile,
            adjustment_type=ADJUSTMENT_ORIGINAL if related is None else ADJUSTMENT_OF[related.kind],
            original=None if related is None else original_of(related.original, related.reason),
        )
        path = self.profile.create_path.format(tax_code=self.settings.supplier_tax_code)

        def send() -> IssuedDocument:
            body = self._send(
                operation,
                path,
                json=payload,
                idempotency=Idempotency.KEYED_WRITE,
                key=key,
                retry=RetryPolicy.no_retries(),
            )
            try:
                return created_document(
                    body, doc, key=key, issued_at=issued_at, profile=self.profile
                )
            except ValidationError:
                raise self._malformed(
                    operation, "Viettel answered createInvoice without a result"
                ) from None

        return self._issue_keyed(send, key, operation)

    def _wait(self, retry: int) -> None:
        """Viettel may still be processing a create the lookup did not find: wait at least
        `WireProfile.resend_delay` before re-sending it."""
        policy = self.transport.retry
        policy.sleep(max(policy.backoff(retry), self.profile.resend_delay))

    def _find(self, key: str) -> IssuedDocument | None:
        """``searchInvoiceByTransactionUuid``."""
        form = search_form(self.settings.supplier_tax_code, key)
        try:
            body = self._send(
                "lookup", self.profile.search_path, data=form, idempotency=Idempotency.READ
            )
        except NotFound:
            return None
        return found_document(body, key, self.profile)

    def _cancel(self, document: IssuedDocument, reason: str) -> IssuedDocument:
        """``cancelTransactionInvoice``."""
        now = issued_date_ms(now_vn(self._clock))
        form = cancel_form(self.settings.supplier_tax_code, document, reason, now)
        self._send(
            "cancel", self.profile.cancel_path, data=form, idempotency=Idempotency.UNKEYED_WRITE
        )
        return self._cancelled(document.key)

    def _cancel_refused(self, key: str, refusal: ConnectorError) -> IssuedDocument:
        return self._cancelled(key)  # "already cancelled": cancelled, whoever did it

    def _cancelled(self, key: str) -> IssuedDocument:
        # The search answer does not say "cancelled" (its status is the payment status):
        # what Viettel just answered does.
        return dataclasses.replace(self.get(key), status=DocumentStatus.CANCELLED)

    def _download(self, key: str, format: DownloadFormat) -> bytes:
        """The PDF, or the XML taken out of Viettel's nested ZIP."""
        document = self.get(key)
        body = self._send(
            "download",
            self.profile.file_path,
            json=file_request(self.settings.supplier_tax_code, document, format, self.profile),
            idempotency=Idempotency.READ,
            max_response_bytes=self.document_max_bytes,
        )
        data = file_bytes(body)
        return data if format == "pdf" else nested_zip_xml(data)

    # -- the session ---------------------------------------------------------------------

    def _access_token(self, *, force: bool = False) -> str:
        return self._tokens.get(force=force)

    def _login(self) -> tuple[str, float]:
        response = self.transport.request(
            RequestSpec(
                "POST",
                f"{self.settings.base_url}{self.profile.login_path}",
                json=login_body(self.settings.username, self.settings.password.get_secret_value()),
            ),
            operation="login",
            idempotency=Idempotency.READ,
        )
        try:
            body = response.json()
        except ValueError:
            body = None
        token = token_of(body, self.profile)
        if response.status_code >= 400 or token is None:
            raise AuthError(
                "Viettel refused the login",
                provider=self.name,
                operation="login",
                http_status=response.status_code,
                request_id=request_id_of(response.headers),
                body_excerpt=self.transport.redactor.excerpt(
                    response.content, response.headers.get("Content-Type")
                ),
            )
        return token

    def _send(
        self,
        operation: str,
        path: str,
        *,
        idempotency: Idempotency,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        key: str | None = None,
        retry: RetryPolicy | None = None,
        max_response_bytes: int | None = None,
    ) -> dict[str, Any]:
        """POST to the API with the session token; the answer's body, or its error. An
        answer meaning "log in again" logs in and resends once, except a 5xx to a keyed
        write, which may come after the invoice was made: its error goes to the caller
        (who looks the invoice up) after a new login."""
        url = f"{self.settings.base_url}{self.profile.api_prefix}{path}"
        for attempt in (1, 2):
            token = self._access_token(force=attempt == 2)
            response = self.transport.request(
                api_request(self.profile, url, token, json=json, form=data),
                operation=operation,
                idempotency=idempotency,
                idempotency_key=key,
                retry=retry,
                max_response_bytes=max_response_bytes,
            )
            if attempt == 1 and self.profile.token_expired(response.status_code, response.content):
                if response.status_code < 500 or idempotency is not Idempotency.KEYED_WRITE:
                    continue
                self._access_token(force=True)
            return self._json_answer(response, operation, refusal_of)
        raise AssertionError("unreachable")  # pragma: no cover


__getattr__ = moved(
    __name__,
    {
        "ViettelSInvoice": "connectors.einvoice.viettel:ViettelInvoice",
        "ViettelSettings": "connectors.einvoice.viettel:ViettelInvoiceSettings",
    },
)
