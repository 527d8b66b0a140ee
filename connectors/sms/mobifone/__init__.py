"""MobiFone SMS Brandname (smsg session HTTP). The simulator is in `.simulator`."""

from connectors.sms.mobifone.client import MobifoneSettings, MobifoneSms
from connectors.sms.mobifone.wire import WIRE, WireProfile

__all__ = ["WIRE", "MobifoneSettings", "MobifoneSms", "WireProfile"]
