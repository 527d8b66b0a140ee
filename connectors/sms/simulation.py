"""Deprecated: `connectors.testing.simulators.sms.base` is the SMS simulators' base."""

from connectors.core.deprecation import moved

_NEW = "connectors.testing.simulators.sms.base:"
__getattr__ = moved(
    __name__, {"SmsSimulator": _NEW + "SmsSimulator", "ALL_TELCOS": _NEW + "ALL_TELCOS"}
)
