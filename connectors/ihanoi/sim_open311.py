"""Deprecated: `connectors.testing.simulators.ihanoi.open311` holds Open311's routes."""

from connectors.core.deprecation import moved

__getattr__ = moved(
    __name__, {"Open311Routes": "connectors.testing.simulators.ihanoi.open311:Open311Routes"}
)
