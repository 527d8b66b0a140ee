"""Reading back the PNGs the library draws (8-bit greyscale, rows unfiltered)."""

from __future__ import annotations

import struct
import zlib


def grey_pixels(png: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of an 8-bit greyscale PNG written without row filters."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    at, idat, header = 8, b"", b""
    while at < len(png):
        (length,) = struct.unpack_from(">I", png, at)
        kind, data = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        assert struct.unpack_from(">I", png, at + 8 + length)[0] == zlib.crc32(kind + data)
        header = data if kind == b"IHDR" else header
        idat += data if kind == b"IDAT" else b""
        at += 12 + length
    width, height, depth, colour = struct.unpack_from(">IIBB", header)
    assert (8, 0) == (depth, colour)
    raw = zlib.decompress(idat)
    rows = [raw[r * (width + 1) : (r + 1) * (width + 1)] for r in range(height)]
    assert all(row[0] == 0 for row in rows)
    return width, height, [row[1:] for row in rows]
