"""The MobiFone smsg gateway, simulated: sessions, brandname/telco and template rules.

Routes (names for fault injection): "login" (login.jsp) and "send" (send.jsp, send_2.jsp),
each on GET and POST. A session lives `profile.session_ttl` seconds (or until
`expire_sessions()`); a send without `sid` gets HTTP 401 `SidNotPassed`, with an unknown or
expired one HTTP 401 `SessionExpired`. smsg has no request id, so the simulated gateway
does not de-duplicate: two identical sends are two SMS (the client's journal prevents it).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping

from connectors.sms.errors import SmsErrorCode
from connectors.sms.mobifone.wire import WIRE, WireProfile
from connectors.sms.simulation import SmsSimulator
from connectors.testing.simulator import SimRequest, SimResponse
from connectors.vn.text import sms_segments

__all__ = ["MobifoneSimulator"]


class MobifoneSimulator(SmsSimulator):
    """A stateful MobiFone smsg gateway (see the module docstring)."""

    provider = "mobifone"
    id_prefix = "MF"

    def __init__(
        self,
        *,
        brandnames: Mapping[str, Iterable[str]] | Iterable[str],
        templates: Mapping[str, Iterable[str]] | None = None,
        username: str = "portal-test",
        password: str = "fake-password-1",  # noqa: S107 - an obviously fake test credential
        quota: int | None = None,
        profile: WireProfile = WIRE,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(brandnames=brandnames, templates=templates, quota=quota, sleep=sleep)
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
        fields = self._fields(request)
        if fields.get("userName") != self.username or fields.get("password") != self.password:
            status, message = self.profile.answer_for(SmsErrorCode.AUTH)
            return SimResponse.json({"status": status, "message": message})
        sid = secrets.token_hex(16)
        with self._session_lock:
            self.sessions[sid] = self.clock()
        return SimResponse.json({"sid": sid, "status": self.profile.ok_status})

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
        fields = self._fields(request)
        sid = fields.get("sid", "")
        if not sid:
            return SimResponse.text("SidNotPassed", 401)
        if not self._session_valid(sid):
            return SimResponse.text("SessionExpired", 401)
        brandname = fields.get("sender", "")
        msisdn = fields.get("recipient", "")
        content = fields.get("content", "")
        unicode = request.path == self.profile.send_unicode_path
        if unicode and fields.get("enCoding") != self.profile.unicode_encoding:
            return self._error(SmsErrorCode.INVALID_REQUEST)
        if not content:
            return self._error(SmsErrorCode.INVALID_REQUEST)
        segments = sms_segments(content)
        if segments.units > self.profile.limits.limit(segments.encoding):
            return self._error(SmsErrorCode.TOO_LONG)
        with self._lock:
            problem = self.check(brandname, msisdn, content)
            if problem is not None:
                return self._error(problem)
            self.accept(
                brandname=brandname,
                msisdn=msisdn,
                text=content,
                request_id=None,
                unicode=unicode,
                sid=sid,
            )
        return SimResponse.json({"status": self.profile.ok_status, "message": "Sent"})

    def _error(self, code: SmsErrorCode) -> SimResponse:
        status, message = self.profile.answer_for(code)
        return SimResponse.json({"status": status, "message": message})
