"""MoMo e-wallet gateway (API v2): captureWallet create, IPN, query, refund.

Fidelity: official spec and samples for create and IPN; derived from integrators' code
for query and refund. Guessed details: `WireProfile`.
"""

from connectors.banks.momo.client import MoMo, MoMoSettings
from connectors.banks.momo.simulator import MoMoSimulator
from connectors.banks.momo.wire import SANDBOX_BASE_URL, WireProfile

__all__ = ["SANDBOX_BASE_URL", "MoMo", "MoMoSettings", "MoMoSimulator", "WireProfile"]
