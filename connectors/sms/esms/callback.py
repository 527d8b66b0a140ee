"""eSMS delivery reports: parse the callback (or a status query) and receive it over HTTP.

eSMS calls the portal's `CallbackUrl` with an HTTPS GET whose query holds SMSID, SendStatus,
SendSuccess, SendFailed, telcoid, phonenumber, RequestId... and retries only on timeout.
It documents no signature, so `EsmsDeliveryReceiver` (a WSGI app to mount in the portal)
accepts a report only on a path ending with a secret token, compared in constant time,
de-duplicates it through a `DeliveryInbox` (claim after the effect: a report is marked
done only once the inbox's handler has returned) and always answers quickly. A POSTed
form body is read within `max_body_bytes` (413 unread above it). Counts are ASCII digits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from connectors.core.errors import ValidationError
from connectors.core.inbound import AsyncReceiving, HttpAnswer, InboundRequest, serve_wsgi
from connectors.core.signing import constant_time_equals
from connectors.core.wsgi import DEFAULT_BODY_LIMIT, BodyRefused
from connectors.sms.base import DeliveryReport
from connectors.sms.delivery import DeliveryInbox
from connectors.sms.esms.wire import report_from_fields

__all__ = ["EsmsDeliveryReceiver", "parse_callback", "report_from_fields"]

_log = logging.getLogger("connectors.sms.esms")


def parse_callback(query: str | Mapping[str, str]) -> DeliveryReport:
    """A `DeliveryReport` from the callback's query string (or its parsed fields)."""
    fields = dict(parse_qsl(query, keep_blank_values=True)) if isinstance(query, str) else query
    return report_from_fields(fields)


class EsmsDeliveryReceiver(AsyncReceiving):
    """A WSGI app receiving eSMS callbacks at `.../<token>` (GET; POST form also accepted).

    Answers 200 for a report (new or a copy), 403 for a wrong token (nothing recorded),
    400 for a report it cannot read, 413 for a POST body over `max_body_bytes`, 500 when
    the inbox's handler (or its store) failed (nothing recorded: the next copy is handled
    again). New reports go to `inbox` (and its handler, which must be idempotent on
    `report.dedupe_key`); a `KeyboardInterrupt` or `SystemExit` from it propagates.
    """

    def __init__(
        self, token: str, inbox: DeliveryInbox, *, max_body_bytes: int = DEFAULT_BODY_LIMIT
    ) -> None:
        if len(token) < 16:
            raise ValidationError("the callback token needs at least 16 characters", field="token")
        if isinstance(max_body_bytes, bool) or not isinstance(max_body_bytes, int):
            raise ValidationError("max_body_bytes must be a positive int", field="max_body_bytes")
        if max_body_bytes < 1:
            raise ValidationError("max_body_bytes must be a positive int", field="max_body_bytes")
        self._token = token
        self.inbox = inbox
        self.max_body_bytes = max_body_bytes

    def __repr__(self) -> str:
        return f"EsmsDeliveryReceiver(inbox={self.inbox!r}, token=***)"

    methods = frozenset({"GET", "POST"})

    def receive(self, request: InboundRequest) -> HttpAnswer:
        """Answer one callback (the shape every receiver takes; see the class docstring)."""
        given = request.path.rstrip("/").rsplit("/", 1)[-1]
        if not constant_time_equals(given, self._token):
            return HttpAnswer.text(403, "forbidden")
        if request.method == "POST" and request.body:
            fields: Mapping[str, str] = dict(
                parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True)
            )
        else:
            fields = request.query
        try:
            report = report_from_fields(fields)
        except ValidationError as exc:
            return HttpAnswer.text(400, exc.message)
        try:
            self.inbox.accept(report)
        except Exception as exc:
            _log.warning("esms report %s not handled: %s", report.dedupe_key, type(exc).__name__)
            return HttpAnswer.text(500, "retry")
        return HttpAnswer.text(200, "OK")

    def refuse(self, refused: BodyRefused) -> HttpAnswer:
        """The answer to a POSTed body refused before reading (413, 411 or 400)."""
        return HttpAnswer.text(refused.status, refused.message)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        return serve_wsgi(self, environ, start_response)
