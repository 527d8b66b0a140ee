"""Money in Vietnamese đồng (VND): exact rounding and display.

VND has no minor unit in practice: invoice totals, tax amounts and payment amounts are whole
đồng. Everything here works on `decimal.Decimal` and `int`; floats are refused because a
float cannot hold most decimal amounts exactly, and Python's `round()` rounds half to even
(`round(100.5) == 100`), which is not what Vietnamese invoices expect.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext

from connectors.core.errors import ValidationError

__all__ = ["format_vnd", "round_half_up", "to_dong"]

_CURRENCY_SIGN = "₫"


def round_half_up(value: Decimal, places: int = 0) -> Decimal:
    """Round `value` to `places` decimal places, ties away from zero.

    `Decimal` ROUND_HALF_UP semantics: 100.5 -> 101, -100.5 -> -101, 2.345 (places=2) -> 2.35.
    A negative `places` rounds to tens, hundreds...: 1250 with places=-2 -> 1.3E+3 (== 1300).
    Raises `ValidationError` for a non-Decimal (floats included), NaN or infinity.
    """
    if not isinstance(value, Decimal):
        raise ValidationError(f"expected a Decimal, got {type(value).__name__}", field="value")
    if isinstance(places, bool) or not isinstance(places, int):
        raise ValidationError("places must be an int", field="places")
    if not value.is_finite():
        raise ValidationError(f"cannot round {value}: not a finite number", field="value")
    quantum = Decimal(1).scaleb(-places)
    # Enough precision for every digit of the result, so quantize never fails on big values.
    digits = max(value.adjusted(), 0) + max(places, 0) + 2
    with localcontext(Context(prec=max(28, digits))):
        try:
            return value.quantize(quantum, rounding=ROUND_HALF_UP)
        except InvalidOperation as exc:  # pragma: no cover - precision is sized above
            raise ValidationError(f"cannot round {value}", field="value") from exc


def to_dong(value: Decimal | int | str) -> int:
    """Convert an amount to whole đồng, rounding half away from zero (0.5 -> 1, -0.5 -> -1).

    Accepts `int`, `Decimal` and decimal strings such as "1250000" or "1250000.50" (no
    thousands separators). Raises `ValidationError` (field "amount") for floats, bools,
    NaN, infinity and anything that is not a number.
    """
    if isinstance(value, (bool, float)):
        raise ValidationError(
            f"{type(value).__name__} is not accepted as money; use int, Decimal or str",
            field="amount",
        )
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            amount = Decimal(value)
        except InvalidOperation as exc:
            raise ValidationError(f"not a decimal amount: {value!r}", field="amount") from exc
    elif isinstance(value, Decimal):
        amount = value
    else:
        raise ValidationError(
            f"{type(value).__name__} is not accepted as money; use int, Decimal or str",
            field="amount",
        )
    if not amount.is_finite():
        raise ValidationError(f"amount must be finite, got {value!r}", field="amount")
    return int(round_half_up(amount))


def format_vnd(amount: int) -> str:
    """Format whole đồng for display: 1250000 -> "1.250.000 ₫", -5000 -> "-5.000 ₫".

    Dots separate thousands (Vietnamese convention); a plain space precedes the sign ₫.
    Raises `ValidationError` for anything but an int (round with `to_dong` first).
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValidationError(
            f"format_vnd takes whole đồng as int, got {type(amount).__name__}", field="amount"
        )
    digits = str(abs(amount))
    groups = []
    while digits:
        groups.append(digits[-3:])
        digits = digits[:-3]
    sign = "-" if amount < 0 else ""
    return f"{sign}{'.'.join(reversed(groups))} {_CURRENCY_SIGN}"
