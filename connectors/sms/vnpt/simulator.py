"""Deprecated: `connectors.testing.simulators.sms.vnpt` is the simulator's home."""

from connectors.core.deprecation import moved

__getattr__ = moved(
    __name__, {"VnptSimulator": "connectors.testing.simulators.sms.vnpt:VnptSmsSimulator"}
)
