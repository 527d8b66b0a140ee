"""A small PNG line chart writer with no dependencies (zlib and struct only).

    write_chart(path, chart)     # cost (y) against size (x, log scale), one line a series

Text is drawn with a built-in 5x7 font (upper case, digits, a few signs), enough for a
title, axis labels, tick values and a legend.
"""

from __future__ import annotations

import itertools
import math
import struct
import zlib
from pathlib import Path

from benchmarks.harness import Chart

__all__ = ["write_chart"]

WIDTH, HEIGHT = 760, 440
LEFT, RIGHT, TOP, BOTTOM = 78, 24, 44, 70
Color = tuple[int, int, int]
WHITE: Color = (255, 255, 255)
INK: Color = (40, 40, 40)
GRID: Color = (225, 225, 225)
PALETTE: list[Color] = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (148, 103, 189)]

# 5x7 glyphs, one byte per column, least significant bit at the top.
_FONT: dict[str, bytes] = {
    " ": bytes([0, 0, 0, 0, 0]),
    "!": bytes([0x00, 0x00, 0x5F, 0x00, 0x00]),
    "%": bytes([0x23, 0x13, 0x08, 0x64, 0x62]),
    "(": bytes([0x00, 0x1C, 0x22, 0x41, 0x00]),
    ")": bytes([0x00, 0x41, 0x22, 0x1C, 0x00]),
    "+": bytes([0x08, 0x08, 0x3E, 0x08, 0x08]),
    ",": bytes([0x00, 0x50, 0x30, 0x00, 0x00]),
    "-": bytes([0x08, 0x08, 0x08, 0x08, 0x08]),
    ".": bytes([0x00, 0x60, 0x60, 0x00, 0x00]),
    "/": bytes([0x20, 0x10, 0x08, 0x04, 0x02]),
    "0": bytes([0x3E, 0x51, 0x49, 0x45, 0x3E]),
    "1": bytes([0x00, 0x42, 0x7F, 0x40, 0x00]),
    "2": bytes([0x42, 0x61, 0x51, 0x49, 0x46]),
    "3": bytes([0x21, 0x41, 0x45, 0x4B, 0x31]),
    "4": bytes([0x18, 0x14, 0x12, 0x7F, 0x10]),
    "5": bytes([0x27, 0x45, 0x45, 0x45, 0x39]),
    "6": bytes([0x3C, 0x4A, 0x49, 0x49, 0x30]),
    "7": bytes([0x01, 0x71, 0x09, 0x05, 0x03]),
    "8": bytes([0x36, 0x49, 0x49, 0x49, 0x36]),
    "9": bytes([0x06, 0x49, 0x49, 0x29, 0x1E]),
    ":": bytes([0x00, 0x36, 0x36, 0x00, 0x00]),
    "=": bytes([0x14, 0x14, 0x14, 0x14, 0x14]),
    "A": bytes([0x7E, 0x11, 0x11, 0x11, 0x7E]),
    "B": bytes([0x7F, 0x49, 0x49, 0x49, 0x36]),
    "C": bytes([0x3E, 0x41, 0x41, 0x41, 0x22]),
    "D": bytes([0x7F, 0x41, 0x41, 0x22, 0x1C]),
    "E": bytes([0x7F, 0x49, 0x49, 0x49, 0x41]),
    "F": bytes([0x7F, 0x09, 0x09, 0x01, 0x01]),
    "G": bytes([0x3E, 0x41, 0x41, 0x51, 0x32]),
    "H": bytes([0x7F, 0x08, 0x08, 0x08, 0x7F]),
    "I": bytes([0x00, 0x41, 0x7F, 0x41, 0x00]),
    "J": bytes([0x20, 0x40, 0x41, 0x3F, 0x01]),
    "K": bytes([0x7F, 0x08, 0x14, 0x22, 0x41]),
    "L": bytes([0x7F, 0x40, 0x40, 0x40, 0x40]),
    "M": bytes([0x7F, 0x02, 0x04, 0x02, 0x7F]),
    "N": bytes([0x7F, 0x04, 0x08, 0x10, 0x7F]),
    "O": bytes([0x3E, 0x41, 0x41, 0x41, 0x3E]),
    "P": bytes([0x7F, 0x09, 0x09, 0x09, 0x06]),
    "Q": bytes([0x3E, 0x41, 0x51, 0x21, 0x5E]),
    "R": bytes([0x7F, 0x09, 0x19, 0x29, 0x46]),
    "S": bytes([0x46, 0x49, 0x49, 0x49, 0x31]),
    "T": bytes([0x01, 0x01, 0x7F, 0x01, 0x01]),
    "U": bytes([0x3F, 0x40, 0x40, 0x40, 0x3F]),
    "V": bytes([0x1F, 0x20, 0x40, 0x20, 0x1F]),
    "W": bytes([0x7F, 0x20, 0x18, 0x20, 0x7F]),
    "X": bytes([0x63, 0x14, 0x08, 0x14, 0x63]),
    "Y": bytes([0x03, 0x04, 0x78, 0x04, 0x03]),
    "Z": bytes([0x61, 0x51, 0x49, 0x45, 0x43]),
    "_": bytes([0x40, 0x40, 0x40, 0x40, 0x40]),
    "'": bytes([0x00, 0x05, 0x03, 0x00, 0x00]),
    "<": bytes([0x00, 0x08, 0x14, 0x22, 0x41]),
    ">": bytes([0x41, 0x22, 0x14, 0x08, 0x00]),
}
_UNKNOWN = bytes([0x7F, 0x41, 0x41, 0x41, 0x7F])
_ASCII = str.maketrans("µ", "U")


