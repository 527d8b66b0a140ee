"""What a PDF needs to know of a TrueType font: glyph ids, advance widths, metrics.

A small reader of the tables a PDF writer uses (``head``, ``hhea``, ``hmtx``, ``maxp``,
``cmap`` formats 4 and 12, ``OS/2``, ``post``); the font file itself is embedded whole. The
fonts the simulators ship are in ``connectors/testing/fonts/`` (DejaVu Sans, cut down to
Latin and Vietnamese; licence beside them).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

__all__ = ["TrueTypeFont", "shipped_font"]


def _tables(data: bytes) -> dict[str, bytes]:
    (count,) = struct.unpack_from(">H", data, 4)
    tables = {}
    for index in range(count):
        tag, _checksum, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * index)
        tables[tag.decode("latin-1")] = data[offset : offset + length]
    return tables


def _cmap_format_4(table: bytes) -> dict[int, int]:
    (segments_x2,) = struct.unpack_from(">H", table, 6)
    count = segments_x2 // 2
    ends = struct.unpack_from(f">{count}H", table, 14)
    starts = struct.unpack_from(f">{count}H", table, 16 + segments_x2)
    deltas = struct.unpack_from(f">{count}h", table, 16 + 2 * segments_x2)
    range_base = 16 + 3 * segments_x2
    offsets = struct.unpack_from(f">{count}H", table, range_base)
    mapping = {}
    for n in range(count):
        for code in range(starts[n], ends[n] + 1):
            if code == 0xFFFF:
                continue
            if offsets[n] == 0:
                glyph = (code + deltas[n]) & 0xFFFF
            else:
                at = range_base + 2 * n + offsets[n] + 2 * (code - starts[n])
                (glyph,) = struct.unpack_from(">H", table, at)
                glyph = (glyph + deltas[n]) & 0xFFFF if glyph else 0
            if glyph:
                mapping[code] = glyph
    return mapping


def _cmap_format_12(table: bytes) -> dict[int, int]:
    (groups,) = struct.unpack_from(">I", table, 12)
    mapping = {}
    for n in range(groups):
        first, last, glyph = struct.unpack_from(">III", table, 16 + 12 * n)
        for code in range(first, last + 1):
            mapping[code] = glyph + code - first
    return mapping


def _cmap(table: bytes) -> dict[int, int]:
    """The Unicode cmap: format 12 if the font has one, else format 4."""
    (count,) = struct.unpack_from(">H", table, 2)
    found: dict[int, bytes] = {}
    for n in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", table, 4 + 8 * n)
        if (platform, encoding) in ((3, 1), (3, 10), (0, 3), (0, 4)):
            (form,) = struct.unpack_from(">H", table, offset)
            found.setdefault(form, table[offset:])
    if 12 in found:
        return _cmap_format_12(found[12])
    if 4 in found:
        return _cmap_format_4(found[4])
    raise ValueError("the font has no Unicode cmap (format 4 or 12)")


@dataclass(frozen=True)
class TrueTypeFont:
    """A parsed TrueType font; widths and metrics in thousandths of the em (PDF's unit)."""

    name: str
    data: bytes
    glyphs: dict[int, int]
    """Unicode code point -> glyph id."""
    widths: tuple[int, ...]
    """Advance width of each glyph id, in 1/1000 em."""
    bbox: tuple[int, int, int, int]
    ascent: int
    descent: int
    cap_height: int
    italic_angle: float
    fixed_pitch: bool

    @classmethod
    def parse(cls, data: bytes, name: str) -> TrueTypeFont:
        """Read `data` (a .ttf file); `name` is the PostScript name the PDF will give it."""
        tables = _tables(data)
        units = int(struct.unpack_from(">H", tables["head"], 18)[0])

        def scale(value: float) -> int:
            return round(value * 1000 / units)

        x_min, y_min, x_max, y_max = struct.unpack_from(">4h", tables["head"], 36)
        ascent, descent = struct.unpack_from(">hh", tables["hhea"], 4)
        (metrics,) = struct.unpack_from(">H", tables["hhea"], 34)
        (count,) = struct.unpack_from(">H", tables["maxp"], 4)
        advances = [struct.unpack_from(">H", tables["hmtx"], 4 * n)[0] for n in range(metrics)]
        advances += [advances[-1]] * (count - metrics)
        os2 = tables.get("OS/2", b"")
        (version,) = struct.unpack_from(">H", os2, 0) if os2 else (0,)
        cap = struct.unpack_from(">h", os2, 88)[0] if version >= 2 else ascent
        angle, _position, _thickness, fixed = struct.unpack_from(">ihhI", tables["post"], 4)
        return cls(
            name=name,
            data=data,
            glyphs=_cmap(tables["cmap"]),
            widths=tuple(scale(a) for a in advances),
            bbox=(scale(x_min), scale(y_min), scale(x_max), scale(y_max)),
            ascent=scale(ascent),
            descent=scale(descent),
            cap_height=scale(cap),
            italic_angle=angle / 65536,
            fixed_pitch=bool(fixed),
        )

    def glyph(self, char: str) -> int:
        """The glyph id of `char` (0, the font's "missing" box, if it has none)."""
        return self.glyphs.get(ord(char), 0)

    def width(self, text: str, size: float) -> float:
        """How wide `text` is at `size` points (no kerning)."""
        return sum(self.widths[self.glyph(char)] for char in text) * size / 1000


@cache
def shipped_font(bold: bool = False) -> TrueTypeFont:
    """DejaVu Sans (or DejaVu Sans Bold) as shipped with the testing kit, parsed once."""
    file = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    data = files("connectors.testing").joinpath("fonts", file).read_bytes()
    return TrueTypeFont.parse(data, "DejaVuSans-Bold" if bold else "DejaVuSans")
