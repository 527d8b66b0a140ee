"""Deprecated: `connectors.testing.simulators.einvoice.vnpt` is the simulator's home."""

from connectors.core.deprecation import moved

_NEW = "connectors.testing.simulators.einvoice.vnpt:"
__getattr__ = moved(
    __name__, {"VnptSimulator": _NEW + "VnptInvoiceSimulator", "SimInvoice": _NEW + "SimInvoice"}
)
