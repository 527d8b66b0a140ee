"""Deprecated: the MISA meInvoice simulator is `MisaInvoiceSimulator` in the testing side's
`connectors.testing.simulators.einvoice.misa` (imported only when an old name is used)."""

from connectors.core.deprecation import moved

__all__: list[str] = []
_NEW = "connectors.testing.simulators.einvoice.misa:"
__getattr__ = moved(
    __name__, {"MisaSimulator": _NEW + "MisaInvoiceSimulator", "SimInvoice": _NEW + "SimInvoice"}
)
