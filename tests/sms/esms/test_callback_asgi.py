"""eSMS delivery reports under ASGI (raw and Starlette): the same answers and the same
reports recorded once, as under WSGI; the token is the last segment below the mount."""

from __future__ import annotations

import pytest

from connectors.sms import DeliveryInbox, DeliveryReport, DeliveryStatus
from connectors.sms.esms import EsmsDeliveryReceiver
from tests.core.servers import DRIVERS
from tests.sms.esms.test_callback import TOKEN

REPORT = {"SMSID": "A1", "SendStatus": "5", "SendSuccess": "1", "SendFailed": "0"}


@pytest.mark.parametrize("driver", sorted(DRIVERS))
def test_a_report_is_recorded_once_and_a_wrong_token_is_403(driver: str) -> None:
    received: list[DeliveryReport] = []
    app = EsmsDeliveryReceiver(TOKEN, DeliveryInbox(handler=received.append))
    first = DRIVERS[driver](app, "GET", f"/sms/esms/{TOKEN}", query=REPORT)
    again = DRIVERS[driver](app, "GET", f"/sms/esms/{TOKEN}", query=REPORT)
    wrong = DRIVERS[driver](app, "GET", "/sms/esms/not-the-token", query=REPORT)
    posted = DRIVERS[driver](
        app,
        "POST",
        f"/sms/esms/{TOKEN}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=b"SMSID=B2&SendStatus=5&SendSuccess=0&SendFailed=1",
    )
    assert [(200, b"OK"), (200, b"OK"), (403, b"forbidden"), (200, b"OK")] == [
        (a.status, a.body) for a in (first, again, wrong, posted)
    ]
    assert [("A1", DeliveryStatus.DELIVERED), ("B2", DeliveryStatus.UNDELIVERED)] == [
        (r.provider_message_id, r.status) for r in received
    ]
