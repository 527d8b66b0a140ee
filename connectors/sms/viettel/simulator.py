"""Deprecated: `connectors.testing.simulators.sms.viettel` is the simulator's home."""

from connectors.core.deprecation import moved

__getattr__ = moved(
    __name__, {"ViettelSimulator": "connectors.testing.simulators.sms.viettel:ViettelSmsSimulator"}
)
