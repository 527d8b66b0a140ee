"""Deprecated: `connectors.testing.simulators.ihanoi.contract` holds the contract's routes."""

from connectors.core.deprecation import moved

__getattr__ = moved(
    __name__, {"ContractRoutes": "connectors.testing.simulators.ihanoi.contract:ContractRoutes"}
)
