"""From the domain model (`Invoice`, `Receipt`) to the `HDon` content (`HDonDocument`).

The model computes every amount (`doc.totals`); this module only places them:

- `KHHDon` is the six-character series (`1C25TAA` -> `C25TAA`); receipts keep `25T`.
- `NLap` is the issue date in Vietnam: `issued_at` if set, else `issue_date`, else today.
- a buyer's organisation name goes to `Ten`, a person's name to `HVTNMHang`.
- `ThTien` of a line is its amount after its own discount, written positive; the nature
  (`TChat`) says how it counts (3 = trade discount, subtracted). Note lines carry no amount.
- `TSuat` is the rate's code (`10%`, `KCT`, `KHAC:3.50%`); `THTTLTSuat` the model's per-rate
  breakdown, which is the sum of the line taxes.
- legacy TT303 receipts (`01BLP0-001`, `AA-22E`) have no HDon form: the schema refuses them.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal

from connectors.einvoice.gdt.document import HDonDocument, Line, Party, RateTotal, Totals
from connectors.einvoice.models import (
    Buyer,
    Invoice,
    LineKind,
    PaymentMethod,
    Receipt,
    Seller,
    TaxRate,
)
from connectors.einvoice.models import Line as ModelLine
from connectors.vn import VN_TZ, now_vn, vn_date

__all__ = ["document_from_model", "model_from_document"]


_PARTY_FIELDS = tuple(field.name for field in dataclasses.fields(Party))


def _party(source: Seller | Buyer, **renamed: str) -> Party:
    """The `Party` of `source`: each field from its attribute of the same name (None when it
    has none), or from the one `renamed` names."""
    return Party(**{name: getattr(source, renamed.get(name, name), None) for name in _PARTY_FIELDS})


def _lines(doc: Invoice | Receipt) -> tuple[Line, ...]:
    lines = []
    for line, amounts in zip(doc.lines, doc.totals.lines, strict=True):
        if line.kind is LineKind.NOTE:
            lines.append(Line(number=amounts.number, name=line.name, nature=int(line.kind)))
            continue
        lines.append(
            Line(
                number=amounts.number,
                name=line.name,
                nature=int(line.kind),
                code=line.code,
                unit=line.unit,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_rate=line.discount_rate,
                discount_amount=Decimal(amounts.discount) if amounts.discount else None,
                amount=Decimal(abs(amounts.gross - amounts.discount)),
                tax_rate=line.tax_rate.code,
            )
        )
    return tuple(lines)


def document_from_model(
    doc: Invoice | Receipt,
    *,
    number: int | None = None,
    issue_date: date | None = None,
    provider_tax_code: str | None = None,
) -> HDonDocument:
    """The `HDonDocument` of `doc`; `number` is the vendor's SHDon once known.

    `provider_tax_code` is the vendor's MST (`MSTTCGP`).
    """
    totals = doc.totals
    if doc.issued_at is not None:
        when = vn_date(doc.issued_at)
    else:
        when = issue_date if issue_date is not None else now_vn().date()
    buyer = _party(doc.buyer, name="legal_name", person_name="name") if doc.buyer else None
    return HDonDocument(
        template=doc.template,
        symbol=doc.series,
        number=number,
        title=doc.title,
        issue_date=when,
        currency=doc.currency,
        payment_method=doc.payment_method.value,
        provider_tax_code=provider_tax_code,
        dossier_code=doc.dossier_code,
        seller=_party(doc.seller),
        buyer=buyer,
        lines=_lines(doc),
        totals=Totals(
            total_before_tax=Decimal(totals.amount),
            total_tax=Decimal(totals.tax),
            grand_total=Decimal(totals.total),
            grand_total_words=totals.words,
            rate_totals=tuple(
                RateTotal(rate=r.rate.code, taxable=Decimal(r.amount), tax=Decimal(r.tax))
                for r in totals.by_rate
            ),
            trade_discount=Decimal(totals.discount) if totals.discount else None,
        ),
    )


def _model_line(line: Line) -> ModelLine:
    kind = LineKind(line.nature)
    if kind is LineKind.NOTE:
        return ModelLine(name=line.name, kind=kind, tax_rate=TaxRate.parse(line.tax_rate or "KCT"))
    return ModelLine(
        name=line.name,
        unit=line.unit,
        quantity=line.quantity if line.quantity is not None else Decimal(1),
        unit_price=line.unit_price if line.unit_price is not None else line.amount or Decimal(0),
        tax_rate=TaxRate.parse(line.tax_rate or "KCT"),
        discount=Decimal(0) if line.discount_rate is not None else line.discount_amount or 0,
        discount_rate=line.discount_rate,
        kind=kind,
        code=line.code,
    )


def model_from_document(document: HDonDocument) -> Invoice | Receipt:
    """The domain document an `HDon` describes (e.g. one a vendor returned).

    `issued_at` is midnight of `NLap` in Vietnam (the XML carries a date only). Raises the
    model's `ValidationError` when the content breaks a model rule.
    """
    seller = document.seller
    buyer = document.buyer
    has_buyer = buyer is not None and (buyer.name or buyer.person_name)
    day = document.issue_date
    methods = {m.value for m in PaymentMethod}
    common = {
        "seller": Seller(
            name=seller.name or "",
            tax_code=seller.tax_code or "",
            address=seller.address or "",
            phone=seller.phone,
            email=seller.email,
            bank_account=seller.bank_account,
            bank_name=seller.bank_name,
        ),
        "buyer": Buyer(
            name=buyer.person_name,
            legal_name=buyer.name,
            tax_code=buyer.tax_code,
            address=buyer.address,
            phone=buyer.phone,
            email=buyer.email,
            citizen_id=buyer.citizen_id,
            budget_unit_code=buyer.budget_unit_code,
            customer_code=buyer.customer_code,
        )
        if has_buyer and buyer is not None
        else None,
        "lines": tuple(_model_line(line) for line in document.lines),
        "template": document.template,
        "symbol": document.symbol,
        "issued_at": datetime(day.year, day.month, day.day, tzinfo=VN_TZ),
        "payment_method": PaymentMethod(document.payment_method)
        if document.payment_method in methods
        else PaymentMethod.CASH_OR_TRANSFER,
        "dossier_code": document.dossier_code,
        "is_adjustment": document.related is not None and document.related.kind == 2,
    }
    if document.is_receipt:
        return Receipt(**common, **({"title": document.title} if document.title else {}))
    return Invoice(**common, title=document.title)
