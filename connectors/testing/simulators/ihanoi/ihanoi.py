"""iHanoi simulated: the modelled contract and Open311 GeoReport v2, with signed webhooks.

One store of feedback answers both APIs. The simulator enforces the contract's rules
(bearer token, idempotent submission by `external_id` with 409 on a conflicting body,
`Idempotency-Key` on PATCH, inclusive `updated_since` listing, oldest change first) and
Open311's (API key to post, error lists, 90-day windows, batch tokens). It keeps a
`ledger` (kinds "feedback", "status_update", "answer", "citizen_status", "rating") and
injects faults per route name:

    services, service_definition, post_request, token, requests, request,
    submit_feedback, list_feedback, get_feedback, update_feedback

Driver methods play the citizen and iHanoi's operators for tests and the demo:
`citizen_submits`, `operator_sets_status`, `citizen_rates`; `feedback(id)` reads back
what the portal pushed. Events go to the URL given to `register_webhook`, signed, with
retries on non-2xx.
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Self

from pydantic import SecretStr

from connectors.core.deprecation import warn_deprecated
from connectors.ihanoi.base import Feedback, FeedbackEvent, Location, Reporter, Submission
from connectors.ihanoi.contract.wire import DEFAULT_PROFILE, WireProfile
from connectors.ihanoi.open311 import wire as o311
from connectors.ihanoi.open311.models import AttributeDefinition, Service, ServiceDefinition
from connectors.ihanoi.status import EventType, FeedbackStatus
from connectors.testing.simulator import LedgerEntry, Simulator
from connectors.testing.simulators.ihanoi.contract import ContractRoutes
from connectors.testing.simulators.ihanoi.open311 import Open311Routes
from connectors.testing.simulators.ihanoi.webhooks import Deliver, Delivery, WebhookSender
from connectors.vn.time import VN_TZ

__all__ = ["DEFAULT_DEFINITIONS", "DEFAULT_SERVICES", "IhanoiFeedbackSimulator"]

DEFAULT_SERVICES: tuple[Service, ...] = (
    Service(
        "TTHC-HS",
        "Phản ánh về hồ sơ thủ tục hành chính",
        "Hồ sơ chậm, sai, thiếu hướng dẫn (mô phỏng)",
        metadata=True,
        keywords=("thủ tục", "hồ sơ"),
        group="Thủ tục hành chính",
    ),
    Service(
        "TTHC-PHI",
        "Phản ánh về phí, lệ phí",
        "Thu phí, lệ phí, biên lai (mô phỏng)",
        keywords=("phí", "lệ phí"),
        group="Thủ tục hành chính",
    ),
    Service(
        "HT-MT",
        "Phản ánh hiện trường: môi trường",
        "Rác thải, vệ sinh (mô phỏng; xử lý theo lô)",
        type="batch",
        group="Hiện trường",
    ),
)
"""Fake categories (service codes) for tests and the demo."""

DEFAULT_DEFINITIONS: dict[str, ServiceDefinition] = {
    "TTHC-HS": ServiceDefinition(
        "TTHC-HS",
        (
            AttributeDefinition(
                "ma_ho_so", "string", required=True, description="Mã hồ sơ", order=1
            ),
            AttributeDefinition(
                "kenh",
                "singlevaluelist",
                description="Kênh nộp hồ sơ",
                order=2,
                values=(("truc_tuyen", "Trực tuyến"), ("truc_tiep", "Trực tiếp")),
            ),
        ),
    )
}


class IhanoiFeedbackSimulator(ContractRoutes, Open311Routes, Simulator):
    """The simulated iHanoi. `token` is the bearer token the portal must send, `api_key`
    the Open311 key; `clock` (Unix seconds) dates everything; `open311_prefix` is where
    the GeoReport v2 endpoints live. `profile` is the modelled contract's `WireProfile`
    (``contract=`` is its deprecated name), `open311_profile` Open311's."""

    provider = "ihanoi"

    def __init__(
        self,
        *,
        token: str = "sim-token-not-secret",  # noqa: S107 - a simulator's fake token
        api_key: str = "sim-open311-key",
        profile: WireProfile | o311.WireProfile = DEFAULT_PROFILE,
        open311_profile: o311.WireProfile = o311.DEFAULT_PROFILE,
        contract: WireProfile | None = None,
        jurisdiction_id: str | None = None,
        services: Sequence[Service] = DEFAULT_SERVICES,
        definitions: dict[str, ServiceDefinition] | None = None,
        open311_prefix: str = "/open311/v2",
        page_size: int = 50,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        webhook_backoff: Sequence[float] = (0.05, 0.2, 0.5),
        deliver: Deliver | None = None,
    ) -> None:
        super().__init__(sleep=sleep)
        if isinstance(profile, o311.WireProfile):  # the old meaning of `profile`
            warn_deprecated(
                "IhanoiFeedbackSimulator(profile=<Open311 profile>)", "open311_profile="
            )
            open311_profile = profile
            profile = DEFAULT_PROFILE
        if contract is not None:
            warn_deprecated("IhanoiFeedbackSimulator(contract=...)", "profile=...")
            profile = contract
        self.token = token
        self.api_key = api_key
        self.profile: WireProfile = profile
        self.open311_profile = open311_profile
        self.jurisdiction_id = jurisdiction_id
        self.services = tuple(services)
        self.definitions = dict(DEFAULT_DEFINITIONS if definitions is None else definitions)
        self.page_size = page_size
        self.clock = clock
        self.webhooks = WebhookSender(
            profile, clock=clock, sleep=sleep, backoff=webhook_backoff, deliver=deliver
        )
        self._lock = threading.RLock()
        self._store: dict[str, Feedback] = {}
        self._extra: dict[str, dict[str, Any]] = {}
        self._external: dict[str, tuple[bytes, Submission]] = {}
        self._patches: dict[str, tuple[bytes, dict[str, Any]]] = {}
        self._tokens: dict[str, str] = {}
        self._ids = itertools.count(1)
        self._last_time: datetime | None = None
        c = profile
        self.add_route("POST", c.feedback_path, self._submit, name="submit_feedback")
        self.add_route("GET", c.feedback_path, self._list, name="list_feedback")
        item = c.feedback_item_path
        self.add_route("GET", item, self._get_one, name="get_feedback")
        self.add_route("PATCH", item, self._patch, name="update_feedback")
        self._add_open311_routes(open311_prefix.rstrip("/"))

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any]) -> Self:
        """A simulator accepting `token` (the contract's) and `open311_api_key`."""
        values = dict(credentials)
        if "open311_api_key" in values:
            values["api_key"] = values.pop("open311_api_key")
        return cls(**values)

    # -- store (used by both halves) -----------------------------------------------------

    def _now(self) -> datetime:
        """The clock as GMT+7, strictly increasing so every change has its own instant."""
        with self._lock:
            now = datetime.fromtimestamp(self.clock(), tz=VN_TZ)
            if self._last_time is not None and now <= self._last_time:
                now = self._last_time + timedelta(microseconds=1)
            self._last_time = now
            return now

    def _create(self, draft: Feedback, *, source: str, extra: dict[str, Any]) -> Feedback:
        with self._lock:
            year = datetime.fromtimestamp(self.clock(), tz=VN_TZ).year
            feedback_id = f"PAKN-{year}-{next(self._ids):06d}"
            feedback = dataclasses.replace(draft, feedback_id=feedback_id)
            self._store[feedback_id] = feedback
            self._extra[feedback_id] = dict(extra)
            self.ledger.record(
                "feedback",
                feedback_id,
                source=source,
                external_id=feedback.external_id,
                category_code=feedback.category_code,
                title=feedback.title,
                **extra,
            )
            return feedback

    def _get(self, feedback_id: str) -> Feedback | None:
        with self._lock:
            return self._store.get(feedback_id)

    def _all(self) -> list[Feedback]:
        with self._lock:
            return sorted(self._store.values(), key=lambda f: (f.updated_at, f.feedback_id))

    def _token_target(self, token: str) -> str | None:
        with self._lock:
            return self._tokens.get(token)

    def _new_token(self, feedback_id: str) -> str:
        with self._lock:
            token = f"tok-{uuid.uuid4().hex[:12]}"
            self._tokens[token] = feedback_id
            return token

    def _media_url(self, feedback_id: str) -> str | None:
        with self._lock:
            value = self._extra.get(feedback_id, {}).get("media_url")
            return value if isinstance(value, str) else None

    def _change(self, feedback_id: str, **changes: Any) -> tuple[Feedback, Feedback] | None:
        """Apply `changes`; bump version and updated_at only if something differs."""
        with self._lock:
            current = self._store[feedback_id]
            updated = dataclasses.replace(current, **changes)
            if updated == current:
                return None
            updated = dataclasses.replace(
                updated, version=current.version + 1, updated_at=self._now()
            )
            self._store[feedback_id] = updated
            return current, updated

    # -- drivers for tests and the demo --------------------------------------------------------

    def register_webhook(self, url: str, secret: str | SecretStr) -> None:
        """Send events, signed with `secret`, to `url` (a loopback URL)."""
        self.webhooks.register(url, secret)

    @property
    def deliveries(self) -> list[Delivery]:
        """Every webhook delivery attempt, in order."""
        return list(self.webhooks.deliveries)

    def citizen_submits(
        self,
        *,
        title: str,
        description: str,
        category_code: str = "TTHC-HS",
        dossier_code: str | None = None,
        full_name: str = "Nguyễn Văn Thử",
        phone: str | None = "0900000001",
        address: str = "Phường Thử Nghiệm, Hà Nội (mô phỏng)",
    ) -> str:
        """A citizen sends feedback in the app; emits `feedback.created`. Returns its id.

        `dossier_code` (mã hồ sơ) is kept as the Open311 attribute `ma_ho_so`.
        """
        feedback = self._receive(
            source="citizen",
            extra={"attributes": {"ma_ho_so": dossier_code} if dossier_code else {}},
            category_code=category_code,
            title=title,
            description=description,
            location=Location(address=address),
            reporter=Reporter(full_name=full_name, phone=phone),
        )
        self._emit(EventType.CREATED, feedback)
        return feedback.feedback_id

    def operator_sets_status(
        self, feedback_id: str, status: FeedbackStatus, *, note: str | None = None
    ) -> Feedback:
        """An iHanoi operator changes the status; emits `feedback.status_changed`."""
        result = self._change(feedback_id, status=status, status_note=note)
        current = self.feedback(feedback_id)
        if result is not None:
            self.ledger.record("citizen_status", feedback_id, status=status.value, note=note)
            self._emit(EventType.STATUS_CHANGED, current, previous=result[0].status)
        return current

    def citizen_rates(self, feedback_id: str, stars: int) -> Feedback:
        """The citizen rates the answer (1-5 stars); emits `feedback.rated`."""
        if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
            raise ValueError("stars must be 1 to 5")
        self._change(feedback_id, rating=stars)
        current = self.feedback(feedback_id)
        self.ledger.record("rating", feedback_id, stars=stars)
        self._emit(EventType.RATED, current, rating=stars)
        return current

    def mark_overdue(self, feedback_id: str, overdue: bool = True) -> Feedback:
        """Flag a feedback as overdue (quá hạn) or not."""
        self._change(feedback_id, overdue=overdue)
        return self.feedback(feedback_id)

    def feedback(self, feedback_id: str) -> Feedback:
        """The feedback as iHanoi holds it now (status, answer, agency...); KeyError if none."""
        found = self._get(feedback_id)
        if found is None:
            raise KeyError(feedback_id)
        return found

    def answers_for(self, feedback_id: str) -> list[LedgerEntry]:
        """The answers the portal pushed for a feedback, oldest first."""
        return [e for e in self.ledger.entries("answer") if e.key == feedback_id]

    def updates_for(self, feedback_id: str) -> list[LedgerEntry]:
        """The status updates the portal pushed for a feedback, oldest first."""
        return [e for e in self.ledger.entries("status_update") if e.key == feedback_id]

    def attributes_of(self, feedback_id: str) -> dict[str, Any]:
        """The Open311 attributes recorded with a feedback (e.g. {"ma_ho_so": ...})."""
        with self._lock:
            value = self._extra.get(feedback_id, {}).get("attributes", {})
            return dict(value) if isinstance(value, dict) else {}

    def event_for(
        self, feedback_id: str, type: EventType = EventType.CREATED, *, event_id: str | None = None
    ) -> FeedbackEvent:
        """An event about the feedback's current state (for crafting webhook tests)."""
        return FeedbackEvent(
            event_id=event_id or str(uuid.uuid4()),
            type=type,
            occurred_at=self._now(),
            feedback=self.feedback(feedback_id),
        )

    def _emit(
        self,
        type: EventType,
        feedback: Feedback,
        *,
        previous: FeedbackStatus | None = None,
        rating: int | None = None,
    ) -> None:
        event = FeedbackEvent(
            event_id=str(uuid.uuid4()),
            type=type,
            occurred_at=feedback.updated_at,
            feedback=feedback,
            previous_status=previous,
            rating=rating,
        )
        self.webhooks.send(event)
