"""Money in Vietnamese đồng (VND): exact rounding and display.

VND has no minor unit in practice: invoice totals, tax amounts and payment amounts are whole
đồng. Everything here works on `decimal.Decimal` and `int`; floats are refused because a
float cannot hold most decimal amounts exactly, and Python's `round()` rounds half to even
(`round(100.5) == 100`), which is not what Vietnamese invoices expect. `parse_dong` reads an
amount as a person types it ("1.250.000") and refuses what is ambiguous ("1.500").
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext

from connectors.core.errors import ValidationError

__all__ = [
    "MAX_WIRE_DIGITS",
    "format_vnd",
    "parse_amount",
    "parse_dong",
    "round_half_up",
    "to_dong",
]

_CURRENCY_SIGN = "₫"

MAX_WIRE_DIGITS = 15
"""The most digits `parse_amount` takes by default: 999,999,999,999,999 (VNPay's VND x 100
fits; no fee a commune collects comes near it)."""

_ASCII_DIGITS = re.compile(r"\A[0-9]+\Z")


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


def parse_amount(
    value: object,
    *,
    field: str = "amount",
    max_digits: int = MAX_WIRE_DIGITS,
    text: bool = True,
    number: bool = True,
) -> int:
    """A whole amount (or count) as a vendor sent it, read exactly; `ValidationError` if odd.

    For what arrives on the wire (callback amounts, counts), unlike `to_dong`, which
    rounds what the portal computed. Accepted:

    - `text` (default True): a `str` of 1 to `max_digits` ASCII digits, nothing else
      (no sign, space, separator, decimal point, exponent, full-width or superscript digit);
    - `number` (default True): an `int` from 0 to `10**max_digits - 1` (a JSON integer).

    Everything else (floats such as 50000.0, bools, None, other types) raises
    `ValidationError(field=field)`; the value itself is not echoed in the message.
    """
    if isinstance(value, bool):
        raise ValidationError(f"{field} is a boolean, not an amount", field=field)
    if isinstance(value, int):
        if number and 0 <= value < 10**max_digits:
            return value
        problem = "out of range" if number else "a number where text is expected"
        raise ValidationError(f"{field} is {problem}", field=field)
    if isinstance(value, str):
        if not text:
            raise ValidationError(f"{field} is text where a number is expected", field=field)
        if len(value) > max_digits or not _ASCII_DIGITS.match(value):
            raise ValidationError(f"{field} is not 1 to {max_digits} ASCII digits", field=field)
        return int(value)
    raise ValidationError(f"{field} is a {type(value).__name__}, not a whole amount", field=field)


# ---- amounts as people type them --------------------------------------------------------

_TYPED_AMOUNT = re.compile(
    r"-?(?:[0-9]+"  # 1250000
    r"|[0-9]{1,3}(?:_[0-9]{3})+"  # 1_250_000
    r"|[0-9]{1,3}(?: [0-9]{3})+"  # 1 250 000
    r"|[0-9]{1,3}(?:\.[0-9]{3}){2,}"  # 1.250.000 (two dots or more: never a decimal)
    r"|[0-9]{1,3}(?:,[0-9]{3}){2,}"  # 1,250,000 (two commas or more: never a decimal)
    r")"
)
_ONE_SEPARATOR = re.compile(r"-?[0-9]{1,3}[.,][0-9]{3}")  # 1.500: 1500 here, 1.5 elsewhere
_FRACTION = re.compile(r"-?[0-9]*[.,][0-9]+")  # 1.5, 1,50, .5
_DIGIT_CHARS = frozenset("0123456789")
_MAX_TYPED_DIGITS = 4000  # the most parse_dong may allow (int() refuses over 4300 digits)


def _shown(text: str, limit: int = 24) -> str:
    """`text` quoted for an error message, cut to `limit` characters."""
    return repr(text) if len(text) <= limit else repr(text[:limit]) + f"... ({len(text)} chars)"


def parse_dong(text: str, *, max_digits: int = 27) -> int:
    """Read a whole amount of đồng as a person types it: "1250000" -> 1250000.

    Accepted: ASCII digits with an optional leading "-", either plain ("1250000") or
    grouped by threes with one separator used throughout: "_" or a space ("1_250_000",
    "1 250 000", "1_500"), or "." or "," when there are at least two of them ("1.250.000",
    "1,250,000"). Surrounding spaces are ignored. Refused with `ValidationError` (field
    "amount") naming the problem: an empty text; a fraction ("1.5", "1,50": đồng are
    whole); a single "." or "," before three digits ("1.500" is 1500 in Vietnam and 1.5 in
    English: ambiguous, so it is refused rather than guessed); other digits than ASCII
    ("５００００", "²"); mixed or misplaced separators; more than `max_digits` digits
    (leading zeros count; the default, 27, is the largest amount read in words).
    """
    if isinstance(max_digits, bool) or not isinstance(max_digits, int):
        raise ValidationError("max_digits must be an int", field="max_digits")
    if not 1 <= max_digits <= _MAX_TYPED_DIGITS:
        raise ValidationError(
            f"max_digits must be 1 to {_MAX_TYPED_DIGITS}, got {max_digits}", field="max_digits"
        )
    if not isinstance(text, str):
        raise ValidationError(
            f"amount must be given as str, got {type(text).__name__}", field="amount"
        )
    typed = text.strip(" \t\r\n")
    if not typed:
        raise ValidationError("amount is empty", field="amount")
    if any(ch not in _DIGIT_CHARS and (ch.isdigit() or ch.isnumeric()) for ch in typed):
        raise ValidationError(
            f"amount {_shown(typed)} must be written with ASCII digits 0-9", field="amount"
        )
    if not _TYPED_AMOUNT.fullmatch(typed):
        if _ONE_SEPARATOR.fullmatch(typed):
            problem = (
                "is ambiguous (a thousands separator, or a decimal one?): write it without "
                "separators, or group it with _ or a space (1_500, 1 500)"
            )
        elif _FRACTION.fullmatch(typed):
            problem = "has a fractional part: đồng are whole"
        else:
            problem = (
                "is not a whole number of đồng: write 1250000, 1_250_000, 1 250 000, "
                "1.250.000 or 1,250,000"
            )
        raise ValidationError(f"amount {_shown(typed)} {problem}", field="amount")
    digits = "".join(ch for ch in typed if ch in _DIGIT_CHARS)
    if len(digits) > max_digits:
        raise ValidationError(
            f"amount has {len(digits)} digits, more than {max_digits}", field="amount"
        )
    value = int(digits)
    return -value if typed.startswith("-") else value
