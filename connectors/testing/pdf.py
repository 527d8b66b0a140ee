"""A one-page PDF of plain text lines, for simulators that hand out a document's PDF.

Real vendors render their own layout; a simulator only needs a PDF that any viewer opens
and that says which document it is. Text is written unaccented (Vietnamese letters outside
the standard Helvetica encoding are stripped of their diacritics).
"""

from __future__ import annotations

from collections.abc import Sequence

from connectors.vn.text import strip_diacritics

__all__ = ["text_pdf"]

_PAGE_HEIGHT = 842  # A4 in points
_LEFT, _TOP, _LEADING = 56, 780, 18


def _escape(line: str) -> str:
    plain = strip_diacritics(line).encode("latin-1", errors="replace").decode("latin-1")
    return plain.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def text_pdf(title: str, lines: Sequence[str]) -> bytes:
    """A valid PDF 1.4 with `title` in bold and `lines` below it, on one A4 page."""
    body = [f"BT /F2 16 Tf {_LEFT} {_TOP} Td ({_escape(title)}) Tj ET"]
    for n, line in enumerate(lines, start=1):
        y = _TOP - 12 - n * _LEADING
        body.append(f"BT /F1 11 Tf {_LEFT} {y} Td ({_escape(line)}) Tj ET")
    stream = "\n".join(body).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 {_PAGE_HEIGHT}] "
            "/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>"
        ).encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + content + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
