"""The Viettel BulkSMS gateway, simulated: `wsCpMt` over SOAP 1.1 with Viettel's error texts.

One route, "wsCpMt" (POST `profile.path`). Checks run in the order of Viettel's error list:
credentials (blank, wrong CPCode, wrong user/password), RequestID (blank, not numeric),
UserID/ReceiverID (blank, format, not equal), duplicates, brandname per telco
(`ALIAS_INVALID:TELCO=XX`), CommandCode, Content (blank, too long, blacklisted words),
template. Duplicates [G]: a RequestID already accepted for the same receiver, or the same
brandname, receiver and content within `profile.duplicate_window` seconds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping
from xml.sax.saxutils import escape

from connectors.core.safexml import parse_xml
from connectors.sms.errors import SmsErrorCode
from connectors.sms.simulation import SmsSimulator
from connectors.sms.viettel.wire import NAMESPACE, OK_MESSAGE, WIRE, WireProfile
from connectors.testing.simulator import SimRequest, SimResponse
from connectors.vn.text import sms_segments

__all__ = ["ViettelSimulator"]

_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


def _reply(message: str, result: int) -> SimResponse:
    return SimResponse.xml(
        f'<S:Envelope xmlns:S="{_ENV}"><S:Body>'
        f'<ns2:wsCpMtResponse xmlns:ns2="{NAMESPACE}"><return>'
        f"<message>{escape(message)}</message><result>{result}</result>"
        "</return></ns2:wsCpMtResponse></S:Body></S:Envelope>"
    )


def _fault(text: str) -> SimResponse:
    return SimResponse.xml(
        f'<S:Envelope xmlns:S="{_ENV}"><S:Body><S:Fault><faultcode>S:Server</faultcode>'
        f"<faultstring>{escape(text)}</faultstring></S:Fault></S:Body></S:Envelope>",
        500,
    )


class ViettelSimulator(SmsSimulator):
    """A stateful Viettel wsCpMt gateway (see the module docstring)."""

    provider = "viettel"
    id_prefix = "VT"

    def __init__(
        self,
        *,
        brandnames: Mapping[str, Iterable[str]] | Iterable[str],
        templates: Mapping[str, Iterable[str]] | None = None,
        user: str = "smsbrand_test",
        password: str = "fake-password-2",  # noqa: S107 - an obviously fake test credential
        cp_code: str = "CP-TEST",
        blacklist: Iterable[str] = ("casino",),
        quota: int | None = None,
        profile: WireProfile = WIRE,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(brandnames=brandnames, templates=templates, quota=quota, sleep=sleep)
        self.user = user
        self.password = password
        self.cp_code = cp_code
        self.blacklist = tuple(word.lower() for word in blacklist)
        self.profile = profile
        self.clock = clock
        self._request_ids: set[tuple[str, str]] = set()
        self._recent: dict[tuple[str, str, str], float] = {}
        self._dup_lock = threading.Lock()
        self.add_route("POST", profile.path, self._ws_cp_mt, name="wsCpMt")

    def _ws_cp_mt(self, request: SimRequest) -> SimResponse:
        try:
            root = parse_xml(request.body, what="SOAP request")
        except ValueError:
            return _fault("Check information error")
        call = root.find(f"{{{_ENV}}}Body/{{{NAMESPACE}}}wsCpMt")
        if call is None:
            return _fault("Check information error")
        fields = {child.tag: (child.text or "") for child in call if isinstance(child.tag, str)}
        answer = self._check_fields(fields)
        if answer is not None:
            return _reply(answer, 0)
        return self._deliver(fields)

    def _check_fields(self, f: dict[str, str]) -> str | None:
        for name, label in (("CPCode", "Cp_code"), ("User", "UserName"), ("Password", "Password")):
            if not f.get(name):
                return f"Authenticate: {label}: NULL_OR_BLANK"
        if f["CPCode"] != self.cp_code:
            return "Authenticate: CP_CODE_NOT_FOUND"
        if f["User"] != self.user or f["Password"] != self.password:
            return "Authenticate: WRONG_INFORMATION_AUTHENTICATE"
        request_id = f.get("RequestID", "")
        if not request_id:
            return "Check RequestID: NULL_OR_BLANK"
        if not request_id.isdigit():
            return "Check RequestID: REQUEST_ID_NOT_NUMBER"
        if not f.get("UserID"):
            return "Check UserID: NULL_OR_BLANK"
        receiver = f.get("ReceiverID", "")
        if not receiver:
            return "Check ReceiverID: NULL_OR_BLANK"
        if not receiver.isdigit():
            return "Check ReceiverID: FORMAT_ERROR"
        if len(receiver) != 11 or not receiver.startswith("84"):
            return "Length of ReceiverID is invalid."
        if f["UserID"] != receiver:
            return "UserID_NOT_EQUAL_ReceiverID"
        if not f.get("CommandCode"):
            return "Check CommandCode: NULL_OR_BLANK"
        if f["CommandCode"] != self.profile.command_code:
            return "Check CommandCode: COMMAND_CODE_ERROR"
        content = f.get("Content", "")
        if not content:
            return "Check Content: NULL_OR_BLANK"
        segments = sms_segments(content)
        limit = self.profile.limits.limit(segments.encoding)
        if segments.units > limit:
            size = len(content.encode("utf-8"))
            return f"Check Content: MAXLENGTH_LIMIT_{limit}_BYTE (YOUR_CONTENT: {size} BYTE)"
        if any(word in content.lower() for word in self.blacklist):
            return "Check Content: MSG_ERROR_CONTAIN_BLACKLIST"
        return None

    def _deliver(self, f: dict[str, str]) -> SimResponse:
        receiver, brandname, content = f["ReceiverID"], f.get("ServiceID", ""), f["Content"]
        with self._lock:
            now = self.clock()
            recent = self._recent.get((brandname, receiver, content))
            if (f["RequestID"], receiver) in self._request_ids or (
                recent is not None and now - recent < self.profile.duplicate_window
            ):
                return _reply("Check ServiceID: DUPLICATE MESSAGE", 0)
            problem = self.check(brandname, receiver, content)
            if problem is SmsErrorCode.INVALID_NUMBER:
                return _reply("Unable to check telco from input receiver", 0)
            if problem is not None:
                phone = self.phone(receiver)
                telco = phone.carrier if phone else None
                return _reply(self.profile.answer_for(problem, telco=telco), 0)
            self._request_ids.add((f["RequestID"], receiver))
            self._recent[(brandname, receiver, content)] = now
            self.accept(
                brandname=brandname,
                msisdn=receiver,
                text=content,
                request_id=f["RequestID"],
                unicode=f.get("ContentType") == "1",
                cp_code=f["CPCode"],
            )
        return _reply(OK_MESSAGE, 1)
