"""BKAV eHoadon simulated: one SOAP method, encrypted commands, a ledger, numbering at
signing, and signed tax-authority XML for every invoice it signs.

One path (``POST <path>``) takes ``ExecCommand``; each request is named after its command
for fault injection and counting (``create``, ``replace``, ``adjust``, ``sign``, ``cancel``,
``detail``, ``pdf``, ``xml``; ``exec`` for anything else). An unknown `partnerGUID` or a
`CommandData` that does not decrypt gets a SOAP fault; otherwise the command is applied
and the answer encrypted with the partner's key. Rules:

- a `PartnerInvoiceStringID` creates at most once: a second create answers that invoice's
  result with ``Status`` 1 and ``MessLog`` "Đã tồn tại Hóa đơn..." (what BKAV's partner
  client tests for) [V];
- a create is refused (per-invoice ``Status`` 1) when ``InvoiceTypeID`` is not a number,
  ``PayMethodID`` is missing or not one of BKAV's 1-5, a line's ``ItemTypeID`` is not one of
  BKAV's 0-14 or its ``TaxRateID`` unknown, or a replacement/adjustment names its original
  other than ``[form]_[serial]_[number]`` [V: the codes and the form; refusing is ours];
- numbers are given at signing, consecutive per (form, serial); signing a signed invoice
  changes nothing; statuses follow BKAV's table (1 new, 2 issued, 3 cancelled, 5/7 pending
  replacement/adjustment, 6/8 the replacing/adjusting invoice, 9 replaced, 10 adjusted);
- cancelling a cancelled invoice answers "Hóa đơn này đã được Hủy." [V];
- CmdType 800 finds a document by our key and answers its ``InvoiceDataWS`` as a JSON
  string [G: the document gives 800 an InvoiceGUID]; 808/809 take our key and answer
  ``{"PDF": base64}`` / ``{"XML": base64}`` [V for 808].

Ledger kinds: ``create``, ``sign``, ``cancel`` (key: our idempotency key).
`faults.add("create", CommitThenStatus(500))` processes a command then answers it badly.
"""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Self

from connectors.core import ValidationError
from connectors.einvoice.bkav.codec import BkavKey, decode_json, encode_json
from connectors.einvoice.bkav.wire import (
    CMD,
    DEFAULT_PROFILE,
    WireProfile,
    exec_call,
    exec_response,
    file_answer,
    invoice_data,
    invoice_refused,
    invoice_result,
    parse_original_identify,
    result_body,
    with_status,
)
from connectors.einvoice.gdt import HDonDocument, Line, Party, RateTotal, RelatedInvoice, Totals
from connectors.testing.simulator import SimRequest, SimResponse
from connectors.testing.simulators.einvoice.base import InvoiceSimulator, soap_fault

__all__ = ["BkavInvoiceSimulator", "SimBkavInvoice"]

_NEW, _SIGNED, _CANCELLED = 1, 2, 3
_PENDING_REPLACEMENT, _REPLACING, _PENDING_ADJUSTMENT, _ADJUSTING = 5, 6, 7, 8
_REPLACED, _ADJUSTED = 9, 10
_ITEM_TYPES = range(15)  # 0 goods ... 7 fee (lệ phí) ... 14 [V: V6THUEPOST.xml]
_PAY_METHODS = range(1, 6)  # 1 cash ... 5 gift [V: BKAV's document]
_PAY_METHOD_TEXT = {1: "TM", 2: "CK", 3: "TM/CK"}
_TEST_KEY = BkavKey(bytes(range(32)), bytes(range(16, 32)))
_ROUTE_NAMES = {
    CMD.create: "create",
    CMD.create_numbered_by_bkav: "create",
    CMD.replace: "replace",
    CMD.adjust: "adjust",
    CMD.sign: "sign",
    CMD.cancel_by_partner_id: "cancel",
    CMD.detail: "detail",
    CMD.pdf_base64: "pdf",
    CMD.xml_base64: "xml",
}


@dataclass
class SimBkavInvoice:
    """An invoice the simulated BKAV holds."""

    key: str
    guid: str
    obj: dict[str, Any]
    number: int = 0
    status: int = _NEW
    lookup_code: str = ""
    xml: bytes = b""
    cmd_type: int = CMD.create
    original: str | None = None
    """Our key of the invoice this one replaces or adjusts."""

    @property
    def series(self) -> str:
        return (
            f"{self.obj['Invoice'].get('InvoiceForm')}/{self.obj['Invoice'].get('InvoiceSerial')}"
        )


