"""Vietnamese mobile numbers (số di động): parse any common spelling, validate, find the carrier.

`parse_phone` accepts "0912345678", "+84912345678", "84912345678", "0084912345678",
"(+84) 91 234 5678", "091.234.5678", "912345678" and "+84 (0) 912 345 678", converts the
pre-2018 11-digit numbers ("01695678945" -> "0395678945"), and accepts only numbers that
`phonenumbers` knows as mobile for region VN. Landlines, 1800/1900 service numbers and
foreign numbers are refused: SMS Brandname needs a Vietnamese mobile.

The carrier is a hint for routing and reporting, not a fact: subscribers can keep their
number when they change network (mobile number portability), so the gateway has the last
word on the real telco.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from connectors.core.errors import ValidationError

if TYPE_CHECKING:  # phonenumbers (its metadata is large) loads on the first number parsed
    import phonenumbers

__all__ = ["Carrier", "InvalidPhoneNumber", "VnPhone", "is_mobile", "parse_phone"]

Carrier = Literal[
    "viettel", "mobifone", "vinaphone", "vietnamobile", "gmobile", "itelecom", "reddi"
]

_DIGITS = frozenset("0123456789")
_PUNCTUATION = frozenset(".-()")
_MAX_INPUT = 40

# 2018 conversion of 11-digit numbers: old 4-digit prefix -> new 3-digit prefix; the last
# 7 digits are unchanged.
_LEGACY_PREFIXES = {
    "0120": "070", "0121": "079", "0122": "077", "0126": "076", "0128": "078",
    "0123": "083", "0124": "084", "0125": "085", "0127": "081", "0129": "082",
    "0162": "032", "0163": "033", "0164": "034", "0165": "035", "0166": "036",
    "0167": "037", "0168": "038", "0169": "039",
    "0186": "056", "0188": "058", "0199": "059",
}  # fmt: skip

# Carrier names in phonenumbers' data, squashed (lower case, letters and digits only).
_PHONENUMBERS_CARRIERS: dict[str, Carrier] = {
    "viettel": "viettel",
    "viettelmobile": "viettel",
    "mobifone": "mobifone",
    "vinaphone": "vinaphone",
    "vietnamobile": "vietnamobile",
    "gmobile": "gmobile",
    "gtel": "gmobile",
    "indochinatelecom": "itelecom",
    "itelecom": "itelecom",
    "itel": "itelecom",
    "reddi": "reddi",
}

# Prefixes where phonenumbers names the host network rather than the MVNO.
_CARRIER_OVERRIDES: dict[str, Carrier] = {"087": "itelecom"}

# Fallback when phonenumbers names no carrier (sms_ihanoi spec 6.1).
_CARRIER_PREFIXES: dict[str, Carrier] = {
    **dict.fromkeys(
        ("032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098"),
        "viettel",
    ),
    **dict.fromkeys(("070", "076", "077", "078", "079", "089", "090", "093"), "mobifone"),
    **dict.fromkeys(("081", "082", "083", "084", "085", "088", "091", "094"), "vinaphone"),
    **dict.fromkeys(("052", "056", "058", "092"), "vietnamobile"),
    **dict.fromkeys(("059", "099"), "gmobile"),
    "087": "itelecom",
    "055": "reddi",
}


@cache
def _refused_types() -> dict[int, str]:
    from phonenumbers import PhoneNumberType

    return {
        PhoneNumberType.FIXED_LINE: "a landline, not a mobile number",
        PhoneNumberType.TOLL_FREE: "a toll-free service number, not a mobile number",
        PhoneNumberType.PREMIUM_RATE: "a premium-rate service number, not a mobile number",
        PhoneNumberType.SHARED_COST: "a shared-cost service number, not a mobile number",
        PhoneNumberType.UAN: "a service number, not a mobile number",
        PhoneNumberType.VOIP: "a VoIP number, not a mobile number",
    }


class InvalidPhoneNumber(ValidationError):
    """The input is not a Vietnamese mobile number; the message says why (field "phone").

    The message does not repeat the number: phone numbers are personal data.
    """

    def __init__(self, message: str, *, field: str | None = "phone", **kw: Any) -> None:
        super().__init__(message, field=field, **kw)


@dataclass(frozen=True, slots=True)
class VnPhone:
    """A validated Vietnamese mobile number; `str()` gives the national form "0912345678".

    `international` ("84912345678") is what Viettel, MobiFone and VNPT gateways want;
    `e164` ("+84912345678") suits Twilio-style APIs; `carrier` is a lower-case hint or None.
    """

    national: str
    carrier: Carrier | None = None

    def __post_init__(self) -> None:
        if not (
            isinstance(self.national, str)
            and len(self.national) == 10
            and self.national[0] == "0"
            and all(char in _DIGITS for char in self.national)
        ):
            raise InvalidPhoneNumber("national form must be '0' followed by 9 digits")

    @property
    def international(self) -> str:
        """84 + the nine significant digits, no plus sign."""
        return "84" + self.national[1:]

    @property
    def e164(self) -> str:
        """E.164: "+84" + the nine significant digits."""
        return "+84" + self.national[1:]

    def __str__(self) -> str:
        return self.national


def _digits_only(raw: str) -> tuple[str, bool]:
    """Drop separators and an international prefix: (digits, had "+" or "00")."""
    squeezed = "".join(char for char in raw if not (char.isspace() or char in _PUNCTUATION))
    international = False
    if squeezed.startswith("+"):
        international, squeezed = True, squeezed[1:]
    elif squeezed.startswith("00"):
        international, squeezed = True, squeezed[2:]
    if not squeezed:
        raise InvalidPhoneNumber("phone number has no digits")
    if any(char not in _DIGITS for char in squeezed):
        raise InvalidPhoneNumber(
            "phone number may contain only digits, spaces, dots, dashes, parentheses "
            "and a leading '+'"
        )
    return squeezed, international


def _national(digits: str, international: bool) -> str:
    """The national spelling ("0" + significant digits), legacy prefixes still unconverted."""
    if digits.startswith("84") and len(digits) in (11, 12, 13):
        rest = digits[2:]
        # "+84 (0) 912..." keeps its trunk 0; "84912..." gets one.
        return rest if rest.startswith("0") else "0" + rest
    if international:
        if not digits.startswith("84"):
            raise InvalidPhoneNumber("foreign number: the country code is not +84")
        raise InvalidPhoneNumber("wrong number of digits after +84")
    if len(digits) == 9 and not digits.startswith("0"):
        return "0" + digits
    return digits


def _carrier(number: phonenumbers.PhoneNumber, national: str) -> Carrier | None:
    prefix = national[:3]
    if prefix in _CARRIER_OVERRIDES:
        return _CARRIER_OVERRIDES[prefix]
    from phonenumbers import carrier

    name = carrier.name_for_number(number, "en")
    squashed = "".join(char for char in str(name).lower() if char.isalnum())
    if squashed in _PHONENUMBERS_CARRIERS:
        return _PHONENUMBERS_CARRIERS[squashed]
    return _CARRIER_PREFIXES.get(prefix)


def parse_phone(raw: str) -> VnPhone:
    """Parse a Vietnamese mobile number written in any usual way into a `VnPhone`.

    Raises `InvalidPhoneNumber` (a `ValidationError`, field "phone") for empty or malformed
    input, landlines, 1800/1900 service numbers, foreign numbers and ranges that
    `phonenumbers` does not know as mobile (e.g. "0891123456").
    """
    if not isinstance(raw, str):
        raise InvalidPhoneNumber(f"phone number must be a str, not {type(raw).__name__}")
    if not raw.strip():
        raise InvalidPhoneNumber("phone number is empty")
    if len(raw) > _MAX_INPUT:
        raise InvalidPhoneNumber(f"phone number is longer than {_MAX_INPUT} characters")
    national = _national(*_digits_only(raw))
    if national[:4] in ("1800", "1900") or national[1:5] in ("1800", "1900"):
        raise InvalidPhoneNumber("a 1800/1900 service number, not a mobile number")
    if len(national) == 11 and national.startswith("01"):
        if national[:4] not in _LEGACY_PREFIXES:
            raise InvalidPhoneNumber("11-digit number with an unknown pre-2018 mobile prefix")
        national = _LEGACY_PREFIXES[national[:4]] + national[4:]
    elif len(national) == 11 and national.startswith("02"):
        raise InvalidPhoneNumber("a landline, not a mobile number")
    if len(national) != 10 or not national.startswith("0"):
        raise InvalidPhoneNumber("not a Vietnamese mobile number: expected 0 and 9 digits")
    import phonenumbers

    try:
        number = phonenumbers.parse(national, "VN")
    except phonenumbers.NumberParseException as exc:  # pragma: no cover - 10 clean digits
        raise InvalidPhoneNumber("not a Vietnamese mobile number") from exc
    kind = phonenumbers.number_type(number)
    refused = _refused_types()
    if kind in refused and phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(refused[kind])
    if kind != phonenumbers.PhoneNumberType.MOBILE or not phonenumbers.is_valid_number_for_region(
        number, "VN"
    ):
        raise InvalidPhoneNumber("not an assigned Vietnamese mobile number range")
    return VnPhone(national=national, carrier=_carrier(number, national))


def is_mobile(raw: str) -> bool:
    """True if `parse_phone(raw)` would succeed; never raises."""
    try:
        parse_phone(raw)
    except InvalidPhoneNumber:
        return False
    return True
