"""Vietnamese tax codes (mã số thuế, MST): check digit, validation, normal form.

An organisation's MST is 10 digits whose 10th is a check digit over the first nine (weights
31, 29, 23, 19, 17, 13, 7, 5, 3; check = 10 - sum mod 11). A branch or dependent unit adds
"-" and three digits (001-999) to its parent's MST, e.g. "0100109106-712"; the suffix has
no check digit. The normal form is "NNNNNNNNNN" or "NNNNNNNNNN-NNN" (at most 14 characters,
the length of the MST field in tax XML). 12-digit personal identity numbers used as tax
codes are not MSTs in this sense and are rejected here.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

from connectors.core.errors import ValidationError

__all__ = ["TaxCode", "is_valid_tax_code", "normalize_tax_code", "tax_code_check_digit"]

_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_ASCII_DIGITS = frozenset("0123456789")


def _all_digits(text: str, length: int) -> bool:
    return len(text) == length and all(char in _ASCII_DIGITS for char in text)


def tax_code_check_digit(first9: str) -> int | None:
    """The check digit (10th digit) for the first nine digits of an MST.

    Returns None when the weighted sum is divisible by 11: the check would be 10, no digit
    can hold it, so no valid MST starts with those nine digits. Raises `ValidationError`
    unless `first9` is exactly nine ASCII digits.
    """
    if not isinstance(first9, str) or not _all_digits(first9, 9):
        raise ValidationError(
            f"expected the first 9 digits of a tax code, got {first9!r}", field="tax_code"
        )
    remainder = (
        sum(int(digit) * weight for digit, weight in zip(first9, _WEIGHTS, strict=True)) % 11
    )
    if remainder == 0:
        return None
    return (10 - remainder) % 10


def _problem(code: object) -> str | None:
    """Why `code` is not a tax code, or None if it is one (in any accepted spelling)."""
    if not isinstance(code, str):
        return f"a tax code is a string, not {type(code).__name__}"
    if len(code) == 13 and _all_digits(code, 13):
        head, suffix = code[:10], code[10:]
    elif len(code) == 14 and code[10] == "-":
        head, suffix = code[:10], code[11:]
        if not _all_digits(head, 10) or not _all_digits(suffix, 3):
            return "a branch tax code is 10 digits, '-', then 3 digits"
    elif _all_digits(code, 10):
        head, suffix = code, None
    else:
        return "a tax code is 10 digits, or 10 digits + '-' + 3 digits for a branch"
    check = tax_code_check_digit(head[:9])
    if check is None:
        return "no valid tax code starts with these 9 digits (the check would be 10)"
    if check != int(head[9]):
        return f"check digit is {head[9]}, expected {check}"
    if suffix == "000":
        return "branch suffix 000 is not assigned"
    return None


def is_valid_tax_code(code: str) -> bool:
    """True for a valid 10-digit MST or branch MST ("...-NNN" or 13 digits); never raises.

    No stripping: surrounding spaces, letters, other lengths and non-strings are invalid.
    """
    return _problem(code) is None


def normalize_tax_code(code: str) -> str:
    """Return the normal form of a tax code: 13 bare digits become "NNNNNNNNNN-NNN".

    Raises `ValidationError` (field "tax_code") naming the problem when the code is invalid.
    """
    problem = _problem(code)
    if problem is not None:
        raise ValidationError(f"invalid tax code {code!r}: {problem}", field="tax_code")
    if len(code) == 13:
        return f"{code[:10]}-{code[10:]}"
    return code


TaxCode = Annotated[str, AfterValidator(normalize_tax_code)]
"""A pydantic field type: a valid MST, normalised by `normalize_tax_code`.

Only strings are accepted (an int would have lost its leading zeros); an invalid code fails
model validation with the reason in the message.
"""
