"""The iHanoi client against the simulator: every operation, its wire bytes, its errors,
and faults during writes (nothing lost, nothing doubled)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit

import pytest

from connectors.core import (
    AuthError,
    Duplicate,
    NotFound,
    OutcomeUnknown,
    ProviderUnavailable,
    Rejected,
    ValidationError,
)
from connectors.ihanoi import Attachment, FeedbackStatus, Open311Status
from connectors.ihanoi.contract import IhanoiFeedback, WireProfile
from connectors.testing import Malformed, Reset, Status, TimeoutAfterCommit, mount
from connectors.testing.simulators.ihanoi import IhanoiFeedbackSimulator
from connectors.vn import VN_TZ
from tests.ihanoi.conftest import BASE_URL, draft, fast_retry

SHA = "ab" * 32


# -- submit --------------------------------------------------------------------------------


def test_submit_sends_the_modelled_json_with_bearer_token(sim: IhanoiFeedbackSimulator) -> None:
    with mount(sim, BASE_URL) as mock, IhanoiFeedback(base_url=BASE_URL, token=sim.token) as client:
        submission = client.submit_feedback(draft())
        request = mock.calls[0].request

    body = json.loads(request.body)
    assert ("POST", f"{BASE_URL}/v1/feedback") == (request.method, request.url)
    assert f"Bearer {sim.token}" == request.headers["Authorization"]
    assert {
        "external_id": "portal-0001",
        "category_code": "TTHC-HS",
        "title": "Hồ sơ cấp phép chậm",
        "description": "Hồ sơ HS-THU-0001 quá hạn trả kết quả (dữ liệu thử).",
        "location": {
            "lat": None,
            "lng": None,
            "address": "Phường Thử Nghiệm, Hà Nội",
            "ward_code": None,
            "district_code": None,
        },
        "submitted_at": "2025-01-02T10:11:00+07:00",
        "reporter": {
            "full_name": "Nguyễn Văn Thử",
            "phone": "0900000001",
            "email": None,
            "vneid_sub": None,
        },
        "attachments": [],
        "is_public": False,
    } == body
    assert (FeedbackStatus.RECEIVED, False) == (submission.status, submission.replayed)
    entry = sim.ledger.find("feedback", submission.feedback_id)
    assert entry is not None
    assert ("portal", "portal-0001") == (entry.data["source"], entry.data["external_id"])


def test_the_same_submission_twice_is_one_feedback(
    client: IhanoiFeedback, sim: IhanoiFeedbackSimulator
) -> None:
    first = client.submit_feedback(draft())
    again = client.submit_feedback(draft())

    assert (first.feedback_id, first.received_at) == (again.feedback_id, again.received_at)
    assert (False, True) == (first.replayed, again.replayed)
    assert 1 == sim.ledger.count("feedback")


def test_a_conflicting_body_under_the_same_external_id_is_a_duplicate(
    client: IhanoiFeedback, sim: IhanoiFeedbackSimulator
) -> None:
    client.submit_feedback(draft())

    with pytest.raises(Duplicate) as caught:
        client.submit_feedback(draft(description="Một nội dung khác."))

    assert (409, "conflict") == (caught.value.http_status, caught.value.vendor_code)
    assert 1 == sim.ledger.count("feedback")


def test_a_timeout_after_commit_is_retried_into_the_same_feedback(
    client: IhanoiFeedback, sim: IhanoiFeedbackSimulator
) -> None:
    sim.faults.add("submit_feedback", TimeoutAfterCommit(hold=1.0))

    submission = client.submit_feedback(draft())

    assert 2 == len(sim.requests_to("submit_feedback"))
    assert [submission.feedback_id] == [e.key for e in sim.ledger.entries("feedback")]
    assert submission.replayed


def test_a_reset_then_503_is_retried_to_one_feedback(
    client: IhanoiFeedback, sim: IhanoiFeedbackSimulator
) -> None:
    sim.faults.add("submit_feedback", Reset())
    sim.faults.add("submit_feedback", Status(503, b"busy"))

    submission = client.submit_feedback(draft())

    assert 3 == len(sim.requests_to("submit_feedback"))
    assert [submission.feedback_id] == [e.key for e in sim.ledger.entries("feedback")]


def test_an_unreadable_answer_is_outcome_unknown_keyed_by_external_id(
    client: IhanoiFeedback, sim: IhanoiFeedbackSimulator
) -> None:
    sim.faults.add("submit_feedback", Malformed(content_type="application/json"))

    with pytest.raises(OutcomeUnknown) as caught:
        client.submit_feedback(draft())
    recovered = client.submit_feedback(draft())

    assert "portal-0001" == caught.value.idempotency_key
    assert [recovered.feedback_id] == [e.key for e in sim.ledger.entries("feedback")]


def test_a_wrong_token_is_an_auth_error_and_the_token_never_leaks(
    sim: IhanoiFeedbackSimulator,
) -> None:
    with (
        mount(sim, BASE_URL),
        IhanoiFeedback(base_url=BASE_URL, token="wrong-token-value") as client,
        pytest.raises(AuthError) as caught,
    ):
        client.submit_feedback(draft())

    assert (401, "unauthorized") == (caught.value.http_status, caught.value.vendor_code)
    assert "wrong-token-value" not in repr(caught.value) + repr(client)
    assert 0 == sim.ledger.count("feedback")


def test_bad_input_is_refused_before_anything_is_sent(
    client: IhanoiFeedback, sim: IhanoiFeedbackSimulator
) -> None:
    long_title = "x" * 300
    with pytest.raises(ValidationError) as caught:
        client.submit_feedback(draft(title=long_title))  # refused by the model already

    assert "title" == caught.value.field
    assert [] == sim.seen


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda c: c.update_status("", FeedbackStatus.ASSIGNED), "feedback_id"),
        (lambda c: c.update_status("PAKN-1", "assigned"), "status"),
        (
            lambda c: c.update_status("PAKN-1", FeedbackStatus.ASSIGNED, agency_code="x y"),
            "agency_code",
        ),
        (lambda c: c.update_status("PAKN-1", FeedbackStatus.ASSIGNED, note="<b>hi</b>"), "note"),
        (
            lambda c: c.update_status(
                "PAKN-1", FeedbackStatus.ASSIGNED, due_at=datetime(2025, 1, 1)
            ),
            "due_at",
        ),
        (lambda c: c.answer("PAKN-1", "", agency_code="UBND"), "reply_text"),
        (
            lambda c: c.answer("PAKN-1", "ok", agency_code="UBND", status=FeedbackStatus.ASSIGNED),
            "status",
        ),
        (lambda c: c.answer("PAKN-1", "ok", agency_code="UBND", attachments=["u"]), "attachments"),
        (lambda c: c.list_updated(datetime(2025, 1, 1)), "since"),
        (lambda c: c.list_updated(page=0), "page"),
        (lambda c: c.get_feedback(" "), "feedback_id"),
    ],
)
def test_each_bad_argument_names_its_field(
    client: IhanoiFeedback, sim: IhanoiFeedbackSimulator, call: object, field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        call(client)  # type: ignore[operator]

    assert field == caught.value.field
    assert [] == sim.seen


# -- read, update, answer, list ---------------------------------------------------------------


def test_get_returns_what_was_submitted(client: IhanoiFeedback) -> None:
    submission = client.submit_feedback(draft())

    feedback = client.get_feedback(submission.feedback_id)

    assert (submission.feedback_id, "portal-0001", 1) == (
        feedback.feedback_id,
        feedback.external_id,
        feedback.version,
    )
    assert ("Đã tiếp nhận", Open311Status.OPEN) == (feedback.status_label, feedback.open311_status)


def test_get_an_unknown_id_is_not_found(client: IhanoiFeedback) -> None:
    with pytest.raises(NotFound) as caught:
        client.get_feedback("PAKN-0000-999999")

    assert "not_found" == caught.value.vendor_code


def test_update_status_sends_note_agency_and_an_idempotency_key(
    sim: IhanoiFeedbackSimulator,
) -> None:
    due = datetime(2025, 1, 10, 17, 0, tzinfo=VN_TZ)
    with mount(sim, BASE_URL) as mock, IhanoiFeedback(base_url=BASE_URL, token=sim.token) as client:
        feedback_id = client.submit_feedback(draft()).feedback_id
        updated = client.update_status(
            feedback_id,
            FeedbackStatus.IN_PROGRESS,
            note="Đã chuyển phòng chuyên môn",
            agency_code="UBND-PTN",
            assignee="Cán bộ Thử",
            due_at=due,
            idempotency_key="upd-0001",
        )
        request = mock.calls[1].request

    assert ("PATCH", f"{BASE_URL}/v1/feedback/{feedback_id}") == (request.method, request.url)
    assert "upd-0001" == request.headers["Idempotency-Key"]
    assert {
        "status": "in_progress",
        "status_note": "Đã chuyển phòng chuyên môn",
        "agency_code": "UBND-PTN",
        "assignee": "Cán bộ Thử",
        "due_at": "2025-01-10T17:00:00+07:00",
    } == json.loads(request.body)
    assert (FeedbackStatus.IN_PROGRESS, 2, due) == (updated.status, updated.version, updated.due_at)
    [entry] = sim.updates_for(feedback_id)
    assert ("in_progress", "UBND-PTN", "upd-0001") == (
        entry.data["status"],
        entry.data["agency_code"],
        entry.data["idempotency_key"],
    )


def test_a_timed_out_update_is_retried_and_applied_once(
    client: IhanoiFeedback, sim: IhanoiFeedbackSimulator
) -> None:
    feedback_id = client.submit_feedback(draft()).feedback_id
    sim.faults.add("update_feedback", TimeoutAfterCommit(hold=1.0))

    updated = client.update_status(feedback_id, FeedbackStatus.ASSIGNED, agency_code="UBND-PTN")

    assert 2 == len(sim.requests_to("update_feedback"))
    assert 1 == len(sim.updates_for(feedback_id))
    assert (2, 2) == (updated.version, sim.feedback(feedback_id).version)


def test_an_idempotency_key_reused_with_another_body_is_a_duplicate(
    client: IhanoiFeedback, sim: IhanoiFeedbackSimulator
) -> None:
    feedback_id = client.submit_feedback(draft()).feedback_id
    client.update_status(feedback_id, FeedbackStatus.ASSIGNED, idempotency_key="k-1")

    with pytest.raises(Duplicate):
        client.update_status(feedback_id, FeedbackStatus.IN_PROGRESS, idempotency_key="k-1")

    assert FeedbackStatus.ASSIGNED == sim.feedback(feedback_id).status


def test_answer_sends_reply_attachments_and_closes(sim: IhanoiFeedbackSimulator) -> None:
    attachment = Attachment(
        "https://files.example.test/tra-loi.pdf", SHA.upper(), "application/pdf"
    )
    with (
        mount(sim, BASE_URL) as mock,
        IhanoiFeedback(base_url=BASE_URL, token=sim.token, clock=lambda: 1_735_787_460.0) as client,
    ):
        feedback_id = client.submit_feedback(draft()).feedback_id
        answered = client.answer(
            feedback_id,
            "Hồ sơ đã được trả kết quả.",
            agency_code="UBND-PTN",
            attachments=[attachment],
        )
        sent = mock.calls[1].request.body

    assert {
        "status": "answered",
        "agency_code": "UBND-PTN",
        "reply_text": "Hồ sơ đã được trả kết quả.",
        "resolved_at": "2025-01-02T10:11:00+07:00",
        "reply_attachments": [
            {
                "url": "https://files.example.test/tra-loi.pdf",
                "mime": "application/pdf",
                "sha256": SHA,
            }
        ],
    } == json.loads(sent)
    assert (FeedbackStatus.ANSWERED, "Đã trả lời", Open311Status.CLOSED) == (
        answered.status,
        answered.status_label,
        answered.open311_status,
    )
    [entry] = sim.answers_for(feedback_id)
    assert ("Hồ sơ đã được trả kết quả.", SHA) == (
        entry.data["reply_text"],
        entry.data["reply_attachments"][0]["sha256"],
    )


def test_list_updated_filters_pages_and_is_inclusive(sim: IhanoiFeedbackSimulator) -> None:
    sim.page_size = 2
    with mount(sim, BASE_URL) as mock, IhanoiFeedback(base_url=BASE_URL, token=sim.token) as client:
        ids = [client.submit_feedback(draft(f"portal-{n}")).feedback_id for n in range(3)]
        changed = client.update_status(ids[0], FeedbackStatus.IN_PROGRESS)
        page1 = client.list_updated()
        page2 = client.list_updated(page=2)
        since = client.list_updated(changed.updated_at)
        in_progress = client.list_updated(status=FeedbackStatus.IN_PROGRESS)
        walked = [f.feedback_id for f in client.iter_updated()]
        since_url = mock.calls[6].request.url

    assert ([ids[1], ids[2]], 2) == ([f.feedback_id for f in page1.items], page1.next_page)
    assert ([ids[0]], None) == ([f.feedback_id for f in page2.items], page2.next_page)
    assert [ids[0]] == [f.feedback_id for f in since.items]
    assert [ids[0]] == [f.feedback_id for f in in_progress.items]
    assert [ids[1], ids[2], ids[0]] == walked
    query = urlsplit(since_url).query
    expected = quote(changed.updated_at.isoformat(), safe="")
    assert f"updated_since={expected}&page=1" == query


def test_a_malformed_list_answer_is_provider_unavailable(
    client: IhanoiFeedback, sim: IhanoiFeedbackSimulator
) -> None:
    sim.faults.add("list_feedback", Malformed())

    with pytest.raises(ProviderUnavailable) as caught:
        client.list_updated()

    assert "list_updated" == caught.value.operation


def test_a_refusal_is_rejected_with_the_vendor_message(sim: IhanoiFeedbackSimulator) -> None:
    values = {s: s.value for s in FeedbackStatus} | {FeedbackStatus.ASSIGNED: "chuyen_xu_ly"}
    mismatched = WireProfile(status_values=values)  # a status value the simulator does not know
    with (
        mount(sim, BASE_URL),
        IhanoiFeedback(base_url=BASE_URL, token=sim.token, profile=mismatched) as client,
    ):
        feedback_id = client.submit_feedback(draft()).feedback_id
        with pytest.raises(Rejected) as caught:
            client.update_status(feedback_id, FeedbackStatus.ASSIGNED)

    assert ("invalid", 400) == (caught.value.vendor_code, caught.value.http_status)
    assert "unknown status 'chuyen_xu_ly'" == caught.value.vendor_message
    assert [] == sim.updates_for(feedback_id)


def test_an_unknown_feedback_update_is_not_found(
    client: IhanoiFeedback, sim: IhanoiFeedbackSimulator
) -> None:
    with pytest.raises(NotFound):
        client.update_status("PAKN-0000-000404", FeedbackStatus.ASSIGNED)

    assert 0 == sim.ledger.count("status_update")


def test_from_settings_reads_the_environment(
    monkeypatch: pytest.MonkeyPatch, sim: IhanoiFeedbackSimulator
) -> None:
    from connectors.core import load_settings
    from connectors.ihanoi.contract import IhanoiFeedbackSettings

    monkeypatch.setenv("CONNECTORS_IHANOI_BASE_URL", BASE_URL)
    monkeypatch.setenv("CONNECTORS_IHANOI_TOKEN", sim.token)
    settings = load_settings(IhanoiFeedbackSettings)

    with mount(sim, BASE_URL), IhanoiFeedback.from_settings(settings) as client:
        submission = client.submit_feedback(draft())

    assert sim.feedback(submission.feedback_id).external_id == "portal-0001"
    assert 1 == sim.ledger.count("feedback")


def test_the_deadline_bounds_retries(sim: IhanoiFeedbackSimulator) -> None:
    sim.faults.add("get_feedback", Status(503, b"down"), times=10)
    with (
        mount(sim, BASE_URL),
        IhanoiFeedback(base_url=BASE_URL, token=sim.token, retry=fast_retry(3)) as client,
        pytest.raises(ProviderUnavailable),
    ):
        client.get_feedback("PAKN-1")

    assert 3 == len(sim.requests_to("get_feedback"))


def test_timestamps_are_gmt7(client: IhanoiFeedback) -> None:
    feedback = client.get_feedback(client.submit_feedback(draft()).feedback_id)

    assert timedelta(hours=7) == feedback.updated_at.utcoffset()


def test_the_token_never_reaches_hooks(sim: IhanoiFeedbackSimulator) -> None:
    from connectors.core import RequestEvent

    events: list[RequestEvent] = []
    with mount(sim, BASE_URL), IhanoiFeedback(base_url=BASE_URL, token=sim.token) as client:
        client.transport.on_request.append(events.append)
        client.submit_feedback(draft())

    assert "Bearer ***" == events[0].headers["Authorization"]
    assert sim.token not in repr(events[0])
