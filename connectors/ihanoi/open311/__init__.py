"""Open311 GeoReport v2 (the public standard for city feedback): client, models, wire.

Fidelity: official public standard (open311.org GeoReport v2). The simulator for it is
`connectors.testing.simulators.ihanoi.IhanoiFeedbackSimulator` (one store answers both
the modelled iHanoi contract and Open311).
"""

from connectors.core.deprecation import moved
from connectors.ihanoi.open311.client import (
    LIST_ANSWER_LIMIT,
    MAX_SPAN,
    Open311Feedback,
    Open311FeedbackSettings,
)
from connectors.ihanoi.open311.models import (
    DATATYPES,
    AttributeDefinition,
    NewServiceRequest,
    RequestReceipt,
    Service,
    ServiceDefinition,
    ServiceRequest,
)
from connectors.ihanoi.open311.wire import DEFAULT_PROFILE, Format, WireProfile

__all__ = [
    "DATATYPES",
    "DEFAULT_PROFILE",
    "LIST_ANSWER_LIMIT",
    "MAX_SPAN",
    "AttributeDefinition",
    "Format",
    "NewServiceRequest",
    "Open311Feedback",
    "Open311FeedbackSettings",
    "RequestReceipt",
    "Service",
    "ServiceDefinition",
    "ServiceRequest",
    "WireProfile",
]

__getattr__ = moved(
    __name__,
    {
        "Open311Client": "connectors.ihanoi.open311:Open311Feedback",
        "Open311Profile": "connectors.ihanoi.open311:WireProfile",
        "Open311Settings": "connectors.ihanoi.open311:Open311FeedbackSettings",
    },
)
