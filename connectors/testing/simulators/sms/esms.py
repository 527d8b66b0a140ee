"""The eSMS gateway, simulated: send, status query, sandbox, and delivery callbacks.

Speaks `connectors.sms.esms.wire` (never the client). Routes: "send" (POST the V4 JSON
send) and "status" (GET GetSendStatus). Checks: API keys (101), brandname (104), phone
(108), brandname per telco (177), CSKH template (146), balance (103), RequestId already
used today (124, with the earlier SMSID's SendStatus). `Sandbox=1` messages are accepted
and recorded (`sandbox=True`) but never delivered.

Delivery: each accepted, non-sandbox message starts at SendStatus 2 (waiting to send).
`complete(sms_id, delivered=...)` finishes it (SendStatus 5); `report_fields(sms_id)` gives
the callback's query fields; `emit_reports()` makes the HTTP GET to each message's
CallbackUrl (a loopback receiver in tests) and returns the HTTP statuses it got.
"""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import requests

from connectors.sms.errors import SmsErrorCode
from connectors.sms.esms import wire
from connectors.sms.esms.wire import (
    DEFAULT_PROFILE,
    Report,
    SendBody,
    WireProfile,
    error_answer,
    report_fields,
    send_answer,
    send_of,
    status_answer,
)
from connectors.testing.simulator import SimRequest, SimResponse
from connectors.testing.simulators.sms.base import SmsSimulator

__all__ = ["EsmsSmsSimulator"]


@dataclasses.dataclass
class _State:
    report: Report
    callback_url: str | None
    sandbox: bool


class EsmsSmsSimulator(SmsSimulator):
    """A stateful eSMS gateway (see the module docstring); `options` as `SmsSimulator`'s
    (`brandnames`, `templates`, `quota`, `sleep`)."""

    vendor = wire.VENDOR
    id_prefix = "ESMS"

    def __init__(
        self,
        *,
        api_key: str = "fake-api-key-4",
        secret_key: str = "fake-secret-key-4",  # noqa: S107 - an obviously fake test credential
        profile: WireProfile = DEFAULT_PROFILE,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.api_key = api_key
        self.secret_key = secret_key
        self.profile = profile
        self.states: dict[str, _State] = {}
        self._by_request_id: dict[str, str] = {}
        self._state_lock = threading.Lock()
        self.add_route("POST", profile.send_path, self._send, name="send")
        self.add_route("GET", profile.status_path, self._status, name="status")

    # -- wire ----------------------------------------------------------------------------

    def _refused(self, code: str, **extra: Any) -> SimResponse:
        return SimResponse.json(error_answer(code, **extra))

    def _send(self, request: SimRequest) -> SimResponse:
        try:
            body = send_of(request.json())
        except (ValueError, TypeError):
            return SimResponse.json(wire.unreadable_answer(), 400)
        if (body.api_key, body.secret_key) != (self.api_key, self.secret_key):
            return self._refused("101")
        if body.sms_type != self.profile.sms_type or not body.content:
            return self._refused("110")
        if len(body.request_id) > self.profile.request_id_max:
            return self._refused("110")
        with self._lock:
            earlier = self._by_request_id.get(body.request_id) if body.request_id else None
            if earlier is not None:
                return self._refused("124", SendStatus=self.states[earlier].report.send_status)
            problem = self.check(body.brandname, body.phone, body.content)
            if problem is SmsErrorCode.BRANDNAME_NOT_REGISTERED_FOR_TELCO:
                return self._refused("104" if body.brandname not in self.brandnames else "177")
            if problem is SmsErrorCode.INVALID_NUMBER:
                return self._refused("108")
            if problem is not None:
                return self._refused(self.profile.answer_for(problem))
            sms_id = self._record(body)
        return SimResponse.json(send_answer(sms_id))

    def _record(self, body: SendBody) -> str:
        entry = self.accept(
            brandname=body.brandname,
            msisdn=body.phone,
            text=body.content,
            request_id=body.request_id or None,
            unicode=body.unicode,
            sandbox=body.sandbox,
        )
        parsed = self.phone(body.phone)
        report = Report(
            sms_id=entry.key,
            send_status="2",
            success=0,
            failed=0,
            request_id=body.request_id,
            sms_type=self.profile.sms_type,
            telco=parsed.carrier if parsed else None,
            phone=body.phone,
        )
        with self._state_lock:
            self.states[entry.key] = _State(report, body.callback_url, body.sandbox)
        if body.request_id:
            self._by_request_id[body.request_id] = entry.key
        return entry.key

    def _status(self, request: SimRequest) -> SimResponse:
        sms_id, credentials = wire.status_query_of(request.args())
        if credentials != (self.api_key, self.secret_key):
            return SimResponse.json(status_answer(None, refused="101"))
        with self._state_lock:
            state = self.states.get(sms_id)
        return SimResponse.json(status_answer(None if state is None else state.report))

    # -- delivery ------------------------------------------------------------------------

    def complete(self, sms_id: str | None = None, *, delivered: bool = True) -> list[str]:
        """Finish delivery (SendStatus 5) of `sms_id`, or of every pending message.

        Sandbox messages are never delivered. Returns the SMSIDs finished.
        """
        with self._state_lock:
            targets = [self.states[sms_id]] if sms_id else list(self.states.values())
            done = []
            for state in targets:
                if state.sandbox or state.report.send_status == "5":
                    continue
                success, failed = (1, 0) if delivered else (0, 1)
                state.report = dataclasses.replace(
                    state.report, send_status="5", success=success, failed=failed
                )
                done.append(state.report.sms_id)
            return done

    def report_fields(self, sms_id: str) -> dict[str, str]:
        """The query fields eSMS's callback carries for `sms_id` now."""
        with self._state_lock:
            return report_fields(self.states[sms_id].report)

    def emit_reports(self, *, timeout: float = 5.0) -> list[int]:
        """GET each finished message's report to its CallbackUrl; the statuses answered."""
        with self._state_lock:
            due = [
                (s.callback_url, report_fields(s.report))
                for s in self.states.values()
                if s.callback_url and s.report.send_status == "5"
            ]
        statuses = []
        with requests.Session() as session:
            for url, fields in due:
                assert url is not None
                response = session.get(url, params=fields, timeout=timeout)
                statuses.append(response.status_code)
        return statuses
