"""The contract's wire round trips: what one side encodes, the other decodes to the same
value."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from connectors.ihanoi import (
    Attachment,
    EventType,
    Feedback,
    FeedbackEvent,
    FeedbackStatus,
    Location,
    Reporter,
)
from connectors.ihanoi.contract import DEFAULT_PROFILE, WireProfile, wire
from connectors.vn import VN_TZ
from tests.ihanoi.strategies import moments, texts

RENAMED = replace(
    DEFAULT_PROFILE,
    field_names={"feedback_id": "ma", "status": "trang_thai", "version": "phien_ban"},
    status_values={s: s.value.upper() for s in FeedbackStatus},
)


feedbacks = st.builds(
    Feedback,
    feedback_id=st.from_regex(r"\APAKN-[0-9]{4}-[0-9]{6}\Z"),
    status=st.sampled_from(list(FeedbackStatus)),
    category_code=st.sampled_from(["TTHC-HS", "HT-MT"]),
    title=texts,
    description=texts,
    updated_at=moments,
    version=st.integers(1, 10_000),
    external_id=st.none() | st.from_regex(r"\Aportal-[0-9]{1,6}\Z"),
    location=st.none() | st.builds(Location, address=texts),
    reporter=st.none() | st.builds(Reporter, full_name=texts, phone=st.just("0900000001")),
    submitted_at=st.none() | moments,
    status_note=st.none() | texts,
    agency_code=st.none() | st.just("UBND-PTN"),
    reply_text=st.none() | texts,
    reply_attachments=st.lists(
        st.builds(
            Attachment,
            url=st.just("https://files.example.test/a.pdf"),
            sha256=st.from_regex(r"\A[0-9a-f]{64}\Z"),
        ),
        max_size=2,
    ).map(tuple),
    overdue=st.booleans(),
    rating=st.none() | st.integers(1, 5),
)


@given(feedbacks, st.sampled_from([DEFAULT_PROFILE, RENAMED]))
def test_a_feedback_survives_json_through_any_contract(
    feedback: Feedback, contract: WireProfile
) -> None:
    encoded = json.loads(json.dumps(wire.encode_feedback(feedback, contract)))

    assert feedback == wire.decode_feedback(encoded, contract)


@given(feedbacks, st.sampled_from(list(EventType)), moments)
def test_an_event_survives_the_wire(feedback: Feedback, kind: EventType, at: datetime) -> None:
    event = FeedbackEvent("evt-1", kind, at, feedback, FeedbackStatus.RECEIVED, 4)
    body = json.dumps(wire.encode_event(event, RENAMED)).encode()

    assert event == wire.decode_event(json.loads(body), RENAMED)


def test_datetimes_are_written_in_gmt7_with_the_offset() -> None:
    utc = datetime(2025, 1, 2, 3, 11, tzinfo=VN_TZ) - timedelta(hours=7)

    assert "2025-01-01T20:11:00+07:00" == wire.format_dt(utc)
