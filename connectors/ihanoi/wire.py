"""Deprecated: `connectors.ihanoi.contract.wire` is the modelled contract's wire module."""

from connectors.core.deprecation import moved
from connectors.ihanoi.contract import wire as _wire

__getattr__ = moved(
    __name__,
    {
        name: f"connectors.ihanoi.contract.wire:{name}"
        for name in _wire.__all__
        if name not in ("DEFAULT_PROFILE", "WireProfile")  # new names, never here
    },
)
