"""Deprecated: `connectors.testing.simulators.einvoice.viettel` is the simulator's home."""

from connectors.core.deprecation import moved

_NEW = "connectors.testing.simulators.einvoice.viettel:"
__getattr__ = moved(
    __name__,
    {"ViettelSimulator": _NEW + "ViettelInvoiceSimulator", "SimInvoice": _NEW + "SimInvoice"},
)
