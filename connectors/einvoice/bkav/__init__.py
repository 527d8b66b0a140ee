"""BKAV eHoadon (SOAP `ExecCommand` + gzip/AES-256-CBC/base64 payload): the adapter, the
payload codec and the wire format.

Fidelity: transport and command numbers from partners' code [V]; JSON fields guessed [G],
collected in `WireProfile`. The simulator is
`connectors.testing.simulators.einvoice.bkav.BkavInvoiceSimulator`.
"""

from connectors.core.deprecation import moved
from connectors.einvoice.bkav.client import BkavInvoice, BkavInvoiceSettings
from connectors.einvoice.bkav.codec import (
    BkavKey,
    decode_bytes,
    decode_json,
    encode_bytes,
    encode_json,
)
from connectors.einvoice.bkav.wire import CMD, DEFAULT_PROFILE, WireProfile

__all__ = [
    "CMD",
    "DEFAULT_PROFILE",
    "BkavInvoice",
    "BkavInvoiceSettings",
    "BkavKey",
    "WireProfile",
    "decode_bytes",
    "decode_json",
    "encode_bytes",
    "encode_json",
]

__getattr__ = moved(
    __name__,
    {
        "BkavEHoadon": "connectors.einvoice.bkav:BkavInvoice",
        "BkavSettings": "connectors.einvoice.bkav:BkavInvoiceSettings",
        "BkavProfile": "connectors.einvoice.bkav:WireProfile",
    },
)
