"""VNPT/VinaPhone SMS Brandname (agent JSON API). The simulator is in `.simulator`."""

from connectors.sms.vnpt.client import VnptSettings, VnptSms
from connectors.sms.vnpt.wire import ERRORS, WIRE, WireProfile

__all__ = ["ERRORS", "WIRE", "VnptSettings", "VnptSms", "WireProfile"]
