"""VietQR (NAPAS 247 QR): build, parse and render transfer QR codes; the bank directory.

    payload = build_vietqr(bin="970432", account="0123456789", amount=50_000,
                           purpose=transfer_purpose("HS2025000123", "le phi"))
    render_png(payload, "out/HS2025000123.png")
    render_png(payload, "out/HS2025000123-caption.png", caption=True)   # bank, amount, dossier

Fidelity: the layout, GUID, tags and CRC follow the NAPAS QR specification as read through
public copies and reference implementations, with the spec's vectors reproduced; limits that
are not in a primary source are in `WireProfile` (see docs/banks/vietqr.md).
"""

from connectors.banks.vietqr.banks import (
    BANKS,
    Bank,
    UnknownBank,
    bank_by_bin,
    bank_by_short_name,
    find_bank,
)
from connectors.banks.vietqr.crc import crc16_ccitt_false, format_crc
from connectors.banks.vietqr.errors import InvalidQRPayload
from connectors.banks.vietqr.payload import (
    WIRE,
    VietQR,
    WireProfile,
    build_vietqr,
    parse_vietqr,
    transfer_purpose,
)
from connectors.banks.vietqr.render import (
    caption_lines,
    png_bytes,
    qr_code,
    render_png,
    render_svg,
    render_terminal,
    render_text,
    svg_text,
)

__all__ = [
    "BANKS",
    "WIRE",
    "Bank",
    "InvalidQRPayload",
    "UnknownBank",
    "VietQR",
    "WireProfile",
    "bank_by_bin",
    "bank_by_short_name",
    "build_vietqr",
    "caption_lines",
    "crc16_ccitt_false",
    "find_bank",
    "format_crc",
    "parse_vietqr",
    "png_bytes",
    "qr_code",
    "render_png",
    "render_svg",
    "render_terminal",
    "render_text",
    "svg_text",
    "transfer_purpose",
]
