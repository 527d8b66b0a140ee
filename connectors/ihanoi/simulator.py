"""Deprecated: `connectors.testing.simulators.ihanoi` is the iHanoi simulator's home."""

from connectors.core.deprecation import moved

_NEW = "connectors.testing.simulators.ihanoi.ihanoi:"
__getattr__ = moved(
    __name__,
    {
        "IHanoiSimulator": _NEW + "IhanoiFeedbackSimulator",
        "DEFAULT_SERVICES": _NEW + "DEFAULT_SERVICES",
        "DEFAULT_DEFINITIONS": _NEW + "DEFAULT_DEFINITIONS",
    },
)
