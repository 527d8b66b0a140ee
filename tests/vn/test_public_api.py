import connectors.vn as vn

EXPECTED = {
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
}


def test_all_lists_the_public_names_once() -> None:
    assert EXPECTED == set(vn.__all__)
    assert len(vn.__all__) == len(set(vn.__all__))


def test_every_public_name_resolves() -> None:
    missing = [name for name in vn.__all__ if not hasattr(vn, name)]
    assert [] == missing


def test_invalid_phone_number_is_a_validation_error_and_a_value_error() -> None:
    from connectors.core.errors import ValidationError

    assert issubclass(vn.InvalidPhoneNumber, ValidationError)
    assert issubclass(vn.InvalidPhoneNumber, ValueError)
