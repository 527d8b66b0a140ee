"""Hypothesis strategies for e-invoice documents (fake parties, open-ended lines)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from hypothesis import strategies as st

from connectors.einvoice import Buyer, Invoice, Line, LineKind, Receipt, Seller, TaxRate
from connectors.vn import VN_TZ

SELLER = Seller(name="Đơn vị Thử", tax_code="0100109106", address="Số 1 Phố Thử")

names = (
    st.text(alphabet="abcdeghiklmnoprstuvxyĐđâăêôơưàáạảãèéẹẻẽ ", min_size=1, max_size=30)
    .map(str.strip)
    .filter(bool)
)
vat_rates = st.sampled_from(
    [TaxRate.ZERO, TaxRate.FIVE, TaxRate.EIGHT, TaxRate.TEN, TaxRate.KCT, TaxRate.KKKNT]
)
quantities = st.decimals(min_value=Decimal("0.001"), max_value=10_000, places=3)
prices = st.decimals(min_value=0, max_value=10_000_000, places=2)
moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31)).map(
    lambda d: d.replace(microsecond=0, tzinfo=VN_TZ)
)


@st.composite
def buyers(draw: st.DrawFn) -> Buyer | None:
    if draw(st.booleans()):
        return None
    if draw(st.booleans()):
        return Buyer(name=draw(names), citizen_id=draw(st.none() | st.just("001099000001")))
    return Buyer(legal_name=draw(names), tax_code="0100109106", address=draw(names))


@st.composite
def lines(draw: st.DrawFn, rates: st.SearchStrategy[TaxRate] = vat_rates) -> Line:
    kind = draw(st.sampled_from([LineKind.GOODS, LineKind.GOODS, LineKind.SPECIAL, LineKind.NOTE]))
    if kind is LineKind.NOTE:  # a note carries a text only
        return Line(name=draw(names), tax_rate=TaxRate.KCT, kind=kind)
    return Line(
        name=draw(names),
        unit=draw(st.none() | st.just("cái")),
        quantity=draw(quantities),
        unit_price=draw(prices),
        tax_rate=draw(rates),
        kind=kind,
        code=draw(st.none() | st.just("MA-01")),
    )


@st.composite
def invoices(draw: st.DrawFn) -> Invoice:
    return Invoice(
        seller=SELLER,
        buyer=draw(buyers()),
        template="1",
        symbol=draw(st.sampled_from(["C25TAA", "K25TYY"])),
        issued_at=draw(moments),
        lines=draw(st.lists(lines(), min_size=1, max_size=6)),
    )


@st.composite
def receipts(draw: st.DrawFn) -> Receipt:
    return Receipt(
        seller=SELLER,
        buyer=draw(buyers()),
        template=draw(st.sampled_from(["EBL01", "EBL02"])),
        symbol="25T",
        issued_at=draw(moments),
        lines=draw(st.lists(lines(st.just(TaxRate.KCT)), min_size=1, max_size=4)),
    )


documents = invoices() | receipts()
