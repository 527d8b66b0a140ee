"""Viettel BulkSMS (SOAP `wsCpMt`) wire facts (spec section 1): error texts, request ids.

Verified [V/V2]: the namespace, operation and field order (shipped in `wsdl/bulkapi.wsdl`),
`CommandCode=bulksms`, `ContentType` 0/1, `ReceiverID` = `UserID` = 84..., the reply's
`message`/`result` (1 = accepted, `Insert MT_QUEUE: OK`), every error text below (matched
on the text, not on integrators' numbering), 480 characters unaccented. Guessed [G]: the
accented limit, the request-id length, the default rate, the quota text, and how the
gateway spots duplicates (the simulator uses the request id and a content window).

The one place Viettel's vocabulary lives: its client and its simulator both read and write
wsCpMt's messages through these functions (the SOAP envelope itself is zeep's, from the
shipped WSDL, on the client's side).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from connectors.core.deprecation import moved
from connectors.core.safexml import parse_xml
from connectors.sms.base import Vendor
from connectors.sms.compose import TextLimits
from connectors.sms.errors import SmsErrorCode
from connectors.sms.keys import numeric_request_id
from connectors.vn.text import sms_segments

__all__ = [
    "DEFAULT_PROFILE",
    "ERROR_TEXTS",
    "NAMESPACE",
    "OK_MESSAGE",
    "OPERATION",
    "UNKNOWN_TELCO",
    "VENDOR",
    "MtCall",
    "WireProfile",
    "call_fields",
    "call_of",
    "fault_xml",
    "read_reply",
    "refusal_text",
    "reply_xml",
    "request_id_for",
]

VENDOR = Vendor("viettel", "Viettel", secret_fields=("Password",))
OPERATION = "wsCpMt"
"""The one SOAP operation: send an MT message."""

NAMESPACE = "http://impl.bulkSms.ws/"
OK_MESSAGE = "Insert MT_QUEUE: OK"
UNKNOWN_TELCO = "Unable to check telco from input receiver"
"""The answer for a number whose network the gateway cannot tell."""
FAULT_TEXT = "Check information error"
"""The SOAP fault text for a request the gateway cannot read."""

ERROR_TEXTS: tuple[tuple[str, SmsErrorCode], ...] = (
    ("Authenticate: Cp_code: NULL_OR_BLANK", SmsErrorCode.INVALID_REQUEST),
    ("Authenticate: UserName: NULL_OR_BLANK", SmsErrorCode.INVALID_REQUEST),
    ("Authenticate: Password: NULL_OR_BLANK", SmsErrorCode.INVALID_REQUEST),
    ("CP_CODE_NOT_FOUND", SmsErrorCode.AUTH),
    ("WRONG_INFORMATION_AUTHENTICATE", SmsErrorCode.AUTH),
    ("Authenticate: IP_INVALID", SmsErrorCode.IP_NOT_ALLOWED),
    ("Check RequestID: NULL_OR_BLANK", SmsErrorCode.INVALID_REQUEST),
    ("Check RequestID: REQUEST_ID_NOT_NUMBER", SmsErrorCode.INVALID_REQUEST),
    ("Check UserID: NULL_OR_BLANK", SmsErrorCode.INVALID_REQUEST),
    ("Check ReceiverID: NULL_OR_BLANK", SmsErrorCode.INVALID_REQUEST),
    ("Check ReceiverID: FORMAT_ERROR", SmsErrorCode.INVALID_NUMBER),
    ("UserID_NOT_EQUAL_ReceiverID", SmsErrorCode.INVALID_REQUEST),
    ("Unable to check telco from input receiver", SmsErrorCode.INVALID_NUMBER),
    ("Length of ReceiverID is invalid", SmsErrorCode.INVALID_NUMBER),
    ("Check ServiceID: DUPLICATE MESSAGE", SmsErrorCode.DUPLICATE),
    ("Check ServiceID: ALIAS_INVALID", SmsErrorCode.BRANDNAME_NOT_REGISTERED_FOR_TELCO),
    ("Check CommandCode: NULL_OR_BLANK", SmsErrorCode.INVALID_REQUEST),
    ("Check CommandCode: COMMAND_CODE_ERROR", SmsErrorCode.INVALID_REQUEST),
    ("Check Content: NULL_OR_BLANK", SmsErrorCode.INVALID_REQUEST),
    ("Check Content: MAXLENGTH_LIMIT", SmsErrorCode.TOO_LONG),
    ("Check Content: MSG_ERROR_CONTAIN_BLACKLIST", SmsErrorCode.CONTENT_REJECTED),
    ("Check template: CONTENT_NOT_MATCH_TEMPLATE", SmsErrorCode.TEMPLATE_MISMATCH),
    (FAULT_TEXT, SmsErrorCode.TEMPORARY),
)
"""Every error text of spec section 1 (matched as a substring), in the order checked."""

TELCO_CODES = {"viettel": "VT", "vinaphone": "VN", "mobifone": "MB", "vietnamobile": "VM"}
"""The telco codes of `ALIAS_INVALID:TELCO=XX`."""


LIMITS = TextLimits(max_units_gsm7=480, max_units_ucs2=268)
"""Longest text in GSM-7 septets and UCS-2 units (see the module docstring)."""


@dataclass(frozen=True)
class WireProfile:
    """Every Viettel wire detail in one place; [G] marks a guess (module docstring)."""

    path: str = "/bulkapi"
    command_code: str = "bulksms"
    limits: TextLimits = LIMITS  # ucs2 [G]
    request_id_digits: int = 15  # [G] fits a Java long with room to spare
    default_rate: float = 30.0  # [G] messages per second
    duplicate_window: float = 300.0  # [G] simulator only
    extra_errors: tuple[tuple[str, SmsErrorCode], ...] = field(
        default=(("NOT_ENOUGH_BALANCE", SmsErrorCode.QUOTA),)  # [G] no public quota text
    )

    def code_for(self, message: str) -> SmsErrorCode:
        """The common code of a `message` text from a `result=0` reply."""
        for text, code in (*ERROR_TEXTS, *self.extra_errors):
            if text in message:
                return code
        return SmsErrorCode.UNKNOWN

    def answer_for(self, code: SmsErrorCode, *, telco: str | None = None) -> str:
        """The text the simulated gateway answers for `code`."""
        if code is SmsErrorCode.AUTH:
            return "Authenticate: WRONG_INFORMATION_AUTHENTICATE"
        if code is SmsErrorCode.IP_NOT_ALLOWED:
            return "Authenticate: IP_INVALID (YOUR IP: 127.0.0.1)"
        if code is SmsErrorCode.BRANDNAME_NOT_REGISTERED_FOR_TELCO:
            return f"Check ServiceID: ALIAS_INVALID:TELCO={TELCO_CODES.get(telco or '', 'VT')}"
        if code is SmsErrorCode.TOO_LONG:
            return "Check Content: MAXLENGTH_LIMIT_1224_BYTE (YOUR_CONTENT: 2000 BYTE)"
        for text, listed in (*ERROR_TEXTS, *self.extra_errors):
            if listed is code:
                return text
        raise ValueError(f"Viettel has no answer for {code}")


DEFAULT_PROFILE = WireProfile()
"""The default profile."""

__getattr__ = moved(__name__, {"WIRE": "connectors.sms.viettel.wire:DEFAULT_PROFILE"})


def request_id_for(key: str, digits: int = DEFAULT_PROFILE.request_id_digits) -> str:
    """The numeric `RequestID` for an idempotency key (the same key, the same id)."""
    return numeric_request_id(key, digits)


@dataclass(frozen=True)
class MtCall:
    """One `wsCpMt` call, in the library's names: `receiver` 84..., `brandname` the
    ServiceID; `user_id` is sent equal to `receiver`. Fields read back may be empty."""

    user: str
    password: str
    cp_code: str
    request_id: str
    receiver: str
    brandname: str
    command_code: str
    content: str
    unicode: bool = False
    user_id: str | None = None


_CALL = (
    ("User", "user"),
    ("Password", "password"),
    ("CPCode", "cp_code"),
    ("RequestID", "request_id"),
    ("UserID", "user_id"),
    ("ReceiverID", "receiver"),
    ("ServiceID", "brandname"),
    ("CommandCode", "command_code"),
    ("Content", "content"),
)
"""The operation's parameters, in the WSDL's order, and the `MtCall` field each carries."""


def call_fields(call: MtCall) -> dict[str, Any]:
    """The operation's parameters (`UserID` is the receiver unless the call says)."""
    if call.user_id is None:
        call = dataclasses.replace(call, user_id=call.receiver)
    fields = {name: getattr(call, attr) for name, attr in _CALL}
    return {**fields, "ContentType": "1" if call.unicode else "0"}


