"""VNPT/VinaPhone agent API ("smsbn") wire facts (spec section 3): JSON RQST/RPLY, codes.

Verified [V/V2]: `POST .../smsbn/api` with `{"RQST": {...}}`, `name=send_sms_list`, the
field names (REQID, LABELID, CONTRACTTYPEID 1 = CSKH, CONTRACTID, TEMPLATEID, PARAMS as
`[{"NUM": "1", "CONTENT": ...}]`, SCHEDULETIME empty = now, MOBILELIST 84..., ISTELCOSUB
"0", AGENTID, APIUSER, APIPASS, USERNAME, DATACODING 0/8), the reply
`{"RPLY": {"name", "ERROR", "ERROR_DESC"}}` and the error codes below (an integrator's
table). Guessed [G]: the REQID format (digits here), the length limits, the default rate,
and that DATACODING 8 is refused for subscribers of other networks.

The one place VNPT's vocabulary lives: its client and its simulator both read and write
the agent API's messages through these functions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from connectors.core.deprecation import moved
from connectors.sms.base import Vendor
from connectors.sms.compose import TextLimits
from connectors.sms.errors import SmsErrorCode, VendorCodeTable

__all__ = [
    "DEFAULT_PROFILE",
    "ERRORS",
    "OK",
    "VENDOR",
    "SendRequest",
    "WireProfile",
    "read_reply",
    "reply",
    "request_of",
    "send_request",
]

VENDOR = Vendor("vnpt", "VNPT", secret_fields=("APIPASS",))

OK = "0"

ERRORS: Mapping[str, tuple[SmsErrorCode, str]] = {
    "-1": (SmsErrorCode.TEMPORARY, "special characters, too long, or internal error"),
    "1": (SmsErrorCode.AUTH, "wrong user, password, IP or API status"),
    "2": (SmsErrorCode.INVALID_REQUEST, "bad schedule time format"),
    "3": (SmsErrorCode.INVALID_REQUEST, "invalid method"),
    "7": (
        SmsErrorCode.TEMPLATE_MISMATCH,
        "template khong hop le hoac ko ton tai vs label va agent",
    ),
    "8": (SmsErrorCode.CONTENT_REJECTED, "outside the allowed sending time"),
    "9": (SmsErrorCode.INVALID_REQUEST, "bad contract type"),
    "10": (SmsErrorCode.AUTH, "bad USERNAME"),
    "11": (SmsErrorCode.TOO_LONG, "bad message length"),
    "12": (SmsErrorCode.CONTENT_REJECTED, "time not allowed by VinaPhone policy"),
    "13": (SmsErrorCode.AUTH, "wrong contract"),
    "14": (SmsErrorCode.BRANDNAME_NOT_REGISTERED_FOR_TELCO, "wrong label"),
    "15": (SmsErrorCode.AUTH, "bad agent"),
    "16": (SmsErrorCode.RATE_LIMITED, "send rate exceeded"),
    "17": (SmsErrorCode.CONTENT_REJECTED, "bad character format"),
    "20": (SmsErrorCode.QUOTA, "contract quota exhausted"),
    "21": (SmsErrorCode.QUOTA, "customer quota exhausted"),
    "22": (SmsErrorCode.QUOTA, "agent quota exhausted"),
    "23": (SmsErrorCode.INVALID_NUMBER, "several networks in one request or invalid number"),
    "24": (SmsErrorCode.INVALID_REQUEST, "schedule time in the past"),
    "25": (
        SmsErrorCode.BRANDNAME_NOT_REGISTERED_FOR_TELCO,
        "wrong network, ported number or label invalid",
    ),
    "26": (SmsErrorCode.CONTENT_REJECTED, "subscriber already got 3 QC messages today"),
    "30": (SmsErrorCode.CONTENT_REJECTED, "blocked keyword"),
    "31": (SmsErrorCode.AUTH, "customer status invalid"),
    "32": (SmsErrorCode.TEMPLATE_MISMATCH, "old template id invalid"),
    "33": (SmsErrorCode.DUPLICATE, "duplicate request id"),
}
"""Every `ERROR` code of spec section 3 -> (common code, description)."""


LIMITS = TextLimits(max_units_gsm7=612, max_units_ucs2=268)
"""Longest text in GSM-7 septets and UCS-2 units (see the module docstring)."""


@dataclass(frozen=True)
class WireProfile(VendorCodeTable):
    """Every VNPT wire detail in one place; [G] marks a guess (module docstring)."""

    path: str = "/smsbn/api"
    send_name: str = "send_sms_list"
    contract_type_cskh: str = "1"
    is_telco_sub: str = "0"
    request_id_digits: int = 15  # [G]
    limits: TextLimits = LIMITS  # [G]
    errors_table: ClassVar[Mapping[str, tuple[SmsErrorCode, str]]] = ERRORS
    default_rate: float = 16.0  # [G] messages per second
    accented_telcos: frozenset[str] = field(default=frozenset({"vinaphone", "itelecom"}))  # [G]


DEFAULT_PROFILE = WireProfile()
"""The default profile."""

__getattr__ = moved(__name__, {"WIRE": "connectors.sms.vnpt.wire:DEFAULT_PROFILE"})


@dataclass(frozen=True)
class SendRequest:
    """One `send_sms_list` call for one recipient (MOBILELIST 84...), in the library's
    names; `params` are the template's values in order (None: unreadable PARAMS)."""

    reqid: str
    label_id: str
    contract_id: str
    template_id: str
    params: tuple[str, ...] | None
    msisdn: str
    agent_id: str
    api_user: str
    api_pass: str
    username: str
    accented: bool
    name: str = ""
    contract_type: str = ""


