"""Citizen feedback (phản ánh, kiến nghị) with Hanoi's iHanoi app, and Open311 GeoReport v2.

The domain (this package's modules):

- `base`: the models and the `FeedbackExchange` protocol; `status`: `FeedbackStatus` and
  its Open311 and Vietnamese forms;
- `client`: `FeedbackClient`, the base every provider's client is built on;
- `WebhookReceiver`: signed inbound events, verified and de-duplicated (a WSGI app);
- `FeedbackSync`: pull changes since a stored cursor, hand each over once.

The providers, one package each: `connectors.ihanoi.contract` (`IhanoiFeedback`, the
*modelled* iHanoi contract, every guessed detail in its `WireProfile`) and
`connectors.ihanoi.open311` (`Open311Feedback`, the public GeoReport v2 standard). Their
simulator (both APIs, with webhooks) is
`connectors.testing.simulators.ihanoi.IhanoiFeedbackSimulator`.

Statuses: `FeedbackStatus` (received, assigned, in_progress, answered, resolved, rejected,
duplicate) maps down to Open311 open/closed and to Vietnamese labels ("Đang xử lý"...).
"""

from typing import TYPE_CHECKING

from connectors.core.deprecation import moved
from connectors.core.lazy import exports
from connectors.core.on_first_use import first_of
from connectors.ihanoi.base import (
    MAX_TEXT,
    Attachment,
    Feedback,
    FeedbackEvent,
    FeedbackExchange,
    FeedbackPage,
    Location,
    NewFeedback,
    Reporter,
    Submission,
)
from connectors.ihanoi.client import FeedbackClient
from connectors.ihanoi.status import (
    EventType,
    FeedbackStatus,
    Open311Status,
    status_from_label,
    status_from_open311,
)

if TYPE_CHECKING:
    from connectors.ihanoi.sync import (
        FeedbackSync,
        MemorySyncState,
        SqliteSyncState,
        SyncReport,
        SyncState,
        UpdateSource,
    )
    from connectors.ihanoi.webhooks import (
        EventHandler,
        WebhookAnswer,
        WebhookReceiver,
        WebhookTooLarge,
    )

__all__ = [
    "MAX_TEXT",
    "Attachment",
    "EventHandler",
    "EventType",
    "Feedback",
    "FeedbackClient",
    "FeedbackEvent",
    "FeedbackExchange",
    "FeedbackPage",
    "FeedbackStatus",
    "FeedbackSync",
    "Location",
    "MemorySyncState",
    "NewFeedback",
    "Open311Status",
    "Reporter",
    "SqliteSyncState",
    "Submission",
    "SyncReport",
    "SyncState",
    "UpdateSource",
    "WebhookAnswer",
    "WebhookReceiver",
    "WebhookTooLarge",
    "status_from_label",
    "status_from_open311",
]

# Imported when first used: a provider's package does not pay for the webhook receiver's
# seen-store (signing, SQLite) or the sync state's database.
_lazy, __dir__ = exports(
    __name__,
    {
        "connectors.ihanoi.sync": (
            "FeedbackSync",
            "MemorySyncState",
            "SqliteSyncState",
            "SyncReport",
            "SyncState",
            "UpdateSource",
        ),
        "connectors.ihanoi.webhooks": (
            "EventHandler",
            "WebhookAnswer",
            "WebhookReceiver",
            "WebhookTooLarge",
        ),
    },
)
_moved = moved(
    __name__,
    {
        "IHanoiClient": "connectors.ihanoi.contract:IhanoiFeedback",
        "IHanoiSettings": "connectors.ihanoi.contract:IhanoiFeedbackSettings",
        "Contract": "connectors.ihanoi.contract:WireProfile",
        "DEFAULT_CONTRACT": "connectors.ihanoi.contract:DEFAULT_PROFILE",
        "Open311Settings": "connectors.ihanoi.open311:Open311FeedbackSettings",
    },
)
__getattr__ = first_of(_lazy, _moved)
