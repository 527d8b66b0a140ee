"""Read an `HDon` document (ours or a vendor's) back into an `HDonDocument`.

Parsing goes through `connectors.core.parse_xml` (no DTD, no entities, bounded size) and
the shipped schema, so a malformed or out-of-spec document raises `ValidationError` naming
the element. Both PBan 2.0.x (QĐ 1450/1510) and 2.1.x (QĐ 1271) are accepted.

Vendors write optional elements they have no value for as empty tags (``<MHSo />``,
``<SBKe />``, an empty ``<DSLPhi><LPhi><TLPhi /><TPhi /></LPhi></DSLPhi>``, ``<MCCQT />``;
see ``tests/einvoice/samples/gdt/``). QĐ 1271 says such elements should be left out, so
the content is read from a copy without them (an empty element is an absent one); the
document as received stays in `ParsedHDon.root`, untouched, for signature verification.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from connectors.core import ValidationError, parse_xml
from connectors.einvoice.gdt.document import (
    Fee,
    HDonDocument,
    Line,
    Party,
    RateTotal,
    RelatedInvoice,
    Totals,
)
from connectors.einvoice.gdt.encoding import parse_date, parse_number
from connectors.einvoice.gdt.profile import DSIG_NS
from connectors.einvoice.gdt.xsd import validate_hdon

__all__ = ["ParsedHDon", "parse_hdon"]


@dataclass(frozen=True)
class ParsedHDon:
    """A parsed document: its content, the `DLHDon@Id`, the tax-authority code if any,
    whether a seller signature is present, and the tree (for signature verification)."""

    document: HDonDocument
    data_id: str
    tax_authority_code: str | None
    has_seller_signature: bool
    root: etree._Element


def _find(parent: etree._Element, path: str) -> etree._Element:
    node = parent.find(path)
    if node is None:  # pragma: no cover - the schema makes these required
        raise ValidationError(f"{path} is missing", field=path)
    return node


def _opt_text(parent: etree._Element | None, tag: str) -> str | None:
    if parent is None:
        return None
    text = parent.findtext(tag)
    return text if text else None


def _text(parent: etree._Element, tag: str) -> str:
    text = parent.findtext(tag)
    if not text:  # pragma: no cover - the schema makes these required
        raise ValidationError(f"{tag} is missing", field=tag)
    return text


def _opt_number(parent: etree._Element, tag: str, path: str) -> Decimal | None:
    text = parent.findtext(tag)
    return None if text is None else parse_number(text, field=f"{path}/{tag}")


def _number(parent: etree._Element, tag: str, path: str) -> Decimal:
    return parse_number(parent.findtext(tag), field=f"{path}/{tag}")


def _party(node: etree._Element) -> Party:
    return Party(
        name=_opt_text(node, "Ten"),
        tax_code=_opt_text(node, "MST"),
        address=_opt_text(node, "DChi"),
        phone=_opt_text(node, "SDThoai"),
        email=_opt_text(node, "DCTDTu"),
        bank_account=_opt_text(node, "STKNHang"),
        bank_name=_opt_text(node, "TNHang"),
        budget_unit_code=_opt_text(node, "MDVQHNSach"),
        customer_code=_opt_text(node, "MKHang"),
        citizen_id=_opt_text(node, "CCCDan"),
        person_name=_opt_text(node, "HVTNMHang"),
    )


def _line(node: etree._Element, index: int) -> Line:
    path = f"HDon/DLHDon/NDHDon/DSHHDVu/HHDVu[{index}]"
    number = node.findtext("STT")
    return Line(
        number=int(number) if number else index,
        name=_text(node, "THHDVu"),
        nature=int(_text(node, "TChat")),
        code=_opt_text(node, "MHHDVu"),
        unit=_opt_text(node, "DVTinh"),
        quantity=_opt_number(node, "SLuong", path),
        unit_price=_opt_number(node, "DGia", path),
        discount_rate=_opt_number(node, "TLCKhau", path),
        discount_amount=_opt_number(node, "STCKhau", path),
        amount=_opt_number(node, "ThTien", path),
        tax_rate=_opt_text(node, "TSuat"),
    )


def _totals(node: etree._Element) -> Totals:
    path = "HDon/DLHDon/NDHDon/TToan"
    rates = tuple(
        RateTotal(
            rate=_text(entry, "TSuat"),
            taxable=_number(entry, "ThTien", f"{path}/THTTLTSuat/LTSuat"),
            tax=_number(entry, "TThue", f"{path}/THTTLTSuat/LTSuat"),
        )
        for entry in node.iterfind("THTTLTSuat/LTSuat")
    )
    fees = tuple(
        Fee(name=_text(entry, "TLPhi"), amount=_number(entry, "TPhi", f"{path}/DSLPhi/LPhi"))
        for entry in node.iterfind("DSLPhi/LPhi")
    )
    return Totals(
        total_before_tax=_number(node, "TgTCThue", path),
        total_tax=_number(node, "TgTThue", path),
        grand_total=_number(node, "TgTTTBSo", path),
        grand_total_words=_text(node, "TgTTTBChu"),
        rate_totals=rates,
        total_not_taxed=_opt_number(node, "TGTKCThue", path),
        fees=fees,
        trade_discount=_opt_number(node, "TTCKTMai", path),
    )


def _related(node: etree._Element | None) -> RelatedInvoice | None:
    if node is None:
        return None
    return RelatedInvoice(
        kind=int(_text(node, "TCHDon")),
        related_kind=int(_text(node, "LHDCLQuan")),
        template=_text(node, "KHMSHDCLQuan"),
        symbol=_text(node, "KHHDCLQuan"),
        number=int(_text(node, "SHDCLQuan")),
        issue_date=parse_date(node.findtext("NLHDCLQuan"), field="TTHDLQuan/NLHDCLQuan"),
        note=_opt_text(node, "GChu"),
    )


def _extra(node: etree._Element | None) -> tuple[tuple[str, str], ...]:
    if node is None:
        return ()
    return tuple(
        (info.findtext("TTruong") or "", info.findtext("DLieu") or "")
        for info in node.iterfind("TTin")
    )


def _without_empty_elements(root: etree._Element) -> etree._Element:
    """A copy of `root` without its empty elements (no text, no attribute, no child), removed
    bottom-up, so a parent left empty goes too. XML signatures (their own namespace) are
    kept as they are."""
    copy = etree.fromstring(etree.tostring(root))
    for node in reversed(list(copy.iter())):
        if node is copy or not isinstance(node.tag, str) or node.tag.startswith(f"{{{DSIG_NS}}}"):
            continue
        if len(node) == 0 and not node.attrib and not (node.text or "").strip():
            parent = node.getparent()
            if parent is not None and not str(parent.tag).startswith(f"{{{DSIG_NS}}}"):
                parent.remove(node)
    return copy


def parse_hdon(data: bytes | str | etree._Element, *, what: str = "HDon document") -> ParsedHDon:
    """Parse and schema-check `data`; raise `ValidationError` naming the bad element.

    Empty elements count as absent (see the module docstring); `ParsedHDon.root` is the
    document as given.
    """
    original = data if isinstance(data, etree._Element) else parse_xml(data, what=what)
    if original.tag != "HDon":
        raise ValidationError(f"{what}: root element is {original.tag!r}, not 'HDon'", field="HDon")
    root = _without_empty_elements(original)
    validate_hdon(root, what=what)
    data_node = _find(root, "DLHDon")
    general = _find(data_node, "TTChung")
    content = _find(data_node, "NDHDon")
    number = general.findtext("SHDon")
    rate = general.findtext("TGia")
    buyer_node = content.find("NMua")
    document = HDonDocument(
        version=_text(general, "PBan"),
        title=_text(general, "THDon"),
        template=_text(general, "KHMSHDon"),
        symbol=_text(general, "KHHDon"),
        number=int(number) if number else None,
        dossier_code=_opt_text(general, "MHSo"),
        issue_date=parse_date(general.findtext("NLap"), field="HDon/DLHDon/TTChung/NLap"),
        currency=_text(general, "DVTTe"),
        exchange_rate=None if rate is None else parse_number(rate, field="TTChung/TGia"),
        payment_method=_opt_text(general, "HTTToan"),
        provider_tax_code=_opt_text(general, "MSTTCGP"),
        related=_related(general.find("TTHDLQuan")),
        extra=_extra(general.find("TTKhac")),
        seller=_party(_find(content, "NBan")),
        buyer=None if buyer_node is None else _party(buyer_node),
        lines=tuple(
            _line(node, index)
            for index, node in enumerate(content.iterfind("DSHHDVu/HHDVu"), start=1)
        ),
        totals=_totals(_find(content, "TToan")),
    )
    signature = root.find(f"DSCKS/NBan/{{{DSIG_NS}}}Signature")
    return ParsedHDon(
        document=document,
        data_id=str(data_node.get("Id")),
        tax_authority_code=_opt_text(root, "MCCQT"),
        has_seller_signature=signature is not None,
        root=original,
    )
