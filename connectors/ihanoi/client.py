"""The iHanoi client for the *modelled* contract (fidelity: modelled contract, spec section 7).

iHanoi publishes no API; this client speaks the contract the library proposes (Open311
GeoReport v2 + JSON + signed webhooks). Every wire detail comes from a `Contract`; point
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
from typing import Any, NoReturn, TypeVar

import requests
from pydantic import SecretStr

from connectors.core.errors import (
    ConnectorError,
    Duplicate,
    OutcomeUnknown,
    ProviderUnavailable,
    ValidationError,
)
from connectors.core.http_errors import error_for_status, request_id_of
from connectors.core.redaction import Redactor
from connectors.core.retry import Idempotency, RetryPolicy
from connectors.core.transport import RequestSpec, Timeouts, Transport
from connectors.ihanoi import wire
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
from connectors.ihanoi.contract import DEFAULT_CONTRACT, Contract
from connectors.ihanoi.settings import IHanoiSettings
from connectors.ihanoi.status import FeedbackStatus
from connectors.vn.time import now_vn

__all__ = ["LIST_ANSWER_LIMIT", "IHanoiClient"]

LIST_ANSWER_LIMIT = 16 * 1024 * 1024
"""The largest page of `list_updated` read (bytes); past it, `ResponseTooLarge` (ask for
smaller pages with `page_size`)."""

_MAX_ID = 128

T = TypeVar("T")


def _check_id(feedback_id: object) -> str:
    if not isinstance(feedback_id, str) or not feedback_id.strip() or len(feedback_id) > _MAX_ID:
        raise ValidationError("feedback_id: must be a non-blank id", field="feedback_id")
    return feedback_id


def _check_attachments(items: Sequence[Attachment]) -> tuple[Attachment, ...]:
    result = tuple(items)
    if len(result) > 20 or not all(isinstance(a, Attachment) for a in result):
        raise ValidationError("attachments: at most 20 Attachment objects", field="attachments")
    return result


class IHanoiClient:
    """Submit feedback to iHanoi, push status changes and answers, list what changed.

    `token` is the bearer token (kept secret: redacted from logs and errors). Thread-safe.
    `clock` (Unix seconds) dates answers' `resolved_at`.

    A caller's `session` is used as it is: `Timeouts.total` then holds inside an attempt
    only if the session mounts a `connectors.core.deadline.DeadlineAdapter` (the one the
    client makes by default does).
    """

    provider = "ihanoi"

    def __init__(
        self,
        base_url: str,
        token: str | SecretStr,
        *,
        contract: Contract = DEFAULT_CONTRACT,
        timeouts: Timeouts | None = None,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValidationError("base_url: must start with http:// or https://", field="base_url")
        secret = token if isinstance(token, SecretStr) else SecretStr(token)
        if not secret.get_secret_value().strip():
            raise ValidationError("token: must not be empty", field="token")
        self.base_url = base_url.rstrip("/")
        self.contract = contract
        self._token = secret
        self._clock = clock
        self.transport = Transport(
            self.provider,
            timeouts=timeouts,
            retry=retry,
            redactor=Redactor(secret_values=[secret]),
            session=session,
        )

    @classmethod
    def from_settings(
        cls, settings: IHanoiSettings, *, contract: Contract = DEFAULT_CONTRACT
    ) -> IHanoiClient:
        """A client built from `IHanoiSettings` (environment `CONNECTORS_IHANOI_...`)."""
        return cls(
            settings.base_url,
            settings.token,
            contract=contract,
            timeouts=settings.http.timeouts(),
            retry=settings.http.retry_policy(),
        )

    def __repr__(self) -> str:
        return f"IHanoiClient(base_url={self.base_url!r}, token=***)"

    def close(self) -> None:
        """Close pooled connections."""
        self.transport.close()

    def __enter__(self) -> IHanoiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
        c = self.contract
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
            self._raise(response, operation, duplicate=True)
        if response.status_code not in (c.created_status, c.replayed_status):
            self._raise(response, operation)
        try:
            return wire.decode_submission(
                response.json(), c, replayed=response.status_code != c.created_status
            )
        except wire.DECODE_ERRORS:
            raise OutcomeUnknown(
                "iHanoi's answer to the submission could not be read, so it may or may not "
                "be recorded; submit the same feedback again to reconcile",
                idempotency_key=feedback.external_id,
                **self._context(response, operation),
            ) from None

    def get_feedback(self, feedback_id: str) -> Feedback:
        """One feedback by id; `NotFound` if iHanoi does not know it."""
        _check_id(feedback_id)
        operation = "get_feedback"
        response = self.transport.request(
            RequestSpec(
                "GET", self._url(self.contract.item_path(feedback_id)), headers=self._auth()
            ),
            operation=operation,
            idempotency=Idempotency.READ,
        )
        return self._decoded(
            response, operation, lambda obj: wire.decode_feedback(obj, self.contract)
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
        check_text("note", note, limit=self.contract.max_description, required=False)
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
            contract=self.contract,
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
        check_text("reply_text", reply_text, limit=self.contract.max_description)
        check_code("agency_code", agency_code)
        items = _check_attachments(attachments)
        if not isinstance(status, FeedbackStatus) or not status.is_closed:
            raise ValidationError(
                "status: an answer closes the feedback (answered, resolved, rejected, duplicate)",
                field="status",
            )
        body = wire.encode_update(
            status=status,
            contract=self.contract,
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
        c = self.contract
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
        return self._decoded(response, operation, lambda obj: wire.decode_page(obj, c))

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
        return self.base_url + path

    def _auth(self) -> dict[str, str]:
        c = self.contract
        token = self._token.get_secret_value()
        value = f"{c.auth_scheme} {token}" if c.auth_scheme else token
        return {c.auth_header: value, "Accept": "application/json"}

    def _patch(
        self, feedback_id: str, body: dict[str, Any], operation: str, key: str | None
    ) -> Feedback:
        c = self.contract
        idem = key or str(uuid.uuid4())
        headers = {**self._auth(), c.idempotency_header: idem}
        response = self.transport.request(
            RequestSpec("PATCH", self._url(c.item_path(feedback_id)), headers=headers, json=body),
            operation=operation,
            idempotency=Idempotency.KEYED_WRITE,
            idempotency_key=idem,
        )
        if not 200 <= response.status_code < 300:
            self._raise(response, operation)
        try:
            return wire.decode_feedback(response.json(), c)
        except wire.DECODE_ERRORS:
            raise OutcomeUnknown(
                f"{operation}: iHanoi's answer could not be read; repeat with the same key",
                idempotency_key=idem,
                **self._context(response, operation),
            ) from None

    def _decoded(
        self, response: requests.Response, operation: str, decode: Callable[[Any], T]
    ) -> T:
        if not 200 <= response.status_code < 300:
            self._raise(response, operation)
        try:
            return decode(response.json())
        except wire.DECODE_ERRORS:
            raise ProviderUnavailable(
                f"{operation}: iHanoi's answer could not be read",
                **self._context(response, operation),
            ) from None

    def _context(self, response: requests.Response, operation: str) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "operation": operation,
            "http_status": response.status_code,
            "request_id": request_id_of(response.headers),
            "body_excerpt": self.transport.redactor.excerpt(
                response.content, response.headers.get("Content-Type")
            ),
        }

    def _raise(
        self, response: requests.Response, operation: str, *, duplicate: bool = False
    ) -> NoReturn:
        try:
            code, message = wire.decode_error(response.json(), self.contract)
        except wire.DECODE_ERRORS:
            code, message = None, None
        text = f"iHanoi refused {operation}: {message or f'HTTP {response.status_code}'}"
        if duplicate:
            raise Duplicate(
                text, vendor_code=code, vendor_message=message, **self._context(response, operation)
            )
        error: ConnectorError = error_for_status(
            response,
            provider=self.provider,
            operation=operation,
            redactor=self.transport.redactor,
            message=text,
            vendor_code=code,
            vendor_message=message,
        )
        raise error
