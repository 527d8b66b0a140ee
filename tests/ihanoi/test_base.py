"""Models refuse bad input with a ValidationError naming the field."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from connectors.core import ValidationError
from connectors.ihanoi import Attachment, Location, Reporter
from connectors.ihanoi.open311 import NewServiceRequest
from tests.ihanoi.conftest import draft

SHA = "c" * 64


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: draft(external_id=""), "external_id"),
        (lambda: draft(external_id="a b"), "external_id"),
        (lambda: draft(category_code="Phản ánh"), "category_code"),
        (lambda: draft(title="   "), "title"),
        (lambda: draft(description="x" * 4001), "description"),
        (lambda: draft(description="<script>alert(1)</script>"), "description"),
        (lambda: draft(description="bell \x07"), "description"),
        (lambda: draft(submitted_at=datetime(2025, 1, 2, 10, 0)), "submitted_at"),
        (lambda: draft(location="Hà Nội"), "location"),
        (lambda: draft(attachments=["https://x.test/a"]), "attachments"),
        (lambda: Location(), "location"),
        (lambda: Location(lat=21.0), "location.lat"),
        (lambda: Location(lat=91.0, lng=0.0), "location.lat"),
        (lambda: Location(lat=21.0, lng=float("nan")), "location.lng"),
        (lambda: Location(address="x", ward_code="phường 1"), "location.ward_code"),
        (lambda: Reporter(full_name="A", phone="0241234567"), "reporter.phone"),
        (lambda: Reporter(full_name="A", email="not-an-email"), "reporter.email"),
        (lambda: Reporter(full_name=""), "reporter.full_name"),
        (lambda: Attachment("ftp://x.test/a", SHA), "attachment.url"),
        (lambda: Attachment("https://x.test/a", "abc"), "attachment.sha256"),
        (lambda: Attachment("https://x.test/a", SHA, "pdf"), "attachment.mime"),
        (lambda: NewServiceRequest("TTHC HS", address_string="x"), "service_code"),
        (lambda: NewServiceRequest("TTHC-HS"), "location"),
        (lambda: NewServiceRequest("TTHC-HS", lat=1.0), "lat"),
        (lambda: NewServiceRequest("TTHC-HS", address_id="1", media_url="x"), "media_url"),
        (
            lambda: NewServiceRequest("TTHC-HS", address_id="1", attributes={"a b": "x"}),
            "attribute[a b]",
        ),
        (
            lambda: NewServiceRequest("TTHC-HS", address_id="1", attributes={"a": []}),
            "attribute[a]",
        ),
    ],
)
def test_bad_input_names_the_field(build: object, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        build()  # type: ignore[operator]

    assert field == caught.value.field


def test_phones_are_normalised_and_hashes_lowercased() -> None:
    assert "0900000001" == Reporter(full_name="A", phone="+84 900 000 001").phone
    assert "ab" * 32 == Attachment("https://x.test/a", "AB" * 32).sha256


@given(
    lat=st.floats(-90, 90, allow_nan=False),
    lng=st.floats(-180, 180, allow_nan=False),
)
def test_any_wgs84_point_is_a_location(lat: float, lng: float) -> None:
    assert (lat, lng) == (Location(lat=lat, lng=lng).lat, Location(lat=lat, lng=lng).lng)


@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="<"),
        max_size=4000,
    ).filter(str.strip)
)
def test_any_plain_text_up_to_4000_characters_is_a_description(text: str) -> None:
    assert text == draft(description=text).description
