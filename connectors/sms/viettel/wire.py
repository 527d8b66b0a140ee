"""Viettel BulkSMS (SOAP `wsCpMt`) wire facts (spec section 1): error texts, request ids.

Verified [V/V2]: the namespace, operation and field order (shipped in `wsdl/bulkapi.wsdl`),
`CommandCode=bulksms`, `ContentType` 0/1, `ReceiverID` = `UserID` = 84..., the reply's
`message`/`result` (1 = accepted, `Insert MT_QUEUE: OK`), every error text below (matched
on the text, not on integrators' numbering), 480 characters unaccented. Guessed [G]: the
accented limit, the request-id length, the default rate, the quota text, and how the
gateway spots duplicates (the simulator uses the request id and a content window).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from connectors.sms.compose import TextLimits
from connectors.sms.errors import SmsErrorCode
from connectors.sms.keys import numeric_request_id

__all__ = ["ERROR_TEXTS", "NAMESPACE", "OK_MESSAGE", "WIRE", "WireProfile", "request_id_for"]

NAMESPACE = "http://impl.bulkSms.ws/"
OK_MESSAGE = "Insert MT_QUEUE: OK"

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
    ("Check information error", SmsErrorCode.TEMPORARY),
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


WIRE = WireProfile()
"""The default profile."""


def request_id_for(key: str, digits: int = WIRE.request_id_digits) -> str:
    """The numeric `RequestID` for an idempotency key (the same key, the same id)."""
    return numeric_request_id(key, digits)
