"""The feedback-exchange conformance suite: one set of checks for any `FeedbackExchange`.

Run it against the bundled simulator today and against the real iHanoi API once its
specification exists (build the client with a `WireProfile` matching it). A provider's tests
subclass `FeedbackExchangeConformance` and supply a `feedback_harness` fixture returning
an object that satisfies `FeedbackHarness`:

    class TestSimulator(FeedbackExchangeConformance):
        @pytest.fixture
        def feedback_harness(self, ...) -> FeedbackHarness: ...

Every check creates its own feedback under a fresh external id, so the suite can run
against a shared live endpoint. Only the domain's `base` module is imported.

Against a simulator (a harness that is also a `SimulatedHarness`), the "maybe sent" fault
matrix (`connectors.testing.conformance.maybe_sent`) runs on every write: submit, status
update and answer. The simulator acts, then answers with a 500, a cut-short, trickled or
oversize body: the ledger holds one effect, the error is the table's, and sending again
with the same key adds no second one. A read under the same faults is retried or raises
the transport's error.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, Protocol, runtime_checkable

import pytest

from connectors.core.errors import Duplicate, NotFound, ValidationError
from connectors.core.transport import Timeouts
from connectors.ihanoi.base import (
    Attachment,
    FeedbackExchange,
    Location,
    NewFeedback,
    Reporter,
)
from connectors.ihanoi.status import FeedbackStatus, Open311Status
from connectors.testing.conformance.maybe_sent import (
    MATRIX_TIMEOUTS,
    MAYBE_SENT_FAULTS,
    check_maybe_sent,
    check_read,
    maybe_sent_fault,
    run_call,
)
from connectors.testing.simulator import Simulator
from connectors.vn.time import VN_TZ

__all__ = [
    "FeedbackExchangeConformance",
    "FeedbackHarness",
    "SimulatedHarness",
    "sample_feedback",
]

_SHA = "0" * 63 + "1"


class FeedbackHarness(Protocol):
    """What the suite needs from a provider's test setup."""

    exchange: FeedbackExchange
    """The client under test."""
    category_code: str
    """A category (service code) the endpoint accepts."""
    agency_code: str
    """An agency code the endpoint accepts as responsible."""


@runtime_checkable
class SimulatedHarness(FeedbackHarness, Protocol):
    """A harness whose endpoint is a simulator the suite may inject faults into."""

    simulator: Simulator
    """The running simulator (mounted or served)."""
    served: bool
    """Whether it answers on a loopback socket (trickled answers take real time there)."""
    write_routes: Mapping[str, tuple[str, str]]
    """Per write ("submit_feedback", "update_status", "answer"): the simulator's route and
    the ledger kind its effect is recorded under; "get_feedback": the read's route (and
    an empty kind)."""
    answer_limit: int
    """The writes' answer size limit (bytes)."""

    def make_exchange(self, timeouts: Timeouts) -> FeedbackExchange:
        """A fresh client against the simulator with these timeouts."""
        ...


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

    # -- "maybe sent": the endpoint acted, the answer is spoilt -----------------------------

    @pytest.mark.parametrize("fault", MAYBE_SENT_FAULTS)
    @pytest.mark.parametrize("operation", ["submit_feedback", "update_status", "answer"])
    def test_maybe_sent_write_has_one_effect(
        self, feedback_harness: FeedbackHarness, operation: str, fault: str
    ) -> None:
        h = _faultable(feedback_harness, fault)
        route, kind = h.write_routes[operation]
        exchange = h.make_exchange(MATRIX_TIMEOUTS)
        draft = sample_feedback(h.category_code)
        key = draft.external_id
        if operation != "submit_feedback":
            feedback_id = h.exchange.submit_feedback(draft).feedback_id
            key = f"{operation}-{fault}-{uuid.uuid4().hex[:8]}"
        write: Callable[[], Any]
        if operation == "submit_feedback":
            write = lambda: exchange.submit_feedback(draft)  # noqa: E731
        elif operation == "update_status":
            write = lambda: exchange.update_status(  # noqa: E731
                feedback_id,
                FeedbackStatus.IN_PROGRESS,
                note="Đang kiểm tra",
                agency_code=h.agency_code,
                idempotency_key=key,
            )
        else:
            write = lambda: exchange.answer(  # noqa: E731
                feedback_id, "Đã giải quyết.", agency_code=h.agency_code, idempotency_key=key
            )
        before = len(h.simulator.requests_to(route))
        effects = h.simulator.ledger.count(kind)
        h.simulator.faults.add(route, maybe_sent_fault(fault, answer_limit=h.answer_limit))
        outcome = run_call(write)
        check_maybe_sent(
            fault,
            outcome,
            keyed=True,  # the external id, or the Idempotency-Key header
            key=key,
            requests=len(h.simulator.requests_to(route)) - before,
            answer_limit=h.answer_limit,
        )
        assert effects + 1 == h.simulator.ledger.count(kind)  # one effect, whatever the answer
        # Sending again with the same key never adds a second effect. (An answer is dated
        # when it is made: without the same resolved_at its body differs, so the endpoint
        # refuses the reused key with Duplicate.)
        again = run_call(write)
        assert again.error is None or isinstance(again.error, Duplicate), repr(again.error)
        assert effects + 1 == h.simulator.ledger.count(kind)

    @pytest.mark.parametrize("fault", MAYBE_SENT_FAULTS)
    def test_a_read_under_a_spoilt_answer(
        self, feedback_harness: FeedbackHarness, fault: str
    ) -> None:
        h = _faultable(feedback_harness, fault)
        route, _kind = h.write_routes["get_feedback"]
        exchange = h.make_exchange(MATRIX_TIMEOUTS)
        feedback_id = h.exchange.submit_feedback(sample_feedback(h.category_code)).feedback_id
        h.simulator.faults.add(route, maybe_sent_fault(fault, answer_limit=h.answer_limit))
        before = len(h.simulator.requests_to(route))
        outcome = run_call(lambda: exchange.get_feedback(feedback_id))
        check_read(
            fault,
            outcome,
            requests=len(h.simulator.requests_to(route)) - before,
            answer_limit=h.answer_limit,
        )
        if outcome.error is None:
            assert feedback_id == outcome.result.feedback_id


def _faultable(harness: FeedbackHarness, fault: str) -> SimulatedHarness:
    """`harness` if `fault` can be injected into it; the test is skipped otherwise."""
    if not isinstance(harness, SimulatedHarness):
        pytest.skip("faults are injected into a simulator, not a live endpoint")
    if fault == "trickle" and not harness.served:
        pytest.skip("in process a trickled answer is an instant read timeout")
    return harness
