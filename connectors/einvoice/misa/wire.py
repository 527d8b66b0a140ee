"""MISA meInvoice on the wire: paths, limits, the invoice JSON, results and error codes.

Fidelity: derived from an unofficial copy of MISA's integration document and integrators'
code (spec einvoice.md 2.4, [P]). Field names marked [P] come from that copy; everything
marked [G] is our guess and lives in `WireProfile`, the one place to correct it against the
document MISA gives the commune.

MISA's field names live here only: the client builds and reads its messages with these
functions, and so does the simulator, which never imports the client.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from connectors.core.deprecation import moved
from connectors.einvoice.codes import Refusal, ResultCode, VendorCode
from connectors.einvoice.models import Invoice, LineKind, Receipt
from connectors.einvoice.provider import DocumentStatus, IssuedDocument, Vendor
from connectors.vn.time import VN_TZ

__all__ = [
    "DEFAULT_PROFILE",
    "MISA_CODES",
    "REFERENCE_TYPE",
    "REQUIRED_TOTALS",
    "TOKEN_CODES",
    "VENDOR",
    "Call",
    "OriginalInvoice",
    "WireProfile",
    "auth_headers",
    "bearer_of",
    "cancel_call",
    "decode_result_list",
    "download_call",
    "download_data",
    "encode_result_list",
    "failure",
    "file_row",
    "found_document",
    "invoice_failure",
    "invoice_payload",
    "issued_document",
    "item_refusal",
    "login_call",
    "login_of",
    "original_invoice",
    "publish_call",
    "publish_results",
    "published_row",
    "refusal_of",
    "result_code_of",
    "result_row",
    "status_call",
    "success",
    "token_of",
]


@dataclass(frozen=True)
class WireProfile:
    """Every path, limit and guessed field of MISA meInvoice, overridable."""

    token_path: str = "/auth/token"  # noqa: S105 - a path, not a secret
    issue_path: str = "/invoice"
    status_path: str = "/invoice/status"
    download_path: str = "/invoice/download"
    cancel_path: str = "/invoice/cancel"
    """[G] the copy of the document we saw lists no cancel endpoint."""

    max_invoices_per_request: int = 30
    """At most 30 invoices per request [P]."""
    max_lines_per_invoice: int = 200
    """At most 200 lines per invoice, else `XMLTooLong` [P]."""
    max_download_ids: int = 50
    """At most 50 TransactionIDs per download [P]."""

    sign_type: int = 2
    """`SignType` 2: MISA signs on its HSM, synchronously [P]."""
    token_refresh_seconds: float = 7 * 24 * 3600.0
    """Tokens live ~14 days; MISA advises refreshing weekly [P]."""
    series_spacing_seconds: float = 0.0
    """Pause between two requests on one series; MISA suggests ~3 s under load [P]."""
    results_as_json_string: bool = True
    """[G] `publishInvoiceResult` / `data` carry a JSON-encoded string, not an array."""
    status_by_refid: int = 2
    """`inputType` 2 = look up by RefID (1 = by TransactionID) [P]."""
    status_names: Mapping[int, DocumentStatus] = field(
        default_factory=lambda: {
            1: DocumentStatus.ISSUED,
            2: DocumentStatus.CANCELLED,
            3: DocumentStatus.REPLACED,
            5: DocumentStatus.ADJUSTED,
            7: DocumentStatus.REPLACED,
            8: DocumentStatus.ADJUSTED,
        }
    )
    """`EInvoiceStatus` values 1, 2, 3, 5, 7, 8 exist [P]; their meanings are [G]."""


DEFAULT_PROFILE = WireProfile()


MISA_CODES: Mapping[str, VendorCode] = {
    "InvalidAppID": VendorCode(ResultCode.AUTH, "the integrator's appid is not valid"),
    "TokenExpiredCode": VendorCode(ResultCode.AUTH, "the token expired; log in again"),
    "InvalidToken": VendorCode(ResultCode.AUTH, "the token is not valid [G]"),
    "UnAuthorize": VendorCode(ResultCode.AUTH, "wrong user name or password [G]"),
    "DuplicateRefID": VendorCode(ResultCode.DUPLICATE, "this RefID was already used"),
    "DuplicateInvoiceRefID": VendorCode(ResultCode.DUPLICATE, "an invoice has this RefID"),
    "InvoiceDuplicated": VendorCode(ResultCode.TEMPORARY, "number taken concurrently; retry"),
    "InvoiceNumberNotCotinuous": VendorCode(
        ResultCode.TEMPORARY, "numbering not continuous (concurrent requests); retry"
    ),
    "InvalidSignature": VendorCode(ResultCode.CERTIFICATE, "the signature is not valid"),
    "CertRevocation": VendorCode(ResultCode.CERTIFICATE, "the certificate is revoked"),
    "SigningTimeNotInRegistration": VendorCode(
        ResultCode.CERTIFICATE, "signing time outside the registered certificate period"
    ),
    "InvalidCertByRegistration": VendorCode(
        ResultCode.CERTIFICATE, "certificate not the one registered with the tax authority"
    ),
    "InvalidTaxCode": VendorCode(ResultCode.INVALID_DATA, "the tax code is not valid"),
    "XMLTooLong": VendorCode(ResultCode.INVALID_DATA, "more than 200 lines"),
    "TooManyInvoices": VendorCode(ResultCode.INVALID_DATA, "more than 30 invoices [G]"),
    "InvalidInvoiceData": VendorCode(ResultCode.INVALID_DATA, "the invoice data is wrong [G]"),
    "LicenseInfo_OutOfInvoice": VendorCode(
        ResultCode.INVALID_DATA, "the purchased invoice quota is used up"
    ),
    "DeclarationNotExist": VendorCode(
        ResultCode.INVALID_DATA, "no registration (tờ khai) with the tax authority"
    ),
    "ExistsInvoiceNextYear": VendorCode(
        ResultCode.INVALID_DATA, "an invoice of the next year already exists"
    ),
    "InvoiceNotFound": VendorCode(ResultCode.NOT_FOUND, "no invoice with that id [G]"),
    "InvoiceCancelled": VendorCode(ResultCode.WRONG_STATE, "the invoice is cancelled [G]"),
}
"""MISA's error codes (raw value kept as `vendor_code`) and their common meaning."""


