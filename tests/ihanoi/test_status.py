"""Status mapping: iHanoi states <-> Open311 open/closed <-> Vietnamese labels."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.core import ValidationError
from connectors.ihanoi import FeedbackStatus, Open311Status, status_from_label, status_from_open311
from connectors.ihanoi.contract import DEFAULT_PROFILE
from connectors.vn import strip_diacritics

EXPECTED = {
    FeedbackStatus.RECEIVED: (Open311Status.OPEN, "Đã tiếp nhận"),
    FeedbackStatus.ASSIGNED: (Open311Status.OPEN, "Đã chuyển xử lý"),
    FeedbackStatus.IN_PROGRESS: (Open311Status.OPEN, "Đang xử lý"),
    FeedbackStatus.ANSWERED: (Open311Status.CLOSED, "Đã trả lời"),
    FeedbackStatus.RESOLVED: (Open311Status.CLOSED, "Đã xử lý"),
    FeedbackStatus.REJECTED: (Open311Status.CLOSED, "Từ chối"),
    FeedbackStatus.DUPLICATE: (Open311Status.CLOSED, "Trùng lặp"),
}


def test_every_status_maps_to_open311_and_a_label() -> None:
    assert EXPECTED == {s: (s.open311, s.label_vi) for s in FeedbackStatus}
    assert {s for s, (coarse, _) in EXPECTED.items() if coarse is Open311Status.CLOSED} == {
        s for s in FeedbackStatus if s.is_closed
    }


@given(st.sampled_from(list(FeedbackStatus)))
def test_the_label_round_trips_in_any_spelling(status: FeedbackStatus) -> None:
    label = status.label_vi
    spellings = [label, label.upper(), label.lower(), strip_diacritics(label), f"  {label} "]

    assert [status] * len(spellings) == [status_from_label(s) for s in spellings]


@given(st.sampled_from(list(FeedbackStatus)))
def test_the_open311_layer_round_trips(status: FeedbackStatus) -> None:
    assert status.open311 == status_from_open311(status.open311).open311
    assert status.open311 == status_from_open311(status.open311.value.upper()).open311


@given(st.sampled_from(list(FeedbackStatus)))
def test_the_wire_value_round_trips_through_the_contract(status: FeedbackStatus) -> None:
    assert status == DEFAULT_PROFILE.status_from_wire(DEFAULT_PROFILE.status_to_wire(status))


@given(st.text(alphabet="bcfgjkqvwxzĐđ0123456789 -_#", max_size=30))
def test_any_other_text_is_a_validation_error_naming_status(text: str) -> None:
    """No label can be spelled without vowels."""
    with pytest.raises(ValidationError) as caught:
        status_from_label(text)
    assert "status" == caught.value.field


@pytest.mark.parametrize(
    ("alias", "status"),
    [
        ("tiếp nhận", FeedbackStatus.RECEIVED),
        ("Đã giải quyết", FeedbackStatus.RESOLVED),
        ("Không thuộc thẩm quyền", FeedbackStatus.REJECTED),
    ],
)
def test_spellings_seen_in_portals_are_accepted(alias: str, status: FeedbackStatus) -> None:
    assert status == status_from_label(alias)


@pytest.mark.parametrize("value", ["", "pending", "opened", None])
def test_open311_accepts_only_open_and_closed(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        status_from_open311(value)  # type: ignore[arg-type]

    assert "status" == caught.value.field


def test_open_maps_up_to_received_and_closed_to_resolved() -> None:
    assert (FeedbackStatus.RECEIVED, FeedbackStatus.RESOLVED) == (
        status_from_open311("open"),
        status_from_open311(Open311Status.CLOSED),
    )
