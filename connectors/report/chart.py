"""The trend of the last days as a PNG a commune chair reads at a glance: four panels
sharing the days' axis (payments and receipts; payment-to-receipt delay; SMS; feedback).

Drawn on `connectors.report.png.Canvas` (standard library only): Pillow or matplotlib
would add tens of megabytes to a portal's install for four small bar charts. Labels are
Vietnamese without diacritics, the 5x7 font having none.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from connectors.report.daily import DayReport
from connectors.report.png import Canvas, Color

__all__ = ["render_chart", "render_chart_png"]

WIDTH, HEIGHT = 1000, 860
_LEFT, _RIGHT, _TOP, _BOTTOM = 70, 24, 64, 44
_GAP = 46  # between panels, room for each panel's title
_SCALE = 2  # font pixels

INK: Color = (40, 40, 40)
GRID: Color = (225, 225, 225)
BLUE: Color = (31, 119, 180)
GREEN: Color = (44, 160, 44)
ORANGE: Color = (255, 127, 14)
RED: Color = (214, 39, 40)
PURPLE: Color = (120, 60, 160)


@dataclass(frozen=True)
class _Series:
    label: str
    color: Color
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class _Box:
    x: int
    y: int
    width: int
    height: int


def _ceiling(value: float) -> float:
    """A round number at or above `value`: 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of
    ten (1 for nothing)."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if step * power >= value:
            return step * power
    return 10 * power  # pragma: no cover - the loop always returns


def _number(value: float) -> str:
    return f"{value:g}" if value < 10_000 else f"{value / 1000:g}K"


def _legend(canvas: Canvas, box: _Box, series: Sequence[_Series]) -> None:
    right = box.x + box.width
    for item in reversed(series):
        text_width = Canvas.text_width(item.label, _SCALE)
        right -= text_width
        canvas.text(right, box.y - 30, item.label, INK, _SCALE)
        right -= 18
        canvas.rect(right, box.y - 30, 12, 14, item.color)
        right -= 24


def _frame(canvas: Canvas, box: _Box, top: float) -> None:
    for fraction in (0.0, 0.5, 1.0):
        y = box.y + box.height - round(fraction * box.height)
        canvas.line(box.x, y, box.x + box.width, y, GRID if fraction else INK)
        label = _number(top * fraction)
        canvas.text(box.x - 8 - Canvas.text_width(label, _SCALE), y - 7, label, INK, _SCALE)
    canvas.line(box.x, box.y, box.x, box.y + box.height, INK)


def _slot(box: _Box, days: int, index: int) -> tuple[int, int]:
    """The left edge and width of day `index`'s slot."""
    width = box.width / days
    return box.x + round(index * width), max(round(width), 1)


def _y(box: _Box, value: float, top: float) -> int:
    return box.y + box.height - round(min(value, top) / top * box.height)


