"""The simulator's drivers, ledger and faults, as the demo and other tests use them."""

from __future__ import annotations

import pytest

from connectors.core import OutcomeUnknown
from connectors.ihanoi import FeedbackStatus
from connectors.ihanoi.contract import IhanoiFeedback
from connectors.testing import Latency, TooManyRequests
from connectors.testing.simulators.ihanoi import DEFAULT_SERVICES, IhanoiFeedbackSimulator
from tests.ihanoi.conftest import draft


def test_citizen_submits_records_a_feedback_about_a_dossier(sim: IhanoiFeedbackSimulator) -> None:
    feedback_id = sim.citizen_submits(
        title="Hồ sơ chậm", description="Chậm trả kết quả (thử)", dossier_code="HS-THU-0003"
    )

    feedback = sim.feedback(feedback_id)
    [entry] = sim.ledger.entries("feedback")
    assert (feedback_id, "citizen", "TTHC-HS") == (
        entry.key,
        entry.data["source"],
        entry.data["category_code"],
    )
    assert {"ma_ho_so": "HS-THU-0003"} == sim.attributes_of(feedback_id)
    assert (FeedbackStatus.RECEIVED, 1, "0900000001") == (
        feedback.status,
        feedback.version,
        feedback.reporter.phone if feedback.reporter else None,
    )
    assert feedback_id.startswith("PAKN-")
    assert [] == sim.deliveries  # no webhook registered: nothing sent


def test_operator_status_rating_and_overdue_bump_the_version(sim: IhanoiFeedbackSimulator) -> None:
    feedback_id = sim.citizen_submits(title="Hồ sơ", description="Thử")

    sim.operator_sets_status(feedback_id, FeedbackStatus.ASSIGNED, note="Chuyển UBND phường")
    sim.operator_sets_status(feedback_id, FeedbackStatus.ASSIGNED, note="Chuyển UBND phường")
    sim.mark_overdue(feedback_id)
    rated = sim.citizen_rates(feedback_id, 4)

    assert (4, True, 4, "Chuyển UBND phường") == (
        rated.version,
        rated.overdue,
        rated.rating,
        rated.status_note,
    )
    assert 1 == sim.ledger.count("citizen_status")  # the repeat changed nothing
    assert [4] == [e.data["stars"] for e in sim.ledger.entries("rating")]
    with pytest.raises(ValueError, match="1 to 5"):
        sim.citizen_rates(feedback_id, 6)


def test_answers_and_updates_are_read_back(
    client: IhanoiFeedback, sim: IhanoiFeedbackSimulator
) -> None:
    feedback_id = sim.citizen_submits(title="Hồ sơ", description="Thử")

    client.update_status(feedback_id, FeedbackStatus.IN_PROGRESS, agency_code="UBND-PTN")
    client.answer(feedback_id, "Đã trả kết quả (thử)", agency_code="UBND-PTN")

    assert ["in_progress"] == [e.data["status"] for e in sim.updates_for(feedback_id)]
    assert ["Đã trả kết quả (thử)"] == [e.data["reply_text"] for e in sim.answers_for(feedback_id)]
    assert FeedbackStatus.ANSWERED == sim.feedback(feedback_id).status


def test_an_unknown_feedback_is_a_key_error(sim: IhanoiFeedbackSimulator) -> None:
    with pytest.raises(KeyError):
        sim.feedback("PAKN-0000-000404")


def test_latency_and_429_are_survived_by_keyed_writes(
    client: IhanoiFeedback, sim: IhanoiFeedbackSimulator
) -> None:
    slept: list[float] = []
    sim.sleep = slept.append
    sim.faults.add("submit_feedback", TooManyRequests(retry_after=0.0))
    sim.faults.add("submit_feedback", Latency(0.25))

    client.submit_feedback(draft())

    assert [0.25] == slept
    assert 1 == sim.ledger.count("feedback")
    assert 2 == len(sim.requests_to("submit_feedback"))


def test_the_open311_services_are_fake_categories(sim: IhanoiFeedbackSimulator) -> None:
    assert ["TTHC-HS", "TTHC-PHI", "HT-MT"] == [s.service_code for s in DEFAULT_SERVICES]
    assert sim.services == DEFAULT_SERVICES


def test_a_retried_open311_post_is_never_doubled(sim: IhanoiFeedbackSimulator) -> None:
    from connectors.ihanoi.open311 import NewServiceRequest, Open311Feedback
    from connectors.testing import Reset, mount
    from tests.ihanoi.conftest import BASE_URL, OPEN311_URL, fast_retry

    sim.faults.add("post_request", Reset())
    with (
        mount(sim, BASE_URL),
        Open311Feedback(base_url=OPEN311_URL, api_key=sim.api_key, retry=fast_retry()) as client,
        pytest.raises(OutcomeUnknown),
    ):
        client.post_request(NewServiceRequest("TTHC-PHI", address_string="Phường Thử"))

    assert 0 == sim.ledger.count("feedback")
