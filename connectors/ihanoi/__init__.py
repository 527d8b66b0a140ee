"""Citizen feedback (phản ánh, kiến nghị) with Hanoi's iHanoi app, and Open311 GeoReport v2.

- `IHanoiClient`: the *modelled* iHanoi contract (every guessed detail in `Contract`).
- `connectors.ihanoi.open311.Open311Client`: the public GeoReport v2 standard.
- `WebhookReceiver`: signed inbound events, verified and de-duplicated (a WSGI app).
- `FeedbackSync`: pull changes since a stored cursor, hand each over once.
- `IHanoiSimulator` (in `connectors.ihanoi.simulator`): both APIs simulated, with webhooks.

Statuses: `FeedbackStatus` (received, assigned, in_progress, answered, resolved, rejected,
duplicate) maps down to Open311 open/closed and to Vietnamese labels ("Đang xử lý"...).
"""

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
from connectors.ihanoi.client import IHanoiClient
from connectors.ihanoi.contract import DEFAULT_CONTRACT, Contract
from connectors.ihanoi.settings import IHanoiSettings, Open311Settings
from connectors.ihanoi.status import (
    EventType,
    FeedbackStatus,
    Open311Status,
    status_from_label,
    status_from_open311,
)
from connectors.ihanoi.sync import (
    FeedbackSync,
    MemorySyncState,
    SqliteSyncState,
    SyncReport,
    SyncState,
    UpdateSource,
)
from connectors.ihanoi.webhooks import EventHandler, WebhookAnswer, WebhookReceiver, WebhookTooLarge

__all__ = [
    "DEFAULT_CONTRACT",
    "MAX_TEXT",
    "Attachment",
    "Contract",
    "EventHandler",
    "EventType",
    "Feedback",
    "FeedbackEvent",
    "FeedbackExchange",
    "FeedbackPage",
    "FeedbackStatus",
    "FeedbackSync",
    "IHanoiClient",
    "IHanoiSettings",
    "Location",
    "MemorySyncState",
    "NewFeedback",
    "Open311Settings",
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
