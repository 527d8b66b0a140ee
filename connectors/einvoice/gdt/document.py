"""The content of an `HDon` document, element for element, as plain frozen dataclasses.

These mirror the tax authority's tree (spec einvoice.md 1.3), not the domain model: the
builder writes them, the parser reads them back, and `differences` compares two of them.
`from_model` (in `connectors.einvoice.gdt.convert`) makes one from an `Invoice` or `Receipt`.

Money and quantities are `Decimal` (VND totals are whole đồng); dates are calendar dates in
Vietnam (GMT+7). Optional elements are `None` and are left out of the XML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

__all__ = [
    "Fee",
    "HDonDocument",
    "Line",
    "Party",
    "RateTotal",
    "RelatedInvoice",
    "Totals",
]


@dataclass(frozen=True)
class Party:
    """Seller (`NBan`) or buyer (`NMua`).

    `budget_unit_code` (`MDVQHNSach`), `citizen_id` (`CCCDan`), `customer_code` (`MKHang`)
    and `person_name` (`HVTNMHang`) only exist on the buyer; the builder refuses them on the
    seller.
    """

    name: str | None = None
    tax_code: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    bank_account: str | None = None
    bank_name: str | None = None
    budget_unit_code: str | None = None
    customer_code: str | None = None
    citizen_id: str | None = None
    person_name: str | None = None


@dataclass(frozen=True)
class Line:
    """One `HHDVu`: a good, service, fee, discount or note line.

    `nature` is `TChat` (1 goods/service, 2 promotion, 3 trade discount, 4 note, 5 special
    goods); `tax_rate` is `TSuat` as written ("10%", "KCT", "KHAC:5.26%"), `None` on lines
    outside VAT (fee receipts); `amount` (`ThTien`) is before tax.
    """

    number: int
    name: str
    nature: int = 1
    code: str | None = None
    unit: str | None = None
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    discount_rate: Decimal | None = None
    discount_amount: Decimal | None = None
    amount: Decimal | None = None
    tax_rate: str | None = None


@dataclass(frozen=True)
class RateTotal:
    """One `LTSuat` of `THTTLTSuat`: the taxable amount and the tax at one rate."""

    rate: str
    taxable: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Fee:
    """One `LPhi` of `DSLPhi`: a fee outside the taxable base (`TLPhi`, `TPhi`)."""

    name: str
    amount: Decimal


@dataclass(frozen=True)
class Totals:
    """`TToan`: per-rate breakdown, totals, and the grand total in figures and in words."""

    total_before_tax: Decimal
    total_tax: Decimal
    grand_total: Decimal
    grand_total_words: str
    rate_totals: tuple[RateTotal, ...] = ()
    total_not_taxed: Decimal | None = None
    fees: tuple[Fee, ...] = ()
    trade_discount: Decimal | None = None


@dataclass(frozen=True)
class RelatedInvoice:
    """`TTHDLQuan`: the invoice this one replaces (`kind` 1) or adjusts (`kind` 2)."""

    kind: int
    template: str
    symbol: str
    number: int
    issue_date: date
    related_kind: int = 1
    note: str | None = None


@dataclass(frozen=True)
class HDonDocument:
    """One invoice or fee receipt as the tax-authority XML carries it.

    `template` is `KHMSHDon` ("1".."9", or "EBL01"/"EBL02" for receipts), `symbol`
    `KHHDon` ("C25TAA", or "25T" for receipts), `number` `SHDon` (None until the vendor
    numbers it). `title` None means the profile's default for the template.
    """

    template: str
    symbol: str
    issue_date: date
    seller: Party
    lines: tuple[Line, ...]
    totals: Totals
    number: int | None = None
    title: str | None = None
    buyer: Party | None = None
    currency: str = "VND"
    exchange_rate: Decimal | None = None
    payment_method: str | None = None
    provider_tax_code: str | None = None
    dossier_code: str | None = None
    related: RelatedInvoice | None = None
    version: str | None = None
    extra: tuple[tuple[str, str], ...] = field(default=())
    """`TTChung/TTKhac/TTin` pairs (field name, string value)."""

    @property
    def is_receipt(self) -> bool:
        """True for a fee/charge receipt (template `EBL01`/`EBL02`)."""
        return self.template.startswith("EBL")