VENDOR = Vendor(
    name="misa",
    title="MISA",
    key_field="RefID",
    not_found_code="InvoiceNotFound",
    # The bearer token, the integrator's appid and the login answer's data (the token).
    secret_fields=("Authorization", "token", "appid", "data"),
)
"""MISA's facts for the domain base."""
TOKEN_CODES = frozenset({"TokenExpiredCode", "InvalidToken"})
"""Codes meaning "log in again": MISA refused the request before doing anything."""
REFERENCE_TYPE: Mapping[str, int] = {"replace": 1, "adjust": 2}
"""``ReferenceType`` of a replacement and of an adjustment."""


@dataclass(frozen=True)
class Call:
    """One request to MISA's API (all are POSTs): our name for it, its path under the base
    URL, its JSON body and query."""

    operation: str
    path: str
    json: Any
    params: Mapping[str, Any] | None = None


def login_call(
    app_id: str, tax_code: str, username: str, password: str, profile: WireProfile
) -> Call:
    """``POST /auth/token`` (`token_of` reads the answer)."""
    body = {"appid": app_id, "taxcode": tax_code, "username": username, "password": password}
    return Call("login", profile.token_path, body)


def login_of(body: Any) -> tuple[str, str, str, str]:
    """``(appid, taxcode, username, password)`` of a login body (the simulator's reader)."""
    values = body if isinstance(body, dict) else {}
    appid, taxcode, username, password = (
        str(values.get(name) or "") for name in ("appid", "taxcode", "username", "password")
    )
    return appid, taxcode, username, password


def bearer_of(header: str) -> str:
    """The token of an ``Authorization: Bearer`` header (the simulator's reader)."""
    return header[7:] if header.startswith("Bearer ") else ""


def success(**fields: Any) -> dict[str, Any]:
    """A successful answer carrying `fields` (``data``, ``publishInvoiceResult``)."""
    return {"success": True, "errorCode": None, **fields}


def failure(code: str, description: str = "") -> dict[str, Any]:
    """A refused call's answer (`refusal_of` reads it)."""
    return {"success": False, "errorCode": code, "descriptionErrorCode": description}


def invoice_failure(
    ref_id: str, series: str, code: str, description: str | None = None
) -> dict[str, Any]:
    """One invoice's refusal inside a publish answer (`item_refusal` reads it)."""
    row: dict[str, Any] = {"RefID": ref_id, "InvSeries": series, "ErrorCode": code}
    if description is not None:
        row["DescriptionErrorCode"] = description
    return row


