"""Deprecated: the MISA meInvoice simulator moved to the testing side.

It is `MisaInvoiceSimulator` in `connectors.testing.simulators.einvoice.misa`.
The old names still import from here for one release, with a
`DeprecationWarning`; the testing side is loaded only then.
"""

from connectors.core.deprecation import moved

__all__: list[str] = []

_HOME = "connectors.testing.simulators.einvoice.misa"

__getattr__ = moved(
    __name__,
    {
        "MisaSimulator": _HOME + ":MisaInvoiceSimulator",
        "SimInvoice": _HOME + ":SimInvoice",
    },
)
