"""Deprecated: the BKAV eHoadon simulator moved to the testing side.

It is `BkavInvoiceSimulator` in `connectors.testing.simulators.einvoice.bkav`.
The old names still import from here for one release, with a
`DeprecationWarning`; the testing side is loaded only then.
"""

from connectors.core.deprecation import moved

__all__: list[str] = []

_HOME = "connectors.testing.simulators.einvoice.bkav"

__getattr__ = moved(
    __name__,
    {
        "BkavSimulator": _HOME + ":BkavInvoiceSimulator",
        "SimBkavInvoice": _HOME + ":SimBkavInvoice",
    },
)
