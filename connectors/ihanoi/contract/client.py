"""The iHanoi client for the *modelled* contract (fidelity: modelled contract, spec section 7).

iHanoi publishes no API; this client speaks the contract the library proposes (Open311
GeoReport v2 + JSON + signed webhooks). Every wire detail comes from a `WireProfile`; point
the client at the real API by passing one that matches the real specification.

Idempotency:

- `submit_feedback` is keyed by the portal's `external_id`: retried on transient faults;
  the same body returns the same feedback, a different body under the same id is refused
  (`Duplicate`).
- `update_status` and `answer` send an `Idempotency-Key` (a fresh UUID per call unless
  the caller gives one) reused on every attempt, so a retried update is applied once. A
  caller resending with the same key must send the same body: a closing update carries
  `resolved_at` (now, unless given), so pass the same `resolved_at` when you may resend
  (e.g. after `ProviderUnavailable` or `OutcomeUnknown`), or iHanoi answers `Duplicate`.
- Reads retry on transient faults.

Every answer is read up to a size limit: the transport's (4 MiB by default) for one
feedback, `LIST_ANSWER_LIMIT` for a page of `list_updated`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

import pydantic
import requests
from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from connectors.core.config import ProviderSettings
from connectors.core.deprecation import moved, warn_deprecated
from connectors.core.errors import Duplicate, ValidationError
from connectors.core.retry import Idempotency
from connectors.core.transport import RequestSpec
from connectors.ihanoi.base import (
    Attachment,
    Feedback,
    FeedbackPage,
    NewFeedback,
    Submission,
    check_aware,
    check_code,
    check_text,
)
from connectors.ihanoi.client import LIST_ANSWER_LIMIT, FeedbackClient
from connectors.ihanoi.contract import wire
from connectors.ihanoi.contract.wire import DEFAULT_PROFILE, WireProfile
from connectors.ihanoi.status import FeedbackStatus
from connectors.vn.time import now_vn

__all__ = ["LIST_ANSWER_LIMIT", "IhanoiFeedback", "IhanoiFeedbackSettings"]

__getattr__ = moved(
    __name__,
    {
        "IHanoiClient": "connectors.ihanoi.contract:IhanoiFeedback",
        "IHanoiSettings": "connectors.ihanoi.contract:IhanoiFeedbackSettings",
    },
)

_MAX_ID = 128


def _check_id(feedback_id: object) -> str:
    if not isinstance(feedback_id, str) or not feedback_id.strip() or len(feedback_id) > _MAX_ID:
        raise ValidationError("feedback_id: must be a non-blank id", field="feedback_id")
    return feedback_id


def _check_attachments(items: Sequence[Attachment]) -> tuple[Attachment, ...]:
    result = tuple(items)
    if len(result) > 20 or not all(isinstance(a, Attachment) for a in result):
        raise ValidationError("attachments: at most 20 Attachment objects", field="attachments")
    return result


class IhanoiFeedbackSettings(ProviderSettings):
    """The iHanoi endpoint, its bearer token and the shared webhook secret:
    `CONNECTORS_IHANOI_BASE_URL`, `..._TOKEN`, `..._WEBHOOK_SECRET`."""

    model_config = SettingsConfigDict(env_prefix="CONNECTORS_IHANOI_")

    token: SecretStr
    webhook_secret: SecretStr | None = None

    @pydantic.field_validator("token")
    @classmethod
    def _not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("must not be empty")
        return value


class IhanoiFeedback(FeedbackClient[IhanoiFeedbackSettings, WireProfile]):
    """Submit feedback to iHanoi, push status changes and answers, list what changed.

    Construction: `IhanoiFeedback(base_url=..., token=...)`, `from_settings(settings)` or
    `from_env()` (`CONNECTORS_IHANOI_*`); options as `FeedbackClient`'s (`profile`: the
    contract's `wire.WireProfile`), plus `clock` (Unix seconds: dates answers'
    `resolved_at`). The token is kept secret (redacted from logs and errors). Thread-safe.
    """

    name = "ihanoi"
    title = "iHanoi"
    settings_class = IhanoiFeedbackSettings
    default_profile = DEFAULT_PROFILE
    positional_fields = ("base_url", "token")

    def __init__(
        self,
        settings: IhanoiFeedbackSettings | str | None = None,
        /,
        *positional: Any,
        contract: WireProfile | None = None,
        clock: Callable[[], float] = time.time,
        **options: Any,
    ) -> None:
        if contract is not None:
            warn_deprecated(f"{type(self).__name__}(contract=...)", "profile=...")
            options.setdefault("profile", contract)
        super().__init__(settings, *positional, **options)
        self._clock = clock

    @property
    def contract(self) -> WireProfile:
        """Deprecated: the contract's wire details are `profile`."""
        warn_deprecated(f"{type(self).__name__}.contract", f"{type(self).__name__}.profile")
        return self.profile

    # -- operations ----------------------------------------------------------------------

    def submit_feedback(self, feedback: NewFeedback) -> Submission:
        """Submit a feedback; idempotent by `feedback.external_id`.

        Returns the `Submission` (with `replayed=True` if iHanoi already had this exact
        feedback). Raises `Duplicate` if the external id was used with other content,
        `OutcomeUnknown` (key = the external id: submit again to reconcile) if no answer
        could be read.
        """
        if not isinstance(feedback, NewFeedback):
            raise ValidationError("feedback: must be a NewFeedback", field="feedback")
        c = self.profile
        check_text("title", feedback.title, limit=c.max_title)
        check_text("description", feedback.description, limit=c.max_description)
        body = wire.encode_new_feedback(feedback, c)
        operation = "submit_feedback"
        response = self.transport.request(
            lambda _n: RequestSpec(
                "POST", self._url(c.feedback_path), headers=self._auth(), json=body
            ),
            operation=operation,
            idempotency=Idempotency.KEYED_WRITE,
            idempotency_key=feedback.external_id,
        )
        if response.status_code == c.conflict_status:
            raise self._refusal(response, operation, duplicate=True)
        if response.status_code not in (c.created_status, c.replayed_status):
            self._fail(response, operation)
        replayed = response.status_code != c.created_status
        return self._decoded(
            response,
            operation,
            lambda r: wire.decode_submission(r.json(), c, replayed=replayed),
            key=feedback.external_id,
        )

    def get_feedback(self, feedback_id: str) -> Feedback:
        """One feedback by id; `NotFound` if iHanoi does not know it."""
        _check_id(feedback_id)
        operation = "get_feedback"
        response = self.transport.request(
            RequestSpec(
                "GET", self._url(self.profile.item_path(feedback_id)), headers=self._auth()
            ),
            operation=operation,
            idempotency=Idempotency.READ,
        )
        return self._decoded(
            response, operation, lambda r: wire.decode_feedback(r.json(), self.profile)
        )

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
        """Move a feedback to `status` with a note (ghi chú) and the responsible agency
        (`agency_code`, mã đơn vị xử lý); returns the feedback as iHanoi now holds it.

        A closed status is dated `resolved_at` (aware; now by default)."""
        _check_id(feedback_id)
        if not isinstance(status, FeedbackStatus):
            raise ValidationError("status: must be a FeedbackStatus", field="status")
        check_text("note", note, limit=self.profile.max_description, required=False)
        if agency_code is not None:
            check_code("agency_code", agency_code)
        check_text("assignee", assignee, limit=200, required=False)
        if due_at is not None:
            check_aware("due_at", due_at)
        if resolved_at is not None and not status.is_closed:
            raise ValidationError(
                "resolved_at: only a closed status is resolved", field="resolved_at"
            )
        resolved_at = self._resolved_at(resolved_at) if status.is_closed else None
        body = wire.encode_update(
            status=status,
            profile=self.profile,
            status_note=note,
            agency_code=agency_code,
            assignee=assignee,
            due_at=due_at,
            resolved_at=resolved_at,
        )
        return self._patch(feedback_id, body, "update_status", idempotency_key)

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
        """Reply to the citizen (trả lời) with text and attachments by URL (with SHA-256),
        closing the feedback with `status` (answered by default; any closed status) at
        `resolved_at` (aware; now by default)."""
        _check_id(feedback_id)
        check_text("reply_text", reply_text, limit=self.profile.max_description)
        check_code("agency_code", agency_code)
        items = _check_attachments(attachments)
        if not isinstance(status, FeedbackStatus) or not status.is_closed:
            raise ValidationError(
                "status: an answer closes the feedback (answered, resolved, rejected, duplicate)",
                field="status",
            )
        body = wire.encode_update(
            status=status,
            profile=self.profile,
            agency_code=agency_code,
            reply_text=reply_text,
            reply_attachments=items,
            resolved_at=self._resolved_at(resolved_at),
        )
        return self._patch(feedback_id, body, "answer", idempotency_key)

    def list_updated(
        self,
        since: datetime | None = None,
        *,
        status: FeedbackStatus | None = None,
        page: int = 1,
        page_size: int | None = None,
    ) -> FeedbackPage:
        """One page of feedback updated at or after `since` (all if None), oldest first."""
        c = self.profile
        params: list[tuple[str, str]] = []
        if since is not None:
            check_aware("since", since)
            params.append((c.updated_since_param, wire.format_dt(since)))
        if status is not None:
            if not isinstance(status, FeedbackStatus):
                raise ValidationError("status: must be a FeedbackStatus", field="status")
            params.append((c.status_param, c.status_to_wire(status)))
        if isinstance(page, bool) or not isinstance(page, int) or page < 1:
            raise ValidationError("page: must be a positive integer", field="page")
        params.append((c.page_param, str(page)))
        if page_size is not None:
            if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
                raise ValidationError("page_size: must be a positive integer", field="page_size")
            params.append((c.page_size_param, str(page_size)))
        operation = "list_updated"
        response = self.transport.request(
            RequestSpec("GET", self._url(c.feedback_path), params=params, headers=self._auth()),
            operation=operation,
            idempotency=Idempotency.READ,
            max_response_bytes=LIST_ANSWER_LIMIT,
        )
        return self._decoded(response, operation, lambda r: wire.decode_page(r.json(), c))

    def iter_updated(
        self, since: datetime | None = None, *, status: FeedbackStatus | None = None
    ) -> Iterator[Feedback]:
        """Every feedback updated at or after `since`, following the pages."""
        page: int | None = 1
        while page is not None:
            result = self.list_updated(since, status=status, page=page)
            yield from result.items
            page = result.next_page

    # -- plumbing ------------------------------------------------------------------------

    def _resolved_at(self, given: datetime | None) -> datetime:
        if given is None:
            return now_vn(self._clock)
        check_aware("resolved_at", given)
        return given

    def _url(self, path: str) -> str:
        return self.settings.base_url + path

    def _auth(self) -> dict[str, str]:
        c = self.profile
        token = self.settings.token.get_secret_value()
        value = f"{c.auth_scheme} {token}" if c.auth_scheme else token
        return {c.auth_header: value, "Accept": "application/json"}

    def _patch(
        self, feedback_id: str, body: dict[str, Any], operation: str, key: str | None
    ) -> Feedback:
        c = self.profile
        idem = key or str(uuid.uuid4())
        headers = {**self._auth(), c.idempotency_header: idem}
        response = self.transport.request(
            RequestSpec("PATCH", self._url(c.item_path(feedback_id)), headers=headers, json=body),
            operation=operation,
            idempotency=Idempotency.KEYED_WRITE,
            idempotency_key=idem,
        )
        return self._decoded(
            response, operation, lambda r: wire.decode_feedback(r.json(), c), key=idem
        )

    def _refusal(
        self, response: requests.Response, operation: str, *, duplicate: bool = False
    ) -> Exception:
        """iHanoi's error answer (`duplicate`: a submission's conflict), else by status."""
        try:
            code, message = wire.decode_error(response.json(), self.profile)
        except wire.DECODE_ERRORS:
            code, message = None, None
        text = f"iHanoi refused {operation}: {message or f'HTTP {response.status_code}'}"
        if duplicate:
            return Duplicate(
                text, vendor_code=code, vendor_message=message, **self._context(response, operation)
            )
        return self._status_error(
            response, operation, text, vendor_code=code, vendor_message=message
        )
