"""A small greyscale image: squares, anti-aliased text in a TrueType font, written as PNG.

What a VietQR image needs to carry a caption under its code (bank, account, amount, dossier)
without an imaging dependency: glyph outlines from `connectors.core.truetype` are flattened
to line segments and filled with the non-zero rule, 4 sub-scanlines a pixel and exact
horizontal coverage. Pixels are 0 (black) to 255 (white).

    image = GreyImage(300, 80)
    image.text(150, 30, "Một triệu đồng", size=16, align="center")
    png = image.png()
"""

from __future__ import annotations

import itertools
import struct
import zlib
from collections.abc import Sequence
from typing import Literal

from connectors.core.truetype import Contour, TrueTypeFont, shipped_font

__all__ = ["GreyImage"]

_SUBSAMPLES = 4  # sub-scanlines per pixel row
_CURVE_STEPS = 6  # line segments per quadratic curve
Edge = tuple[float, float, float, float]


def _segments(contour: Contour) -> list[tuple[float, float]]:
    """The polygon of a TrueType contour: its quadratic curves flattened."""
    if not contour:
        return []
    points = list(contour)
    start = next((i for i, p in enumerate(points) if p[2]), None)
    if start is None:  # all off the curve: start between the first two
        (x0, y0, _), (x1, y1, _) = points[0], points[1]
        points.insert(0, ((x0 + x1) / 2, (y0 + y1) / 2, True))
        start = 0
    points = points[start:] + points[:start] + [points[start]]
    polygon = [(points[0][0], points[0][1])]
    control: tuple[float, float] | None = None
    for x, y, on in points[1:]:
        if not on:
            if control is not None:  # two off points: an implied on point between them
                mid = ((control[0] + x) / 2, (control[1] + y) / 2)
                polygon += _curve(polygon[-1], control, mid)
            control = (x, y)
            continue
        polygon += [(x, y)] if control is None else _curve(polygon[-1], control, (x, y))
        control = None
    return polygon


def _curve(
    start: tuple[float, float], control: tuple[float, float], end: tuple[float, float]
) -> list[tuple[float, float]]:
    out = []
    for step in range(1, _CURVE_STEPS + 1):
        t = step / _CURVE_STEPS
        u = 1 - t
        out.append(
            (
                u * u * start[0] + 2 * u * t * control[0] + t * t * end[0],
                u * u * start[1] + 2 * u * t * control[1] + t * t * end[1],
            )
        )
    return out


class GreyImage:
    """A `width` x `height` greyscale image, white to begin with."""

    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.height = height
        self.pixels = bytearray(b"\xff" * (width * height))

    def fill(self, x: int, y: int, width: int, height: int, value: int = 0) -> None:
        """Paint a rectangle (top-left corner at `x`, `y`) with `value`."""
        for row in range(max(0, y), min(self.height, y + height)):
            start = row * self.width
            lo, hi = max(0, x), min(self.width, x + width)
            self.pixels[start + lo : start + hi] = bytes([value]) * max(0, hi - lo)

    def paste(self, rows: Sequence[Sequence[bool]], x: int = 0, y: int = 0) -> None:
        """Draw a matrix of dark (True) and light cells, one pixel each, from `x`, `y`."""
        for dy, row in enumerate(rows):
            at = (y + dy) * self.width + x
            self.pixels[at : at + len(row)] = bytes(0 if dark else 255 for dark in row)

    @staticmethod
    def text_width(text: str, size: float, *, bold: bool = False) -> float:
        """How many pixels `text` takes at `size` pixels to the em."""
        return shipped_font(bold).width(text, size)

    def text(
        self,
        x: float,
        baseline: float,
        text: str,
        *,
        size: float,
        bold: bool = False,
        align: Literal["left", "right", "center"] = "left",
    ) -> None:
        """Draw `text` in black, `size` pixels to the em, its baseline at row `baseline`."""
        font = shipped_font(bold)
        x -= font.width(text, size) * {"left": 0.0, "right": 1.0, "center": 0.5}[align]
        edges = self._edges(font, text, x, baseline, size / font.units_per_em)
        self._fill_edges(edges)

    @staticmethod
    def _edges(
        font: TrueTypeFont, text: str, x: float, baseline: float, scale: float
    ) -> list[Edge]:
        edges: list[Edge] = []
        for char in text:
            glyph = font.glyph(char)
            for contour in font.outline(glyph):
                polygon = [(x + px * scale, baseline - py * scale) for px, py in _segments(contour)]
                edges += [
                    (x0, y0, x1, y1)
                    for (x0, y0), (x1, y1) in itertools.pairwise(polygon)
                    if y0 != y1
                ]
            x += font.widths[glyph] * scale * font.units_per_em / 1000
        return edges

    def _fill_edges(self, edges: list[Edge]) -> None:
        if not edges:
            return
        top = max(0, int(min(min(e[1], e[3]) for e in edges)))
        bottom = min(self.height, int(max(max(e[1], e[3]) for e in edges)) + 1)
        for row in range(top, bottom):
            coverage = [0.0] * (self.width + 1)
            for sub in range(_SUBSAMPLES):
                y = row + (sub + 0.5) / _SUBSAMPLES
                crossings = []
                for x0, y0, x1, y1 in edges:
                    if (y0 <= y < y1) or (y1 <= y < y0):
                        at = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
                        crossings.append((at, 1 if y1 > y0 else -1))
                crossings.sort()
                winding = 0
                for (left, direction), (right, _) in itertools.pairwise(crossings):
                    winding += direction
                    if winding:
                        self._span(coverage, left, right)
            at = row * self.width
            for column in range(self.width):
                ink = min(1.0, coverage[column] / _SUBSAMPLES)
                if ink > 0:
                    self.pixels[at + column] = min(self.pixels[at + column], round(255 * (1 - ink)))

    def _span(self, coverage: list[float], left: float, right: float) -> None:
        """Add the horizontal coverage of [left, right) to each pixel it touches."""
        left, right = max(0.0, left), min(float(self.width), right)
        if right <= left:
            return
        first, last = int(left), min(int(right), self.width - 1)
        if first == last:
            coverage[first] += right - left
            return
        coverage[first] += first + 1 - left
        for column in range(first + 1, last):
            coverage[column] += 1.0
        coverage[last] += right - last

    def png(self) -> bytes:
        """The image as an 8-bit greyscale PNG file."""
        raw = b"".join(
            b"\x00" + bytes(self.pixels[row * self.width : (row + 1) * self.width])
            for row in range(self.height)
        )

        def chunk(kind: bytes, data: bytes) -> bytes:
            body = kind + data
            return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 0, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b"")
        )
