"""eSMS's wire module: what the client writes is what the simulator reads; a report's
fields read back as the same report."""

from __future__ import annotations

import json

import pytest

from connectors.sms import DeliveryStatus
from connectors.sms.esms.wire import (
    Report,
    SendBody,
    read_send_reply,
    read_status,
    report_fields,
    report_from_fields,
    send_answer,
    send_body,
    send_of,
    status_answer,
)

BODY = SendBody("k", "s", "0912345678", "Ho so", "UBNDPHUONG", "2", True, False, "R-1")


def test_a_send_round_trips_with_and_without_a_callback() -> None:
    assert BODY == send_of(json.loads(json.dumps(send_body(BODY))))
    assert "CallbackUrl" not in send_body(BODY)
    with_callback = SendBody(**{**BODY.__dict__, "callback_url": "https://portal.test/x"})
    assert with_callback == send_of(send_body(with_callback))
    with pytest.raises(TypeError):
        send_of([])


def test_answers_read_back() -> None:
    reply = read_send_reply(json.dumps(send_answer("ID-1")).encode())
    assert ("100", None, "ID-1") == (reply.code, reply.message, reply.sms_id)
    with pytest.raises(ValueError, match="not an object"):
        read_send_reply(b"[]")


def test_a_report_round_trips_through_the_callback_and_the_status_query() -> None:
    report = Report("ID-1", "5", 1, 0, "R-1", "2", "viettel", "0912345678")
    from_callback = report_from_fields(report_fields(report))
    code, fields = read_status(status_answer(report), "ID-1")
    from_query = report_from_fields(fields)
    assert "100" == code
    for read in (from_callback, from_query):
        assert ("ID-1", DeliveryStatus.DELIVERED, True) == (
            read.provider_message_id,
            read.status,
            read.final,
        )
    assert ("viettel", "R-1") == (from_callback.telco, from_callback.request_id)
    assert ({"CodeResponse": "105"}, {"CodeResponse": "101"}) == (
        status_answer(None),
        status_answer(report, refused="101"),
    )
