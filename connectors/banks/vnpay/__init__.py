"""VNPay payment gateway (API 2.1.0): pay URL, return/IPN verification, querydr, refund.

Fidelity: official spec (VNPay pay.html) for pay, return and IPN; derived from
integrators' code for querydr/refund hash orders. Guessed details: `WireProfile`;
`connectors.testing.simulators.banks.vnpay` simulates the gateway.
"""

from typing import TYPE_CHECKING

from connectors.banks.vnpay.client import VnpayGateway
from connectors.banks.vnpay.wire import DEFAULT_PROFILE, SANDBOX_BASE_URL, WireProfile
from connectors.core.deprecation import moved
from connectors.core.lazy import exports
from connectors.core.on_first_use import first_of

if TYPE_CHECKING:
    from connectors.banks.vnpay.settings import VnpayGatewaySettings

__all__ = [
    "DEFAULT_PROFILE",
    "SANDBOX_BASE_URL",
    "VnpayGateway",
    "VnpayGatewaySettings",
    "WireProfile",
]

_settings, __dir__ = exports(
    __name__, {"connectors.banks.vnpay.settings": ("VnpayGatewaySettings",)}
)
_moved = moved(
    __name__,
    {
        "VNPay": "connectors.banks.vnpay:VnpayGateway",
        "VNPaySettings": "connectors.banks.vnpay:VnpayGatewaySettings",
        "VNPaySimulator": "connectors.testing.simulators.banks.vnpay:VnpayGatewaySimulator",
    },
)
__getattr__ = first_of(_settings, _moved)
