"""The Open311 GeoReport v2 client against the simulator, in JSON and in XML."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest

from connectors.core import (
    AuthError,
    NotFound,
    OutcomeUnknown,
    ProviderUnavailable,
    ValidationError,
)
from connectors.ihanoi import FeedbackStatus, Open311Status
from connectors.ihanoi.contract import IhanoiFeedback
from connectors.ihanoi.open311 import (
    NewServiceRequest,
    Open311Feedback,
    RequestReceipt,
    WireProfile,
)
from connectors.ihanoi.open311 import wire as o311
from connectors.testing import Status, TimeoutAfterCommit, mount, serve
from connectors.testing.simulators.ihanoi import IhanoiFeedbackSimulator
from connectors.vn import VN_TZ
from tests.ihanoi.conftest import BASE_URL, OPEN311_URL, fast_retry

FORMATS = ["json", "xml"]


@pytest.fixture(params=FORMATS)
def fmt(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def o311_client(mounted: IhanoiFeedbackSimulator, fmt: str) -> Iterator[Open311Feedback]:
    with Open311Feedback(
        base_url=OPEN311_URL,
        api_key=mounted.api_key,
        format=fmt,  # type: ignore[arg-type]
        retry=fast_retry(),
    ) as client:
        yield client


def dossier_request(**overrides: object) -> NewServiceRequest:
    values: dict[str, object] = {
        "service_code": "TTHC-HS",
        "address_string": "Phường Thử Nghiệm, Hà Nội",
        "description": "Hồ sơ HS-THU-0002 chưa có kết quả (dữ liệu thử).",
        "first_name": "Thử",
        "last_name": "Nguyễn Văn",
        "phone": "0900000002",
        "attributes": {"ma_ho_so": "HS-THU-0002", "kenh": "truc_tuyen"},
    }
    values.update(overrides)
    return NewServiceRequest(**values)  # type: ignore[arg-type]


def test_services_lists_every_category(
    o311_client: Open311Feedback, sim: IhanoiFeedbackSimulator
) -> None:
    services = o311_client.services()

    assert [s.service_code for s in sim.services] == [s.service_code for s in services]
    assert sim.services == tuple(services)
    assert [f"/open311/v2/services.{o311_client.format}"] == [r.path for r in sim.seen]


def test_a_service_definition_has_its_attributes(o311_client: Open311Feedback) -> None:
    definition = o311_client.service_definition("TTHC-HS")

    ma_ho_so = definition.attribute("ma_ho_so")
    kenh = definition.attribute("kenh")
    assert ma_ho_so is not None
    assert kenh is not None
    assert ("string", True, "Mã hồ sơ") == (
        ma_ho_so.datatype,
        ma_ho_so.required,
        ma_ho_so.description,
    )
    assert (("truc_tuyen", "Trực tuyến"), ("truc_tiep", "Trực tiếp")) == kenh.values


def test_an_unknown_service_is_not_found_with_the_vendor_message(
    o311_client: Open311Feedback,
) -> None:
    with pytest.raises(NotFound) as caught:
        o311_client.service_definition("KHONG-CO")

    assert ("404", "service_code not found") == (
        caught.value.vendor_code,
        caught.value.vendor_message,
    )


def test_post_request_is_form_encoded_with_attributes(
    sim: IhanoiFeedbackSimulator, fmt: str
) -> None:
    request = dossier_request(lat=21.0285, long=105.8542, attributes={"ma_ho_so": "HS-1"})
    with (
        mount(sim, BASE_URL) as mock,
        Open311Feedback(base_url=OPEN311_URL, api_key=sim.api_key, format=fmt) as client,  # type: ignore[arg-type]
    ):
        receipt = client.post_request(request)
        sent = mock.calls[0].request

    assert f"{OPEN311_URL}/requests.{fmt}" == sent.url
    assert "application/x-www-form-urlencoded" == sent.headers["Content-Type"]
    assert [
        ("service_code", "TTHC-HS"),
        ("lat", "21.0285"),
        ("long", "105.8542"),
        ("address_string", "Phường Thử Nghiệm, Hà Nội"),
        ("first_name", "Thử"),
        ("last_name", "Nguyễn Văn"),
        ("phone", "0900000002"),
        ("description", "Hồ sơ HS-THU-0002 chưa có kết quả (dữ liệu thử)."),
        ("attribute[ma_ho_so]", "HS-1"),
        ("api_key", sim.api_key),
    ] == parse_qsl(sent.body)
    assert receipt.service_request_id is not None
    assert "Đã tiếp nhận phản ánh (mô phỏng)" == receipt.service_notice
    assert {"ma_ho_so": "HS-1"} == sim.attributes_of(receipt.service_request_id)
    assert FeedbackStatus.RECEIVED == sim.feedback(receipt.service_request_id).status


def test_multivalue_attributes_and_a_custom_attribute_name() -> None:
    profile = WireProfile(attribute_param="attributes")
    request = dossier_request(attributes={"tags": ["a", "b"], "ma_ho_so": "HS-1"})

    fields = o311.form_fields(request, profile, api_key="k-123", jurisdiction_id="hanoi.test")

    assert [
        ("jurisdiction_id", "hanoi.test"),
        ("attributes[tags][]", "a"),
        ("attributes[tags][]", "b"),
        ("attributes[ma_ho_so]", "HS-1"),
        ("api_key", "k-123"),
    ] == [
        f
        for f in fields
        if f[0]
        not in {"service_code", "address_string", "first_name", "last_name", "phone", "description"}
    ]
    assert (
        {"jurisdiction_id": "hanoi.test", "api_key": "k-123"},
        {"tags": ["a", "b"], "ma_ho_so": "HS-1"},
    ) == o311.parse_form(
        [f for f in fields if f[0] in {"jurisdiction_id", "api_key"} or "[" in f[0]], profile
    )


def test_a_batch_service_answers_a_token_that_resolves(o311_client: Open311Feedback) -> None:
    receipt = o311_client.post_request(
        NewServiceRequest("HT-MT", lat=21.03, long=105.85, description="Rác thải (thử)")
    )
    assert receipt.token is not None
    assert receipt.service_request_id is None

    resolved = o311_client.token(receipt.token)

    assert (
        RequestReceipt(service_request_id=resolved.service_request_id, token=receipt.token)
        == resolved
    )
    assert resolved.service_request_id is not None
    assert "HT-MT" == o311_client.request(resolved.service_request_id).service_code


def test_an_unknown_token_is_not_found(o311_client: Open311Feedback) -> None:
    with pytest.raises(NotFound):
        o311_client.token("tok-unknown")


def test_a_missing_required_attribute_is_a_validation_error_with_the_vendor_message(
    o311_client: Open311Feedback, sim: IhanoiFeedbackSimulator
) -> None:
    with pytest.raises(ValidationError) as caught:
        o311_client.post_request(dossier_request(attributes={}))

    assert (400, "400") == (caught.value.http_status, caught.value.vendor_code)
    assert "attribute[ma_ho_so]: is required by the service" == caught.value.vendor_message
    assert 0 == sim.ledger.count("feedback")


def test_with_the_definition_the_attribute_is_checked_before_sending(
    o311_client: Open311Feedback, sim: IhanoiFeedbackSimulator
) -> None:
    definition = o311_client.service_definition("TTHC-HS")
    sim.seen.clear()

    with pytest.raises(ValidationError) as caught:
        o311_client.post_request(
            dossier_request(attributes={"ma_ho_so": "HS-1", "kenh": "bo_cau"}),
            definition=definition,
        )

    assert "attribute[kenh]" == caught.value.field
    assert [] == sim.seen


def test_a_wrong_api_key_is_an_auth_error(sim: IhanoiFeedbackSimulator, fmt: str) -> None:
    with (
        mount(sim, BASE_URL),
        Open311Feedback(base_url=OPEN311_URL, api_key="not-the-key", format=fmt) as client,  # type: ignore[arg-type]
        pytest.raises(AuthError) as caught,
    ):
        client.post_request(dossier_request())

    assert ("api_key is missing or invalid", 403) == (
        caught.value.vendor_message,
        caught.value.http_status,
    )
    assert "not-the-key" not in str(caught.value.body_excerpt)
    assert 0 == sim.ledger.count("feedback")


def test_posting_without_an_api_key_is_refused_before_sending(sim: IhanoiFeedbackSimulator) -> None:
    with (
        mount(sim, BASE_URL),
        Open311Feedback(base_url=OPEN311_URL) as client,
        pytest.raises(ValidationError) as caught,
    ):
        client.post_request(dossier_request())

    assert ("api_key", []) == (caught.value.field, sim.seen)


def test_get_requests_filters_by_status_service_and_ids(
    o311_client: Open311Feedback, sim: IhanoiFeedbackSimulator
) -> None:
    first = o311_client.post_request(dossier_request()).service_request_id
    second = o311_client.post_request(
        NewServiceRequest("TTHC-PHI", address_string="Phường Thử", description="Phí (thử)")
    ).service_request_id
    assert first is not None
    assert second is not None
    sim.operator_sets_status(second, FeedbackStatus.RESOLVED, note="Đã hoàn phí")

    everything = o311_client.requests()
    closed = o311_client.requests(status=Open311Status.CLOSED)
    fees = o311_client.requests(service_code="TTHC-PHI")
    by_id = o311_client.requests(ids=[second, first], service_code="TTHC-HS")

    assert [first, second] == sorted(r.service_request_id for r in everything)
    assert [(second, "Đã hoàn phí")] == [(r.service_request_id, r.status_notes) for r in closed]
    assert [second] == [r.service_request_id for r in fees]
    assert [second, first] == [r.service_request_id for r in by_id]


def test_a_date_window_selects_by_requested_time(sim: IhanoiFeedbackSimulator, fmt: str) -> None:
    clock = [1_735_787_460.0]
    timed = IhanoiFeedbackSimulator(clock=lambda: clock[0])
    with (
        mount(timed, BASE_URL),
        Open311Feedback(base_url=OPEN311_URL, api_key=timed.api_key, format=fmt) as client,  # type: ignore[arg-type]
    ):
        old = client.post_request(dossier_request()).service_request_id
        clock[0] += 10 * 86_400
        new = client.post_request(dossier_request()).service_request_id
        start = datetime(2025, 1, 5, tzinfo=VN_TZ)

        found = client.requests(start=start, end=start + timedelta(days=30))

    assert old != new
    assert [new] == [r.service_request_id for r in found]


def test_a_window_over_90_days_is_refused_before_sending(
    o311_client: Open311Feedback, sim: IhanoiFeedbackSimulator
) -> None:
    start = datetime(2025, 1, 1, tzinfo=VN_TZ)
    with pytest.raises(ValidationError) as caught:
        o311_client.requests(start=start, end=start + timedelta(days=91))

    assert ("end_date", []) == (caught.value.field, sim.seen)


def test_one_request_shows_the_answer_pushed_through_ihanoi(
    o311_client: Open311Feedback, sim: IhanoiFeedbackSimulator
) -> None:
    feedback_id = sim.citizen_submits(title="Hồ sơ chậm", description="Chậm trả kết quả (thử)")
    with IhanoiFeedback(base_url=BASE_URL, token=sim.token) as ihanoi:
        ihanoi.answer(feedback_id, "Đã trả kết quả", agency_code="UBND-PTN")

    found = o311_client.request(feedback_id)

    assert (Open311Status.CLOSED, "Đã trả kết quả", "UBND-PTN") == (
        found.status,
        found.status_notes,
        found.agency_responsible,
    )
    assert found.requested_datetime is not None
    assert found.requested_datetime.tzinfo is not None


def test_an_unknown_request_is_not_found(o311_client: Open311Feedback) -> None:
    with pytest.raises(NotFound) as caught:
        o311_client.request("PAKN-0000-000404")

    assert "service_request_id not found" == caught.value.vendor_message


def test_a_post_that_times_out_after_commit_is_outcome_unknown_not_doubled(
    o311_client: Open311Feedback, sim: IhanoiFeedbackSimulator
) -> None:
    sim.faults.add("post_request", TimeoutAfterCommit(hold=1.0))

    with pytest.raises(OutcomeUnknown):
        o311_client.post_request(dossier_request())

    assert 1 == len(sim.requests_to("post_request"))
    assert 1 == sim.ledger.count("feedback")


def test_reads_are_retried_on_503(
    o311_client: Open311Feedback, sim: IhanoiFeedbackSimulator
) -> None:
    sim.faults.add("services", Status(503, b"busy"), times=2)

    services = o311_client.services()

    assert 3 == len(services)
    assert 3 == len(sim.requests_to("services"))


def test_an_xml_answer_with_a_doctype_is_refused(
    o311_client: Open311Feedback, sim: IhanoiFeedbackSimulator
) -> None:
    evil = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><services/>'
    sim.faults.add("services", Status(200, evil, "text/xml"))

    with pytest.raises(ProviderUnavailable) as caught:
        o311_client.services(format="xml")

    assert "could not be read" in caught.value.message


def test_xml_and_json_decode_to_the_same_requests(sim: IhanoiFeedbackSimulator) -> None:
    feedback_id = sim.citizen_submits(title="Hồ sơ", description="Nội dung (thử) & <ký tự>")
    with (
        serve(sim) as base,
        Open311Feedback(base_url=base + "/open311/v2", format="json") as json_client,
        Open311Feedback(base_url=base + "/open311/v2", format="xml") as xml_client,
    ):
        assert json_client.request(feedback_id) == xml_client.request(feedback_id)
        assert json_client.services() == xml_client.services()
        assert json_client.service_definition("TTHC-HS") == xml_client.service_definition("TTHC-HS")


def test_a_jurisdiction_is_sent_when_configured() -> None:
    sim = IhanoiFeedbackSimulator(jurisdiction_id="hanoi.test")
    with mount(sim, BASE_URL) as mock:
        with Open311Feedback(base_url=OPEN311_URL, jurisdiction_id="hanoi.test") as client:
            assert 3 == len(client.services())
            query = urlsplit(mock.calls[0].request.url).query
        with Open311Feedback(base_url=OPEN311_URL) as without, pytest.raises(NotFound):
            without.services()

    assert "jurisdiction_id=hanoi.test" == query


def test_the_api_key_never_reaches_hooks_or_logs(sim: IhanoiFeedbackSimulator) -> None:
    from connectors.core import RequestEvent

    events: list[RequestEvent] = []
    with (
        mount(sim, BASE_URL),
        Open311Feedback(base_url=OPEN311_URL, api_key=sim.api_key) as client,
    ):
        client.transport.on_request.append(events.append)
        client.post_request(dossier_request())

    assert 1 == len(events)
    assert sim.api_key not in events[0].body + events[0].url + repr(client)
    assert "api_key=***" in events[0].body
