"""SePay-style bank-transfer notifications: webhook verifier and parser, transaction list,
and a simulator of the bank side.

Fidelity: derived from SePay's developer documentation (payload, answer, API-key header,
retries, transaction list) and integrators' code (field names, HMAC headers); the details
live in `WireProfile`. See docs/banks/reconciliation.md.
"""

from connectors.banks.sepay.config import SePaySettings
from connectors.banks.sepay.simulator import (
    Delivery,
    DeliveryAttempt,
    SePaySimulator,
    WebhookRequest,
)
from connectors.banks.sepay.transactions import DEFAULT_BASE_URL, SePayTransactions
from connectors.banks.sepay.webhook import SePayWebhook, WebhookReceipt
from connectors.banks.sepay.wire import (
    WIRE,
    WebhookPayload,
    WireProfile,
    parse_payload,
    transfer_from_payload,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "WIRE",
    "Delivery",
    "DeliveryAttempt",
    "SePaySettings",
    "SePaySimulator",
    "SePayTransactions",
    "SePayWebhook",
    "WebhookPayload",
    "WebhookReceipt",
    "WebhookRequest",
    "WireProfile",
    "parse_payload",
    "transfer_from_payload",
]
