"""The modelled iHanoi contract on the wire: every guessed detail, and the JSON both sides
write and read.

iHanoi publishes no integration API (spec section 7, "What is public"). The library speaks
a contract *modelled* on Open311 GeoReport v2 plus JSON and signed webhooks (spec section 7,
"Proposed iHanoi contract", labelled [G]). Every path, header name, field name, status
value and HTTP status the client, the webhook receiver, the sync helper and the simulator
use comes from a `WireProfile`; when the real specification is handed over, build one with
`dataclasses.replace(DEFAULT_PROFILE, ...)` (or `WireProfile(...)`) and pass it to each of
them.

Field names: the library's canonical names (`external_id`, `category_code`, ...) are
renamed on the wire through `field_names` wherever they appear in a JSON object, and back
on the way in. Status values go through `status_values`, event types through
`event_types`. Datetimes are ISO 8601 in GMT+7 with the offset
("2025-01-02T10:11:00+07:00").

Decoders raise `ValueError` (or `KeyError`/`TypeError`) on anything malformed; callers
turn that into the right error for their side. The one place the contract's vocabulary
lives: the client, the webhook receiver and the simulator all go through this module.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any
from urllib.parse import quote

from pydantic import SecretStr

from connectors.core.webhooks import HmacWebhookVerifier
from connectors.ihanoi.base import (
    Attachment,
    Feedback,
    FeedbackEvent,
    FeedbackPage,
    Location,
    NewFeedback,
    Reporter,
    Submission,
)
from connectors.ihanoi.status import EventType, FeedbackStatus
from connectors.vn.time import to_vn

__all__ = [
    "DECODE_ERRORS",
    "DEFAULT_PROFILE",
    "ContractVerifier",
    "WireProfile",
    "canonical_json",
    "decode_attachments",
    "decode_error",
    "decode_event",
    "decode_feedback",
    "decode_new_feedback",
    "decode_page",
    "decode_submission",
    "encode_attachments",
    "encode_event",
    "encode_feedback",
    "encode_new_feedback",
    "encode_page",
    "encode_submission",
    "encode_update",
    "error_body",
    "format_dt",
    "parse_dt",
    "rename_in",
    "rename_out",
    "webhook_headers",
]

DECODE_ERRORS = (ValueError, KeyError, TypeError)
"""What a decoder raises on a malformed message."""


def _frozen(mapping: Mapping[Any, str]) -> Mapping[Any, str]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True, eq=False)
class WireProfile:
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


DEFAULT_PROFILE = WireProfile()
"""The modelled contract as the spec proposes it."""


def format_dt(dt: datetime) -> str:
    """ISO 8601 in GMT+7 with the offset; microseconds only when non-zero."""
    return to_vn(dt).isoformat()


def parse_dt(value: Any) -> datetime:
    """An aware datetime from ISO 8601 text; raises ValueError if naive or malformed."""
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 datetime, got {type(value).__name__}")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"datetime without a time zone: {value!r}")
    return parsed


def _opt_dt(value: Any) -> datetime | None:
    return None if value is None else parse_dt(value)


def rename_out(obj: Any, profile: WireProfile) -> Any:
    """Rename canonical keys to wire names, recursively."""
    if isinstance(obj, Mapping):
        return {profile.wire_name(k): rename_out(v, profile) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [rename_out(v, profile) for v in obj]
    return obj


def rename_in(obj: Any, profile: WireProfile) -> Any:
    """Rename wire keys to canonical names, recursively."""
    if isinstance(obj, Mapping):
        return {profile.canonical_name(k): rename_in(v, profile) for k, v in obj.items()}
    if isinstance(obj, list):
        return [rename_in(v, profile) for v in obj]
    return obj


def canonical_json(obj: Any) -> bytes:
    """Stable JSON bytes (sorted keys, no spaces, UTF-8): for fingerprints and signing."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


# -- pieces ------------------------------------------------------------------------------


