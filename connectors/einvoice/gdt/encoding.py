"""Encoding rules of QĐ 1271 (spec einvoice.md 1.2): numbers, dates, text.

- Numbers: at most 21 digits in total and 6 after the decimal point, plain notation (no
  exponent, no thousands separator), trailing zeros after the point dropped.
- Dates `YYYY-MM-DD`, date-times `YYYY-MM-DDThh:mm:ss`, both GMT+7 with no offset.
- Text: UTF-8, NFC (Vietnamese composed forms); an empty value means "leave the element
  out" — the builder never writes an empty tag.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from connectors.core import ValidationError
from connectors.vn import VN_TZ, format_local_iso

__all__ = [
    "format_date",
    "format_datetime",
    "format_number",
    "normalize_text",
    "parse_date",
    "parse_datetime",
    "parse_number",
]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def format_number(value: Decimal | int, *, field: str, digits: int = 21, places: int = 6) -> str:
    """`value` as the XML writes it: 1250000, 1.5, -3 (plain notation, no trailing zeros).

    Raises `ValidationError` naming `field` for a float, NaN/infinity, more than `places`
    decimals or more than `digits` digits in total.
    """
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValidationError(
            f"{field} must be an int or Decimal, not {type(value).__name__}", field=field
        )
    if isinstance(value, int) and value.bit_length() > 4 * digits:  # 2**(4d) > 10**d
        raise ValidationError(f"{field} has more than {digits} digits", field=field)
    text = str(value)
    bare = text.removeprefix("-")
    if bare.isdigit():  # the common case: a whole number already written plainly
        if len(bare) > digits:
            raise ValidationError(f"{field} has {len(bare)} digits; at most {digits}", field=field)
        return text if bare.strip("0") else "0"
    number = Decimal(value)
    if not number.is_finite():
        raise ValidationError(f"{field} must be a finite number, got {value}", field=field)
    if number == 0:
        return "0"
    number = number.normalize()
    _sign, digit_tuple, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    decimals = max(-exponent, 0)
    if decimals > places:
        raise ValidationError(
            f"{field} has {decimals} decimals; at most {places} are allowed", field=field
        )
    total = max(len(digit_tuple) + max(exponent, 0), decimals)
    if total > digits:
        raise ValidationError(f"{field} has {total} digits; at most {digits}", field=field)
    return f"{number:f}"


def parse_number(text: str | None, *, field: str) -> Decimal:
    """Read a number written by `format_number` (or any plain decimal); ValidationError if not."""
    if text is None or not text.strip():
        raise ValidationError(f"{field} is missing", field=field)
    try:
        number = Decimal(text.strip())
    except InvalidOperation:
        raise ValidationError(f"{field} is not a number: {text!r}", field=field) from None
    if not number.is_finite():
        raise ValidationError(f"{field} is not a finite number: {text!r}", field=field)
    return number


def format_date(value: date) -> str:
    """`YYYY-MM-DD`; a datetime is first taken to GMT+7 (aware ones only)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValidationError("naive datetime given as a date", field="date")
        value = value.astimezone(VN_TZ).date()
    return value.isoformat()


def parse_date(text: str | None, *, field: str) -> date:
    """Read `YYYY-MM-DD` (no offset); ValidationError naming `field` otherwise."""
    if text is None or not _DATE.fullmatch(text.strip()):
        raise ValidationError(f"{field} must be YYYY-MM-DD, got {text!r}", field=field)
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(f"{field} is not a real date: {text!r}", field=field) from None


def format_datetime(value: datetime) -> str:
    """`YYYY-MM-DDThh:mm:ss` in GMT+7 with no offset (aware datetimes only)."""
    return format_local_iso(value)


def parse_datetime(text: str | None, *, field: str) -> datetime:
    """Read `YYYY-MM-DDThh:mm:ss` as GMT+7; returns an aware datetime in `VN_TZ`."""
    if text is None or not _DATETIME.fullmatch(text.strip()):
        raise ValidationError(f"{field} must be YYYY-MM-DDThh:mm:ss, got {text!r}", field=field)
    try:
        return datetime.fromisoformat(text.strip()).replace(tzinfo=VN_TZ)
    except ValueError:
        raise ValidationError(f"{field} is not a real time: {text!r}", field=field) from None


def normalize_text(value: str | None) -> str | None:
    """NFC-normalised, stripped text; None for None or blank (the element is left out)."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", value).strip()
    return text or None
