"""Vietnam time (GMT+7, Asia/Ho_Chi_Minh) without any dependence on the host's time zone.

Vendors disagree on how to write a moment: the tax-authority XML wants local GMT+7 without an
offset, Viettel wants epoch milliseconds, SMS gateways want "yyyyMMddHHmmss" in GMT+7. Every
function here takes or returns aware datetimes; naive ones are refused, because a server in
UTC that takes "today" at 23:30 UTC would otherwise issue an invoice dated the wrong day.
Vietnam has used GMT+7 without daylight saving time since 1975; `VN_TZ` is the tz database
zone, so dates before that get their historical offsets (e.g. +08:00 in 1960).
"""

from __future__ import annotations

import time as _time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from connectors.core.errors import ValidationError

__all__ = [
    "VN_TZ",
    "format_compact",
    "format_local_iso",
    "from_epoch_ms",
    "now_vn",
    "parse_compact",
    "to_epoch_ms",
    "to_vn",
    "vn_date",
]

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
"""Vietnam's time zone: UTC+07:00 since 1975; earlier dates get the tz database's history."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)
_DIGITS = frozenset("0123456789")


def now_vn(clock: Callable[[], float] | None = None) -> datetime:
    """The current moment as an aware datetime in GMT+7.

    `clock` returns seconds since the Unix epoch (default `time.time`); pass a fake one in
    tests instead of patching the system clock.
    """
    seconds = (clock or _time.time)()
    return datetime.fromtimestamp(seconds, tz=VN_TZ)


def to_vn(dt: datetime) -> datetime:
    """The same moment expressed in GMT+7.

    Raises `ValidationError` (field "dt") for a naive datetime or a non-datetime: the host's
    time zone is never guessed.
    """
    if not isinstance(dt, datetime):
        raise ValidationError(f"expected a datetime, got {type(dt).__name__}", field="dt")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValidationError(
            "naive datetime: attach a time zone (e.g. tzinfo=VN_TZ or UTC)", field="dt"
        )
    return dt.astimezone(VN_TZ)


def vn_date(dt: datetime) -> date:
    """The calendar date in Vietnam at that moment (23:30 UTC is already tomorrow)."""
    return to_vn(dt).date()


def format_compact(dt: datetime) -> str:
    """ "yyyyMMddHHmmss" in GMT+7, e.g. "20250601093015"; fractions of a second are dropped."""
    local = to_vn(dt)
    return (
        f"{local.year:04d}{local.month:02d}{local.day:02d}"
        f"{local.hour:02d}{local.minute:02d}{local.second:02d}"
    )


def parse_compact(value: str) -> datetime:
    """Read "yyyyMMddHHmmss" as a GMT+7 time; returns an aware datetime in `VN_TZ`.

    Raises `ValidationError` (field "value") unless it is 14 ASCII digits forming a real
    date and time.
    """
    if not isinstance(value, str) or len(value) != 14 or not set(value) <= _DIGITS:
        raise ValidationError(f"expected yyyyMMddHHmmss, got {value!r}", field="value")
    year, month, day = int(value[:4]), int(value[4:6]), int(value[6:8])
    hour, minute, second = int(value[8:10]), int(value[10:12]), int(value[12:])
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=VN_TZ)
    except ValueError as exc:
        raise ValidationError(f"not a valid time: {value!r} ({exc})", field="value") from exc


def format_local_iso(dt: datetime) -> str:
    """ "YYYY-MM-DDThh:mm:ss" in GMT+7 with no offset, as tax-authority XML wants.

    Fractions of a second are dropped (truncated, not rounded).
    """
    local = to_vn(dt)
    return (
        f"{local.year:04d}-{local.month:02d}-{local.day:02d}"
        f"T{local.hour:02d}:{local.minute:02d}:{local.second:02d}"
    )


def to_epoch_ms(dt: datetime) -> int:
    """Milliseconds since 1970-01-01T00:00:00Z (Viettel's dates); exact integer arithmetic.

    Microseconds are floored to the millisecond. Raises `ValidationError` for naive input.
    """
    return (to_vn(dt) - _EPOCH) // _MILLISECOND


def from_epoch_ms(ms: int) -> datetime:
    """The moment `ms` milliseconds after the Unix epoch, as an aware datetime in GMT+7.

    Raises `ValidationError` (field "ms") for a non-int (bool and float included) or a value
    outside the range datetime can hold.
    """
    if isinstance(ms, bool) or not isinstance(ms, int):
        raise ValidationError(
            f"epoch milliseconds must be an int, got {type(ms).__name__}", field="ms"
        )
    try:
        return (_EPOCH + ms * _MILLISECOND).astimezone(VN_TZ)
    except OverflowError as exc:
        raise ValidationError(f"epoch milliseconds out of range: {ms}", field="ms") from exc
