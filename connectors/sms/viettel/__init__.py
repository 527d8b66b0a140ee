"""Viettel SMS Brandname (BulkSMS SOAP wsCpMt).

Fidelity: derived from Viettel's BulkSMS document and integrators' code (the shipped
WSDL); guesses in `WireProfile`. The simulator is
`connectors.testing.simulators.sms.viettel.ViettelSmsSimulator`.
"""

from connectors.core.deprecation import moved
from connectors.sms.viettel.client import ViettelSms, ViettelSmsSettings
from connectors.sms.viettel.wire import DEFAULT_PROFILE, WireProfile, request_id_for

__all__ = ["DEFAULT_PROFILE", "ViettelSms", "ViettelSmsSettings", "WireProfile", "request_id_for"]

__getattr__ = moved(
    __name__,
    {
        "ViettelSettings": "connectors.sms.viettel:ViettelSmsSettings",
        "WIRE": "connectors.sms.viettel.wire:DEFAULT_PROFILE",
    },
)
