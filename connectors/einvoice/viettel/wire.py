"""Viettel S-Invoice's wire format: paths, JSON bodies, dates, tax codes, result codes, zips.

Fidelity: *derived from integrators' code* (Odoo ``l10n_vn_edi_viettel``
``models/account_move.py`` and ``tests/test_edi.py``, verified; the Viettel client in
``huuanhuynh/V6AccountingA_2024`` ``Winform/HoaDonDienTu/VIETTEL_V2/.../ViettelV2WS.cs`` and
``PostObjects/ViettelV2Objects/``) for the paths, login, ``createInvoice`` fields,
``searchInvoiceByTransactionUuid`` and its answer, cancel, the file download and the
epoch-millisecond dates; field rules from an unofficial text copy of Viettel's integration
document (code index id 19888917787, [P]). Every detail we had to guess sits in
`WireProfile` (override it per client): the search answer's fields beyond those integrators
read, the receipt's ``invoiceType``, the template code of an invoice template, the name of
the "already cancelled" code.

The one place Viettel's vocabulary lives: its client and its simulator both read and
write Viettel's messages through these functions.
"""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from connectors.core.errors import ValidationError
from connectors.core.transport import RequestSpec
from connectors.einvoice import provider
from connectors.einvoice.codes import Refusal, ResultCode, VendorCode
from connectors.einvoice.model_tax import LineKind, TaxKind, TaxRate
from connectors.einvoice.models import Invoice, Receipt
from connectors.einvoice.provider import DocumentStatus, IssuedDocument, Vendor
from connectors.einvoice.symbols import is_valid_invoice_symbol
from connectors.einvoice.totals import LineTotal
from connectors.vn.time import from_epoch_ms, to_epoch_ms

__all__ = [
    "ADJUSTMENT_ADJUST",
    "ADJUSTMENT_OF",
    "ADJUSTMENT_ORIGINAL",
    "ADJUSTMENT_REPLACE",
    "DEFAULT_PROFILE",
    "VENDOR",
    "VIETTEL_CODES",
    "WireProfile",
    "answer",
    "api_request",
    "cancel_form",
    "create_result",
    "created_document",
    "document_from_payload",
    "error_answer",
    "error_code_of",
    "file_answer",
    "file_bytes",
    "file_request",
    "found_document",
    "invoice_payload",
    "issued_date_ms",
    "login_answer",
    "login_body",
    "login_of",
    "login_refused",
    "make_nested_zip",
    "nested_zip_xml",
    "original_of",
    "rate_from_percentage",
    "refusal_of",
    "search_form",
    "search_item",
    "tax_percentage",
    "to_number",
    "token_of",
    "token_of_cookies",
]

ADJUSTMENT_ORIGINAL = "1"
ADJUSTMENT_REPLACE = "3"
ADJUSTMENT_ADJUST = "5"


