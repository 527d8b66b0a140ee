"""The trend chart: a valid PNG whose bars and lines are where the figures say."""

from __future__ import annotations

import zlib
from datetime import date, timedelta

import pytest

from connectors.report import DayReport, Delay, render_chart_png
from connectors.report.chart import BLUE, GREEN, ORANGE, RED
from connectors.report.png import Canvas

DAY = date(2026, 3, 2)


def _pixels(png: bytes) -> tuple[int, int, list[bytes]]:
    """The rows of RGB bytes of a PNG this library wrote (no filter)."""
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    at, data = 8, b""
    while at < len(png):
        length = int.from_bytes(png[at : at + 4], "big")
        if png[at + 4 : at + 8] == b"IDAT":
            data += png[at + 8 : at + 8 + length]
        at += 12 + length
    raw = zlib.decompress(data)
    stride = 1 + width * 3
    return width, height, [raw[r * stride + 1 : (r + 1) * stride] for r in range(height)]


def _count(rows: list[bytes], color: tuple[int, int, int], top: int, bottom: int) -> int:
    needle = bytes(color)
    return sum(
        1 for row in rows[top:bottom] for x in range(0, len(row), 3) if row[x : x + 3] == needle
    )


def _days(payments: int, delay: float | None) -> list[DayReport]:
    return [
        DayReport(
            DAY - timedelta(days=n),
            None,
            {"vnpay": payments} if payments else {},
            receipts=payments,
            delay=Delay(payments, delay, 3 * delay, 3 * delay) if delay else Delay(),
            sms_sent=payments,
            sms_dead=1 if payments else 0,
        )
        for n in range(29, -1, -1)
    ]


def test_bars_and_lines_appear_where_there_are_figures() -> None:
    width, height, rows = _pixels(render_chart_png(_days(40, 300.0)))
    assert (1000, 860) == (width, height)
    panel = height // 4
    assert _count(rows, BLUE, 80, panel) > 30 * 40  # thirty payment bars, legend apart
    assert _count(rows, GREEN, 80, panel) > 30 * 40
    assert _count(rows, ORANGE, panel, 2 * panel) > 30 * 7  # the median's markers
    assert _count(rows, RED, 2 * panel, 3 * panel) > 30 * 20  # dead SMS on top of the sent


def test_quiet_days_draw_only_the_legends() -> None:
    _, height, rows = _pixels(render_chart_png(_days(0, None)))
    legend = 12 * 14  # one legend square
    assert legend >= _count(rows, BLUE, 0, height)
    assert legend >= _count(rows, ORANGE, 0, height) - legend  # the SMS legend's too


def test_a_chart_needs_a_day() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        render_chart_png([])


def test_the_canvas_clips_and_measures() -> None:
    canvas = Canvas(10, 10)
    canvas.rect(-5, -5, 8, 8, (1, 2, 3))
    assert ((1, 2, 3), (255, 255, 255)) == (canvas.pixel(2, 2), canvas.pixel(3, 3))
    assert 11 == Canvas.text_width("AB")
    canvas.text(0, 0, "?", (9, 9, 9))
    assert (9, 9, 9) == canvas.pixel(1, 0)