class BkavInvoiceSimulator(InvoiceSimulator):
    """A stateful BKAV eHoadon; see the module docstring for its rules."""

    provider = "bkav"
    title = "BKAV eHoadon simulator (TEST)"

    def __init__(
        self,
        *,
        partner_guid: str = "00000000-test-4000-8000-000000000001",
        key: BkavKey = _TEST_KEY,
        path: str = "/WSPublicEHoaDon.asmx",
        profile: WireProfile = DEFAULT_PROFILE,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.partner_guid = partner_guid
        self.key = key
        self.profile = profile
        self.invoices: dict[str, SimBkavInvoice] = {}
        self.commands: list[int] = []
        self._lock = threading.Lock()
        self._numbers: dict[str, int] = {}
        self.add_route("POST", path, self._exec, name="exec")

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any]) -> Self:
        """A simulator accepting `partner_guid` and `partner_token` ("base64Key:base64IV")."""
        values = dict(credentials)
        token = values.pop("partner_token", None)
        if token is not None:
            values["key"] = BkavKey.parse(str(token))
        return cls(**values)

    def _pdf(self, invoice: SimBkavInvoice) -> bytes:
        return self.document_pdf(
            _hdon(invoice, self), lookup_code=invoice.lookup_code or None, key=invoice.key
        )

    # -- SOAP ----------------------------------------------------------------------------

    def _match(self, request: SimRequest) -> Any:
        """Name each request by its command (``create``, ``sign``...) for faults and counts."""
        found = super()._match(request)
        if found is None:
            return None
        route, params = found
        try:
            call = exec_call(request.body)
            cmd_type = int(decode_json(call[1] if call else "", self.key)["CmdType"])
        except (ValidationError, KeyError, TypeError, ValueError):
            return found
        return dataclasses.replace(route, name=_ROUTE_NAMES.get(cmd_type, route.name)), params

    def _exec(self, request: SimRequest) -> SimResponse:
        try:
            call = exec_call(request.body)
        except ValidationError:
            return soap_fault("soap:Client", "Malformed SOAP request")
        if call is None:
            return soap_fault("soap:Client", "Unknown method")
        partner_guid, data = call
        if partner_guid != self.partner_guid:
            return soap_fault("soap:Server", "partnerGUID không hợp lệ")
        try:
            payload = decode_json(data, self.key)
            cmd_type = int(payload["CmdType"])
        except (ValidationError, KeyError, TypeError, ValueError):
            return soap_fault("soap:Server", "CommandData không hợp lệ")
        self.commands.append(cmd_type)
        with self._lock:
            status, obj = self._apply(cmd_type, payload.get("CommandObject"))
        result = encode_json(result_body(status, obj, self.profile), self.key)
        return SimResponse.xml(exec_response(result))

    # -- commands ------------------------------------------------------------------------

    def _apply(self, cmd_type: int, obj: Any) -> tuple[int, Any]:
        if cmd_type in (CMD.create, CMD.replace, CMD.adjust):
            return 0, [self._create(item, cmd_type) for item in obj or []]
        if cmd_type == CMD.sign:
            return self._sign(str(obj))
        if cmd_type == CMD.cancel_by_partner_id:
            return self._cancel(obj)
        if cmd_type == CMD.detail:
            found = self.invoices.get(str(obj))
            if found is None:
                return 1, "Hóa đơn không tồn tại"
            return 0, self._data_ws(found)
        if cmd_type in (CMD.pdf_base64, CMD.xml_base64):
            invoice = self.invoices.get(str(obj))
            if invoice is None:
                return 1, "Hóa đơn không tồn tại"
            if invoice.status == _NEW:
                return 1, "Hóa đơn chưa được ký"
            if cmd_type == CMD.xml_base64:
                return 0, file_answer("xml", invoice.xml)
            return 0, file_answer("pdf", self._pdf(invoice))
        return 1, f"CmdType {cmd_type} không được hỗ trợ"

    def _refusal(self, item: Mapping[str, Any]) -> str | None:
        """Why BKAV refuses this ``InvoiceDataWS``; None if it takes it."""
        invoice = item.get("Invoice")
        if not isinstance(invoice, dict):
            return "Dữ liệu hóa đơn không hợp lệ"
        if not _is_int(invoice.get("InvoiceTypeID")):
            return "InvoiceTypeID không hợp lệ"
        if not _is_int(invoice.get("PayMethodID")) or invoice["PayMethodID"] not in _PAY_METHODS:
            return "PayMethodID không hợp lệ"
        known_rates = set(self.profile.tax_rate_ids.values())
        for number, detail in enumerate(item.get("ListInvoiceDetailsWS") or [], start=1):
            item_type = detail.get("ItemTypeID", 0)
            if not _is_int(item_type) or item_type not in _ITEM_TYPES:
                return f"Dòng {number}: ItemTypeID không hợp lệ"
            rate = detail.get("TaxRateID")
            if rate is not None and rate not in known_rates:
                return f"Dòng {number}: TaxRateID không hợp lệ"
        return None

    def _create(self, item: Mapping[str, Any], cmd_type: int) -> dict[str, Any]:
        key = str(item.get(self.profile.partner_key_field) or "")
        refused = None if key else "Thiếu PartnerInvoiceStringID"
        refused = refused or self._refusal(item)
        if refused is not None:
            return invoice_refused(key, refused, self.profile)
        existing = self.invoices.get(key)
        if existing is not None:
            message = f"Đã tồn tại Hóa đơn với {self.profile.partner_key_field} = {key}"
            return with_status(self._result(existing), message)
        invoice = SimBkavInvoice(key=key, guid=str(uuid.uuid4()), obj=dict(item), cmd_type=cmd_type)
        if cmd_type in (CMD.replace, CMD.adjust):
            identity = parse_original_identify(
                str(item["Invoice"].get("OriginalInvoiceIdentify") or "")
            )
            target = self._by_identity(identity) if identity else None
            if target is None:
                return invoice_refused(key, "Hóa đơn gốc không tồn tại", self.profile)
            if target.status not in (_SIGNED, _REPLACING, _ADJUSTING):
                message = "Trạng thái hóa đơn gốc không cho phép thay thế, điều chỉnh"
                return invoice_refused(key, message, self.profile)
            target.status = _PENDING_REPLACEMENT if cmd_type == CMD.replace else _PENDING_ADJUSTMENT
            invoice.original = target.key
        self.invoices[key] = invoice
        self.ledger.record(
            "create",
            key,
            guid=invoice.guid,
            cmd_type=cmd_type,
            item_types=[d.get("ItemTypeID", 0) for d in item.get("ListInvoiceDetailsWS") or []],
            pay_method=item["Invoice"].get("PayMethodID"),
        )
        return with_status(self._result(invoice))

    def _by_identity(self, identity: tuple[str, str, int]) -> SimBkavInvoice | None:
        form, serial, number = identity
        for other in self.invoices.values():
            inv = other.obj["Invoice"]
            if (inv.get("InvoiceForm"), inv.get("InvoiceSerial"), other.number) == (
                form,
                serial,
                number,
            ):
                return other
        return None

    def _sign(self, guid: str) -> tuple[int, Any]:
        invoice = next((i for i in self.invoices.values() if i.guid == guid), None)
        if invoice is None:
            return 1, "Hóa đơn không tồn tại"
        if invoice.status != _NEW:
            return 0, [self._result(invoice)]
        number = self._numbers.get(invoice.series, 1)
        invoice.number = number
        try:
            invoice.xml = self.sign(_hdon(invoice, self))
        except ValidationError as exc:
            invoice.number = 0
            return 1, f"Dữ liệu hóa đơn không hợp lệ: {exc.message}"
        self._numbers[invoice.series] = number + 1
        invoice.lookup_code = uuid.uuid4().hex[:10].upper()
        if invoice.cmd_type == CMD.replace:
            invoice.status = _REPLACING
        elif invoice.cmd_type == CMD.adjust:
            invoice.status = _ADJUSTING
        else:
            invoice.status = _SIGNED
        if invoice.original is not None:
            target = self.invoices[invoice.original]
            target.status = _REPLACED if invoice.cmd_type == CMD.replace else _ADJUSTED
        self.ledger.record("sign", invoice.key, number=number, series=invoice.series)
        return 0, [self._result(invoice)]

    def _cancel(self, obj: Any) -> tuple[int, Any]:
        items = obj if isinstance(obj, list) else [obj]
        rows = []
        for item in items:
            key = str((item or {}).get(self.profile.partner_key_field) or "")
            invoice = self.invoices.get(key)
            if invoice is None:
                return 1, "Hóa đơn không tồn tại"
            if invoice.status == _CANCELLED:
                return 1, "Hóa đơn này đã được Hủy."
            reason = ((item or {}).get("Invoice") or {}).get("Reason")
            if not reason:
                return 1, "Thiếu lý do hủy hóa đơn"
            invoice.status = _CANCELLED
            self.ledger.record("cancel", key, reason=reason)
            rows.append(self._result(invoice))
        return 0, rows

    def _result(self, invoice: SimBkavInvoice) -> dict[str, Any]:
        return invoice_result(invoice.key, invoice.obj, **self._given(invoice))

    def _data_ws(self, invoice: SimBkavInvoice) -> dict[str, Any]:
        return invoice_data(
            invoice.key, invoice.obj, status_id=invoice.status, **self._given(invoice)
        )

    def _given(self, invoice: SimBkavInvoice) -> dict[str, Any]:
        """What BKAV gave the invoice (its GUID, number, lookup code), for its answers."""
        return {
            "guid": invoice.guid,
            "number": invoice.number,
            "lookup_code": invoice.lookup_code,
            "profile": self.profile,
        }


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _dec(value: object) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal(0)