@dataclass(frozen=True)
class WireProfile:
    """Everything about Viettel's wire format that is configurable or guessed ([G]).

    Paths are relative to the settings' base URL (``https://api-vinvoice.viettel.vn``).
    """

    login_path: str = "/auth/login"
    api_prefix: str = "/services/einvoiceapplication/api"
    create_path: str = "/InvoiceAPI/InvoiceWS/createInvoice/{tax_code}"
    search_path: str = "/InvoiceAPI/InvoiceWS/searchInvoiceByTransactionUuid"
    cancel_path: str = "/InvoiceAPI/InvoiceWS/cancelTransactionInvoice"
    file_path: str = "/InvoiceAPI/InvoiceUtilsWS/getInvoiceRepresentationFile"
    token_cookie: str = "access_token"  # noqa: S105 - a cookie name, not a secret
    token_lifetime_default: int = 1200
    """Seconds a token lives when the login answer has no ``expires_in`` [P: 20 min seen]."""
    token_refresh_margin: int = 60
    """Log in again this many seconds before the token expires."""
    expired_token_markers: tuple[str, ...] = ("GENERAL", "invalid_token", "InvalidTokenException")
    """Texts in a 401/500 answer meaning "log in again" (Viettel answers 500 GENERAL)."""
    invoice_template_suffix: str = "001"
    """Viettel's ``templateCode`` of invoice template n is ``n/<suffix>`` (e.g. ``1/001``)."""
    receipt_invoice_type: str = "BL"
    """``invoiceType`` sent for an e-receipt [G: receipts through S-Invoice not documented]."""
    # searchInvoiceByTransactionUuid answer: supplierTaxCode, invoiceNo, transactionID,
    # reservationCode, issueDate, status [V: ViettelV2Objects/CreateInvoiceResponse_Result.cs;
    # Odoo reads invoiceNo, reservationCode, status]. ``status`` is the PAYMENT status.
    payment_status_field: str = "status"
    """The search answer's payment status: ``Chưa thanh toán`` (unpaid) or another text
    (paid). Odoo reads it so [V]; it says nothing about cancellation."""
    unpaid_status: str = "Chưa thanh toán"
    paid_status: str = "Đã thanh toán"
    """The texts the simulator writes; the adapter only compares with `unpaid_status`."""
    document_status_field: str | None = None
    """A field of the search answer telling cancelled/replaced/adjusted, if the commune's
    Viettel document names one; no source shows any, so by default the adapter reports
    ``issued`` (number given) or ``pending`` (not yet) only [G]."""
    statuses: Mapping[str, DocumentStatus] = field(
        default_factory=lambda: {
            "PUBLISHED": DocumentStatus.ISSUED,
            "PENDING": DocumentStatus.PENDING,
            "CANCELED": DocumentStatus.CANCELLED,
            "REPLACED": DocumentStatus.REPLACED,
            "ADJUSTED": DocumentStatus.ADJUSTED,
        }
    )
    """Values of `document_status_field` when it is set [G]."""
    cancel_success: str = "CANCEL TRANSACTION INVOICE SUCCESS"
    form_in_query: bool = False
    """Where the form fields of ``searchInvoiceByTransactionUuid`` and
    ``cancelTransactionInvoice`` go. Sources disagree: Odoo's ``models/account_move.py``
    sends them as query parameters (with a form content type, empty body);
    ``huuanhuynh/V6AccountingA_2024`` ``VIETTEL_V2/ViettelV2WS.cs`` sends them as a form
    body. A Spring ``@RequestParam`` endpoint reads both. Default: the body, so a cancel
    reason stays out of URLs (which the HTTP stack logs); True sends Odoo's way."""
    file_sends_issue_date: bool = False
    """Whether ``getInvoiceRepresentationFile`` carries ``strIssueDate``. Sources disagree:
    Odoo's ``models/account_move.py`` (at commit db7e1b3) sends it; our specs read odoo PR
    #236628 as removing it because the call failed with it. Default: left out."""
    resend_delay: float = 90.0
    """Seconds to wait before re-sending a createInvoice that the lookup did not find:
    Viettel may still be processing it (server-side timeout 60-90 s), and two concurrent
    requests with one transactionUuid can create two invoices [P: Viettel's document]."""

    def token_expired(self, status: int, content: bytes) -> bool:
        """Whether an answer means "log in again": a 401, or a 500 naming an expired token."""
        if status not in (401, 500):
            return False
        text = content[:2000].decode("utf-8", errors="replace")
        return status == 401 or any(marker in text for marker in self.expired_token_markers)

    def url(self, base_url: str, path: str, **params: str) -> str:
        """The absolute URL of an API path."""
        return f"{base_url}{self.api_prefix}{path.format(**params)}"

    def template_code(self, doc: Invoice | Receipt) -> str:
        """Viettel's ``templateCode`` for a document: ``1/001`` or the receipt's ``EBL01``."""
        if isinstance(doc, Receipt):
            return doc.template
        return f"{doc.template}/{self.invoice_template_suffix}"

    def invoice_type(self, doc: Invoice | Receipt) -> str:
        """Viettel's ``invoiceType``: the template digit, or `receipt_invoice_type`."""
        return self.receipt_invoice_type if isinstance(doc, Receipt) else doc.template

    def status_of(self, value: str | None) -> DocumentStatus:
        """Our status for a `document_status_field` value (unknown -> ISSUED)."""
        return provider.status_of(self.statuses, value, DocumentStatus.ISSUED)

    def status_text(self, status: DocumentStatus) -> str:
        """The wire text for `status` (the simulator writes it)."""
        return provider.status_text(self.statuses, status, status.value.upper())


DEFAULT_PROFILE = WireProfile()

