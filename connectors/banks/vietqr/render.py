"""Render a VietQR payload as an image (PNG, SVG) or as text for a terminal, with segno.

Every function checks the payload with `parse_vietqr` first (pass `validate=False` to render
any string), so a bad payload raises `InvalidQRPayload` before a file is written.
Error-correction level M, a 4-module quiet zone by default (what bank apps scan reliably).

A PNG can carry a caption under the code, outside its quiet zone, so a citizen sees what
the code asks before scanning: `caption=True` writes the bank and account, the amount and
the transfer content (dossier code first) read from the payload; a list of strings writes
those lines instead. The code's modules are the same with or without a caption.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import segno

from connectors.banks.vietqr.payload import parse_vietqr
from connectors.core.raster import GreyImage
from connectors.vn.money import format_vnd

__all__ = [
    "caption_lines",
    "png_bytes",
    "qr_code",
    "render_png",
    "render_svg",
    "render_terminal",
    "render_text",
    "svg_text",
]

Target = str | Path | IO[bytes]
Caption = bool | Sequence[str]
_CAPTION_LEADING = 1.45  # line height, in font sizes


def qr_code(payload: str, *, validate: bool = True) -> Any:
    """The `segno.QRCode` for `payload` (error correction M, never a Micro QR)."""
    if validate:
        parse_vietqr(payload)
    return segno.make(payload, error="m", micro=False, boost_error=False)


def caption_lines(payload: str) -> list[str]:
    """What a caption says of `payload`: bank and account, amount, transfer content.

    ``["VPBank · 0123456789", "Số tiền: 50.000 ₫", "Nội dung: HS2026000101 LE PHI"]``; a
    static code (no amount) says the payer types the amount. Raises `InvalidQRPayload` for
    a bad payload.
    """
    qr = parse_vietqr(payload)
    bank = qr.bank.short_name if qr.bank is not None else f"BIN {qr.bin}"
    amount = "người nộp nhập" if qr.amount is None else format_vnd(qr.amount)
    lines = [f"{bank} · {qr.account}", f"Số tiền: {amount}"]
    return [*lines, f"Nội dung: {qr.purpose}"] if qr.purpose else lines


def _captioned_png(qr: Any, lines: Sequence[str], *, scale: int, border: int) -> bytes:
    """The code's modules as `save(kind="png")` draws them, `lines` centred below."""
    matrix = [[bool(m) for m in row] for row in qr.matrix_iter(scale=scale, border=border)]
    size = max(12.0, 2.25 * scale)
    leading = round(size * _CAPTION_LEADING)
    widths = [GreyImage.text_width(line, size, bold=n == 0) for n, line in enumerate(lines)]
    code = len(matrix[0])
    width = max(code, round(max(widths, default=0) + 2 * size))
    image = GreyImage(width, len(matrix) + leading * len(lines) + round(size))
    left = (width - code) // 2
    image.paste(matrix, left, 0)
    for n, line in enumerate(lines):
        baseline = len(matrix) + leading * n + size
        image.text(width / 2, baseline, line, size=size, bold=n == 0, align="center")
    return image.png()


def render_png(
    payload: str,
    target: Target,
    *,
    scale: int = 8,
    border: int = 4,
    validate: bool = True,
    caption: Caption = False,
) -> None:
    """Write a PNG of the QR code to `target` (a path or a binary file object).

    `scale` is pixels per module; a PNG at scale 8 of a typical VietQR is about 300 px.
    `caption=True` adds the bank, account, amount and transfer content below the code
    (`caption_lines`); a sequence of strings adds those lines instead.
    """
    qr = qr_code(payload, validate=validate)
    if caption is False or (not isinstance(caption, bool) and not caption):
        qr.save(
            str(target) if isinstance(target, Path) else target,
            kind="png",
            scale=scale,
            border=border,
        )
        return
    lines = caption_lines(payload) if caption is True else list(caption)
    data = _captioned_png(qr, lines, scale=scale, border=border)
    if isinstance(target, str | Path):
        Path(target).write_bytes(data)
    else:
        target.write(data)


def png_bytes(
    payload: str,
    *,
    scale: int = 8,
    border: int = 4,
    validate: bool = True,
    caption: Caption = False,
) -> bytes:
    """The PNG file of the QR code, as bytes (`caption` as for `render_png`)."""
    buffer = io.BytesIO()
    render_png(payload, buffer, scale=scale, border=border, validate=validate, caption=caption)
    return buffer.getvalue()


def render_svg(
    payload: str, target: Target, *, scale: int = 8, border: int = 4, validate: bool = True
) -> None:
    """Write an SVG of the QR code to `target` (a path or a binary file object)."""
    qr_code(payload, validate=validate).save(
        str(target) if isinstance(target, Path) else target, kind="svg", scale=scale, border=border
    )


def svg_text(payload: str, *, scale: int = 8, border: int = 4, validate: bool = True) -> str:
    """The SVG document of the QR code, as text."""
    buffer = io.BytesIO()
    render_svg(payload, buffer, scale=scale, border=border, validate=validate)
    return buffer.getvalue().decode("utf-8")


def render_terminal(
    payload: str, out: IO[str] | None = None, *, border: int = 2, validate: bool = True
) -> None:
    """Print the QR code to a terminal with segno's ANSI output (`out`: default stdout)."""
    qr_code(payload, validate=validate).terminal(out=out, border=border, compact=True)


def render_text(payload: str, *, border: int = 2, validate: bool = True) -> str:
    """The QR code as plain text, two modules per character cell with half blocks.

    Dark modules are drawn, so it scans on a light terminal background; no escape codes,
    so it can go into a log, a file or a rich panel.
    """
    rows = [
        [bool(module) for module in row]
        for row in qr_code(payload, validate=validate).matrix_iter(scale=1, border=border)
    ]
    if len(rows) % 2:
        rows.append([False] * len(rows[0]))
    glyphs = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}
    lines = []
    for top, bottom in zip(rows[0::2], rows[1::2], strict=True):
        lines.append("".join(glyphs[pair] for pair in zip(top, bottom, strict=True)).rstrip())
    return "\n".join(lines) + "\n"
