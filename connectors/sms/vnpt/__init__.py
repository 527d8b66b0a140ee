"""VNPT/VinaPhone SMS Brandname (agent JSON API).

Fidelity: derived from integrators' code (VNPT's agent API document); guesses in
`WireProfile`. The simulator is `connectors.testing.simulators.sms.vnpt.VnptSmsSimulator`.
"""

from connectors.core.deprecation import moved
from connectors.sms.vnpt.client import VnptSms, VnptSmsSettings
from connectors.sms.vnpt.wire import DEFAULT_PROFILE, ERRORS, WireProfile

__all__ = ["DEFAULT_PROFILE", "ERRORS", "VnptSms", "VnptSmsSettings", "WireProfile"]

__getattr__ = moved(
    __name__,
    {
        "VnptSettings": "connectors.sms.vnpt:VnptSmsSettings",
        "WIRE": "connectors.sms.vnpt.wire:DEFAULT_PROFILE",
    },
)
