"""eSMS.vn (ViHAT) wire facts (spec section 4a): send, status query, delivery callback.

Verified [V] in eSMS's public developer docs: the send URL and its JSON fields (ApiKey,
SecretKey, Phone, Content, Brandname, SmsType "2" = CSKH, IsUnicode, Sandbox, RequestId
<= 50 characters, CallbackUrl), the reply (`CodeResult` "100" + `SMSID`, else an error code
and `ErrorMessage`), the error table below, the GetSendStatus query, and the callback:
HTTPS GET with SMSID, SendFailed, SendStatus, SendSuccess, TotalPrice, TotalReceiver,
TotalSent, RequestId, TypeId, telcoid, phonenumber. eSMS documents no callback signature,
so the receiver is protected by a secret token in the callback path. Guessed [G]: the
length limits, the default rate, and 199 ("already processing") treated as unknown.

The one place eSMS's vocabulary lives: its client, its callback receiver and its simulator
all read and write eSMS's messages through these functions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from connectors.core.deprecation import moved
from connectors.core.errors import ValidationError
from connectors.sms.base import DeliveryReport, DeliveryStatus, Vendor
from connectors.sms.compose import TextLimits
from connectors.sms.errors import SmsErrorCode, VendorCodeTable
from connectors.vn.money import parse_amount
from connectors.vn.phone import InvalidPhoneNumber, parse_phone

__all__ = [
    "DEFAULT_PROFILE",
    "ERRORS",
    "IN_PROGRESS",
    "OK",
    "TELCOS",
    "VENDOR",
    "Report",
    "SendBody",
    "SendReply",
    "WireProfile",
    "credentials_of",
    "delivery_status",
    "error_answer",
    "read_send_reply",
    "read_status",
    "report_fields",
    "report_from_fields",
    "send_answer",
    "send_body",
    "send_of",
    "status_answer",
    "status_params",
    "status_query_of",
    "unreadable_answer",
]

VENDOR = Vendor("esms", "eSMS", secret_fields=("ApiKey", "SecretKey"))

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
class WireProfile(VendorCodeTable):
    """Every eSMS wire detail in one place; [G] marks a guess (module docstring)."""

    send_path: str = "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
    status_path: str = "/MainService.svc/json/GetSendStatus"
    sms_type: str = "2"
    request_id_max: int = 50
    limits: TextLimits = LIMITS  # [G]
    errors_table: ClassVar[Mapping[str, tuple[SmsErrorCode, str]]] = ERRORS
    default_rate: float = 20.0  # [G] messages per second


DEFAULT_PROFILE = WireProfile()
"""The default profile."""

__getattr__ = moved(__name__, {"WIRE": "connectors.sms.esms.wire:DEFAULT_PROFILE"})

TELCO_IDS = {name: number for number, name in TELCOS.items()}


# -- send --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SendBody:
    """One V4 send, in the library's names (`phone` national, 0...)."""

    api_key: str
    secret_key: str
    phone: str
    content: str
    brandname: str
    sms_type: str
    unicode: bool
    sandbox: bool
    request_id: str
    callback_url: str | None = None


def send_body(send: SendBody) -> dict[str, str]:
    """The JSON body of a send (`CallbackUrl` only when there is one)."""
    body = {
        "ApiKey": send.api_key,
        "SecretKey": send.secret_key,
        "Phone": send.phone,
        "Content": send.content,
        "Brandname": send.brandname,
        "SmsType": send.sms_type,
        "IsUnicode": "1" if send.unicode else "0",
        "Sandbox": "1" if send.sandbox else "0",
        "RequestId": send.request_id,
    }
    if send.callback_url:
        body["CallbackUrl"] = send.callback_url
    return body


def send_of(body: Any) -> SendBody:
    """A send's JSON body read back (the simulator's side); `TypeError` if not an object."""
    if not isinstance(body, dict):
        raise TypeError("a send is a JSON object")
    api_key, secret_key = credentials_of(body)
    return SendBody(
        api_key=api_key,
        secret_key=secret_key,
        phone=str(body.get("Phone", "")),
        content=str(body.get("Content", "")),
        brandname=str(body.get("Brandname", "")),
        sms_type=str(body.get("SmsType", "")),
        unicode=body.get("IsUnicode") == "1",
        sandbox=body.get("Sandbox") == "1",
        request_id=str(body.get("RequestId", "")),
        callback_url=str(body["CallbackUrl"]) if body.get("CallbackUrl") else None,
    )


def credentials_of(fields: Mapping[str, Any]) -> tuple[str, str]:
    """(ApiKey, SecretKey) of a send body or a status query (empty when missing)."""
    return str(fields.get("ApiKey") or ""), str(fields.get("SecretKey") or "")


