"""Template numbers and symbols of e-invoices and e-receipts (TT32/2025 Art.5, Phụ lục II).

An invoice carries a *template number* (ký hiệu mẫu số, KHMSHDon: one digit 1-9) and a
*symbol* (ký hiệu hóa đơn, KHHDon: six characters such as ``C25TAA``). Printed together
they read ``1C25TAA``. A fee/charge e-receipt (biên lai điện tử thu phí, lệ phí) has a
template ``EBL01`` (no printed face value) or ``EBL02`` (with face value) and a three-character
symbol ``25T`` (two-digit year + ``T``); receipts still held under the old TT303 regime use
patterns such as ``01BLP0-001`` and serials such as ``AA-22E`` (accepted, TT32 Art.12.6).

KHHDon, character by character:

1. ``C`` coded by the tax authority (có mã) or ``K`` uncoded;
2. 2-3: the last two digits of the year of issue;
3. 4: who issues / how (`SymbolKind`);
4. 5-6: two upper-case letters chosen by the seller (``YY`` when unused). Whether digits are
   allowed here is not settled by the text; letters only is assumed.
"""

from __future__ import annotations

import enum
import re

from connectors.core.errors import ValidationError

__all__ = [
    "INVOICE_TEMPLATES",
    "RECEIPT_TEMPLATES",
    "SymbolKind",
    "check_invoice_template_and_symbol",
    "is_valid_invoice_symbol",
    "is_valid_receipt_symbol",
    "is_valid_receipt_template",
    "is_valid_symbol",
    "is_valid_template",
    "make_receipt_symbol",
    "make_symbol",
    "split_symbol",
]


class SymbolKind(enum.StrEnum):
    """The 4th character of KHHDon: who issues the invoice, or how it was made."""

    ENTERPRISE = "T"
    """Enterprise, organisation or household registered to use e-invoices."""
    PUBLIC_ASSET = "D"
    """Sale of public assets / national reserve, or special invoices not registered."""
    CASE_BY_CASE = "L"
    """Issued case by case by the tax authority."""
    CASH_REGISTER = "M"
    """Generated from a cash register (máy tính tiền)."""
    INTERNAL_TRANSPORT = "N"
    """Warehouse note cum internal transport (PXK kiêm vận chuyển nội bộ)."""
    CONSIGNMENT = "B"
    """Warehouse note for goods consigned to agents."""
    VAT_STAMP = "G"
    """Stamps, tickets, cards that are VAT invoices."""
    SALES_STAMP = "H"
    """Stamps, tickets, cards that are sales invoices."""
    E_COMMERCE = "X"
    """E-commerce (new in TT32; meaning partly verified)."""


INVOICE_TEMPLATES: dict[str, str] = {
    "1": "VAT invoice (hóa đơn GTGT)",
    "2": "sales invoice (hóa đơn bán hàng)",
    "3": "public-asset sales invoice",
    "4": "national-reserve sales invoice",
    "5": "other: e-stamps, tickets, cards, receipts named as invoices",
    "6": "warehouse note cum internal transport / consignment to agents",
    "7": "commercial invoice for e-commerce exports",
    "8": "VAT invoice integrated with a tax/fee/charge receipt",
    "9": "sales invoice integrated with a tax/fee/charge receipt",
}
"""KHMSHDon values under TT32 (TT78 had only 1-6)."""

RECEIPT_TEMPLATES: dict[str, str] = {
    "EBL01": "e-receipt without a printed face value",
    "EBL02": "e-receipt with a printed face value",
}
"""E-receipt template symbols under TT32 Phụ lục II.B."""

_KINDS = "".join(kind.value for kind in SymbolKind)
_KHHDON = re.compile(rf"\A[CK]\d{{2}}[{_KINDS}][A-Z]{{2}}\Z")
_COMBINED = re.compile(rf"\A[1-9][CK]\d{{2}}[{_KINDS}][A-Z]{{2}}\Z")
_RECEIPT_SYMBOL = re.compile(r"\A\d{2}T\Z")
# TT303/2016 receipts still in use (transition): pattern 01BLP0-001, serial AA-22E / 01AA-22P.
_LEGACY_RECEIPT_TEMPLATE = re.compile(r"\A\d{2}BLP\d-\d{3}\Z")
_LEGACY_RECEIPT_SYMBOL = re.compile(r"\A(\d{2})?[A-Z]{2}-\d{2}[EPT]\Z")
_SUFFIX = re.compile(r"\A[A-Z]{2}\Z")

# Kind letters that belong to one template only [G: derived from the meaning of the letters].
_TEMPLATE_OF_KIND = {"N": "6", "B": "6"}


def is_valid_template(template: str) -> bool:
    """True for an invoice template number (KHMSHDon) ``"1"``..``"9"``."""
    return isinstance(template, str) and template in INVOICE_TEMPLATES


