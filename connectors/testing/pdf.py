"""One-page PDFs for simulators that hand out a document's PDF, in Vietnamese with accents.

Real vendors render their own layout; a simulator needs a PDF that any viewer opens, that
reads as the document it stands for, and whose text can be extracted and searched. Text is
set in DejaVu Sans (shipped in ``connectors/core/fonts/``, Latin and Vietnamese), embedded
as a TrueType CID font (``Identity-H``) with a ``ToUnicode`` map, so "Một triệu đồng" shows
with its accents and copies out as typed. No dependency: the file is written here.

    page = PdfPage()
    page.text(56, 780, "BIÊN LAI THU PHÍ, LỆ PHÍ", size=16, bold=True)
    page.rule(56, 770, 539, 770)
    pdf = page.to_bytes(title="Biên lai 0000001")
"""

from __future__ import annotations

import hashlib
import unicodedata
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from connectors.core.truetype import TrueTypeFont, shipped_font

__all__ = ["A4", "Align", "PdfPage", "text_pdf"]

A4 = (595, 842)
"""A4 in points (width, height)."""

Align = Literal["left", "right", "center"]

_LEFT, _TOP, _LEADING = 56, 780, 18
_BFCHAR_CHUNK = 100  # a CMap's bfchar block holds at most 100 entries


def _clean(text: str) -> str:
    """`text` with control characters as spaces."""
    return "".join(" " if unicodedata.category(ch)[0] == "C" else ch for ch in text)


def _clusters(text: str) -> list[str]:
    """`text` cut into letters with their combining marks."""
    clusters: list[str] = []
    for char in text:
        if clusters and unicodedata.combining(char):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _drawable(char: str, font: TrueTypeFont) -> str | None:
    """`char` if the font has it, else its canonical parts if the font has them (a letter
    and its combining marks, decomposed as far as needed), else None."""
    if font.glyph(char):
        return char
    decomposition = unicodedata.decomposition(char)
    if not decomposition or decomposition.startswith("<"):
        return None
    parts = [_drawable(chr(int(code, 16)), font) for code in decomposition.split()]
    return None if None in parts else "".join(p for p in parts if p)


def _fit(text: str, font: TrueTypeFont) -> str:
    """`text` as it will be drawn: controls as spaces, each letter with its marks composed
    (one glyph per Vietnamese letter, however it was typed) where the font can draw that,
    else as typed; a letter the font lacks drawn from its parts where it can be."""
    out = []
    for cluster in _clusters(_clean(text)):
        composed = [_drawable(char, font) for char in unicodedata.normalize("NFC", cluster)]
        if all(part is not None for part in composed):
            out.append("".join(part or "" for part in composed))
        else:
            out.append("".join(_drawable(char, font) or char for char in cluster))
    return "".join(out)


def _literal(text: str) -> str:
    """`text` as a PDF literal string (for the document information)."""
    data = "\ufeff" + text
    return "<" + data.encode("utf-16-be").hex().upper() + ">"


@dataclass
class _UsedFont:
    """A font and the glyphs a page used from it (for its widths and ToUnicode map)."""

    font: TrueTypeFont
    resource: str
    used: dict[int, str] = field(default_factory=dict)
    """glyph id -> the text it stands for (the first character drawn with it)."""

    def encode(self, text: str) -> str:
        hexes = []
        for char in text:
            glyph = self.font.glyph(char)
            if glyph:
                self.used.setdefault(glyph, char)
            hexes.append(f"{glyph:04X}")
        return "<" + "".join(hexes) + ">"

    def widths(self) -> str:
        return " ".join(f"{g} [{self.font.widths[g]}]" for g in sorted({0, *self.used}))

    def to_unicode(self) -> bytes:
        lines = [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            f"/CMapName /{self.font.name}-UCS def",
            "/CMapType 2 def",
            "1 begincodespacerange <0000> <FFFF> endcodespacerange",
        ]
        pairs = sorted(self.used.items())
        for start in range(0, len(pairs), _BFCHAR_CHUNK):
            chunk = pairs[start : start + _BFCHAR_CHUNK]
            lines.append(f"{len(chunk)} beginbfchar")
            lines += [f"<{g:04X}> <{c.encode('utf-16-be').hex().upper()}>" for g, c in chunk]
            lines.append("endbfchar")
        lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
        return "\n".join(lines).encode("ascii")


def _subset_name(font: TrueTypeFont) -> str:
    """The name a PDF gives a font cut down to some glyphs: a six-letter tag, ``+``, the
    font's name (``ABCDEF+DejaVuSans``); the tag is derived from the font file."""
    digest = hashlib.sha256(font.data).digest()
    return "".join(chr(65 + byte % 26) for byte in digest[:6]) + "+" + font.name


def _stream(data: bytes, extra: str = "") -> bytes:
    packed = zlib.compress(data, 9)
    return (
        f"<< /Length {len(packed)} /Filter /FlateDecode{extra} >>\nstream\n".encode()
        + packed
        + b"\nendstream"
    )


