"""Open311's keyless post and the iHanoi client's reads and closing writes against answers
the server spoilt after acting (issue 10), in process and on loopback.

The contract client's writes run the shared fault matrix in the conformance suite; here:
Open311's `post_request` (no key in the standard: one request, `OutcomeUnknown`), an
answer resent with the same key and `resolved_at` (the same body: replayed), reads against
a trickled or oversize answer, and the list operations' own size limits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

import pytest

from connectors.core import (
    DEFAULT_MAX_RESPONSE_BYTES,
    Duplicate,
    OutcomeUnknown,
    ProviderUnavailable,
    ReadTimeout,
    ResponseTooLarge,
    Timeouts,
    ValidationError,
)
from connectors.ihanoi import Feedback, FeedbackStatus
from connectors.ihanoi.client import LIST_ANSWER_LIMIT
from connectors.ihanoi.contract import IhanoiFeedback
from connectors.ihanoi.open311 import LIST_ANSWER_LIMIT as OPEN311_LIST_LIMIT
from connectors.ihanoi.open311 import NewServiceRequest, Open311Feedback
from connectors.testing import CommitThenStatus, Oversize, Trickle, Truncated, mount, serve
from connectors.testing.conformance.maybe_sent import (
    MATRIX_TIMEOUTS,
    MAYBE_SENT_FAULTS,
    check_maybe_sent,
    maybe_sent_fault,
    run_call,
)
from connectors.testing.simulators.ihanoi import IhanoiFeedbackSimulator
from connectors.vn import VN_TZ
from tests.ihanoi.conftest import BASE_URL, draft, fast_retry, no_sleep

RUNNERS = ("in-process", "loopback")
RESOLVED = datetime(2025, 1, 3, 9, 0, tzinfo=VN_TZ)


@contextmanager
def running(sim: IhanoiFeedbackSimulator, runner: str) -> Iterator[str]:
    if runner == "in-process":
        with mount(sim, BASE_URL):
            yield BASE_URL
    else:
        with serve(sim) as base:
            yield base


def report() -> NewServiceRequest:
    return NewServiceRequest(
        service_code="TTHC-PHI",
        description="Thu phí sai quy định (dữ liệu thử).",
        lat=21.0285,
        long=105.8542,
    )


# -- Open311: a post without a key -----------------------------------------------------------


def test_open311_post_with_a_truncated_answer_posts_once() -> None:
    sim = IhanoiFeedbackSimulator(sleep=no_sleep)
    sim.faults.add("post_request", Truncated(keep=10))
    with (
        serve(sim) as base,
        Open311Feedback(
            base_url=base + "/open311/v2", api_key=sim.api_key, retry=fast_retry()
        ) as client,
        pytest.raises(OutcomeUnknown) as raised,
    ):
        client.post_request(report(), idempotency_key="PAKN-PORTAL-0001")
    assert "PAKN-PORTAL-0001" == raised.value.idempotency_key
    assert 1 == len(sim.requests_to("post_request"))  # before: posted 3 times
    assert 1 == sim.ledger.count("feedback")


@pytest.mark.parametrize("fault", MAYBE_SENT_FAULTS)
@pytest.mark.parametrize("runner", RUNNERS)
def test_open311_post_fault_matrix(runner: str, fault: str) -> None:
    if fault == "trickle" and runner == "in-process":
        pytest.skip("in process a trickled answer is an instant read timeout")
    sim = IhanoiFeedbackSimulator(sleep=no_sleep)
    sim.faults.add("post_request", maybe_sent_fault(fault))
    with (
        running(sim, runner) as base,
        Open311Feedback(
            base_url=base + "/open311/v2",
            api_key=sim.api_key,
            timeouts=MATRIX_TIMEOUTS,
            retry=fast_retry(),
        ) as client,
    ):
        outcome = run_call(lambda: client.post_request(report(), idempotency_key="P-1"))
    check_maybe_sent(
        fault,
        outcome,
        keyed=False,
        key="P-1",
        requests=len(sim.requests_to("post_request")),
    )
    assert 1 == sim.ledger.count("feedback")


# -- an answer resent with the same key -------------------------------------------------------


def test_an_answer_resent_with_its_key_and_resolved_at_is_replayed() -> None:
    sim = IhanoiFeedbackSimulator(sleep=no_sleep)
    with (
        mount(sim, BASE_URL),
        IhanoiFeedback(base_url=BASE_URL, token=sim.token, retry=fast_retry()) as client,
    ):
        feedback_id = client.submit_feedback(draft()).feedback_id
        sim.faults.add("update_feedback", CommitThenStatus(500))

        def answer() -> Feedback:
            return client.answer(
                feedback_id,
                "Đã giải quyết.",
                agency_code="UBND-PTN",
                idempotency_key="HS-1:status",
                resolved_at=RESOLVED,
            )

        with pytest.raises(ProviderUnavailable):
            answer()  # iHanoi recorded it, then failed to answer
        answered = answer()  # the same key and body: iHanoi's first answer, replayed
        with pytest.raises(Duplicate):  # dated now: another body under the same key
            client.answer(
                feedback_id, "Đã giải quyết.", agency_code="UBND-PTN", idempotency_key="HS-1:status"
            )
    assert (FeedbackStatus.ANSWERED, RESOLVED) == (answered.status, answered.resolved_at)
    assert 1 == sim.ledger.count("answer")
    assert 3 == len(sim.requests_to("update_feedback"))


def test_resolved_at_must_be_aware_and_only_close() -> None:
    sim = IhanoiFeedbackSimulator(sleep=no_sleep)
    with (
        mount(sim, BASE_URL),
        IhanoiFeedback(base_url=BASE_URL, token=sim.token, retry=fast_retry()) as client,
    ):
        with pytest.raises(ValidationError) as naive:
            client.answer("PAKN-1", "x", agency_code="UBND-PTN", resolved_at=datetime(2025, 1, 3))
        with pytest.raises(ValidationError) as open_status:
            client.update_status("PAKN-1", FeedbackStatus.IN_PROGRESS, resolved_at=RESOLVED)
    assert ("resolved_at", "resolved_at") == (naive.value.field, open_status.value.field)
    assert [] == sim.seen


# -- reads: trickled and oversize answers, and the lists' limits --------------------------------


def test_a_trickled_read_ends_at_the_deadline() -> None:
    sim = IhanoiFeedbackSimulator(sleep=no_sleep)
    timeouts = Timeouts(connect=1.0, read=1.0, total=1.0)
    with (
        serve(sim) as base,
        IhanoiFeedback(
            base_url=base, token=sim.token, timeouts=timeouts, retry=fast_retry()
        ) as client,
    ):
        feedback_id = client.submit_feedback(draft()).feedback_id
        sim.faults.add("get_feedback", Trickle(interval=0.2), times=3)
        outcome = run_call(lambda: client.get_feedback(feedback_id))
    assert isinstance(outcome.error, ReadTimeout)
    assert "within the 1s deadline" in outcome.error.message
    assert outcome.elapsed < timeouts.total + 2.0
    assert 1 == len(sim.requests_to("get_feedback"))  # no time left for a retry


@pytest.mark.parametrize("runner", RUNNERS)
def test_each_read_has_its_answer_limit(runner: str) -> None:
    sim = IhanoiFeedbackSimulator(sleep=no_sleep)
    with running(sim, runner) as base:
        client = IhanoiFeedback(base_url=base, token=sim.token, retry=fast_retry())
        open311 = Open311Feedback(
            base_url=base + "/open311/v2", api_key=sim.api_key, retry=fast_retry()
        )
        feedback_id = client.submit_feedback(draft()).feedback_id
        cases: list[tuple[str, int, Callable[[], object]]] = [
            ("get_feedback", DEFAULT_MAX_RESPONSE_BYTES, lambda: client.get_feedback(feedback_id)),
            ("list_feedback", LIST_ANSWER_LIMIT, client.list_updated),
            ("request", DEFAULT_MAX_RESPONSE_BYTES, lambda: open311.request(feedback_id)),
            ("requests", OPEN311_LIST_LIMIT, open311.requests),
            ("services", OPEN311_LIST_LIMIT, open311.services),
        ]
        for route, limit, read in cases:
            sim.faults.add(route, Oversize(limit + 1, content_type="application/json"))
            with pytest.raises(ResponseTooLarge) as raised:
                read()
            assert (limit, 1) == (raised.value.limit, len(sim.requests_to(route))), route
        # a list answer larger than the default limit, within the list's, is read
        sim.faults.add("list_feedback", Oversize(DEFAULT_MAX_RESPONSE_BYTES + 1))
        with pytest.raises(ProviderUnavailable, match="could not be read"):
            client.list_updated()  # read whole (it is filler, so it does not decode)
        client.close()
        open311.close()
