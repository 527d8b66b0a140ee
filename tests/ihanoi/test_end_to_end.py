"""The demo's path on loopback: a citizen writes about a dossier, the portal receives it by
webhook (and by sync as a safety net), pushes status for the paid dossier and answers."""

from __future__ import annotations

from pathlib import Path

from connectors.ihanoi import (
    Attachment,
    Feedback,
    FeedbackEvent,
    FeedbackStatus,
    FeedbackSync,
    Open311Status,
    WebhookReceiver,
)
from connectors.ihanoi.contract import IhanoiFeedback
from connectors.ihanoi.open311 import Open311Feedback
from connectors.testing import serve
from connectors.testing.simulators.ihanoi import IhanoiFeedbackSimulator
from tests.ihanoi.conftest import fast_retry, no_sleep

SECRET = "whsec-demo-not-secret"
PAID_DOSSIERS = {"HS-THU-0042"}


def test_a_citizen_feedback_is_received_answered_and_closed(tmp_path: Path) -> None:
    sim = IhanoiFeedbackSimulator(sleep=no_sleep)
    inbox: list[str] = []
    synced: list[Feedback] = []

    with (
        serve(sim) as ihanoi_url,
        IhanoiFeedback(base_url=ihanoi_url, token=sim.token, retry=fast_retry()) as api,
    ):

        def on_event(event: FeedbackEvent) -> None:  # the portal's handler
            inbox.append(event.feedback.feedback_id)

        receiver = WebhookReceiver(SECRET, on_event, seen=tmp_path / "seen.sqlite")
        with serve(receiver) as portal_url:
            sim.register_webhook(portal_url + "/ihanoi/events", SECRET)
            feedback_id = sim.citizen_submits(
                title="Hồ sơ đã nộp phí nhưng chưa có kết quả",
                description="Tôi đã nộp lệ phí cho hồ sơ HS-THU-0042 (dữ liệu thử).",
                dossier_code="HS-THU-0042",
            )

        with FeedbackSync(api, synced.append, state=tmp_path / "sync.sqlite") as sync:
            sync.run_once()

        dossier = sim.attributes_of(feedback_id)["ma_ho_so"]
        if dossier in PAID_DOSSIERS:
            api.update_status(
                feedback_id,
                FeedbackStatus.IN_PROGRESS,
                note="Đã thu phí; hồ sơ đang được xử lý",
                agency_code="UBND-PTN",
            )
        api.answer(
            feedback_id,
            "Hồ sơ HS-THU-0042 đã có kết quả, mời ông/bà nhận tại bộ phận một cửa.",
            agency_code="UBND-PTN",
            attachments=[
                Attachment("https://portal.example.test/kq.pdf", "d" * 64, "application/pdf")
            ],
        )
        with Open311Feedback(base_url=ihanoi_url + "/open311/v2", format="xml") as citizen_view:
            open311 = citizen_view.request(feedback_id)

    assert [feedback_id] == inbox
    assert [feedback_id] == [f.feedback_id for f in synced]
    assert [200] == [d.status for d in sim.deliveries]
    final = sim.feedback(feedback_id)
    assert (FeedbackStatus.ANSWERED, "UBND-PTN", 3) == (
        final.status,
        final.agency_code,
        final.version,
    )
    assert ["in_progress"] == [e.data["status"] for e in sim.updates_for(feedback_id)]
    assert 1 == len(sim.answers_for(feedback_id))
    assert (Open311Status.CLOSED, "UBND-PTN") == (open311.status, open311.agency_responsible)
