"""Property tests: generated documents always add up to the đồng, and their words read back."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from connectors.einvoice import Invoice, Line, LineKind, Receipt, Seller, TaxRate, tax_on
from connectors.vn import round_half_up, words_to_amount

SELLER = Seller(name="Đơn vị Thử", tax_code="0100109106", address="Hà Nội")

rates = st.sampled_from(
    [TaxRate.ZERO, TaxRate.FIVE, TaxRate.EIGHT, TaxRate.TEN, TaxRate.KCT, TaxRate.KKKNT]
) | st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99.99"), places=2).map(TaxRate.other)
quantities = st.decimals(min_value=0, max_value=10_000, places=3)
prices = st.decimals(min_value=0, max_value=10_000_000, places=2)


@st.composite
def goods_lines(draw: st.DrawFn) -> Line:
    return Line(
        name="Hàng thử",
        quantity=draw(quantities),
        unit_price=draw(prices),
        tax_rate=draw(rates),
        kind=draw(st.sampled_from([LineKind.GOODS, LineKind.SPECIAL])),
    )


@given(st.lists(goods_lines(), min_size=1, max_size=12))
def test_totals_are_the_sum_of_the_lines_per_rate(lines: list[Line]) -> None:
    doc = Invoice(seller=SELLER, template="1", symbol="C25TAA", lines=lines)
    totals = doc.totals
    expected: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for line, amounts in zip(lines, totals.lines, strict=True):
        assert int(round_half_up(line.quantity * line.unit_price)) == amounts.amount
        assert tax_on(amounts.amount, line.tax_rate) == amounts.tax
        expected[line.tax_rate.code][0] += amounts.amount
        expected[line.tax_rate.code][1] += amounts.tax
    assert dict(expected) == {r.rate.code: [r.amount, r.tax] for r in totals.by_rate}
    assert sum(r.amount for r in totals.by_rate) == totals.amount
    assert sum(r.tax for r in totals.by_rate) == totals.tax
    assert totals.amount + totals.tax == doc.total
    assert doc.total == words_to_amount(totals.words)


@given(st.lists(st.tuples(st.integers(1, 20), st.integers(0, 5_000_000)), min_size=1, max_size=8))
def test_receipt_totals_and_words(fees: list[tuple[int, int]]) -> None:
    doc = Receipt(
        seller=SELLER,
        template="EBL02",
        symbol="25T",
        lines=[Line.fee(f"Phí {n}", price, quantity=qty) for n, (qty, price) in enumerate(fees)],
    )
    assert sum(q * p for q, p in fees) == doc.total
    assert 0 == doc.totals.tax
    assert doc.total == words_to_amount(doc.totals.words)