def read_reply(reply: Any) -> tuple[int | None, str]:
    """(result, message) of a `wsCpMt` reply object (result 1 = accepted)."""
    result = getattr(reply, "result", None)
    return (result if isinstance(result, int) else None), str(getattr(reply, "message", "") or "")


# -- the simulator's side -----------------------------------------------------------------

_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


def call_of(body: bytes) -> MtCall | None:
    """A `wsCpMt` call read from its SOAP request, or None if it is not one."""
    try:
        root = parse_xml(body, what="SOAP request")
    except ValueError:
        return None
    found = root.find(f"{{{_ENV}}}Body/{{{NAMESPACE}}}{OPERATION}")
    if found is None:
        return None
    f = {child.tag: (child.text or "") for child in found if isinstance(child.tag, str)}
    values = {attr: f.get(name, "") for name, attr in _CALL}
    return MtCall(**values, unicode=f.get("ContentType") == "1")


def reply_xml(message: str, result: int) -> str:
    """The SOAP answer of a call (`result` 1 accepted, 0 refused with `message`)."""
    return (
        f'<S:Envelope xmlns:S="{_ENV}"><S:Body>'
        f'<ns2:{OPERATION}Response xmlns:ns2="{NAMESPACE}"><return>'
        f"<message>{escape(message)}</message><result>{result}</result>"
        f"</return></ns2:{OPERATION}Response></S:Body></S:Envelope>"
    )


