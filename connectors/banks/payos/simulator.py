"""Deprecated: `connectors.testing.simulators.banks.payos` is the simulator's home."""

from connectors.core.deprecation import moved

_NEW = "connectors.testing.simulators.banks.payos:"
__getattr__ = moved(
    __name__, {"PayOSSimulator": _NEW + "PayosGatewaySimulator", "Outcome": _NEW + "Outcome"}
)
