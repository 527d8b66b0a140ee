"""Viettel S-Invoice (SInvoice): REST/JSON adapter.

Fidelity: derived from integrators' code (Odoo ``l10n_vn_edi_viettel``); guesses are in
`WireProfile`, and `connectors.testing.simulators.einvoice.viettel` simulates the vendor.
"""

from connectors.core.deprecation import moved
from connectors.einvoice.viettel.client import ViettelInvoice, ViettelInvoiceSettings
from connectors.einvoice.viettel.wire import DEFAULT_PROFILE, VIETTEL_CODES, WireProfile

__all__ = [
    "DEFAULT_PROFILE",
    "VIETTEL_CODES",
    "ViettelInvoice",
    "ViettelInvoiceSettings",
    "WireProfile",
]

__getattr__ = moved(
    __name__,
    {
        "ViettelSInvoice": "connectors.einvoice.viettel:ViettelInvoice",
        "ViettelSettings": "connectors.einvoice.viettel:ViettelInvoiceSettings",
    },
)
