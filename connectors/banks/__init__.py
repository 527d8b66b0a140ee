"""The banks domain: fee collection through payment gateways, QR transfers and webhooks.

- the `FeeGateway` protocol, its models and vocabularies (`connectors.banks.base`,
  re-exported here);
- `GatewayClient`, the base every gateway's client is built on (`connectors.banks.gateway`),
  and the one error table `PAYMENT_ERRORS` (`connectors.banks.codes`);
- the IPN handler a portal mounts (`connectors.banks.ipn`).

Each provider is a sub-package (`connectors.banks.vnpay`, `.momo`, `.payos`, `.sepay`,
`.vietqr`) with its client and its wire format (`wire.py`); the simulators live on the
testing side (`connectors.testing.simulators.banks`).
"""

from typing import TYPE_CHECKING

from connectors.banks import base
from connectors.banks.base import *  # noqa: F403 - the protocol and models, as `base.__all__`
from connectors.banks.codes import PAYMENT_ERRORS, Refusal
from connectors.core.lazy import exports

if TYPE_CHECKING:
    from connectors.banks.gateway import GatewayClient
    from connectors.banks.ipn import IpnHandler, IpnResult

# Imported when first used: a gateway's module does not pay for the IPN handler's
# seen-store (SQLite) and signing machinery.
__getattr__, __dir__ = exports(
    __name__,
    {
        "connectors.banks.gateway": ("GatewayClient",),
        "connectors.banks.ipn": ("IpnHandler", "IpnResult"),
    },
)

__all__ = ["PAYMENT_ERRORS", "GatewayClient", "IpnHandler", "IpnResult", "Refusal"]
__all__ += base.__all__
