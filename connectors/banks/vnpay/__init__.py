"""VNPay payment gateway (API 2.1.0): pay URL, return/IPN verification, querydr, refund.

Fidelity: official spec (VNPay pay.html) for pay, return and IPN; derived from
integrators' code for querydr/refund hash orders. Guessed details: `WireProfile`;
`connectors.testing.simulators.banks.vnpay` simulates the gateway.
"""

from connectors.banks.vnpay.client import VnpayGateway, VnpayGatewaySettings
from connectors.banks.vnpay.wire import DEFAULT_PROFILE, SANDBOX_BASE_URL, WireProfile
from connectors.core.deprecation import moved

__all__ = [
    "DEFAULT_PROFILE",
    "SANDBOX_BASE_URL",
    "VnpayGateway",
    "VnpayGatewaySettings",
    "WireProfile",
]

__getattr__ = moved(
    __name__,
    {
        "VNPay": "connectors.banks.vnpay:VnpayGateway",
        "VNPaySettings": "connectors.banks.vnpay:VnpayGatewaySettings",
        "VNPaySimulator": "connectors.testing.simulators.banks.vnpay:VnpayGatewaySimulator",
    },
)
