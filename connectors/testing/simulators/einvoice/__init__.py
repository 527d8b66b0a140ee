"""The e-invoice vendors simulated: VNPT Invoice, Viettel S-Invoice, MISA meInvoice, BKAV.

Each keeps a ledger of what the vendor accepted, applies the vendor's idempotency and
numbering rules, and signs the tax-authority XML of every invoice with a throw-away TEST
certificate (`InvoiceSimulator`). Faults come from the kit: `CommitThenStatus` (processed,
then a 5xx) and `TimeoutAfterCommit` (processed, then no answer; `hold=0` resets at once).
"""

from connectors.testing.simulators.einvoice.base import InvoiceSimulator, throwaway_credentials
from connectors.testing.simulators.einvoice.bkav import BkavInvoiceSimulator
from connectors.testing.simulators.einvoice.misa import MisaInvoiceSimulator
from connectors.testing.simulators.einvoice.viettel import ViettelInvoiceSimulator
from connectors.testing.simulators.einvoice.vnpt import VnptInvoiceSimulator

__all__ = [
    "BkavInvoiceSimulator",
    "InvoiceSimulator",
    "MisaInvoiceSimulator",
    "ViettelInvoiceSimulator",
    "VnptInvoiceSimulator",
    "throwaway_credentials",
]
