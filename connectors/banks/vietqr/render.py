"""Render a VietQR payload as an image (PNG, SVG) or as text for a terminal, with segno.

Every function checks the payload with `parse_vietqr` first (pass `validate=False` to render
any string), so a bad payload raises `InvalidQRPayload` before a file is written.
Error-correction level M, a 4-module quiet zone by default (what bank apps scan reliably).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO, Any

import segno

from connectors.banks.vietqr.payload import parse_vietqr

__all__ = [
    "png_bytes",
    "qr_code",
    "render_png",
    "render_svg",
    "render_terminal",
    "render_text",
    "svg_text",
]

Target = str | Path | IO[bytes]


def qr_code(payload: str, *, validate: bool = True) -> Any:
    """The `segno.QRCode` for `payload` (error correction M, never a Micro QR)."""
    if validate:
        parse_vietqr(payload)
    return segno.make(payload, error="m", micro=False, boost_error=False)


def render_png(
    payload: str, target: Target, *, scale: int = 8, border: int = 4, validate: bool = True
) -> None:
    """Write a PNG of the QR code to `target` (a path or a binary file object).

    `scale` is pixels per module; a PNG at scale 8 of a typical VietQR is about 300 px.
    """
    qr_code(payload, validate=validate).save(
        str(target) if isinstance(target, Path) else target, kind="png", scale=scale, border=border
    )


def png_bytes(payload: str, *, scale: int = 8, border: int = 4, validate: bool = True) -> bytes:
    """The PNG file of the QR code, as bytes."""
    buffer = io.BytesIO()
    render_png(payload, buffer, scale=scale, border=border, validate=validate)
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
