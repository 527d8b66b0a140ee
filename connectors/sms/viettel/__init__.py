"""Viettel SMS Brandname (BulkSMS SOAP wsCpMt). The simulator is in `.simulator`."""

from connectors.sms.viettel.client import ViettelSettings, ViettelSms
from connectors.sms.viettel.wire import WIRE, WireProfile, request_id_for

__all__ = ["WIRE", "ViettelSettings", "ViettelSms", "WireProfile", "request_id_for"]
