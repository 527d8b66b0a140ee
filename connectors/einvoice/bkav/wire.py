"""BKAV eHoadon on the wire: command types, the invoice JSON, results and error texts.

Fidelity: BKAV's own interface document ("eHoaDon_WebService_Interface_All EN.docx" and its
Vietnamese original, shipped in ``huuanhuynh/V6AccountingA_2024`` under
``Winform/HoaDonDienTu/BKAV/DemoWSeHoaDon_Bkav/Help/``) and that repository's integration
(``.../BKAV/V6ThuePost_BKAV/V6ThuePost/V6THUEPOST.xml``, ``.../ApiConnect/BkavWS.cs``,
``BkavConst.cs``, ``ResponseObjects/*.cs``) verify the method (``ExecCommand(partnerGUID,
CommandData)``), the command numbers, the ``InvoiceDataWS`` field names, the result envelope
``{Status, Object, isOk, isError}`` and per-invoice results, the status table, the
``TaxRateID``, ``PayMethodID`` and ``ItemTypeID`` codes and the ``[form]_[serial]_[number]``
form of ``OriginalInvoiceIdentify`` [V]. Still guessed [G], in `WireProfile`: looking a
document up by our key with CmdType 800 (the document gives 800 an ``InvoiceGUID``), the
``TaxRateID`` of 8 %, the ``InvoiceTypeID`` of a receipt, and the error phrases beyond the
two BKAV's integrators test for.

Both sides of BKAV's wire use this module: the adapter to build commands and read
results, the simulator to read commands and build results.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from connectors.core.deprecation import moved
from connectors.core.errors import ValidationError
from connectors.core.safexml import parse_xml
from connectors.einvoice.codes import Refusal, ResultCode
from connectors.einvoice.models import Invoice, LineKind, Receipt
from connectors.einvoice.provider import DocumentStatus, IssuedDocument, Vendor
from connectors.vn.time import VN_TZ, to_vn

__all__ = [
    "CMD",
    "CREATE_COMMAND",
    "DEFAULT_PROFILE",
    "DOWNLOAD_COMMAND",
    "METHOD",
    "SOAP_ENV",
    "TEMPURI",
    "VENDOR",
    "WSDL",
    "BkavResult",
    "WireProfile",
    "cancel_command",
    "command",
    "created_row",
    "download_base64",
    "exec_call",
    "exec_params",
    "exec_response",
    "file_answer",
    "invoice_data",
    "invoice_guid",
    "invoice_object",
    "invoice_refused",
    "invoice_result",
    "issued_document",
    "original_identify",
    "original_of",
    "parse_original_identify",
    "refusal",
    "result_body",
    "result_code_for",
    "result_refusal",
    "with_status",
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

_PAY_METHOD_IDS = {"TM": 1, "CK": 2, "TM/CK": 3}


@dataclass(frozen=True)
class WireProfile:
    """What is configurable about BKAV's JSON; each default says where it comes from."""

    partner_key_field: str = "PartnerInvoiceStringID"
    """Where our idempotency key travels; the numeric ``PartnerInvoiceID`` is sent as 0
    ("use one or the other", BKAV's document) [V]."""
    ok_status: int = 0
    """``Status`` of a successful envelope and of each ``InvoiceResult`` (0 ok, else an
    error with ``MessLog``) [V: BKAV's document]."""
    invoice_statuses: Mapping[int, DocumentStatus] = field(
        default_factory=lambda: {
            1: DocumentStatus.PENDING,  # mới tạo (new, not signed)
            2: DocumentStatus.ISSUED,  # đã phát hành
            3: DocumentStatus.CANCELLED,  # terminated (đã hủy)
            5: DocumentStatus.ISSUED,  # pending replacement: still the valid one
            6: DocumentStatus.ISSUED,  # the replacing invoice
            7: DocumentStatus.ISSUED,  # pending adjustment
            8: DocumentStatus.ISSUED,  # the adjusting invoice
            9: DocumentStatus.REPLACED,
            10: DocumentStatus.ADJUSTED,
            11: DocumentStatus.PENDING,  # blank (hóa đơn trống)
            12: DocumentStatus.CANCELLED,  # not in use
        }
    )
    """``InvoiceStatusID`` -> our status. The IDs are BKAV's table [V: "Invoice's status ID
    table" of the document]; reading 5/7 (pending) as still issued and 12 (not in use) as
    cancelled is our reading [G]."""
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
    """``TaxRateID`` per TSuat code: 1 0 %, 2 5 %, 3 10 %, 4 not subject, 5 not declared,
    6 other (with ``TaxRate``) [V: document, V6THUEPOST.xml]; 8 % -> 9 [G]."""
    pay_method_ids: Mapping[str, int] = field(default_factory=lambda: dict(_PAY_METHOD_IDS))
    """``PayMethodID``: 1 cash, 2 transfer, 3 cash or transfer (4 goods to a branch, 5 gift
    are not payments a portal makes) [V: document, V6THUEPOST.xml]. A document paid another
    way (``DTCN``, ``KHAC``) has no BKAV code and is refused before sending."""
    goods_item_type: int = 0
    """``ItemTypeID`` of an invoice's goods or service line: 0 [V: V6THUEPOST.xml]."""
    fee_item_type: int = 7
    """``ItemTypeID`` of a receipt's line, a fee or charge collected (lệ phí): 7 [V]."""
    note_item_type: int = 4
    """``ItemTypeID`` of a note line (ghi chú): 4 [V]."""
    receipt_invoice_type_id: int = 1
    """``InvoiceTypeID`` sent for an e-receipt; BKAV's document knows only 1 (VAT invoice)
    [G: receipts through BKAV are not documented]."""
    error_phrases: tuple[tuple[str, ResultCode], ...] = (
        ("đã tồn tại", ResultCode.DUPLICATE),
        ("already exists", ResultCode.DUPLICATE),
        ("đã được hủy", ResultCode.WRONG_STATE),
        ("đã hủy", ResultCode.WRONG_STATE),
        ("đã bị hủy", ResultCode.WRONG_STATE),
        ("đang được ký", ResultCode.TEMPORARY),
        ("không tồn tại", ResultCode.NOT_FOUND),
        ("không tìm thấy", ResultCode.NOT_FOUND),
        ("not found", ResultCode.NOT_FOUND),
        ("chứng thư", ResultCode.CERTIFICATE),
        ("partnerguid", ResultCode.AUTH),
    )
    """Phrases of ``MessLog`` and their meaning; BKAV publishes no code table. Verified
    [V: BkavWS.cs]: "Đã tồn tại Hóa đơn" (the key was used: BKAV still returns the invoice),
    "Hóa đơn này đã được Hủy." (already cancelled), "Hóa đơn đang được ký phát hành." (being
    signed); the others are [G]."""

    def item_type(self, doc: Invoice | Receipt, kind: LineKind) -> int:
        """``ItemTypeID`` of a line of `doc`."""
        if kind is LineKind.NOTE:
            return self.note_item_type
        return self.fee_item_type if isinstance(doc, Receipt) else self.goods_item_type

    def invoice_type_id(self, doc: Invoice | Receipt) -> int:
        """``InvoiceTypeID``: a number, the template digit of an invoice."""
        return self.receipt_invoice_type_id if isinstance(doc, Receipt) else int(doc.template)

    def pay_method_id(self, method: str) -> int:
        """``PayMethodID`` of our payment method; `ValidationError` if BKAV has none."""
        try:
            return self.pay_method_ids[method]
        except KeyError:
            raise ValidationError(
                f"BKAV has no payment method for {method!r} (PayMethodID 1 cash, 2 transfer, "
                "3 cash or transfer)",
                field="payment_method",
            ) from None


