"""Open311 GeoReport v2 (the public standard for city feedback): client, models, wire.

Fidelity: official public standard (open311.org GeoReport v2). The simulator for it lives
in `connectors.ihanoi.simulator` together with the modelled iHanoi contract.
"""

from connectors.ihanoi.open311.client import LIST_ANSWER_LIMIT, MAX_SPAN, Open311Client
from connectors.ihanoi.open311.models import (
    DATATYPES,
    AttributeDefinition,
    NewServiceRequest,
    RequestReceipt,
    Service,
    ServiceDefinition,
    ServiceRequest,
)
from connectors.ihanoi.open311.wire import Format, Open311Profile

__all__ = [
    "DATATYPES",
    "LIST_ANSWER_LIMIT",
    "MAX_SPAN",
    "AttributeDefinition",
    "Format",
    "NewServiceRequest",
    "Open311Client",
    "Open311Profile",
    "RequestReceipt",
    "Service",
    "ServiceDefinition",
    "ServiceRequest",
]