_LOCATION = ("lat", "lng", "address", "ward_code", "district_code")
_REPORTER = ("full_name", "phone", "email", "vneid_sub")


def _fields(obj: object, names: Sequence[str]) -> dict[str, Any]:
    """`obj`'s attributes `names`, as a canonical object in that order."""
    return {name: getattr(obj, name) for name in names}


def _location(loc: Location) -> dict[str, Any]:
    return _fields(loc, _LOCATION)


def _reporter(rep: Reporter) -> dict[str, Any]:
    return _fields(rep, _REPORTER)


def encode_attachments(items: Sequence[Attachment]) -> list[dict[str, Any]]:
    """Attachments as canonical objects: url, mime, sha256."""
    return [{"url": a.url, "mime": a.mime, "sha256": a.sha256} for a in items]


def _decode_location(obj: Any) -> Location | None:
    if obj is None:
        return None
    return Location(**{name: obj.get(name) for name in _LOCATION})


def _decode_reporter(obj: Any) -> Reporter | None:
    if obj is None:
        return None
    values = {name: obj.get(name) for name in _REPORTER}
    return Reporter(**{**values, "full_name": obj["full_name"]})


def decode_attachments(items: Any) -> tuple[Attachment, ...]:
    """Attachments from canonical objects."""
    if items is None:
        return ()
    if not isinstance(items, list):
        raise TypeError("attachments must be a list")
    return tuple(
        Attachment(
            url=i["url"], sha256=i["sha256"], mime=i.get("mime") or "application/octet-stream"
        )
        for i in items
    )


# -- submission ------------------------------------------------------------------------


def encode_new_feedback(feedback: NewFeedback, profile: WireProfile) -> dict[str, Any]:
    """The POST body of a submission, in wire names."""
    body = {
        "external_id": feedback.external_id,
        "category_code": feedback.category_code,
        "title": feedback.title,
        "description": feedback.description,
        "location": _location(feedback.location),
        "submitted_at": format_dt(feedback.submitted_at),
        "reporter": _reporter(feedback.reporter),
        "attachments": encode_attachments(feedback.attachments),
        "is_public": feedback.is_public,
    }
    return dict(rename_out(body, profile))


def decode_new_feedback(obj: Any, profile: WireProfile) -> NewFeedback:
    """A submission body back into a `NewFeedback` (the simulator's side)."""
    data = rename_in(obj, profile)
    location = _decode_location(data["location"])
    reporter = _decode_reporter(data["reporter"])
    if location is None or reporter is None:
        raise ValueError("location and reporter are required")
    return NewFeedback(
        external_id=data["external_id"],
        category_code=data["category_code"],
        title=data["title"],
        description=data["description"],
        location=location,
        reporter=reporter,
        submitted_at=parse_dt(data["submitted_at"]),
        attachments=decode_attachments(data.get("attachments")),
        is_public=bool(data.get("is_public", False)),
    )


def encode_submission(sub: Submission, profile: WireProfile) -> dict[str, Any]:
    """The answer to a submission."""
    body = {
        "feedback_id": sub.feedback_id,
        "status": profile.status_to_wire(sub.status),
        "received_at": format_dt(sub.received_at),
    }
    return dict(rename_out(body, profile))


def decode_submission(obj: Any, profile: WireProfile, *, replayed: bool) -> Submission:
    """iHanoi's answer to a submission."""
    data = rename_in(obj, profile)
    feedback_id = data["feedback_id"]
    if not isinstance(feedback_id, str) or not feedback_id:
        raise ValueError("feedback_id missing")
    return Submission(
        feedback_id=feedback_id,
        status=profile.status_from_wire(data["status"]),
        received_at=parse_dt(data["received_at"]),
        replayed=replayed,
    )


# -- feedback ----------------------------------------------------------------------------


