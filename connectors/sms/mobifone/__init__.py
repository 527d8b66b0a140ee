"""MobiFone SMS Brandname (smsg session HTTP).

Fidelity: derived from integrators' code; error texts guessed (in `WireProfile`). The
simulator is `connectors.testing.simulators.sms.mobifone.MobifoneSmsSimulator`.
"""

from connectors.core.deprecation import moved
from connectors.sms.mobifone.client import MobifoneSms, MobifoneSmsSettings
from connectors.sms.mobifone.wire import DEFAULT_PROFILE, WireProfile

__all__ = ["DEFAULT_PROFILE", "MobifoneSms", "MobifoneSmsSettings", "WireProfile"]

__getattr__ = moved(
    __name__,
    {
        "MobifoneSettings": "connectors.sms.mobifone:MobifoneSmsSettings",
        "WIRE": "connectors.sms.mobifone.wire:DEFAULT_PROFILE",
    },
)
