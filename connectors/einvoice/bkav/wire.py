"""BKAV eHoadon on the wire: command types, the invoice JSON, results and error texts.

Fidelity: the transport (SOAP `ExecCommand` carrying gzip + AES-256-CBC + base64) and the
command numbers are from partners' code [V]; the JSON field names, the result envelope, the
status and tax-rate numbers and the error phrases are guesses [G] collected in
`BkavProfile`, the one place to correct them against BKAV's document for the commune.

Shared by the client and the simulator (which never imports the client).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from connectors.einvoice.codes import ResultCode
from connectors.einvoice.models import Invoice, LineKind, Receipt
from connectors.einvoice.provider import DocumentStatus

__all__ = [
    "CMD",
    "DEFAULT_PROFILE",
    "BkavProfile",
    "BkavResult",
    "command",
    "invoice_object",
    "result_code_for",
]


@dataclass(frozen=True)
class _Commands:
    """CmdType numbers [V: BKAV's C# constants]."""

    create: int = 110
    """Create; the client gives form and serial, InvoiceNo 0 until signed."""
    create_numbered_by_bkav: int = 112
    replace: int = 120
    adjust: int = 121
    update: int = 200
    cancel_by_guid: int = 201
    cancel_by_partner_id: int = 202
    sign: int = 205
    delete_unpublished: int = 301
    detail: int = 800
    status: int = 801
    history: int = 802
    pdf_base64: int = 808
    xml_base64: int = 809
    company_by_tax_code: int = 904


CMD = _Commands()


@dataclass(frozen=True)
class BkavProfile:
    """Every guessed detail of BKAV's JSON, overridable [G unless said]."""

    partner_key_field: str = "PartnerInvoiceStringID"
    """Where our idempotency key travels; BKAV's numeric `PartnerInvoiceID` is sent as 0."""
    ok_status: int = 0
    """`Status` of a successful result envelope and of each per-invoice result."""
    invoice_statuses: Mapping[int, DocumentStatus] = field(
        default_factory=lambda: {
            1: DocumentStatus.PENDING,  # mới tạo, not signed yet
            2: DocumentStatus.ISSUED,
            3: DocumentStatus.CANCELLED,
            5: DocumentStatus.REPLACED,
            6: DocumentStatus.ADJUSTED,
        }
    )
    tax_rate_ids: Mapping[str, int] = field(
        default_factory=lambda: {
            "0%": 1,
            "5%": 2,
            "10%": 3,
            "KCT": 4,
            "KKKNT": 5,
            "KHAC": 6,
            "8%": 9,
        }
    )
    """`TaxRateID` per TSuat code; every `KHAC:x%` rate is 6 with `TaxRate` = x."""
    error_phrases: tuple[tuple[str, ResultCode], ...] = (
        ("đã tồn tại", ResultCode.DUPLICATE),
        ("already exists", ResultCode.DUPLICATE),
        ("không tồn tại", ResultCode.NOT_FOUND),
        ("không tìm thấy", ResultCode.NOT_FOUND),
        ("not found", ResultCode.NOT_FOUND),
        ("chứng thư", ResultCode.CERTIFICATE),
        ("đã hủy", ResultCode.WRONG_STATE),
        ("đã bị hủy", ResultCode.WRONG_STATE),
        ("partnerguid", ResultCode.AUTH),
    )
    """Phrases of `MessLog` and their meaning; BKAV publishes no code table."""


DEFAULT_PROFILE = BkavProfile()


def command(cmd_type: int, command_object: Any) -> dict[str, Any]:
    """The JSON every `CommandData` encrypts: ``{"CmdType": n, "CommandObject": ...}``."""
    return {"CmdType": cmd_type, "CommandObject": command_object}


def _number(value: int | Decimal) -> int | str:
    if isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else f"{value.normalize():f}"


def _rate(code: str, profile: BkavProfile) -> tuple[int, str]:
    if code.startswith("KHAC:"):
        return profile.tax_rate_ids["KHAC"], code[5:].rstrip("%")
    return profile.tax_rate_ids[code], code.rstrip("%") if code.endswith("%") else "0"


def invoice_object(
    doc: Invoice | Receipt,
    *,
    key: str,
    issue_date: str,
    profile: BkavProfile = DEFAULT_PROFILE,
    original: str | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """One entry of the create command's list [G field names].

    `issue_date` is `InvoiceDate` (``yyyy-MM-dd``, GMT+7); `original` the replaced or
    adjusted invoice as ``form_serial_number``.
    """
    buyer = doc.buyer
    details = []
    for line, amounts in zip(doc.lines, doc.totals.lines, strict=True):
        if line.kind is LineKind.NOTE:
            details.append({"ItemTypeID": int(line.kind), "ItemName": line.name})
            continue
        rate_id, rate = _rate(line.tax_rate.code, profile)
        details.append(
            {
                "ItemTypeID": int(line.kind),
                "ItemCode": line.code,
                "ItemName": line.name,
                "UnitName": line.unit,
                "Qty": _number(line.quantity),
                "Price": _number(line.unit_price),
                "DiscountRate": _number(line.discount_rate) if line.discount_rate else None,
                "DiscountAmount": amounts.discount,
                "Amount": abs(amounts.gross - amounts.discount),
                "TaxRateID": rate_id,
                "TaxRate": rate,
                "TaxAmount": abs(amounts.tax),
                "IsDiscount": line.kind is LineKind.DISCOUNT,
            }
        )
    invoice = {
        "InvoiceTypeID": doc.template,
        "InvoiceDate": issue_date,
        "InvoiceForm": doc.template,
        "InvoiceSerial": doc.series,
        "InvoiceNo": 0,
        "SellerTaxCode": doc.seller.tax_code,
        "SellerName": doc.seller.name,
        "SellerAddress": doc.seller.address,
        "BuyerName": buyer.name if buyer else None,
        "BuyerUnitName": buyer.legal_name if buyer else None,
        "BuyerTaxCode": buyer.tax_code if buyer else None,
        "BuyerAddress": buyer.address if buyer else None,
        "BuyerIDNumber": buyer.citizen_id if buyer else None,
        "BuyerBudgetCode": buyer.budget_unit_code if buyer else None,
        "ReceiverEmail": buyer.email if buyer else None,
        "PayMethod": doc.payment_method.value,
        "CurrencyID": doc.currency,
        "ExchangeRate": 1,
        "DossierCode": doc.dossier_code,
        "TotalAmountWithoutVAT": doc.totals.amount,
        "TotalVATAmount": doc.totals.tax,
        "TotalDiscount": doc.totals.discount,
        "TotalAmount": doc.totals.total,
        "AmountInWords": doc.totals.words,
        "OriginalInvoiceIdentify": original,
        "Reason": reason,
    }
    return {
        "Invoice": {k: v for k, v in invoice.items() if v is not None},
        "ListInvoiceDetailsWS": [{k: v for k, v in d.items() if v is not None} for d in details],
        "PartnerInvoiceID": 0,
        profile.partner_key_field: key,
    }


@dataclass(frozen=True)
class BkavResult:
    """A decrypted `ExecCommandResult`: envelope status and its `Object`, decoded."""

    status: int
    obj: Any
    message: str | None

    @classmethod
    def read(cls, body: Any) -> BkavResult:
        """From the decrypted JSON ``{"Status": n, "Object": ..., "MessLog"?...}`` [G]."""
        if not isinstance(body, dict) or "Status" not in body:
            raise ValueError("the result has no Status")
        obj = body.get("Object")
        if isinstance(obj, str) and obj[:1] in ("[", "{"):
            with contextlib.suppress(json.JSONDecodeError):
                obj = json.loads(obj)
        message = body.get("MessLog") or (obj if isinstance(obj, str) else None)
        return cls(int(body["Status"]), obj, str(message) if message else None)

    def rows(self) -> list[dict[str, Any]]:
        """`Object` as a list of per-invoice results."""
        if isinstance(self.obj, dict):
            return [self.obj]
        if isinstance(self.obj, list):
            return [row for row in self.obj if isinstance(row, dict)]
        return []


def result_code_for(message: str | None, profile: BkavProfile = DEFAULT_PROFILE) -> ResultCode:
    """The common meaning of a BKAV refusal, from its message text [G]."""
    text = (message or "").lower()
    for phrase, code in profile.error_phrases:
        if phrase in text:
            return code
    return ResultCode.INVALID_DATA