def encode_feedback(fb: Feedback, profile: WireProfile) -> dict[str, Any]:
    """A feedback as iHanoi returns it, in wire names."""
    body = {
        "feedback_id": fb.feedback_id,
        "external_id": fb.external_id,
        "status": profile.status_to_wire(fb.status),
        "category_code": fb.category_code,
        "title": fb.title,
        "description": fb.description,
        "location": None if fb.location is None else _location(fb.location),
        "reporter": None if fb.reporter is None else _reporter(fb.reporter),
        "submitted_at": None if fb.submitted_at is None else format_dt(fb.submitted_at),
        "received_at": None if fb.received_at is None else format_dt(fb.received_at),
        "updated_at": format_dt(fb.updated_at),
        "version": fb.version,
        "status_note": fb.status_note,
        "agency_code": fb.agency_code,
        "assignee": fb.assignee,
        "due_at": None if fb.due_at is None else format_dt(fb.due_at),
        "resolved_at": None if fb.resolved_at is None else format_dt(fb.resolved_at),
        "reply_text": fb.reply_text,
        "reply_attachments": encode_attachments(fb.reply_attachments),
        "overdue": fb.overdue,
        "rating": fb.rating,
    }
    return dict(rename_out(body, profile))


def decode_feedback(obj: Any, profile: WireProfile) -> Feedback:
    """A feedback from its wire form."""
    data = rename_in(obj, profile)
    if not isinstance(data, dict):
        raise TypeError("a feedback must be a JSON object")
    version = data.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError("version must be a positive integer")
    rating = data.get("rating")
    if rating is not None and (isinstance(rating, bool) or not isinstance(rating, int)):
        raise ValueError("rating must be an integer")
    return Feedback(
        feedback_id=str(data["feedback_id"]),
        status=profile.status_from_wire(data["status"]),
        category_code=data["category_code"],
        title=data["title"],
        description=data["description"],
        updated_at=parse_dt(data["updated_at"]),
        version=version,
        external_id=data.get("external_id"),
        location=_decode_location(data.get("location")),
        reporter=_decode_reporter(data.get("reporter")),
        submitted_at=_opt_dt(data.get("submitted_at")),
        received_at=_opt_dt(data.get("received_at")),
        status_note=data.get("status_note"),
        agency_code=data.get("agency_code"),
        assignee=data.get("assignee"),
        due_at=_opt_dt(data.get("due_at")),
        resolved_at=_opt_dt(data.get("resolved_at")),
        reply_text=data.get("reply_text"),
        reply_attachments=decode_attachments(data.get("reply_attachments")),
        overdue=bool(data.get("overdue", False)),
        rating=rating,
    )


def encode_update(
    *,
    status: FeedbackStatus | None,
    profile: WireProfile,
    status_note: str | None = None,
    agency_code: str | None = None,
    assignee: str | None = None,
    due_at: datetime | None = None,
    resolved_at: datetime | None = None,
    reply_text: str | None = None,
    reply_attachments: Sequence[Attachment] | None = None,
) -> dict[str, Any]:
    """A PATCH body: only the fields given."""
    body: dict[str, Any] = {}
    if status is not None:
        body["status"] = profile.status_to_wire(status)
    for name, value in (
        ("status_note", status_note),
        ("agency_code", agency_code),
        ("assignee", assignee),
        ("reply_text", reply_text),
    ):
        if value is not None:
            body[name] = value
    if due_at is not None:
        body["due_at"] = format_dt(due_at)
    if resolved_at is not None:
        body["resolved_at"] = format_dt(resolved_at)
    if reply_attachments is not None:
        body["reply_attachments"] = encode_attachments(reply_attachments)
    return dict(rename_out(body, profile))


def decode_page(obj: Any, profile: WireProfile) -> FeedbackPage:
    """A listing page."""
    if not isinstance(obj, dict):
        raise TypeError("a page must be a JSON object")
    items = obj[profile.items_key]
    if not isinstance(items, list):
        raise TypeError("items must be a list")
    next_page = obj.get(profile.next_page_key)
    if next_page is not None and (isinstance(next_page, bool) or not isinstance(next_page, int)):
        raise ValueError("next_page must be an integer or null")
    return FeedbackPage(tuple(decode_feedback(i, profile) for i in items), next_page)


