"""VNPT Invoice: SOAP 1.1 adapter over shipped WSDLs.

Fidelity: derived from integrators' code and an unofficial transcription of VNPT's
integration document (spec 2.3); guesses are in `WireProfile`. The simulator is
`connectors.testing.simulators.einvoice.vnpt.VnptInvoiceSimulator`.
"""

from connectors.core.deprecation import moved
from connectors.einvoice.vnpt.client import VnptInvoice, VnptInvoiceSettings
from connectors.einvoice.vnpt.wire import DEFAULT_PROFILE, ERR_CODES, WireProfile

__all__ = ["DEFAULT_PROFILE", "ERR_CODES", "VnptInvoice", "VnptInvoiceSettings", "WireProfile"]

__getattr__ = moved(
    __name__,
    {
        "VnptSettings": "connectors.einvoice.vnpt:VnptInvoiceSettings",
        "VnptProfile": "connectors.einvoice.vnpt:WireProfile",
    },
)
