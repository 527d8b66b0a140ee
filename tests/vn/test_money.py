import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.core.errors import ValidationError
from connectors.vn import (
    MAX_WIRE_DIGITS,
    format_vnd,
    parse_amount,
    parse_dong,
    round_half_up,
    to_dong,
)

SETTINGS = settings(database=None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("100.5"), 101),
        (Decimal("100.4"), 100),
        (Decimal("100.49999"), 100),
        (Decimal("0.5"), 1),
        (Decimal("2.5"), 3),
        (Decimal("-0.5"), -1),
        (Decimal("-100.5"), -101),
        (Decimal("-100.4"), -100),
        ("1250000.50", 1250001),
        ("1250000", 1250000),
        (" 42 ", 42),
        (1250000, 1250000),
        (-7, -7),
        (Decimal("1E+30"), 10**30),
        (Decimal("123456789012345678901234567890.5"), 123456789012345678901234567891),
    ],
)
def test_to_dong_rounds_half_away_from_zero(value: Decimal | int | str, expected: int) -> None:
    assert expected == to_dong(value)


def test_to_dong_differs_from_python_round() -> None:
    assert 100 == round(100.5)  # banker's rounding: the bug to avoid
    assert 101 == to_dong(Decimal("100.5"))


@pytest.mark.parametrize(
    "value",
    [100.5, 1.0, True, False, "abc", "1,000", "", "NaN", "Infinity", "-inf", Decimal("NaN"),
     Decimal("sNaN"), Decimal("Infinity"), None, [1]],
)  # fmt: skip
def test_to_dong_rejects_floats_and_non_numbers(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        to_dong(value)  # type: ignore[arg-type]
    assert "amount" == caught.value.field


def test_tax_per_line_and_on_total_differ_by_one_dong() -> None:
    rate = Decimal("0.10")
    per_line = to_dong(Decimal(1006) * rate) + to_dong(Decimal(1006) * rate)
    on_total = to_dong(Decimal(2012) * rate)
    assert (202, 201) == (per_line, on_total)


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("2.345"), 2, Decimal("2.35")),
        (Decimal("2.344"), 2, Decimal("2.34")),
        (Decimal("-2.345"), 2, Decimal("-2.35")),
        (Decimal("100.5"), 0, Decimal("101")),
        (Decimal("1250"), -2, Decimal("1300")),
        (Decimal("1.2345675"), 6, Decimal("1.234568")),
        (Decimal("7"), 2, Decimal("7.00")),
    ],
)
def test_round_half_up(value: Decimal, places: int, expected: Decimal) -> None:
    result = round_half_up(value, places)
    assert expected == result
    if places >= 0:
        assert -places == result.as_tuple().exponent


@pytest.mark.parametrize("value", [2.5, 3, "2.5", Decimal("NaN"), Decimal("-Infinity")])
def test_round_half_up_rejects_non_decimal_and_non_finite(value: object) -> None:
    with pytest.raises(ValidationError):
        round_half_up(value)  # type: ignore[arg-type]


def test_round_half_up_rejects_non_int_places() -> None:
    with pytest.raises(ValidationError):
        round_half_up(Decimal("1.5"), 1.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (1250000, "1.250.000 ₫"),
        (0, "0 ₫"),
        (999, "999 ₫"),
        (1000, "1.000 ₫"),
        (100000, "100.000 ₫"),
        (-5000, "-5.000 ₫"),
        (1234567890123, "1.234.567.890.123 ₫"),
    ],
)
def test_format_vnd(amount: int, expected: str) -> None:
    assert expected == format_vnd(amount)


@pytest.mark.parametrize("amount", [1.0, True, Decimal(5), "5", None])
def test_format_vnd_takes_only_int(amount: object) -> None:
    with pytest.raises(ValidationError):
        format_vnd(amount)  # type: ignore[arg-type]


