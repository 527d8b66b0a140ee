"""MobiFone smsg wire format (spec section 2a): login.jsp, send.jsp / send_2.jsp, JSON replies.

Verified in integrators' public code [V]: the paths, `userName`/`password`/`bindMode=T`,
`{"sid", "status"}` login reply, `sid`/`sender`/`recipient` (84...)/`content`, send_2.jsp
with `enCoding=ALPHA_UCS2` for Unicode, `{"status": "200", "message"}` = accepted, HTTP 401
with `SessionExpired`/`SidNotPassed` (or a body with `NotLoggedIn`) when the session is gone,
the ~5 minute session lifetime. Guessed [G]: POST as form fields (GET also works),
every error status and message other than the session ones, the length limits and the
default rate. All of it lives in `WireProfile`; pass your own to the client and simulator.

The one place MobiFone's vocabulary lives: its client and its simulator both read and write
smsg's messages through these functions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from connectors.core.deprecation import moved
from connectors.core.transport import RequestSpec
from connectors.sms.base import Vendor
from connectors.sms.compose import TextLimits
from connectors.sms.errors import SmsErrorCode

__all__ = [
    "DEFAULT_PROFILE",
    "SENT",
    "SESSION_EXPIRED",
    "SID_NOT_PASSED",
    "VENDOR",
    "LoginReply",
    "SendForm",
    "SendReply",
    "WireProfile",
    "answer",
    "login_answer",
    "login_form",
    "login_of",
    "parse_login",
    "parse_send",
    "request_spec",
    "send_form",
    "send_of",
    "session_gone",
]

VENDOR = Vendor("mobifone", "MobiFone", secret_fields=("sid",), keyed=False)
"""smsg has no request id: a send cannot be de-duplicated by the gateway."""

SID_NOT_PASSED = "SidNotPassed"
"""HTTP 401 body: a send without a session id."""
SESSION_EXPIRED = "SessionExpired"
"""HTTP 401 body: a send with an unknown or expired session id."""
NOT_LOGGED_IN = "NotLoggedIn"
"""In a HTTP 200 body: the session is gone."""
SENT = "Sent"
"""The message of an accepted send."""


def _guessed_errors() -> dict[str, tuple[str, SmsErrorCode]]:
    # [G] message text -> (status, code); MobiFone publishes no error list.
    return {
        "AuthenticationFailed": ("401", SmsErrorCode.AUTH),
        "IpNotAllowed": ("403", SmsErrorCode.IP_NOT_ALLOWED),
        "InvalidRecipient": ("400", SmsErrorCode.INVALID_NUMBER),
        "SenderNotRegistered": ("403", SmsErrorCode.BRANDNAME_NOT_REGISTERED_FOR_TELCO),
        "ContentNotMatchTemplate": ("400", SmsErrorCode.TEMPLATE_MISMATCH),
        "ContentTooLong": ("400", SmsErrorCode.TOO_LONG),
        "ContentBlacklisted": ("400", SmsErrorCode.CONTENT_REJECTED),
        "OutOfQuota": ("402", SmsErrorCode.QUOTA),
        "TooManyRequests": ("429", SmsErrorCode.RATE_LIMITED),
        "SystemBusy": ("503", SmsErrorCode.TEMPORARY),
        "InvalidRequest": ("400", SmsErrorCode.INVALID_REQUEST),
    }


LIMITS = TextLimits(max_units_gsm7=612, max_units_ucs2=268)
"""Longest text in GSM-7 septets and UCS-2 units (see the module docstring)."""


@dataclass(frozen=True)
class WireProfile:
    """Every MobiFone wire detail in one place; [G] marks a guess (module docstring)."""

    login_path: str = "/smsg/login.jsp"
    send_path: str = "/smsg/send.jsp"
    send_unicode_path: str = "/smsg/send_2.jsp"
    method: str = "POST"  # [G] GET with query parameters also works
    bind_mode: str = "T"
    unicode_encoding: str = "ALPHA_UCS2"
    ok_status: str = "200"
    session_ttl: float = 300.0
    session_markers: tuple[str, ...] = (SESSION_EXPIRED, SID_NOT_PASSED, NOT_LOGGED_IN)
    limits: TextLimits = LIMITS  # [G]
    default_rate: float = 20.0  # [G] messages per second
    errors: Mapping[str, tuple[str, SmsErrorCode]] = field(default_factory=_guessed_errors)

    def code_for(self, message: str) -> SmsErrorCode:
        """The common code of an error `message` (prefix match), UNKNOWN if unlisted."""
        for prefix, (_status, code) in self.errors.items():
            if message.startswith(prefix):
                return code
        return SmsErrorCode.UNKNOWN

    def answer_for(self, code: SmsErrorCode) -> tuple[str, str]:
        """(status, message) the simulated gateway answers for `code`."""
        for message, (status, listed) in self.errors.items():
            if listed is code:
                return status, message
        return "500", "SystemError"

    def is_session_error(self, body: str) -> bool:
        return any(marker in body for marker in self.session_markers)


DEFAULT_PROFILE = WireProfile()
"""The default profile."""

__getattr__ = moved(__name__, {"WIRE": "connectors.sms.mobifone.wire:DEFAULT_PROFILE"})


@dataclass(frozen=True)
class LoginReply:
    status: str
    sid: str | None
    message: str | None


@dataclass(frozen=True)
class SendReply:
    status: str
    message: str


def _json_object(body: bytes) -> dict[str, Any]:
    data = json.loads(body.decode("utf-8"))
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def parse_login(body: bytes) -> LoginReply:
    """Read a login.jsp reply; ValueError if it is not the expected JSON."""
    data = _json_object(body)
    sid = data.get("sid")
    message = data.get("message")
    return LoginReply(
        status=str(data["status"]),
        sid=str(sid) if sid else None,
        message=str(message) if message is not None else None,
    )


def parse_send(body: bytes) -> SendReply:
    """Read a send.jsp reply; ValueError if it is not the expected JSON."""
    data = _json_object(body)
    return SendReply(status=str(data["status"]), message=str(data.get("message", "")))


def session_gone(status: int, body: str, profile: WireProfile) -> bool:
    """Whether an answer says the session is gone (the message was *not* accepted)."""
    if status == 401 and profile.is_session_error(body):
        return True
    return status == 200 and NOT_LOGGED_IN in body


def request_spec(url: str, fields: Mapping[str, str], profile: WireProfile) -> RequestSpec:
    """A request to `url` carrying `fields` (form fields, or query parameters for GET)."""
    if profile.method.upper() == "GET":
        return RequestSpec("GET", url, params=dict(fields))
    return RequestSpec("POST", url, data=dict(fields))


def login_form(username: str, password: str, profile: WireProfile) -> dict[str, str]:
    """The fields of a login.jsp call."""
    return {"userName": username, "password": password, "bindMode": profile.bind_mode}


def login_of(fields: Mapping[str, str]) -> tuple[str | None, str | None]:
    """(user name, password) from a login.jsp call's fields (the simulator's side)."""
    return fields.get("userName"), fields.get("password")


@dataclass(frozen=True)
class SendForm:
    """One send: session, brandname, recipient (84...), text and encoding (unicode sends)."""

    sid: str
    sender: str
    recipient: str
    content: str
    encoding: str | None = None


def send_form(form: SendForm, profile: WireProfile) -> tuple[str, dict[str, str]]:
    """The path and fields of a send (send_2.jsp with `enCoding` for a Unicode one)."""
    fields = {
        "sid": form.sid,
        "sender": form.sender,
        "recipient": form.recipient,
        "content": form.content,
    }
    if form.encoding is None:
        return profile.send_path, fields
    return profile.send_unicode_path, {**fields, "enCoding": form.encoding}


def send_of(fields: Mapping[str, str]) -> SendForm:
    """A send from its fields (the simulator's side); missing ones are empty."""
    return SendForm(
        sid=fields.get("sid", ""),
        sender=fields.get("sender", ""),
        recipient=fields.get("recipient", ""),
        content=fields.get("content", ""),
        encoding=fields.get("enCoding"),
    )


def login_answer(sid: str, profile: WireProfile) -> dict[str, str]:
    """A successful login.jsp answer."""
    return {"sid": sid, "status": profile.ok_status}


def answer(code: SmsErrorCode | None, profile: WireProfile) -> dict[str, str]:
    """The JSON answer for `code` (None: an accepted send)."""
    if code is None:
        return {"status": profile.ok_status, "message": SENT}
    status, message = profile.answer_for(code)
    return {"status": status, "message": message}
