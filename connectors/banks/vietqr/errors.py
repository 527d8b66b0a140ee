"""The error a malformed VietQR payload raises."""

from __future__ import annotations

from connectors.core.errors import ValidationError

__all__ = ["InvalidQRPayload"]


class InvalidQRPayload(ValidationError):
    """A QR payload is not a well-formed VietQR string.

    Raised for a bad CRC, a length field that does not fit, a broken TLV structure, or a
    missing or wrong mandatory element. `field` names the element ("crc", "tag 38",
    "amount"...).
    """