def send_request(request: SendRequest, profile: WireProfile) -> dict[str, Any]:
    """The JSON body of `request` (its name and contract type from `profile`)."""
    return {
        "RQST": {
            "name": profile.send_name,
            "REQID": request.reqid,
            "LABELID": request.label_id,
            "CONTRACTTYPEID": profile.contract_type_cskh,
            "CONTRACTID": request.contract_id,
            "TEMPLATEID": request.template_id,
            "PARAMS": [
                {"NUM": str(i), "CONTENT": v} for i, v in enumerate(request.params or (), start=1)
            ],
            "SCHEDULETIME": "",
            "MOBILELIST": request.msisdn,
            "ISTELCOSUB": profile.is_telco_sub,
            "AGENTID": request.agent_id,
            "APIUSER": request.api_user,
            "APIPASS": request.api_pass,
            "USERNAME": request.username,
            "DATACODING": "8" if request.accented else "0",
        }
    }


def _params_of(raw: Any) -> tuple[str, ...] | None:
    try:
        values = {int(p["NUM"]): str(p["CONTENT"]) for p in raw or []}
    except (KeyError, TypeError, ValueError):
        return None
    if sorted(values) != list(range(1, len(values) + 1)):
        return None
    return tuple(values[n] for n in sorted(values))


def request_of(body: Any) -> SendRequest:
    """A call's JSON body read back (the simulator's side); `KeyError`/`TypeError` when it
    is not ``{"RQST": {...}}``. Missing fields are empty."""
    rqst = body["RQST"]
    if not isinstance(rqst, dict):
        raise TypeError("RQST is not an object")

    def text(name: str) -> str:
        value = rqst.get(name)
        return "" if value is None else str(value)

    return SendRequest(
        reqid=text("REQID"),
        label_id=text("LABELID"),
        contract_id=text("CONTRACTID"),
        template_id=text("TEMPLATEID"),
        params=_params_of(rqst.get("PARAMS")),
        msisdn=text("MOBILELIST"),
        agent_id=text("AGENTID"),
        api_user=text("APIUSER"),
        api_pass=text("APIPASS"),
        username=text("USERNAME"),
        accented=rqst.get("DATACODING") == "8",
        name=text("name"),
        contract_type=text("CONTRACTTYPEID"),
    )


def reply(name: str, error: str, description: str | None = None) -> dict[str, Any]:
    """A reply body (`description` from `ERRORS` when None)."""
    if description is None:
        description = "success" if error == OK else ERRORS[error][1]
    return {"RPLY": {"name": name, "ERROR": error, "ERROR_DESC": description}}


def read_reply(body: bytes) -> tuple[str, str]:
    """(ERROR, ERROR_DESC) of a reply; `ValueError`/`KeyError`/`TypeError` if unreadable."""
    rply = json.loads(body.decode("utf-8"))["RPLY"]
    return str(rply["ERROR"]), str(rply.get("ERROR_DESC", ""))
