"""Build the `HDon` XML (PBan 2.1.0, QĐ 1271) from an `HDonDocument`.

    root = build_hdon(document)          # validated against the shipped schema
    data = serialize(root)               # UTF-8 bytes, no whitespace between tags

The tree is written without indentation: QĐ 1271 asks for no whitespace between tags
before the first signature, because re-serialising a pretty-printed signed document breaks
its digest. Bad input raises `ValidationError` naming the element before anything is sent.
"""

from __future__ import annotations

from dataclasses import astuple
from decimal import Decimal

from lxml import etree

from connectors.core import ValidationError
from connectors.einvoice.gdt.document import HDonDocument, Line, Party, RelatedInvoice, Totals
from connectors.einvoice.gdt.encoding import format_date, format_number, normalize_text
from connectors.einvoice.gdt.profile import DEFAULT_PROFILE, GdtProfile
from connectors.einvoice.gdt.xsd import validate_hdon

__all__ = ["build_hdon", "serialize"]

_BUYER_ONLY = ("budget_unit_code", "customer_code", "citizen_id", "person_name")


def _text(parent: etree._Element, tag: str, value: str | None) -> None:
    """Append `<tag>value</tag>` unless the value is empty (no empty tags)."""
    text = normalize_text(value)
    if text is not None:
        etree.SubElement(parent, tag).text = text


def _number(
    parent: etree._Element,
    tag: str,
    value: Decimal | int | None,
    *,
    path: str,
    digits: int = 21,
    places: int = 6,
) -> None:
    if value is not None:
        text = format_number(value, field=f"{path}/{tag}", digits=digits, places=places)
        etree.SubElement(parent, tag).text = text


def _title(document: HDonDocument, profile: GdtProfile) -> str:
    if document.title:
        return document.title
    if document.is_receipt:
        return profile.receipt_title
    if document.template == "2":
        return profile.sales_invoice_title
    return profile.invoice_title


def _general(parent: etree._Element, document: HDonDocument, profile: GdtProfile) -> None:
    path = "HDon/DLHDon/TTChung"
    general = etree.SubElement(parent, "TTChung")
    _text(general, "PBan", document.version or profile.version)
    _text(general, "THDon", _title(document, profile))
    _text(general, "KHMSHDon", document.template)
    _text(general, "KHHDon", document.symbol)
    if document.number is not None:
        _number(general, "SHDon", document.number, path=path, digits=8, places=0)
    _text(general, "MHSo", document.dossier_code)
    _text(general, "NLap", format_date(document.issue_date))
    _text(general, "DVTTe", document.currency)
    if document.currency != "VND" and document.exchange_rate is None:
        raise ValidationError(
            f"{path}/TGia is required when the currency is {document.currency}",
            field=f"{path}/TGia",
        )
    _number(general, "TGia", document.exchange_rate, path=path, digits=7, places=2)
    _text(general, "HTTToan", document.payment_method)
    _text(general, "MSTTCGP", document.provider_tax_code)
    if document.related is not None:
        _related(general, document.related)
    if document.extra:
        _extra(general, document.extra)


def _related(parent: etree._Element, related: RelatedInvoice) -> None:
    path = "HDon/DLHDon/TTChung/TTHDLQuan"
    if related.kind not in (1, 2):
        raise ValidationError(f"{path}/TCHDon must be 1 or 2", field=f"{path}/TCHDon")
    node = etree.SubElement(parent, "TTHDLQuan")
    _text(node, "TCHDon", str(related.kind))
    _text(node, "LHDCLQuan", str(related.related_kind))
    _text(node, "KHMSHDCLQuan", related.template)
    _text(node, "KHHDCLQuan", related.symbol)
    _text(node, "SHDCLQuan", str(related.number))
    _text(node, "NLHDCLQuan", format_date(related.issue_date))
    _text(node, "GChu", related.note)


def _extra(parent: etree._Element, pairs: tuple[tuple[str, str], ...]) -> None:
    node = etree.SubElement(parent, "TTKhac")
    for name, value in pairs:
        info = etree.SubElement(node, "TTin")
        _text(info, "TTruong", name)
        _text(info, "KDLieu", "string")
        _text(info, "DLieu", value)


def _seller(parent: etree._Element, seller: Party) -> None:
    for attr in _BUYER_ONLY:
        if getattr(seller, attr) is not None:
            field = f"seller.{attr}"
            raise ValidationError(f"{field} only exists on the buyer (NMua)", field=field)
    node = etree.SubElement(parent, "NBan")
    _text(node, "Ten", seller.name)
    _text(node, "MST", seller.tax_code)
    _text(node, "DChi", seller.address)
    _text(node, "SDThoai", seller.phone)
    _text(node, "DCTDTu", seller.email)
    _text(node, "STKNHang", seller.bank_account)
    _text(node, "TNHang", seller.bank_name)


