"""Deprecated: `connectors.testing.simulators.banks.sepay` is the simulator's home."""

from connectors.core.deprecation import moved

_NEW = "connectors.testing.simulators.banks.sepay:"
_RENAMED = {"SePaySimulator": "SepayTransactionsSimulator"}
_RENAMED |= {name: name for name in ("Delivery", "DeliveryAttempt", "WebhookRequest")}
__getattr__ = moved(__name__, {old: _NEW + new for old, new in _RENAMED.items()})
