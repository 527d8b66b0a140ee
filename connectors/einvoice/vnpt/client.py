"""The VNPT Invoice adapter: `VnptInvoice` implements `InvoiceProvider` over SOAP 1.1.

Fidelity: operations and parameters verified against VNPT's WSDLs as customers carry them
(`connectors.einvoice.vnpt.wire.OPERATIONS`); answer formats from integrators' code; guessed
details are in `connectors.einvoice.vnpt.wire.VnptProfile`. The WSDLs are shipped in
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

import base64
import binascii
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from connectors.core.config import ProviderSettings, load_settings
from connectors.core.errors import (
    NotFound,
    OutcomeUnknown,
    ProviderError,
    Rejected,
    ValidationError,
)
from connectors.core.retry import Idempotency, RetryPolicy
from connectors.core.soap import SoapClient, wsdl_path
from connectors.core.transport import Transport
from connectors.einvoice.codes import ResultCode, error_for_code
from connectors.einvoice.models import Invoice, Receipt
from connectors.einvoice.provider import (
    DOCUMENT_MAX_BYTES,
    DocumentStatus,
    DownloadFormat,
    IssuedDocument,
    check_key,
    issue_with_lookup,
)
from connectors.einvoice.vnpt.wire import (
    DEFAULT_PROFILE,
    InvoiceItem,
    VnptProfile,
    code_for,
    invoice_xml,
    parse_invoice_list,
    parse_publish_date,
    parse_publish_result,
    parse_result,
    plain_number,
)
from connectors.vn.time import now_vn, to_vn

__all__ = ["VnptInvoice", "VnptSettings"]

PROVIDER = "vnpt"
_PACKAGE = "connectors.einvoice.vnpt"


class VnptSettings(ProviderSettings):
    """VNPT Invoice settings; environment prefix ``CONNECTORS_VNPT_INVOICE_``.

    `base_url` is the customer's own host given by VNPT (demo and production differ);
    `account`/`account_password` the issuing staff account (``Account``/``ACpass``);
    `username`/`password` the web-service user (ServiceRole).
    """

    model_config = SettingsConfigDict(
        env_prefix="CONNECTORS_VNPT_INVOICE_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    account: str
    account_password: SecretStr
    username: str
    password: SecretStr


class VnptInvoice:
    """Issue, look up, cancel, replace, adjust and download through VNPT Invoice. Thread-safe.

    `clock` (seconds since the epoch) dates documents that have no `issued_at`.
    """

    name = PROVIDER

    def __init__(
        self,
        settings: VnptSettings,
        *,
        profile: VnptProfile = DEFAULT_PROFILE,
        transport: Transport | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.settings = settings
        self.profile = profile
        secret_fields = ("ACpass", "userPass", "pass", "account_password")
        self.transport = settings.transport(PROVIDER, *secret_fields, given=transport)
        # Writes go out once per attempt of ours (lookup-before-retry), never re-sent blindly.
        self._once = Transport(
            PROVIDER,
            timeouts=self.transport.timeouts,
            retry=RetryPolicy.no_retries(),
            redactor=self.transport.redactor,
            session=self.transport.session,
            on_request=self.transport.on_request,
            on_response=self.transport.on_response,
            max_response_bytes=self.transport.max_response_bytes,
        )
        self._clock = clock
        self._locks_guard = threading.Lock()
        self._series_locks: dict[tuple[str, str], threading.Lock] = {}
        base = settings.base_url
        self._publish = self._soap(
            "PublishService.wsdl", self.transport, base, profile.publish_path
        )
        self._publish_once = self._soap(
            "PublishService.wsdl", self._once, base, profile.publish_path
        )
        self._business = self._soap("BusinessService.wsdl", self._once, base, profile.business_path)
        self._portal = self._soap("PortalService.wsdl", self.transport, base, profile.portal_path)

    @staticmethod
    def _soap(wsdl: str, transport: Transport, base: str, path: str) -> SoapClient:
        return SoapClient(wsdl_path(_PACKAGE, f"wsdl/{wsdl}"), transport, endpoint=base + path)

    @classmethod
    def from_env(cls, **values: Any) -> VnptInvoice:
        """A client from ``CONNECTORS_VNPT_INVOICE_*`` (and `values`); ConfigError if bad."""
        return cls(load_settings(VnptSettings, **values))

    def close(self) -> None:
        """Close pooled connections."""
        self.transport.close()

    def __repr__(self) -> str:
        return f"VnptInvoice(base_url={self.settings.base_url!r})"

    # -- InvoiceProvider -----------------------------------------------------------------

    def issue(self, doc: Invoice | Receipt, idempotency_key: str | None = None) -> IssuedDocument:
        """Publish `doc` (``ImportAndPublishInv``) under ``fkey`` = `idempotency_key`."""
        doc, fkey, issued_at = self._prepare(doc, idempotency_key)
        pattern = self.profile.pattern_of(doc)
        xml = invoice_xml(doc, fkey=fkey, issued_at=issued_at, profile=self.profile)

        def send() -> IssuedDocument:
            with self._series_lock(pattern, doc.series):
                result = self._publish_call(doc, fkey, xml, pattern)
            return self._published(result, doc, fkey, issued_at, "issue")

        return self._with_lookup(send, fkey, "issue")

    def _publish_call(self, doc: Invoice | Receipt, fkey: str, xml: str, pattern: str) -> str:
        return self._call(
            self._publish_once,
            "ImportAndPublishInv",
            Idempotency.KEYED_WRITE,
            fkey,
            Account=self.settings.account,
            ACpass=self.settings.account_password.get_secret_value(),
            xmlInvData=xml,
            username=self.settings.username,
            password=self.settings.password.get_secret_value(),
            pattern=pattern,
            serial=doc.series,
            convert=self.profile.convert,
        )

    def get(self, key: str) -> IssuedDocument:
        """The invoice published under ``fkey`` `key` (``listInvByCusFkey``); NotFound if none.

        ``lookup_code`` is the fkey: what VNPT's portal asks a citizen for [G].
        """
        text = self._call(
            self._portal,
            "listInvByCusFkey",
            Idempotency.READ,
            None,
            key=key,
            fromDate="",
            toDate="",
            userName=self.settings.username,
            userPass=self.settings.password.get_secret_value(),
        )
        try:
            items = parse_invoice_list(text)
        except ValidationError as exc:
            raise ProviderError(
                f"VNPT answered listInvByCusFkey with an unreadable list: {exc.message}",
                provider=PROVIDER,
                operation="listInvByCusFkey",
                code="malformed_response",
            ) from None
        found = [item for item in items if item.fkey in (key, "")]
        if not found:
            raise NotFound(
                f"no VNPT invoice under fkey {key!r}",
                provider=PROVIDER,
                operation="get",
                code=ResultCode.NOT_FOUND.value,
                vendor_code="Data",
            )
        return self._document(found[0], key)

    def _document(self, item: InvoiceItem, key: str) -> IssuedDocument:
        number = plain_number(item.number) if item.number else None
        status = self.profile.status_of(item.status)
        if not number and status is DocumentStatus.ISSUED:
            status = DocumentStatus.PENDING
        return IssuedDocument(
            provider=PROVIDER,
            key=key,
            number=number if number and number != "0" else None,
            template=self._template_of(item.pattern),
            symbol=item.serial,
            lookup_code=key,
            issued_at=parse_publish_date(item.publish_date) if item.publish_date else None,
            status=status,
            raw={
                "fkey": item.fkey or key,
                "invToken": item.inv_token,
                "pattern": item.pattern,
                "serial": item.serial,
                "invNum": item.number,
                "status": item.status,
                "publishDate": item.publish_date,
                "amount": item.amount,
            },
        )

    def tax_authority_xml(self, key: str) -> bytes:
        """The tax-authority-coded invoice XML under `key` (``GetInvDataByFkey``).

        VNPT answers it base64-encoded [P: transcription of VNPT's document, code index id
        58249131891]. `NotFound` if there is no invoice; `ProviderUnavailable` (``ERR:24``)
        while the tax authority has not coded it yet; an uncoded series is never coded.
        """
        pattern = str(self.get(key).raw.get("pattern", ""))
        text = self._call(
            self._publish,
            "GetInvDataByFkey",
            Idempotency.READ,
            None,
            DOCUMENT_MAX_BYTES,
            fkey=key,
            userName=self.settings.username,
            userPass=self.settings.password.get_secret_value(),
            account=self.settings.account,
            accPass=self.settings.account_password.get_secret_value(),
            pattern=pattern,
        )
        try:
            return base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ProviderError(
                "VNPT answered GetInvDataByFkey with something that is not base64",
                provider=PROVIDER,
                operation="GetInvDataByFkey",
                code="malformed_response",
            ) from None

    def status(self, key: str) -> DocumentStatus:
        """The status of the invoice published under `key`."""
        return self.get(key).status

    def cancel(self, key: str, reason: str) -> IssuedDocument:
        """Cancel (``cancelInv``, falling back to ``cancelInvNoPay`` on ERR:9); idempotent.

        VNPT's cancel takes no reason; it is checked and kept for the caller's records.
        """
        _reason(reason)
        current = self.get(key)
        if current.status is DocumentStatus.CANCELLED:
            return current
        params: dict[str, Any] = {
            "Account": self.settings.account,
            "ACpass": self.settings.account_password.get_secret_value(),
            "fkey": key,
            "userName": self.settings.username,
            "userPass": self.settings.password.get_secret_value(),
        }
        try:
            try:
                self._call(self._business, "cancelInv", Idempotency.UNKEYED_WRITE, key, **params)
            except Rejected as exc:
                if exc.vendor_code != "ERR:9":
                    raise
                self._call(
                    self._business, "cancelInvNoPay", Idempotency.UNKEYED_WRITE, key, **params
                )
        except (OutcomeUnknown, Rejected) as exc:
            if isinstance(exc, Rejected) and exc.code != ResultCode.WRONG_STATE.value:
                raise
            after = self.get(key)
            if after.status is DocumentStatus.CANCELLED:
                return after
            raise
        return self.get(key)

    def replace(
        self,
        key: str,
        doc: Invoice | Receipt,
        *,
        reason: str,
        idempotency_key: str | None = None,
    ) -> IssuedDocument:
        """Issue `doc` replacing the invoice under `key` (``ReplaceInvoiceAction``)."""
        return self._related("ReplaceInvoiceAction", "replace", key, doc, reason, idempotency_key)

    def adjust(
        self,
        key: str,
        doc: Invoice | Receipt,
        *,
        reason: str,
        idempotency_key: str | None = None,
    ) -> IssuedDocument:
        """Issue `doc` adjusting the invoice under `key` (``AdjustInvoiceAction``)."""
        return self._related("AdjustInvoiceAction", "adjust", key, doc, reason, idempotency_key)

    def download(self, key: str, format: DownloadFormat = "pdf") -> bytes:
        """PDF (``downloadInvPDFFkey``, base64) or XML (``downloadInvFkey``) bytes.

        Falls back to the ``...NoPay`` method on ``ERR:11`` (invoice not marked paid).
        """
        if format not in ("pdf", "xml"):
            raise ValidationError(f"format must be 'pdf' or 'xml', not {format!r}", field="format")
        method = "downloadInvPDFFkey" if format == "pdf" else "downloadInvFkey"
        params: dict[str, Any] = {
            "fkey": key,
            "userName": self.settings.username,
            "userPass": self.settings.password.get_secret_value(),
        }
        limit = DOCUMENT_MAX_BYTES
        try:
            text = self._call(self._portal, method, Idempotency.READ, None, limit, **params)
        except Rejected as exc:
            if exc.vendor_code != "ERR:11":
                raise
            text = self._call(
                self._portal, method + "NoPay", Idempotency.READ, None, limit, **params
            )
        if format == "xml":
            return text.encode("utf-8")
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise ProviderError(
                "VNPT answered the PDF download with something that is not base64",
                provider=PROVIDER,
                operation=method,
                code="malformed_response",
            ) from None

    # -- internals -----------------------------------------------------------------------

    def _prepare(
        self, doc: Invoice | Receipt, idempotency_key: str | None
    ) -> tuple[Invoice | Receipt, str, datetime]:
        if not isinstance(doc, Invoice | Receipt):
            raise ValidationError("doc must be an Invoice or a Receipt", field="doc")
        fkey = check_key(idempotency_key, max_length=50)
        issued_at = to_vn(doc.issued_at) if doc.issued_at else now_vn(self._clock)
        return doc, fkey, issued_at

    def _related(
        self,
        method: str,
        action: str,
        key: str,
        doc: Invoice | Receipt,
        reason: str,
        idempotency_key: str | None,
    ) -> IssuedDocument:
        reason = _reason(reason)
        doc, fkey, issued_at = self._prepare(doc, idempotency_key)
        if fkey == key:
            raise ValidationError(
                "the new document needs its own idempotency key", field="idempotency_key"
            )
        self.get(key)  # NotFound before sending anything
        # Sic: VNPT's WSDLs name it Attachfile on replace and AttachFile on adjust (OPERATIONS).
        attachment = "Attachfile" if method == "ReplaceInvoiceAction" else "AttachFile"
        pattern = self.profile.pattern_of(doc)
        xml = invoice_xml(
            doc,
            fkey=fkey,
            issued_at=issued_at,
            profile=self.profile,
            action=action,
            reason=reason,
        )

        # "pass" is a keyword and the attachment's name differs by operation.
        extra: dict[str, Any] = {
            "pass": self.settings.password.get_secret_value(),
            attachment: "",
        }

        def send() -> IssuedDocument:
            with self._series_lock(pattern, doc.series):
                result = self._call(
                    self._business,
                    method,
                    Idempotency.KEYED_WRITE,
                    fkey,
                    Account=self.settings.account,
                    ACpass=self.settings.account_password.get_secret_value(),
                    xmlInvData=xml,
                    username=self.settings.username,
                    fkey=key,
                    convert=self.profile.convert,
                    pattern=pattern,
                    serial=doc.series,
                    **extra,
                )
            return self._published(result, doc, fkey, issued_at, action)

        return self._with_lookup(send, fkey, action)

    def _series_lock(self, pattern: str, serial: str) -> threading.Lock:
        """One lock per (pattern, serial): VNPT numbers a series in order (ERR:21, ERR:30),
        so this client sends one write at a time per series."""
        with self._locks_guard:
            return self._series_locks.setdefault((pattern, serial), threading.Lock())

    def _with_lookup(
        self, send: Callable[[], IssuedDocument], fkey: str, operation: str
    ) -> IssuedDocument:
        policy = self.transport.retry

        def lookup() -> IssuedDocument | None:
            try:
                return self.get(fkey)
            except NotFound:
                return None

        return issue_with_lookup(
            send,
            lookup,
            key=fkey,
            provider=PROVIDER,
            operation=operation,
            attempts=policy.max_attempts,
            wait=lambda n: policy.sleep(policy.backoff(n)),
        )

    def _published(
        self,
        payload: str,
        doc: Invoice | Receipt,
        fkey: str,
        issued_at: datetime,
        operation: str,
    ) -> IssuedDocument:
        pattern = self.profile.pattern_of(doc)
        try:
            numbers = parse_publish_result(payload, pattern=pattern, serial=doc.series)
        except ValidationError as exc:
            raise ProviderError(
                f"VNPT answered {operation} with an unreadable result: {exc.message}",
                provider=PROVIDER,
                operation=operation,
                code="malformed_response",
            ) from None
        if fkey not in numbers:
            raise ProviderError(
                f"VNPT's {operation} result does not name fkey {fkey!r}",
                provider=PROVIDER,
                operation=operation,
                code="malformed_response",
            )
        return IssuedDocument(
            provider=PROVIDER,
            key=fkey,
            number=numbers[fkey],
            template=doc.template,
            symbol=doc.series,
            lookup_code=fkey,
            issued_at=issued_at,
            status=DocumentStatus.ISSUED,
            raw={"result": f"OK:{payload}", "fkey": fkey, "pattern": pattern},
        )

    def _template_of(self, pattern: str) -> str:
        suffix = f"/{self.profile.invoice_pattern_suffix}"
        return pattern[: -len(suffix)] if pattern.endswith(suffix) else pattern

    def _call(
        self,
        soap: SoapClient,
        method: str,
        idempotency: Idempotency,
        idempotency_key: str | None,
        max_response_bytes: int | None = None,
        **params: Any,
    ) -> str:
        result = soap.call(
            method,
            idempotency=idempotency,
            idempotency_key=idempotency_key,
            max_response_bytes=max_response_bytes,
            **params,
        )
        text = None if result is None else str(result)
        try:
            ok, payload, detail = parse_result(text)
        except ValidationError:
            raise ProviderError(
                f"VNPT answered {method} with an empty result",
                provider=PROVIDER,
                operation=method,
                code="malformed_response",
            ) from None
        if ok:
            return payload
        known = code_for(method, payload)
        raise error_for_code(
            known.code,
            provider=PROVIDER,
            operation=method,
            vendor_code=f"ERR:{payload}",
            vendor_message=detail or known.meaning,
        )


def _reason(reason: str) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError("a reason is required", field="reason")
    if len(reason) > 255:
        raise ValidationError("the reason is longer than 255 characters", field="reason")
    return reason.strip()
