"""SePay-style bank-transfer notifications: the webhook receiver (`SepayWebhook`) and the
transaction list (`SepayTransactions`), for reconciliation.

Fidelity: derived from SePay's developer documentation (payload, answer, API-key header,
retries, transaction list) and integrators' code (field names, HMAC headers); the details
live in `WireProfile`. `connectors.testing.simulators.banks.sepay` simulates the bank side.
See docs/banks/reconciliation.md.
"""

from connectors.banks.sepay.transactions import (
    DEFAULT_BASE_URL,
    SepayTransactions,
    SepayTransactionsSettings,
)
from connectors.banks.sepay.webhook import SepayWebhook, WebhookReceipt
from connectors.banks.sepay.wire import (
    DEFAULT_PROFILE,
    WebhookPayload,
    WireProfile,
    parse_payload,
    transfer_from_payload,
)
from connectors.core.deprecation import moved

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_PROFILE",
    "SepayTransactions",
    "SepayTransactionsSettings",
    "SepayWebhook",
    "WebhookPayload",
    "WebhookReceipt",
    "WireProfile",
    "parse_payload",
    "transfer_from_payload",
]

_SIMULATOR = "connectors.testing.simulators.banks.sepay:"
__getattr__ = moved(
    __name__,
    {
        "WIRE": "connectors.banks.sepay.wire:DEFAULT_PROFILE",
        "SePaySettings": "connectors.banks.sepay:SepayTransactionsSettings",
        "SePayTransactions": "connectors.banks.sepay:SepayTransactions",
        "SePayWebhook": "connectors.banks.sepay:SepayWebhook",
        "SePaySimulator": _SIMULATOR + "SepayTransactionsSimulator",
        "Delivery": _SIMULATOR + "Delivery",
        "DeliveryAttempt": _SIMULATOR + "DeliveryAttempt",
        "WebhookRequest": _SIMULATOR + "WebhookRequest",
    },
)