@dataclass(frozen=True)
class SendReply:
    """A send's answer: `CodeResult` (`OK` when accepted), `ErrorMessage`, `SMSID`."""

    code: str
    message: str | None
    sms_id: str | None


def read_send_reply(body: bytes) -> SendReply:
    """A send's answer; `ValueError` if it is not a JSON object."""
    data = json.loads(body.decode("utf-8"))
    if not isinstance(data, dict):
        raise ValueError("not an object")
    return SendReply(
        code=str(data.get("CodeResult", "")),
        message=str(data.get("ErrorMessage", "")) or None,
        sms_id=str(data["SMSID"]) if data.get("SMSID") else None,
    )


def send_answer(sms_id: str) -> dict[str, Any]:
    """The answer to an accepted send."""
    return {"CodeResult": OK, "CountRegenerate": 0, "SMSID": sms_id}


def unreadable_answer() -> dict[str, str]:
    """The answer (HTTP 400) to a send that is not a JSON object."""
    return {"error": "Invalid request"}


def error_answer(code: str, **extra: Any) -> dict[str, Any]:
    """The answer to a refused send (`code` from `ERRORS`; `extra` e.g. SendStatus)."""
    return {"CodeResult": code, "ErrorMessage": ERRORS[code][1], **extra}


# -- status query and delivery callback ----------------------------------------------------


def status_params(sms_id: str, api_key: str, secret_key: str) -> dict[str, str]:
    """The query of GetSendStatus for `sms_id`."""
    return {"RefId": sms_id, "ApiKey": api_key, "SecretKey": secret_key}


def status_query_of(params: Mapping[str, str]) -> tuple[str, tuple[str, str]]:
    """(RefId, (ApiKey, SecretKey)) of a GetSendStatus query (the simulator's side)."""
    return params.get("RefId", ""), credentials_of(params)


def read_status(data: Any, sms_id: str) -> tuple[str, dict[str, str]]:
    """(CodeResponse, the report's fields) of a GetSendStatus answer; `TypeError` if it
    is not a JSON object."""
    if not isinstance(data, dict):
        raise TypeError("not an object")
    fields = {k: str(v) for k, v in data.items() if v is not None}
    fields.setdefault("SMSID", sms_id)
    return str(data.get("CodeResponse", "")), fields


@dataclass(frozen=True)
class Report:
    """Where one message stands, as eSMS reports it (callback or status query)."""

    sms_id: str
    send_status: str
    success: int
    failed: int
    request_id: str
    sms_type: str
    telco: str | None
    phone: str


def report_fields(report: Report) -> dict[str, str]:
    """The query fields eSMS's callback carries for `report`."""
    return {
        "SMSID": report.sms_id,
        "SendFailed": str(report.failed),
        "SendStatus": report.send_status,
        "SendSuccess": str(report.success),
        "TotalPrice": "0",
        "TotalReceiver": "1",
        "TotalSent": "1",
        "RequestId": report.request_id,
        "TypeId": report.sms_type,
        "telcoid": TELCO_IDS.get(report.telco or "", ""),
        "phonenumber": report.phone,
    }


def status_answer(report: Report | None, *, refused: str | None = None) -> dict[str, Any]:
    """The GetSendStatus answer for `report` (None: no such SMSID), or the `refused` code."""
    if refused is not None or report is None:
        return {"CodeResponse": refused or "105"}
    return {
        "CodeResponse": OK,
        "SMSID": report.sms_id,
        "SendFailed": report.failed,
        "SendStatus": int(report.send_status),
        "SendSuccess": report.success,
        "TotalPrice": 0,
        "TotalReceiver": 1,
        "TotalSent": 1,
    }


def _count(fields: Mapping[str, str], name: str) -> int:
    """A message count: 1 to 9 ASCII digits (absent or empty: 0)."""
    return parse_amount(fields.get(name) or "0", field=name, max_digits=9)


def report_from_fields(
    fields: Mapping[str, str], *, received_at: datetime | None = None
) -> DeliveryReport:
    """A `DeliveryReport` from eSMS's callback (or GetSendStatus) fields.

    Raises `ValidationError` naming the field when SMSID or SendStatus is missing or a
    count is not 1 to 9 ASCII digits.
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
    known: dict[str, Any] = {
        "recipient": recipient,
        "request_id": fields.get("RequestId") or None,
        "telco": TELCOS.get(fields.get("telcoid", "")),
    }
    return DeliveryReport(
        VENDOR.name,
        sms_id,
        status,
        final,
        send_status,
        **known,
        received_at=received_at,
        raw=dict(fields),
    )
