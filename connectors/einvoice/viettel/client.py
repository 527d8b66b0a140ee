"""The Viettel S-Invoice adapter: `ViettelSInvoice` implements `InvoiceProvider` over REST.

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
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import requests
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from connectors.core.config import ProviderSettings, load_settings
from connectors.core.errors import (
    AuthError,
    NotFound,
    ProviderError,
    Rejected,
    ValidationError,
)
from connectors.core.http_errors import error_for_status, request_id_of
from connectors.core.retry import Idempotency, RetryPolicy
from connectors.core.transport import RequestSpec, Transport
from connectors.einvoice.codes import Refusal, ResultCode, refusal_error
from connectors.einvoice.models import Invoice, Receipt
from connectors.einvoice.provider import (
    DOCUMENT_MAX_BYTES,
    DocumentStatus,
    DownloadFormat,
    IssuedDocument,
    check_key,
    issue_with_lookup,
)
from connectors.einvoice.symbols import is_valid_invoice_symbol
from connectors.einvoice.viettel.wire import (
    ADJUSTMENT_ADJUST,
    ADJUSTMENT_ORIGINAL,
    ADJUSTMENT_REPLACE,
    DEFAULT_PROFILE,
    VIETTEL_CODES,
    WireProfile,
    error_code_of,
    file_bytes,
    invoice_payload,
    issued_date_ms,
    nested_zip_xml,
)
from connectors.vn.taxcode import TaxCode
from connectors.vn.time import from_epoch_ms, now_vn, to_vn

__all__ = ["ViettelSInvoice", "ViettelSettings"]

PROVIDER = "viettel"


class ViettelSettings(ProviderSettings):
    """Viettel S-Invoice settings; environment prefix ``CONNECTORS_VIETTEL_SINVOICE_``.

    `base_url` is the host (``https://api-vinvoice.viettel.vn``; the API prefix is in the
    wire profile); `username` usually the seller's MST; `supplier_tax_code` the MST the
    invoices are issued under.
    """

    model_config = SettingsConfigDict(
        env_prefix="CONNECTORS_VIETTEL_SINVOICE_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    base_url: str = "https://api-vinvoice.viettel.vn"
    username: str
    password: SecretStr
    supplier_tax_code: TaxCode


class ViettelSInvoice:
    """Issue, look up, cancel, replace, adjust and download through Viettel S-Invoice.

    Thread-safe. `clock` (seconds since the epoch) dates documents without `issued_at` and
    ages the token; `transport` defaults to one built from the settings.
    """

    name = PROVIDER

    def __init__(
        self,
        settings: ViettelSettings,
        *,
        profile: WireProfile = DEFAULT_PROFILE,
        transport: Transport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.profile = profile
        self.transport = settings.transport(PROVIDER, given=transport)
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires = 0.0

    @classmethod
    def from_env(cls, **values: Any) -> ViettelSInvoice:
        """A client from ``CONNECTORS_VIETTEL_SINVOICE_*`` (and `values`); ConfigError if bad."""
        return cls(load_settings(ViettelSettings, **values))

    def close(self) -> None:
        """Close pooled connections."""
        self.transport.close()

    def __repr__(self) -> str:
        return f"ViettelSInvoice(base_url={self.settings.base_url!r})"

    # -- InvoiceProvider -----------------------------------------------------------------

    def issue(self, doc: Invoice | Receipt, idempotency_key: str | None = None) -> IssuedDocument:
        """Issue `doc` with ``transactionUuid`` = `idempotency_key` (made if None).

        Lost answer -> lookup by key before any retry; `OutcomeUnknown` if that fails.
        """
        return self._create(doc, idempotency_key, ADJUSTMENT_ORIGINAL, None, "issue")

    def get(self, key: str) -> IssuedDocument:
        """The document issued under ``transactionUuid`` `key`; `NotFound` if none."""
        found = self._search(key)
        if found is None:
            raise NotFound(
                f"no Viettel invoice under transactionUuid {key!r}",
                provider=PROVIDER,
                operation="get",
                code=ResultCode.NOT_FOUND.value,
                vendor_code="NOT_FOUND_DATA",
            )
        return found

    def status(self, key: str) -> DocumentStatus:
        """The status of the document issued under `key`."""
        return self.get(key).status

    def cancel(self, key: str, reason: str) -> IssuedDocument:
        """Cancel (``cancelTransactionInvoice``) the document under `key`; idempotent."""
        reason = _reason(reason)
        original = self.get(key)
        if original.status is DocumentStatus.CANCELLED:
            return original
        now = issued_date_ms(now_vn(self._clock))
        form = {
            "supplierTaxCode": self.settings.supplier_tax_code,
            "templateCode": str(original.raw.get("templateCode", "")),
            "invoiceNo": str(original.raw.get("invoiceNo", "")),
            "strIssueDate": str(original.raw.get("issueDate", "")),
            "additionalReferenceDesc": reason,
            "additionalReferenceDate": str(now),
            "reasonDelete": reason,
        }
        try:
            self._send(
                "cancel",
                self.profile.cancel_path,
                data=form,
                idempotency=Idempotency.UNKEYED_WRITE,
            )
        except Rejected as exc:
            if exc.code != ResultCode.WRONG_STATE.value:
                raise
            # "already cancelled": the invoice is cancelled, whoever did it.
        # The search answer does not say "cancelled" (its status is the payment status):
        # what Viettel just answered does.
        return dataclasses.replace(self.get(key), status=DocumentStatus.CANCELLED)

    def replace(
        self,
        key: str,
        doc: Invoice | Receipt,
        *,
        reason: str,
        idempotency_key: str | None = None,
    ) -> IssuedDocument:
        """Issue `doc` replacing the document under `key` (``adjustmentType`` 3)."""
        return self._create(doc, idempotency_key, ADJUSTMENT_REPLACE, (key, reason), "replace")

    def adjust(
        self,
        key: str,
        doc: Invoice | Receipt,
        *,
        reason: str,
        idempotency_key: str | None = None,
    ) -> IssuedDocument:
        """Issue `doc` adjusting the document under `key` (``adjustmentType`` 5)."""
        return self._create(doc, idempotency_key, ADJUSTMENT_ADJUST, (key, reason), "adjust")

    def download(self, key: str, format: DownloadFormat = "pdf") -> bytes:
        """The PDF, or the XML taken out of Viettel's nested ZIP."""
        if format not in ("pdf", "xml"):
            raise ValidationError(f"format must be 'pdf' or 'xml', not {format!r}", field="format")
        doc = self.get(key)
        body = self._send(
            "download",
            self.profile.file_path,
            json={
                "supplierTaxCode": self.settings.supplier_tax_code,
                "invoiceNo": str(doc.raw.get("invoiceNo", "")),
                "templateCode": str(doc.raw.get("templateCode", "")),
                "transactionUuid": key,
                "fileType": "PDF" if format == "pdf" else "ZIP",
                **(
                    {"strIssueDate": doc.raw.get("issueDate")}
                    if self.profile.file_sends_issue_date
                    else {}
                ),
            },
            idempotency=Idempotency.READ,
            max_response_bytes=DOCUMENT_MAX_BYTES,
        )
        data = file_bytes(body)
        return data if format == "pdf" else nested_zip_xml(data)

    # -- internals -----------------------------------------------------------------------

    def _create(
        self,
        doc: Invoice | Receipt,
        idempotency_key: str | None,
        adjustment_type: str,
        related: tuple[str, str] | None,
        operation: str,
    ) -> IssuedDocument:
        if not isinstance(doc, Invoice | Receipt):
            raise ValidationError("doc must be an Invoice or a Receipt", field="doc")
        key = check_key(idempotency_key, min_length=10, max_length=36)
        issued_at = to_vn(doc.issued_at) if doc.issued_at else now_vn(self._clock)
        original: dict[str, Any] | None = None
        if related is not None:
            related_key, reason = related
            reason = _reason(reason)
            if related_key == key:
                raise ValidationError(
                    "the new document needs its own idempotency key", field="idempotency_key"
                )
            old = self.get(related_key)
            original = {
                "invoiceNo": old.raw.get("invoiceNo"),
                "issueDate": old.raw.get("issueDate"),
                "templateCode": old.raw.get("templateCode"),
                "reason": reason,
            }
        payload = invoice_payload(
            doc,
            transaction_uuid=key,
            issued_at=issued_at,
            profile=self.profile,
            adjustment_type=adjustment_type,
            original=original,
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
            return self._from_create(body, doc, key, issued_at)

        policy = self.transport.retry
        return issue_with_lookup(
            send,
            lambda: self._search(key),
            key=key,
            provider=PROVIDER,
            operation=operation,
            attempts=policy.max_attempts,
            wait=lambda n: policy.sleep(max(policy.backoff(n), self.profile.resend_delay)),
        )

    def _from_create(
        self, body: Mapping[str, Any], doc: Invoice | Receipt, key: str, issued_at: datetime
    ) -> IssuedDocument:
        result = body.get("result")
        if not isinstance(result, dict):
            raise ProviderError(
                "Viettel answered createInvoice without a result",
                provider=PROVIDER,
                operation="issue",
                code="malformed_response",
            )
        invoice_no = str(result.get("invoiceNo") or "")
        return IssuedDocument(
            provider=PROVIDER,
            key=key,
            number=_number(invoice_no, doc.series) if invoice_no else None,
            template=doc.template,
            symbol=doc.series,
            lookup_code=_opt(result.get("reservationCode")),
            issued_at=issued_at,
            status=DocumentStatus.ISSUED if invoice_no else DocumentStatus.PENDING,
            raw={
                **result,
                "invoiceNo": invoice_no,
                "issueDate": issued_date_ms(issued_at),
                "templateCode": self.profile.template_code(doc),
            },
        )

    def _search(self, key: str) -> IssuedDocument | None:
        try:
            body = self._send(
                "lookup",
                self.profile.search_path,
                data={"supplierTaxCode": self.settings.supplier_tax_code, "transactionUuid": key},
                idempotency=Idempotency.READ,
            )
        except NotFound:
            return None
        result = body.get("result")
        items = result if isinstance(result, list) else [result] if result else []
        if not items or not isinstance(items[0], dict):
            return None
        item: dict[str, Any] = items[0]
        invoice_no = str(item.get("invoiceNo") or "")
        series = str(item.get("invoiceSeries") or "") or _series_of(invoice_no)
        template_code = str(item.get("templateCode") or "")
        issue_ms = _epoch_ms(item.get("issueDate"))
        field = self.profile.document_status_field
        status = self.profile.status_of(_opt(item.get(field))) if field else DocumentStatus.ISSUED
        if not invoice_no and status is DocumentStatus.ISSUED:
            status = DocumentStatus.PENDING
        return IssuedDocument(
            provider=PROVIDER,
            key=key,
            number=_number(invoice_no, series) if invoice_no else None,
            template=template_code.split("/", 1)[0],
            symbol=series,
            lookup_code=_opt(item.get("reservationCode")),
            issued_at=from_epoch_ms(issue_ms) if issue_ms is not None else None,
            status=status,
            raw={**item, "issueDate": issue_ms} if issue_ms is not None else item,
        )

    def _access_token(self, *, force: bool = False) -> str:
        with self._lock:
            now = self._clock()
            if not force and self._token and now < self._expires:
                return self._token
            response = self.transport.request(
                RequestSpec(
                    "POST",
                    f"{self.settings.base_url}{self.profile.login_path}",
                    json={
                        "username": self.settings.username,
                        "password": self.settings.password.get_secret_value(),
                    },
                ),
                operation="login",
                idempotency=Idempotency.READ,
            )
            body = _json(response)
            token = body.get("access_token") if isinstance(body, dict) else None
            if response.status_code >= 400 or not isinstance(token, str) or not token:
                raise AuthError(
                    "Viettel refused the login",
                    provider=PROVIDER,
                    operation="login",
                    http_status=response.status_code,
                    request_id=request_id_of(response.headers),
                    body_excerpt=self.transport.redactor.excerpt(
                        response.content, response.headers.get("Content-Type")
                    ),
                )
            lifetime = body.get("expires_in")
            seconds = (
                float(lifetime)
                if isinstance(lifetime, int | float) and not isinstance(lifetime, bool)
                else float(self.profile.token_lifetime_default)
            )
            self._token = token
            self._expires = now + max(seconds - self.profile.token_refresh_margin, 0.0)
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
        url = f"{self.settings.base_url}{self.profile.api_prefix}{path}"
        for attempt in (1, 2):
            token = self._access_token(force=attempt == 2)
            in_query = data is not None and self.profile.form_in_query
            headers = {"Cookie": f"{self.profile.token_cookie}={token}"}
            if in_query:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            spec = RequestSpec(
                "POST",
                url,
                headers=headers,
                params=dict(data) if in_query and data is not None else None,
                json=json,
                data=None if in_query else data,
            )
            response = self.transport.request(
                spec,
                operation=operation,
                idempotency=idempotency,
                idempotency_key=key,
                retry=retry,
                max_response_bytes=max_response_bytes,
            )
            if attempt == 1 and self._token_expired(response):
                if response.status_code >= 500 and idempotency is Idempotency.KEYED_WRITE:
                    # 500 GENERAL: an expired token, or a failure after the invoice was made.
                    # Log in again, but let the caller look the invoice up before resending.
                    self._access_token(force=True)
                    raise self._parse_error(response, operation)
                continue
            return self._parse(response, operation)
        raise AssertionError("unreachable")  # pragma: no cover

    def _token_expired(self, response: requests.Response) -> bool:
        if response.status_code not in (401, 500):
            return False
        text = response.content[:2000].decode("utf-8", errors="replace")
        return response.status_code == 401 or any(
            marker in text for marker in self.profile.expired_token_markers
        )

    def _parse_error(self, response: requests.Response, operation: str) -> ProviderError:
        """The error an error answer raises (it must be one)."""
        try:
            self._parse(response, operation)
        except ProviderError as exc:
            return exc
        raise AssertionError("not an error answer")  # pragma: no cover

    def _parse(self, response: requests.Response, operation: str) -> dict[str, Any]:
        body = _json(response)
        context: dict[str, Any] = {
            "http_status": response.status_code,
            "request_id": request_id_of(response.headers),
            "body_excerpt": self.transport.redactor.excerpt(
                response.content, response.headers.get("Content-Type")
            ),
        }
        error = error_code_of(body)
        if error is not None:
            vendor_code, vendor_message = error
            known = VIETTEL_CODES.get(vendor_code)
            if known is not None:
                code = known.code
            elif response.status_code >= 500:
                code = ResultCode.TEMPORARY
            elif response.status_code in (401, 403):
                code = ResultCode.AUTH
            else:
                code = ResultCode.INVALID_DATA
            raise refusal_error(
                Refusal(code, vendor_code, vendor_message),
                provider=PROVIDER,
                operation=operation,
                **context,
            )
        if response.status_code >= 400:
            raise error_for_status(
                response, provider=PROVIDER, operation=operation, redactor=self.transport.redactor
            )
        if not isinstance(body, dict):
            raise ProviderError(
                f"Viettel answered {operation} with an unreadable body",
                provider=PROVIDER,
                operation=operation,
                code="malformed_response",
                **context,
            )
        return body


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except (requests.JSONDecodeError, ValueError):
        return None


def _epoch_ms(value: Any) -> int | None:
    """``issueDate`` in epoch milliseconds, as a number or a digit string (V6's model reads
    it as a string)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _series_of(invoice_no: str) -> str:
    """The TT78 symbol at the front of Viettel's ``invoiceNo`` (``K24TUT15`` -> ``K24TUT``)."""
    head = invoice_no[:6]
    return head if len(head) == 6 and is_valid_invoice_symbol(head) else ""


def _opt(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _number(invoice_no: str, series: str) -> str:
    """``"K24TUT15"`` with series ``K24TUT`` -> ``"15"`` (Viettel prefixes the series);
    ``"K24TUT01"`` (Odoo's test) -> ``"1"``: the number without padding."""
    number = invoice_no[len(series) :] if series and invoice_no.startswith(series) else invoice_no
    return str(int(number)) if number.isdigit() else number


def _reason(reason: str) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError("a reason is required", field="reason")
    if len(reason) > 255:
        raise ValidationError("the reason is longer than 255 characters", field="reason")
    return reason.strip()
