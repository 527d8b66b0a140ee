"""Build and parse VietQR payloads (NAPAS 247 transfers, EMVCo merchant-presented QR).

Layout (specs/payments.md section 2.1, [V]): 00 format "01"; 01 point of initiation ("11"
static, "12" dynamic); 38 NAPAS merchant account (00 GUID "A000000727", 01 beneficiary =
{00 BIN, 01 account}, 02 service code); 53 currency "704"; 54 amount in whole VND; 58 "VN";
62 additional data (08 = purpose, the transfer content); 63 CRC-16/CCITT-FALSE over the
UTF-8 bytes up to and including "6304", four upper-case hex digits.

What is not in a primary source (purpose length and alphabet, account length, the set of
service codes accepted) lives in `WireProfile`; see the docs page for the labels.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from connectors.banks.vietqr.banks import BANKS, Bank
from connectors.banks.vietqr.crc import format_crc
from connectors.banks.vietqr.errors import InvalidQRPayload
from connectors.banks.vietqr.tlv import encode_tlv, encode_tlvs, parse_tlvs
from connectors.core.errors import ValidationError
from connectors.vn.text import strip_diacritics

__all__ = [
    "WIRE",
    "VietQR",
    "WireProfile",
    "build_vietqr",
    "parse_vietqr",
    "transfer_purpose",
]

_SPACES = re.compile(r"\s+")
_BIN = re.compile(r"\A[0-9]{6}\Z")
_DIGITS = re.compile(r"\A[0-9]+\Z")


@dataclass(frozen=True, slots=True)
class WireProfile:
    """The VietQR details that are conventions or guesses, in one overridable place.

    - `guid` "A000000727": NAPAS's application id in tag 38 [V].
    - `services`: service codes accepted in tag 38/02 ([V] QRIBFTTA/QRIBFTTC/QRPUSH/QRCASH).
    - `purpose_max_length` 25: the EMVCo sub-field maximum [U]; api.vietqr.vn documents 19 [S]
      and bank apps may cut it shorter [U]: keep the dossier code first.
    - `purpose_pattern`: the characters kept in tag 62/08, as Odoo filters them [V];
      diacritics are stripped before the check.
    - `account_pattern`: 1-19 letters or digits (accounts, aliases, virtual accounts) [S].
    - `max_amount_digits` 13: the EMVCo amount field's width [U for what banks accept].
    - `max_payload_length` 512: the EMVCo payload maximum [U].
    """

    guid: str = "A000000727"
    services: frozenset[str] = frozenset({"QRIBFTTA", "QRIBFTTC", "QRPUSH", "QRCASH"})
    purpose_max_length: int = 25
    purpose_pattern: str = r"\A[A-Za-z0-9 ._\-]+\Z"
    account_pattern: str = r"\A[A-Za-z0-9]{1,19}\Z"
    max_amount_digits: int = 13
    max_payload_length: int = 512
    currency: str = "704"
    country: str = "VN"


WIRE = WireProfile()
"""The default profile."""


@dataclass(frozen=True, slots=True)
class VietQR:
    """A parsed VietQR payload.

    `amount` is whole VND (None on a static code without amount); `purpose` is tag 62/08,
    the transfer content a bank app pre-fills; `dynamic` is True for point of initiation
    "12". `additional_data` holds the other tag-62 sub-fields, `extra` any other top-level
    tag (merchant name 59, city 60, MCC 52...). `payload` is the string parsed.
    """

    bin: str
    account: str
    service: str
    amount: int | None
    purpose: str | None
    dynamic: bool
    crc: str
    payload: str
    additional_data: Mapping[str, str] = field(default_factory=dict)
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def bank(self) -> Bank | None:
        """The bank with this BIN in the directory, if known."""
        return BANKS.get(self.bin)

    @property
    def point_of_initiation(self) -> str:
        """Tag 01: "12" dynamic (one payment), "11" static (reusable)."""
        return "12" if self.dynamic else "11"


def _clean_purpose(purpose: object, profile: WireProfile) -> str:
    if not isinstance(purpose, str):
        raise ValidationError("purpose must be text", field="purpose")
    text = _SPACES.sub(" ", strip_diacritics(purpose)).strip()
    if not text:
        raise ValidationError("purpose is empty", field="purpose")
    if not re.match(profile.purpose_pattern, text):
        raise ValidationError(
            f"purpose may hold only letters, digits, space . _ - (got {text!r})",
            field="purpose",
        )
    if len(text) > profile.purpose_max_length:
        raise ValidationError(
            f"purpose is {len(text)} characters, more than {profile.purpose_max_length}",
            field="purpose",
        )
    return text


def _check_amount(amount: object, profile: WireProfile) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValidationError(
            f"amount must be whole VND as int, got {type(amount).__name__}", field="amount"
        )
    if amount <= 0:
        raise ValidationError("amount must be greater than zero", field="amount")
    if len(str(amount)) > profile.max_amount_digits:
        raise ValidationError(
            f"amount has more than {profile.max_amount_digits} digits", field="amount"
        )
    return amount


def build_vietqr(
    *,
    bin: str,
    account: str,
    amount: int | None = None,
    purpose: str | None = None,
    service: str = "QRIBFTTA",
    dynamic: bool | None = None,
    profile: WireProfile = WIRE,
) -> str:
    """The VietQR payload string for a transfer to `account` at the bank with `bin`.

    - `amount`: whole VND (int > 0), or None to let the payer type it.
    - `purpose`: the transfer content (tag 62/08). Diacritics are stripped and spaces
      collapsed; anything else outside letters, digits, space . _ - is refused. Put the
      dossier code first (see `transfer_purpose`): banks cut long contents.
    - `dynamic`: point of initiation; by default dynamic ("12") when an amount is given,
      static ("11") otherwise.

    Raises `ValidationError` naming the field ("bin", "account", "amount", "purpose",
    "service") before anything is built.
    """
    if not isinstance(bin, str) or not _BIN.match(bin):
        raise ValidationError(f"bin must be 6 digits, got {bin!r}", field="bin")
    if not isinstance(account, str) or not re.match(profile.account_pattern, account):
        raise ValidationError(
            "account must be 1-19 letters or digits, without spaces", field="account"
        )
    if service not in profile.services:
        raise ValidationError(
            f"service must be one of {sorted(profile.services)}, got {service!r}",
            field="service",
        )
    amount_text = None if amount is None else str(_check_amount(amount, profile))
    purpose_text = None if purpose is None else _clean_purpose(purpose, profile)
    is_dynamic = amount is not None if dynamic is None else bool(dynamic)

    beneficiary = encode_tlvs([("00", bin), ("01", account)])
    merchant = encode_tlvs([("00", profile.guid), ("01", beneficiary), ("02", service)])
    additional = None if purpose_text is None else encode_tlv("08", purpose_text)
    body = encode_tlvs(
        [
            ("00", "01"),
            ("01", "12" if is_dynamic else "11"),
            ("38", merchant),
            ("53", profile.currency),
            ("54", amount_text),
            ("58", profile.country),
            ("62", additional),
        ]
    )
    head = body + "6304"
    return head + format_crc(head)


def transfer_purpose(
    dossier_code: str, note: str | None = None, *, profile: WireProfile = WIRE
) -> str:
    """A transfer content with the dossier code first: "HS2025000123 LE PHI".

    `note` (diacritics stripped) follows the code and is cut to fit the profile's maximum;
    the code itself is never cut: `ValidationError` (field "dossier_code") if it does not
    fit or holds characters the purpose cannot carry.
    """
    try:
        code = _clean_purpose(dossier_code, profile)
    except ValidationError as exc:
        raise ValidationError(exc.message, field="dossier_code") from None
    if note is None:
        return code
    kept = "".join(
        ch if re.match(profile.purpose_pattern, ch) else " " for ch in strip_diacritics(note)
    )
    rest = _SPACES.sub(" ", kept).strip()
    room = profile.purpose_max_length - len(code) - 1
    rest = rest[: max(room, 0)].strip()
    return f"{code} {rest}" if rest else code


def _nested(value: str, where: str) -> dict[str, str]:
    items = parse_tlvs(value, where=where)
    found: dict[str, str] = {}
    for tag, inner in items:
        if tag in found:
            raise InvalidQRPayload(f"{where}: sub-tag {tag} appears twice", field=where)
        found[tag] = inner
    return found


def parse_vietqr(payload: str, *, profile: WireProfile = WIRE) -> VietQR:
    """Parse and check a VietQR payload string.

    Checks the TLV structure (and that of tags 38 and 62), that tag 00 comes first and tag
    63 last, the CRC (exact, upper-case), the NAPAS GUID, BIN, account, currency, country
    and an integer amount. Raises `InvalidQRPayload` (a `ValidationError`) naming the
    element at fault.
    """
    if not isinstance(payload, str) or not payload:
        raise InvalidQRPayload("the payload is empty or not text", field="payload")
    if len(payload) > profile.max_payload_length:
        raise InvalidQRPayload(
            f"the payload is longer than {profile.max_payload_length} characters",
            field="payload",
        )
    items = parse_tlvs(payload)
    tags: dict[str, str] = {}
    for tag, value in items:
        if tag in tags:
            raise InvalidQRPayload(f"tag {tag} appears twice", field=f"tag {tag}")
        tags[tag] = value
    if items[0] != ("00", "01"):
        raise InvalidQRPayload("tag 00 must come first with value 01", field="tag 00")
    last_tag, crc = items[-1]
    if last_tag != "63" or len(crc) != 4:
        raise InvalidQRPayload("tag 63 (CRC, 4 characters) must come last", field="crc")
    expected = format_crc(payload[:-4])
    if crc != expected:
        raise InvalidQRPayload(f"CRC mismatch: payload says {crc!r}", field="crc")

    initiation = tags.get("01")
    if initiation not in ("11", "12"):
        raise InvalidQRPayload("tag 01 must be 11 (static) or 12 (dynamic)", field="tag 01")
    if "38" not in tags:
        raise InvalidQRPayload("no tag 38: not a NAPAS VietQR payload", field="tag 38")
    merchant = _nested(tags["38"], "tag 38")
    if merchant.get("00") != profile.guid:
        raise InvalidQRPayload(f"tag 38/00 must be the NAPAS GUID {profile.guid}", field="tag 38")
    beneficiary = _nested(merchant.get("01", ""), "tag 38/01") if "01" in merchant else {}
    bin_, account = beneficiary.get("00"), beneficiary.get("01")
    if bin_ is None or not _BIN.match(bin_):
        raise InvalidQRPayload("tag 38/01/00 must be a 6-digit BIN", field="bin")
    if account is None or not re.match(profile.account_pattern, account):
        raise InvalidQRPayload("tag 38/01/01 must be an account number", field="account")
    service = merchant.get("02")
    if service is None:
        raise InvalidQRPayload("tag 38/02 (service code) is missing", field="service")
    if tags.get("53") != profile.currency:
        raise InvalidQRPayload(f"tag 53 must be {profile.currency} (VND)", field="currency")
    if tags.get("58") != profile.country:
        raise InvalidQRPayload(f"tag 58 must be {profile.country}", field="country")
    amount: int | None = None
    if "54" in tags:
        text = tags["54"]
        if not _DIGITS.match(text) or not text.isascii() or int(text) == 0:
            raise InvalidQRPayload(
                f"tag 54 must be a whole number of VND, got {text!r}", field="amount"
            )
        amount = int(text)
    additional = _nested(tags["62"], "tag 62") if "62" in tags else {}
    purpose = additional.pop("08", None)
    known = {"00", "01", "38", "53", "54", "58", "62", "63"}
    return VietQR(
        bin=bin_,
        account=account,
        service=service,
        amount=amount,
        purpose=purpose,
        dynamic=initiation == "12",
        crc=crc,
        payload=payload,
        additional_data=MappingProxyType(additional),
        extra=MappingProxyType({k: v for k, v in tags.items() if k not in known}),
    )