class _Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.pixels = bytearray(WHITE * (width * height))

    def dot(self, x: int, y: int, color: Color) -> None:
        if 0 <= x < self.width and 0 <= y < self.height:
            at = 3 * (y * self.width + x)
            self.pixels[at : at + 3] = bytes(color)

    def rect(self, x0: int, y0: int, x1: int, y1: int, color: Color) -> None:
        for y in range(max(min(y0, y1), 0), min(max(y0, y1) + 1, self.height)):
            for x in range(max(min(x0, x1), 0), min(max(x0, x1) + 1, self.width)):
                self.dot(x, y, color)

    def line(self, x0: int, y0: int, x1: int, y1: int, color: Color, thick: int = 1) -> None:
        steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        for step in range(steps + 1):
            x = round(x0 + (x1 - x0) * step / steps)
            y = round(y0 + (y1 - y0) * step / steps)
            self.rect(x - thick // 2, y - thick // 2, x + thick // 2, y + thick // 2, color)

    def text(self, x: int, y: int, words: str, color: Color = INK, scale: int = 1) -> None:
        for index, char in enumerate(words.translate(_ASCII).upper()):
            glyph = _FONT.get(char, _UNKNOWN)
            for column, bits in enumerate(glyph):
                for row in range(7):
                    if bits >> row & 1:
                        left = x + (index * 6 + column) * scale
                        self.rect(
                            left,
                            y + row * scale,
                            left + scale - 1,
                            y + row * scale + scale - 1,
                            color,
                        )

    def png(self) -> bytes:
        rows = b"".join(
            b"\0" + bytes(self.pixels[3 * y * self.width : 3 * (y + 1) * self.width])
            for y in range(self.height)
        )

        def chunk(kind: bytes, data: bytes) -> bytes:
            body = kind + data
            return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 9))
            + chunk(b"IEND", b"")
        )


def _nice_top(value: float) -> float:
    """The smallest 1, 2 or 5 x 10^k at least `value`."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def _label(value: float) -> str:
    if value >= 1000 and value % 1000 == 0:
        return f"{value / 1000:g}K"
    return f"{value:.3g}"


def _y_scale(chart: Chart) -> tuple[list[float], float, float]:
    """The y ticks and the bottom and top of the y axis (in log10 units for `log_y`)."""
    ys = [y for series in chart.series for _, y in series.points]
    if not chart.log_y:
        top = _nice_top(max(ys, default=1))
        return [top * tick / 5 for tick in range(6)], 0.0, top
    low = math.floor(math.log10(min(y for y in ys if y > 0)))
    high = math.ceil(math.log10(max(ys)))
    return [10.0**power for power in range(low, high + 1)], float(low), float(high)


def write_chart(path: Path, chart: Chart) -> None:
    """Draw `chart` (log x; y linear from 0, or log) into a PNG file at `path`."""
    canvas = _Canvas(WIDTH, HEIGHT)
    xs = sorted({x for series in chart.series for x, _ in series.points})
    ticks, bottom, top = _y_scale(chart)
    low, high = math.log10(xs[0]), math.log10(xs[-1])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def at(x: float, y: float) -> tuple[int, int]:
        share = (math.log10(x) - low) / (high - low) if high > low else 0.5
        level = math.log10(max(y, 1e-12)) if chart.log_y else y
        rise = (level - bottom) / (top - bottom) if top > bottom else 0.5
        return LEFT + round(share * plot_w), TOP + plot_h - round(rise * plot_h)

    canvas.text(LEFT, 14, chart.title, scale=2)
    for value in ticks:
        _, y = at(xs[0], value)
        canvas.line(LEFT, y, LEFT + plot_w, y, GRID)
        canvas.text(LEFT - 8 - 6 * len(_label(value)), y - 3, _label(value))
    for x_value in xs:
        x, _ = at(x_value, ticks[0])
        canvas.line(x, TOP, x, TOP + plot_h, GRID)
        canvas.text(x - 3 * len(_label(x_value)), TOP + plot_h + 8, _label(x_value))
    canvas.line(LEFT, TOP, LEFT, TOP + plot_h, INK)
    canvas.line(LEFT, TOP + plot_h, LEFT + plot_w, TOP + plot_h, INK)
    canvas.text(LEFT + plot_w // 2 - 3 * len(chart.x_label), TOP + plot_h + 24, chart.x_label)
    canvas.text(8, TOP - 14, chart.y_label + (" (log scale)" if chart.log_y else ""))
    for index, series in enumerate(chart.series):
        color = PALETTE[index % len(PALETTE)]
        points = [at(x, y) for x, y in sorted(series.points)]
        for (x0, y0), (x1, y1) in itertools.pairwise(points):
            canvas.line(x0, y0, x1, y1, color, thick=3)
        for x, y in points:
            canvas.rect(x - 3, y - 3, x + 3, y + 3, color)
        legend_y = TOP + plot_h + 40 + 12 * (index // 2)
        legend_x = LEFT + (index % 2) * (plot_w // 2)
        canvas.rect(legend_x, legend_y, legend_x + 14, legend_y + 6, color)
        canvas.text(legend_x + 20, legend_y, series.name)
    path.write_bytes(canvas.png())
