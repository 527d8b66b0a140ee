"""iHanoi simulated: the modelled contract and Open311 GeoReport v2 over one store, with
signed webhooks (`IhanoiFeedbackSimulator`).

It speaks `connectors.ihanoi.contract.wire` and `connectors.ihanoi.open311.wire` (never the
clients): `contract` and `open311` hold the two halves of its routes, `webhooks` the
sender of its signed events.
"""

from connectors.testing.simulators.ihanoi.ihanoi import (
    DEFAULT_DEFINITIONS,
    DEFAULT_SERVICES,
    IhanoiFeedbackSimulator,
)
from connectors.testing.simulators.ihanoi.webhooks import Deliver, Delivery, WebhookSender

__all__ = [
    "DEFAULT_DEFINITIONS",
    "DEFAULT_SERVICES",
    "Deliver",
    "Delivery",
    "IhanoiFeedbackSimulator",
    "WebhookSender",
]
