"""The modelled iHanoi contract: every guessed wire detail in one overridable object.

iHanoi publishes no integration API (spec section 7, "What is public"). The library speaks
a contract *modelled* on Open311 GeoReport v2 plus JSON and signed webhooks (spec section 7,
"Proposed iHanoi contract", labelled [G]). Every path, header name, field name, status
value and HTTP status the client, the webhook receiver, the sync helper and the simulator
use comes from a `Contract`; when the real specification is handed over, build one with
`dataclasses.replace(Contract(), ...)` (or `Contract(...)`) and pass it to each of them.

Field names: the library's canonical names (`external_id`, `category_code`, ...) are
renamed on the wire through `field_names` wherever they appear in a JSON object, and back
on the way in. Status values go through `status_values`, event types through
`event_types`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from connectors.ihanoi.status import EventType, FeedbackStatus

__all__ = ["DEFAULT_CONTRACT", "Contract"]


def _frozen(mapping: Mapping[Any, str]) -> Mapping[Any, str]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, eq=False)
class Contract:
    """Paths, headers, field names, statuses and limits of the (modelled) iHanoi API.

    Every default below is a guess ([G] in the spec), chosen to mirror Open311 GeoReport v2
    and common webhook practice. Override any of them for the real API.
    """

    # -- outbound paths (portal -> iHanoi) ---------------------------------------------
    feedback_path: str = "/v1/feedback"
    """POST here to submit; GET here (with the query below) to list."""
    feedback_item_path: str = "/v1/feedback/{feedback_id}"
    """GET one feedback, PATCH its status / answer."""

    # -- authentication and idempotency headers ----------------------------------------
    auth_header: str = "Authorization"
    auth_scheme: str = "Bearer"
    """The header value is f"{auth_scheme} {token}" (empty scheme: the bare token)."""
    idempotency_header: str = "Idempotency-Key"
    """Sent on PATCH so a retried update is applied once."""

    # -- HTTP statuses -------------------------------------------------------------------
    created_status: int = 201
    """Answer to the first submission of an external id."""
    replayed_status: int = 200
    """Answer to a repeated submission with the same body (the same feedback)."""
    conflict_status: int = 409
    """Answer to a repeated external id with a different body (raised as `Duplicate`)."""

    error_key: str = "error"
    """Error answers are {error_key: {"code": ..., "message": ...}}."""

    # -- list query ----------------------------------------------------------------------
    updated_since_param: str = "updated_since"
    status_param: str = "status"
    page_param: str = "page"
    page_size_param: str = "page_size"
    items_key: str = "items"
    next_page_key: str = "next_page"
    updated_since_inclusive: bool = True
    """Whether `updated_since` returns items updated *at* the cursor too (>=)."""

    # -- field names, status values and event types on the wire -------------------------
    field_names: Mapping[str, str] = field(default_factory=lambda: _frozen({}))
    """Canonical name -> wire name, applied to every JSON object key; missing = same."""
    status_values: Mapping[FeedbackStatus, str] = field(
        default_factory=lambda: _frozen({s: s.value for s in FeedbackStatus})
    )
    event_types: Mapping[EventType, str] = field(
        default_factory=lambda: _frozen({e: e.value for e in EventType})
    )

    # -- inbound webhooks (iHanoi -> portal) ----------------------------------------------
    event_id_header: str = "X-Event-Id"
    event_type_header: str = "X-Event-Type"
    timestamp_header: str = "X-Timestamp"
    signature_header: str = "X-Signature"
    signature_scheme: str = "v1"
    """The header carries f"{scheme}=<hex HMAC-SHA256(secret, timestamp + '.' + body)>"."""
    webhook_tolerance: float = 300.0
    """Seconds a webhook timestamp may differ from now, either way."""
    webhook_max_bytes: int = 256 * 1024
    """Bodies larger than this are refused unread (HTTP 413)."""

    # -- limits ----------------------------------------------------------------------------
    max_description: int = 4000
    max_title: int = 200

    def __post_init__(self) -> None:
        object.__setattr__(self, "field_names", _frozen(self.field_names))
        object.__setattr__(self, "status_values", _frozen(self.status_values))
        object.__setattr__(self, "event_types", _frozen(self.event_types))
        missing = [s.value for s in FeedbackStatus if s not in self.status_values]
        if missing:
            raise ValueError(f"status_values lacks a wire value for {missing}")
        if len(set(self.status_values.values())) != len(self.status_values):
            raise ValueError("status_values maps two statuses to one wire value")
        missing = [e.value for e in EventType if e not in self.event_types]
        if missing:
            raise ValueError(f"event_types lacks a wire value for {missing}")
        wire_names = list(self.field_names.values())
        if len(set(wire_names)) != len(wire_names):
            raise ValueError("field_names maps two fields to one wire name")
        if self.webhook_tolerance <= 0 or self.webhook_max_bytes <= 0:
            raise ValueError("webhook_tolerance and webhook_max_bytes must be positive")

    # -- helpers used by the wire module ----------------------------------------------------

    def item_path(self, feedback_id: str) -> str:
        """The path of one feedback."""
        from urllib.parse import quote

        return self.feedback_item_path.format(feedback_id=quote(feedback_id, safe=""))

    def wire_name(self, name: str) -> str:
        """The wire name of canonical field `name`."""
        return self.field_names.get(name, name)

    def canonical_name(self, wire: str) -> str:
        """The canonical name of wire field `wire`."""
        for canonical, wire_name in self.field_names.items():
            if wire_name == wire:
                return canonical
        return wire

    def status_to_wire(self, status: FeedbackStatus) -> str:
        return self.status_values[status]

    def status_from_wire(self, value: str) -> FeedbackStatus:
        """The status for a wire value; raises KeyError for an unknown one."""
        for status, wire in self.status_values.items():
            if wire == value:
                return status
        raise KeyError(value)

    def event_type_to_wire(self, event: EventType) -> str:
        return self.event_types[event]

    def event_type_from_wire(self, value: str) -> EventType:
        """The event type for a wire value; raises KeyError for an unknown one."""
        for event, wire in self.event_types.items():
            if wire == value:
                return event
        raise KeyError(value)


DEFAULT_CONTRACT = Contract()
"""The modelled contract as the spec proposes it."""
