"""Deprecated: `connectors.testing.simulators.einvoice.bkav` is the simulator's home."""

from connectors.core.deprecation import moved

_NEW = "connectors.testing.simulators.einvoice.bkav:"
__getattr__ = moved(
    __name__,
    {"BkavSimulator": _NEW + "BkavInvoiceSimulator", "SimBkavInvoice": _NEW + "SimBkavInvoice"},
)
