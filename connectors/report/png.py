"""A small RGB canvas written as PNG with the standard library only (zlib): rectangles,
lines and text in the 5x7 font. Enough for a chart; no drawing dependency."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from connectors.report.font import GLYPH_HEIGHT, GLYPH_WIDTH, glyph

__all__ = ["Canvas", "Color"]

Color = tuple[int, int, int]


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


class Canvas:
    """`width` x `height` pixels, all `background` at first; (0, 0) is the top left."""

    def __init__(self, width: int, height: int, background: Color = (255, 255, 255)) -> None:
        if width < 1 or height < 1:
            raise ValueError("a canvas needs at least one pixel")
        self.width = width
        self.height = height
        self._pixels = bytearray(bytes(background) * (width * height))

    def pixel(self, x: int, y: int) -> Color:
        """The colour at (x, y)."""
        at = (y * self.width + x) * 3
        red, green, blue = self._pixels[at : at + 3]
        return (red, green, blue)

    def rect(self, x: int, y: int, width: int, height: int, color: Color) -> None:
        """Fill a rectangle (clipped to the canvas)."""
        left, top = max(x, 0), max(y, 0)
        right, bottom = min(x + width, self.width), min(y + height, self.height)
        if right <= left or bottom <= top:
            return
        run = bytes(color) * (right - left)
        for row in range(top, bottom):
            start = (row * self.width + left) * 3
            self._pixels[start : start + len(run)] = run

    def line(self, x0: int, y0: int, x1: int, y1: int, color: Color, width: int = 1) -> None:
        """A straight line `width` pixels thick (Bresenham, squares at each step)."""
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        error = dx + dy
        half = width // 2
        while True:
            self.rect(x0 - half, y0 - half, width, width, color)
            if x0 == x1 and y0 == y1:
                return
            doubled = 2 * error
            if doubled >= dy:
                error += dy
                x0 += sx
            if doubled <= dx:
                error += dx
                y0 += sy

    @staticmethod
    def text_width(text: str, scale: int = 1) -> int:
        """How many pixels `text` takes across."""
        return max(len(text) * (GLYPH_WIDTH + 1) - 1, 0) * scale

    def text(self, x: int, y: int, text: str, color: Color, scale: int = 1) -> None:
        """Write `text` with its top left at (x, y), each font pixel `scale` pixels wide."""
        for index, char in enumerate(text):
            left = x + index * (GLYPH_WIDTH + 1) * scale
            for row, bits in enumerate(glyph(char)):
                for column, lit in enumerate(bits):
                    if lit:
                        self.rect(left + column * scale, y + row * scale, scale, scale, color)

    @staticmethod
    def text_height(scale: int = 1) -> int:
        return GLYPH_HEIGHT * scale

    def to_png(self) -> bytes:
        """The canvas as PNG bytes (8-bit RGB, no filter)."""
        stride = self.width * 3
        raw = b"".join(
            b"\x00" + bytes(self._pixels[row * stride : (row + 1) * stride])
            for row in range(self.height)
        )
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            b"\x89PNG\r\n\x1a\n"
            + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(raw, 9))
            + _chunk(b"IEND", b"")
        )

    def save(self, path: str | Path) -> Path:
        """Write the PNG to `path`; returns it."""
        target = Path(path)
        target.write_bytes(self.to_png())
        return target
