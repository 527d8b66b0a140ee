"""Feedback statuses: the iHanoi states, Open311's open/closed, and the Vietnamese labels.

`FeedbackStatus` is the common vocabulary (spec section 7, "Status enum mapping").
Open311 GeoReport v2 knows only `open` and `closed`; the mapping down is exact, the mapping
up picks a representative (`open` -> `received`, `closed` -> `resolved`) and is the
identity on the coarse layer: `from_open311(s.open311) .open311 == s.open311`.
"Quá hạn" (overdue) is a flag on a feedback, not a state.
"""

from __future__ import annotations

import enum
import unicodedata

from connectors.core.errors import ValidationError
from connectors.vn.text import strip_diacritics

__all__ = [
    "EventType",
    "FeedbackStatus",
    "Open311Status",
    "status_from_label",
    "status_from_open311",
]


class Open311Status(enum.StrEnum):
    """GeoReport v2 request status."""

    OPEN = "open"
    CLOSED = "closed"


class FeedbackStatus(enum.StrEnum):
    """Where a citizen's feedback (phản ánh, kiến nghị) stands."""

    RECEIVED = "received"
    """Đã tiếp nhận: accepted, not yet assigned."""
    ASSIGNED = "assigned"
    """Đã chuyển xử lý: handed to the responsible agency."""
    IN_PROGRESS = "in_progress"
    """Đang xử lý: the agency is working on it."""
    ANSWERED = "answered"
    """Đã trả lời: a reply was sent to the citizen."""
    RESOLVED = "resolved"
    """Đã xử lý: the issue was dealt with."""
    REJECTED = "rejected"
    """Từ chối: refused, or not within the agency's competence."""
    DUPLICATE = "duplicate"
    """Trùng lặp: the same issue was reported in another feedback."""

    @property
    def open311(self) -> Open311Status:
        """The GeoReport v2 status: open until answered, resolved, rejected or duplicate."""
        return Open311Status.CLOSED if self in _CLOSED else Open311Status.OPEN

    @property
    def is_closed(self) -> bool:
        """Whether the feedback is finished (Open311 `closed`)."""
        return self in _CLOSED

    @property
    def label_vi(self) -> str:
        """The Vietnamese label shown to citizens, e.g. "Đang xử lý"."""
        return _LABELS[self]


_CLOSED = frozenset(
    {
        FeedbackStatus.ANSWERED,
        FeedbackStatus.RESOLVED,
        FeedbackStatus.REJECTED,
        FeedbackStatus.DUPLICATE,
    }
)

_LABELS: dict[FeedbackStatus, str] = {
    FeedbackStatus.RECEIVED: "Đã tiếp nhận",
    FeedbackStatus.ASSIGNED: "Đã chuyển xử lý",
    FeedbackStatus.IN_PROGRESS: "Đang xử lý",
    FeedbackStatus.ANSWERED: "Đã trả lời",
    FeedbackStatus.RESOLVED: "Đã xử lý",
    FeedbackStatus.REJECTED: "Từ chối",
    FeedbackStatus.DUPLICATE: "Trùng lặp",
}

# Other spellings seen in portals, accepted on the way in.
_ALIASES: dict[str, FeedbackStatus] = {
    "tiếp nhận": FeedbackStatus.RECEIVED,
    "chuyển xử lý": FeedbackStatus.ASSIGNED,
    "đã giải quyết": FeedbackStatus.RESOLVED,
    "không thuộc thẩm quyền": FeedbackStatus.REJECTED,
}


def _key(label: str) -> str:
    text = unicodedata.normalize("NFC", label).strip().casefold()
    return " ".join(strip_diacritics(text).split())


_BY_LABEL: dict[str, FeedbackStatus] = {
    **{_key(label): status for status, label in _LABELS.items()},
    **{_key(alias): status for alias, status in _ALIASES.items()},
}


def status_from_label(label: str) -> FeedbackStatus:
    """The status for a Vietnamese label, with or without diacritics, any case.

    Raises `ValidationError` (field "status") for a label it does not know.
    """
    if not isinstance(label, str):
        raise ValidationError("a status label must be text", field="status")
    status = _BY_LABEL.get(_key(label))
    if status is None:
        raise ValidationError(f"unknown status label {label!r}", field="status")
    return status


class EventType(enum.StrEnum):
    """Inbound webhook events (modelled)."""

    CREATED = "feedback.created"
    STATUS_CHANGED = "feedback.status_changed"
    RATED = "feedback.rated"


def status_from_open311(status: Open311Status | str) -> FeedbackStatus:
    """A representative status for an Open311 one: open -> received, closed -> resolved.

    Raises `ValidationError` (field "status") for anything but "open" or "closed".
    """
    try:
        coarse = Open311Status(str(status).strip().lower())
    except ValueError:
        raise ValidationError(
            f"Open311 status must be 'open' or 'closed', not {status!r}", field="status"
        ) from None
    return FeedbackStatus.RECEIVED if coarse is Open311Status.OPEN else FeedbackStatus.RESOLVED