VENDOR = Vendor(
    name="viettel",
    title="Viettel",
    key_field="transactionUuid",
    not_found_code="NOT_FOUND_DATA",
    key_min_length=10,
)
"""Viettel's facts for the domain base: ``transactionUuid`` of 10-36 characters."""
ADJUSTMENT_OF: Mapping[str, str] = {"replace": ADJUSTMENT_REPLACE, "adjust": ADJUSTMENT_ADJUST}
"""``adjustmentType`` of a replacement and of an adjustment."""


def login_body(username: str, password: str) -> dict[str, str]:
    """The ``POST /auth/login`` body."""
    return {"username": username, "password": password}


def token_of(body: Any, profile: WireProfile = DEFAULT_PROFILE) -> tuple[str, float] | None:
    """``(access_token, seconds it lives)`` of a login answer (`token_lifetime_default` when
    it has no ``expires_in``); None when there is no token."""
    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        return None
    lifetime = body.get("expires_in")
    if isinstance(lifetime, int | float) and not isinstance(lifetime, bool):
        return token, float(lifetime)
    return token, float(profile.token_lifetime_default)


def api_request(
    profile: WireProfile,
    url: str,
    token: str,
    *,
    json: Any = None,
    form: Mapping[str, str] | None = None,
) -> RequestSpec:
    """A call of the API with the session token as its cookie; `form` fields go in the body,
    or in the query when `profile.form_in_query` (with a form content type, as Odoo sends)."""
    in_query = form is not None and profile.form_in_query
    headers = {"Cookie": f"{profile.token_cookie}={token}"}
    if in_query:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    return RequestSpec(
        "POST",
        url,
        headers=headers,
        params=dict(form) if in_query and form is not None else None,
        json=json,
        data=None if in_query else form,
    )


def login_answer(token: str, lifetime: float) -> dict[str, Any]:
    """A login's answer (the simulator's; `token_of` reads it)."""
    return {"access_token": token, "token_type": "bearer", "expires_in": int(lifetime)}


def login_refused(description: str) -> dict[str, str]:
    """A refused login's answer (OAuth's ``invalid_grant``)."""
    return {"error": "invalid_grant", "error_description": description}


def login_of(body: Any) -> tuple[str, str]:
    """``(username, password)`` of a login body (the simulator's reader of `login_body`)."""
    if not isinstance(body, dict):
        return "", ""
    return str(body.get("username") or ""), str(body.get("password") or "")


def token_of_cookies(header: str, profile: WireProfile = DEFAULT_PROFILE) -> str:
    """The session token in a ``Cookie`` header (the simulator's reader of `api_request`)."""
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == profile.token_cookie:
            return value
    return ""


def error_answer(status: int, code: str, message: str | None) -> dict[str, Any]:
    """An error in the ``{"code", "message", "data"}`` shape (Spring's for a 500 too)."""
    return {"code": status, "message": code, "data": message}


def answer(
    error_code: str | None = None, description: str | None = None, **fields: Any
) -> dict[str, Any]:
    """A body in the ``{"errorCode", "description", ...}`` shape: a refusal when `error_code`
    is given, else a success carrying `fields` (``result``, ``fileToBytes``...)."""
    return {"errorCode": error_code, "description": description, **fields}


def create_result(
    supplier_tax_code: str, invoice_no: str, transaction_uuid: str, reservation_code: str
) -> dict[str, Any]:
    """``createInvoice``'s ``result`` (and the base of a search item): ``invoiceNo`` empty
    while the number is not given yet."""
    return {
        "supplierTaxCode": supplier_tax_code,
        "invoiceNo": invoice_no,
        "transactionID": f"T{transaction_uuid}",
        "reservationCode": reservation_code,
        "codeOfTax": None,
    }


def search_item(
    result: Mapping[str, Any],
    *,
    series: str,
    template_code: str,
    issue_date: int,
    paid: bool,
    status: DocumentStatus,
    profile: WireProfile = DEFAULT_PROFILE,
) -> dict[str, Any]:
    """One item of a search answer (the simulator's; `found_document` reads it): the create
    result with the series and template [G: beyond the fields integrators read], the issue
    date, the payment status text, and `profile.document_status_field` when set."""
    item: dict[str, Any] = {
        **result,
        "invoiceSeries": series,
        "templateCode": template_code,
        "issueDate": issue_date,
        profile.payment_status_field: profile.paid_status if paid else profile.unpaid_status,
    }
    if profile.document_status_field:
        item[profile.document_status_field] = profile.status_text(status)
    return item


