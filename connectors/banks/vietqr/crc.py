"""CRC-16/CCITT-FALSE, the checksum closing every EMVCo merchant-presented QR (tag 63).

poly 0x1021, init 0xFFFF, no reflection, xorout 0; the check value of "123456789" is 0x29B1.
VietQR computes it over the UTF-8 bytes of the whole payload up to and including "6304",
and writes it as four upper-case, zero-padded hexadecimal digits.
"""

from __future__ import annotations

__all__ = ["crc16_ccitt_false", "format_crc"]


def _table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
        table.append(crc & 0xFFFF)
    return tuple(table)


_TABLE = _table()


def crc16_ccitt_false(data: bytes | str) -> int:
    """The CRC-16/CCITT-FALSE of `data` (text is encoded as UTF-8 first)."""
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    crc = 0xFFFF
    for byte in raw:
        crc = ((crc << 8) & 0xFFFF) ^ _TABLE[((crc >> 8) ^ byte) & 0xFF]
    return crc


def format_crc(data: bytes | str) -> str:
    """The CRC of `data` as tag 63 carries it: four upper-case hex digits, zero-padded."""
    return f"{crc16_ccitt_false(data):04X}"
