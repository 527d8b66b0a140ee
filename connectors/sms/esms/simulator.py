"""The eSMS gateway, simulated: send, status query, sandbox, and delivery callbacks.

Routes: "send" (POST the V4 JSON send) and "status" (GET GetSendStatus). Checks: API keys
(101), brandname (104), phone (108), brandname per telco (177), CSKH template (146),
balance (103), RequestId already used today (124, with the earlier SMSID's SendStatus).
`Sandbox=1` messages are accepted and recorded (`sandbox=True`) but never delivered.

Delivery: each accepted, non-sandbox message starts at SendStatus 2 (waiting to send).
`complete(sms_id, delivered=...)` finishes it (SendStatus 5); `report_fields(sms_id)` gives
the callback's query fields; `emit_reports()` makes the HTTP GET to each message's
CallbackUrl (a loopback receiver in tests) and returns the HTTP statuses it got.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import requests

from connectors.sms.errors import SmsErrorCode
from connectors.sms.esms.wire import ERRORS, OK, TELCOS, WIRE, WireProfile
from connectors.sms.simulation import SmsSimulator
from connectors.testing.simulator import SimRequest, SimResponse

__all__ = ["EsmsSimulator"]

_TELCO_IDS = {name: number for number, name in TELCOS.items()}


@dataclass
class _State:
    sms_id: str
    phone: str
    request_id: str
    callback_url: str | None
    sandbox: bool
    telco: str | None
    send_status: str = "2"
    success: int = 0
    failed: int = 0


class EsmsSimulator(SmsSimulator):
    """A stateful eSMS gateway (see the module docstring)."""

    provider = "esms"
    id_prefix = "ESMS"

    def __init__(
        self,
        *,
        brandnames: Mapping[str, Iterable[str]] | Iterable[str],
        templates: Mapping[str, Iterable[str]] | None = None,
        api_key: str = "fake-api-key-4",
        secret_key: str = "fake-secret-key-4",  # noqa: S107 - an obviously fake test credential
        quota: int | None = None,
        profile: WireProfile = WIRE,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(brandnames=brandnames, templates=templates, quota=quota, sleep=sleep)
        self.api_key = api_key
        self.secret_key = secret_key
        self.profile = profile
        self.states: dict[str, _State] = {}
        self._by_request_id: dict[str, str] = {}
        self._state_lock = threading.Lock()
        self.add_route("POST", profile.send_path, self._send, name="send")
        self.add_route("GET", profile.status_path, self._status, name="status")

    # -- wire ----------------------------------------------------------------------------

    def _error(self, code: str, **extra: Any) -> SimResponse:
        return SimResponse.json({"CodeResult": code, "ErrorMessage": ERRORS[code][1], **extra})

    def _send(self, request: SimRequest) -> SimResponse:
        try:
            body = request.json()
            if not isinstance(body, dict):
                raise TypeError
        except (ValueError, TypeError):
            return SimResponse.json({"error": "Invalid request"}, 400)
        if body.get("ApiKey") != self.api_key or body.get("SecretKey") != self.secret_key:
            return self._error("101")
        brandname = str(body.get("Brandname", ""))
        phone = str(body.get("Phone", ""))
        content = str(body.get("Content", ""))
        request_id = str(body.get("RequestId", ""))
        if body.get("SmsType") != self.profile.sms_type or not content:
            return self._error("110")
        if len(request_id) > self.profile.request_id_max:
            return self._error("110")
        with self._lock:
            earlier = self._by_request_id.get(request_id) if request_id else None
            if earlier is not None:
                status = self.states[earlier].send_status
                return self._error("124", SendStatus=status)
            problem = self.check(brandname, phone, content)
            if problem is SmsErrorCode.BRANDNAME_NOT_REGISTERED_FOR_TELCO:
                return self._error("104" if brandname not in self.brandnames else "177")
            if problem is SmsErrorCode.INVALID_NUMBER:
                return self._error("108")
            if problem is not None:
                return self._error(self.profile.answer_for(problem))
            sandbox = body.get("Sandbox") == "1"
            entry = self.accept(
                brandname=brandname,
                msisdn=phone,
                text=content,
                request_id=request_id or None,
                unicode=body.get("IsUnicode") == "1",
                sandbox=sandbox,
            )
            parsed = self.phone(phone)
            state = _State(
                sms_id=entry.key,
                phone=phone,
                request_id=request_id,
                callback_url=str(body["CallbackUrl"]) if body.get("CallbackUrl") else None,
                sandbox=sandbox,
                telco=parsed.carrier if parsed else None,
            )
            with self._state_lock:
                self.states[entry.key] = state
            if request_id:
                self._by_request_id[request_id] = entry.key
        return SimResponse.json({"CodeResult": OK, "CountRegenerate": 0, "SMSID": entry.key})

    def _status(self, request: SimRequest) -> SimResponse:
        args = request.args()
        if args.get("ApiKey") != self.api_key or args.get("SecretKey") != self.secret_key:
            return SimResponse.json({"CodeResponse": "101"})
        with self._state_lock:
            state = self.states.get(args.get("RefId", ""))
        if state is None:
            return SimResponse.json({"CodeResponse": "105"})
        fields = self._fields(state)
        return SimResponse.json(
            {
                "CodeResponse": OK,
                "SMSID": state.sms_id,
                "SendFailed": int(fields["SendFailed"]),
                "SendStatus": int(fields["SendStatus"]),
                "SendSuccess": int(fields["SendSuccess"]),
                "TotalPrice": 0,
                "TotalReceiver": 1,
                "TotalSent": 1,
            }
        )

    # -- delivery ------------------------------------------------------------------------

    def complete(self, sms_id: str | None = None, *, delivered: bool = True) -> list[str]:
        """Finish delivery (SendStatus 5) of `sms_id`, or of every pending message.

        Sandbox messages are never delivered. Returns the SMSIDs finished.
        """
        with self._state_lock:
            targets = [self.states[sms_id]] if sms_id else list(self.states.values())
            done = []
            for state in targets:
                if state.sandbox or state.send_status == "5":
                    continue
                state.send_status = "5"
                state.success, state.failed = (1, 0) if delivered else (0, 1)
                done.append(state.sms_id)
            return done

    def report_fields(self, sms_id: str) -> dict[str, str]:
        """The query fields eSMS's callback carries for `sms_id` now."""
        with self._state_lock:
            return self._fields(self.states[sms_id])

    def _fields(self, state: _State) -> dict[str, str]:
        return {
            "SMSID": state.sms_id,
            "SendFailed": str(state.failed),
            "SendStatus": state.send_status,
            "SendSuccess": str(state.success),
            "TotalPrice": "0",
            "TotalReceiver": "1",
            "TotalSent": "1",
            "RequestId": state.request_id,
            "TypeId": self.profile.sms_type,
            "telcoid": _TELCO_IDS.get(state.telco or "", ""),
            "phonenumber": state.phone,
        }

    def emit_reports(self, *, timeout: float = 5.0) -> list[int]:
        """GET each finished message's report to its CallbackUrl; the statuses answered."""
        with self._state_lock:
            due = [
                (s.callback_url, self._fields(s))
                for s in self.states.values()
                if s.callback_url and s.send_status == "5"
            ]
        statuses = []
        with requests.Session() as session:
            for url, fields in due:
                assert url is not None
                response = session.get(url, params=fields, timeout=timeout)
                statuses.append(response.status_code)
        return statuses
