"""Deprecated: `connectors.testing.simulators.banks.momo` is the simulator's home."""

from connectors.core.deprecation import moved

_NEW = "connectors.testing.simulators.banks.momo:"
__getattr__ = moved(
    __name__, {"MoMoSimulator": _NEW + "MomoGatewaySimulator", "Outcome": _NEW + "Outcome"}
)