def result_row(
    ids: tuple[str, str], template: str, series: str, number: int, day: str, status: int
) -> dict[str, Any]:
    """One issued invoice in a status answer (`issued_document` reads it); `ids` are its
    RefID and TransactionID, `day` its ``InvDate``, `status` its ``EInvoiceStatus``."""
    ref_id, transaction_id = ids
    return {
        "RefID": ref_id,
        "InvSeries": series,
        "TransactionID": transaction_id,
        "InvTemplateNo": template,
        "InvNo": str(number),
        "InvDate": day,
        "EInvoiceStatus": status,
        "SendTaxStatus": 1,
    }


def published_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A `result_row` in a publish answer: with an empty ``ErrorCode`` (`item_refusal`)."""
    return {**row, "ErrorCode": None}


def file_row(transaction_id: str, data: bytes) -> dict[str, Any]:
    """One file in a download answer (`download_data` reads it)."""
    return {"TransactionID": transaction_id, "Data": base64.b64encode(data).decode()}


def token_of(body: Mapping[str, Any]) -> str | None:
    """The token a login answer carries (in ``data``), or None."""
    token = body.get("data")
    return token if isinstance(token, str) and token else None


def auth_headers(token: str, tax_code: str) -> dict[str, str]:
    """The headers of every call after the login."""
    return {"Authorization": f"Bearer {token}", "CompanyTaxCode": tax_code}


def refusal_of(body: Any, http_status: int) -> Refusal | None:
    """MISA's "no" in an answer: ``success: false`` or an ``errorCode``; None otherwise (and
    for an HTTP error without a code, which the caller maps by its status)."""
    if not isinstance(body, dict):
        return None
    code = body.get("errorCode")
    if http_status >= 400 and not code:
        return None
    if body.get("success") is False or code:
        vendor_code = str(code or "Unknown")
        return Refusal(
            result_code_of(vendor_code), vendor_code, _text(body.get("descriptionErrorCode"))
        )
    return None


def publish_call(operation: str, payloads: list[dict[str, Any]], profile: WireProfile) -> Call:
    """``POST /invoice`` of `invoice_payload` entries (`publish_results` reads the answer)."""
    body = {"SignType": profile.sign_type, "InvoiceData": payloads, "PublishInvoiceData": None}
    return Call(operation, profile.issue_path, body)


def publish_results(body: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """A ``POST /invoice`` answer's per-invoice results, by RefID."""
    items = decode_result_list(body.get("publishInvoiceResult"))
    return {str(item.get("RefID")): item for item in items}


def item_refusal(item: Mapping[str, Any]) -> Refusal | None:
    """One invoice's own refusal in a result (its ``ErrorCode``), or None: a top-level
    ``success: true`` is not trusted alone."""
    if not item.get("ErrorCode"):
        return None
    code = str(item["ErrorCode"])
    return Refusal(result_code_of(code), code, _text(item.get("DescriptionErrorCode")))


def status_call(key: str, profile: WireProfile) -> Call:
    """``POST /invoice/status`` looking a document up by RefID (`found_document` reads it)."""
    return Call("lookup", profile.status_path, [key], {"inputType": profile.status_by_refid})


def found_document(
    body: Mapping[str, Any], key: str, profile: WireProfile = DEFAULT_PROFILE
) -> IssuedDocument | None:
    """The document a status answer holds under RefID `key`, or None."""
    for item in decode_result_list(body.get("data")):
        if str(item.get("RefID")) == key:
            return issued_document(item, key, None, profile)
    return None


def issued_document(
    item: Mapping[str, Any],
    key: str,
    payload: Mapping[str, Any] | None,
    profile: WireProfile = DEFAULT_PROFILE,
) -> IssuedDocument:
    """The document one result (or status) row describes; `payload` fills what it lacks.

    A row without a number is pending; ``lookup_code`` is MISA's ``TransactionID``.
    """
    source = {**(payload or {}), **item}
    status_value = item.get("EInvoiceStatus", 1)
    status = profile.status_names.get(
        int(status_value) if str(status_value).isdigit() else 1, DocumentStatus.ISSUED
    )
    number = item.get("InvNo")
    if str(number or "").isdigit():
        number = str(int(str(number))) or None  # "00000001" -> "1"
    if not number or number == "0":
        number = None
        status = DocumentStatus.PENDING
    return IssuedDocument(
        provider=VENDOR.name,
        key=key,
        number=str(number) if number else None,
        template=str(source.get("InvTemplateNo", "")),
        symbol=str(source.get("InvSeries", "")),
        lookup_code=_text(item.get("TransactionID")),
        issued_at=_issued_at(source.get("InvDate")),
        status=status,
        raw=dict(item),
    )


