"""The e-invoice domain's documents: `Invoice` (hóa đơn điện tử) and `Receipt` (biên lai
điện tử thu phí, lệ phí), with their parties, lines, rates and computed totals.

Every model is a frozen pydantic model. Building one checks everything that can be checked
before a vendor sees it: tax codes, template and symbol (TT32 Art.5), which tax rates the
template allows, signs of quantities, lengths. A problem raises
`connectors.core.errors.ValidationError` (also a `ValueError`) whose `field` names the input,
e.g. ``"seller.tax_code"``, ``"lines[0].quantity"``, ``"symbol"``.

Money is VND only, in whole đồng; totals are computed by the model (`Invoice.totals`), never
given. Datetimes are aware; `issued_at` left as None means "when the vendor issues it".
Documents round-trip through JSON (`model_dump_json` / `document_from_json`), which is how
the delivery outbox stores them.

    receipt = Receipt(
        seller=Seller(name="UBND phường Mẫu", tax_code="0100109106", address="Hà Nội"),
        buyer=Buyer(name="Nguyễn Văn A"),
        template="EBL01", symbol="25T",
        lines=[Line.fee("Lệ phí chứng thực", 50_000)],
    )
    receipt.totals.total == 50_000
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import pydantic
from pydantic import Field, field_validator, model_validator

from connectors.core.errors import ValidationError
from connectors.einvoice.model_base import ModelBase, Money, Quantity, field_path, translate_error
from connectors.einvoice.model_lines import Line
from connectors.einvoice.model_parties import Buyer, Seller
from connectors.einvoice.model_tax import LineKind, PaymentMethod, TaxKind, TaxRate
from connectors.einvoice.symbols import (
    check_invoice_template_and_symbol,
    is_valid_receipt_symbol,
    is_valid_receipt_template,
)
from connectors.einvoice.totals import LineTotal, RateTotal, Totals, compute_totals

__all__ = [
    "VAT_TEMPLATES",
    "Buyer",
    "Document",
    "DocumentBase",
    "Invoice",
    "Line",
    "LineKind",
    "LineTotal",
    "Money",
    "PaymentMethod",
    "Quantity",
    "RateTotal",
    "Receipt",
    "Seller",
    "TaxKind",
    "TaxRate",
    "Totals",
    "document_from_json",
    "field_path",
]

VAT_TEMPLATES = frozenset({"1", "8"})
"""Templates that show VAT (hóa đơn GTGT): every rate is allowed on their lines. Every other
invoice template, and every receipt, only allows `KCT` (no VAT shown) [G: inferred from the
kinds of TT32 Art.5; override with `Invoice.allowed_rates`]."""

_MAX_LINES = 9999  # STT is 4 digits


class DocumentBase(ModelBase):
    """What invoices and receipts share: parties, lines, numbering, payment, totals."""

    seller: Seller
    buyer: Buyer | None = None
    lines: tuple[Line, ...] = Field(min_length=1, max_length=_MAX_LINES)
    template: str
    symbol: str
    issued_at: datetime | None = None
    currency: Literal["VND"] = "VND"
    payment_method: PaymentMethod = PaymentMethod.CASH_OR_TRANSFER
    dossier_code: str | None = Field(default=None, min_length=1, max_length=20)
    """The portal's dossier (hồ sơ) code this document is for (MHSo)."""
    note: str | None = Field(default=None, max_length=255)
    is_adjustment: bool = False
    """True for an adjusting document (điều chỉnh): negative quantities and totals allowed."""

    @field_validator("issued_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            raise ValueError("naive datetime: attach a time zone (e.g. VN_TZ)")
        return value

    def allowed_rates(self) -> frozenset[TaxKind] | None:
        """The rate kinds this document's template allows; None means every kind."""
        return frozenset({TaxKind.KCT})

    def check_numbering(self) -> None:
        """Check template and symbol; `ValidationError` naming "template" or "symbol"."""

    @model_validator(mode="after")
    def _consistent(self) -> DocumentBase:
        self.check_numbering()
        allowed = self.allowed_rates()
        for index, line in enumerate(self.lines):
            where = f"lines[{index}]"
            if allowed is not None and line.tax_rate.kind not in allowed:
                raise ValidationError(
                    f"tax rate {line.tax_rate.code} is not allowed on template {self.template}",
                    field=f"{where}.tax_rate",
                )
            if not self.is_adjustment:
                if line.quantity < 0:
                    raise ValidationError(
                        "negative quantity on an ordinary document (use an adjustment)",
                        field=f"{where}.quantity",
                    )
                if line.unit_price < 0:
                    raise ValidationError(
                        "negative unit price on an ordinary document (use an adjustment)",
                        field=f"{where}.unit_price",
                    )
            if line.kind is LineKind.NOTE and (line.unit_price or line.discount):
                raise ValidationError(
                    "a note line carries no price or discount", field=f"{where}.unit_price"
                )
            if line.discount and line.discount_rate is not None:
                raise ValidationError(
                    "give a discount amount or a discount rate, not both",
                    field=f"{where}.discount",
                )
            if line.kind is not LineKind.NOTE:
                amounts = compute_totals([line], words=False).lines[0]
                if amounts.discount > abs(amounts.gross):
                    raise ValidationError(
                        "the discount is larger than the line", field=f"{where}.discount"
                    )
        totals = compute_totals(self.lines, words=False)
        if not self.is_adjustment and totals.total < 0:
            raise ValidationError("the total is negative on an ordinary document", field="lines")
        return self

    @property
    def totals(self) -> Totals:
        """Per-line, per-rate and document totals in whole đồng, and the total in words.

        Computed on each access (never cached: `model_copy(update=...)` must not carry stale
        totals).
        """
        return compute_totals(self.lines)

    @property
    def total(self) -> int:
        """The amount to pay, in whole đồng."""
        return self.totals.total


class Invoice(DocumentBase):
    """An e-invoice (hóa đơn điện tử): template KHMSHDon ``"1"``..``"9"``, symbol KHHDon.

    `symbol` is the six-character KHHDon (``C25TAA``); the template digit in front
    (``1C25TAA``) is accepted and must match `template`. `title` is THDon.
    """

    kind: Literal["invoice"] = "invoice"
    title: str | None = Field(default=None, max_length=100)

    def check_numbering(self) -> None:
        check_invoice_template_and_symbol(self.template, self.symbol)

    @property
    def series(self) -> str:
        """The six-character KHHDon, without the template digit."""
        return self.symbol[-6:]

    def allowed_rates(self) -> frozenset[TaxKind] | None:
        return None if self.template in VAT_TEMPLATES else frozenset({TaxKind.KCT})


class Receipt(DocumentBase):
    """A fee or charge e-receipt (biên lai điện tử thu phí, lệ phí).

    `template` ``EBL01`` (no printed face value) or ``EBL02`` (face value), `symbol` the
    year + ``T`` (``25T``); legacy TT303 patterns (``01BLP0-001``, ``AA-22E``) are accepted.
    Lines are fees and charges, outside VAT: only `TaxRate.KCT` is allowed.
    """

    kind: Literal["receipt"] = "receipt"
    title: str = Field(default="BIÊN LAI THU PHÍ, LỆ PHÍ", max_length=100)

    def check_numbering(self) -> None:
        if not is_valid_receipt_template(self.template):
            raise ValidationError(
                f"receipt template must be EBL01 or EBL02, not {self.template!r}",
                field="template",
            )
        if not is_valid_receipt_symbol(self.symbol):
            raise ValidationError(
                f"receipt symbol must be the year + T (25T), not {self.symbol!r}", field="symbol"
            )

    @property
    def series(self) -> str:
        """The receipt symbol (``25T``)."""
        return self.symbol


Document = Annotated[Invoice | Receipt, Field(discriminator="kind")]
"""An invoice or a receipt, told apart by `kind` (for JSON round trips)."""

_DOCUMENT: pydantic.TypeAdapter[Invoice | Receipt] = pydantic.TypeAdapter(Document)


def document_from_json(data: str | bytes) -> Invoice | Receipt:
    """Read back a document written by `model_dump_json`; raises our `ValidationError`."""
    try:
        return _DOCUMENT.validate_json(data)
    except pydantic.ValidationError as exc:
        raise translate_error(exc, skip=1) from None