def file_answer(name: str, data: bytes) -> dict[str, Any]:
    """A ``getInvoiceRepresentationFile`` answer carrying `data` (`file_bytes` reads it)."""
    return answer(fileName=name, fileToBytes=base64.b64encode(data).decode("ascii"))


def refusal_of(body: Any, http_status: int) -> Refusal | None:
    """Viettel's "no" in an answer (`error_code_of`): a known code's meaning, else by the HTTP
    status (5xx temporary, 401/403 auth, other invalid data); None for a success."""
    error = error_code_of(body)
    if error is None:
        return None
    vendor_code, vendor_message = error
    known = VIETTEL_CODES.get(vendor_code)
    if known is not None:
        code = known.code
    elif http_status >= 500:
        code = ResultCode.TEMPORARY
    elif http_status in (401, 403):
        code = ResultCode.AUTH
    else:
        code = ResultCode.INVALID_DATA
    return Refusal(code, vendor_code, vendor_message)


def search_form(supplier_tax_code: str, key: str) -> dict[str, str]:
    """The ``searchInvoiceByTransactionUuid`` form."""
    return {"supplierTaxCode": supplier_tax_code, "transactionUuid": key}


def cancel_form(
    supplier_tax_code: str, document: IssuedDocument, reason: str, now_ms: int
) -> dict[str, str]:
    """The ``cancelTransactionInvoice`` form for an issued `document` (its number, template
    and issue date as Viettel gave them); the reason is also the agreement's description."""
    return {
        "supplierTaxCode": supplier_tax_code,
        "templateCode": str(document.raw.get("templateCode", "")),
        "invoiceNo": str(document.raw.get("invoiceNo", "")),
        "strIssueDate": str(document.raw.get("issueDate", "")),
        "additionalReferenceDesc": reason,
        "additionalReferenceDate": str(now_ms),
        "reasonDelete": reason,
    }


def file_request(
    supplier_tax_code: str,
    document: IssuedDocument,
    file_format: str,
    profile: WireProfile = DEFAULT_PROFILE,
) -> dict[str, Any]:
    """The ``getInvoiceRepresentationFile`` body: ``PDF``, or ``ZIP`` for the XML."""
    body: dict[str, Any] = {
        "supplierTaxCode": supplier_tax_code,
        "invoiceNo": str(document.raw.get("invoiceNo", "")),
        "templateCode": str(document.raw.get("templateCode", "")),
        "transactionUuid": document.key,
        "fileType": "PDF" if file_format == "pdf" else "ZIP",
    }
    if profile.file_sends_issue_date:
        body["strIssueDate"] = document.raw.get("issueDate")
    return body


def original_of(document: IssuedDocument, reason: str) -> dict[str, Any]:
    """What `invoice_payload` needs of the document a replacement or adjustment refers to."""
    return {
        "invoiceNo": document.raw.get("invoiceNo"),
        "issueDate": document.raw.get("issueDate"),
        "templateCode": document.raw.get("templateCode"),
        "reason": reason,
    }


def created_document(
    body: Mapping[str, Any],
    doc: Invoice | Receipt,
    *,
    key: str,
    issued_at: datetime,
    profile: WireProfile = DEFAULT_PROFILE,
) -> IssuedDocument:
    """The document a ``createInvoice`` answer gives (pending while ``invoiceNo`` is empty);
    `ValidationError` when it has no ``result``."""
    result = body.get("result")
    if not isinstance(result, dict):
        raise ValidationError("createInvoice answered without a result", field="result")
    invoice_no = str(result.get("invoiceNo") or "")
    return IssuedDocument(
        provider=VENDOR.name,
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
            "templateCode": profile.template_code(doc),
        },
    )