def _bars(canvas: Canvas, box: _Box, series: Sequence[_Series], *, stacked: bool) -> None:
    days = len(series[0].values)
    totals = [sum(s.values[i] or 0 for s in series) for i in range(days)]
    peaks = totals if stacked else [max((s.values[i] or 0) for s in series) for i in range(days)]
    top = _ceiling(max(peaks, default=0))
    _frame(canvas, box, top)
    for index in range(days):
        left, width = _slot(box, days, index)
        inner = max(width - max(width // 4, 2), 1)
        base = 0.0
        for order, item in enumerate(series):
            value = item.values[index] or 0
            if stacked:
                low, high = _y(box, base, top), _y(box, base + value, top)
                canvas.rect(left + (width - inner) // 2, high, inner, low - high, item.color)
                base += value
            else:
                each = max(inner // len(series), 1)
                high = _y(box, value, top)
                x = left + (width - inner) // 2 + order * each
                canvas.rect(x, high, each, box.y + box.height - high, item.color)


def _lines(canvas: Canvas, box: _Box, series: Sequence[_Series]) -> None:
    days = len(series[0].values)
    found = [v for s in series for v in s.values if v is not None]
    top = _ceiling(max(found, default=0))
    _frame(canvas, box, top)
    for item in series:
        previous: tuple[int, int] | None = None
        for index, value in enumerate(item.values):
            if value is None:
                previous = None
                continue
            left, width = _slot(box, days, index)
            point = (left + width // 2, _y(box, value, top))
            if previous is not None:
                canvas.line(*previous, *point, item.color, width=3)
            canvas.rect(point[0] - 3, point[1] - 3, 7, 7, item.color)
            previous = point


def _minutes(value: float | None) -> float | None:
    return None if value is None else value / 60


def _panels(reports: Sequence[DayReport]) -> list[tuple[str, str, list[_Series]]]:
    def values(get: Callable[[DayReport], float | None]) -> tuple[float | None, ...]:
        return tuple(get(report) for report in reports)

    return [
        (
            "THANH TOAN VA BIEN LAI",
            "bars",
            [
                _Series("THANH TOAN", BLUE, values(lambda r: r.payments_total)),
                _Series("BIEN LAI", GREEN, values(lambda r: r.receipts)),
            ],
        ),
        (
            "TU NOP PHI DEN BIEN LAI (PHUT)",
            "lines",
            [
                _Series("TRUNG VI", ORANGE, values(lambda r: _minutes(r.delay.median))),
                _Series("95%", RED, values(lambda r: _minutes(r.delay.p95))),
            ],
        ),
        (
            "TIN NHAN SMS",
            "stacked",
            [
                _Series("DA GUI", GREEN, values(lambda r: r.sms_sent)),
                _Series("LOI", ORANGE, values(lambda r: r.sms_failed)),
                _Series("HONG", RED, values(lambda r: r.sms_dead)),
            ],
        ),
        (
            "PHAN ANH DA TRA LOI",
            "stacked",
            [
                _Series("DUNG HAN", GREEN, values(lambda r: r.feedback_in_time)),
                _Series(
                    "TRE HAN",
                    RED,
                    values(lambda r: r.feedback_answered - r.feedback_in_time),
                ),
            ],
        ),
    ]


def _days_axis(canvas: Canvas, box: _Box, reports: Sequence[DayReport]) -> None:
    days = len(reports)
    step = max(1, math.ceil(days / 8))
    chosen = [i for i in range(days) if not i % step]
    if chosen[-1] != days - 1:  # the last day always, in place of a label too close to it
        width = Canvas.text_width("00/00", _SCALE) + 12
        if _slot(box, days, days - 1)[0] - _slot(box, days, chosen[-1])[0] < width:
            chosen.pop()
        chosen.append(days - 1)
    for index in chosen:
        left, width = _slot(box, days, index)
        middle = left + width // 2
        canvas.line(middle, box.y + box.height, middle, box.y + box.height + 5, INK)
        label = reports[index].day.strftime("%d/%m")
        x = middle - Canvas.text_width(label, _SCALE) // 2
        canvas.text(x, box.y + box.height + 10, label, INK, _SCALE)


def render_chart_png(reports: Sequence[DayReport], *, title: str = "") -> bytes:
    """The PNG bytes of the chart of `reports` (oldest first, one per day)."""
    if not reports:
        raise ValueError("a chart needs at least one day")
    canvas = Canvas(WIDTH, HEIGHT)
    first, last = reports[0].day.isoformat(), reports[-1].day.isoformat()
    heading = title or f"{len(reports)} NGAY, {first} DEN {last}"
    canvas.text(_LEFT, 16, heading, INK, 3)
    panels = _panels(reports)
    height = (HEIGHT - _TOP - _BOTTOM - _GAP * (len(panels) - 1)) // len(panels)
    box = _Box(0, 0, 0, 0)
    for number, (name, kind, series) in enumerate(panels):
        box = _Box(
            _LEFT,
            _TOP + _GAP // 2 + number * (height + _GAP),
            WIDTH - _LEFT - _RIGHT,
            height - _GAP // 2,
        )
        if kind == "lines":
            _lines(canvas, box, series)
        else:
            _bars(canvas, box, series, stacked=kind == "stacked")
        canvas.text(box.x, box.y - 30, name, INK, _SCALE)
        _legend(canvas, box, series)
    _days_axis(canvas, box, reports)
    return canvas.to_png()


def render_chart(reports: Sequence[DayReport], path: str | Path, *, title: str = "") -> Path:
    """Write the chart of `reports` to `path` (PNG); returns it."""
    target = Path(path)
    target.write_bytes(render_chart_png(reports, title=title))
    return target
