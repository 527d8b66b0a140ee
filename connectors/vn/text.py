"""SMS text: Vietnamese diacritics and GSM 03.38 segment counting.

SMS Brandname gateways bill per segment. Text that fits the GSM 7-bit alphabet costs one unit
per character (two for the extension characters ^ { } \\ [ ~ ] | € and form feed), 160
units in a single SMS or 153 per part of a concatenated one. Anything else is sent as UCS-2:
one unit per UTF-16 code unit (two for emoji and other characters outside the BMP), 70 in a
single SMS or 67 per part. Accented Vietnamese is almost always UCS-2; unaccented text
(`strip_diacritics`) is GSM-7, which is what most gateways expect by default.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

__all__ = ["SmsSegments", "is_gsm7", "sms_segments", "strip_diacritics"]

# GSM 03.38 default alphabet in table order, without 0x1B (the escape to the extension).
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅå"
    "\u0394_\u03a6\u0393\u039b\u03a9\u03a0\u03a8\u03a3\u0398\u039eÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each is sent as ESC + code, two units that never split.
_GSM_EXTENSION = frozenset("\f^{}\\[~]|€")

_GSM_SINGLE, _GSM_PART = 160, 153
_UCS2_SINGLE, _UCS2_PART = 70, 67


def _vietnamese_letters() -> dict[int, str]:
    """Every Vietnamese letter with a diacritic (NFC) -> its base ASCII letter."""
    families = {"a": "aăâ", "e": "eê", "i": "i", "o": "oôơ", "u": "uư", "y": "y"}
    tones = ("", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323")
    table: dict[int, str] = {ord("đ"): "d", ord("Đ"): "D"}
    for ascii_letter, letters in families.items():
        for letter in letters:
            for tone in tones:
                for case_letter, target in (
                    (letter, ascii_letter),
                    (letter.upper(), ascii_letter.upper()),
                ):
                    composed = unicodedata.normalize("NFC", case_letter + tone)
                    if len(composed) == 1 and composed != target:
                        table[ord(composed)] = target
    return table


_STRIP_TABLE = _vietnamese_letters()


def strip_diacritics(text: str) -> str:
    """Write Vietnamese without diacritics (không dấu): "Đăng ký" -> "Dang ky".

    The text is NFC-normalised first; each Vietnamese vowel with any tone or hat becomes its
    ASCII base letter, đ/Đ become d/D, and every other character is left as it is (so
    "ñ" or "€" survive). The result has the same number of characters as the NFC text.
    """
    return unicodedata.normalize("NFC", text).translate(_STRIP_TABLE)


@dataclass(frozen=True, slots=True)
class SmsSegments:
    """How a text travels as SMS.

    `units` are septets (GSM-7) or UTF-16 code units (UCS-2); `segments` is the number of
    SMS parts billed; `per_segment` is the capacity used for the count: 160/70 for a single
    SMS, 153/67 once the text needs concatenation. Empty text is 0 units and 0 segments.
    """

    encoding: Literal["GSM-7", "UCS-2"]
    units: int
    segments: int
    per_segment: int


def _fits_gsm7(text: str) -> bool:
    return all(char in _GSM_BASIC or char in _GSM_EXTENSION for char in text)


def is_gsm7(text: str) -> bool:
    """True if the NFC form of `text` fits the GSM 7-bit alphabet (basic or extension)."""
    return _fits_gsm7(unicodedata.normalize("NFC", text))


def sms_segments(text: str) -> SmsSegments:
    """Count the units and SMS segments `text` needs (GSM 03.38, after NFC normalisation).

    Parts are packed greedily without splitting an escape pair (GSM-7) or a surrogate pair
    (UCS-2), so a long text can need one segment more than units / per_segment suggests.
    Empty text gives `SmsSegments("GSM-7", 0, 0, 160)`: nothing to send.
    """
    text = unicodedata.normalize("NFC", text)
    if _fits_gsm7(text):
        encoding: Literal["GSM-7", "UCS-2"] = "GSM-7"
        costs = [2 if char in _GSM_EXTENSION else 1 for char in text]
        single, part = _GSM_SINGLE, _GSM_PART
    else:
        encoding = "UCS-2"
        costs = [2 if ord(char) > 0xFFFF else 1 for char in text]
        single, part = _UCS2_SINGLE, _UCS2_PART
    units = sum(costs)
    if units == 0:
        return SmsSegments(encoding, 0, 0, single)
    if units <= single:
        return SmsSegments(encoding, units, 1, single)
    segments, used = 1, 0
    for cost in costs:
        if used + cost > part:
            segments, used = segments + 1, 0
        used += cost
    return SmsSegments(encoding, units, segments, part)
