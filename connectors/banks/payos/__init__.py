"""payOS payment links (VietQR bank transfer with a webhook): create, status, cancel.

Fidelity: official spec for the webhook signature; derived from payOS's SDK readmes for
the rest; guessed details in `WireProfile`. No refund API.
`connectors.testing.simulators.banks.payos` simulates the gateway.
"""

from typing import TYPE_CHECKING

from connectors.banks.payos.client import PayosGateway
from connectors.banks.payos.wire import DEFAULT_PROFILE, PRODUCTION_BASE_URL, WireProfile
from connectors.core.deprecation import moved
from connectors.core.lazy import exports
from connectors.core.on_first_use import first_of

if TYPE_CHECKING:
    from connectors.banks.payos.settings import PayosGatewaySettings

__all__ = [
    "DEFAULT_PROFILE",
    "PRODUCTION_BASE_URL",
    "PayosGateway",
    "PayosGatewaySettings",
    "WireProfile",
]

_settings, __dir__ = exports(
    __name__, {"connectors.banks.payos.settings": ("PayosGatewaySettings",)}
)
_moved = moved(
    __name__,
    {
        "PayOS": "connectors.banks.payos:PayosGateway",
        "PayOSSettings": "connectors.banks.payos:PayosGatewaySettings",
        "PayOSSimulator": "connectors.testing.simulators.banks.payos:PayosGatewaySimulator",
    },
)
__getattr__ = first_of(_settings, _moved)
