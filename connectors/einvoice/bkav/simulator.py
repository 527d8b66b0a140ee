"""Deprecated: the BKAV eHoadon simulator is `BkavInvoiceSimulator` in the testing side's
`connectors.testing.simulators.einvoice.bkav` (imported only when an old name is used)."""

from connectors.core.deprecation import moved

__all__: list[str] = []
_NEW = "connectors.testing.simulators.einvoice.bkav:"
__getattr__ = moved(
    __name__,
    {"BkavSimulator": _NEW + "BkavInvoiceSimulator", "SimBkavInvoice": _NEW + "SimBkavInvoice"},
)
