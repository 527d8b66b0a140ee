"""The SMS Brandname gateways simulated: MobiFone, Viettel, VNPT/VinaPhone, eSMS.

Each keeps the account a gateway holds for a customer (brandnames per telco, registered
templates, quota) and a ledger of accepted messages (`SmsSimulator`), applies the vendor's
own rules and answers in its wire format (`connectors.sms.<provider>.wire`).
"""

from connectors.testing.simulators.sms.base import ALL_TELCOS, SmsSimulator
from connectors.testing.simulators.sms.esms import EsmsSmsSimulator
from connectors.testing.simulators.sms.mobifone import MobifoneSmsSimulator
from connectors.testing.simulators.sms.viettel import ViettelSmsSimulator
from connectors.testing.simulators.sms.vnpt import VnptSmsSimulator

__all__ = [
    "ALL_TELCOS",
    "EsmsSmsSimulator",
    "MobifoneSmsSimulator",
    "SmsSimulator",
    "ViettelSmsSimulator",
    "VnptSmsSimulator",
]
