"""Deprecated: the VNPT Invoice simulator is `VnptInvoiceSimulator` in the testing side's
`connectors.testing.simulators.einvoice.vnpt` (imported only when an old name is used)."""

from connectors.core.deprecation import moved

__all__: list[str] = []
_NEW = "connectors.testing.simulators.einvoice.vnpt:"
__getattr__ = moved(
    __name__, {"VnptSimulator": _NEW + "VnptInvoiceSimulator", "SimInvoice": _NEW + "SimInvoice"}
)
