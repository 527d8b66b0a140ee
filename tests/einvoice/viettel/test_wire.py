"""Viettel wire format: spec vector 5.4, rates, the createInvoice body, the nested ZIP."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest

from connectors.core import ValidationError
from connectors.einvoice import Buyer, Invoice, Line, Receipt, Seller, TaxRate
from connectors.einvoice.viettel.wire import (
    DEFAULT_PROFILE,
    error_code_of,
    invoice_payload,
    issued_date_ms,
    make_nested_zip,
    nested_zip_xml,
    rate_from_percentage,
    tax_percentage,
)
from connectors.vn import VN_TZ

SELLER = Seller(name="Đơn vị Thử", tax_code="0100109106", address="Hà Nội")


@pytest.mark.parametrize(
    ("moment", "ms"),
    [
        (datetime(2024, 1, 1, tzinfo=UTC), 1704067200000),
        (datetime(2025, 6, 1, tzinfo=VN_TZ), 1748710800000),
        (datetime(2025, 6, 1, 9, 30, 15, tzinfo=VN_TZ), 1748745015000),
        (datetime(2025, 6, 1, 9, 30, 15, 999_999, tzinfo=VN_TZ), 1748745015000),
    ],
)
def test_issued_date_vector(moment: datetime, ms: int) -> None:
    assert ms == issued_date_ms(moment)


@pytest.mark.parametrize(
    ("rate", "number"),
    [
        (TaxRate.KCT, -2),
        (TaxRate.KKKNT, -1),
        (TaxRate.ZERO, 0),
        (TaxRate.FIVE, 5),
        (TaxRate.EIGHT, 8),
        (TaxRate.TEN, 10),
        (TaxRate.other("3.5"), 3.5),
    ],
)
def test_tax_percentages_both_ways(rate: TaxRate, number: float) -> None:
    assert number == tax_percentage(rate)
    assert rate == rate_from_percentage(number)


def test_one_line_1000_at_ten_percent() -> None:
    """Spec 5.4 (Odoo's test): taxAmount 100, total 1100, one breakdown {10, 1000, 100}."""
    doc = Invoice(
        seller=SELLER,
        buyer=Buyer(legal_name="Công ty Mua Thử", tax_code="0100109106", phone="+84 900 000 000"),
        template="1",
        symbol="K24TUT",
        lines=[Line(name="Dịch vụ", unit="lần", unit_price=1000, tax_rate="10%")],
    )
    body = invoice_payload(
        doc,
        transaction_uuid="uuid-000000000001",
        issued_at=datetime(2024, 1, 1, tzinfo=UTC),
    )
    general = body["generalInvoiceInfo"]
    assert {
        "invoiceType": "1",
        "templateCode": "1/001",
        "invoiceSeries": "K24TUT",
        "invoiceIssuedDate": 1704067200000,
        "currencyCode": "VND",
        "adjustmentType": "1",
        "transactionUuid": "uuid-000000000001",
    }.items() <= general.items()
    assert [
        {
            "lineNumber": 1,
            "selection": 1,
            "itemName": "Dịch vụ",
            "unitName": "lần",
            "quantity": 1,
            "unitPrice": 1000,
            "itemTotalAmountWithoutTax": 1000,
            "discount": 0,
            "itemTotalAmountAfterDiscount": 1000,
            "taxPercentage": 10,
            "taxAmount": 100,
            "itemTotalAmountWithTax": 1100,
            "isIncreaseItem": True,
        }
    ] == body["itemInfo"]  # the fields and values Odoo's test_edi.py expects for this line
    assert 100 == body["summarizeInfo"]["totalTaxAmount"]
    assert 1100 == body["summarizeInfo"]["totalAmountWithTax"]
    assert "Một nghìn một trăm đồng" == body["summarizeInfo"]["totalAmountWithTaxInWords"]
    assert [
        {
            "taxPercentage": 10,
            "taxableAmount": 1000,
            "taxAmount": 100,
            "taxableAmountPos": True,
            "taxAmountPos": True,
        }
    ] == body["taxBreakdowns"]
    assert "0084900000000" == body["buyerInfo"]["buyerPhoneNumber"]
    assert [{"paymentMethodName": "TM/CK"}] == body["payments"]


def test_receipt_without_buyer_uses_the_receipt_template() -> None:
    doc = Receipt(seller=SELLER, template="EBL01", symbol="25T", lines=[Line.fee("Phí", 20_000)])
    body = invoice_payload(
        doc, transaction_uuid="x" * 10, issued_at=datetime(2025, 6, 1, tzinfo=VN_TZ)
    )
    assert ("BL", "EBL01", "25T") == (
        body["generalInvoiceInfo"]["invoiceType"],
        body["generalInvoiceInfo"]["templateCode"],
        body["generalInvoiceInfo"]["invoiceSeries"],
    )
    assert {"buyerNotGetInvoice": 1} == body["buyerInfo"]
    assert -2 == body["itemInfo"][0]["taxPercentage"]


def test_replacement_carries_the_original() -> None:
    doc = Receipt(seller=SELLER, template="EBL01", symbol="25T", lines=[Line.fee("Phí", 20_000)])
    body = invoice_payload(
        doc,
        transaction_uuid="x" * 10,
        issued_at=datetime(2025, 6, 1, tzinfo=VN_TZ),
        adjustment_type="3",
        original={"invoiceNo": "25T7", "issueDate": 1, "templateCode": "EBL01", "reason": "Sai"},
    )
    general = body["generalInvoiceInfo"]
    assert ("3", "25T7", 1, "EBL01", "Sai") == (
        general["adjustmentType"],
        general["originalInvoiceId"],
        general["originalInvoiceIssueDate"],
        general["originalTemplateCode"],
        general["additionalReferenceDesc"],
    )


def test_nested_zip_is_opened() -> None:
    data = make_nested_zip("K24TUT1.xml", b"<HDon/>")
    assert b"<HDon/>" == nested_zip_xml(data)
    flat = io.BytesIO()
    with zipfile.ZipFile(flat, "w") as archive:
        archive.writestr("a.xml", b"<flat/>")
    assert b"<flat/>" == nested_zip_xml(flat.getvalue())


def test_zip_without_xml_or_not_a_zip() -> None:
    empty = io.BytesIO()
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("a.txt", b"x")
    with pytest.raises(ValidationError):
        nested_zip_xml(empty.getvalue())
    with pytest.raises(ValidationError):
        nested_zip_xml(b"not a zip")


def test_error_envelopes() -> None:
    assert ("VAT_AMOUNT_INVALID", "x") == error_code_of(
        {"code": 400, "message": "VAT_AMOUNT_INVALID", "data": "x"}
    )
    assert ("NOT_FOUND_DATA", "No data") == error_code_of(
        {"errorCode": "NOT_FOUND_DATA", "description": "No data"}
    )
    assert error_code_of({"errorCode": None, "result": {}}) is None
    assert error_code_of(None) is None
    assert (
        DEFAULT_PROFILE.template_code(
            Receipt(seller=SELLER, template="EBL02", symbol="25T", lines=[Line.fee("Phí", 1)])
        )
        == "EBL02"
    )