@SETTINGS
@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_to_dong_of_hundredths_matches_integer_half_up(cents: int) -> None:
    sign = -1 if cents < 0 else 1
    expected = sign * ((abs(cents) + 50) // 100)
    assert expected == to_dong(Decimal(cents).scaleb(-2))
    assert expected == to_dong(str(Decimal(cents).scaleb(-2)))


@SETTINGS
@given(st.integers(min_value=-(10**20), max_value=10**20))
def test_format_vnd_keeps_every_digit_in_groups_of_three(amount: int) -> None:
    text = format_vnd(amount)
    assert text.endswith(" ₫")
    number = text[: -len(" ₫")].removeprefix("-")
    groups = number.split(".")
    assert all(3 == len(group) for group in groups[1:])
    assert 1 <= len(groups[0]) <= 3
    assert amount == int(text[: -len(" ₫")].replace(".", ""))


# ---- parse_dong: amounts as people type them ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1250000", 1_250_000),
        ("1_250_000", 1_250_000),
        ("1 250 000", 1_250_000),
        ("1.250.000", 1_250_000),
        ("1,250,000", 1_250_000),
        ("1_500", 1500),
        ("1 500", 1500),
        ("12.345.678.901", 12_345_678_901),
        ("-5", -5),
        ("-1.500.000", -1_500_000),
        ("0", 0),
        ("007", 7),
        (" 42\t", 42),
        ("9" * 27, 10**27 - 1),
    ],
)
def test_parse_dong_reads_the_accepted_forms(text: str, expected: int) -> None:
    assert expected == parse_dong(text)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("²", "ASCII digits"),
        ("５００００", "ASCII digits"),  # full-width: int() would read 50000
        ("١٢٣", "ASCII digits"),
        ("½", "ASCII digits"),
        ("1.5", "fractional part"),  # was read as 15
        ("1,5", "fractional part"),
        ("1.50", "fractional part"),
        (".5", "fractional part"),
        ("1.500", "ambiguous"),  # 1500 in Vietnam, 1.5 in English
        ("1,500", "ambiguous"),
        ("-1.500", "ambiguous"),
        ("1.500,00", "not a whole number"),
        ("1 500.000", "not a whole number"),  # mixed separators
        ("1_5", "not a whole number"),
        ("1  500", "not a whole number"),
        ("1\u00a0500", "not a whole number"),
        ("12.5k", "not a whole number"),
        ("1e3", "not a whole number"),
        ("0x10", "not a whole number"),
        ("+5", "not a whole number"),
        ("--5", "not a whole number"),
        ("\u22125", "not a whole number"),  # a Unicode minus
        ("-", "not a whole number"),
        ("9" * 28, "28 digits, more than 27"),
        ("9" * 5000, "5000 digits"),  # int() would raise a raw ValueError past 4300
        ("0" * 28, "28 digits"),
    ],
)
def test_parse_dong_refuses_naming_the_problem(text: str, problem: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(problem)) as caught:
        parse_dong(text)
    assert "amount" == caught.value.field
    assert len(str(caught.value)) < 200


def test_parse_dong_bounds_the_digits_it_is_told() -> None:
    assert 10**13 - 1 == parse_dong("9" * 13, max_digits=13)
    with pytest.raises(ValidationError, match="14 digits, more than 13"):
        parse_dong("9" * 14, max_digits=13)


@pytest.mark.parametrize("max_digits", [0, -1, 4001, True, 2.0])
def test_parse_dong_refuses_a_bad_bound(max_digits: object) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_dong("1", max_digits=max_digits)  # type: ignore[arg-type]
    assert "max_digits" == caught.value.field


