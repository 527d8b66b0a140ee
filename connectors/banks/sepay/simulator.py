"""Deprecated: `connectors.testing.simulators.banks.sepay` is the simulator's home."""

from connectors.core.deprecation import moved

_NEW = "connectors.testing.simulators.banks.sepay:"
__getattr__ = moved(
    __name__,
    {
        "SePaySimulator": _NEW + "SepayTransactionsSimulator",
        "Delivery": _NEW + "Delivery",
        "DeliveryAttempt": _NEW + "DeliveryAttempt",
        "WebhookRequest": _NEW + "WebhookRequest",
    },
)