def cancel_call(document: IssuedDocument, day: date, reason: str, profile: WireProfile) -> Call:
    """``POST /invoice/cancel`` [G] of an issued `document`, dated `day`."""
    body = {
        "TransactionID": document.lookup_code,
        "InvNo": document.number,
        "RefDate": day.isoformat(),
        "CancelReason": reason,
    }
    return Call("cancel", profile.cancel_path, body)


def download_call(transaction_id: str | None, file_format: str, profile: WireProfile) -> Call:
    """``POST /invoice/download`` of one document's PDF or XML (`download_data` reads it)."""
    return Call(
        "download", profile.download_path, [transaction_id], {"downloadDataType": file_format}
    )


def download_data(body: Mapping[str, Any], transaction_id: str | None) -> bytes | None:
    """The file a download answer carries for `transaction_id`, decoded; None if none."""
    for item in decode_result_list(body.get("data")):
        if item.get("TransactionID") == transaction_id and item.get("Data"):
            return base64.b64decode(str(item["Data"]))
    return None


def original_invoice(
    kind: str, document: IssuedDocument, reason: str, fallback_day: date
) -> OriginalInvoice:
    """The reference a replacement or an adjustment (`kind`) makes to an issued `document`
    (dated `fallback_day` when MISA gave no date)."""
    day = document.issued_at.astimezone(VN_TZ).date() if document.issued_at else fallback_day
    return OriginalInvoice(
        reference_type=REFERENCE_TYPE[kind],
        template=document.template,
        series=document.symbol,
        number=str(document.number or ""),
        date=day.isoformat(),
        note=reason,
    )


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def _issued_at(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=VN_TZ)


REQUIRED_TOTALS = (
    "TotalSaleAmountOC",
    "TotalDiscountAmountOC",
    "TotalAmountWithoutVATOC",
    "TotalVATAmountOC",
    "TotalAmountOC",
    "TotalAmountInWords",
)
"""Totals the simulator requires on each invoice: the ones every integrator sends [P]."""


def result_code_of(vendor_code: str) -> ResultCode:
    """The common meaning of a MISA code; unknown codes count as invalid data."""
    known = MISA_CODES.get(vendor_code)
    return known.code if known is not None else ResultCode.INVALID_DATA


@dataclass(frozen=True)
class OriginalInvoice:
    """The invoice a replacement (`ReferenceType` 1) or adjustment (2) refers to."""

    reference_type: int
    template: str
    series: str
    number: str
    date: str
    note: str


def _money(value: int | Decimal) -> int | float | str:
    """JSON numbers: whole đồng as int, decimals as a plain string."""
    if isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else f"{value.normalize():f}"


def _lines(doc: Invoice | Receipt) -> list[dict[str, Any]]:
    details = []
    for line, amounts in zip(doc.lines, doc.totals.lines, strict=True):
        item: dict[str, Any] = {
            "ItemType": int(line.kind),
            "SortOrder": amounts.number,
            "LineNumber": amounts.number,
            "ItemCode": line.code,
            "ItemName": line.name,
            "UnitName": line.unit,
        }
        if line.kind is not LineKind.NOTE:
            gross = abs(amounts.gross)
            net = gross - amounts.discount
            # Each amount in the invoice currency (...OC) and converted to VND (no suffix);
            # VND only, so both are equal. AmountOC before the discount, AmountWithoutVATOC
            # after it, as integrators send them (Vietsens/hisnguonmo InvoiceDetailV2.cs;
            # huuanhuynh/V6AccountingA_2024 MISA V6THUEPOST.xml) [P].
            item.update(
                {
                    "Quantity": _money(line.quantity),
                    "UnitPrice": _money(line.unit_price),
                    "DiscountAmountOC": amounts.discount,
                    "DiscountAmount": amounts.discount,
                    "AmountOC": gross,
                    "Amount": gross,
                    "AmountWithoutVATOC": net,
                    "AmountWithoutVAT": net,
                    "VATRateName": line.tax_rate.code,
                    "VATAmountOC": abs(amounts.tax),
                    "VATAmount": abs(amounts.tax),
                }
            )
            if line.discount_rate is not None:
                item["DiscountRate"] = _money(line.discount_rate)
        details.append({k: v for k, v in item.items() if v is not None})
    return details


