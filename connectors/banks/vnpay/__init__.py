"""VNPay payment gateway (API 2.1.0): pay URL, return/IPN verification, querydr, refund.

Fidelity: official spec (VNPay pay.html) for pay, return and IPN; derived from
integrators' code for querydr/refund hash orders. Guessed details: `WireProfile`.
"""

from connectors.banks.vnpay.client import VNPay, VNPaySettings
from connectors.banks.vnpay.simulator import VNPaySimulator
from connectors.banks.vnpay.wire import SANDBOX_BASE_URL, WireProfile

__all__ = ["SANDBOX_BASE_URL", "VNPay", "VNPaySettings", "VNPaySimulator", "WireProfile"]