class PdfPage:
    """One page of text and rules; `to_bytes` writes it as a PDF 1.4 file.

    Coordinates are points from the bottom left (A4 by default). Text is drawn in DejaVu
    Sans (`bold` for DejaVu Sans Bold); a character the font lacks shows as its empty box.
    """

    def __init__(self, size: tuple[int, int] = A4) -> None:
        self.size = size
        self._fonts = {
            False: _UsedFont(shipped_font(False), "F1"),
            True: _UsedFont(shipped_font(True), "F2"),
        }
        self._ops: list[str] = []

    def width(self, text: str, size: float, *, bold: bool = False) -> float:
        """How wide `text` is at `size` points."""
        font = self._fonts[bold].font
        return font.width(_fit(text, font), size)

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float = 10,
        bold: bool = False,
        align: Align = "left",
    ) -> None:
        """Draw `text` on one line with its baseline at `y`, starting (or ending, or centred)
        at `x`."""
        used = self._fonts[bold]
        text = _fit(text, used.font)
        shift = {"left": 0.0, "right": 1.0, "center": 0.5}[align]
        x -= used.font.width(text, size) * shift
        self._ops.append(
            f"BT /{used.resource} {size:g} Tf {x:.2f} {y:.2f} Td {used.encode(text)} Tj ET"
        )

    def wrap(self, text: str, width: float, size: float, *, bold: bool = False) -> list[str]:
        """`text` cut into lines no wider than `width` at `size` (at spaces where it can)."""
        lines: list[str] = []
        current = ""
        for word in _clean(text).split():
            candidate = f"{current} {word}" if current else word
            if current and self.width(candidate, size, bold=bold) > width:
                lines.append(current)
                candidate = word
            while self.width(candidate, size, bold=bold) > width and len(candidate) > 1:
                cut = len(candidate) - 1
                while cut > 1 and self.width(candidate[:cut], size, bold=bold) > width:
                    cut -= 1
                lines.append(candidate[:cut])
                candidate = candidate[cut:]
            current = candidate
        return [*lines, current] if current else lines or [""]

    def rule(self, x1: float, y1: float, x2: float, y2: float, *, width: float = 0.5) -> None:
        """Draw a straight line."""
        self._ops.append(f"{width:g} w {x1:.2f} {y1:.2f} m {x2:.2f} {y2:.2f} l S")

    def _font_objects(self, first: int) -> Iterator[bytes]:
        """Type0 font, CID font, descriptor, font file and ToUnicode map of each font."""
        for number, used in enumerate(self._fonts.values()):
            base = first + 5 * number
            font, name = used.font, _subset_name(used.font)
            flags = 32 | (1 if font.fixed_pitch else 0)  # nonsymbolic
            yield (
                f"<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H "
                f"/DescendantFonts [{base + 1} 0 R] /ToUnicode {base + 4} 0 R >>"
            ).encode()
            yield (
                f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{name} "
                "/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
                f"/FontDescriptor {base + 2} 0 R /CIDToGIDMap /Identity "
                f"/DW 1000 /W [{used.widths()}] >>"
            ).encode()
            yield (
                f"<< /Type /FontDescriptor /FontName /{name} /Flags {flags} "
                f"/FontBBox [{' '.join(map(str, font.bbox))}] /ItalicAngle {font.italic_angle:g} "
                f"/Ascent {font.ascent} /Descent {font.descent} /CapHeight {font.cap_height} "
                f"/StemV {120 if used.resource == 'F2' else 80} /FontFile2 {base + 3} 0 R >>"
            ).encode()
            yield _stream(font.data, f" /Length1 {len(font.data)}")
            yield _stream(used.to_unicode())

    def to_bytes(self, *, title: str = "") -> bytes:
        """The page as a PDF file; `title` goes into the document information."""
        content = _stream("\n".join(self._ops).encode("ascii"))  # fonts' glyphs known now
        width, height = self.size
        objects = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            (
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] "
                "/Resources << /Font << /F1 6 0 R /F2 11 0 R >> >> /Contents 4 0 R >>"
            ).encode(),
            content,
            f"<< /Title {_literal(title)} /Producer (connectors.testing) >>".encode(),
            *self._font_objects(6),
        ]
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        for offset in offsets:
            out += b"%010d 00000 n \n" % offset
        out += b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
            len(objects) + 1,
            xref,
        )
        return bytes(out)


def text_pdf(title: str, lines: Sequence[str]) -> bytes:
    """A one-page A4 PDF with `title` in bold and `lines` below it, accents kept."""
    page = PdfPage()
    page.text(_LEFT, _TOP, title, size=16, bold=True)
    for n, line in enumerate(lines, start=1):
        page.text(_LEFT, _TOP - 12 - n * _LEADING, line, size=11)
    return page.to_bytes(title=title)
