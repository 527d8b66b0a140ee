"""The banks domain: fee collection through payment gateways, QR transfers and webhooks.

The shared protocol and models live in `connectors.banks.base` (re-exported here), the IPN
handler a portal mounts in `connectors.banks.ipn`; each provider is a sub-package
(`connectors.banks.vnpay`, `.momo`, `.payos`, ...) with its client, wire format and
simulator.
"""

from connectors.banks.base import (
    CallbackOutcome,
    CallbackRequest,
    Capability,
    FeeGateway,
    HttpAnswer,
    Payer,
    PaymentErrorCode,
    PaymentIntent,
    PaymentNotification,
    PaymentRequest,
    PaymentStatus,
    PaymentStatusReport,
    Refund,
    RefundRequest,
    RefundStatus,
    StaleCallback,
    UnsupportedOperation,
    ascii_safe,
)
from connectors.banks.ipn import IpnHandler, IpnResult

__all__ = [
    "CallbackOutcome",
    "CallbackRequest",
    "Capability",
    "FeeGateway",
    "HttpAnswer",
    "IpnHandler",
    "IpnResult",
    "Payer",
    "PaymentErrorCode",
    "PaymentIntent",
    "PaymentNotification",
    "PaymentRequest",
    "PaymentStatus",
    "PaymentStatusReport",
    "Refund",
    "RefundRequest",
    "RefundStatus",
    "StaleCallback",
    "UnsupportedOperation",
    "ascii_safe",
]
