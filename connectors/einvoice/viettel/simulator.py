"""Deprecated: the Viettel S-Invoice simulator moved to the testing side.

It is `ViettelInvoiceSimulator` in `connectors.testing.simulators.einvoice.viettel`.
The old names still import from here for one release, with a
`DeprecationWarning`; the testing side is loaded only then.
"""

from connectors.core.deprecation import moved

__all__: list[str] = []

_HOME = "connectors.testing.simulators.einvoice.viettel"

__getattr__ = moved(
    __name__,
    {
        "ViettelSimulator": _HOME + ":ViettelInvoiceSimulator",
        "SimInvoice": _HOME + ":SimInvoice",
    },
)
