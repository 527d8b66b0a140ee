"""eSMS delivery reports: parse the callback (or a status query) and receive it over HTTP.

eSMS calls the portal's `CallbackUrl` with an HTTPS GET whose query holds SMSID, SendStatus,
SendSuccess, SendFailed, telcoid, phonenumber, RequestId... and retries only on timeout.
It documents no signature, so `EsmsDeliveryReceiver` (a WSGI app to mount in the portal)
accepts a report only on a path ending with a secret token, compared in constant time,
de-duplicates it through a `DeliveryInbox` and always answers quickly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from connectors.core.errors import ValidationError
from connectors.core.signing import constant_time_equals
from connectors.sms.base import DeliveryReport
from connectors.sms.delivery import DeliveryInbox
from connectors.sms.esms.wire import TELCOS, delivery_status
from connectors.vn.phone import InvalidPhoneNumber, parse_phone

__all__ = ["EsmsDeliveryReceiver", "parse_callback", "report_from_fields"]

PROVIDER = "esms"


def _count(fields: Mapping[str, str], name: str) -> int:
    value = fields.get(name, "0") or "0"
    try:
        return int(float(value))
    except ValueError:
        raise ValidationError(f"{name} is not a number", field=name) from None


def report_from_fields(
    fields: Mapping[str, str], *, received_at: datetime | None = None
) -> DeliveryReport:
    """A `DeliveryReport` from eSMS's callback (or GetSendStatus) fields.

    Raises `ValidationError` naming the field when SMSID or SendStatus is missing or a
    count is not a number.
    """
    sms_id = fields.get("SMSID", "")
    if not sms_id:
        raise ValidationError("SMSID is missing", field="SMSID")
    send_status = fields.get("SendStatus", "")
    if not send_status:
        raise ValidationError("SendStatus is missing", field="SendStatus")
    status, final = delivery_status(
        send_status, _count(fields, "SendSuccess"), _count(fields, "SendFailed")
    )
    recipient = None
    if fields.get("phonenumber"):
        try:
            recipient = parse_phone(fields["phonenumber"])
        except InvalidPhoneNumber:
            recipient = None
    return DeliveryReport(
        provider=PROVIDER,
        provider_message_id=sms_id,
        status=status,
        final=final,
        vendor_status=send_status,
        recipient=recipient,
        request_id=fields.get("RequestId") or None,
        telco=TELCOS.get(fields.get("telcoid", "")),
        received_at=received_at,
        raw=dict(fields),
    )


def parse_callback(query: str | Mapping[str, str]) -> DeliveryReport:
    """A `DeliveryReport` from the callback's query string (or its parsed fields)."""
    fields = dict(parse_qsl(query, keep_blank_values=True)) if isinstance(query, str) else query
    return report_from_fields(fields)


class EsmsDeliveryReceiver:
    """A WSGI app receiving eSMS callbacks at `.../<token>` (GET; POST form also accepted).

    Answers 200 for a report (new or a copy), 403 for a wrong token (nothing recorded),
    400 for a report it cannot read. New reports go to `inbox` (and its handler).
    """

    def __init__(self, token: str, inbox: DeliveryInbox) -> None:
        if len(token) < 16:
            raise ValidationError("the callback token needs at least 16 characters", field="token")
        self._token = token
        self.inbox = inbox

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        given = path.rstrip("/").rsplit("/", 1)[-1]
        if not constant_time_equals(given, self._token):
            return _answer(start_response, "403 Forbidden", b"forbidden")
        query = str(environ.get("QUERY_STRING", ""))
        if environ.get("REQUEST_METHOD") == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            query = environ["wsgi.input"].read(length).decode("utf-8") if length else query
        try:
            report = parse_callback(query)
        except ValidationError as exc:
            return _answer(start_response, "400 Bad Request", exc.message.encode("utf-8"))
        self.inbox.accept(report)
        return _answer(start_response, "200 OK", b"OK")


def _answer(start_response: Callable[..., Any], status: str, body: bytes) -> list[bytes]:
    start_response(
        status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return [body]
