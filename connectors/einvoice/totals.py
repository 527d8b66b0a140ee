"""Totals of an e-invoice or e-receipt: per line, per tax rate and for the document.

Rules (spec 3.4): VND amounts are whole đồng; rounding is half-up (`connectors.vn.money`),
never Python's banker's `round`. Each line is rounded first (amount, then its tax), and the
per-rate breakdown (LTSuat / ``taxBreakdowns``) is the *sum of the line taxes*, so the
breakdown always adds up to the document's tax. Tax computed on a rate's total instead can
differ by a đồng (two lines of 1,006 at 10 %: 101 + 101 = 202 per line, 201 on 2,012);
`tax_on` gives that figure for comparison.

Signs: a trade-discount line (`LineKind.DISCOUNT`) counts negative; promotion and note
lines count zero; an adjustment document may carry negative quantities or prices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from connectors.einvoice.model_lines import Line
from connectors.einvoice.model_tax import LineKind, TaxRate
from connectors.vn.money import round_half_up
from connectors.vn.words import amount_in_words

__all__ = ["LineTotal", "RateTotal", "Totals", "compute_totals", "line_total", "tax_on"]


@dataclass(frozen=True)
class LineTotal:
    """The amounts of one line, in whole đồng.

    `gross` = round(quantity x unit price); `discount` the line's own discount; `amount`
    what the line adds to the total before tax (negative for a trade-discount line, 0 for
    promotion and note lines); `tax` its VAT; `total` = amount + tax.
    """

    number: int
    gross: int
    discount: int
    amount: int
    tax: int

    @property
    def total(self) -> int:
        return self.amount + self.tax


@dataclass(frozen=True)
class RateTotal:
    """One entry of the per-rate breakdown: taxable amount and tax at `rate` (đồng)."""

    rate: TaxRate
    amount: int
    tax: int


@dataclass(frozen=True)
class Totals:
    """Every amount a document shows, in whole đồng, and the total in words."""

    lines: tuple[LineTotal, ...]
    by_rate: tuple[RateTotal, ...]
    amount: int
    """Total before tax (TgTCThue)."""
    tax: int
    """Total VAT (TgTThue)."""
    discount: int
    """Trade discounts: discount lines plus the lines' own discounts (TTCKTMai)."""
    words: str
    """The total in words (TgTTTBChu)."""

    @property
    def total(self) -> int:
        """Total to pay (TgTTTBSo)."""
        return self.amount + self.tax


def tax_on(amount: int | Decimal, rate: TaxRate) -> int:
    """VAT on `amount` at `rate`, rounded half-up to whole đồng (0 for KCT and KKKNT)."""
    return int(round_half_up(Decimal(amount) * rate.fraction))


def line_total(line: Line, number: int) -> LineTotal:
    """The amounts of `line`, which is the `number`-th (1-based) of its document."""
    if line.kind is LineKind.NOTE:
        return LineTotal(number, 0, 0, 0, 0)
    gross = int(round_half_up(line.quantity * line.unit_price))
    if line.discount_rate is not None:
        discount = int(round_half_up(Decimal(gross) * line.discount_rate / 100))
    else:
        discount = int(round_half_up(line.discount))
    net = gross - discount
    if line.kind is LineKind.PROMOTION:
        return LineTotal(number, gross, discount, 0, 0)
    sign = -1 if line.kind is LineKind.DISCOUNT else 1
    tax = tax_on(abs(net), line.tax_rate) * (1 if net >= 0 else -1)
    return LineTotal(number, gross, discount, sign * net, sign * tax)


def compute_totals(
    lines: Sequence[Line], *, words: bool = True, even_suffix: bool = False
) -> Totals:
    """Totals of `lines`: per line, per rate (in order of first use) and overall."""
    per_line = tuple(line_total(line, n) for n, line in enumerate(lines, start=1))
    by_rate: dict[str, list[int]] = {}
    rates: dict[str, TaxRate] = {}
    for line, amounts in zip(lines, per_line, strict=True):
        if line.kind in (LineKind.NOTE, LineKind.PROMOTION):
            continue
        code = line.tax_rate.code
        rates.setdefault(code, line.tax_rate)
        entry = by_rate.setdefault(code, [0, 0])
        entry[0] += amounts.amount
        entry[1] += amounts.tax
    amount = sum(t.amount for t in per_line)
    tax = sum(t.tax for t in per_line)
    discount = sum(t.discount for t in per_line) + sum(
        -t.amount for line, t in zip(lines, per_line, strict=True) if line.kind is LineKind.DISCOUNT
    )
    return Totals(
        lines=per_line,
        by_rate=tuple(RateTotal(rates[c], a, t) for c, (a, t) in by_rate.items()),
        amount=amount,
        tax=tax,
        discount=discount,
        words=amount_in_words(amount + tax, even_suffix=even_suffix) if words else "",
    )