DEFAULT_PROFILE = WireProfile()


VENDOR = Vendor(
    name="bkav",
    title="BKAV",
    key_field="PartnerInvoiceStringID",  # `WireProfile.partner_key_field` by default
    secret_fields=("partnerGUID",),
)
"""BKAV's facts for the domain base."""
WSDL = "WSPublicEHoaDon.wsdl"
METHOD = "ExecCommand"
"""The one SOAP method every command goes through."""
CREATE_COMMAND: Mapping[str | None, int] = {
    None: CMD.create,
    "replace": CMD.replace,
    "adjust": CMD.adjust,
}
"""The CmdType creating a document, a replacement or an adjustment."""
DOWNLOAD_COMMAND: Mapping[str, int] = {"pdf": CMD.pdf_base64, "xml": CMD.xml_base64}
"""The CmdType of each download (PDF [V], XML)."""


TEMPURI = "http://tempuri.org/"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


def exec_call(body: bytes) -> tuple[str, str] | None:
    """``(partnerGUID, CommandData)`` of an ``ExecCommand`` SOAP request (the simulator's
    reader); None when the body calls another method. `ValidationError` if it is not XML."""
    envelope = parse_xml(body, what="SOAP request")
    call = envelope.find(f"{{{SOAP_ENV}}}Body/{{{TEMPURI}}}{METHOD}")
    if call is None:
        return None
    return (
        call.findtext(f"{{{TEMPURI}}}partnerGUID") or "",
        call.findtext(f"{{{TEMPURI}}}CommandData") or "",
    )


