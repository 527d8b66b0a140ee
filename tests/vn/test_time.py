import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.core.errors import ValidationError
from connectors.vn import (
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

SETTINGS = settings(database=None, max_examples=300)
SEVEN_HOURS = timedelta(hours=7)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2024, 1, 1, tzinfo=UTC), 1704067200000),
        (datetime(2025, 6, 1, tzinfo=VN_TZ), 1748710800000),
        (datetime(2025, 6, 1, 9, 30, 15, tzinfo=VN_TZ), 1748745015000),
        (datetime(2025, 6, 1, 2, 30, 15, tzinfo=UTC), 1748745015000),
        (datetime(2025, 5, 31, 22, 30, 15, tzinfo=timezone(timedelta(hours=-4))), 1748745015000),
        (datetime(2025, 6, 1, 9, 30, 15, 999999, tzinfo=VN_TZ), 1748745015999),
        (datetime(1969, 12, 31, 23, 59, 59, 999500, tzinfo=UTC), -1),
    ],
)
def test_epoch_milliseconds(moment: datetime, expected: int) -> None:
    assert expected == to_epoch_ms(moment)


def test_from_epoch_ms_is_gmt7() -> None:
    moment = from_epoch_ms(1748745015000)
    assert datetime(2025, 6, 1, 9, 30, 15, tzinfo=VN_TZ) == moment
    assert (9, 30, 15) == (moment.hour, moment.minute, moment.second)
    assert SEVEN_HOURS == moment.utcoffset()
    assert datetime(2024, 1, 1, 7, tzinfo=VN_TZ) == from_epoch_ms(1704067200000)


@pytest.mark.parametrize("value", [1.5, True, "1748745015000", None, 10**20, -(10**20)])
def test_from_epoch_ms_rejects(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        from_epoch_ms(value)  # type: ignore[arg-type]
    assert "ms" == caught.value.field


def test_compact_format() -> None:
    moment = datetime(2025, 6, 1, 2, 30, 15, 123456, tzinfo=UTC)
    assert "20250601093015" == format_compact(moment)
    assert datetime(2025, 6, 1, 9, 30, 15, tzinfo=VN_TZ) == parse_compact("20250601093015")
    assert SEVEN_HOURS == parse_compact("20250601093015").utcoffset()
    assert "00050101000000" == format_compact(datetime(5, 1, 1, tzinfo=VN_TZ))  # zero-padded


@pytest.mark.parametrize(
    "value",
    [
        "",
        "2025060109301",
        "202506010930150",
        "2025060109301a",
        "20251301093015",
        "20250230093015",
        "20250601243015",
        "2025-06-01 09:30",
        " 20250601093015",
        "２０２５０６０１０９３０１５",
        20250601093015,
        None,
    ],
)
def test_parse_compact_rejects(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_compact(value)  # type: ignore[arg-type]
    assert "value" == caught.value.field


def test_local_iso_has_no_offset() -> None:
    moment = datetime(2025, 6, 1, 2, 30, 15, 999999, tzinfo=UTC)
    assert "2025-06-01T09:30:15" == format_local_iso(moment)


def test_vietnam_date_turns_over_at_17_utc() -> None:
    assert date(2025, 1, 1) == vn_date(datetime(2024, 12, 31, 23, 30, tzinfo=UTC))
    assert date(2024, 12, 31) == vn_date(datetime(2024, 12, 31, 16, 59, 59, tzinfo=UTC))
    assert date(2025, 1, 1) == vn_date(datetime(2024, 12, 31, 17, tzinfo=UTC))


def test_now_vn_uses_the_injected_clock() -> None:
    moment = now_vn(lambda: 1748745015.25)
    assert datetime(2025, 6, 1, 9, 30, 15, 250000, tzinfo=VN_TZ) == moment
    assert SEVEN_HOURS == moment.utcoffset()


def test_now_vn_defaults_to_the_system_clock() -> None:
    before = time.time()
    moment = now_vn()
    after = time.time()
    assert SEVEN_HOURS == moment.utcoffset()
    assert before - 1 <= moment.timestamp() <= after + 1


def test_to_vn_keeps_the_instant() -> None:
    moment = datetime(2025, 6, 1, 2, 30, tzinfo=UTC)
    local = to_vn(moment)
    assert moment == local
    assert (9, 30) == (local.hour, local.minute)
    assert VN_TZ is local.tzinfo


NAIVE = datetime(2025, 6, 1, 9, 30, 15)


@pytest.mark.parametrize(
    "function", [to_vn, vn_date, format_compact, format_local_iso, to_epoch_ms]
)
@pytest.mark.parametrize("value", [NAIVE, date(2025, 6, 1), "2025-06-01T09:30:15", None])
def test_naive_and_non_datetimes_are_refused(function: object, value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        function(value)  # type: ignore[operator]
    assert "dt" == caught.value.field


@pytest.fixture(params=["UTC", "America/New_York", "Asia/Tokyo", "Pacific/Kiritimati"])
def host_time_zone(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def test_results_do_not_depend_on_the_host_time_zone(host_time_zone: str) -> None:
    clock = lambda: 1735687800.0  # noqa: E731 - 2024-12-31T23:30:00Z
    assert datetime(2025, 1, 1, 6, 30, tzinfo=VN_TZ) == now_vn(clock)
    assert "20250101063000" == format_compact(now_vn(clock))
    assert "2025-01-01T06:30:00" == format_local_iso(now_vn(clock))
    assert date(2025, 1, 1) == vn_date(now_vn(clock))
    assert 1735687800000 == to_epoch_ms(now_vn(clock))
    assert "20250101063000" == format_compact(from_epoch_ms(1735687800000))
    assert 1735687800000 == to_epoch_ms(parse_compact("20250101063000"))


# ---- properties --------------------------------------------------------------------------

aware = st.datetimes(
    min_value=datetime(1976, 1, 1),
    max_value=datetime(2200, 1, 1),
    timezones=st.timezones(),
    allow_imaginary=False,
)


@SETTINGS
@given(aware)
def test_epoch_ms_round_trip(moment: datetime) -> None:
    expected = moment.astimezone(UTC).replace(microsecond=moment.microsecond // 1000 * 1000)
    back = from_epoch_ms(to_epoch_ms(moment))
    assert expected == back.astimezone(UTC)
    assert SEVEN_HOURS == back.utcoffset()


@SETTINGS
@given(aware)
def test_compact_and_iso_agree(moment: datetime) -> None:
    compact = format_compact(moment)
    iso = format_local_iso(moment)
    assert compact == iso.replace("-", "").replace("T", "").replace(":", "")
    parsed = parse_compact(compact)
    assert moment.astimezone(UTC).replace(microsecond=0) == parsed.astimezone(UTC)
    assert vn_date(moment) == parsed.date()


@SETTINGS
@given(st.integers(min_value=0, max_value=7_258_118_400_000))
def test_from_epoch_ms_round_trip(ms: int) -> None:
    assert ms == to_epoch_ms(from_epoch_ms(ms))
