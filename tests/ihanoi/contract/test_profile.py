"""The contract's WireProfile: one object that re-points client, receiver, sync and simulator."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from connectors.ihanoi import (
    EventType,
    FeedbackEvent,
    FeedbackStatus,
    FeedbackSync,
    WebhookReceiver,
)
from connectors.ihanoi.contract import DEFAULT_PROFILE, IhanoiFeedback, WireProfile
from connectors.testing import mount
from connectors.testing.simulators.ihanoi import IhanoiFeedbackSimulator
from tests.ihanoi.conftest import BASE_URL, draft, no_sleep

REAL_LOOKING = WireProfile(
    feedback_path="/api/v2/phan-anh",
    feedback_item_path="/api/v2/phan-anh/{feedback_id}",
    auth_header="X-Api-Token",
    auth_scheme="",
    idempotency_header="X-Request-Key",
    created_status=200,
    replayed_status=208,
    conflict_status=422,
    updated_since_param="tu_ngay",
    page_param="trang",
    items_key="du_lieu",
    next_page_key="trang_sau",
    field_names={"external_id": "ma_tham_chieu", "description": "noi_dung", "status": "trang_thai"},
    status_values={s: f"TT_{s.value.upper()}" for s in FeedbackStatus},
    event_types={e: e.value.replace("feedback.", "phan_anh.") for e in EventType},
    event_id_header="X-Ma-Su-Kien",
    signature_header="X-Chu-Ky",
    signature_scheme="sha256",
)


def test_client_and_simulator_agree_on_an_overridden_contract() -> None:
    sim = IhanoiFeedbackSimulator(profile=REAL_LOOKING, sleep=no_sleep)
    with (
        mount(sim, BASE_URL) as mock,
        IhanoiFeedback(base_url=BASE_URL, token=sim.token, profile=REAL_LOOKING) as c,
    ):
        first = c.submit_feedback(draft())
        again = c.submit_feedback(draft())
        answered = c.answer(first.feedback_id, "Đã trả lời (thử)", agency_code="UBND-PTN")
        page = c.list_updated(answered.updated_at)
        calls = [
            (call.request.method, call.request.url, call.request.headers) for call in mock.calls
        ]
        sent = json.loads(mock.calls[0].request.body)

    assert (False, True) == (first.replayed, again.replayed)
    assert FeedbackStatus.ANSWERED == answered.status
    assert [first.feedback_id] == [f.feedback_id for f in page.items]
    assert f"{BASE_URL}/api/v2/phan-anh" == calls[0][1]
    assert sim.token == calls[0][2]["X-Api-Token"]
    assert "X-Request-Key" in calls[2][2]
    assert calls[3][1].startswith(f"{BASE_URL}/api/v2/phan-anh?tu_ngay=")
    assert {"ma_tham_chieu", "noi_dung"} <= set(sent)
    assert not {"external_id", "description"} & set(sent)


def test_a_conflict_under_another_status_code_is_still_a_duplicate() -> None:
    from connectors.core import Duplicate

    sim = IhanoiFeedbackSimulator(profile=REAL_LOOKING, sleep=no_sleep)
    with (
        mount(sim, BASE_URL),
        IhanoiFeedback(base_url=BASE_URL, token=sim.token, profile=REAL_LOOKING) as c,
    ):
        c.submit_feedback(draft())
        with pytest.raises(Duplicate) as caught:
            c.submit_feedback(draft(description="Khác"))

    assert 422 == caught.value.http_status


def test_webhooks_follow_the_contract_headers_and_scheme() -> None:
    got: list[FeedbackEvent] = []
    hook = WebhookReceiver("s3cret-test", got.append, profile=REAL_LOOKING)

    def deliver(url: str, headers: object, body: bytes) -> int:
        assert "X-Chu-Ky" in headers  # type: ignore[operator]
        assert str(headers["X-Chu-Ky"]).startswith("sha256=")  # type: ignore[index]
        return hook.handle(dict(headers), body).status  # type: ignore[call-overload]

    sim = IhanoiFeedbackSimulator(profile=REAL_LOOKING, sleep=no_sleep, deliver=deliver)
    sim.register_webhook("https://portal.example.test/hook", "s3cret-test")
    feedback_id = sim.citizen_submits(title="Hồ sơ", description="Chậm (thử)")

    assert [(EventType.CREATED, feedback_id)] == [(e.type, e.feedback.feedback_id) for e in got]
    assert [200] == [d.status for d in sim.deliveries]


def test_sync_works_through_an_overridden_contract() -> None:
    sim = IhanoiFeedbackSimulator(profile=REAL_LOOKING, sleep=no_sleep, page_size=1)
    ids = [sim.citizen_submits(title=f"P{i}", description="Thử") for i in range(3)]
    got: list[str] = []
    with (
        mount(sim, BASE_URL),
        IhanoiFeedback(base_url=BASE_URL, token=sim.token, profile=REAL_LOOKING) as c,
    ):
        FeedbackSync(c, lambda f: got.append(f.feedback_id)).run_once()

    assert ids == got


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status_values": {FeedbackStatus.RECEIVED: "x"}}, "lacks a wire value"),
        (
            {"status_values": {s: "same" for s in FeedbackStatus}},
            "two statuses to one wire value",
        ),
        ({"event_types": {}}, "event_types lacks"),
        ({"field_names": {"a": "x", "b": "x"}}, "two fields to one wire name"),
        ({"webhook_tolerance": 0}, "must be positive"),
    ],
)
def test_an_inconsistent_contract_is_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        replace(DEFAULT_PROFILE, **change)  # type: ignore[arg-type]


def test_the_default_contract_is_the_spec_proposal() -> None:
    c = DEFAULT_PROFILE
    assert ("/v1/feedback", "/v1/feedback/PAKN%2F1") == (c.feedback_path, c.item_path("PAKN/1"))
    assert ("X-Event-Id", "X-Event-Type", "X-Timestamp", "X-Signature", "v1", 300.0) == (
        c.event_id_header,
        c.event_type_header,
        c.timestamp_header,
        c.signature_header,
        c.signature_scheme,
        c.webhook_tolerance,
    )
    assert (201, 409) == (c.created_status, c.conflict_status)
