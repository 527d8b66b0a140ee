"""Deprecated: `connectors.testing.simulators.ihanoi.webhooks` is the simulator's sender."""

from connectors.core.deprecation import moved

_NEW = "connectors.testing.simulators.ihanoi.webhooks:"
__getattr__ = moved(
    __name__,
    {name: _NEW + name for name in ("Deliver", "Delivery", "WebhookSender")},
)
