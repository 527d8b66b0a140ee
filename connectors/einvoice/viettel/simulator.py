"""Deprecated: the Viettel S-Invoice simulator is `ViettelInvoiceSimulator` in the testing side's
`connectors.testing.simulators.einvoice.viettel` (imported only when an old name is used)."""

from connectors.core.deprecation import moved

__all__: list[str] = []
_NEW = "connectors.testing.simulators.einvoice.viettel:"
__getattr__ = moved(
    __name__,
    {"ViettelSimulator": _NEW + "ViettelInvoiceSimulator", "SimInvoice": _NEW + "SimInvoice"},
)
