"""VNPT Invoice: SOAP 1.1 adapter over shipped WSDLs, and its simulator.

Fidelity: derived from integrators' code and an unofficial transcription of VNPT's
integration document (spec 2.3); guesses are in `VnptProfile`. The simulator is
`connectors.einvoice.vnpt.simulator.VnptSimulator`.
"""

from connectors.einvoice.vnpt.client import VnptInvoice, VnptSettings
from connectors.einvoice.vnpt.wire import DEFAULT_PROFILE, ERR_CODES, VnptProfile

__all__ = ["DEFAULT_PROFILE", "ERR_CODES", "VnptInvoice", "VnptProfile", "VnptSettings"]