def is_valid_invoice_symbol(symbol: str) -> bool:
    """True for a six-character KHHDon such as ``C25TAA`` (no template digit)."""
    return isinstance(symbol, str) and _KHHDON.match(symbol) is not None


def is_valid_symbol(symbol: str) -> bool:
    """True for an invoice symbol, alone (``C25TAA``) or after its template (``1C25TAA``).

    Strict: upper case, no spaces; the template digit is 1-9. Receipt symbols are checked by
    `is_valid_receipt_symbol`.
    """
    if not isinstance(symbol, str):
        return False
    return _KHHDON.match(symbol) is not None or _COMBINED.match(symbol) is not None


def split_symbol(symbol: str) -> tuple[str | None, str]:
    """``"1C25TAA"`` -> ``("1", "C25TAA")``; ``"C25TAA"`` -> ``(None, "C25TAA")``.

    Raises `ValidationError` (field "symbol") for anything `is_valid_symbol` refuses.
    """
    if not is_valid_symbol(symbol):
        raise ValidationError(f"not an invoice symbol: {symbol!r}", field="symbol")
    if len(symbol) == 7:
        return symbol[0], symbol[1:]
    return None, symbol


def make_symbol(
    *,
    coded: bool,
    year: int,
    kind: SymbolKind | str = SymbolKind.ENTERPRISE,
    suffix: str = "YY",
    template: str | None = None,
) -> str:
    """Build a KHHDon (``C25TAA``), prefixed by `template` when given (``1C25TAA``).

    `year` is the calendar year of issue (2025 or 25). Raises `ValidationError` naming the
    bad part.
    """
    if isinstance(year, bool) or not isinstance(year, int) or not 0 <= year % 2000 < 100:
        raise ValidationError(f"bad year {year!r}", field="year")
    if year >= 100 and not 2000 <= year <= 2099:
        raise ValidationError(f"year {year} outside 2000-2099", field="year")
    try:
        letter = SymbolKind(kind).value
    except ValueError:
        raise ValidationError(f"unknown symbol kind {kind!r}", field="kind") from None
    if not isinstance(suffix, str) or _SUFFIX.match(suffix) is None:
        raise ValidationError(
            f"suffix must be two upper-case letters, not {suffix!r}", field="suffix"
        )
    if template is not None and not is_valid_template(template):
        raise ValidationError(f"template must be 1-9, not {template!r}", field="template")
    body = f"{'C' if coded else 'K'}{year % 100:02d}{letter}{suffix}"
    return f"{template}{body}" if template else body


def check_invoice_template_and_symbol(template: str, symbol: str) -> None:
    """Check a KHMSHDon/KHHDon pair; raise `ValidationError` naming "template" or "symbol".

    `symbol` may carry the template digit in front (``1C25TAA``); it must then equal
    `template`. Warehouse notes (kind ``N``/``B``) belong to template 6 only [G].
    """
    if not is_valid_template(template):
        raise ValidationError(
            f"invoice template (KHMSHDon) must be one digit 1-9, not {template!r}",
            field="template",
        )
    if not is_valid_symbol(symbol):
        raise ValidationError(
            f"invoice symbol (KHHDon) must look like C25TAA, not {symbol!r}", field="symbol"
        )
    prefix, body = split_symbol(symbol)
    if prefix is not None and prefix != template:
        raise ValidationError(
            f"symbol {symbol!r} starts with template {prefix}, not {template}", field="symbol"
        )
    needs = _TEMPLATE_OF_KIND.get(body[3])
    if needs is not None and needs != template:
        raise ValidationError(
            f"symbol kind {body[3]!r} is only used with template {needs}", field="symbol"
        )


def is_valid_receipt_template(template: str, *, legacy: bool = True) -> bool:
    """True for ``EBL01``/``EBL02``, and (if `legacy`) a TT303 pattern like ``01BLP0-001``."""
    if not isinstance(template, str):
        return False
    if template in RECEIPT_TEMPLATES:
        return True
    return legacy and _LEGACY_RECEIPT_TEMPLATE.match(template) is not None


def is_valid_receipt_symbol(symbol: str, *, legacy: bool = True) -> bool:
    """True for ``25T``, and (if `legacy`) a TT303 serial like ``AA-22E`` or ``01AA-22P``."""
    if not isinstance(symbol, str):
        return False
    if _RECEIPT_SYMBOL.match(symbol):
        return True
    return legacy and _LEGACY_RECEIPT_SYMBOL.match(symbol) is not None


def make_receipt_symbol(year: int) -> str:
    """The e-receipt symbol for a year: 2025 -> ``"25T"``."""
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2099:
        raise ValidationError(f"year must be 2000-2099, not {year!r}", field="year")
    return f"{year % 100:02d}T"
