"""MISA meInvoice (REST/JSON): the adapter, its session and series locks, its wire format.

Fidelity: derived from an unofficial copy of MISA's integration document [P]; guessed
details live in `WireProfile`. Tests run it against `MisaInvoiceSimulator` (testing side).
"""

from connectors.core.deprecation import moved
from connectors.einvoice.misa.client import MisaInvoice, MisaInvoiceSettings
from connectors.einvoice.misa.series import SeriesLock, SeriesLocks
from connectors.einvoice.misa.series_postgres import PostgresSeriesLocks
from connectors.einvoice.misa.session import MisaSession
from connectors.einvoice.misa.wire import DEFAULT_PROFILE, MISA_CODES, WireProfile

__all__ = [
    "DEFAULT_PROFILE",
    "MISA_CODES",
    "MisaInvoice",
    "MisaInvoiceSettings",
    "MisaSession",
    "PostgresSeriesLocks",
    "SeriesLock",
    "SeriesLocks",
    "WireProfile",
]

__getattr__ = moved(
    __name__,
    {
        "MisaMeInvoice": "connectors.einvoice.misa:MisaInvoice",
        "MisaSettings": "connectors.einvoice.misa:MisaInvoiceSettings",
        "MisaProfile": "connectors.einvoice.misa:WireProfile",
    },
)
