"""The feedback store both iHanoi route sets (the modelled contract, Open311) work on.

`IhanoiFeedbackSimulator` implements these hooks; `ContractRoutes` and `Open311Routes`
inherit them, so each route set is written against one store.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from connectors.ihanoi.base import Feedback
from connectors.ihanoi.status import FeedbackStatus

__all__ = ["FeedbackStoreHooks"]


class FeedbackStoreHooks:
    """What the route mixins need from the simulator's store (implemented by the simulator)."""

    def _now(self) -> datetime:
        """The simulator's clock, aware."""
        raise NotImplementedError

    def _create(self, draft: Feedback, *, source: str, extra: dict[str, Any]) -> Feedback:
        """Store a new feedback (its id assigned here) and record it in the ledger."""
        raise NotImplementedError

    def _get(self, feedback_id: str) -> Feedback | None:
        """One stored feedback, if any."""
        raise NotImplementedError

    def _all(self) -> list[Feedback]:
        """Every stored feedback."""
        raise NotImplementedError

    def _receive(self, *, source: str, extra: dict[str, Any], **fields: Any) -> Feedback:
        """Store a feedback received now: status `RECEIVED`, updated, received (and, unless
        `fields` says otherwise, submitted) at the simulator's clock."""
        now = self._now()
        fields.setdefault("submitted_at", now)
        draft = Feedback(
            feedback_id="",
            status=FeedbackStatus.RECEIVED,
            updated_at=now,
            received_at=now,
            **fields,
        )
        return self._create(draft, source=source, extra=extra)