def found_document(
    body: Mapping[str, Any], key: str, profile: WireProfile = DEFAULT_PROFILE
) -> IssuedDocument | None:
    """The document a ``searchInvoiceByTransactionUuid`` answer holds, or None.

    Its ``status`` is the payment status, so the document reads ``issued`` (or ``pending``
    without a number) unless `profile.document_status_field` names a field telling more.
    """
    result = body.get("result")
    items = result if isinstance(result, list) else [result] if result else []
    if not items or not isinstance(items[0], dict):
        return None
    item: dict[str, Any] = items[0]
    invoice_no = str(item.get("invoiceNo") or "")
    series = str(item.get("invoiceSeries") or "") or _series_of(invoice_no)
    template_code = str(item.get("templateCode") or "")
    issue_ms = _epoch_ms(item.get("issueDate"))
    field = profile.document_status_field
    status = profile.status_of(_opt(item.get(field))) if field else DocumentStatus.ISSUED
    if not invoice_no and status is DocumentStatus.ISSUED:
        status = DocumentStatus.PENDING
    return IssuedDocument(
        provider=VENDOR.name,
        key=key,
        number=_number(invoice_no, series) if invoice_no else None,
        template=template_code.split("/", 1)[0],
        symbol=series,
        lookup_code=_opt(item.get("reservationCode")),
        issued_at=from_epoch_ms(issue_ms) if issue_ms is not None else None,
        status=status,
        raw={**item, "issueDate": issue_ms} if issue_ms is not None else item,
    )


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


# Viettel's numeric rates: -2 not subject (KCT), -1 not declared (KKKNT) [V ODOO].
_KCT = -2
_KKKNT = -1

VIETTEL_CODES: Mapping[str, VendorCode] = {
    "VAT_AMOUNT_INVALID": VendorCode(ResultCode.INVALID_DATA, "tax amounts do not add up"),
    "VAT_TAX_AMOUNT_NEGATE": VendorCode(ResultCode.INVALID_DATA, "negative tax amount"),
    "VAT_PERCENTAGE_INVALID": VendorCode(ResultCode.INVALID_DATA, "unknown tax percentage"),
    "INVOICE_SERIAL_NOT_FOUND": VendorCode(ResultCode.INVALID_DATA, "unknown series"),
    "IVI_TOTAL_A_WITHOUT_TAX_AND_UP_QUAN_NOT_COMPARED": VendorCode(
        ResultCode.INVALID_DATA, "quantity x unit price differs from the line amount"
    ),
    "JSON_PARSE_ERROR": VendorCode(ResultCode.INVALID_DATA, "unreadable JSON"),
    "BAD_REQUEST_INVALID_DECIMAL_POINT_QUANTUM": VendorCode(
        ResultCode.INVALID_DATA, "too many decimals"
    ),
    "BAD_REQUEST_EXISTS_OTHER_USB_SIGN_PROCESSING": VendorCode(
        ResultCode.TEMPORARY, "another USB-token signature is in progress"
    ),
    "NOT_FOUND_DATA": VendorCode(ResultCode.NOT_FOUND, "no data"),
    "INVOICE_NOT_FOUND": VendorCode(ResultCode.NOT_FOUND, "no such invoice"),
    "reservation.code.used": VendorCode(ResultCode.DUPLICATE, "reservation code already used"),
    "TRANSACTION_UUID_INVALID": VendorCode(ResultCode.DUPLICATE, "transactionUuid already used"),
    "INVOICE_ALREADY_CANCELED": VendorCode(
        ResultCode.WRONG_STATE, "already cancelled [G: code name guessed]"
    ),
    "GENERAL": VendorCode(ResultCode.TEMPORARY, "general error (often an expired token)"),
    "invalid_token": VendorCode(ResultCode.AUTH, "token refused"),
    "UNAUTHORIZED": VendorCode(ResultCode.AUTH, "login refused [G: code name guessed]"),
}
"""Viettel's result codes and what they mean [P: codes seen in integrators' code]."""


