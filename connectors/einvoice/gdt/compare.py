"""Check what a vendor returned against what we sent.

    found = differences(sent, returned)          # [] when they agree
    checked = check_returned(invoice, xml_bytes) # raises DocumentMismatch / SignatureError

A vendor legitimately fills in what we did not know: the number (`SHDon`), its own tax code
(`MSTTCGP`), the title, the tax authority's code and signature. Everything else — the
numbering series, the date, the parties' identities, every line and every total — must be
what we sent. Amounts are compared as numbers (`1000` == `1000.00`); the amount in words is
compared by reading it back to a number, so a vendor's style ("ngàn", "lẻ", "chẵn") is not a
difference.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from cryptography import x509
from lxml import etree

from connectors.core import ProviderError, ValidationError
from connectors.einvoice.gdt.convert import document_from_model
from connectors.einvoice.gdt.document import HDonDocument, Party
from connectors.einvoice.gdt.parse import ParsedHDon, parse_hdon
from connectors.einvoice.gdt.profile import DEFAULT_PROFILE, GdtProfile
from connectors.einvoice.gdt.signature import VerifiedSignature, verify_hdon
from connectors.einvoice.models import Invoice, Receipt
from connectors.vn import words_to_amount

__all__ = ["CheckedDocument", "Difference", "DocumentMismatch", "check_returned", "differences"]

_PARTY_FIELDS = ("name", "tax_code", "address", "person_name", "citizen_id", "budget_unit_code")
_LINE_FIELDS = (
    "nature",
    "name",
    "code",
    "unit",
    "quantity",
    "unit_price",
    "discount_rate",
    "discount_amount",
    "amount",
    "tax_rate",
)


@dataclass(frozen=True)
class Difference:
    """One disagreement: where (a path like "lines[2].amount"), what we sent, what came back."""

    path: str
    sent: str | None
    returned: str | None

    def __str__(self) -> str:
        return f"{self.path}: sent {self.sent!r}, returned {self.returned!r}"


class DocumentMismatch(ProviderError):
    """The vendor's document differs from what we sent; `differences` lists how."""

    default_code: ClassVar[str] = "content_mismatch"

    def __init__(self, message: str, *, differences: list[Difference], **kw: Any) -> None:
        super().__init__(message, **kw)
        self.differences = differences


@dataclass(frozen=True)
class CheckedDocument:
    """A returned document that matched: its parsed form and its verified signature."""

    parsed: ParsedHDon
    signature: VerifiedSignature | None


def _show(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


def _same(a: object, b: object) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b
    if isinstance(a, str) and isinstance(b, str):
        return " ".join(a.split()) == " ".join(b.split())
    return a == b


def _compare(path: str, sent: object, returned: object) -> Iterator[Difference]:
    if not _same(sent, returned):
        yield Difference(path, _show(sent), _show(returned))


def _parties(path: str, sent: Party | None, returned: Party | None) -> Iterator[Difference]:
    empty = Party()
    for name in _PARTY_FIELDS:
        yield from _compare(
            f"{path}.{name}", getattr(sent or empty, name), getattr(returned or empty, name)
        )


def _words(sent: HDonDocument, returned: HDonDocument) -> Iterator[Difference]:
    text = returned.totals.grand_total_words
    try:
        value = words_to_amount(text, currency="" if sent.currency != "VND" else "đồng")
    except ValidationError:
        yield Difference("totals.grand_total_words", sent.totals.grand_total_words, text)
        return
    if Decimal(value) != returned.totals.grand_total:
        yield Difference("totals.grand_total_words", sent.totals.grand_total_words, text)


def differences(sent: HDonDocument, returned: HDonDocument) -> list[Difference]:
    """Every way `returned` departs from `sent` (empty when they agree).

    A number the vendor assigned (`sent.number` None) and the vendor's fill-ins (title,
    version, provider tax code) are not differences.
    """
    found: list[Difference] = []
    for name in ("template", "symbol", "issue_date", "currency", "exchange_rate"):
        found += _compare(name, getattr(sent, name), getattr(returned, name))
    if sent.number is not None:
        found += _compare("number", sent.number, returned.number)
    found += _parties("seller", sent.seller, returned.seller)
    found += _parties("buyer", sent.buyer, returned.buyer)
    found += _compare("lines.count", len(sent.lines), len(returned.lines))
    for index, (ours, theirs) in enumerate(zip(sent.lines, returned.lines, strict=False)):
        for name in _LINE_FIELDS:
            found += _compare(f"lines[{index}].{name}", getattr(ours, name), getattr(theirs, name))
    totals, back = sent.totals, returned.totals
    for name in ("total_before_tax", "total_tax", "grand_total", "trade_discount"):
        found += _compare(f"totals.{name}", getattr(totals, name), getattr(back, name))
    ours_rates = {r.rate: r for r in totals.rate_totals}
    their_rates = {r.rate: r for r in back.rate_totals}
    for rate in sorted(set(ours_rates) | set(their_rates)):
        mine, theirs_rate = ours_rates.get(rate), their_rates.get(rate)
        for name in ("taxable", "tax"):
            found += _compare(
                f"totals.rate_totals[{rate}].{name}",
                getattr(mine, name) if mine else None,
                getattr(theirs_rate, name) if theirs_rate else None,
            )
    found += _words(sent, returned)
    return found


def check_returned(
    sent: Invoice | Receipt | HDonDocument,
    data: bytes | str | etree._Element,
    *,
    require_signature: bool = True,
    trusted_certificate: x509.Certificate | None = None,
    ca_file: str | Path | None = None,
    profile: GdtProfile = DEFAULT_PROFILE,
) -> CheckedDocument:
    """Parse the vendor's XML, verify its seller signature and compare it with `sent`.

    Raises `ValidationError` (malformed or out of schema), `SignatureError` (missing when
    required, or invalid) or `DocumentMismatch` carrying the list of `Difference`s.
    """
    parsed = parse_hdon(data, what="returned HDon")
    expected = (
        sent
        if isinstance(sent, HDonDocument)
        else document_from_model(sent, issue_date=parsed.document.issue_date)
    )
    signature = None
    if parsed.has_seller_signature or require_signature:
        signature = verify_hdon(
            parsed.root,
            trusted_certificate=trusted_certificate,
            ca_file=ca_file,
            profile=profile,
        )
    found = differences(expected, parsed.document)
    if found:
        shown = "; ".join(str(d) for d in found[:5])
        raise DocumentMismatch(
            f"returned document differs from what was sent in {len(found)} place(s): {shown}",
            differences=found,
            operation="check_returned",
        )
    return CheckedDocument(parsed=parsed, signature=signature)
