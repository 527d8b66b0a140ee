"""The modelled iHanoi contract half of the iHanoi simulator.

A mixin for `IhanoiFeedbackSimulator`: bearer token, idempotent submission by `external_id`
(`WireProfile.replayed_status` for the same body, `WireProfile.conflict_status` for another),
`Idempotency-Key` on PATCH (a replay answers the first answer; another body under the same
key is a conflict), listing by `updated_since` (inclusive), oldest change first, paged.
Every path, name and status comes from the simulator's `WireProfile`
(`connectors.ihanoi.contract.wire`).
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

from connectors.core.errors import ValidationError
from connectors.core.signing import constant_time_equals
from connectors.ihanoi.base import Feedback, Submission
from connectors.ihanoi.contract import wire
from connectors.ihanoi.contract.wire import WireProfile
from connectors.testing.simulator import Ledger, SimRequest, SimResponse
from connectors.testing.simulators.ihanoi.store import FeedbackStoreHooks

__all__ = ["ContractRoutes"]


class ContractRoutes(FeedbackStoreHooks):
    """The modelled iHanoi endpoints over the simulator's store (a mixin)."""

    # Provided by IhanoiFeedbackSimulator.
    token: str
    profile: WireProfile
    page_size: int
    ledger: Ledger
    _lock: threading.RLock
    _store: dict[str, Feedback]
    _external: dict[str, tuple[bytes, Submission]]
    _patches: dict[str, tuple[bytes, dict[str, Any]]]

    def _change(self, feedback_id: str, **changes: Any) -> tuple[Feedback, Feedback] | None:
        raise NotImplementedError

    def _error(self, status: int, code: str, message: str) -> SimResponse:
        return SimResponse.json(wire.error_body(code, message, self.profile), status)

    def _authorised(self, request: SimRequest) -> bool:
        c = self.profile
        expected = f"{c.auth_scheme} {self.token}" if c.auth_scheme else self.token
        return constant_time_equals(request.header(c.auth_header.lower()) or "", expected)

    def _submit(self, request: SimRequest) -> SimResponse:
        if not self._authorised(request):
            return self._error(401, "unauthorized", "missing or invalid token")
        c = self.profile
        try:
            body = request.json()
            draft = wire.decode_new_feedback(body, c)
        except (*wire.DECODE_ERRORS, ValidationError) as exc:
            return self._error(400, "invalid", str(exc))
        fingerprint = hashlib.sha256(wire.canonical_json(wire.rename_in(body, c))).digest()
        with self._lock:
            known = self._external.get(draft.external_id)
            if known is not None:
                if known[0] != fingerprint:
                    return self._error(
                        c.conflict_status, "conflict", "external_id already used with another body"
                    )
                return SimResponse.json(wire.encode_submission(known[1], c), c.replayed_status)
            feedback = self._receive(
                source="portal",
                extra={"attachments": wire.encode_attachments(draft.attachments)},
                category_code=draft.category_code,
                title=draft.title,
                description=draft.description,
                external_id=draft.external_id,
                location=draft.location,
                reporter=draft.reporter,
                submitted_at=draft.submitted_at,
            )
            submission = Submission(feedback.feedback_id, feedback.status, feedback.updated_at)
            self._external[draft.external_id] = (fingerprint, submission)
        return SimResponse.json(wire.encode_submission(submission, c), c.created_status)

    def _get_one(self, request: SimRequest) -> SimResponse:
        if not self._authorised(request):
            return self._error(401, "unauthorized", "missing or invalid token")
        found = self._get(request.path_params["feedback_id"])
        if found is None:
            return self._error(404, "not_found", "no such feedback")
        return SimResponse.json(wire.encode_feedback(found, self.profile))

    def _patch(self, request: SimRequest) -> SimResponse:
        if not self._authorised(request):
            return self._error(401, "unauthorized", "missing or invalid token")
        c = self.profile
        feedback_id = request.path_params["feedback_id"]
        key = request.header(c.idempotency_header.lower())
        try:
            body = wire.rename_in(request.json(), c)
            if not isinstance(body, dict):
                raise TypeError("the body must be a JSON object")
            changes = self._decode_patch(body)
        except (*wire.DECODE_ERRORS, ValidationError) as exc:
            return self._error(400, "invalid", str(exc))
        fingerprint = hashlib.sha256(feedback_id.encode() + wire.canonical_json(body)).digest()
        with self._lock:
            if key is not None and key in self._patches:
                seen_fp, answer = self._patches[key]
                if seen_fp != fingerprint:
                    return self._error(
                        c.conflict_status, "conflict", "Idempotency-Key reused with another body"
                    )
                return SimResponse.json(answer)
            if self._get(feedback_id) is None:
                return self._error(404, "not_found", "no such feedback")
            result = self._change(feedback_id, **changes)
            current = self._store[feedback_id]
            if result is not None:
                kind = "answer" if "reply_text" in changes else "status_update"
                self.ledger.record(
                    kind,
                    feedback_id,
                    status=current.status.value,
                    status_note=current.status_note,
                    agency_code=current.agency_code,
                    reply_text=changes.get("reply_text"),
                    reply_attachments=wire.encode_attachments(current.reply_attachments),
                    version=current.version,
                    idempotency_key=key,
                )
            answer = wire.encode_feedback(current, c)
            if key is not None:
                self._patches[key] = (fingerprint, answer)
        return SimResponse.json(answer)

    def _decode_patch(self, body: dict[str, Any]) -> dict[str, Any]:
        c = self.profile
        changes: dict[str, Any] = {}
        if "status" in body:
            try:
                changes["status"] = c.status_from_wire(body["status"])
            except KeyError:
                raise ValueError(f"unknown status {body['status']!r}") from None
        for name in ("status_note", "agency_code", "assignee", "reply_text"):
            if name in body:
                if body[name] is not None and not isinstance(body[name], str):
                    raise ValueError(f"{name} must be text")
                changes[name] = body[name]
        for name in ("due_at", "resolved_at"):
            if name in body:
                changes[name] = wire.parse_dt(body[name])
        if "reply_attachments" in body:
            changes["reply_attachments"] = wire.decode_attachments(body["reply_attachments"])
        if not changes:
            raise ValueError("nothing to change")
        return changes

    def _list(self, request: SimRequest) -> SimResponse:
        if not self._authorised(request):
            return self._error(401, "unauthorized", "missing or invalid token")
        c = self.profile
        args = request.args()
        try:
            since = (
                wire.parse_dt(args[c.updated_since_param])
                if args.get(c.updated_since_param)
                else None
            )
            status = c.status_from_wire(args[c.status_param]) if args.get(c.status_param) else None
            page = int(args.get(c.page_param) or 1)
            size = min(int(args.get(c.page_size_param) or self.page_size), 200)
            if page < 1 or size < 1:
                raise ValueError("page and page_size must be positive")
        except (ValueError, KeyError) as exc:
            return self._error(400, "invalid", f"bad query: {exc}")
        items = [
            f
            for f in self._all()
            if (
                since is None
                or f.updated_at > since
                or (c.updated_since_inclusive and f.updated_at == since)
            )
            and (status is None or f.status is status)
        ]
        chunk = items[(page - 1) * size : page * size]
        next_page = page + 1 if page * size < len(items) else None
        body = {
            c.items_key: [wire.encode_feedback(f, c) for f in chunk],
            c.next_page_key: next_page,
        }
        return SimResponse.json(body)
