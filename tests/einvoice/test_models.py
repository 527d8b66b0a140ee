"""The documents: validation naming the field, computed totals, words, JSON round trips."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from connectors.core import ValidationError
from connectors.einvoice import (
    Buyer,
    Invoice,
    Line,
    LineKind,
    PaymentMethod,
    Receipt,
    Seller,
    TaxKind,
    TaxRate,
    document_from_json,
    tax_on,
)
from connectors.vn import VN_TZ

SELLER = {"name": "UBND Phường Thử", "tax_code": "0100109106", "address": "Số 1 Phố Thử"}


def invoice(**changes: Any) -> Invoice:
    values: dict[str, Any] = {
        "seller": SELLER,
        "template": "1",
        "symbol": "C25TAA",
        "lines": [{"name": "Dịch vụ", "unit_price": 1000, "tax_rate": "10%"}],
        **changes,
    }
    return Invoice(**values)


def receipt(**changes: Any) -> Receipt:
    values: dict[str, Any] = {
        "seller": SELLER,
        "template": "EBL01",
        "symbol": "25T",
        "lines": [Line.fee("Lệ phí chứng thực", 50_000)],
        **changes,
    }
    return Receipt(**values)


# -- totals ------------------------------------------------------------------------------


def test_one_line_at_ten_percent_matches_the_viettel_vector() -> None:
    totals = invoice().totals
    assert (1000, 100, 1100) == (totals.amount, totals.tax, totals.total)
    assert [("10%", 1000, 100)] == [(r.rate.code, r.amount, r.tax) for r in totals.by_rate]
    assert "Một nghìn một trăm đồng" == totals.words


def test_rounding_is_per_line_and_half_up() -> None:
    """Spec 5.5: two lines of 1,006 at 10 % -> 101 + 101 = 202; tax on the total is 201."""
    line = {"name": "X", "unit_price": 1006, "tax_rate": "10%"}
    totals = invoice(lines=[line, line]).totals
    assert [101, 101] == [t.tax for t in totals.lines]
    assert 202 == totals.tax
    assert 202 == sum(r.tax for r in totals.by_rate)
    assert 201 == tax_on(2012, TaxRate.TEN)
    assert 101 == tax_on(Decimal("1005"), TaxRate.TEN)  # 100.5 -> 101, not banker's 100
    assert 100 == round(Decimal("100.5"))  # what Python's round would have said


def test_fractional_quantities_round_each_line_to_whole_dong() -> None:
    doc = invoice(
        lines=[{"name": "Điện", "quantity": "1.5", "unit_price": "3333.333", "tax_rate": "8%"}]
    )
    line = doc.totals.lines[0]
    assert (5000, 400) == (line.amount, line.tax)  # 4999.9995 -> 5000


def test_breakdown_per_rate_in_order_of_first_use() -> None:
    doc = invoice(
        lines=[
            {"name": "A", "quantity": 2, "unit_price": 50_000, "tax_rate": "8%"},
            {"name": "B", "unit_price": 30_000, "tax_rate": "KCT"},
            {"name": "C", "unit_price": 10_000, "tax_rate": "8%"},
            {"name": "D", "unit_price": 7_000, "tax_rate": "KHAC:3.5%"},
        ]
    )
    rows = [(r.rate.code, r.amount, r.tax) for r in doc.totals.by_rate]
    assert [("8%", 110_000, 8_800), ("KCT", 30_000, 0), ("KHAC:3.50%", 7_000, 245)] == rows
    assert (147_000, 9_045, 156_045) == (doc.totals.amount, doc.totals.tax, doc.total)


def test_discounts_notes_and_promotions() -> None:
    doc = invoice(
        lines=[
            {
                "name": "A",
                "quantity": 10,
                "unit_price": 10_000,
                "tax_rate": "10%",
                "discount": 5000,
            },
            {"name": "B", "unit_price": 20_000, "tax_rate": "10%", "discount_rate": "10"},
            {"name": "Tặng kèm", "unit_price": 9_000, "tax_rate": "10%", "kind": 2},
            {"name": "Ghi chú", "tax_rate": "10%", "kind": LineKind.NOTE},
            {"name": "Chiết khấu", "unit_price": 3_000, "tax_rate": "10%", "kind": 3},
        ]
    )
    amounts = [(t.amount, t.tax, t.discount) for t in doc.totals.lines]
    assert [
        (95_000, 9_500, 5000),
        (18_000, 1_800, 2000),
        (0, 0, 0),
        (0, 0, 0),
        (-3000, -300, 0),
    ] == amounts
    assert (110_000, 11_000) == (doc.totals.amount, doc.totals.tax)
    assert 5000 + 2000 + 3000 == doc.totals.discount


def test_adjustment_documents_may_go_negative() -> None:
    doc = invoice(
        is_adjustment=True,
        lines=[{"name": "Giảm", "quantity": -2, "unit_price": 1000, "tax_rate": "10%"}],
    )
    assert (-2000, -200, -2200) == (doc.totals.amount, doc.totals.tax, doc.total)
    assert doc.totals.words.startswith("Âm hai nghìn hai trăm")


def test_receipt_total_and_words() -> None:
    doc = receipt(lines=[Line.fee("Lệ phí", 1_250_000)])
    assert 1_250_000 == doc.total
    assert "Một triệu hai trăm năm mươi nghìn đồng" == doc.totals.words
    assert [("KCT", 1_250_000, 0)] == [(r.rate.code, r.amount, r.tax) for r in doc.totals.by_rate]


# -- validation names the field ----------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"seller": {**SELLER, "tax_code": "0100109107"}}, "seller.tax_code"),
        ({"buyer": {"name": "A", "tax_code": "010010910"}}, "buyer.tax_code"),
        ({"buyer": {"address": "no name"}}, "buyer"),
        ({"buyer": {"name": "A", "citizen_id": "12345"}}, "buyer.citizen_id"),
        ({"buyer": {"name": "A", "email": "not-mail"}}, "buyer.email"),
        ({"symbol": "C25TA1"}, "symbol"),
        ({"symbol": "2C25TAA"}, "symbol"),
        ({"template": "0"}, "template"),
        ({"lines": []}, "lines"),
        (
            {"lines": [{"name": "X", "quantity": -1, "unit_price": 5, "tax_rate": "10%"}]},
            "lines[0].quantity",
        ),
        ({"lines": [{"name": "X", "unit_price": -5, "tax_rate": "10%"}]}, "lines[0].unit_price"),
        ({"lines": [{"name": "X", "unit_price": 5, "tax_rate": "11%"}]}, "lines[0].tax_rate"),
        ({"lines": [{"name": "X", "unit_price": 5.5, "tax_rate": "10%"}]}, "lines[0].unit_price"),
        (
            {"lines": [{"name": "X", "unit_price": "0.0000001", "tax_rate": "10%"}]},
            "lines[0].unit_price",
        ),
        (
            {"lines": [{"name": "X", "unit_price": 5, "tax_rate": "10%", "discount": 6}]},
            "lines[0].discount",
        ),
        ({"lines": [{"name": "", "unit_price": 5, "tax_rate": "10%"}]}, "lines[0].name"),
        (
            {"lines": [{"name": "Ghi chú", "unit_price": 5, "tax_rate": "KCT", "kind": 4}]},
            "lines[0].unit_price",
        ),
        ({"currency": "USD"}, "currency"),
        ({"issued_at": datetime(2025, 6, 1, 9, 30)}, "issued_at"),
    ],
)
def test_bad_invoice_input_names_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        invoice(**changes)
    assert field == raised.value.field
    assert isinstance(raised.value, ValueError)


def test_sales_invoice_template_refuses_vat_rates() -> None:
    with pytest.raises(ValidationError) as raised:
        invoice(template="2", symbol="C25TAA")
    assert "lines[0].tax_rate" == raised.value.field
    assert (
        invoice(template="2", lines=[{"name": "X", "unit_price": 5, "tax_rate": "KCT"}]).total == 5
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"template": "EBL03"}, "template"),
        ({"template": "1"}, "template"),
        ({"symbol": "C25TAA"}, "symbol"),
        ({"symbol": "2025T"}, "symbol"),
        ({"lines": [{"name": "Phí", "unit_price": 5, "tax_rate": "10%"}]}, "lines[0].tax_rate"),
        ({"lines": [{"name": "Phí", "unit_price": 5, "tax_rate": "KKKNT"}]}, "lines[0].tax_rate"),
    ],
)
def test_bad_receipt_input_names_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        receipt(**changes)
    assert field == raised.value.field


def test_legacy_receipt_numbering_is_accepted() -> None:
    assert "AA-22E" == receipt(template="01BLP0-001", symbol="AA-22E").series


def test_models_are_frozen() -> None:
    doc = receipt()
    with pytest.raises(Exception, match="frozen"):
        doc.symbol = "26T"  # type: ignore[misc]


# -- tax rates ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["0%", "5%", "8%", "10%", "KCT", "KKKNT", "KHAC:3.50%"])
def test_tax_rate_codes_round_trip(code: str) -> None:
    assert code == TaxRate.parse(code).code


def test_tax_rate_constants_and_other() -> None:
    assert TaxKind.KCT == TaxRate.KCT.kind
    assert Decimal("0.08") == TaxRate.EIGHT.fraction
    assert "KHAC:5.26%" == TaxRate.other("5.26").code
    assert TaxRate.other("3.5") == TaxRate.parse("KHAC:3.5%")
    assert not TaxRate.KKKNT.is_vat
    assert TaxRate.ZERO.is_vat


@pytest.mark.parametrize("code", ["7%", "10", "kct", "KHAC:3.555%", "KHAC:100%", ""])
def test_bad_tax_rate_codes(code: str) -> None:
    with pytest.raises(ValidationError):
        TaxRate.parse(code)


# -- JSON round trip (what the outbox stores) ---------------------------------------------


def test_documents_round_trip_through_json() -> None:
    doc = receipt(
        buyer=Buyer(name="Nguyễn Văn Thử", phone="0900000000", citizen_id="001099000001"),
        issued_at=datetime(2025, 6, 1, 2, 30, 15, tzinfo=UTC),
        payment_method=PaymentMethod.TRANSFER,
        dossier_code="HS-000123",
    )
    text = doc.model_dump_json()
    assert '"tax_rate":"KCT"' in text
    back = document_from_json(text)
    assert doc == back
    assert isinstance(back, Receipt)
    inv = invoice(lines=[{"name": "A", "unit_price": "1.5", "tax_rate": "KHAC:3.5%"}])
    assert inv == document_from_json(inv.model_dump_json())
    assert datetime(2025, 6, 1, 9, 30, 15, tzinfo=VN_TZ) == back.issued_at


def test_json_errors_are_ours() -> None:
    with pytest.raises(ValidationError) as raised:
        document_from_json('{"kind": "receipt", "seller": {}}')
    assert raised.value.field is not None


def test_line_fee_helper() -> None:
    line = Line.fee("Phí thẩm định", "150000", quantity=2)
    assert (Decimal(2), Decimal(150000), TaxRate.KCT, "lần") == (
        line.quantity,
        line.unit_price,
        line.tax_rate,
        line.unit,
    )


def test_seller_model_validate_raises_ours() -> None:
    with pytest.raises(ValidationError) as raised:
        Seller.model_validate({**SELLER, "tax_code": "123"})
    assert "tax_code" == raised.value.field


def test_totals_follow_a_copy_with_other_lines() -> None:
    doc = receipt()
    copy = doc.model_copy(update={"lines": (Line.fee("Phí khác", 1),)})
    assert (50_000, 1) == (doc.total, copy.total)


@pytest.mark.parametrize(
    ("template", "symbol", "vat_allowed"),
    [("1", "C25TAA", True), ("8", "C25TAA", True), ("9", "C25TAA", False), ("5", "K25GAA", False)],
)
def test_which_templates_show_vat(template: str, symbol: str, vat_allowed: bool) -> None:
    line = {"name": "X", "unit_price": 1000, "tax_rate": "8%"}
    if vat_allowed:
        assert 1080 == invoice(template=template, symbol=symbol, lines=[line]).total
    else:
        with pytest.raises(ValidationError) as raised:
            invoice(template=template, symbol=symbol, lines=[line])
        assert "lines[0].tax_rate" == raised.value.field