def error_code_of(body: Any) -> tuple[str, str | None] | None:
    """``(code, description)`` of an error answer, or None for a success.

    Viettel answers errors as ``{"code": 400, "message": "BAD_REQUEST_...", "data": ...}``,
    as ``{"errorCode": "...", "description": "..."}`` (null on success), or, for a 500, in
    Spring's shape ``{"status": 500, "error": "Internal Server Error", "message":
    "GENERAL"}`` (what ``huuanhuynh/V6AccountingA_2024`` ViettelV2WS.cs tests for).
    """
    if not isinstance(body, dict):
        return None
    if body.get("errorCode"):
        return str(body["errorCode"]), _text(body.get("description"))
    if body.get("message") and ("code" in body or "status" in body):
        return str(body["message"]), _text(body.get("data") or body.get("error"))
    if body.get("error"):
        return str(body["error"]), _text(body.get("error_description") or body.get("message"))
    return None


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def tax_percentage(rate: TaxRate) -> int | float:
    """Viettel's ``taxPercentage``: 0/5/8/10, -2 for KCT, -1 for KKKNT, the number for KHAC."""
    if rate.kind is TaxKind.KCT:
        return _KCT
    if rate.kind is TaxKind.KKKNT:
        return _KKKNT
    return to_number(rate.percent or Decimal(0))


def rate_from_percentage(value: int | float | str) -> TaxRate:
    """The inverse of `tax_percentage`."""
    number = Decimal(str(value))
    if number == _KCT:
        return TaxRate.KCT
    if number == _KKKNT:
        return TaxRate.KKKNT
    if number in (0, 5, 8, 10):
        return TaxRate.parse(f"{int(number)}%")
    return TaxRate.other(number)


def to_number(value: Decimal | int) -> int | float:
    """A JSON number: int when whole, else float (exact for the <= 6 decimals we allow)."""
    decimal = Decimal(value)
    if decimal == decimal.to_integral_value():
        return int(decimal)
    return float(decimal)


def issued_date_ms(moment: datetime) -> int:
    """``invoiceIssuedDate``: epoch milliseconds at whole-second precision (GMT+7 display).

    2025-06-01 09:30:15 GMT+7 -> 1748745015000.
    """
    return to_epoch_ms(moment) // 1000 * 1000


def _selection(kind: LineKind) -> int:
    # Viettel ``selection``: 1 goods, 2 note, 3 discount, 5 promotion, 6 special goods.
    return {
        LineKind.GOODS: 1,
        LineKind.NOTE: 2,
        LineKind.DISCOUNT: 3,
        LineKind.PROMOTION: 5,
        LineKind.SPECIAL: 6,
    }[kind]


