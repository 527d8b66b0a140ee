"""The BKAV eHoadon adapter: `BkavInvoice`, an `InvoiceClient` over one SOAP method.

Fidelity: method, command numbers, field names, codes and result shapes verified against
BKAV's interface document and a partner's integration [V]; what is still guessed is listed
in `connectors.einvoice.bkav.wire` and its `WireProfile` (notably the lookup by our key).

- Every call is ``ExecCommand(partnerGUID, CommandData)``; `CommandData` and the answer are
  base64(AES-256-CBC(gzip(JSON))) with the partner's key and IV (`codec`).
- `issue` = `create` (CmdType 110, our key as ``PartnerInvoiceStringID``) then `publish`
  (CmdType 205: BKAV signs and numbers it). A lost answer is followed by a lookup
  (CmdType 800) before any retry, so a timeout never creates twice; a create is never
  re-sent by the transport once it may have left.
- `cancel` is CmdType 202 (by our key), `get` 800 (by our key [G]), `download` 808 (PDF)
  / 809 (XML) by our key, as a partner's client does.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from connectors.core import Idempotency, NotFound, SoapClient, ValidationError, wsdl_path
from connectors.core.config import ProviderSettings
from connectors.core.deprecation import moved
from connectors.einvoice.bkav import wire
from connectors.einvoice.bkav.codec import BkavKey, decode_json, encode_json
from connectors.einvoice.bkav.wire import (
    CMD,
    DEFAULT_PROFILE,
    BkavResult,
    WireProfile,
    cancel_command,
    command,
    created_row,
    download_base64,
    exec_params,
    invoice_guid,
    invoice_object,
    issued_document,
    original_of,
    result_refusal,
)
from connectors.einvoice.client import InvoiceClient, Related
from connectors.einvoice.models import Invoice, Receipt
from connectors.einvoice.provider import DocumentStatus, DownloadFormat, IssuedDocument
from connectors.vn.taxcode import TaxCode

__all__ = ["BkavInvoice", "BkavInvoiceSettings"]

Doc = Invoice | Receipt


class BkavInvoiceSettings(ProviderSettings):
    """BKAV eHoadon settings; environment prefix ``CONNECTORS_BKAV_``.

    `base_url` is the service address (demo by default); `partner_guid` and
    `partner_token` (``base64Key:base64IV``) are issued by BKAV to the commune.
    """

    model_config = SettingsConfigDict(env_prefix="CONNECTORS_BKAV_")

    base_url: str = "https://wsdemo.ehoadon.vn/WSPublicEHoaDon.asmx"
    partner_guid: SecretStr
    partner_token: SecretStr
    tax_code: TaxCode


class BkavInvoice(InvoiceClient[BkavInvoiceSettings, WireProfile]):
    """Create, publish, look up, cancel, replace, adjust and download through BKAV.

    Construction: `BkavInvoice(partner_guid=..., partner_token=..., tax_code=...)`,
    `BkavInvoice.from_settings(settings)` or `BkavInvoice.from_env()`; options `transport`,
    `profile` (`wire.WireProfile`), `clock`. Thread-safe.
    """

    vendor = wire.VENDOR
    settings_class = BkavInvoiceSettings
    default_profile = DEFAULT_PROFILE

    def __init__(self, settings: BkavInvoiceSettings | None = None, /, **options: Any) -> None:
        super().__init__(settings, **options)
        self.key = BkavKey.parse(self.settings.partner_token.get_secret_value())
        self.soap = SoapClient(
            wsdl_path("connectors.einvoice.bkav", wire.WSDL),
            self.transport,
            endpoint=self.settings.base_url,
        )

    # -- the two steps -------------------------------------------------------------------

    def create(self, doc: Doc, idempotency_key: str | None = None) -> IssuedDocument:
        """Create `doc` unsigned and unnumbered (CmdType 110) under our key; idempotent."""
        doc, key = self._checked(doc, idempotency_key)
        return self._create_unsigned(doc, key, "create", None)

    def publish(self, key: str) -> IssuedDocument:
        """Sign and number the document created under `key` (CmdType 205); idempotent."""
        current = self.get(key)
        if current.status is not DocumentStatus.PENDING:
            return current
        guid = invoice_guid(current)

        def send() -> IssuedDocument:
            self._exec("publish", CMD.sign, guid, Idempotency.UNKEYED_WRITE, key)
            return self.get(key)

        def lookup() -> IssuedDocument | None:
            found = self._find(key)
            return found if found and found.status is not DocumentStatus.PENDING else None

        return self._issue_keyed(send, key, "publish", lookup)

    # -- BKAV's steps --------------------------------------------------------------------

    def _create(
        self, doc: Doc, key: str, operation: str, related: Related | None
    ) -> IssuedDocument:
        """`create` (CmdType 110, or 120/121 naming the original) then `publish`; a retry
        after a lost answer never creates or signs twice."""
        created = self._create_unsigned(
            doc, key, "create" if related is None else operation, related
        )
        return self.publish(created.key)

    def _find(self, key: str) -> IssuedDocument | None:
        """CmdType 800 by our key [G]."""
        try:
            result = self._exec("lookup", CMD.detail, key, Idempotency.READ)
        except NotFound:
            return None
        rows = result.rows()
        return issued_document(rows[0], key, self.profile) if rows else None

    def _cancel(self, document: IssuedDocument, reason: str) -> IssuedDocument:
        """CmdType 202, by our key."""
        body = cancel_command(document.key, reason, self.profile)
        self._exec("cancel", CMD.cancel_by_partner_id, body, Idempotency.KEYED_WRITE, document.key)
        return self.get(document.key)

    def _download(self, key: str, format: DownloadFormat) -> bytes:
        """The PDF (CmdType 808) or the signed XML (CmdType 809), our key as the object."""
        result = self._exec(
            "download",
            wire.DOWNLOAD_COMMAND[format],
            key,
            Idempotency.READ,
            max_response_bytes=self.document_max_bytes,
        )
        try:
            return base64.b64decode(download_base64(result.obj), validate=True)
        except (binascii.Error, ValueError):
            raise self._malformed("download", f"BKAV returned no {format} for {key!r}") from None

    # -- internals -----------------------------------------------------------------------

    def _create_unsigned(
        self, doc: Doc, key: str, operation: str, related: Related | None
    ) -> IssuedDocument:
        obj = invoice_object(
            doc,
            key=key,
            issued_at=self._issued_at(doc),
            profile=self.profile,
            original=None if related is None else original_of(related.original),
            reason=None if related is None else related.reason,
        )
        cmd_type = wire.CREATE_COMMAND[None if related is None else related.kind]

        def send() -> IssuedDocument:
            result = self._exec(operation, cmd_type, [obj], Idempotency.UNKEYED_WRITE, key)
            row, refusal = created_row(result, obj, self.profile)
            if refusal is not None:
                raise self._refused(refusal, operation)
            return issued_document(row, key, self.profile)

        return self._issue_keyed(send, key, operation)

    def _exec(
        self,
        operation: str,
        cmd_type: int,
        obj: Any,
        idempotency: Idempotency,
        key: str | None = None,
        max_response_bytes: int | None = None,
    ) -> BkavResult:
        """One command: encrypted, sent, its answer decrypted and checked."""
        data = encode_json(command(cmd_type, obj), self.key)
        answer = self.soap.call(
            wire.METHOD,
            idempotency=idempotency,
            idempotency_key=key,
            max_response_bytes=max_response_bytes,
            **exec_params(self.settings.partner_guid.get_secret_value(), data),
        )
        try:
            result = BkavResult.read(
                decode_json(str(answer or ""), self.key, field="ExecCommandResult")
            )
        except (ValidationError, ValueError) as exc:
            raise self._malformed(
                operation, f"BKAV answered {operation} with an unreadable result: {exc}"
            ) from None
        refusal = result_refusal(result, self.profile)
        if refusal is not None:
            raise self._refused(refusal, operation)
        return result


__getattr__ = moved(
    __name__,
    {
        "BkavEHoadon": "connectors.einvoice.bkav:BkavInvoice",
        "BkavSettings": "connectors.einvoice.bkav:BkavInvoiceSettings",
    },
)
