"""Open311's wire round trips: XML and JSON read the same."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from connectors.ihanoi import Open311Status
from connectors.ihanoi.open311 import ServiceRequest
from connectors.ihanoi.open311 import wire as o311
from tests.ihanoi.strategies import moments, texts

requests_ = st.builds(
    ServiceRequest,
    service_request_id=st.from_regex(r"\APAKN-[0-9]{6}\Z"),
    status=st.sampled_from(list(Open311Status)),
    service_code=st.none() | st.just("TTHC-HS"),
    description=st.none() | texts.map(str.strip),
    status_notes=st.none() | texts.map(str.strip),
    requested_datetime=st.none() | moments,
    lat=st.none() | st.floats(-90, 90, allow_nan=False),
    long=st.none() | st.floats(-180, 180, allow_nan=False),
)


@given(st.lists(requests_, max_size=3))
def test_open311_requests_read_the_same_from_xml_and_json(items: list[ServiceRequest]) -> None:
    plain = [o311.encode_request(r) for r in items]

    from_json = o311.decode_requests(json.loads(json.dumps(plain)))
    from_xml = o311.decode_requests(o311.from_xml(o311.to_xml("service_requests", plain)))

    assert items == from_json == from_xml