@pytest.mark.parametrize("value", [5, 5.0, b"5", None, Decimal(5)])
def test_parse_dong_takes_only_text(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_dong(value)  # type: ignore[arg-type]
    assert "amount" == caught.value.field


def _grouped(amount: int, separator: str) -> str:
    digits = str(abs(amount))
    groups = []
    while digits:
        groups.append(digits[-3:])
        digits = digits[:-3]
    return ("-" if amount < 0 else "") + separator.join(reversed(groups))


@SETTINGS
@given(
    st.integers(min_value=-(10**27) + 1, max_value=10**27 - 1),
    st.sampled_from(["", "_", " ", ".", ","]),
)
def test_parse_dong_round_trips_every_grouping(amount: int, separator: str) -> None:
    text = _grouped(amount, separator)
    if separator in ".," and text.count(separator) == 1:
        with pytest.raises(ValidationError, match="ambiguous"):
            parse_dong(text)
    else:
        assert amount == parse_dong(text)


@SETTINGS
@given(st.text(max_size=40))
def test_parse_dong_raises_only_validation_error(text: str) -> None:
    refused: ValidationError | None = None
    try:
        value = parse_dong(text)
    except ValidationError as exc:
        refused = exc
    if refused is not None:
        assert "amount" == refused.field
    else:  # whatever it accepts is ASCII digits, "-" and separators, and within the bound
        assert set(text.strip(" \t\r\n")) <= set("0123456789-_ .,")
        assert abs(value) < 10**27


# -- parse_amount: amounts and counts as received on the wire ---------------------------

_ASCII_AMOUNT = re.compile(r"\A[0-9]{1,15}\Z")

ODD_TEXTS = [
    "５００００",  # full-width digits: int() would read 50000
    "²",  # superscript two: str.isdigit() says True, int() raises
    "٥٠٠٠٠",  # Arabic-Indic digits
    "1e30",
    "9007199254740993.0",
    "50000.0",
    "50.000",
    "50,000",
    "+50000",
    "-50000",
    " 50000",
    "50000 ",
    "50 000",
    "",
    "0x10",
    "1_000",
    "NaN",
    "Infinity",
    "9" * 16,
    "1" * 5000,
]


@pytest.mark.parametrize("text", ODD_TEXTS)
def test_odd_amount_texts_are_refused_naming_the_field(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_amount(text, field="transferAmount")
    assert "transferAmount" == caught.value.field
    assert text not in caught.value.message or not text


@pytest.mark.parametrize(
    "value", [50000.0, 1e30, float("nan"), True, False, None, [50000], {"v": 1}, b"50000"]
)
def test_odd_amount_values_are_refused(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_amount(value)
    assert "amount" == caught.value.field


@given(st.text(max_size=40).filter(lambda t: not _ASCII_AMOUNT.match(t)))
def test_any_text_that_is_not_ascii_digits_is_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        parse_amount(text)


@given(st.integers(min_value=0, max_value=10**15 - 1))
def test_any_amount_in_range_round_trips_as_text_and_as_a_number(amount: int) -> None:
    assert amount == parse_amount(str(amount))
    assert amount == parse_amount(amount)
    assert amount == parse_amount(str(amount).zfill(15))  # leading zeros are digits


@given(st.one_of(st.integers(max_value=-1), st.integers(min_value=10**15)))
def test_any_int_out_of_range_is_refused(amount: int) -> None:
    with pytest.raises(ValidationError, match="out of range"):
        parse_amount(amount)


def test_the_bound_is_max_digits() -> None:
    assert 999 == parse_amount("999", max_digits=3)
    assert 999 == parse_amount(999, max_digits=3)
    for too_big in ("1000", 1000):
        with pytest.raises(ValidationError):
            parse_amount(too_big, max_digits=3)
    assert 10**15 - 1 == parse_amount("9" * 15) == parse_amount(10**15 - 1)
    assert 15 == MAX_WIRE_DIGITS


def test_text_or_number_can_be_required() -> None:
    assert 5 == parse_amount("5", number=False)
    assert 5 == parse_amount(5, text=False)
    with pytest.raises(ValidationError, match="text where a number"):
        parse_amount("5", text=False)
    with pytest.raises(ValidationError, match="number where text"):
        parse_amount(5, number=False)


def test_precision_is_exact_beyond_floats() -> None:
    assert 9_007_199_254_740_993 == parse_amount("9007199254740993", max_digits=16)