def _buyer(parent: etree._Element, buyer: Party) -> None:
    node = etree.SubElement(parent, "NMua")
    _text(node, "Ten", buyer.name)
    _text(node, "MST", buyer.tax_code)
    _text(node, "MDVQHNSach", buyer.budget_unit_code)
    _text(node, "DChi", buyer.address)
    _text(node, "MKHang", buyer.customer_code)
    _text(node, "SDThoai", buyer.phone)
    _text(node, "CCCDan", buyer.citizen_id)
    _text(node, "DCTDTu", buyer.email)
    _text(node, "HVTNMHang", buyer.person_name)
    _text(node, "STKNHang", buyer.bank_account)
    _text(node, "TNHang", buyer.bank_name)


def _line(parent: etree._Element, line: Line, index: int) -> None:
    path = f"HDon/DLHDon/NDHDon/DSHHDVu/HHDVu[{index}]"
    node = etree.SubElement(parent, "HHDVu")
    _text(node, "TChat", str(line.nature))
    _number(node, "STT", line.number, path=path, digits=4, places=0)
    _text(node, "MHHDVu", line.code)
    _text(node, "THHDVu", line.name)
    _text(node, "DVTinh", line.unit)
    _number(node, "SLuong", line.quantity, path=path)
    _number(node, "DGia", line.unit_price, path=path)
    _number(node, "TLCKhau", line.discount_rate, path=path, digits=6, places=4)
    _number(node, "STCKhau", line.discount_amount, path=path)
    if line.amount is None and line.nature != 4:
        raise ValidationError(
            f"{path}/ThTien is required unless the line is a note (TChat 4)",
            field=f"{path}/ThTien",
        )
    _number(node, "ThTien", line.amount, path=path)
    _text(node, "TSuat", line.tax_rate)


def _totals(parent: etree._Element, totals: Totals) -> None:
    path = "HDon/DLHDon/NDHDon/TToan"
    node = etree.SubElement(parent, "TToan")
    if totals.rate_totals:
        breakdown = etree.SubElement(node, "THTTLTSuat")
        for index, rate in enumerate(totals.rate_totals, start=1):
            entry = etree.SubElement(breakdown, "LTSuat")
            sub = f"{path}/THTTLTSuat/LTSuat[{index}]"
            _text(entry, "TSuat", rate.rate)
            _number(entry, "ThTien", rate.taxable, path=sub)
            _number(entry, "TThue", rate.tax, path=sub)
    _number(node, "TgTCThue", totals.total_before_tax, path=path)
    _number(node, "TGTKCThue", totals.total_not_taxed, path=path)
    _number(node, "TgTThue", totals.total_tax, path=path)
    if totals.fees:
        fees = etree.SubElement(node, "DSLPhi")
        for index, fee in enumerate(totals.fees, start=1):
            entry = etree.SubElement(fees, "LPhi")
            _text(entry, "TLPhi", fee.name)
            _number(entry, "TPhi", fee.amount, path=f"{path}/DSLPhi/LPhi[{index}]")
    _number(node, "TTCKTMai", totals.trade_discount, path=path)
    _number(node, "TgTTTBSo", totals.grand_total, path=path)
    _text(node, "TgTTTBChu", totals.grand_total_words)


def build_hdon(
    document: HDonDocument, *, profile: GdtProfile = DEFAULT_PROFILE, validate: bool = True
) -> etree._Element:
    """The unsigned `HDon` tree of `document`, checked against the shipped schema.

    `DLHDon@Id` is `profile.data_id`. Raises `ValidationError` naming the element (its
    path, e.g. "/HDon/DLHDon/TTChung/KHHDon") for anything the schema or the encoding
    rules refuse.
    """
    if not document.lines:
        raise ValidationError("an invoice needs at least one line", field="lines")
    root = etree.Element("HDon")
    data = etree.SubElement(root, "DLHDon", Id=profile.data_id)
    _general(data, document, profile)
    content = etree.SubElement(data, "NDHDon")
    _seller(content, document.seller)
    if document.buyer is not None and any(astuple(document.buyer)):
        _buyer(content, document.buyer)
    items = etree.SubElement(content, "DSHHDVu")
    for index, line in enumerate(document.lines, start=1):
        _line(items, line, index)
    _totals(content, document.totals)
    if validate:
        validate_hdon(root, what="built HDon")
    return root


def serialize(root: etree._Element) -> bytes:
    """UTF-8 bytes with an XML declaration and no added whitespace (safe to sign and send)."""
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
