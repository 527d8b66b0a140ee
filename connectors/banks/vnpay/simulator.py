"""Deprecated: `connectors.testing.simulators.banks.vnpay` is the simulator's home."""

from connectors.core.deprecation import moved

_NEW = "connectors.testing.simulators.banks.vnpay:"
__getattr__ = moved(
    __name__, {"VNPaySimulator": _NEW + "VnpayGatewaySimulator", "Outcome": _NEW + "Outcome"}
)
