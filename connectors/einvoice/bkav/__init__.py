"""BKAV eHoadon (SOAP `ExecCommand` + gzip/AES-256-CBC/base64 payload): the adapter, the
payload codec, the wire format and a simulator.

Fidelity: transport and command numbers from partners' code [V]; JSON fields guessed [G],
collected in `BkavProfile`.
"""

from connectors.einvoice.bkav.client import BkavEHoadon, BkavSettings
from connectors.einvoice.bkav.codec import (
    BkavKey,
    decode_bytes,
    decode_json,
    encode_bytes,
    encode_json,
)
from connectors.einvoice.bkav.wire import CMD, DEFAULT_PROFILE, BkavProfile

__all__ = [
    "CMD",
    "DEFAULT_PROFILE",
    "BkavEHoadon",
    "BkavKey",
    "BkavProfile",
    "BkavSettings",
    "decode_bytes",
    "decode_json",
    "encode_bytes",
    "encode_json",
]
