"""MoMo e-wallet gateway (API v2): captureWallet create, IPN, query, refund.

Fidelity: official spec and samples for create and IPN; derived from integrators' code
for query and refund. Guessed details: `WireProfile`; `connectors.testing.simulators.banks.momo`
simulates the gateway.
"""

from typing import TYPE_CHECKING

from connectors.banks.momo.client import MomoGateway
from connectors.banks.momo.wire import DEFAULT_PROFILE, SANDBOX_BASE_URL, WireProfile
from connectors.core.deprecation import moved
from connectors.core.lazy import exports
from connectors.core.on_first_use import first_of

if TYPE_CHECKING:
    from connectors.banks.momo.settings import MomoGatewaySettings

__all__ = [
    "DEFAULT_PROFILE",
    "SANDBOX_BASE_URL",
    "MomoGateway",
    "MomoGatewaySettings",
    "WireProfile",
]

_settings, __dir__ = exports(__name__, {"connectors.banks.momo.settings": ("MomoGatewaySettings",)})
_moved = moved(
    __name__,
    {
        "MoMo": "connectors.banks.momo:MomoGateway",
        "MoMoSettings": "connectors.banks.momo:MomoGatewaySettings",
        "MoMoSimulator": "connectors.testing.simulators.banks.momo:MomoGatewaySimulator",
    },
)
__getattr__ = first_of(_settings, _moved)
