"""MoMo e-wallet gateway (API v2): captureWallet create, IPN, query, refund.

Fidelity: official spec and samples for create and IPN; derived from integrators' code
for query and refund. Guessed details: `WireProfile`; `connectors.testing.simulators.banks.momo`
simulates the gateway.
"""

from connectors.banks.momo.client import MomoGateway, MomoGatewaySettings
from connectors.banks.momo.wire import DEFAULT_PROFILE, SANDBOX_BASE_URL, WireProfile
from connectors.core.deprecation import moved

__all__ = [
    "DEFAULT_PROFILE",
    "SANDBOX_BASE_URL",
    "MomoGateway",
    "MomoGatewaySettings",
    "WireProfile",
]

__getattr__ = moved(
    __name__,
    {
        "MoMo": "connectors.banks.momo:MomoGateway",
        "MoMoSettings": "connectors.banks.momo:MomoGatewaySettings",
        "MoMoSimulator": "connectors.testing.simulators.banks.momo:MomoGatewaySimulator",
    },
)
