"""The VNPT Invoice adapter: `VnptInvoice`, an `InvoiceClient` over SOAP 1.1.

Fidelity: operations and parameters verified against VNPT's WSDLs as customers carry them
(`connectors.einvoice.vnpt.wire.OPERATIONS`); answer formats from integrators' code; guessed
details are in `connectors.einvoice.vnpt.wire.WireProfile`. The WSDLs are shipped in
``connectors/einvoice/vnpt/wsdl/`` (written by hand from the real ones) and never fetched.

- `issue` calls ``ImportAndPublishInv`` with the caller's key as ``fkey``. When the answer
  is lost or ambiguous it looks the invoice up by fkey (``listInvByCusFkey``) before any
  resend and returns what it finds; an ``ERR:13`` (fkey already used) is resolved the same
  way, so one key issues once.
- `get` and `status` read ``listInvByCusFkey`` (PortalService): number, pattern, serial,
  status and publish date of the invoice under the fkey. `tax_authority_xml` reads
  ``GetInvDataByFkey``: the tax-authority-coded invoice XML (base64 on the wire).
- Every ``ERR:n`` maps onto `connectors.einvoice.codes.ResultCode` (raw code kept).
- Cancel and download try the normal method and fall back to the ``...NoPay`` variant on
  ``ERR:9`` / ``ERR:11`` (invoices not marked paid).
"""

from __future__ import annotations

import threading
from typing import Any

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from connectors.core.config import ProviderSettings
from connectors.core.deprecation import moved
from connectors.core.errors import ConnectorError, OutcomeUnknown, Rejected, ValidationError
from connectors.core.retry import Idempotency, RetryPolicy
from connectors.core.soap import SoapClient, wsdl_path
from connectors.core.transport import Transport
from connectors.einvoice.client import InvoiceClient, Related
from connectors.einvoice.codes import ResultCode
from connectors.einvoice.models import Invoice, Receipt
from connectors.einvoice.provider import DocumentStatus, DownloadFormat, IssuedDocument
from connectors.einvoice.vnpt import wire
from connectors.einvoice.vnpt.wire import (
    DEFAULT_PROFILE,
    Login,
    WireProfile,
    call_params,
    decode_base64,
    invoice_xml,
    listed_document,
    no_pay,
    parse_invoice_list,
    parse_result,
    published_document,
)

__all__ = ["VnptInvoice", "VnptInvoiceSettings"]

_PACKAGE = "connectors.einvoice.vnpt"


class VnptInvoiceSettings(ProviderSettings):
    """VNPT Invoice settings; environment prefix ``CONNECTORS_VNPT_INVOICE_``.

    `base_url` is the customer's own host given by VNPT (demo and production differ);
    `account`/`account_password` the issuing staff account (``Account``/``ACpass``);
    `username`/`password` the web-service user (ServiceRole).
    """

    model_config = SettingsConfigDict(env_prefix="CONNECTORS_VNPT_INVOICE_")

    account: str
    account_password: SecretStr
    username: str
    password: SecretStr