def encode_page(page: FeedbackPage, profile: WireProfile) -> dict[str, Any]:
    """A listing page in wire form."""
    return {
        profile.items_key: [encode_feedback(i, profile) for i in page.items],
        profile.next_page_key: page.next_page,
    }


# -- webhook events ------------------------------------------------------------------------


def encode_event(event: FeedbackEvent, profile: WireProfile) -> dict[str, Any]:
    """A webhook body: event id and type are inside the signed body too."""
    body: dict[str, Any] = {
        "event_id": event.event_id,
        "type": profile.event_type_to_wire(event.type),
        "occurred_at": format_dt(event.occurred_at),
        "previous_status": (
            None if event.previous_status is None else profile.status_to_wire(event.previous_status)
        ),
        "rating": event.rating,
    }
    renamed = dict(rename_out(body, profile))
    renamed[profile.wire_name("feedback")] = encode_feedback(event.feedback, profile)
    return renamed


def decode_event(obj: Any, profile: WireProfile) -> FeedbackEvent:
    """A webhook event from its (already verified) body."""
    if not isinstance(obj, dict):
        raise TypeError("an event must be a JSON object")
    feedback = decode_feedback(obj[profile.wire_name("feedback")], profile)
    data = rename_in({k: v for k, v in obj.items() if k != profile.wire_name("feedback")}, profile)
    event_id = data["event_id"]
    if not isinstance(event_id, str) or not event_id.strip():
        raise ValueError("event_id missing")
    previous = data.get("previous_status")
    rating = data.get("rating")
    if rating is not None and (isinstance(rating, bool) or not isinstance(rating, int)):
        raise ValueError("rating must be an integer")
    return FeedbackEvent(
        event_id=event_id,
        type=profile.event_type_from_wire(data["type"]),
        occurred_at=parse_dt(data["occurred_at"]),
        feedback=feedback,
        previous_status=None if previous is None else profile.status_from_wire(previous),
        rating=rating,
    )


def error_body(code: str, message: str, profile: WireProfile) -> dict[str, Any]:
    """An error answer of the modelled profile."""
    return {profile.error_key: {"code": code, "message": message}}


def decode_error(obj: Any, profile: WireProfile) -> tuple[str | None, str | None]:
    """(code, message) from an error answer, or (None, None) if it is not one."""
    if isinstance(obj, dict) and isinstance(obj.get(profile.error_key), dict):
        err = obj[profile.error_key]
        code, message = err.get("code"), err.get("message")
        return (
            None if code is None else str(code),
            None if message is None else str(message),
        )
    return None, None


# -- webhook signing -------------------------------------------------------------------------


class ContractVerifier(HmacWebhookVerifier):
    """The core "t.body" HMAC verifier, with the contract's scheme label and tolerance."""

    def __init__(
        self,
        secret: str | bytes | SecretStr,
        profile: WireProfile,
        *,
        clock: Callable[[], float] = time.time,
        provider: str | None = "ihanoi",
    ) -> None:
        super().__init__(
            secret, tolerance=profile.webhook_tolerance, clock=clock, provider=provider
        )
        self.scheme = profile.signature_scheme


def webhook_headers(
    event: FeedbackEvent,
    body: bytes,
    secret: str | bytes | SecretStr,
    timestamp: int,
    profile: WireProfile,
) -> dict[str, str]:
    """The headers a sender puts on a webhook: event id and type, timestamp, signature
    (HMAC-SHA256 over f"{timestamp}." + body, as f"{scheme}=<hex>")."""
    signer = ContractVerifier(secret, profile)
    return {
        "Content-Type": "application/json; charset=utf-8",
        profile.event_id_header: event.event_id,
        profile.event_type_header: profile.event_type_to_wire(event.type),
        profile.timestamp_header: str(timestamp),
        profile.signature_header: signer.sign(body, timestamp),
    }
