"""A line of an e-invoice or e-receipt (HHDVu): what was sold or which fee was collected."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, field_validator

from connectors.einvoice.model_base import ModelBase, Money, Quantity
from connectors.einvoice.model_tax import LineKind, TaxRate

__all__ = ["Line"]


class Line(ModelBase):
    """One line. Amounts are computed by the document (see `connectors.einvoice.totals`).

    `quantity` and `unit_price` are Decimals with at most 6 decimals (int and str accepted,
    float refused). `discount` is an amount in đồng taken off this line; `discount_rate` a
    percentage taken off instead (not both). A negative quantity or price is only allowed
    on an adjustment document. `kind` is the line's nature (TChat); a `NOTE` line carries
    no amounts.
    """

    name: str = Field(min_length=1, max_length=500)
    unit: str | None = Field(default=None, min_length=1, max_length=50)
    quantity: Quantity = Decimal(1)
    unit_price: Money = Decimal(0)
    tax_rate: TaxRate
    discount: Money = Decimal(0)
    discount_rate: Quantity | None = None
    kind: LineKind = LineKind.GOODS
    code: str | None = Field(default=None, min_length=1, max_length=50)

    @field_validator("discount")
    @classmethod
    def _discount_not_negative(cls, value: Decimal) -> Decimal:
        if value < 0:
            raise ValueError("a discount is a positive amount taken off the line")
        return value

    @field_validator("discount_rate")
    @classmethod
    def _rate_is_a_percentage(cls, value: Decimal | None) -> Decimal | None:
        if value is not None and not Decimal(0) <= value <= Decimal(100):
            raise ValueError("a discount rate is a percentage between 0 and 100")
        return value

    @classmethod
    def fee(
        cls,
        name: str,
        amount: int | Decimal | str,
        *,
        unit: str | None = "lần",
        quantity: int | Decimal | str = 1,
        code: str | None = None,
    ) -> Line:
        """A fee or charge line (phí, lệ phí): outside VAT (`KCT`), `quantity` x `amount`."""
        return cls(
            name=name,
            unit=unit,
            quantity=quantity,
            unit_price=amount,
            tax_rate=TaxRate.KCT,
            code=code,
        )