class VnptInvoice(InvoiceClient[VnptInvoiceSettings, WireProfile]):
    """Issue, look up, cancel, replace, adjust and download through VNPT Invoice.

    Construction: `VnptInvoice(base_url=..., account=..., account_password=...,
    username=..., password=...)`, `VnptInvoice.from_settings(settings)` or
    `VnptInvoice.from_env()`; options `transport`, `profile` (`wire.WireProfile`), `clock`.
    Thread-safe; one write at a time per (pattern, serial), as VNPT numbers a series in order.
    """

    vendor = wire.VENDOR
    settings_class = VnptInvoiceSettings
    default_profile = DEFAULT_PROFILE

    def __init__(self, settings: VnptInvoiceSettings | None = None, /, **options: Any) -> None:
        super().__init__(settings, **options)
        # Writes go out once per attempt of ours (lookup-before-retry), never re-sent blindly.
        once = Transport(
            self.name,
            timeouts=self.transport.timeouts,
            retry=RetryPolicy.no_retries(),
            redactor=self.transport.redactor,
            session=self.transport.session,
            on_request=self.transport.on_request,
            on_response=self.transport.on_response,
            max_response_bytes=self.transport.max_response_bytes,
        )
        base = self.settings.base_url
        self._soap = {
            (service, retried): SoapClient(
                wsdl_path(_PACKAGE, f"wsdl/{service}.wsdl"),
                self.transport if retried else once,
                endpoint=base + self.profile.service_path(service),
            )
            # Reads retry (publish's GetInvDataByFkey, the portal); writes never do.
            for service, retried in wire.SERVICE_CALLS
        }
        self._locks_guard = threading.Lock()
        self._series_locks: dict[tuple[str, str], threading.Lock] = {}

    # -- VNPT's steps --------------------------------------------------------------------

    def _create(
        self, doc: Invoice | Receipt, key: str, operation: str, related: Related | None
    ) -> IssuedDocument:
        """``ImportAndPublishInv`` (or ``ReplaceInvoiceAction`` / ``AdjustInvoiceAction``
        naming the original's fkey) with ``fkey`` = `key`."""
        issued_at = self._issued_at(doc)
        pattern = self.profile.pattern_of(doc)
        method = wire.PUBLISH if related is None else wire.RELATED[related.kind]
        xml = invoice_xml(
            doc,
            fkey=key,
            issued_at=issued_at,
            profile=self.profile,
            action="publish" if related is None else related.kind.value,
            reason=None if related is None else related.reason,
        )

        def send() -> IssuedDocument:
            with self._series_lock(pattern, doc.series):
                payload = self._call(
                    method,
                    Idempotency.KEYED_WRITE,
                    key,
                    xml=xml,
                    fkey=key if related is None else related.original.key,
                    pattern=pattern,
                    serial=doc.series,
                    convert=self.profile.convert,
                )
            try:
                return published_document(
                    payload, doc, fkey=key, issued_at=issued_at, profile=self.profile
                )
            except ValidationError as exc:
                raise self._malformed(
                    operation, f"VNPT answered {operation} with an unreadable result: {exc.message}"
                ) from None

        return self._issue_keyed(send, key, operation)

    def _find(self, key: str) -> IssuedDocument | None:
        """The invoice listed under ``fkey`` `key` (``listInvByCusFkey``)."""
        text = self._call(wire.LOOKUP, Idempotency.READ, fkey=key)
        try:
            items = parse_invoice_list(text)
        except ValidationError as exc:
            raise self._malformed(
                wire.LOOKUP, f"VNPT answered {wire.LOOKUP} with an unreadable list: {exc.message}"
            ) from None
        return listed_document(items, key, self.profile)

    def _cancel(self, document: IssuedDocument, reason: str) -> IssuedDocument:
        """``cancelInv``, falling back to ``cancelInvNoPay`` on ``ERR:9``. VNPT's cancel takes
        no reason: it is checked and kept for the caller's records. When the answer is lost
        or says the state does not allow it, the invoice is looked up: cancelled is done."""
        key = document.key
        try:
            try:
                self._call(wire.CANCEL, Idempotency.UNKEYED_WRITE, key, fkey=key)
            except Rejected as exc:
                if exc.vendor_code != wire.CANCEL_UNPAID:
                    raise
                self._call(no_pay(wire.CANCEL), Idempotency.UNKEYED_WRITE, key, fkey=key)
        except (OutcomeUnknown, Rejected) as exc:
            if isinstance(exc, Rejected) and exc.code != ResultCode.WRONG_STATE.value:
                raise
            return self._cancel_refused(key, exc)
        return self.get(key)

    def _cancel_refused(self, key: str, refusal: ConnectorError) -> IssuedDocument:
        after = self.get(key)
        if after.status is DocumentStatus.CANCELLED:
            return after
        raise refusal

    def _download(self, key: str, format: DownloadFormat) -> bytes:
        """PDF (``downloadInvPDFFkey``, base64) or XML (``downloadInvFkey``), falling back
        to the ``...NoPay`` method on ``ERR:11`` (invoice not marked paid)."""
        method = wire.DOWNLOAD[format]
        limit = self.document_max_bytes
        try:
            text = self._call(method, Idempotency.READ, None, limit, fkey=key)
        except Rejected as exc:
            if exc.vendor_code != wire.DOWNLOAD_UNPAID:
                raise
            text = self._call(no_pay(method), Idempotency.READ, None, limit, fkey=key)
        if format == "xml":
            return text.encode("utf-8")
        try:
            return decode_base64(text)
        except ValidationError:
            raise self._malformed(
                method, "VNPT answered the PDF download with something that is not base64"
            ) from None

    # -- VNPT only -----------------------------------------------------------------------

    def tax_authority_xml(self, key: str) -> bytes:
        """The tax-authority-coded invoice XML under `key` (``GetInvDataByFkey``).

        VNPT answers it base64-encoded [P: transcription of VNPT's document, code index id
        58249131891]. `NotFound` if there is no invoice; `ProviderUnavailable` (``ERR:24``)
        while the tax authority has not coded it yet; an uncoded series is never coded.
        """
        pattern = wire.pattern_of_issued(self.get(key))
        text = self._call(
            wire.TAX_XML, Idempotency.READ, None, self.document_max_bytes, fkey=key, pattern=pattern
        )
        try:
            return decode_base64(text)
        except ValidationError:
            raise self._malformed(
                wire.TAX_XML, f"VNPT answered {wire.TAX_XML} with something that is not base64"
            ) from None

    # -- internals -----------------------------------------------------------------------

    def _series_lock(self, pattern: str, serial: str) -> threading.Lock:
        """One lock per (pattern, serial): VNPT numbers a series in order (ERR:21, ERR:30),
        so this client sends one write at a time per series."""
        with self._locks_guard:
            return self._series_locks.setdefault((pattern, serial), threading.Lock())

    def _call(
        self,
        method: str,
        idempotency: Idempotency,
        idempotency_key: str | None = None,
        max_response_bytes: int | None = None,
        **values: Any,
    ) -> str:
        """Call `method` with the accounts and `values` (`wire.call_params`); the text after
        ``OK:`` (or the whole answer of a download), or the ``ERR:n`` it maps to."""
        soap = self._soap[(wire.SERVICE_OF[method], idempotency is Idempotency.READ)]
        settings = self.settings
        login = Login(
            settings.account,
            settings.account_password.get_secret_value(),
            settings.username,
            settings.password.get_secret_value(),
        )
        result = soap.call(
            method,
            idempotency=idempotency,
            idempotency_key=idempotency_key,
            max_response_bytes=max_response_bytes,
            **call_params(method, login, **values),
        )
        try:
            ok, payload, detail = parse_result(None if result is None else str(result))
        except ValidationError:
            raise self._malformed(method, f"VNPT answered {method} with an empty result") from None
        if ok:
            return payload
        raise self._refused(wire.refusal(method, payload, detail), method)


__getattr__ = moved(__name__, {"VnptSettings": f"{__name__}:VnptInvoiceSettings"})