def _opt_dec(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _tsuat(item: Mapping[str, Any], profile: WireProfile) -> str | None:
    rate_id = item.get("TaxRateID")
    if rate_id is None:
        return None
    names = {v: k for k, v in profile.tax_rate_ids.items()}
    name = names.get(int(rate_id), "KCT")
    if name == "KHAC":
        return f"KHAC:{Decimal(str(item.get('TaxRate'))):.2f}%"
    return name


def _nature(item: Mapping[str, Any], profile: WireProfile) -> int:
    """TChat of a BKAV line: a discount line is 3, a note 4, anything else 1."""
    if item.get("IsDiscount"):
        return 3
    return 4 if item.get("ItemTypeID") == profile.note_item_type else 1


def _hdon(invoice: SimBkavInvoice, sim: BkavInvoiceSimulator) -> HDonDocument:
    """The tax-authority XML content of an invoice BKAV signs (simulated)."""
    profile = sim.profile
    inv = invoice.obj["Invoice"]
    lines: list[Line] = []
    for number, item in enumerate(invoice.obj.get("ListInvoiceDetailsWS") or [], start=1):
        discount = _dec(item.get("DiscountAmount"))
        lines.append(
            Line(
                number=number,
                name=str(item.get("ItemName", "")),
                nature=_nature(item, profile),
                code=item.get("ItemCode"),
                unit=item.get("UnitName"),
                quantity=_opt_dec(item.get("Qty")),
                unit_price=_opt_dec(item.get("Price")),
                discount_rate=_opt_dec(item.get("DiscountRate")),
                discount_amount=discount if discount else None,
                amount=_opt_dec(item.get("Amount")),
                tax_rate=_tsuat(item, profile),
            )
        )
    rates: dict[str, list[Decimal]] = {}
    for line, item in zip(lines, invoice.obj.get("ListInvoiceDetailsWS") or [], strict=True):
        if line.tax_rate is None or line.nature in (2, 4):
            continue
        sign = -1 if line.nature == 3 else 1
        entry = rates.setdefault(line.tax_rate, [Decimal(0), Decimal(0)])
        entry[0] += sign * (line.amount or 0)
        entry[1] += sign * _dec(item.get("TaxAmount"))
    related = None
    if invoice.original is not None:
        target = sim.invoices[invoice.original]
        target_inv = target.obj["Invoice"]
        related = RelatedInvoice(
            kind=2 if invoice.cmd_type == CMD.adjust else 1,
            template=str(target_inv.get("InvoiceForm")),
            symbol=str(target_inv.get("InvoiceSerial")),
            number=target.number,
            issue_date=date.fromisoformat(str(target_inv.get("InvoiceDate"))[:10]),
            note=inv.get("Reason"),
        )
    discount = _dec(inv.get("TotalDiscount"))
    return HDonDocument(
        template=str(inv.get("InvoiceForm")),
        symbol=str(inv.get("InvoiceSerial")),
        number=invoice.number,
        issue_date=date.fromisoformat(str(inv.get("InvoiceDate"))[:10]),
        currency=str(inv.get("CurrencyID", "VND")),
        payment_method=_PAY_METHOD_TEXT.get(inv.get("PayMethodID", 0)),
        dossier_code=inv.get("DossierCode"),
        seller=Party(
            name=inv.get("SellerName"),
            tax_code=inv.get("SellerTaxCode"),
            address=inv.get("SellerAddress"),
        ),
        buyer=Party(
            name=inv.get("BuyerUnitName"),
            person_name=inv.get("BuyerName"),
            tax_code=inv.get("BuyerTaxCode"),
            address=inv.get("BuyerAddress"),
            email=inv.get("ReceiverEmail"),
            citizen_id=inv.get("BuyerIDNumber"),
            budget_unit_code=inv.get("BuyerBudgetCode"),
        ),
        lines=tuple(lines),
        related=related,
        totals=Totals(
            total_before_tax=_dec(inv.get("TotalAmountWithoutVAT")),
            total_tax=_dec(inv.get("TotalVATAmount")),
            grand_total=_dec(inv.get("TotalAmount")),
            grand_total_words=str(inv.get("AmountInWords", "")),
            rate_totals=tuple(RateTotal(r, a, t) for r, (a, t) in rates.items()),
            trade_discount=discount if discount else None,
        ),
    )
