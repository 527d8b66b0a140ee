"""VNPT/VinaPhone agent API ("smsbn") wire facts (spec section 3): JSON RQST/RPLY, codes.

Verified [V/V2]: `POST .../smsbn/api` with `{"RQST": {...}}`, `name=send_sms_list`, the
field names (REQID, LABELID, CONTRACTTYPEID 1 = CSKH, CONTRACTID, TEMPLATEID, PARAMS as
`[{"NUM": "1", "CONTENT": ...}]`, SCHEDULETIME empty = now, MOBILELIST 84..., ISTELCOSUB
"0", AGENTID, APIUSER, APIPASS, USERNAME, DATACODING 0/8), the reply
`{"RPLY": {"name", "ERROR", "ERROR_DESC"}}` and the error codes below (an integrator's
table). Guessed [G]: the REQID format (digits here), the length limits, the default rate,
and that DATACODING 8 is refused for subscribers of other networks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from connectors.sms.compose import TextLimits
from connectors.sms.errors import SmsErrorCode

__all__ = ["ERRORS", "OK", "WIRE", "WireProfile", "reply", "send_request"]

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
class WireProfile:
    """Every VNPT wire detail in one place; [G] marks a guess (module docstring)."""

    path: str = "/smsbn/api"
    send_name: str = "send_sms_list"
    contract_type_cskh: str = "1"
    is_telco_sub: str = "0"
    request_id_digits: int = 15  # [G]
    limits: TextLimits = LIMITS  # [G]
    default_rate: float = 16.0  # [G] messages per second
    accented_telcos: frozenset[str] = field(default=frozenset({"vinaphone", "itelecom"}))  # [G]

    def code_for(self, error: str) -> SmsErrorCode:
        entry = ERRORS.get(error)
        return entry[0] if entry else SmsErrorCode.UNKNOWN

    def answer_for(self, code: SmsErrorCode) -> str:
        """The `ERROR` the simulated gateway answers for `code` (first listed)."""
        for error, (listed, _text) in ERRORS.items():
            if listed is code:
                return error
        raise ValueError(f"VNPT has no answer for {code}")


WIRE = WireProfile()
"""The default profile."""


def send_request(
    *,
    profile: WireProfile,
    reqid: str,
    label_id: str,
    contract_id: str,
    template_id: str,
    params: Sequence[str],
    msisdn: str,
    agent_id: str,
    api_user: str,
    api_pass: str,
    username: str,
    accented: bool,
) -> dict[str, Any]:
    """The JSON body of one `send_sms_list` call for one recipient."""
    return {
        "RQST": {
            "name": profile.send_name,
            "REQID": reqid,
            "LABELID": label_id,
            "CONTRACTTYPEID": profile.contract_type_cskh,
            "CONTRACTID": contract_id,
            "TEMPLATEID": template_id,
            "PARAMS": [{"NUM": str(i), "CONTENT": v} for i, v in enumerate(params, start=1)],
            "SCHEDULETIME": "",
            "MOBILELIST": msisdn,
            "ISTELCOSUB": profile.is_telco_sub,
            "AGENTID": agent_id,
            "APIUSER": api_user,
            "APIPASS": api_pass,
            "USERNAME": username,
            "DATACODING": "8" if accented else "0",
        }
    }


def reply(name: str, error: str, description: str) -> dict[str, Any]:
    """A reply body."""
    return {"RPLY": {"name": name, "ERROR": error, "ERROR_DESC": description}}
