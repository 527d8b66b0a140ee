"""MISA meInvoice (REST/JSON): the adapter, its wire format, and a simulator.

Fidelity: derived from an unofficial copy of MISA's integration document [P]; guessed
details live in `MisaProfile`.
"""

from connectors.einvoice.misa.client import MisaMeInvoice, MisaSettings
from connectors.einvoice.misa.series import SeriesLock, SeriesLocks
from connectors.einvoice.misa.series_postgres import PostgresSeriesLocks
from connectors.einvoice.misa.session import MisaSession
from connectors.einvoice.misa.wire import DEFAULT_PROFILE, MISA_CODES, MisaProfile

__all__ = [
    "DEFAULT_PROFILE",
    "MISA_CODES",
    "MisaMeInvoice",
    "MisaProfile",
    "MisaSession",
    "MisaSettings",
    "PostgresSeriesLocks",
    "SeriesLock",
    "SeriesLocks",
]
