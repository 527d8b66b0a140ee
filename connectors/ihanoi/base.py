"""The citizen-feedback domain: the `FeedbackExchange` protocol and its models.

Citizens send feedback and recommendations (phản ánh, kiến nghị) about administrative
procedures through iHanoi; the procedure system receives them, answers them and pushes
status changes. Models are frozen dataclasses that validate on construction and raise
`connectors.core.errors.ValidationError` naming the field, before anything is sent. Every
datetime is aware (naive ones are refused) and is written on the wire in GMT+7.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from connectors.core.errors import ValidationError
from connectors.ihanoi.status import EventType, FeedbackStatus, Open311Status
from connectors.vn.phone import parse_phone

__all__ = [
    "MAX_TEXT",
    "Attachment",
    "Feedback",
    "FeedbackEvent",
    "FeedbackExchange",
    "FeedbackPage",
    "Location",
    "NewFeedback",
    "Reporter",
    "Submission",
    "check_aware",
    "check_code",
    "check_text",
]

MAX_TEXT = 4000
"""Open311's limit on a description, used for every free text (notes, replies)."""

_EXTERNAL_ID = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}\Z")
_CODE = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")
_SHA256 = re.compile(r"\A[0-9a-fA-F]{64}\Z")
_EMAIL = re.compile(r"\A[^@\s<>]{1,64}@[^@\s<>]+\.[^@\s<>]+\Z")
_HTML = re.compile(r"<\s*/?\s*[A-Za-z!][^>]*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _fail(name: str, message: str) -> ValidationError:
    return ValidationError(f"{name}: {message}", field=name)


def check_text(name: str, value: object, *, limit: int = MAX_TEXT, required: bool = True) -> None:
    """Refuse a non-str, blank (when required), over-long or HTML-bearing text field."""
    if value is None and not required:
        return
    if not isinstance(value, str):
        raise _fail(name, "must be text")
    if required and not value.strip():
        raise _fail(name, "must not be blank")
    if len(value) > limit:
        raise _fail(name, f"is {len(value)} characters; at most {limit}")
    if _HTML.search(value):
        raise _fail(name, "must be plain text, not HTML")
    if _CONTROL.search(value):
        raise _fail(name, "must not contain control characters")


def check_code(name: str, value: object) -> None:
    """Refuse anything but a short code of letters, digits, '.', '_' and '-'."""
    if not isinstance(value, str) or not _CODE.match(value):
        raise _fail(name, "must be 1-64 letters, digits, '.', '_' or '-'")


def check_aware(name: str, value: object) -> None:
    """Refuse a non-datetime or a naive datetime."""
    if not isinstance(value, datetime):
        raise _fail(name, "must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise _fail(name, "must carry a time zone (naive datetimes are refused)")


@dataclass(frozen=True)
class Location:
    """Where the issue is: WGS84 `lat`/`lng`, or an `address`, or both.

    `ward_code` and `district_code` are the administrative-unit codes (mã phường/xã,
    mã quận/huyện) if known.
    """

    lat: float | None = None
    lng: float | None = None
    address: str | None = None
    ward_code: str | None = None
    district_code: str | None = None

    def __post_init__(self) -> None:
        for name, value, bound in (("lat", self.lat, 90.0), ("lng", self.lng, 180.0)):
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise _fail(f"location.{name}", "must be a number")
            if not math.isfinite(value) or abs(value) > bound:
                raise _fail(f"location.{name}", f"must be within ±{bound:g}")
        if (self.lat is None) != (self.lng is None):
            raise _fail("location.lat", "lat and lng go together")
        check_text("location.address", self.address, limit=500, required=False)
        if self.lat is None and not (self.address or "").strip():
            raise _fail("location", "give lat and lng, or an address")
        for name in ("ward_code", "district_code"):
            if getattr(self, name) is not None:
                check_code(f"location.{name}", getattr(self, name))


@dataclass(frozen=True)
class Reporter:
    """The citizen who reported: name, and a mobile phone ("0XXXXXXXXX") and/or email.

    The phone is normalised to its national form; `vneid_sub` is the VNeID subject if
    the citizen signed in with VNeID.
    """

    full_name: str
    phone: str | None = None
    email: str | None = None
    vneid_sub: str | None = None

    def __post_init__(self) -> None:
        check_text("reporter.full_name", self.full_name, limit=200)
        if self.phone is not None:
            try:
                national = parse_phone(self.phone).national
            except ValidationError as exc:
                raise _fail("reporter.phone", exc.message) from None
            object.__setattr__(self, "phone", national)
        if self.email is not None and (
            not isinstance(self.email, str) or not _EMAIL.match(self.email)
        ):
            raise _fail("reporter.email", "is not an email address")
        check_text("reporter.vneid_sub", self.vneid_sub, limit=128, required=False)


@dataclass(frozen=True)
class Attachment:
    """A file published at `url` (http or https), with its SHA-256 so the receiver can
    check what it downloads. `sha256` is stored lowercase."""

    url: str
    sha256: str
    mime: str = "application/octet-stream"

    def __post_init__(self) -> None:
        if not isinstance(self.url, str) or not re.match(r"\Ahttps?://[^\s/]+\S*\Z", self.url):
            raise _fail("attachment.url", "must be an http(s) URL")
        if len(self.url) > 2000:
            raise _fail("attachment.url", "is longer than 2000 characters")
        if not isinstance(self.sha256, str) or not _SHA256.match(self.sha256):
            raise _fail("attachment.sha256", "must be 64 hexadecimal digits")
        object.__setattr__(self, "sha256", self.sha256.lower())
        if not isinstance(self.mime, str) or not re.match(r"\A[\w.+-]+/[\w.+-]+\Z", self.mime):
            raise _fail("attachment.mime", "must be a media type such as image/jpeg")


def _attachments(name: str, value: Sequence[Attachment]) -> tuple[Attachment, ...]:
    items = tuple(value)
    if len(items) > 20:
        raise _fail(name, "at most 20 attachments")
    for item in items:
        if not isinstance(item, Attachment):
            raise _fail(name, "must hold Attachment objects")
    return items


@dataclass(frozen=True)
class NewFeedback:
    """A feedback to submit. `external_id` is the portal's own id: submitting the same
    one again with the same content returns the same feedback (idempotent); with other
    content it is refused as `Duplicate`."""

    external_id: str
    category_code: str
    title: str
    description: str
    location: Location
    reporter: Reporter
    submitted_at: datetime
    attachments: Sequence[Attachment] = ()
    is_public: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.external_id, str) or not _EXTERNAL_ID.match(self.external_id):
            raise _fail("external_id", "must be 1-64 letters, digits, '.', '_', ':', '/' or '-'")
        check_code("category_code", self.category_code)
        check_text("title", self.title, limit=200)
        check_text("description", self.description)
        if not isinstance(self.location, Location):
            raise _fail("location", "must be a Location")
        if not isinstance(self.reporter, Reporter):
            raise _fail("reporter", "must be a Reporter")
        check_aware("submitted_at", self.submitted_at)
        object.__setattr__(self, "attachments", _attachments("attachments", self.attachments))
        if not isinstance(self.is_public, bool):
            raise _fail("is_public", "must be True or False")


@dataclass(frozen=True)
class Submission:
    """iHanoi's answer to a submission. `replayed` is True when the external id was
    already known with the same content (nothing new was created)."""

    feedback_id: str
    status: FeedbackStatus
    received_at: datetime
    replayed: bool = False


@dataclass(frozen=True)
class Feedback:
    """A feedback as iHanoi holds it.

    `version` grows with every change; `(updated_at, version)` is its revision, which the
    sync helper uses to hand each change over once. `overdue` (quá hạn) is a flag.
    """

    feedback_id: str
    status: FeedbackStatus
    category_code: str
    title: str
    description: str
    updated_at: datetime
    version: int = 1
    external_id: str | None = None
    location: Location | None = None
    reporter: Reporter | None = None
    submitted_at: datetime | None = None
    received_at: datetime | None = None
    status_note: str | None = None
    agency_code: str | None = None
    assignee: str | None = None
    due_at: datetime | None = None
    resolved_at: datetime | None = None
    reply_text: str | None = None
    reply_attachments: tuple[Attachment, ...] = field(default=())
    overdue: bool = False
    rating: int | None = None

    @property
    def open311_status(self) -> Open311Status:
        """The GeoReport v2 status."""
        return self.status.open311

    @property
    def status_label(self) -> str:
        """The Vietnamese label of the status."""
        return self.status.label_vi

    @property
    def revision(self) -> tuple[datetime, int]:
        """What makes this state of the feedback distinct: (updated_at, version)."""
        return (self.updated_at, self.version)


@dataclass(frozen=True)
class FeedbackPage:
    """One page of a listing; `next_page` is None on the last page."""

    items: tuple[Feedback, ...]
    next_page: int | None = None


@dataclass(frozen=True)
class FeedbackEvent:
    """A verified inbound webhook event.

    `feedback` is the state after the event; `previous_status` is set for
    `feedback.status_changed`, `rating` (1-5 stars) for `feedback.rated`.
    """

    event_id: str
    type: EventType
    occurred_at: datetime
    feedback: Feedback
    previous_status: FeedbackStatus | None = None
    rating: int | None = None


@runtime_checkable
class FeedbackExchange(Protocol):
    """What every feedback provider offers the portal (the conformance suite checks it)."""

    def submit_feedback(self, feedback: NewFeedback) -> Submission:
        """Send a feedback; idempotent by `feedback.external_id`."""
        ...

    def get_feedback(self, feedback_id: str) -> Feedback:
        """One feedback by id; `NotFound` if it does not exist."""
        ...

    def update_status(
        self,
        feedback_id: str,
        status: FeedbackStatus,
        *,
        note: str | None = None,
        agency_code: str | None = None,
        assignee: str | None = None,
        due_at: datetime | None = None,
        idempotency_key: str | None = None,
        resolved_at: datetime | None = None,
    ) -> Feedback:
        """Move a feedback to `status`, with a note and the responsible agency.

        The same `idempotency_key` (one is made when None) applies the update once. A
        closed status is dated `resolved_at` (aware; now by default).
        """
        ...

    def answer(
        self,
        feedback_id: str,
        reply_text: str,
        *,
        agency_code: str,
        attachments: Sequence[Attachment] = (),
        status: FeedbackStatus = FeedbackStatus.ANSWERED,
        idempotency_key: str | None = None,
        resolved_at: datetime | None = None,
    ) -> Feedback:
        """Reply to the citizen (text and attachments by URL) and close the feedback at
        `resolved_at` (aware; now by default).

        The same `idempotency_key` (one is made when None) applies the answer once; pass
        `resolved_at` too, so that a resend under that key is the same answer.
        """
        ...

    def list_updated(
        self,
        since: datetime | None = None,
        *,
        status: FeedbackStatus | None = None,
        page: int = 1,
    ) -> FeedbackPage:
        """Feedback updated at or after `since`, oldest change first, one page."""
        ...
