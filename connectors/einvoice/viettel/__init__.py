"""Viettel S-Invoice (SInvoice): REST/JSON adapter and simulator.

Fidelity: derived from integrators' code (Odoo ``l10n_vn_edi_viettel``); guesses are in
`WireProfile`. The simulator is `connectors.einvoice.viettel.simulator.ViettelSimulator`.
"""

from connectors.einvoice.viettel.client import ViettelSettings, ViettelSInvoice
from connectors.einvoice.viettel.wire import DEFAULT_PROFILE, VIETTEL_CODES, WireProfile

__all__ = ["DEFAULT_PROFILE", "VIETTEL_CODES", "ViettelSInvoice", "ViettelSettings", "WireProfile"]