def invoice_payload(
    doc: Invoice | Receipt,
    *,
    transaction_uuid: str,
    issued_at: datetime,
    profile: WireProfile = DEFAULT_PROFILE,
    adjustment_type: str = ADJUSTMENT_ORIGINAL,
    original: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``createInvoice`` JSON body for `doc`.

    `original` (for a replacement or an adjustment) carries ``invoiceNo``, ``issueDate``
    (epoch ms), ``templateCode`` and ``reason`` of the document being replaced or adjusted.
    """
    totals = doc.totals
    general: dict[str, Any] = {
        "invoiceType": profile.invoice_type(doc),
        "templateCode": profile.template_code(doc),
        "invoiceSeries": doc.series,
        "invoiceIssuedDate": issued_date_ms(issued_at),
        "currencyCode": doc.currency,
        "adjustmentType": adjustment_type,
        "paymentStatus": True,
        "cusGetInvoiceRight": True,
        "validation": 1,  # Viettel checks the tax information (as Odoo sends it)
        "transactionUuid": transaction_uuid,
    }
    if doc.note:
        general["invoiceNote"] = doc.note
    if original is not None:
        general.update(
            {
                "originalInvoiceId": original["invoiceNo"],
                "originalInvoiceIssueDate": original["issueDate"],
                "originalTemplateCode": original["templateCode"],
                "additionalReferenceDesc": original["reason"],
                "additionalReferenceDate": issued_date_ms(issued_at),
            }
        )
        if adjustment_type == ADJUSTMENT_ADJUST:
            general["adjustmentInvoiceType"] = "1"
    buyer: dict[str, Any] = {}
    if doc.buyer is not None:
        b = doc.buyer
        for key, value in (
            ("buyerName", b.name),
            ("buyerLegalName", b.legal_name),
            ("buyerTaxCode", b.tax_code),
            ("buyerAddressLine", b.address),
            ("buyerPhoneNumber", _phone(b.phone)),
            ("buyerEmail", b.email),
            ("buyerCode", b.customer_code),
        ):
            if value:
                buyer[key] = value
        if b.citizen_id:
            buyer["buyerIdType"] = "1"
            buyer["buyerIdNo"] = b.citizen_id
        buyer["buyerNotGetInvoice"] = 0  # as Odoo sends it
    else:
        buyer["buyerNotGetInvoice"] = 1
    seller = {
        "sellerLegalName": doc.seller.name,
        "sellerTaxCode": doc.seller.tax_code,
        "sellerAddressLine": doc.seller.address,
    }
    items = []
    for line, amounts in zip(doc.lines, totals.lines, strict=True):
        item: dict[str, Any] = {
            "lineNumber": amounts.number,
            "selection": _selection(line.kind),
            "itemName": line.name,
        }
        if line.kind is not LineKind.NOTE:
            net = abs(amounts.gross) - amounts.discount
            item.update(
                {
                    "unitName": line.unit,
                    "quantity": to_number(line.quantity),
                    "unitPrice": to_number(line.unit_price),
                    # Without the discount (Odoo's comment), then after it [V: Odoo].
                    "itemTotalAmountWithoutTax": abs(amounts.gross),
                    "discount": to_number(_discount_percent(line.discount_rate, amounts)),
                    "itemTotalAmountAfterDiscount": net,
                    "taxPercentage": tax_percentage(line.tax_rate),
                    "taxAmount": abs(amounts.tax),
                    "itemTotalAmountWithTax": net + abs(amounts.tax),
                    "isIncreaseItem": amounts.amount >= 0,
                }
            )
            if amounts.discount and line.discount_rate is None:
                item["itemDiscount"] = amounts.discount
            if line.code:
                item["itemCode"] = line.code
        items.append(item)
    summarize = {
        "totalAmountWithoutTax": totals.amount,
        "totalTaxAmount": totals.tax,
        "totalAmountWithTax": totals.total,
        "totalAmountWithTaxInWords": totals.words,
        "discountAmount": totals.discount,
        "isTotalAmountPos": totals.total >= 0,
    }
    breakdowns = [
        {
            "taxPercentage": tax_percentage(r.rate),
            "taxableAmount": abs(r.amount),
            "taxAmount": abs(r.tax),
            "taxableAmountPos": r.amount >= 0,
            "taxAmountPos": r.tax >= 0,
        }
        for r in totals.by_rate
    ]
    return {
        "generalInvoiceInfo": general,
        "buyerInfo": buyer,
        "sellerInfo": seller,
        "payments": [{"paymentMethodName": doc.payment_method.value}],
        "itemInfo": items,
        "summarizeInfo": summarize,
        "taxBreakdowns": breakdowns,
    }


def _discount_percent(rate: Decimal | None, amounts: LineTotal) -> Decimal:
    """``discount``: the line's discount in PERCENT of its price (Viettel's document: "%
    chiết khấu trên dòng sản phẩm"; Odoo sends its line discount %); 0 when none. A discount
    given as an amount is sent as ``itemDiscount`` too, its percentage to 6 decimals."""
    if rate is not None:
        return rate
    if not amounts.discount or not amounts.gross:
        return Decimal(0)
    percent = Decimal(amounts.discount) * 100 / abs(Decimal(amounts.gross))
    return percent.quantize(Decimal("0.000001")).normalize()


def _phone(phone: str | None) -> str | None:
    """Viettel wants digits only; a leading + becomes 00 (as Odoo does)."""
    if phone is None:
        return None
    text = phone.strip()
    if text.startswith("+"):
        text = "00" + text[1:]
    return "".join(c for c in text if c.isdigit())


def file_bytes(body: Mapping[str, Any]) -> bytes:
    """The decoded ``fileToBytes`` of a ``getInvoiceRepresentationFile`` answer."""
    data = body.get("fileToBytes")
    if not isinstance(data, str) or not data:
        raise ValidationError("the file answer carries no fileToBytes", field="fileToBytes")
    try:
        return base64.b64decode(data, validate=True)
    except ValueError:
        raise ValidationError("fileToBytes is not base64", field="fileToBytes") from None


def nested_zip_xml(data: bytes, *, max_bytes: int = 20 * 1024 * 1024) -> bytes:
    """The invoice XML inside Viettel's ZIP, which may hold another ZIP (zip in a zip).

    Raises `ValidationError` when no ``.xml`` is found or a member is larger than
    `max_bytes` (a zip bomb guard).
    """
    for _depth in range(3):
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            raise ValidationError("the invoice file is not a ZIP", field="fileToBytes") from None
        with archive:
            infos = archive.infolist()
            for info in infos:
                if info.file_size > max_bytes:
                    raise ValidationError("ZIP member too large", field="fileToBytes")
            xml = [i for i in infos if i.filename.lower().endswith(".xml")]
            if xml:
                return archive.read(xml[0])
            inner = [i for i in infos if i.filename.lower().endswith(".zip")]
            if not inner:
                break
            data = archive.read(inner[0])
    raise ValidationError("no XML inside the invoice ZIP", field="fileToBytes")


def make_nested_zip(xml_name: str, xml: bytes, xsl: bytes = b"<xsl/>") -> bytes:
    """A zip holding a zip holding ``xml_name`` and a stylesheet (how Viettel answers)."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr(xml_name, xml)
        archive.writestr(xml_name.rsplit(".", 1)[0] + ".xsl", xsl)
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w") as archive:
        archive.writestr(xml_name.rsplit(".", 1)[0] + ".zip", inner.getvalue())
    return outer.getvalue()


_KIND_OF_SELECTION = {
    1: LineKind.GOODS,
    2: LineKind.NOTE,
    3: LineKind.DISCOUNT,
    5: LineKind.PROMOTION,
    6: LineKind.SPECIAL,
}


def document_from_payload(
    body: Mapping[str, Any], *, profile: WireProfile = DEFAULT_PROFILE
) -> Invoice | Receipt:
    """Read a ``createInvoice`` body back into the model (what the simulator issues).

    The inverse of `invoice_payload` for everything the body carries; raises
    `connectors.core.ValidationError` when the body does not make a valid document.
    """
    general = body.get("generalInvoiceInfo") or {}
    seller_info = body.get("sellerInfo") or {}
    buyer_info = body.get("buyerInfo") or {}
    buyer: dict[str, Any] | None = None
    if not buyer_info.get("buyerNotGetInvoice"):
        buyer = {
            "name": buyer_info.get("buyerName"),
            "legal_name": buyer_info.get("buyerLegalName"),
            "tax_code": buyer_info.get("buyerTaxCode"),
            "address": buyer_info.get("buyerAddressLine"),
            "phone": buyer_info.get("buyerPhoneNumber"),
            "email": buyer_info.get("buyerEmail"),
            "customer_code": buyer_info.get("buyerCode"),
            "citizen_id": buyer_info.get("buyerIdNo"),
        }
    lines = []
    for item in body.get("itemInfo") or []:
        kind = _KIND_OF_SELECTION.get(int(item.get("selection", 1)), LineKind.GOODS)
        line: dict[str, Any] = {"name": item.get("itemName"), "kind": kind}
        if kind is LineKind.NOTE:
            line["tax_rate"] = TaxRate.KCT
        else:
            line.update(
                {
                    "unit": item.get("unitName"),
                    "quantity": str(item.get("quantity")),
                    "unit_price": str(item.get("unitPrice")),
                    "tax_rate": rate_from_percentage(item.get("taxPercentage", -2)),
                    "code": item.get("itemCode"),
                }
            )
            if item.get("itemDiscount"):
                line["discount"] = str(item["itemDiscount"])
            elif item.get("discount"):
                line["discount_rate"] = str(item["discount"])
        lines.append(line)
    payments = body.get("payments") or [{}]
    issued_ms = general.get("invoiceIssuedDate")
    values: dict[str, Any] = {
        "seller": {
            "name": seller_info.get("sellerLegalName"),
            "tax_code": seller_info.get("sellerTaxCode"),
            "address": seller_info.get("sellerAddressLine"),
        },
        "buyer": buyer,
        "lines": lines,
        "symbol": general.get("invoiceSeries"),
        "issued_at": from_epoch_ms(issued_ms) if isinstance(issued_ms, int) else None,
        "currency": general.get("currencyCode", "VND"),
        "payment_method": payments[0].get("paymentMethodName", "TM/CK"),
        "note": general.get("invoiceNote"),
        "is_adjustment": str(general.get("adjustmentType")) == ADJUSTMENT_ADJUST,
    }
    if str(general.get("invoiceType")) == profile.receipt_invoice_type:
        return Receipt(template=general.get("templateCode"), **values)
    return Invoice(template=str(general.get("invoiceType")), **values)
