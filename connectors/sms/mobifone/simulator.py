"""Deprecated: `connectors.testing.simulators.sms.mobifone` is the simulator's home."""

from connectors.core.deprecation import moved

__getattr__ = moved(
    __name__,
    {"MobifoneSimulator": "connectors.testing.simulators.sms.mobifone:MobifoneSmsSimulator"},
)
