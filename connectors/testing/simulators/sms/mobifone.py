"""The MobiFone smsg gateway, simulated: sessions, brandname/telco and template rules.

Speaks `connectors.sms.mobifone.wire` (never the client). Routes (names for fault
injection): "login" (login.jsp) and "send" (send.jsp, send_2.jsp), each on GET and POST. A
session lives `profile.session_ttl` seconds (or until `expire_sessions()`); a send without
`sid` gets HTTP 401 `SidNotPassed`, with an unknown or expired one HTTP 401
`SessionExpired`. smsg has no request id, so the simulated gateway does not de-duplicate:
two identical sends are two SMS (the client's journal prevents it).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from connectors.sms.errors import SmsErrorCode
from connectors.sms.mobifone import wire
from connectors.sms.mobifone.wire import (
    DEFAULT_PROFILE,
    SESSION_EXPIRED,
    SID_NOT_PASSED,
    WireProfile,
    answer,
    login_answer,
    login_of,
    send_of,
)
from connectors.testing.simulator import SimRequest, SimResponse
from connectors.testing.simulators.sms.base import SmsSimulator
from connectors.vn.text import sms_segments

__all__ = ["MobifoneSmsSimulator"]


class MobifoneSmsSimulator(SmsSimulator):
    """A stateful MobiFone smsg gateway (see the module docstring); `options` as
    `SmsSimulator`'s (`brandnames`, `templates`, `quota`, `sleep`)."""

    vendor = wire.VENDOR
    id_prefix = "MF"

    def __init__(
        self,
        *,
        username: str = "portal-test",
        password: str = "fake-password-1",  # noqa: S107 - an obviously fake test credential
        profile: WireProfile = DEFAULT_PROFILE,
        clock: Callable[[], float] = time.monotonic,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.username = username
        self.password = password
        self.profile = profile
        self.clock = clock
        self.sessions: dict[str, float] = {}
        self._session_lock = threading.Lock()
        for method in ("GET", "POST"):
            self.add_route(method, profile.login_path, self._login, name="login")
            self.add_route(method, profile.send_path, self._send, name="send")
            self.add_route(method, profile.send_unicode_path, self._send, name="send")

    def expire_sessions(self) -> None:
        """Forget every session: the next send gets HTTP 401 SessionExpired."""
        with self._session_lock:
            self.sessions.clear()

    @staticmethod
    def _fields(request: SimRequest) -> dict[str, str]:
        return request.form() if request.method == "POST" else request.args()

    def _login(self, request: SimRequest) -> SimResponse:
        if login_of(self._fields(request)) != (self.username, self.password):
            return self._answer(SmsErrorCode.AUTH)
        sid = secrets.token_hex(16)
        with self._session_lock:
            self.sessions[sid] = self.clock()
        return SimResponse.json(login_answer(sid, self.profile))

    def _session_valid(self, sid: str) -> bool:
        with self._session_lock:
            started = self.sessions.get(sid)
            if started is None:
                return False
            if self.clock() - started >= self.profile.session_ttl:
                del self.sessions[sid]
                return False
            return True

    def _send(self, request: SimRequest) -> SimResponse:
        form = send_of(self._fields(request))
        if not form.sid:
            return SimResponse.text(SID_NOT_PASSED, 401)
        if not self._session_valid(form.sid):
            return SimResponse.text(SESSION_EXPIRED, 401)
        unicode = request.path == self.profile.send_unicode_path
        if (unicode and form.encoding != self.profile.unicode_encoding) or not form.content:
            return self._answer(SmsErrorCode.INVALID_REQUEST)
        segments = sms_segments(form.content)
        if segments.units > self.profile.limits.limit(segments.encoding):
            return self._answer(SmsErrorCode.TOO_LONG)
        with self._lock:
            problem = self.check(form.sender, form.recipient, form.content)
            if problem is not None:
                return self._answer(problem)
            self.accept(
                brandname=form.sender,
                msisdn=form.recipient,
                text=form.content,
                request_id=None,
                unicode=unicode,
                sid=form.sid,
            )
        return self._answer(None)

    def _answer(self, code: SmsErrorCode | None) -> SimResponse:
        return SimResponse.json(answer(code, self.profile))
