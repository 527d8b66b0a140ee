"""A TrueType font read for drawing text: glyph ids, advance widths, metrics, outlines.

A small reader of the tables a PDF writer and a rasteriser use (``head``, ``hhea``,
``hmtx``, ``maxp``, ``cmap`` formats 4 and 12, ``OS/2``, ``post``, ``loca``, ``glyf``),
for the simulators' PDFs (`connectors.testing.pdf`) and the captions of VietQR images
(`connectors.core.raster`). The font shipped is in ``connectors/core/fonts/`` (DejaVu Sans,
cut down to Latin and Vietnamese; licence beside it).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

__all__ = ["Contour", "TrueTypeFont", "shipped_font"]

Contour = list[tuple[float, float, bool]]
"""One closed outline: points in font units, each (x, y, on the curve)."""

_COMPONENT_WORDS, _COMPONENT_XY, _COMPONENT_MORE = 0x1, 0x2, 0x20
_COMPONENT_SCALE, _COMPONENT_XY_SCALE, _COMPONENT_2X2 = 0x8, 0x40, 0x80


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


def _simple_outline(glyph: bytes, contours: int) -> list[Contour]:
    ends = struct.unpack_from(f">{contours}H", glyph, 10)
    count = ends[-1] + 1 if ends else 0
    at = 10 + 2 * contours
    (instructions,) = struct.unpack_from(">H", glyph, at)
    at += 2 + instructions
    flags: list[int] = []
    while len(flags) < count:
        flag = glyph[at]
        at += 1
        repeat = 0
        if flag & 0x8:
            repeat = glyph[at]
            at += 1
        flags += [flag] * (1 + repeat)
    coordinates = []
    for short, same in ((0x2, 0x10), (0x4, 0x20)):
        value, values = 0, []
        for flag in flags[:count]:
            if flag & short:
                value += glyph[at] if flag & same else -glyph[at]
                at += 1
            elif not flag & same:
                value += struct.unpack_from(">h", glyph, at)[0]
                at += 2
            values.append(value)
        coordinates.append(values)
    points = [
        (float(x), float(y), bool(flag & 1))
        for x, y, flag in zip(*coordinates, flags, strict=False)
    ]
    starts = [0, *(end + 1 for end in ends[:-1])]
    return [points[start : end + 1] for start, end in zip(starts, ends, strict=True)]


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
    units_per_em: int = 1000
    glyph_data: tuple[bytes, ...] = ()
    """Each glyph's ``glyf`` record (empty for a glyph without outline)."""

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
        (long_offsets,) = struct.unpack_from(">h", tables["head"], 50)
        loca = tables["loca"]
        if long_offsets:
            offsets = struct.unpack_from(f">{count + 1}I", loca)
        else:
            offsets = tuple(2 * o for o in struct.unpack_from(f">{count + 1}H", loca))
        glyf = tables["glyf"]
        records = tuple(glyf[offsets[n] : offsets[n + 1]] for n in range(count))
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
            units_per_em=units,
            glyph_data=records,
        )

    def glyph(self, char: str) -> int:
        """The glyph id of `char` (0, the font's "missing" box, if it has none)."""
        return self.glyphs.get(ord(char), 0)

    def outline(self, glyph: int) -> list[Contour]:
        """The contours of `glyph` in font units (y up); a composite glyph's components
        placed (offsets and scales applied)."""
        record = self.glyph_data[glyph] if glyph < len(self.glyph_data) else b""
        if len(record) < 10:
            return []
        (contours,) = struct.unpack_from(">h", record, 0)
        if contours >= 0:
            return _simple_outline(record, contours)
        return self._composite(record)

    def _composite(self, record: bytes) -> list[Contour]:
        out: list[Contour] = []
        at, flags = 10, _COMPONENT_MORE
        while flags & _COMPONENT_MORE:
            flags, component = struct.unpack_from(">HH", record, at)
            at += 4
            form = ">hh" if flags & _COMPONENT_WORDS else ">bb"
            dx, dy = struct.unpack_from(form, record, at)
            at += struct.calcsize(form)
            if not flags & _COMPONENT_XY:  # anchored by point numbers: not used here
                dx = dy = 0
            a, b, c, d = 1.0, 0.0, 0.0, 1.0
            if flags & _COMPONENT_SCALE:
                a = d = struct.unpack_from(">h", record, at)[0] / 16384
                at += 2
            elif flags & _COMPONENT_XY_SCALE:
                a, d = (v / 16384 for v in struct.unpack_from(">hh", record, at))
                at += 4
            elif flags & _COMPONENT_2X2:
                a, b, c, d = (v / 16384 for v in struct.unpack_from(">4h", record, at))
                at += 8
            for contour in self.outline(component):
                out.append([(a * x + c * y + dx, b * x + d * y + dy, on) for x, y, on in contour])
        return out

    def width(self, text: str, size: float) -> float:
        """How wide `text` is at `size` points (no kerning)."""
        return sum(self.widths[self.glyph(char)] for char in text) * size / 1000


@cache
def shipped_font(bold: bool = False) -> TrueTypeFont:
    """DejaVu Sans (or DejaVu Sans Bold) as shipped in ``connectors/core/fonts``, parsed once."""
    file = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    data = files("connectors.core").joinpath("fonts", file).read_bytes()
    return TrueTypeFont.parse(data, "DejaVuSans-Bold" if bold else "DejaVuSans")