def exec_response(result: str) -> str:
    """The SOAP answer carrying an encrypted `ExecCommandResult` (the simulator's)."""
    return (
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body>'
        f'<{METHOD}Response xmlns="{TEMPURI}"><{METHOD}Result>{escape(result)}'
        f"</{METHOD}Result></{METHOD}Response></soap:Body></soap:Envelope>"
    )


def result_body(status: int, obj: Any, profile: WireProfile = DEFAULT_PROFILE) -> dict[str, Any]:
    """The JSON an `ExecCommandResult` encrypts (what `BkavResult.read` reads): ``Status``,
    ``Object`` (a JSON string unless a text), and ``MessLog`` with a refusal's text."""
    body: dict[str, Any] = {
        "Status": status,
        "Object": obj if isinstance(obj, str) else json.dumps(obj),
    }
    if status != profile.ok_status:
        body["MessLog"] = obj
    return body


def exec_params(partner_guid: str, command_data: str) -> dict[str, str]:
    """The parameters of ``ExecCommand``."""
    return {"partnerGUID": partner_guid, "CommandData": command_data}


def command(cmd_type: int, command_object: Any) -> dict[str, Any]:
    """The JSON every `CommandData` encrypts: ``{"CmdType": n, "CommandObject": ...}``."""
    return {"CmdType": cmd_type, "CommandObject": command_object}


def _number(value: int | Decimal) -> int | str:
    if isinstance(value, int):
        return value
    return int(value) if value == value.to_integral_value() else f"{value.normalize():f}"


def _rate(code: str, profile: WireProfile) -> tuple[int, str]:
    if code.startswith("KHAC:"):
        return profile.tax_rate_ids["KHAC"], code[5:].rstrip("%")
    return profile.tax_rate_ids[code], code.rstrip("%") if code.endswith("%") else "0"


def original_identify(form: str, serial: str, number: str | int) -> str:
    """``OriginalInvoiceIdentify``: ``[form]_[serial]_[number]``, brackets included.

    BKAV's example is ``[01GTKT0/001]_[AA/17E]_[0000001]`` [V: the document and
    V6THUEPOST.xml]; we send the number as BKAV returned it.
    """
    return f"[{form}]_[{serial}]_[{number}]"


_IDENTIFY = re.compile(r"^\[([^\[\]]+)\]_\[([^\[\]]+)\]_\[(\d+)\]$")


def parse_original_identify(text: str) -> tuple[str, str, int] | None:
    """``(form, serial, number)`` of an ``OriginalInvoiceIdentify``; None if malformed."""
    match = _IDENTIFY.match(text.strip())
    if match is None:
        return None
    return match.group(1), match.group(2), int(match.group(3))


