"""payOS payment links (VietQR bank transfer with a webhook): create, status, cancel.

Fidelity: official spec for the webhook signature; derived from payOS's SDK readmes for
the rest; guessed details in `WireProfile`. No refund API.
`connectors.testing.simulators.banks.payos` simulates the gateway.
"""

from connectors.banks.payos.client import PayosGateway, PayosGatewaySettings
from connectors.banks.payos.wire import DEFAULT_PROFILE, PRODUCTION_BASE_URL, WireProfile
from connectors.core.deprecation import moved

__all__ = [
    "DEFAULT_PROFILE",
    "PRODUCTION_BASE_URL",
    "PayosGateway",
    "PayosGatewaySettings",
    "WireProfile",
]

__getattr__ = moved(
    __name__,
    {
        "PayOS": "connectors.banks.payos:PayosGateway",
        "PayOSSettings": "connectors.banks.payos:PayosGatewaySettings",
        "PayOSSimulator": "connectors.testing.simulators.banks.payos:PayosGatewaySimulator",
    },
)
