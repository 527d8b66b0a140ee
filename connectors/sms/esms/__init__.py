"""eSMS.vn SMS Brandname (REST), its delivery-report callback.

Fidelity: official public documentation; a few details guessed (in `WireProfile`). The
simulator is `connectors.testing.simulators.sms.esms.EsmsSmsSimulator`.
"""

from connectors.core.deprecation import moved
from connectors.sms.esms.callback import EsmsDeliveryReceiver, parse_callback
from connectors.sms.esms.client import EsmsSms, EsmsSmsSettings
from connectors.sms.esms.wire import DEFAULT_PROFILE, ERRORS, WireProfile, report_from_fields

__all__ = [
    "DEFAULT_PROFILE",
    "ERRORS",
    "EsmsDeliveryReceiver",
    "EsmsSms",
    "EsmsSmsSettings",
    "WireProfile",
    "parse_callback",
    "report_from_fields",
]

__getattr__ = moved(
    __name__,
    {
        "EsmsSettings": "connectors.sms.esms:EsmsSmsSettings",
        "WIRE": "connectors.sms.esms.wire:DEFAULT_PROFILE",
    },
)