def invoice_object(
    doc: Invoice | Receipt,
    *,
    key: str,
    issued_at: datetime,
    profile: WireProfile = DEFAULT_PROFILE,
    original: str | None = None,
    reason: str | None = None,
) -> dict[str, Any]:
    """One ``InvoiceDataWS`` of a create command's list.

    Field names of ``Invoice`` and ``ListInvoiceDetailsWS`` are BKAV's [V: document,
    V6THUEPOST.xml]; ``Seller*``, ``BuyerIDNumber``, ``BuyerBudgetCode``, ``DossierCode``,
    ``ItemCode``, the ``Total*`` fields and ``Reason`` on a create are ours [G: not in the
    document; BKAV takes the seller from the account and computes totals, and may ignore
    them]. `issued_at` is ``InvoiceDate`` (ISO 8601 with the +07:00 offset, as in BKAV's
    example); `original` the replaced or adjusted invoice (`original_identify`). Raises
    `ValidationError` for a payment method BKAV has no code for.
    """
    buyer = doc.buyer
    adjusting = original is not None and doc.is_adjustment
    details = []
    for line, amounts in zip(doc.lines, doc.totals.lines, strict=True):
        item_type = profile.item_type(doc, line.kind)
        if line.kind is LineKind.NOTE:
            details.append({"ItemTypeID": item_type, "ItemName": line.name})
            continue
        rate_id, rate = _rate(line.tax_rate.code, profile)
        detail: dict[str, Any] = {
            "ItemTypeID": item_type,
            "ItemCode": line.code,
            "ItemName": line.name,
            "UnitName": line.unit,
            "Qty": _number(abs(line.quantity)),
            "Price": _number(abs(line.unit_price)),
            "DiscountRate": _number(line.discount_rate) if line.discount_rate else None,
            "DiscountAmount": amounts.discount,
            "Amount": abs(amounts.gross - amounts.discount),
            "TaxRateID": rate_id,
            "TaxRate": rate,
            "TaxAmount": abs(amounts.tax),
            "IsDiscount": line.kind is LineKind.DISCOUNT,
        }
        if adjusting:
            detail["IsIncrease"] = amounts.amount >= 0  # CmdType 121 [V: V6THUEPOST.xml]
        details.append(detail)
    local = to_vn(issued_at)
    invoice = {
        "InvoiceTypeID": profile.invoice_type_id(doc),
        "InvoiceDate": local.isoformat(),
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
        "PayMethodID": profile.pay_method_id(doc.payment_method.value),
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
        """`Object` as a list of per-invoice results (an ``InvoiceDataWS`` of CmdType 800 is
        flattened: its ``Invoice`` fields beside its own)."""
        if isinstance(self.obj, dict):
            inner = self.obj.get("Invoice")
            if isinstance(inner, dict):
                return [{**inner, **{k: v for k, v in self.obj.items() if k != "Invoice"}}]
            return [self.obj]
        if isinstance(self.obj, list):
            return [row for row in self.obj if isinstance(row, dict)]
        return []


def result_code_for(message: str | None, profile: WireProfile = DEFAULT_PROFILE) -> ResultCode:
    """The common meaning of a BKAV refusal, from its message text [G]."""
    text = (message or "").lower()
    for phrase, code in profile.error_phrases:
        if phrase in text:
            return code
    return ResultCode.INVALID_DATA


def invoice_result(
    key: str,
    sent: Mapping[str, Any],
    *,
    guid: str,
    number: int,
    lookup_code: str | None,
    profile: WireProfile = DEFAULT_PROFILE,
) -> dict[str, Any]:
    """An ``InvoiceResult`` for the ``InvoiceDataWS`` `sent` under `key` (the simulator's;
    `created_row` and `issued_document` read it) [V: the document; InvoiceResult.cs]."""
    invoice = sent["Invoice"]
    return {
        "PartnerInvoiceID": 0,
        profile.partner_key_field: key,
        "InvoiceGUID": guid,
        "InvoiceForm": invoice.get("InvoiceForm"),
        "InvoiceSerial": invoice.get("InvoiceSerial"),
        "InvoiceNo": number,
        "MTC": lookup_code or None,
    }


def with_status(row: Mapping[str, Any], message: str | None = None) -> dict[str, Any]:
    """A per-invoice result: ``Status`` 0, or 1 with `message` as its ``MessLog``."""
    return {**row, "Status": 0 if message is None else 1, "MessLog": message}


def invoice_refused(
    key: str, message: str, profile: WireProfile = DEFAULT_PROFILE
) -> dict[str, Any]:
    """A per-invoice refusal of the document under `key`."""
    return with_status({profile.partner_key_field: key}, message)


def invoice_data(
    key: str,
    sent: Mapping[str, Any],
    *,
    guid: str,
    number: int,
    status_id: int,
    lookup_code: str | None,
    profile: WireProfile = DEFAULT_PROFILE,
) -> dict[str, Any]:
    """The ``InvoiceDataWS`` CmdType 800 answers (the simulator's): the document as received,
    BKAV's GUID, number and status filled in (``MTC`` beside it is [G])."""
    invoice = {**sent["Invoice"], "InvoiceGUID": guid, "InvoiceNo": number}
    return {
        **sent,
        "Invoice": {**invoice, "InvoiceStatusID": status_id},
        "PartnerInvoiceID": 0,
        profile.partner_key_field: key,
        "MTC": lookup_code or None,
    }


def file_answer(file_format: str, data: bytes) -> dict[str, str]:
    """A CmdType 808/809 answer's object: ``{"PDF": base64}`` [V] or ``{"XML": base64}``."""
    return {"PDF" if file_format == "pdf" else "XML": base64.b64encode(data).decode()}


def refusal(status: object, message: object, profile: WireProfile = DEFAULT_PROFILE) -> Refusal:
    """BKAV's "no": its ``Status`` as the vendor code, the meaning read from ``MessLog``."""
    text = str(message) if message else None
    return Refusal(result_code_for(text, profile), str(status), text)


def result_refusal(result: BkavResult, profile: WireProfile = DEFAULT_PROFILE) -> Refusal | None:
    """The refusal an envelope carries (``Status`` not ok), or None."""
    if result.status == profile.ok_status:
        return None
    return refusal(result.status, result.message, profile)


def created_row(
    result: BkavResult, sent: Mapping[str, Any], profile: WireProfile = DEFAULT_PROFILE
) -> tuple[dict[str, Any], Refusal | None]:
    """A create command's ``InvoiceResult`` over the ``Invoice`` `sent` (what BKAV does not
    echo), and its own refusal (per-invoice ``Status`` not ok) or None."""
    rows = result.rows()
    row = rows[0] if rows else {}
    if int(row.get("Status", profile.ok_status)) != profile.ok_status:
        return row, refusal(row.get("Status"), row.get("MessLog"), profile)
    return {**sent["Invoice"], **row}, None


def issued_document(
    row: Mapping[str, Any], key: str, profile: WireProfile = DEFAULT_PROFILE
) -> IssuedDocument:
    """The document an ``InvoiceResult`` or a CmdType 800 ``InvoiceDataWS`` describes."""
    status_id = row.get("InvoiceStatusID", 1)
    status = profile.invoice_statuses.get(
        int(status_id) if str(status_id).isdigit() else 1, DocumentStatus.PENDING
    )
    number = row.get("InvoiceNo")
    return IssuedDocument(
        provider=VENDOR.name,
        key=key,
        number=str(number) if number not in (None, 0, "0", "") else None,
        template=str(row.get("InvoiceForm", "")),
        symbol=str(row.get("InvoiceSerial", "")),
        lookup_code=str(row["MTC"]) if row.get("MTC") else None,
        issued_at=_date(row.get("InvoiceDate")),
        status=status,
        raw=dict(row),
    )


def invoice_guid(document: IssuedDocument) -> str:
    """BKAV's ``InvoiceGUID`` of a document (what CmdType 205 signs)."""
    return str(document.raw.get("InvoiceGUID", ""))


def original_of(document: IssuedDocument) -> str:
    """``OriginalInvoiceIdentify`` of an issued document, its number as BKAV gave it."""
    number = document.raw.get("InvoiceNo", document.number or 0)
    return original_identify(document.template, document.symbol, str(number))


def cancel_command(key: str, reason: str, profile: WireProfile = DEFAULT_PROFILE) -> list[Any]:
    """CmdType 202's object, as ``BkavWS.CancelInvoice`` sends it: the reason inside
    ``Invoice``, our key beside it."""
    return [
        {
            "Invoice": {"Reason": reason},
            "ListInvoiceDetailsWS": [],
            "PartnerInvoiceID": 0,
            profile.partner_key_field: key,
        }
    ]


def download_base64(obj: Any) -> str:
    """The base64 file of a CmdType 808/809 answer: ``{"PDF": ...}`` [V for 808]; 809's field
    name is guessed (``XML``, ``Data`` or ``Base64`` are taken too)."""
    if isinstance(obj, dict):
        obj = obj.get("PDF") or obj.get("XML") or obj.get("Data") or obj.get("Base64")
    return str(obj)


def _date(value: object) -> datetime | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=VN_TZ)


__getattr__ = moved(__name__, {"BkavProfile": f"{__name__}:WireProfile"})