def fault_xml(text: str = FAULT_TEXT) -> str:
    """A SOAP fault (HTTP 500) with `text`."""
    return (
        f'<S:Envelope xmlns:S="{_ENV}"><S:Body><S:Fault><faultcode>S:Server</faultcode>'
        f"<faultstring>{escape(text)}</faultstring></S:Fault></S:Body></S:Envelope>"
    )


def _credentials_text(call: MtCall, user: str, password: str, cp_code: str) -> str | None:
    for value, label in (
        (call.cp_code, "Cp_code"),
        (call.user, "UserName"),
        (call.password, "Password"),
    ):
        if not value:
            return f"Authenticate: {label}: NULL_OR_BLANK"
    if call.cp_code != cp_code:
        return "Authenticate: CP_CODE_NOT_FOUND"
    if call.user != user or call.password != password:
        return "Authenticate: WRONG_INFORMATION_AUTHENTICATE"
    return None


def _receiver_text(call: MtCall) -> str | None:
    if not call.request_id:
        return "Check RequestID: NULL_OR_BLANK"
    if not call.request_id.isdigit():
        return "Check RequestID: REQUEST_ID_NOT_NUMBER"
    if not call.user_id:
        return "Check UserID: NULL_OR_BLANK"
    if not call.receiver:
        return "Check ReceiverID: NULL_OR_BLANK"
    if not call.receiver.isdigit():
        return "Check ReceiverID: FORMAT_ERROR"
    if len(call.receiver) != 11 or not call.receiver.startswith("84"):
        return "Length of ReceiverID is invalid."
    if call.user_id != call.receiver:
        return "UserID_NOT_EQUAL_ReceiverID"
    return None


def _content_text(call: MtCall, blacklist: Iterable[str], profile: WireProfile) -> str | None:
    if not call.command_code:
        return "Check CommandCode: NULL_OR_BLANK"
    if call.command_code != profile.command_code:
        return "Check CommandCode: COMMAND_CODE_ERROR"
    if not call.content:
        return "Check Content: NULL_OR_BLANK"
    segments = sms_segments(call.content)
    limit = profile.limits.limit(segments.encoding)
    if segments.units > limit:
        size = len(call.content.encode("utf-8"))
        return f"Check Content: MAXLENGTH_LIMIT_{limit}_BYTE (YOUR_CONTENT: {size} BYTE)"
    if any(word in call.content.lower() for word in blacklist):
        return "Check Content: MSG_ERROR_CONTAIN_BLACKLIST"
    return None


def refusal_text(
    call: MtCall,
    *,
    user: str,
    password: str,
    cp_code: str,
    blacklist: Iterable[str] = (),
    profile: WireProfile = DEFAULT_PROFILE,
) -> str | None:
    """The text the gateway refuses `call` with before looking at its brandname, template
    or duplicates (credentials, RequestID, UserID/ReceiverID, CommandCode, Content, in the
    order of Viettel's error list), or None."""
    return (
        _credentials_text(call, user, password, cp_code)
        or _receiver_text(call)
        or _content_text(call, blacklist, profile)
    )
