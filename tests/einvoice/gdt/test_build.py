"""Building HDon: exact bytes, the schema, and errors that name the element."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from connectors.core import ValidationError
from connectors.einvoice.gdt import (
    GdtProfile,
    HDonDocument,
    Party,
    build_hdon,
    document_from_model,
    serialize,
)
from connectors.einvoice.gdt import Line as XmlLine

from .samples import sample_invoice, sample_receipt

RECEIPT_XML = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<HDon><DLHDon Id="SigningData"><TTChung><PBan>2.1.0</PBan>'
    "<THDon>BIÊN LAI THU PHÍ, LỆ PHÍ</THDon><KHMSHDon>EBL01</KHMSHDon><KHHDon>25T</KHHDon>"
    "<SHDon>42</SHDon><MHSo>HS-TEST-0001</MHSo><NLap>2025-06-01</NLap><DVTTe>VND</DVTTe>"
    "<HTTToan>TM/CK</HTTToan></TTChung><NDHDon>"
    "<NBan><Ten>UBND Phường Thử Nghiệm</Ten><MST>0100109106</MST>"
    "<DChi>Số 1 Phố Mẫu, Hà Nội</DChi></NBan>"
    "<NMua><CCCDan>001099000001</CCCDan><HVTNMHang>Nguyễn Văn Thử</HVTNMHang></NMua>"
    "<DSHHDVu><HHDVu><TChat>1</TChat><STT>1</STT><THHDVu>Lệ phí chứng thực bản sao</THHDVu>"
    "<DVTinh>lần</DVTinh><SLuong>3</SLuong><DGia>2000</DGia><ThTien>6000</ThTien>"
    "<TSuat>KCT</TSuat></HHDVu></DSHHDVu>"
    "<TToan><THTTLTSuat><LTSuat><TSuat>KCT</TSuat><ThTien>6000</ThTien><TThue>0</TThue>"
    "</LTSuat></THTTLTSuat><TgTCThue>6000</TgTCThue><TgTThue>0</TgTThue>"
    "<TgTTTBSo>6000</TgTTTBSo><TgTTTBChu>Sáu nghìn đồng</TgTTTBChu></TToan>"
    "</NDHDon></DLHDon></HDon>"
)


def test_receipt_bytes_on_the_wire() -> None:
    document = document_from_model(sample_receipt(), number=42)
    assert RECEIPT_XML.encode("utf-8") == serialize(build_hdon(document))


def test_invoice_has_one_breakdown_entry_per_rate_summing_the_line_taxes() -> None:
    root = build_hdon(document_from_model(sample_invoice(), number=7))
    rates = [
        (e.findtext("TSuat"), e.findtext("ThTien"), e.findtext("TThue"))
        for e in root.iterfind("DLHDon/NDHDon/TToan/THTTLTSuat/LTSuat")
    ]
    # 2 x 1,006 at 10 % -> 201 (half-up of 201.2); 1.5 x 1,000 at 8 % -> 120; KCT -> 0.
    assert [("10%", "2012", "201"), ("8%", "1500", "120"), ("KCT", "50000", "0")] == rates
    totals = root.find("DLHDon/NDHDon/TToan")
    assert totals is not None
    assert "53512" == totals.findtext("TgTCThue")
    assert "321" == totals.findtext("TgTThue")
    assert "53833" == totals.findtext("TgTTTBSo")
    assert "Năm mươi ba nghìn tám trăm ba mươi ba đồng" == totals.findtext("TgTTTBChu")
    assert "HÓA ĐƠN GIÁ TRỊ GIA TĂNG" == root.findtext("DLHDon/TTChung/THDon")


def test_no_whitespace_between_tags_and_no_empty_elements() -> None:
    data = serialize(build_hdon(document_from_model(sample_invoice())))
    body = data.split(b"\n", 1)[1]
    assert b"> <" not in body
    assert b">\n" not in body
    assert b"/>" not in body  # optional elements with no value are left out
    assert b"<SHDon>" not in body  # no number yet: left out, not empty


def test_data_id_comes_from_the_profile() -> None:
    root = build_hdon(
        document_from_model(sample_receipt()), profile=GdtProfile(data_id="data-0001")
    )
    node = root.find("DLHDon")
    assert node is not None
    assert "data-0001" == node.get("Id")


def _doc() -> HDonDocument:
    return document_from_model(sample_receipt(), number=1)


def test_symbol_outside_the_schema_names_the_element() -> None:
    with pytest.raises(ValidationError) as raised:
        build_hdon(replace(_doc(), symbol="C25TA1"))
    assert "/HDon/DLHDon/TTChung/KHHDon" == raised.value.field


def test_too_many_decimals_names_the_line_element() -> None:
    line = replace(_doc().lines[0], unit_price=Decimal("2000.1234567"))
    with pytest.raises(ValidationError) as raised:
        build_hdon(replace(_doc(), lines=(line,)))
    assert "HDon/DLHDon/NDHDon/DSHHDVu/HHDVu[1]/DGia" == raised.value.field


def test_overlong_seller_name_names_the_element() -> None:
    seller = replace(_doc().seller, name="X" * 401)
    with pytest.raises(ValidationError) as raised:
        build_hdon(replace(_doc(), seller=seller))
    assert "/HDon/DLHDon/NDHDon/NBan/Ten" == raised.value.field


def test_buyer_only_fields_are_refused_on_the_seller() -> None:
    seller = replace(_doc().seller, citizen_id="001099000001")
    with pytest.raises(ValidationError) as raised:
        build_hdon(replace(_doc(), seller=seller))
    assert "seller.citizen_id" == raised.value.field


def test_foreign_currency_needs_an_exchange_rate() -> None:
    with pytest.raises(ValidationError) as raised:
        build_hdon(replace(_doc(), currency="USD"))
    assert "HDon/DLHDon/TTChung/TGia" == raised.value.field
    root = build_hdon(replace(_doc(), currency="USD", exchange_rate=Decimal("25400.50")))
    assert "25400.5" == root.findtext("DLHDon/TTChung/TGia")


def test_a_document_needs_lines_and_amounts_on_non_note_lines() -> None:
    with pytest.raises(ValidationError) as raised:
        build_hdon(replace(_doc(), lines=()))
    assert "lines" == raised.value.field
    no_amount = XmlLine(number=1, name="Phí", nature=1)
    with pytest.raises(ValidationError) as raised:
        build_hdon(replace(_doc(), lines=(no_amount,)))
    assert "HDon/DLHDon/NDHDon/DSHHDVu/HHDVu[1]/ThTien" == raised.value.field


def test_an_empty_buyer_is_left_out() -> None:
    root = build_hdon(replace(_doc(), buyer=Party()))
    assert root.find("DLHDon/NDHDon/NMua") is None


def test_validation_can_be_skipped_for_drafts() -> None:
    root = build_hdon(replace(_doc(), symbol="C25TA1"), validate=False)
    assert "C25TA1" == root.findtext("DLHDon/TTChung/KHHDon")
