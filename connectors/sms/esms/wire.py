"""eSMS.vn (ViHAT) wire facts (spec section 4a): send, status query, delivery callback.

Verified [V] in eSMS's public developer docs: the send URL and its JSON fields (ApiKey,
SecretKey, Phone, Content, Brandname, SmsType "2" = CSKH, IsUnicode, Sandbox, RequestId
<= 50 characters, CallbackUrl), the reply (`CodeResult` "100" + `SMSID`, else an error code
and `ErrorMessage`), the error table below, the GetSendStatus query, and the callback:
HTTPS GET with SMSID, SendFailed, SendStatus, SendSuccess, TotalPrice, TotalReceiver,
TotalSent, RequestId, TypeId, telcoid, phonenumber. eSMS documents no callback signature,
so the receiver is protected by a secret token in the callback path. Guessed [G]: the
length limits, the default rate, and 199 ("already processing") treated as unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from connectors.sms.base import DeliveryStatus
from connectors.sms.compose import TextLimits
from connectors.sms.errors import SmsErrorCode

__all__ = [
    "ERRORS",
    "IN_PROGRESS",
    "OK",
    "TELCOS",
    "WIRE",
    "WireProfile",
    "delivery_status",
]

OK = "100"

ERRORS: Mapping[str, tuple[SmsErrorCode, str]] = {
    "101": (SmsErrorCode.AUTH, "Authorize Failed"),
    "102": (SmsErrorCode.AUTH, "account has no price list"),
    "103": (SmsErrorCode.QUOTA, "insufficient balance"),
    "104": (SmsErrorCode.BRANDNAME_NOT_REGISTERED_FOR_TELCO, "Brand name code is not exist"),
    "105": (SmsErrorCode.INVALID_REQUEST, "SMSID not found"),
    "107": (SmsErrorCode.INVALID_REQUEST, "advertising needs at least 30 numbers"),
    "108": (SmsErrorCode.INVALID_NUMBER, "bad phone format"),
    "99": (SmsErrorCode.INVALID_NUMBER, "number blocked"),
    "110": (SmsErrorCode.INVALID_REQUEST, "bad request data"),
    "120": (SmsErrorCode.INVALID_REQUEST, "too many numbers"),
    "124": (SmsErrorCode.DUPLICATE, "Request exist 1"),
    "140": (SmsErrorCode.IP_NOT_ALLOWED, "IP not whitelisted"),
    "146": (SmsErrorCode.TEMPLATE_MISMATCH, "Sai template Brandname CSKH"),
    "171": (SmsErrorCode.INVALID_REQUEST, "code used or expired"),
    "177": (SmsErrorCode.BRANDNAME_NOT_REGISTERED_FOR_TELCO, "telco not registered"),
    "199": (SmsErrorCode.UNKNOWN, "request already processing"),
}
"""eSMS error codes (spec section 4a) -> (common code, text); Zalo-only codes left out."""

IN_PROGRESS = frozenset({"199"})
"""Codes meaning an earlier attempt is still being processed: the outcome is unknown."""

TELCOS = {
    "1": "viettel",
    "2": "mobifone",
    "3": "vinaphone",
    "4": "vietnamobile",
    "5": "gmobile",
    "6": "itelecom",
    "7": "reddi",
}
"""The callback's `telcoid`."""

_PENDING = {"1": "awaiting approval", "2": "waiting to send", "7": "sent, awaiting report"}


def delivery_status(send_status: str, success: int, failed: int) -> tuple[DeliveryStatus, bool]:
    """(status, final) for a callback's SendStatus and SendSuccess/SendFailed counts.

    1, 2, 7: not known yet; 4: rejected; 5: finished -> delivered when nothing failed,
    undelivered otherwise. Any other value: unknown, not final.
    """
    if send_status in _PENDING:
        return DeliveryStatus.UNKNOWN, False
    if send_status == "4":
        return DeliveryStatus.REJECTED, True
    if send_status == "5":
        if failed == 0 and success > 0:
            return DeliveryStatus.DELIVERED, True
        return DeliveryStatus.UNDELIVERED, True
    return DeliveryStatus.UNKNOWN, False


LIMITS = TextLimits(max_units_gsm7=612, max_units_ucs2=268)
"""Longest text in GSM-7 septets and UCS-2 units (see the module docstring)."""


@dataclass(frozen=True)
class WireProfile:
    """Every eSMS wire detail in one place; [G] marks a guess (module docstring)."""

    send_path: str = "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
    status_path: str = "/MainService.svc/json/GetSendStatus"
    sms_type: str = "2"
    request_id_max: int = 50
    limits: TextLimits = LIMITS  # [G]
    default_rate: float = 20.0  # [G] messages per second

    def code_for(self, code: str) -> SmsErrorCode:
        entry = ERRORS.get(code)
        return entry[0] if entry else SmsErrorCode.UNKNOWN

    def answer_for(self, code: SmsErrorCode) -> str:
        """The CodeResult the simulated gateway answers for `code` (first listed)."""
        for vendor, (listed, _text) in ERRORS.items():
            if listed is code:
                return vendor
        raise ValueError(f"eSMS has no answer for {code}")


WIRE = WireProfile()
"""The default profile."""
