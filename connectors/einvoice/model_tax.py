"""VAT rates (thuế suất), payment methods and line kinds of an e-invoice.

`TaxRate` writes itself the way the tax-authority XML does (`TSuat`): ``"0%"``, ``"5%"``,
``"8%"``, ``"10%"``, ``"KCT"`` (not subject to VAT), ``"KKKNT"`` (not declared, not paid)
and ``"KHAC:AB.CD%"`` (another rate, two decimals). It accepts those strings wherever a
model wants a rate, and serialises back to them, so documents round-trip through JSON.
"""

from __future__ import annotations

import enum
import re
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from pydantic import model_serializer, model_validator

from connectors.core.errors import ValidationError
from connectors.einvoice.model_base import ModelBase

__all__ = ["LineKind", "PaymentMethod", "TaxKind", "TaxRate"]


class TaxKind(enum.StrEnum):
    """What a rate is: a standard percentage, exempt, undeclared, or another percentage."""

    PERCENT = "percent"
    """0 %, 5 %, 8 % (temporary reduced rate) or 10 %."""
    KCT = "KCT"
    """Không chịu thuế: not subject to VAT (fees and charges collected by the state)."""
    KKKNT = "KKKNT"
    """Không kê khai, tính nộp thuế GTGT: not declared, not paid."""
    OTHER = "KHAC"
    """Khác: any other percentage, written ``KHAC:AB.CD%``."""


_STANDARD = (Decimal(0), Decimal(5), Decimal(8), Decimal(10))
_CODE = re.compile(r"\A(?:(?P<pct>0|5|8|10)%|KHAC:(?P<other>\d{1,2}(?:\.\d{1,2})?)%|KCT|KKKNT)\Z")


class TaxRate(ModelBase):
    """One VAT rate: `TaxRate.TEN`, `TaxRate.KCT`, `TaxRate.other("3.5")`, `TaxRate.parse("8%")`.

    Models accept the code string wherever they want a rate, and serialise the rate as it.
    """

    kind: TaxKind
    percent: Decimal | None = None

    ZERO: ClassVar[TaxRate]
    FIVE: ClassVar[TaxRate]
    EIGHT: ClassVar[TaxRate]
    TEN: ClassVar[TaxRate]
    KCT: ClassVar[TaxRate]
    KKKNT: ClassVar[TaxRate]

    @model_validator(mode="before")
    @classmethod
    def _from_code(cls, value: Any) -> Any:
        if isinstance(value, str):
            return _parse(value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> TaxRate:
        if self.kind in (TaxKind.KCT, TaxKind.KKKNT):
            if self.percent is not None:
                raise ValueError(f"{self.kind.value} carries no percentage")
        elif self.percent is None:
            raise ValueError("a percentage rate needs its percent")
        elif self.kind is TaxKind.PERCENT and self.percent not in _STANDARD:
            raise ValueError(f"{self.percent}% is not a standard rate; use TaxRate.other(...)")
        elif self.kind is TaxKind.OTHER and not (0 < self.percent < 100):
            raise ValueError("another rate must be between 0 and 100 %")
        elif self.kind is TaxKind.OTHER and self.percent != round(self.percent, 2):
            raise ValueError("another rate has at most two decimals")
        return self

    @model_serializer
    def _to_code(self) -> str:
        return self.code

    @classmethod
    def parse(cls, code: str) -> TaxRate:
        """Read a TSuat code (``"10%"``, ``"KCT"``, ``"KHAC:3.50%"``); ValidationError if bad."""
        return cls.model_validate(code)

    @classmethod
    def other(cls, percent: Decimal | int | str) -> TaxRate:
        """A rate outside the standard ones (``KHAC``), e.g. ``TaxRate.other("3.5")``."""
        try:
            value = Decimal(str(percent)) if not isinstance(percent, Decimal) else percent
        except InvalidOperation:
            raise ValidationError(f"not a percentage: {percent!r}", field="tax_rate") from None
        return cls(kind=TaxKind.OTHER, percent=value)

    @property
    def code(self) -> str:
        """The TSuat spelling: ``"10%"``, ``"KCT"``, ``"KHAC:3.50%"``."""
        if self.kind is TaxKind.PERCENT:
            return f"{int(self.percent or 0)}%"
        if self.kind is TaxKind.OTHER:
            return f"KHAC:{self.percent:.2f}%"
        return self.kind.value

    @property
    def fraction(self) -> Decimal:
        """The rate as a fraction of the amount before tax (0 for KCT and KKKNT)."""
        return (self.percent or Decimal(0)) / 100

    @property
    def is_vat(self) -> bool:
        """True for a percentage (0 % included); False for KCT and KKKNT."""
        return self.kind in (TaxKind.PERCENT, TaxKind.OTHER)

    def __str__(self) -> str:
        return self.code


def _parse(code: str) -> dict[str, Any]:
    match = _CODE.match(code.strip())
    if match is None:
        raise ValueError(
            f"unknown tax rate {code!r}; expected 0%, 5%, 8%, 10%, KCT, KKKNT or KHAC:x%"
        )
    if match["pct"] is not None:
        return {"kind": TaxKind.PERCENT, "percent": Decimal(match["pct"])}
    if match["other"] is not None:
        return {"kind": TaxKind.OTHER, "percent": Decimal(match["other"])}
    return {"kind": TaxKind(code.strip())}


TaxRate.ZERO = TaxRate(kind=TaxKind.PERCENT, percent=Decimal(0))
TaxRate.FIVE = TaxRate(kind=TaxKind.PERCENT, percent=Decimal(5))
TaxRate.EIGHT = TaxRate(kind=TaxKind.PERCENT, percent=Decimal(8))
TaxRate.TEN = TaxRate(kind=TaxKind.PERCENT, percent=Decimal(10))
TaxRate.KCT = TaxRate(kind=TaxKind.KCT)
TaxRate.KKKNT = TaxRate(kind=TaxKind.KKKNT)


class PaymentMethod(enum.StrEnum):
    """How the buyer paid (HTTToan); the values are the short codes vendors accept."""

    CASH = "TM"
    """Tiền mặt."""
    TRANSFER = "CK"
    """Chuyển khoản (bank transfer, QR, gateway)."""
    CASH_OR_TRANSFER = "TM/CK"
    """Either: the usual default when the method is not known at issue time."""
    OFFSET = "DTCN"
    """Đối trừ công nợ (offset against a debt)."""
    OTHER = "KHAC"
    """Anything else."""


class LineKind(enum.IntEnum):
    """The nature of a line (TChat in the tax-authority XML)."""

    GOODS = 1
    """Goods or service (hàng hóa, dịch vụ), including a fee or charge."""
    PROMOTION = 2
    """Promotion (khuyến mại): shown, not charged."""
    DISCOUNT = 3
    """Trade discount (chiết khấu thương mại): subtracted from the totals."""
    NOTE = 4
    """Note or description (ghi chú, diễn giải): no amounts."""
    SPECIAL = 5
    """Special goods (hàng hóa đặc trưng: vehicles, transport...), ND70."""
