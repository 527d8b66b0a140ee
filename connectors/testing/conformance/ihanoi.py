"""The feedback-exchange conformance suite: one set of checks for any `FeedbackExchange`.

Run it against the bundled simulator today and against the real iHanoi API once its
specification exists (build the client with a `Contract` matching it). A provider's tests
subclass `FeedbackExchangeConformance` and supply a `feedback_harness` fixture returning
an object that satisfies `FeedbackHarness`:

    class TestSimulator(FeedbackExchangeConformance):
        @pytest.fixture
        def feedback_harness(self, ...) -> FeedbackHarness: ...

Every check creates its own feedback under a fresh external id, so the suite can run
against a shared live endpoint. Only the domain's `base` module is imported.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Protocol

import pytest

from connectors.core.errors import Duplicate, NotFound, ValidationError
from connectors.ihanoi.base import (
    Attachment,
    FeedbackExchange,
    Location,
    NewFeedback,
    Reporter,
)
from connectors.ihanoi.status import FeedbackStatus, Open311Status
from connectors.vn.time import VN_TZ

__all__ = ["FeedbackExchangeConformance", "FeedbackHarness", "sample_feedback"]

_SHA = "0" * 63 + "1"


class FeedbackHarness(Protocol):
    """What the suite needs from a provider's test setup."""

    exchange: FeedbackExchange
    """The client under test."""
    category_code: str
    """A category (service code) the endpoint accepts."""
    agency_code: str
    """An agency code the endpoint accepts as responsible."""


def sample_feedback(
    category_code: str, *, external_id: str | None = None, description: str | None = None
) -> NewFeedback:
    """An obviously fake feedback under a fresh external id."""
    return NewFeedback(
        external_id=external_id or f"conformance-{uuid.uuid4().hex[:16]}",
        category_code=category_code,
        title="Kiểm thử tích hợp (không xử lý)",
        description=description or "Phản ánh thử nghiệm của bộ kiểm thử tương thích.",
        location=Location(address="Địa chỉ thử nghiệm, Hà Nội", lat=21.0285, lng=105.8542),
        reporter=Reporter(full_name="Người Dùng Thử", phone="0900000001"),
        submitted_at=datetime(2025, 1, 2, 10, 11, tzinfo=VN_TZ),
    )


class FeedbackExchangeConformance:
    """The checks every feedback provider passes. Subclass with a `feedback_harness`."""

    def test_submit_returns_a_received_feedback(self, feedback_harness: FeedbackHarness) -> None:
        h = feedback_harness
        draft = sample_feedback(h.category_code)

        submission = h.exchange.submit_feedback(draft)
        stored = h.exchange.get_feedback(submission.feedback_id)

        assert (FeedbackStatus.RECEIVED, False) == (submission.status, submission.replayed)
        assert (draft.external_id, draft.description) == (stored.external_id, stored.description)
        assert Open311Status.OPEN == stored.open311_status

    def test_the_same_body_again_returns_the_same_feedback(
        self, feedback_harness: FeedbackHarness
    ) -> None:
        h = feedback_harness
        draft = sample_feedback(h.category_code)

        first = h.exchange.submit_feedback(draft)
        again = h.exchange.submit_feedback(draft)

        assert (first.feedback_id, True) == (again.feedback_id, again.replayed)

    def test_another_body_under_the_same_external_id_is_a_duplicate(
        self, feedback_harness: FeedbackHarness
    ) -> None:
        h = feedback_harness
        draft = sample_feedback(h.category_code)
        h.exchange.submit_feedback(draft)
        other = sample_feedback(
            h.category_code, external_id=draft.external_id, description="Nội dung khác hẳn."
        )

        with pytest.raises(Duplicate) as caught:
            h.exchange.submit_feedback(other)

        assert "duplicate" == caught.value.code

    def test_an_unknown_feedback_is_not_found(self, feedback_harness: FeedbackHarness) -> None:
        with pytest.raises(NotFound):
            feedback_harness.exchange.get_feedback(f"unknown-{uuid.uuid4().hex}")

    def test_a_status_update_carries_note_and_agency(
        self, feedback_harness: FeedbackHarness
    ) -> None:
        h = feedback_harness
        submitted = h.exchange.submit_feedback(sample_feedback(h.category_code))
        before = h.exchange.get_feedback(submitted.feedback_id)

        after = h.exchange.update_status(
            submitted.feedback_id,
            FeedbackStatus.IN_PROGRESS,
            note="Đang kiểm tra hồ sơ",
            agency_code=h.agency_code,
        )

        assert (FeedbackStatus.IN_PROGRESS, "Đang kiểm tra hồ sơ", h.agency_code) == (
            after.status,
            after.status_note,
            after.agency_code,
        )
        assert after.revision > before.revision
        assert "Đang xử lý" == after.status_label

    def test_an_answer_closes_the_feedback(self, feedback_harness: FeedbackHarness) -> None:
        h = feedback_harness
        submitted = h.exchange.submit_feedback(sample_feedback(h.category_code))
        attachment = Attachment("https://files.example.test/tra-loi.pdf", _SHA, "application/pdf")

        answered = h.exchange.answer(
            submitted.feedback_id,
            "Đã giải quyết, mời ông/bà nhận kết quả.",
            agency_code=h.agency_code,
            attachments=[attachment],
        )

        assert Open311Status.CLOSED == answered.open311_status
        assert ("Đã giải quyết, mời ông/bà nhận kết quả.", (attachment,)) == (
            answered.reply_text,
            answered.reply_attachments,
        )
        assert answered.resolved_at is not None

    def test_changes_are_listed_since_a_moment(self, feedback_harness: FeedbackHarness) -> None:
        h = feedback_harness
        submitted = h.exchange.submit_feedback(sample_feedback(h.category_code))
        changed = h.exchange.update_status(
            submitted.feedback_id, FeedbackStatus.ASSIGNED, agency_code=h.agency_code
        )

        found = []
        page: int | None = 1
        while page is not None:
            result = h.exchange.list_updated(changed.updated_at - timedelta(seconds=1), page=page)
            found += [f for f in result.items if f.feedback_id == submitted.feedback_id]
            page = result.next_page

        assert [changed.revision] == [f.revision for f in found]

    def test_bad_input_is_refused_before_sending(self, feedback_harness: FeedbackHarness) -> None:
        h = feedback_harness

        with pytest.raises(ValidationError) as caught:
            h.exchange.update_status("", FeedbackStatus.IN_PROGRESS)

        assert "feedback_id" == caught.value.field
