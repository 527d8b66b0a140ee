"""Deprecated: `connectors.testing.simulators.einvoice.misa` is the simulator's home."""

from connectors.core.deprecation import moved

_NEW = "connectors.testing.simulators.einvoice.misa:"
__getattr__ = moved(
    __name__, {"MisaSimulator": _NEW + "MisaInvoiceSimulator", "SimInvoice": _NEW + "SimInvoice"}
)
