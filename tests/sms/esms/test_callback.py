"""eSMS delivery reports: the callback read, received over HTTP once, its limits."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
import requests

from connectors.core import ValidationError
from connectors.sms import DeliveryInbox, DeliveryReport, DeliveryStatus, Message
from connectors.sms.esms import EsmsDeliveryReceiver, parse_callback
from connectors.sms.esms.wire import delivery_status
from connectors.testing import serve
from tests.core.wsgi_inputs import GuardedInput, Untouchable
from tests.sms import harnesses
from tests.sms.harnesses import PARAMS

TOKEN = "fake-callback-token-0123456789"


def paid(recipient: str = "0912345678", dossier: str = "HS-1") -> Message:
    return Message(recipient, template_id="paid", params={**PARAMS, "dossier": dossier})


def test_callback_vector_from_the_documentation() -> None:
    report = parse_callback(
        "SMSID=dc712784-9c5f-4c69-b9a8-ea69d56adc9a87&SendFailed=2&SendStatus=5&SendSuccess=0"
        "&TotalPrice=0.0000&TotalReceiver=2&TotalSent=2&RequestId=&TypeId=2&telcoid=1"
        "&phonenumber=0901888484&switchsmsid="
    )
    assert ("dc712784-9c5f-4c69-b9a8-ea69d56adc9a87", DeliveryStatus.UNDELIVERED, True) == (
        report.provider_message_id,
        report.status,
        report.final,
    )
    assert ("viettel", None, "0901888484") == (
        report.telco,
        report.request_id,
        report.recipient.national if report.recipient else None,
    )


@pytest.mark.parametrize(
    ("status", "success", "failed", "expected"),
    [
        ("1", 0, 0, (DeliveryStatus.UNKNOWN, False)),
        ("2", 0, 0, (DeliveryStatus.UNKNOWN, False)),
        ("7", 0, 0, (DeliveryStatus.UNKNOWN, False)),
        ("4", 0, 0, (DeliveryStatus.REJECTED, True)),
        ("5", 1, 0, (DeliveryStatus.DELIVERED, True)),
        ("5", 1, 1, (DeliveryStatus.UNDELIVERED, True)),
        ("5", 0, 0, (DeliveryStatus.UNDELIVERED, True)),
        ("9", 0, 0, (DeliveryStatus.UNKNOWN, False)),
    ],
)
def test_send_status_vocabulary(
    status: str, success: int, failed: int, expected: tuple[DeliveryStatus, bool]
) -> None:
    assert expected == delivery_status(status, success, failed)


@pytest.mark.parametrize(
    ("query", "field"),
    [("SendStatus=5", "SMSID"), ("SMSID=1", "SendStatus"), ("SMSID=1&SendStatus=5&SendFailed=x",
                                                             "SendFailed")],
)  # fmt: skip
def test_unreadable_callback_names_the_field(query: str, field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        parse_callback(query)
    assert field == raised.value.field


def test_callbacks_over_loopback_are_received_once() -> None:
    received: list[DeliveryReport] = []
    receiver = EsmsDeliveryReceiver(TOKEN, DeliveryInbox(handler=received.append))
    sim = harnesses.esms_sim()
    with serve(receiver) as portal, serve(sim) as gateway:
        sender = harnesses.esms_sender(gateway, callback_url=f"{portal}/sms/esms/{TOKEN}")
        first = sender.send(paid("0912345678", "HS-1"), "HS-1:sms")
        second = sender.send(paid("0987654321", "HS-2"), "HS-2:sms")
        sim.complete(first.provider_message_id, delivered=True)
        sim.complete(second.provider_message_id, delivered=False)
        assert [200, 200] == sim.emit_reports()
        assert [200, 200] == sim.emit_reports()  # eSMS retries: copies are not re-handled
        wrong = requests.get(f"{portal}/sms/esms/not-the-token", params={"SMSID": "1"}, timeout=5)
    assert 403 == wrong.status_code
    by_id = {r.provider_message_id: r for r in received}
    assert 2 == len(received)
    assert DeliveryStatus.DELIVERED == by_id[str(first.provider_message_id)].status
    assert DeliveryStatus.UNDELIVERED == by_id[str(second.provider_message_id)].status
    assert "vinaphone" == by_id[str(first.provider_message_id)].telco


REPORT = "SMSID=A1&SendStatus=5&SendSuccess=1&SendFailed=0"


def call(receiver: EsmsDeliveryReceiver, environ: dict[str, Any]) -> tuple[str, bytes]:
    statuses: list[str] = []
    body = b"".join(receiver(environ, lambda status, _headers: statuses.append(status)))
    return statuses[0], body


def get(query: str = REPORT) -> dict[str, Any]:
    return {"REQUEST_METHOD": "GET", "PATH_INFO": f"/sms/esms/{TOKEN}", "QUERY_STRING": query}


def test_a_failing_handler_is_500_and_the_next_copy_is_handled() -> None:
    calls: list[str] = []

    def flaky(report: DeliveryReport) -> None:
        calls.append(report.provider_message_id)
        if len(calls) == 1:
            raise RuntimeError("database down")

    receiver = EsmsDeliveryReceiver(TOKEN, DeliveryInbox(handler=flaky))
    assert [("500 Internal Server Error", b"retry"), ("200 OK", b"OK"), ("200 OK", b"OK")] == [
        call(receiver, get()) for _ in range(3)
    ]
    assert ["A1", "A1"] == calls  # the failed call and the next copy; not the third


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), SystemExit(1)], ids=type)
def test_an_interrupted_handler_marks_nothing(exc: BaseException) -> None:
    calls: list[str] = []

    def interrupted_once(report: DeliveryReport) -> None:
        calls.append(report.provider_message_id)
        if len(calls) == 1:
            raise exc

    inbox = DeliveryInbox(handler=interrupted_once)
    receiver = EsmsDeliveryReceiver(TOKEN, inbox)
    with pytest.raises(type(exc)):
        call(receiver, get())
    report = parse_callback(REPORT)
    assert not inbox.is_done(report)
    assert ("200 OK", b"OK") == call(receiver, get())
    assert inbox.is_done(report)
    assert ["A1", "A1"] == calls


@pytest.mark.parametrize(
    "count", ["inf", "nan", "1e30", "1.0", "-1", "+1", " 1", "\uff11", "1" * 10, "0x1"]
)
def test_odd_counts_are_a_bad_request_not_an_exception(count: str) -> None:
    calls: list[DeliveryReport] = []
    receiver = EsmsDeliveryReceiver(TOKEN, DeliveryInbox(handler=calls.append))
    query = f"SMSID=A1&SendStatus=5&SendSuccess={quote(count)}&SendFailed=0"
    status, body = call(receiver, get(query))
    assert ("400 Bad Request", b"SendSuccess is not 1 to 9 ASCII digits") == (status, body)
    assert [] == calls


@pytest.mark.parametrize(
    ("length", "status"),
    [(str(10 * 2**30), "413 Payload Too Large"), ("abc", "400 Bad Request"),
     ("-5", "400 Bad Request"), (None, "411 Length Required")],
)  # fmt: skip
def test_a_posted_report_is_read_within_the_limit(length: str | None, status: str) -> None:
    calls: list[DeliveryReport] = []
    receiver = EsmsDeliveryReceiver(TOKEN, DeliveryInbox(handler=calls.append))
    environ = {**get(""), "REQUEST_METHOD": "POST", "wsgi.input": Untouchable()}
    if length is not None:
        environ["CONTENT_LENGTH"] = length
    assert status == call(receiver, environ)[0]
    assert [] == calls


def test_a_posted_report_within_the_limit_is_handled() -> None:
    calls: list[DeliveryReport] = []
    receiver = EsmsDeliveryReceiver(
        TOKEN, DeliveryInbox(handler=calls.append), max_body_bytes=len(REPORT)
    )
    data = REPORT.encode()
    environ = {
        **get(""),
        "REQUEST_METHOD": "POST",
        "CONTENT_LENGTH": str(len(data)),
        "wsgi.input": GuardedInput(data, allowed=len(data)),
    }
    assert ("200 OK", b"OK") == call(receiver, environ)
    assert ["A1"] == [r.provider_message_id for r in calls]


@pytest.mark.parametrize("limit", [0, -1, True, 2.5])
def test_max_body_bytes_must_be_positive(limit: object) -> None:
    with pytest.raises(ValidationError):
        EsmsDeliveryReceiver(TOKEN, DeliveryInbox(), max_body_bytes=limit)  # type: ignore[arg-type]


def test_the_receiver_repr_hides_the_token() -> None:
    assert TOKEN not in repr(EsmsDeliveryReceiver(TOKEN, DeliveryInbox()))


def test_an_inbox_without_a_handler_marks_a_report_at_once() -> None:
    inbox = DeliveryInbox()
    report = parse_callback(REPORT)
    assert (True, False, True) == (
        inbox.accept(report),
        inbox.accept(report),
        inbox.is_done(report),
    )


def test_a_failed_handler_lets_the_next_copy_through() -> None:
    calls: list[str] = []

    def flaky(report: DeliveryReport) -> None:
        calls.append(report.provider_message_id)
        if len(calls) == 1:
            raise RuntimeError("database down")

    inbox = DeliveryInbox(handler=flaky)
    report = parse_callback("SMSID=A1&SendStatus=5&SendSuccess=1&SendFailed=0")
    with pytest.raises(RuntimeError):
        inbox.accept(report)
    assert inbox.accept(report) is True
    assert inbox.accept(report) is False
    assert ["A1", "A1"] == calls


def test_receiver_token_must_be_long() -> None:
    with pytest.raises(ValidationError) as raised:
        EsmsDeliveryReceiver("short", DeliveryInbox())
    assert "token" == raised.value.field
