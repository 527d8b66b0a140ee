"""Deprecated: the VNPT Invoice simulator moved to the testing side.

It is `VnptInvoiceSimulator` in `connectors.testing.simulators.einvoice.vnpt`.
The old names still import from here for one release, with a
`DeprecationWarning`; the testing side is loaded only then.
"""

from connectors.core.deprecation import moved

__all__: list[str] = []

_HOME = "connectors.testing.simulators.einvoice.vnpt"

__getattr__ = moved(
    __name__,
    {
        "VnptSimulator": _HOME + ":VnptInvoiceSimulator",
        "SimInvoice": _HOME + ":SimInvoice",
    },
)
