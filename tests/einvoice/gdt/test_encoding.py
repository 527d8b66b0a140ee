"""Numbers and dates as QĐ 1271 writes them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.core import ValidationError
from connectors.einvoice.gdt.encoding import (
    format_date,
    format_datetime,
    format_number,
    normalize_text,
    parse_date,
    parse_datetime,
    parse_number,
)
from connectors.vn import VN_TZ


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1250000, "1250000"),
        (Decimal("1250000.00"), "1250000"),
        (Decimal("1.500"), "1.5"),
        (Decimal("0.000001"), "0.000001"),
        (Decimal("-3"), "-3"),
        (0, "0"),
        (Decimal("0E-8"), "0"),
        (Decimal("1E+3"), "1000"),
    ],
)
def test_numbers_are_plain_without_trailing_zeros(value: Decimal | int, expected: str) -> None:
    assert expected == format_number(value, field="X")


def test_more_than_six_decimals_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as raised:
        format_number(Decimal("1.0000001"), field="HHDVu/DGia")
    assert "HHDVu/DGia" == raised.value.field


def test_more_than_21_digits_is_refused() -> None:
    format_number(Decimal(10**20), field="X")  # 21 digits: fine
    with pytest.raises(ValidationError):
        format_number(Decimal(10**21), field="X")


@pytest.mark.parametrize("bad", [1.5, True, Decimal("NaN"), Decimal("Infinity"), "12"])
def test_floats_bools_and_non_finite_are_refused(bad: object) -> None:
    with pytest.raises(ValidationError):
        format_number(bad, field="X")  # type: ignore[arg-type]


@given(
    st.decimals(min_value=Decimal(-(10**14)), max_value=Decimal(10**14), places=6, allow_nan=False)
)
def test_number_round_trip(value: Decimal) -> None:
    assert value == parse_number(format_number(value, field="X"), field="X")


def test_dates_carry_no_offset_and_are_vietnam_local() -> None:
    late_utc = datetime.fromisoformat("2025-05-31T23:30:00+00:00")
    assert "2025-06-01" == format_date(late_utc)
    assert "2025-06-01T06:30:00" == format_datetime(late_utc)
    assert date(2025, 6, 1) == parse_date("2025-06-01", field="NLap")
    assert datetime(2025, 6, 1, 6, 30, tzinfo=VN_TZ) == parse_datetime(
        "2025-06-01T06:30:00", field="SigningTime"
    )


@pytest.mark.parametrize("bad", ["01/06/2025", "2025-06-01+07:00", "2025-02-30", None])
def test_bad_dates_name_the_field(bad: str | None) -> None:
    with pytest.raises(ValidationError) as raised:
        parse_date(bad, field="TTChung/NLap")
    assert "TTChung/NLap" == raised.value.field


def test_bad_datetimes_and_numbers_are_refused() -> None:
    with pytest.raises(ValidationError):
        parse_datetime("2025-06-01T06:30:00+07:00", field="SigningTime")
    with pytest.raises(ValidationError):
        parse_number("1,5", field="SLuong")
    with pytest.raises(ValidationError):
        parse_number("", field="SLuong")


def test_text_is_nfc_and_blank_means_absent() -> None:
    decomposed = "Phu\u031bo\u031b\u0300ng"  # "Phường" in decomposed form
    assert "Phường" == normalize_text(f"  {decomposed} ")
    assert normalize_text("   ") is None
    assert normalize_text(None) is None
