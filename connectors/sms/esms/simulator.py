"""Deprecated: `connectors.testing.simulators.sms.esms` is the simulator's home."""

from connectors.core.deprecation import moved

__getattr__ = moved(
    __name__, {"EsmsSimulator": "connectors.testing.simulators.sms.esms:EsmsSmsSimulator"}
)
