"""Vietnamese rules shared by every domain: money, amounts in words, tax codes, phones, SMS
text and time.

Pure functions, no I/O and no vendor knowledge. Bad input raises
`connectors.core.errors.ValidationError` (a `ValueError`) naming the field.

- `money`: whole đồng with half-up rounding (`to_dong`, `round_half_up`, `format_vnd`),
  an amount as typed (`parse_dong`) and exact reading of amounts received on the wire
  (`parse_amount`)
- `words`: amounts in words for invoices (`amount_in_words`, `words_to_amount`)
- `taxcode`: MST check digit and normal form (`is_valid_tax_code`, `TaxCode`)
- `phone`: mobile numbers in any spelling, legacy 11-digit numbers, carrier (`parse_phone`)
- `text`: unaccented Vietnamese and GSM-7/UCS-2 segment counts (`sms_segments`)
- `time`: GMT+7 without host time-zone dependence (`now_vn`, `to_epoch_ms`, ...)
"""

from connectors.vn.money import (
    MAX_WIRE_DIGITS,
    format_vnd,
    parse_amount,
    parse_dong,
    round_half_up,
    to_dong,
)
from connectors.vn.phone import Carrier, InvalidPhoneNumber, VnPhone, is_mobile, parse_phone
from connectors.vn.taxcode import (
    TaxCode,
    is_valid_tax_code,
    normalize_tax_code,
    tax_code_check_digit,
)
from connectors.vn.text import SmsSegments, is_gsm7, sms_segments, strip_diacritics
from connectors.vn.time import (
    VN_TZ,
    format_compact,
    format_local_iso,
    from_epoch_ms,
    now_vn,
    parse_compact,
    to_epoch_ms,
    to_vn,
    vn_date,
)
from connectors.vn.words import MAX_AMOUNT_IN_WORDS, amount_in_words, words_to_amount

__all__ = [
    "MAX_AMOUNT_IN_WORDS",
    "MAX_WIRE_DIGITS",
    "VN_TZ",
    "Carrier",
    "InvalidPhoneNumber",
    "SmsSegments",
    "TaxCode",
    "VnPhone",
    "amount_in_words",
    "format_compact",
    "format_local_iso",
    "format_vnd",
    "from_epoch_ms",
    "is_gsm7",
    "is_mobile",
    "is_valid_tax_code",
    "normalize_tax_code",
    "now_vn",
    "parse_amount",
    "parse_compact",
    "parse_dong",
    "parse_phone",
    "round_half_up",
    "sms_segments",
    "strip_diacritics",
    "tax_code_check_digit",
    "to_dong",
    "to_epoch_ms",
    "to_vn",
    "vn_date",
    "words_to_amount",
]