def invoice_payload(
    doc: Invoice | Receipt,
    *,
    ref_id: str,
    issue_date: str,
    original: OriginalInvoice | None = None,
) -> dict[str, Any]:
    """One entry of `InvoiceData`: the document in MISA's field names [P].

    `issue_date` is `InvDate` (`yyyy-MM-dd`, GMT+7); `ref_id` is `RefID`, the idempotency key.
    """
    totals = doc.totals
    buyer = doc.buyer
    payload: dict[str, Any] = {
        "RefID": ref_id,
        "InvTemplateNo": doc.template,
        "InvSeries": doc.series,
        "InvDate": issue_date,
        "CurrencyCode": doc.currency,
        "ExchangeRate": 1,
        "PaymentMethodName": doc.payment_method.value,
        "IsInvoiceReceipt": isinstance(doc, Receipt),  # [G]
        "DossierCode": doc.dossier_code,  # [G]
        "SellerTaxCode": doc.seller.tax_code,
        "SellerLegalName": doc.seller.name,
        "SellerAddress": doc.seller.address,
        "BuyerLegalName": buyer.legal_name if buyer else None,
        "BuyerFullName": buyer.name if buyer else None,
        "BuyerTaxCode": buyer.tax_code if buyer else None,
        "BuyerAddress": buyer.address if buyer else None,
        "BuyerEmail": buyer.email if buyer else None,
        "BuyerPhoneNumber": buyer.phone if buyer else None,
        "BuyerIDNumber": buyer.citizen_id if buyer else None,  # [G]
        "BuyerBudgetCode": buyer.budget_unit_code if buyer else None,  # [G]
        # The full set of totals every MISA integrator found sends (Vietsens/hisnguonmo
        # CreateInvoiceV2.cs; huuanhuynh/V6AccountingA_2024 MISA V6THUEPOST.xml; five more in
        # the code index): in the invoice currency (...OC) and converted to VND.
        # TotalAmountWithoutVATOC, the amount before tax, was missing [P: required by every
        # integrator; the copy of MISA's document we read marks no required field].
        "TotalSaleAmountOC": totals.amount + totals.discount,
        "TotalSaleAmount": totals.amount + totals.discount,
        "TotalDiscountAmountOC": totals.discount,
        "TotalDiscountAmount": totals.discount,
        "TotalAmountWithoutVATOC": totals.amount,
        "TotalAmountWithoutVAT": totals.amount,
        "TotalVATAmountOC": totals.tax,
        "TotalVATAmount": totals.tax,
        "TotalAmountOC": totals.total,
        "TotalAmount": totals.total,
        "TotalAmountInWords": totals.words,
        "OriginalInvoiceDetail": _lines(doc),
        "TaxRateInfo": [
            {
                "VATRateName": rate.rate.code,
                "AmountWithoutVATOC": rate.amount,
                "VATAmountOC": rate.tax,
            }
            for rate in totals.by_rate
        ],
    }
    if original is not None:
        payload.update(
            {
                "ReferenceType": original.reference_type,
                "OrgInvoiceType": 1,
                "OrgInvTemplateNo": original.template,
                "OrgInvSeries": original.series,
                "OrgInvNo": original.number,
                "OrgInvDate": original.date,
                "InvoiceNote": original.note,
            }
        )
    return {k: v for k, v in payload.items() if v is not None}


def decode_result_list(value: object) -> list[dict[str, Any]]:
    """A result list, whether MISA sent it as an array or as a JSON-encoded string."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return []
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def encode_result_list(items: list[dict[str, Any]], profile: WireProfile) -> object:
    """How MISA carries a result list (used by the simulator)."""
    return json.dumps(items, ensure_ascii=False) if profile.results_as_json_string else items


__getattr__ = moved(__name__, {"MisaProfile": f"{__name__}:WireProfile"})
