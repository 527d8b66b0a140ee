"""eSMS.vn SMS Brandname (REST), its delivery-report callback. The simulator is in
`.simulator`."""

from connectors.sms.esms.callback import EsmsDeliveryReceiver, parse_callback, report_from_fields
from connectors.sms.esms.client import EsmsSettings, EsmsSms
from connectors.sms.esms.wire import ERRORS, WIRE, WireProfile

__all__ = [
    "ERRORS",
    "WIRE",
    "EsmsDeliveryReceiver",
    "EsmsSettings",
    "EsmsSms",
    "WireProfile",
    "parse_callback",
    "report_from_fields",
]
